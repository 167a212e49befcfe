-- Storing a submission in one round trip.
--
-- The worker validates a submission against the instrument in C, then
-- calls one function: the API with the caller's bearer token, the public
-- form with the structure's pseudonym.  Each function stores the
-- response and its answers in the statement's own transaction, so a
-- failure stores nothing; the answer trigger and the foreign keys of
-- 0003 check everything again.

-- What the client sent (SHA-256 of the body), to tell a retry from a
-- different request reusing an Idempotency-Key; and the hash of a
-- form's private resume link.
ALTER TABLE msp.response
    ADD COLUMN request_sha256 bytea CHECK (length(request_sha256) = 32),
    ADD COLUMN resume_sha256 bytea UNIQUE CHECK (length(resume_sha256) = 32);

-- answers: [{"k": item, "c": code | "n": "12.5" | "t": text | "b": bool}]
-- Runs with the caller's rights: under a tenant role, RLS applies.
CREATE FUNCTION msp.store_answers(p_response bigint, p_instrument integer,
                                  p_answers jsonb) RETURNS integer
LANGUAGE sql SET search_path = pg_catalog AS $$
    WITH stored AS (
        INSERT INTO msp.answer (response_id, instrument_id, item_key,
                                choice_code, num_value, text_value,
                                bool_value)
        SELECT p_response, p_instrument, a.k, a.c, a.n, a.t, a.b
          FROM jsonb_to_recordset(p_answers)
               AS a(k text, c text, n numeric, t text, b boolean)
        RETURNING 1)
    SELECT count(*)::integer FROM stored
$$;

-- POST /api/v1/responses.  A team token stores for its own structure;
-- an analyst names the structure; a federation cannot submit.  The
-- Idempotency-Key is scoped to the structure, so two teams never
-- collide.  On a replay, nothing is stored and the first response is
-- returned, with same_request telling whether the body was the same.
CREATE FUNCTION msp.api_submit(
    p_token text, p_study integer, p_key text, p_request bytea,
    p_role msp.respondent_role, p_complete boolean, p_structure integer,
    p_answers jsonb,
    OUT response_id bigint, OUT replayed boolean, OUT same_request boolean,
    OUT n_answers integer)
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_kind msp.access_kind;
    v_instrument integer;
    v_structure integer;
    v_key text;
BEGIN
    v_kind := msp.enter(p_token);
    IF v_kind = 'federation' THEN
        RAISE EXCEPTION 'a federation token cannot submit responses'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF v_kind = 'team' THEN
        v_structure := msp.current_structure_id();
        IF p_structure IS NOT NULL AND p_structure <> v_structure THEN
            RAISE EXCEPTION 'a team token submits for its own structure'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    ELSE
        v_structure := p_structure;
        IF v_structure IS NULL THEN
            RAISE EXCEPTION 'structure_id is required with an analyst token'
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END IF;
    SELECT s.instrument_id INTO v_instrument
      FROM msp.study s WHERE s.study_id = p_study;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no study %', p_study USING ERRCODE = 'no_data_found';
    END IF;
    v_key := 'api:' || v_structure || ':' || p_key;

    INSERT INTO msp.response AS r (study_id, instrument_id, structure_id,
        respondent_role, submitted_at, status, idempotency_key,
        request_sha256)
    VALUES (p_study, v_instrument, v_structure, p_role,
        CASE WHEN p_complete THEN now() END,
        CASE WHEN p_complete THEN 'complete' ELSE 'partial'
        END::msp.response_status, v_key, p_request)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING r.response_id INTO response_id;

    IF response_id IS NULL THEN
        SELECT r.response_id, r.request_sha256 IS NOT DISTINCT FROM p_request
          INTO response_id, same_request
          FROM msp.response r WHERE r.idempotency_key = v_key;
        SELECT count(*)::integer INTO n_answers
          FROM msp.answer a WHERE a.response_id = api_submit.response_id;
        replayed := true;
        RETURN;
    END IF;
    replayed := false;
    same_request := true;
    n_answers := msp.store_answers(response_id, v_instrument, p_answers);
