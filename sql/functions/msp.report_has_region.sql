-- A federation's --has by region: every HAS category with how many
-- people mentioned it, by region and source (interview, questionnaire),
-- over studies p_studies (report_has.c's sql_has_region, as the owner,
-- on msp.report_has_mentions).  Counts of people, never a person;
-- primary suppression stays in the client for now (issue 19).
CREATE OR REPLACE FUNCTION msp.report_has_region(p_studies integer[])
RETURNS TABLE (has_code text, kind text, label_fr text, region text,
               source text, n bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
#variable_conflict use_column
BEGIN
    PERFORM msp.report_has_check(p_studies);
    RETURN QUERY
    SELECT hc.has_code::text, hc.kind::text, hc.label_fr, rg.slug,
           m.source, count(DISTINCT m.who)
      FROM msp.has_category hc
      LEFT JOIN (msp.crosswalk x
            JOIN msp.report_has_mentions(p_studies) m
              ON m.study_id = x.study_id AND m.code = x.code
            JOIN msp.study s ON s.study_id = m.study_id
            JOIN msp.region rg ON rg.region_id = s.region_id)
        ON x.has_code = hc.has_code
     GROUP BY hc.has_code, hc.kind, hc.label_fr, rg.slug, m.source
     ORDER BY hc.kind, hc.has_code;
END
$$;
REVOKE ALL ON FUNCTION msp.report_has_region(integer[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.report_has_region(integer[]) TO msp_federation;
