-- Ends a protection run: revokes its transient federation token (it
-- never serves again) and, when the run ended (p_complete: the audit
-- passed, or no more hiding helps: p_fails_after figures still fail),
-- marks the plan complete with the hidden figures' counts before and
-- after.  A run that broke off (an error, the round cap) leaves the
-- plan incomplete: the study's federation reports are refused until a
-- run ends.  An analyst token or the owner only.
CREATE OR REPLACE FUNCTION msp.disclosure_plan_end(p_study integer,
                                                   p_complete boolean,
                                                   p_hidden_before integer,
                                                   p_hidden_after integer,
                                                   p_fails_after integer)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_sha bytea;
BEGIN
    PERFORM msp.require_fieldwork_manager();
    SELECT d.protect_token INTO v_sha FROM msp.disclosure_plan_state d
     WHERE d.study_id = p_study;
    IF v_sha IS NOT NULL THEN
        UPDATE msp.access_token SET revoked_at = now()
         WHERE token_sha256 = v_sha AND revoked_at IS NULL;
    END IF;
    UPDATE msp.disclosure_plan_state
       SET protect_token = NULL, complete = p_complete,
           hidden_before = p_hidden_before, hidden_after = p_hidden_after,
           fails_after = p_fails_after, made_at = now()
     WHERE study_id = p_study;
END
$$;
REVOKE ALL ON FUNCTION msp.disclosure_plan_end(integer, boolean, integer,
                                               integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.disclosure_plan_end(integer, boolean, integer,
                                                  integer, integer) TO msp_analyst;
