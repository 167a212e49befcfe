-- Today where the studies run: a study closing on the 30th accepts
-- answers until midnight in Paris, not in UTC.
CREATE OR REPLACE FUNCTION msp.study_today() RETURNS date
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT (now() AT TIME ZONE 'Europe/Paris')::date
$$;
