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
CREATE OR REPLACE FUNCTION msp.api_batch_items(p_batch jsonb, p_token text,
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
