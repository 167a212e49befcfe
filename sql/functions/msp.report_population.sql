-- A federation's population figures of study p_study: the frame's size
-- (listed), its active part (targeted), the active structures that
-- responded, and the structures that responded whether the frame lists
-- them or not (one structure may send several responses; a rate counts
-- structures).  report_data.c's sql_population, as the owner, over the
-- structures of the study's region (msp.report_scope): four counts.
CREATE OR REPLACE FUNCTION msp.report_population(p_study integer)
RETURNS TABLE (listed bigint, targeted bigint, responding bigint,
               respondents bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
#variable_conflict use_column
DECLARE
    v_region smallint := msp.report_scope(p_study);
BEGIN
    RETURN QUERY
    SELECT count(*),
           count(*) FILTER (WHERE p.active),
           count(*) FILTER (WHERE p.active AND EXISTS (
               SELECT 1 FROM msp.response r
                WHERE r.study_id = p.study_id
                  AND r.structure_id = p.structure_id
                  AND r.status = 'complete' AND NOT r.test)),
           -- a closed study: counted when it closed (0047)
           CASE WHEN EXISTS (SELECT 1 FROM msp.study_crosstab_split b
                              WHERE b.study_id = p_study AND b.split = '')
           THEN coalesce((SELECT x.respondents
                            FROM msp.study_crosstab_region x
                           WHERE x.study_id = p_study
                             AND x.region_id = v_region), 0)
           ELSE (SELECT count(DISTINCT r.structure_id) FROM msp.response r
                   JOIN msp.structure st
                     ON st.structure_id = r.structure_id
                  WHERE r.study_id = p_study AND st.region_id = v_region
                    AND r.status = 'complete' AND NOT r.test) END
      FROM msp.population p
      JOIN msp.structure st ON st.structure_id = p.structure_id
     WHERE p.study_id = p_study AND st.region_id = v_region;
END
$$;
REVOKE ALL ON FUNCTION msp.report_population(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.report_population(integer) TO msp_federation;
-- a team, for its feedback page: msp.report_scope decides which studies
GRANT EXECUTE ON FUNCTION msp.report_population(integer) TO msp_team;
