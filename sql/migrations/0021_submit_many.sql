-- Several API submissions stored in one call.
--
-- A submission's database work is mostly paid per statement, not per
-- row: entering the token, the function call, and above all the
-- statement-level triggers (audit, running totals, the report-cache
-- stamp), each of which runs its own INSERT ... SELECT.  A worker that
-- holds several submissions at once (msp-fcgi takes every request
-- waiting on its socket) stores them with this function: one
-- transaction, one commit, and per token one INSERT of responses and
-- one of answers, so every trigger fires once for all of them.
--
-- Nothing is weaker than with msp.api_submit: each token is entered in
-- turn (msp.enter), so the same Row-Level Security policies, foreign
-- keys, answer checks, audit rows and totals apply, in the acknowledging
-- transaction.  Any refusal raises and stores nothing for the whole
-- batch; the worker then stores each submission alone with
-- msp.api_submit, which gives each its own answer.  The results are
-- those msp.api_submit would have given the submissions one after the
-- other in the batch's order: a key repeated in the batch is stored
-- once, and the later ones are replays of it.
--
-- p_batch: [{"token", "study", "key", "request" (hex SHA-256 or null),
--            "role" (or null), "complete", "structure" (or null),
--            "answers" (as msp.store_answers reads them)}, ...]
-- ord: the submission's place in p_batch, from 1.
-- The submissions of p_batch that carry p_token, in their order, with
-- the Idempotency-Key as stored (scoped to the structure: p_team for a
-- team token).  first: the key's first submission in the batch, the one
-- that stores it; a later one with the same key replays it, as it would
-- one call later.
CREATE FUNCTION msp.api_batch_items(p_batch jsonb, p_token text,
                                    p_team integer)
RETURNS TABLE (ord integer, k text, study integer, request bytea,
               role msp.respondent_role, complete boolean,
               structure integer, answers jsonb, first boolean)
LANGUAGE sql IMMUTABLE AS $$
    SELECT i.*, i.ord = pg_catalog.min(i.ord) OVER (PARTITION BY i.k)
      FROM (SELECT e.ord::integer AS ord,
                   'api:' || coalesce((e.j ->> 'structure')::integer,
                                      p_team)
                          || ':' || (e.j ->> 'key') AS k,
                   (e.j ->> 'study')::integer,
                   pg_catalog.decode(e.j ->> 'request', 'hex'),
                   (e.j ->> 'role')::msp.respondent_role,
                   (e.j ->> 'complete')::boolean,
                   (e.j ->> 'structure')::integer,
                   e.j -> 'answers'
              FROM pg_catalog.jsonb_array_elements(p_batch)
                   WITH ORDINALITY AS e(j, ord)
             WHERE e.j ->> 'token' = p_token) i
$$;
REVOKE ALL ON FUNCTION msp.api_batch_items(jsonb, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.api_batch_items(jsonb, text, integer)
    TO msp_app, msp_team, msp_analyst;

CREATE FUNCTION msp.api_submit_many(p_batch jsonb)
RETURNS TABLE (ord integer, response_id bigint, replayed boolean,
               same_request boolean, n_answers integer)
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_token text;
    v_kind msp.access_kind;
    v_team integer;
    v_ids bigint[];
    v_keys text[];
    v_instruments integer[];
BEGIN
    FOR v_token IN
        SELECT e ->> 'token' FROM jsonb_array_elements(p_batch) AS e
         GROUP BY 1
    LOOP
        -- The previous token's role may not call msp.enter.
        RESET ROLE;
        v_kind := msp.enter(v_token);
        IF v_kind = 'federation' THEN
            RAISE EXCEPTION 'a federation token cannot submit responses'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        v_team := CASE WHEN v_kind = 'team'
                       THEN msp.current_structure_id() END;
        IF EXISTS (
            SELECT 1 FROM msp.api_batch_items(p_batch, v_token, v_team) b
             WHERE CASE WHEN v_team IS NULL THEN b.structure IS NULL
                        ELSE b.structure <> v_team END
                OR NOT EXISTS (SELECT 1 FROM msp.study s
                                WHERE s.study_id = b.study)) THEN
            RAISE EXCEPTION 'a submission of the batch names no study or '
                'a structure its token may not submit for'
                USING ERRCODE = 'insufficient_privilege';
        END IF;

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
             WHERE b.first
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
        SELECT b.ord, n.id, false, true, jsonb_array_length(b.answers)
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
                 WHERE a.response_id = r.response_id)
          FROM msp.api_batch_items(p_batch, v_token, v_team) b
          JOIN msp.response r ON r.idempotency_key = b.k
         WHERE NOT (b.first AND b.k = ANY (coalesce(v_keys, '{}')));
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION msp.api_submit_many(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.api_submit_many(jsonb) TO msp_app;
