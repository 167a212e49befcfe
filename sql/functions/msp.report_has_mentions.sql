-- Who mentioned which study code in studies p_studies: interview
-- participants ('i' || interview) and coded questionnaire answers ('r'
-- || response, with the team's continuum stage: msp.response_stage),
-- resolved codings only (0039):
-- report_has.c's MENTIONS_CTE, kept to
-- the structures of each study's own region, as Row-Level Security
-- kept a federation's own report to them.  One row per person and code:
-- not granted to anyone; msp.report_has_region, _stage and _unmapped,
-- which check the token and group, call it as the owner.
CREATE OR REPLACE FUNCTION msp.report_has_mentions(p_studies integer[])
RETURNS TABLE (source text, study_id integer, code text, who text,
               stage text)
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    WITH stage AS (
        -- each coded response's stage: msp.response_stage, once
        SELECT c.response_id, msp.response_stage(c.response_id) AS stage
          FROM (SELECT DISTINCT ac.response_id
                  FROM msp.answer_code ac
                 WHERE ac.study_id = ANY (p_studies)
                   AND ac.state = 'resolved') c)
    SELECT 'interview'::text, i.study_id, g.code,
           'i' || i.interview_id, i.stage
      FROM msp.segment g
      JOIN msp.interview i ON i.interview_id = g.interview_id
      JOIN msp.structure st ON st.structure_id = i.structure_id
      JOIN msp.study s ON s.study_id = i.study_id
       AND s.region_id = st.region_id
     WHERE i.study_id = ANY (p_studies)
       AND g.state = 'resolved'
    UNION ALL
    SELECT 'questionnaire', ac.study_id, ac.code,
           'r' || ac.response_id, sg.stage
      FROM msp.answer_code ac
      JOIN msp.response r ON r.response_id = ac.response_id
       AND r.status = 'complete' AND NOT r.test
      JOIN msp.structure st ON st.structure_id = r.structure_id
      JOIN msp.study s ON s.study_id = ac.study_id
       AND s.region_id = st.region_id
      LEFT JOIN stage sg ON sg.response_id = ac.response_id
     WHERE ac.study_id = ANY (p_studies)
       AND ac.state = 'resolved'
$$;
REVOKE ALL ON FUNCTION msp.report_has_mentions(integer[]) FROM PUBLIC;
