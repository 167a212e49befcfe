-- POST /api/v1/responses.  A team token stores for its own structure;
-- an analyst names the structure; a federation cannot submit.  The
-- Idempotency-Key is scoped to the structure, so two teams never
-- collide.  On a replay, nothing is stored and the first response is
-- returned, with same_request telling whether the body was the same.
CREATE OR REPLACE FUNCTION msp.api_submit(
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
