-- The category response p_response reaches on the report variable of
-- role p_role of its instrument (msp.report_role), as the report counts
-- it: by default 'continuum', the team's stage on the Continuum du
-- Partenariat en Santé (information, consultation, collaboration,
-- partenariat: /work/shared/DOMAIN.md); 'priority' and the other roles
-- the same way.  The first rule of the variable (msp.report_rule, by
-- the role's position, then the rule's priority) that one of the
-- response's answers matches (msp.report_rule_matches) gives it; a rule
-- without a category gives the answer's value, as the report's derived
-- variables do (lib/report/report_data.c, DERIVED_CTE).  NULL when no
-- rule matches (« non classable ») or the instrument has no such role.
--
-- The one derivation of the stage (session 13): msp.report_has_mentions
-- and msp.report_has_people (--has by stage, --matrix stage), the
-- coding workspace's msp.coding_view_var, the analyst's --has
-- (lib/report/report_has.c) and the restitution of an invitation
-- (msp.invitation_open's '_stage') call it.  The report's own tables
-- derive every report variable at once, in aggregate, by the same rules
-- (DERIVED_CTE); check_report asserts both give the published Occitanie
-- stage counts.
--
-- Runs as its caller: Row-Level Security decides which answers it sees
-- (a team its own; a federation never calls it but through the SECURITY
-- DEFINER report functions, as the owner).
CREATE OR REPLACE FUNCTION msp.response_stage(p_response bigint,
    p_role text DEFAULT 'continuum') RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
BEGIN
    -- PL/pgSQL, not SQL: its plan is kept for the session, where a SQL
    -- function called from another function's body (msp.coding_view_var,
    -- once per answer of the workspace) was planned again at each call:
    -- /codage/.../donnees.json then took up to 1.3 s (ASan build,
    -- codingui.test, whose clicks raced the page's reloads and failed)
    RETURN (
        SELECT coalesce(ru.category, msp.report_answer_value(
                   a.choice_code, a.bool_value, a.num_value,
                   a.text_value))
          FROM msp.response r
          JOIN msp.study s ON s.study_id = r.study_id
          JOIN msp.instrument ins ON ins.instrument_id = s.instrument_id
          JOIN msp.report_role ro ON ro.instrument_slug = ins.slug
           AND ro.role = p_role
          JOIN msp.report_rule ru ON ru.instrument_slug = ins.slug
           AND ru.var_key = ro.var_key
          JOIN msp.answer a ON a.response_id = r.response_id
           AND a.item_key = ru.item_key
         WHERE r.response_id = p_response
           AND msp.report_rule_matches(ru.match_code, ru.num_min,
               ru.num_max, ru.years_before_study,
               msp.report_answer_value(a.choice_code, a.bool_value,
               a.num_value, a.text_value), a.num_value, s.year)
         ORDER BY ro.position, ru.priority
         LIMIT 1);
END
$$;
REVOKE ALL ON FUNCTION msp.response_stage(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.response_stage(bigint, text)
    TO msp_analyst, msp_team;
