-- A federation's --has: the studies p_studies (NULL: every study but the
-- drafts) with their region, how many interviews and how many coded
-- questionnaire responses each has, counted over the structures of the
-- study's own region (report_has.c's sql_has_studies as the owner).
-- Other regions' studies included: a federation compares regions'
-- aggregates (issue 19).  Counts only; 42501 for any token but a
-- federation's (msp.report_scope).
CREATE OR REPLACE FUNCTION msp.report_has_studies(p_studies integer[])
RETURNS TABLE (study_id integer, slug text, region text,
               region_name text, interviews bigint, coded bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
#variable_conflict use_column
BEGIN
    PERFORM msp.report_has_check(p_studies);
    RETURN QUERY
    SELECT s.study_id, s.slug, g.slug, g.name,
           (SELECT count(*) FROM msp.interview i
              JOIN msp.structure st ON st.structure_id = i.structure_id
             WHERE i.study_id = s.study_id
               AND st.region_id = s.region_id),
           (SELECT count(DISTINCT ac.response_id) FROM msp.answer_code ac
              JOIN msp.response r ON r.response_id = ac.response_id
              JOIN msp.structure st ON st.structure_id = r.structure_id
             WHERE ac.study_id = s.study_id
               AND ac.state = 'resolved'
               AND st.region_id = s.region_id)
      FROM msp.study s JOIN msp.region g ON g.region_id = s.region_id
     WHERE (p_studies IS NULL OR s.study_id = ANY (p_studies))
       AND s.state <> 'draft'
     ORDER BY g.slug, s.year, s.study_id;
END
$$;
REVOKE ALL ON FUNCTION msp.report_has_studies(integer[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.report_has_studies(integer[])
    TO msp_federation;