END
$$;
REVOKE ALL ON FUNCTION msp.api_submit(text, integer, text, bytea,
    msp.respondent_role, boolean, integer, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.api_submit(text, integer, text, bytea,
    msp.respondent_role, boolean, integer, jsonb) TO msp_app;

-- The public form.  Whoever has the form may answer it, so there is no
-- token: the structure is known by the pseudonym the worker derived
-- from what the person typed (HMAC under the server secret), and
-- created in the study's region the first time.  This function is the
-- form's only door into the tables; it can only add a response or
-- complete the partial response its resume hash names.
--   p_resume: hash of the private resume link (NULL: none asked for).
CREATE FUNCTION msp.form_submit(
    p_study integer, p_pseudonym text, p_key text, p_resume bytea,
    p_role msp.respondent_role, p_complete boolean, p_answers jsonb,
    OUT response_id bigint, OUT replayed boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_instrument integer;
    v_region smallint;
    v_structure integer;
    v_status msp.response_status;
BEGIN
    PERFORM set_config('msp.actor', 'form', true);
    SELECT s.instrument_id, s.region_id INTO v_instrument, v_region
      FROM msp.study s WHERE s.study_id = p_study;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no study %', p_study USING ERRCODE = 'no_data_found';
    END IF;
    replayed := false;

    -- Resuming: the response the link names, if it is this study's.
    IF p_resume IS NOT NULL THEN
        SELECT r.response_id, r.status INTO response_id, v_status
          FROM msp.response r
         WHERE r.resume_sha256 = p_resume AND r.study_id = p_study
           FOR UPDATE;
        IF FOUND THEN
            IF v_status = 'complete' THEN
                replayed := true;      -- sent twice: nothing to change
                RETURN;
            END IF;
            DELETE FROM msp.answer a WHERE a.response_id = form_submit.response_id;
            UPDATE msp.response r
               SET respondent_role = p_role,
                   status = CASE WHEN p_complete THEN 'complete'
                            ELSE 'partial' END::msp.response_status,
                   submitted_at = CASE WHEN p_complete THEN now() END
             WHERE r.response_id = form_submit.response_id;
            PERFORM msp.store_answers(response_id, v_instrument, p_answers);
            RETURN;
        END IF;
    END IF;

    IF p_pseudonym IS NULL THEN
        RAISE EXCEPTION 'the structure is required'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO msp.structure (pseudonym, region_id)
    VALUES (p_pseudonym, v_region) ON CONFLICT (pseudonym) DO NOTHING;
    SELECT s.structure_id INTO v_structure
      FROM msp.structure s WHERE s.pseudonym = p_pseudonym;

    INSERT INTO msp.response AS r (study_id, instrument_id, structure_id,
        respondent_role, submitted_at, status, idempotency_key,
        resume_sha256)
    VALUES (p_study, v_instrument, v_structure, p_role,
        CASE WHEN p_complete THEN now() END,
        CASE WHEN p_complete THEN 'complete' ELSE 'partial'
        END::msp.response_status, 'form:' || p_key, p_resume)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING r.response_id INTO response_id;
    IF response_id IS NULL THEN
        -- the same form sent twice (a double click, a reload)
        SELECT r.response_id INTO response_id
          FROM msp.response r WHERE r.idempotency_key = 'form:' || p_key;
        replayed := true;
        RETURN;
    END IF;
    PERFORM msp.store_answers(response_id, v_instrument, p_answers);
END
$$;
REVOKE ALL ON FUNCTION msp.form_submit(integer, text, text, bytea,
    msp.respondent_role, boolean, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.form_submit(integer, text, text, bytea,
    msp.respondent_role, boolean, jsonb) TO msp_app;

-- The answers of the partial response a resume link names, to show the
-- form again as it was left.  Nothing else is reachable with the link.
CREATE FUNCTION msp.form_resume(p_study integer, p_resume bytea)
RETURNS TABLE (item_key text, value text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT a.item_key,
           coalesce(a.choice_code, a.num_value::text, a.text_value,
                    CASE a.bool_value WHEN true THEN 'oui'
                                      WHEN false THEN 'non' END)
      FROM msp.response r
      JOIN msp.answer a ON a.response_id = r.response_id
     WHERE r.resume_sha256 = p_resume AND r.study_id = p_study
       AND r.status = 'partial'
     ORDER BY a.answer_id
$$;
REVOKE ALL ON FUNCTION msp.form_resume(integer, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.form_resume(integer, bytea) TO msp_app;

-- POST /api/v1/interviews: an analyst records an interview and its coded
-- segments in one call.  doc carries the interview's fields and
-- "segments": [{"code": ..., "verbatim_fr": ...}]; the constraints of
-- 0004 (consent, known codes of the study, lengths) decide validity.
CREATE FUNCTION msp.api_interview(p_token text, p_study integer,
                                  p_doc jsonb,
                                  OUT interview_id integer,
                                  OUT n_segments integer)
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    IF msp.enter(p_token) <> 'analyst' THEN
        RAISE EXCEPTION 'only an analyst token records interviews'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO msp.interview AS i (study_id, participant_no, structure_id,
        profession, stage, interviewed_on, duration_min, consent_recorded,
        recording_deleted_on, transcript_anonymised)
    SELECT p_study, d.participant_no, d.structure_id, d.profession, d.stage,
           d.interviewed_on, d.duration_min, d.consent_recorded,
           d.recording_deleted_on, coalesce(d.transcript_anonymised, false)
      FROM jsonb_to_record(p_doc) AS d(participant_no smallint,
           structure_id integer, profession text, stage text,
           interviewed_on date, duration_min smallint,
           consent_recorded boolean, recording_deleted_on date,
           transcript_anonymised boolean)
    RETURNING i.interview_id INTO interview_id;
    WITH stored AS (
        INSERT INTO msp.segment (interview_id, study_id, code, verbatim_fr)
        SELECT api_interview.interview_id, p_study, s.code, s.verbatim_fr
          FROM jsonb_to_recordset(coalesce(p_doc -> 'segments', '[]'))
               AS s(code text, verbatim_fr text)
        RETURNING 1)
    SELECT count(*)::integer INTO n_segments FROM stored;
END
$$;
REVOKE ALL ON FUNCTION msp.api_interview(text, integer, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.api_interview(text, integer, jsonb) TO msp_app;
