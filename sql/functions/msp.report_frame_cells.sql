-- A federation's weighting cells of study p_study (--weights): how many
-- active structures of the frame fall in each combination of the frame
-- variables p_vars, in that order, joined by the unit separator ('p'
-- rows): report_data.c's sql_frame_cells, as the owner, over the
-- frame's structures of the study's region (msp.report_scope).  p_vars
-- must be frame variables (22023 otherwise).
CREATE OR REPLACE FUNCTION msp.report_frame_cells(p_study integer,
    p_vars text[])
RETURNS TABLE (kind text, var text, val text, grp text, n bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
#variable_conflict use_column
DECLARE
    v_region smallint := msp.report_scope(p_study);
BEGIN
    PERFORM msp.report_frame_vars_check(p_vars);
    RETURN QUERY
    SELECT 'p'::text, NULL::text, x.cell, NULL::text, count(*)
      FROM (SELECT f.structure_id,
                   string_agg(f.category, chr(31) ORDER BY k.ord) AS cell
              FROM msp.report_frame(p_study) f
              JOIN unnest(p_vars) WITH ORDINALITY AS k (var_key, ord)
                ON k.var_key = f.var_key
             WHERE f.structure_id IN (
                   SELECT st.structure_id FROM msp.structure st
                    WHERE st.region_id = v_region)
             GROUP BY f.structure_id) x
     GROUP BY x.cell;
END
$$;
REVOKE ALL ON FUNCTION msp.report_frame_cells(integer, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.report_frame_cells(integer, text[])
    TO msp_federation;
