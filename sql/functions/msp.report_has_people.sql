-- Who evokes which study code in studies p_studies, one row per resolved
-- coding, with what the code × attribute matrices and the co-occurrence
-- of --has cross it with (issue 22, items 4 and 6):
--   who        'i' || interview (a participant) or 'r' || response (a team)
--   unit       where the code was applied: 'i' || interview, or
--              'a' || response || ':' || item (one open answer)
--   start_pos, end_pos, passage: the segment's offsets and verbatim
--              (co-occurrence within a passage); NULL for answers
--   region     the study's region (slug)
--   stage      the interview's stage; the team's continuum stage as the
--              'continuum' role of its instrument derives it
--              (msp.response_stage)
--   profession the interviewee's (interviews only)
--   structure_type the structure's (msp.structure)
--   item_value the answer to questionnaire item p_item (a choice or
--              yes/no; a multiple choice's options joined by '+' in
--              order) of the team: its own response, or, for an
--              interview, its structure's latest complete response to
--              the same study (NULL p_item: NULL)
-- Resolved codings only (0039); test and incomplete responses left out.
-- p_own_region: only people of structures of each study's own region
-- (what a federation's aggregates count, as msp.report_has_mentions).
-- Runs as its caller: granted to analysts (their RLS reads every row)
-- and teams (theirs keeps a team to its own rows);
-- a federation reaches it only through msp.report_has_matrix and
-- msp.report_has_cooccurrence, which check its token and group.
CREATE OR REPLACE FUNCTION msp.report_has_people(p_studies integer[],
    p_item text, p_own_region boolean)
RETURNS TABLE (who text, study_id integer, code text, unit text,
               start_pos integer, end_pos integer, passage text,
               region text, stage text, profession text,
               structure_type text, item_value text)
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    WITH stage AS (
        -- each coded response's stage: msp.response_stage, once
        SELECT c.response_id, msp.response_stage(c.response_id) AS stage
          FROM (SELECT DISTINCT ac.response_id
                  FROM msp.answer_code ac
                 WHERE ac.study_id = ANY (p_studies)
                   AND ac.state = 'resolved') c),
    item AS (
        SELECT DISTINCT ON (r.study_id, r.structure_id) r.study_id,
               r.structure_id, x.value
          FROM msp.response r
          CROSS JOIN LATERAL (
              SELECT string_agg(coalesce(a.choice_code,
                                         a.bool_value::text), '+'
                                ORDER BY a.choice_code) AS value
                FROM msp.answer a
               WHERE a.response_id = r.response_id
                 AND a.item_key = p_item) x
         WHERE p_item IS NOT NULL AND r.study_id = ANY (p_studies)
           AND r.status = 'complete' AND NOT r.test
           AND x.value IS NOT NULL
         ORDER BY r.study_id, r.structure_id, r.response_id DESC)
    SELECT 'i' || i.interview_id, i.study_id, g.code, 'i' || i.interview_id,
           g.start_pos, g.end_pos, g.verbatim_fr, rg.slug, i.stage,
           i.profession, st.structure_type::text, it.value
      FROM msp.segment g
      JOIN msp.interview i ON i.interview_id = g.interview_id
      JOIN msp.study s ON s.study_id = i.study_id
      JOIN msp.region rg ON rg.region_id = s.region_id
      LEFT JOIN msp.structure st ON st.structure_id = i.structure_id
      LEFT JOIN item it ON it.study_id = i.study_id
       AND it.structure_id = i.structure_id
     WHERE i.study_id = ANY (p_studies) AND g.state = 'resolved'
       AND (NOT p_own_region OR st.region_id = s.region_id)
    UNION ALL
    SELECT 'r' || ac.response_id, ac.study_id, ac.code,
           'a' || ac.response_id || ':' || ac.item_key, NULL, NULL, NULL,
           rg.slug, sg.stage, NULL, st.structure_type::text,
           (SELECT string_agg(coalesce(a.choice_code, a.bool_value::text),
                              '+' ORDER BY a.choice_code)
              FROM msp.answer a
             WHERE a.response_id = ac.response_id AND a.item_key = p_item)
      FROM msp.answer_code ac
      JOIN msp.response r ON r.response_id = ac.response_id
       AND r.status = 'complete' AND NOT r.test
      JOIN msp.study s ON s.study_id = ac.study_id
      JOIN msp.region rg ON rg.region_id = s.region_id
      LEFT JOIN msp.structure st ON st.structure_id = r.structure_id
      LEFT JOIN stage sg ON sg.response_id = ac.response_id
     WHERE ac.study_id = ANY (p_studies) AND ac.state = 'resolved'
       AND (NOT p_own_region OR st.region_id = s.region_id)
$$;
REVOKE ALL ON FUNCTION msp.report_has_people(integer[], text, boolean)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.report_has_people(integer[], text, boolean)
    TO msp_analyst, msp_team;
