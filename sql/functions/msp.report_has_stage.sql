-- A federation's --has by continuum stage ('' when the stage is not
-- known): how many people mentioned each HAS category, over studies
-- p_studies (report_has.c's sql_has_stage, as the owner).  Counts only.
CREATE OR REPLACE FUNCTION msp.report_has_stage(p_studies integer[])
RETURNS TABLE (has_code text, stage text, n bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
#variable_conflict use_column
BEGIN
    PERFORM msp.report_has_check(p_studies);
    RETURN QUERY
    SELECT x.has_code::text, coalesce(m.stage, ''), count(DISTINCT m.who)
      FROM msp.crosswalk x
      JOIN msp.report_has_mentions(p_studies) m
        ON m.study_id = x.study_id AND m.code = x.code
     GROUP BY 1, 2;
END
$$;
REVOKE ALL ON FUNCTION msp.report_has_stage(integer[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.report_has_stage(integer[]) TO msp_federation;
