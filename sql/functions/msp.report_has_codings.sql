-- A federation's --has: per study of p_studies (NULL: every study but
-- the drafts), how many resolved codings of open answers there are and
-- how many of them began as an accepted suggestion (msp-report code
-- suggest, then code apply --from-suggestion: answer_code.suggested,
-- 0046), counted over the structures of the study's own region
-- (report_has.c's sql_has_codings as the owner).  Counts only; 42501
-- for any token but a federation's (msp.report_has_check).
CREATE OR REPLACE FUNCTION msp.report_has_codings(p_studies integer[])
RETURNS TABLE (slug text, codings bigint, suggested bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
#variable_conflict use_column
BEGIN
    PERFORM msp.report_has_check(p_studies);
    RETURN QUERY
    SELECT s.slug, count(ac.coding_id),
           count(ac.coding_id) FILTER (WHERE ac.suggested)
      FROM msp.study s
      LEFT JOIN (msp.answer_code ac
            JOIN msp.response r ON r.response_id = ac.response_id
             AND r.status = 'complete' AND NOT r.test
            JOIN msp.structure st ON st.structure_id = r.structure_id)
        ON ac.study_id = s.study_id AND ac.state = 'resolved'
       AND st.region_id = s.region_id
     WHERE (p_studies IS NULL OR s.study_id = ANY (p_studies))
       AND s.state <> 'draft'
     GROUP BY s.slug, s.year, s.study_id
     ORDER BY s.year, s.study_id;
END
$$;
REVOKE ALL ON FUNCTION msp.report_has_codings(integer[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.report_has_codings(integer[])
    TO msp_federation;
