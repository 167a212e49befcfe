CREATE OR REPLACE FUNCTION msp.api_submit_many(p_batch jsonb)
RETURNS TABLE (ord integer, response_id bigint, replayed boolean,
               same_request boolean, n_answers integer, refused text)
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_token text;
    v_kind msp.access_kind;
    v_team integer;
    v_ids bigint[];
    v_keys text[];
    v_instruments integer[];
    v_refused integer[];
BEGIN
    FOR v_token IN
        SELECT e ->> 'token' FROM jsonb_array_elements(p_batch) AS e
         GROUP BY 1
    LOOP
        -- The previous token's role may not call msp.enter.
        RESET ROLE;
        -- Looked up without raising: an unknown, revoked or federation
        -- token refuses its own submissions and no other.
        PERFORM set_config('msp.token', coalesce(v_token, ''), true);
        v_kind := msp.current_kind();
        IF v_kind IS NULL OR v_kind = 'federation' THEN
            PERFORM set_config('msp.token', '', true);
            RETURN QUERY
            SELECT b.ord, NULL::bigint, NULL::boolean, NULL::boolean,
                   NULL::integer,
                   CASE WHEN v_kind IS NULL THEN '28000' ELSE '42501' END
              FROM msp.api_batch_items(p_batch, v_token, NULL) b;
            CONTINUE;
        END IF;
        -- Raises only if the token was revoked since the line above:
        -- then the batch is refused and stored one by one, as before.
        v_kind := msp.enter(v_token);
        v_team := CASE WHEN v_kind = 'team'
                       THEN msp.current_structure_id() END;
        IF EXISTS (
            SELECT 1 FROM msp.api_batch_items(p_batch, v_token, v_team) b
             WHERE NOT EXISTS (SELECT 1 FROM msp.study s
                                WHERE s.study_id = b.study)) THEN
            -- The worker only sends studies it read from msp.study.
            RAISE EXCEPTION 'a submission of the batch names no study'
                USING ERRCODE = 'no_data_found';
        END IF;
        -- A submission outside its token's scope: refused alone.  Its
        -- key ('api:<structure>:...' or NULL) is never one of a
        -- submission in scope, so the "first" of the others is theirs.
        SELECT array_agg(b.ord) INTO v_refused
          FROM msp.api_batch_items(p_batch, v_token, v_team) b
         WHERE CASE WHEN v_team IS NULL THEN b.structure IS NULL
                    ELSE b.structure <> v_team END;
        v_refused := coalesce(v_refused, '{}');
        RETURN QUERY
        SELECT b.ord, NULL::bigint, NULL::boolean, NULL::boolean,
               NULL::integer,
               CASE WHEN v_team IS NULL THEN '22023' ELSE '42501' END
          FROM msp.api_batch_items(p_batch, v_token, v_team) b
         WHERE b.ord = ANY (v_refused);

        WITH stored AS (
            INSERT INTO msp.response AS r (study_id, instrument_id,
                structure_id, respondent_role, submitted_at, status,
                idempotency_key, request_sha256)
            SELECT b.study, s.instrument_id, coalesce(b.structure, v_team),
                   b.role, CASE WHEN b.complete THEN now() END,
                   CASE WHEN b.complete THEN 'complete' ELSE 'partial'
                   END::msp.response_status, b.k, b.request
              FROM msp.api_batch_items(p_batch, v_token, v_team) b
              JOIN msp.study s ON s.study_id = b.study
             WHERE b.first AND b.ord <> ALL (v_refused)
             ORDER BY b.ord
            ON CONFLICT (idempotency_key) DO NOTHING
            RETURNING r.response_id, r.idempotency_key, r.instrument_id)
        SELECT array_agg(stored.response_id),
               array_agg(stored.idempotency_key),
               array_agg(stored.instrument_id)
          INTO v_ids, v_keys, v_instruments
          FROM stored;

        -- A statement of its own: the answer policies look the new
        -- responses up, and a statement sees only what came before it.
        INSERT INTO msp.answer (response_id, instrument_id, item_key,
                                choice_code, num_value, text_value,
                                bool_value)
        SELECT n.id, n.instrument, a.k, a.c, a.n, a.t, a.b
          FROM unnest(v_ids, v_keys, v_instruments)
               AS n(id, k, instrument)
          JOIN msp.api_batch_items(p_batch, v_token, v_team) b
            ON b.k = n.k AND b.first
          CROSS JOIN LATERAL jsonb_to_recordset(b.answers)
               AS a(k text, c text, n numeric, t text, b boolean);

        -- Stored now: known without a lookup.
        RETURN QUERY
        SELECT b.ord, n.id, false, true, jsonb_array_length(b.answers),
               NULL::text
          FROM msp.api_batch_items(p_batch, v_token, v_team) b
          JOIN unnest(v_ids, v_keys) AS n(id, k) ON n.k = b.k
         WHERE b.first;
        -- Replayed (a key stored earlier, or earlier in this batch):
        -- looked up as msp.api_submit does.  A statement of its own, so
        -- that the lookup runs for these only.
        RETURN QUERY
        SELECT b.ord, r.response_id, true,
               r.request_sha256 IS NOT DISTINCT FROM b.request,
               (SELECT count(*)::integer FROM msp.answer a
                 WHERE a.response_id = r.response_id),
               NULL::text
          FROM msp.api_batch_items(p_batch, v_token, v_team) b
          JOIN msp.response r ON r.idempotency_key = b.k
         WHERE b.ord <> ALL (v_refused)
           AND NOT (b.first AND b.k = ANY (coalesce(v_keys, '{}')));
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION msp.api_submit_many(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.api_submit_many(jsonb) TO msp_app;
