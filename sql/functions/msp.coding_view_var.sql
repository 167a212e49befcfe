-- The category label a response gets for the report variable of role
-- p_role of its instrument (msp.report_role: 'continuum' the stage
-- reached, 'priority' whether involving users is one), read as the
-- reports read it: the first rule, by priority, that one of the
-- response's answers matches (msp.report_has_mentions does the same for
-- the stage).  NULL when no rule matches.  For the coding workspace's
-- SECURITY DEFINER views only: granted to nobody.
CREATE OR REPLACE FUNCTION msp.coding_view_var(p_response bigint,
    p_role text) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT c.label_fr
      FROM msp.response r
      JOIN msp.study s ON s.study_id = r.study_id
      JOIN msp.instrument ins ON ins.instrument_id = s.instrument_id
      JOIN msp.report_role ro ON ro.instrument_slug = ins.slug
       AND ro.role = p_role
      JOIN msp.report_rule ru ON ru.instrument_slug = ins.slug
       AND ru.var_key = ro.var_key
      JOIN msp.answer a ON a.response_id = r.response_id
       AND a.item_key = ru.item_key
      JOIN msp.report_category c ON c.var_key = ru.var_key
       AND c.category = ru.category
     WHERE r.response_id = p_response
       AND msp.report_rule_matches(ru.match_code, ru.num_min, ru.num_max,
           ru.years_before_study, msp.report_answer_value(a.choice_code,
           a.bool_value, a.num_value, a.text_value), a.num_value, s.year)
     ORDER BY ro.position, ru.priority
     LIMIT 1
$$;
REVOKE ALL ON FUNCTION msp.coding_view_var(bigint, text) FROM PUBLIC;
