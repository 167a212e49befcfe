-- Whether an answer (its value as above, and its number) matches a
-- rule, for a study of year p_year.  The meaning of msp.report_rule.
CREATE OR REPLACE FUNCTION msp.report_rule_matches(p_code text, p_min numeric,
    p_max numeric, p_years_before boolean, p_value text, p_num numeric,
    p_year integer)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN p_code IS NOT NULL THEN p_code = p_value
                WHEN p_num IS NULL THEN false
                ELSE (CASE WHEN p_years_before THEN p_year - p_num
                           ELSE p_num END)
                     BETWEEN coalesce(p_min, '-Infinity')
                         AND coalesce(p_max, 'Infinity') END
$$;
