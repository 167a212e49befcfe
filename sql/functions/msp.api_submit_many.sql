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
-- transaction.  A submission whose token is unknown, revoked or a
-- federation's, or that names a structure its token may not submit
-- for, is refused alone: its row carries the SQLSTATE msp.api_submit
-- would have raised in "refused" (0026).  Any other refusal (a
-- constraint, an answer check) raises and stores nothing for the whole
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
CREATE OR REPLACE FUNCTION msp.api_submit_many(p_batch jsonb)
RETURNS TABLE (ord integer, response_id bigint, replayed boolean,
               same_request boolean, n_answers integer, refused text)
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_token text;
    v_kind msp.access_kind;
    v_team integer;
    v_refused integer[];
    v_ords integer[];
    v_instruments integer[];
    v_rows msp.new_response[];
    v_pos integer[];
    v_ids bigint[];
    v_replayed boolean[];
    v_same boolean[];
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

        -- The token's submissions in scope, in the batch's order: one
        -- call stores them all (one INSERT, so every trigger fires once
        -- for all of them), or finds what their keys stored; a key
        -- repeated in the batch is stored once, and the later ones
        -- replay it.  The call's row i is the batch's v_ords[i].
        SELECT array_agg(b.ord ORDER BY b.ord),
               array_agg(s.instrument_id ORDER BY b.ord),
               array_agg(ROW(b.study, s.instrument_id,
                   coalesce(b.structure, v_team), b.role, NULL,
                   CASE WHEN b.complete THEN now() END,
                   CASE WHEN b.complete THEN 'complete' ELSE 'partial'
                   END::msp.response_status, b.k, b.request,
                   NULL)::msp.new_response ORDER BY b.ord)
          INTO v_ords, v_instruments, v_rows
          FROM msp.api_batch_items(p_batch, v_token, v_team) b
          JOIN msp.study s ON s.study_id = b.study
         WHERE b.ord <> ALL (v_refused);
        SELECT array_agg(i.ord), array_agg(i.response_id),
               array_agg(i.replayed), array_agg(i.same_request)
          INTO v_pos, v_ids, v_replayed, v_same
          FROM msp.insert_or_replay(v_rows) i;

        -- A statement of its own: the answer policies look the new
        -- responses up, and a statement sees only what came before it.
        INSERT INTO msp.answer (response_id, instrument_id, item_key,
                                choice_code, num_value, text_value,
                                bool_value)
        SELECT n.id, v_instruments[n.pos], a.k, a.c, a.n, a.t, a.b
          FROM unnest(v_pos, v_ids, v_replayed) AS n(pos, id, replayed)
          JOIN msp.api_batch_items(p_batch, v_token, v_team) b
            ON b.ord = v_ords[n.pos]
          CROSS JOIN LATERAL jsonb_to_recordset(b.answers)
               AS a(k text, c text, n numeric, t text, b boolean)
         WHERE NOT n.replayed;

        -- A stored submission's answers are known without a lookup; a
        -- replayed one's are counted, as msp.api_submit does.
        RETURN QUERY
        SELECT b.ord, n.id, n.replayed, n.same,
               CASE WHEN n.replayed
                    THEN (SELECT count(*)::integer FROM msp.answer a
                           WHERE a.response_id = n.id)
                    ELSE jsonb_array_length(b.answers) END,
               NULL::text
          FROM unnest(v_pos, v_ids, v_replayed, v_same)
               AS n(pos, id, replayed, same)
          JOIN msp.api_batch_items(p_batch, v_token, v_team) b
            ON b.ord = v_ords[n.pos];
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION msp.api_submit_many(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.api_submit_many(jsonb) TO msp_app;
