-- The code × attribute matrix of --has --matrix (issue 22, items 4 and
-- 6): for each study code (by key, over studies p_studies) and each
-- value of attribute p_attr ('region', 'stage', 'profession',
-- 'structure_type', or 'item' with questionnaire item p_item), how many
-- distinct people (participants and teams) evoke it; '' is "not known".
-- The rows with code NULL are each column's head count: the people of
-- that value who evoke at least one code.  From msp.report_has_people
-- (p_own_region as there).  Runs as its caller: granted to analysts
-- and teams (RLS keeps a team to its own rows); a federation calls
-- msp.report_has_matrix.
CREATE OR REPLACE FUNCTION msp.report_has_matrix_counts(p_studies integer[],
    p_attr text, p_item text, p_own_region boolean)
RETURNS TABLE (code text, kind text, label_fr text, value text, n bigint)
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT x.code, min(c.kind::text), min(c.label_fr), x.value,
           count(DISTINCT x.who)
      FROM (SELECT p.who, p.study_id, p.code,
                   coalesce(CASE p_attr
                       WHEN 'region' THEN p.region
                       WHEN 'stage' THEN p.stage
                       WHEN 'profession' THEN p.profession
                       WHEN 'structure_type' THEN p.structure_type
                       WHEN 'item' THEN p.item_value END, '') AS value
              FROM msp.report_has_people(p_studies, p_item,
                                         p_own_region) p) x
      JOIN msp.study_code c ON c.study_id = x.study_id AND c.code = x.code
     GROUP BY GROUPING SETS ((x.code, x.value), (x.value))
     ORDER BY 1 NULLS FIRST, 4
$$;
REVOKE ALL ON FUNCTION msp.report_has_matrix_counts(integer[], text, text,
    boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.report_has_matrix_counts(integer[], text,
    text, boolean) TO msp_analyst, msp_team;
