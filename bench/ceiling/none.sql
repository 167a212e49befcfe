-- bench/ceiling.sh's "none" stand-in for msp.api_submit_many: stores
-- nothing and answers as if it had stored everything (one read-only
-- round trip per call, no commit to wait for).
CREATE OR REPLACE FUNCTION msp.api_submit_many(p_batch jsonb)
RETURNS TABLE (ord integer, response_id bigint, replayed boolean,
               same_request boolean, n_answers integer, refused text)
LANGUAGE sql AS $$
    SELECT e.ord::integer, e.ord, false, true,
           pg_catalog.jsonb_array_length(e.j -> 'answers'), NULL::text
      FROM pg_catalog.jsonb_array_elements(p_batch)
           WITH ORDINALITY AS e(j, ord)
$$;
