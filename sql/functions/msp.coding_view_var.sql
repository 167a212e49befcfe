-- The label a response gets for the report variable of role p_role of
-- its instrument (msp.report_role: 'continuum' the stage reached,
-- 'priority' whether involving users is one), read as the reports read
-- it: the first rule, by priority, that one of the response's answers
-- matches (msp.response_stage, which every place that needs the stage
-- calls); NULL
-- when that rule places the response in no category (« non
-- classable »).  A variable with no rule is an item of the
-- questionnaire (is_priority): its answer, as the option's label, or
-- « Oui »/« Non » for a yes/no item.  NULL when nothing applies.  For the
-- coding workspace's SECURITY DEFINER views only: granted to nobody.
CREATE OR REPLACE FUNCTION msp.coding_view_var(p_response bigint,
    p_role text) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    WITH role AS (
        SELECT ro.var_key, ro.position, ins.slug, s.year
          FROM msp.response r
          JOIN msp.study s ON s.study_id = r.study_id
          JOIN msp.instrument ins ON ins.instrument_id = s.instrument_id
          JOIN msp.report_role ro ON ro.instrument_slug = ins.slug
           AND ro.role = p_role
         WHERE r.response_id = p_response),
    ruled AS (
        -- the category msp.response_stage gives (the one derivation
        -- of the stage and of every ruled role), by its label; the
        -- sub-select runs it once, not once per category compared
        SELECT c.label_fr
          FROM role ro
          JOIN msp.report_category c ON c.var_key = ro.var_key
           AND c.category = (SELECT msp.response_stage(p_response,
                                                       p_role))
         ORDER BY ro.position
         LIMIT 1),
    answered AS (
        SELECT CASE WHEN a.bool_value THEN 'Oui'
                    WHEN NOT a.bool_value THEN 'Non'
                    ELSE coalesce(o.label_fr, a.text_value,
                                  a.num_value::text) END AS label_fr
          FROM role ro
          JOIN msp.answer a ON a.response_id = p_response
           AND a.item_key = ro.var_key
          LEFT JOIN msp.item_option o ON o.instrument_id = a.instrument_id
           AND o.item_key = a.item_key AND o.code = a.choice_code
         WHERE NOT EXISTS (SELECT 1 FROM msp.report_rule ru
                            WHERE ru.instrument_slug = ro.slug
                              AND ru.var_key = ro.var_key)
         ORDER BY ro.position
         LIMIT 1)
    SELECT coalesce((SELECT label_fr FROM ruled),
                    (SELECT label_fr FROM answered))
$$;
REVOKE ALL ON FUNCTION msp.coding_view_var(bigint, text) FROM PUBLIC;
