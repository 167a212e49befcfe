-- The code co-occurrence of --has --cooccurrence (issue 22, item 4): for
-- each pair of study codes (by key, over studies p_studies), how many
-- distinct people carry both within one unit: a team, within one open
-- answer (whatever the passages); an interview participant, within one
-- passage (two coded passages of the transcript that overlap, or, for
-- the pre-coded segments of the API, which have no offsets, the same
-- verbatim).  The diagonal (code1 = code2) is the people who evoke the
-- code.  From msp.report_has_people (p_own_region as there).  Runs as
-- its caller: granted to analysts and teams (RLS keeps a team to its
-- own rows); a federation calls msp.report_has_cooccurrence.
CREATE OR REPLACE FUNCTION msp.report_has_cooc_counts(p_studies integer[],
    p_own_region boolean)
RETURNS TABLE (code1 text, kind1 text, label1 text, code2 text, n bigint)
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    WITH p AS (
        SELECT * FROM msp.report_has_people(p_studies, NULL, p_own_region))
    SELECT a.code, min(c.kind::text), min(c.label_fr), b.code,
           count(DISTINCT a.who)
      FROM p a
      JOIN p b ON b.study_id = a.study_id AND b.unit = a.unit
       AND (a.unit LIKE 'a%'
            OR (a.start_pos IS NOT NULL AND b.start_pos IS NOT NULL
                AND a.start_pos < b.end_pos AND b.start_pos < a.end_pos)
            OR (a.start_pos IS NULL AND b.start_pos IS NULL
                AND a.passage = b.passage))
      JOIN msp.study_code c ON c.study_id = a.study_id AND c.code = a.code
     GROUP BY a.code, b.code
     ORDER BY 2, 1, 4
$$;
REVOKE ALL ON FUNCTION msp.report_has_cooc_counts(integer[], boolean)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.report_has_cooc_counts(integer[], boolean)
    TO msp_analyst, msp_team;
