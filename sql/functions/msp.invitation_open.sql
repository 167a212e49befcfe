-- What a personal invitation link opens: the structure's response to
-- the study as it was left, to show it again.  First '_status' (the
-- response's status, NULL when none yet), '_mode', '_role', '_stage'
-- (its stage on the continuum, msp.response_stage: for the restitution
-- page of fcgi/restitution.c; NULL when not placed), then the answers,
-- as msp.form_resume gives them.  No row at all: the link
-- names no frame row of this study (unknown, or of another study).
-- Records the first opening for the fieldwork monitor.  The link's
-- code itself never reaches the database: p_invitation is its SHA-256.
CREATE OR REPLACE FUNCTION msp.invitation_open(p_study integer,
                                               p_invitation bytea)
RETURNS TABLE (item_key text, value text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_structure integer;
BEGIN
    UPDATE msp.population p
       SET invitation_opened_at = coalesce(p.invitation_opened_at, now())
     WHERE p.study_id = p_study AND p.invitation_sha256 = p_invitation
    RETURNING p.structure_id INTO v_structure;
    IF v_structure IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
    WITH mine AS (
        SELECT r.response_id, r.status, r.respondent_role, r.mode
          FROM msp.response r
         WHERE r.idempotency_key =
               'invitation:' || p_study || ':' || v_structure)
    SELECT k, v FROM (
        SELECT 0 AS ord, 0::bigint AS id, '_status'::text AS k,
               (SELECT m.status::text FROM mine m) AS v
        UNION ALL
        SELECT 1, 0, '_mode', (SELECT m.mode::text FROM mine m)
        UNION ALL
        SELECT 1, 1, '_role', (SELECT m.respondent_role::text FROM mine m)
        UNION ALL
        SELECT 1, 2, '_stage', (SELECT msp.response_stage(m.response_id)
                                  FROM mine m)
        UNION ALL
        SELECT 2, a.answer_id, a.item_key,
               coalesce(a.choice_code, a.num_value::text, a.text_value,
                        CASE a.bool_value WHEN true THEN 'oui'
                                          WHEN false THEN 'non' END)
          FROM mine m JOIN msp.answer a ON a.response_id = m.response_id
    ) rows
     ORDER BY ord, id;
END
$$;
REVOKE ALL ON FUNCTION msp.invitation_open(integer, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.invitation_open(integer, bytea) TO msp_app;
