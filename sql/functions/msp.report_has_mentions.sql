-- Who mentioned which study code in studies p_studies: interview
-- participants ('i' || interview) and coded questionnaire answers ('r'
-- || response, with the team's continuum stage as the 'continuum' role
-- of its instrument derives it), resolved codings only (0039):
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
        SELECT DISTINCT ON (a.response_id) a.response_id,
               ru.category AS stage
          FROM msp.answer_code ac
          JOIN msp.answer a ON a.response_id = ac.response_id
          JOIN msp.study s ON s.study_id = ac.study_id
          JOIN msp.instrument ins ON ins.instrument_id = s.instrument_id
          JOIN msp.report_role ro ON ro.instrument_slug = ins.slug
           AND ro.role = 'continuum'
          JOIN msp.report_rule ru ON ru.instrument_slug = ins.slug
           AND ru.var_key = ro.var_key AND ru.item_key = a.item_key
         WHERE ac.study_id = ANY (p_studies)
           AND ac.state = 'resolved'
           AND msp.report_rule_matches(ru.match_code, ru.num_min,
               ru.num_max, ru.years_before_study,
               msp.report_answer_value(a.choice_code, a.bool_value,
               a.num_value, a.text_value), a.num_value, s.year)
         ORDER BY a.response_id, ru.priority)
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
