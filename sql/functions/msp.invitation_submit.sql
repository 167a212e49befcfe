-- A save or a submission through a personal invitation link: the
-- structure is the one the link names (p_invitation: the SHA-256 of
-- its code), never one typed.  One response per structure and study
-- through links, under the idempotency key 'invitation:STUDY:STRUCTURE':
--   - the first POST stores it (partial on a save, complete on submit);
--   - a later save replaces the draft's answers;
--   - a later submit replaces the answers and completes it, or, when it
--     is complete already, UPDATEs it with what was sent (submitted_at
--     is the new sending's): the audit trail (msp_audit.log, actor
--     'invitation') keeps the rows as they were;
--   - the very same submission sent again (a double click) is replayed;
--   - a save sent to a complete response is refused (MSPF3): it would
--     put a draft's answers under a complete status.
-- p_mode: 'telephone' when an interviewer entered the answers during a
-- telephone interview, else 'self'; kept on the response.
-- Raises MSPI1 when the link names no frame row of this study.  A
-- closed study refuses through msp.study_accepts_response (MSPS1/2).
CREATE OR REPLACE FUNCTION msp.invitation_submit(
    p_study integer, p_invitation bytea, p_role msp.respondent_role,
    p_complete boolean, p_answers jsonb, p_mode msp.response_mode,
    OUT response_id bigint, OUT replayed boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_instrument integer;
    v_structure integer;
    v_key text;
    v_request bytea;
    v_status msp.response_status;
    v_stored_request bytea;
    v_attempt integer;
BEGIN
    PERFORM set_config('msp.actor', 'invitation', true);
    SELECT s.instrument_id INTO v_instrument
      FROM msp.study s WHERE s.study_id = p_study;
    SELECT p.structure_id INTO v_structure
      FROM msp.population p
     WHERE p.study_id = p_study AND p.invitation_sha256 = p_invitation;
    IF v_instrument IS NULL OR v_structure IS NULL THEN
        RAISE EXCEPTION 'no invitation of this study has this link'
            USING ERRCODE = 'MSPI1';
    END IF;
    replayed := false;
    v_key := 'invitation:' || p_study || ':' || v_structure;
    v_request := sha256(convert_to(concat_ws(E'\n', p_study::text,
        v_structure::text, coalesce(p_role::text, '-'),
        p_complete::text, p_mode::text, p_answers::text), 'UTF8'));

    -- Twice at most: an insert that loses a race with the same link's
    -- first POST waits for it, then goes round and finds that row.
    FOR v_attempt IN 1 .. 2 LOOP
        SELECT r.response_id, r.status, r.request_sha256
          INTO response_id, v_status, v_stored_request
          FROM msp.response r
         WHERE r.idempotency_key = v_key FOR UPDATE;
        IF response_id IS NOT NULL THEN
            IF v_status = 'complete' THEN
                IF NOT p_complete THEN
                    RAISE EXCEPTION 'this response was already sent'
                        USING ERRCODE = 'MSPF3';
                END IF;
                IF v_stored_request = v_request THEN
                    replayed := true;
                    RETURN;
                END IF;
            END IF;
            DELETE FROM msp.answer a
             WHERE a.response_id = invitation_submit.response_id;
            UPDATE msp.response r
               SET respondent_role = p_role,
                   status = CASE WHEN p_complete THEN 'complete'
                            ELSE 'partial' END::msp.response_status,
                   submitted_at = CASE WHEN p_complete THEN now() END,
                   request_sha256 = v_request,
                   mode = p_mode
             WHERE r.response_id = invitation_submit.response_id;
            PERFORM msp.store_answers(response_id, v_instrument,
                                      p_answers);
            RETURN;
        END IF;
        SELECT i.response_id INTO response_id
          FROM msp.insert_or_replay(ARRAY[ROW(p_study, v_instrument,
                   v_structure, p_role, NULL,
                   CASE WHEN p_complete THEN now() END,
                   CASE WHEN p_complete THEN 'complete' ELSE 'partial'
                   END::msp.response_status, v_key, v_request, NULL
                   )::msp.new_response]) i
         WHERE NOT i.replayed;
        IF response_id IS NOT NULL THEN
            -- msp.new_response has no mode: the table's default, then
            -- this one
            IF p_mode <> 'self' THEN
                UPDATE msp.response r SET mode = p_mode
                 WHERE r.response_id = invitation_submit.response_id;
            END IF;
            PERFORM msp.store_answers(response_id, v_instrument,
                                      p_answers);
            RETURN;
        END IF;
    END LOOP;
    RAISE EXCEPTION 'this invitation link is in use'
        USING ERRCODE = 'MSPI1';
END
$$;
REVOKE ALL ON FUNCTION msp.invitation_submit(integer, bytea,
    msp.respondent_role, boolean, jsonb, msp.response_mode) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.invitation_submit(integer, bytea,
    msp.respondent_role, boolean, jsonb, msp.response_mode) TO msp_app;
