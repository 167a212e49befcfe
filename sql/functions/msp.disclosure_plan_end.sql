-- Ends a protection run: revokes its transient federation token
-- (p_token, as msp.disclosure_plan_begin got it: it never serves
-- again, whatever happens next) and, when the run ended (p_complete:
-- the audit passed, or no more hiding helps: p_fails_after figures
-- still fail), marks the plan complete with the hidden figures' counts
-- before and after.  A run that broke off (an error, the round cap)
-- leaves the plan incomplete: the study's federation reports are
-- refused until a run ends.  Only the run the plan's state names may
-- end it: a run another one has taken over from (begun after it) is
-- refused, and the plan stays the later run's.  An analyst token or
-- the owner only.
CREATE OR REPLACE FUNCTION msp.disclosure_plan_end(p_study integer,
                                                   p_token text,
                                                   p_complete boolean,
                                                   p_hidden_before integer,
                                                   p_hidden_after integer,
                                                   p_fails_after integer)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_sha bytea := decode(p_token, 'hex');
BEGIN
    PERFORM msp.require_fieldwork_manager();
    UPDATE msp.access_token SET revoked_at = now()
     WHERE token_sha256 = v_sha AND revoked_at IS NULL;
    UPDATE msp.disclosure_plan_state
       SET protect_token = NULL, complete = p_complete,
           hidden_before = p_hidden_before, hidden_after = p_hidden_after,
           fails_after = p_fails_after, made_at = now()
     WHERE study_id = p_study AND protect_token = v_sha;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'étude % : une autre protection a pris la suite '
            'de celle-ci ; son plan n''est pas enregistré', p_study
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
END
$$;
REVOKE ALL ON FUNCTION msp.disclosure_plan_end(integer, text, boolean,
                                               integer, integer, integer)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.disclosure_plan_end(integer, text, boolean,
                                                  integer, integer, integer)
    TO msp_analyst;
