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
