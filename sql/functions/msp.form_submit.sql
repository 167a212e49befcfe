-- The public form.  Whoever has the form may answer it, so there is no
-- token: the structure is known by the pseudonym the worker derived
-- from what the person typed (HMAC under the server secret), and
-- created in the study's region the first time.  This function is the
-- form's only door into the tables; it can only add a response or
-- complete the partial response its resume hash names.
--   p_resume: hash of the private resume link (NULL: none asked for).
CREATE OR REPLACE FUNCTION msp.form_submit(
    p_study integer, p_pseudonym text, p_key text, p_resume bytea,
    p_role msp.respondent_role, p_complete boolean, p_answers jsonb,
    OUT response_id bigint, OUT replayed boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_instrument integer;
    v_region smallint;
    v_structure integer;
    v_key text := 'form:' || p_key;
    v_request bytea;
    v_id bigint;
    v_id_study integer;
    v_status msp.response_status;
    v_stored_request bytea;
    v_stored_resume bytea;
    v_attempt integer;
BEGIN
    PERFORM set_config('msp.actor', 'form', true);
    SELECT s.instrument_id, s.region_id INTO v_instrument, v_region
      FROM msp.study s WHERE s.study_id = p_study;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no study %', p_study USING ERRCODE = 'no_data_found';
    END IF;
    replayed := false;
    -- What was sent, to tell a double click from a changed form.  jsonb
    -- prints its keys in one order, so equal answers print alike.
    v_request := sha256(convert_to(concat_ws(E'\n', p_study::text,
        coalesce(p_pseudonym, '-'), coalesce(p_role::text, '-'),
        p_complete::text, p_answers::text), 'UTF8'));

    IF p_pseudonym IS NOT NULL THEN
        INSERT INTO msp.structure (pseudonym, region_id)
        VALUES (p_pseudonym, v_region) ON CONFLICT (pseudonym) DO NOTHING;
        SELECT s.structure_id INTO v_structure
          FROM msp.structure s WHERE s.pseudonym = p_pseudonym;
    END IF;

    -- Twice at most: an insert that loses a race with the same key's
    -- first POST (ON CONFLICT DO NOTHING waits for it) goes round again
    -- and finds that row.
    FOR v_attempt IN 1 .. 2 LOOP
        v_id := NULL;
        IF p_resume IS NOT NULL THEN
            SELECT r.response_id, r.study_id, r.status, r.request_sha256,
                   r.resume_sha256
              INTO v_id, v_id_study, v_status, v_stored_request,
                   v_stored_resume
              FROM msp.response r
             WHERE r.resume_sha256 = p_resume FOR UPDATE;
        END IF;
        IF v_id IS NULL THEN
            IF p_pseudonym IS NULL THEN
                -- resuming (no structure typed): the link must name a
                -- draft of this study
                RAISE EXCEPTION 'no saved response has this resume link'
                    USING ERRCODE = 'MSPF2';
            END IF;
            SELECT r.response_id, r.study_id, r.status, r.request_sha256,
                   r.resume_sha256
              INTO v_id, v_id_study, v_status, v_stored_request,
                   v_stored_resume
              FROM msp.response r
             WHERE r.idempotency_key = v_key FOR UPDATE;
        END IF;

        IF v_id IS NOT NULL THEN
            IF v_id_study <> p_study THEN
                IF p_pseudonym IS NULL THEN
                    RAISE EXCEPTION 'no saved response has this resume link'
                        USING ERRCODE = 'MSPF2';
                END IF;
                RAISE EXCEPTION 'this form key belongs to another study'
                    USING ERRCODE = 'MSPF1';
            END IF;
            response_id := v_id;
            IF v_status = 'complete' THEN
                IF p_complete AND v_stored_request = v_request THEN
                    replayed := true;   -- the same form sent again
                    RETURN;
                END IF;
                RAISE EXCEPTION 'this response was already sent'
                    USING ERRCODE = 'MSPF3';
            END IF;
            IF NOT p_complete
               AND v_stored_resume IS DISTINCT FROM p_resume THEN
                RAISE EXCEPTION 'this draft was saved with another link'
                    USING ERRCODE = 'MSPF4';
            END IF;
            -- the draft: replaced by what was sent, completed on submit
            DELETE FROM msp.answer a
             WHERE a.response_id = form_submit.response_id;
            UPDATE msp.response r
               SET respondent_role = p_role,
                   structure_id = coalesce(v_structure, r.structure_id),
                   status = CASE WHEN p_complete THEN 'complete'
                            ELSE 'partial' END::msp.response_status,
                   submitted_at = CASE WHEN p_complete THEN now() END,
                   request_sha256 = v_request
             WHERE r.response_id = form_submit.response_id;
            PERFORM msp.store_answers(response_id, v_instrument, p_answers);
            RETURN;
        END IF;

        -- A replay is the lookup above's to judge, on the next round.
        SELECT i.response_id INTO response_id
          FROM msp.insert_or_replay(ARRAY[ROW(p_study, v_instrument,
                   v_structure, p_role, NULL,
                   CASE WHEN p_complete THEN now() END,
                   CASE WHEN p_complete THEN 'complete' ELSE 'partial'
                   END::msp.response_status, v_key, v_request,
                   CASE WHEN p_complete THEN NULL ELSE p_resume END
                   )::msp.new_response]) i
         WHERE NOT i.replayed;
        IF response_id IS NOT NULL THEN
            PERFORM msp.store_answers(response_id, v_instrument, p_answers);
            RETURN;
        END IF;
    END LOOP;
    RAISE EXCEPTION 'this form key is in use'
        USING ERRCODE = 'MSPF1';
END
$$;
REVOKE ALL ON FUNCTION msp.form_submit(integer, text, text, bytea,
    msp.respondent_role, boolean, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.form_submit(integer, text, text, bytea,
    msp.respondent_role, boolean, jsonb) TO msp_app;
