-- A federation's --has: the freins and leviers codes of studies
-- p_studies that map to no HAS category, with how many people mentioned
-- each (report_has.c's sql_has_unmapped, as the owner).  Counts only.
CREATE OR REPLACE FUNCTION msp.report_has_unmapped(p_studies integer[])
RETURNS TABLE (study text, code text, kind text, label_fr text, n bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
#variable_conflict use_column
BEGIN
    PERFORM msp.report_has_check(p_studies);
    RETURN QUERY
    SELECT s.slug, c.code, c.kind::text, c.label_fr, count(DISTINCT m.who)
      FROM msp.study_code c JOIN msp.study s ON s.study_id = c.study_id
      LEFT JOIN msp.report_has_mentions(p_studies) m
        ON m.study_id = c.study_id AND m.code = c.code
     WHERE c.study_id = ANY (p_studies)
       AND c.kind IN ('frein', 'levier')
       AND NOT EXISTS (SELECT 1 FROM msp.crosswalk x
                        WHERE x.study_id = c.study_id AND x.code = c.code)
     GROUP BY 1, 2, 3, 4 ORDER BY 1, 3, 2;
END
$$;
REVOKE ALL ON FUNCTION msp.report_has_unmapped(integer[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.report_has_unmapped(integer[])
    TO msp_federation;
