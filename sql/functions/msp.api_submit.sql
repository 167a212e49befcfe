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

    SELECT i.response_id, i.replayed, i.same_request
      INTO response_id, replayed, same_request
      FROM msp.insert_or_replay(ARRAY[ROW(p_study, v_instrument,
               v_structure, p_role, NULL,
               CASE WHEN p_complete THEN now() END,
               CASE WHEN p_complete THEN 'complete' ELSE 'partial'
               END::msp.response_status, v_key, p_request,
               NULL)::msp.new_response]) i;
    IF replayed THEN
        SELECT count(*)::integer INTO n_answers
          FROM msp.answer a WHERE a.response_id = api_submit.response_id;
        RETURN;
    END IF;
    n_answers := msp.store_answers(response_id, v_instrument, p_answers);
END
$$;
REVOKE ALL ON FUNCTION msp.api_submit(text, integer, text, bytea,
    msp.respondent_role, boolean, integer, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.api_submit(text, integer, text, bytea,
    msp.respondent_role, boolean, integer, jsonb) TO msp_app;
