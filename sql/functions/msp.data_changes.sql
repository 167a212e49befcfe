-- How many writing transactions a snapshot sees.
CREATE OR REPLACE FUNCTION msp.data_changes() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT count(*) FROM msp.data_change
$$;
