-- A federation's view of study p_study's targeted population, by
-- participation: for each frame characteristic and category, how many
-- active structures of the frame responded ('t'), did not ('f') and in
-- all (NULL): report_data.c's sql_frame, as the owner, over the frame's
-- structures of the study's region (msp.report_scope).  A count per
-- category, never a structure (msp.report_frame, one row each, is
-- invoker-rights and reads responses: a federation cannot run it).
CREATE OR REPLACE FUNCTION msp.report_frame_counts(p_study integer)
RETURNS TABLE (kind text, var text, val text, grp text, n bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
#variable_conflict use_column
DECLARE
    v_region smallint := msp.report_scope(p_study);
BEGIN
    RETURN QUERY
    SELECT 'f'::text, f.var_key, f.category,
           CASE WHEN GROUPING(f.responded) = 1 THEN NULL
                WHEN f.responded THEN 't' ELSE 'f' END,
           count(*)
      FROM msp.report_frame(p_study) f
     WHERE f.structure_id IN (SELECT st.structure_id FROM msp.structure st
                               WHERE st.region_id = v_region)
     GROUP BY GROUPING SETS ((f.var_key, f.category, f.responded),
                             (f.var_key, f.category));
END
$$;
REVOKE ALL ON FUNCTION msp.report_frame_counts(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.report_frame_counts(integer) TO msp_federation;
-- a team, for its feedback page: msp.report_scope decides which studies
GRANT EXECUTE ON FUNCTION msp.report_frame_counts(integer) TO msp_team;
