-- Refuses (22023) a list of weighting variables that are not all frame
-- variables (msp.report_variable's frame_*): the cells a federation's
-- --weights splits by are the frame's characteristics, never an answer.
CREATE OR REPLACE FUNCTION msp.report_frame_vars_check(p_vars text[])
RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
BEGIN
    IF p_vars IS NULL OR cardinality(p_vars) = 0 OR EXISTS (
        SELECT 1 FROM unnest(p_vars) v (var_key)
         WHERE NOT EXISTS (SELECT 1 FROM msp.report_variable rv
                            WHERE rv.var_key = v.var_key
                              AND rv.var_key LIKE 'frame\_%')) THEN
        RAISE EXCEPTION 'variables de pondération inconnues : %', p_vars
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
END
$$;
REVOKE ALL ON FUNCTION msp.report_frame_vars_check(text[]) FROM PUBLIC;
