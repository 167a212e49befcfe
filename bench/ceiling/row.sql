-- bench/ceiling.sh's "row" stand-in for msp.api_submit_many: checks each
-- token as the real one does (msp.enter), stores each submission as one
-- JSON row of public.bench_inbox under a unique key, and nothing else.
-- The "staged" variant is this file with public.bench_staged instead.
CREATE OR REPLACE FUNCTION msp.api_submit_many(p_batch jsonb)
RETURNS TABLE (ord integer, response_id bigint, replayed boolean,
               same_request boolean, n_answers integer, refused text)
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_token text;
BEGIN
    FOR v_token IN
        SELECT DISTINCT e.j ->> 'token'
          FROM jsonb_array_elements(p_batch) AS e(j)
    LOOP
        RESET ROLE;     -- the previous token's role may not enter
        PERFORM msp.enter(v_token);
        RETURN QUERY
        WITH stored AS (
            INSERT INTO public.bench_inbox (k, body)
            SELECT e.j ->> 'key', e.j - 'token'
              FROM jsonb_array_elements(p_batch) AS e(j)
             WHERE e.j ->> 'token' = v_token
            ON CONFLICT (k) DO NOTHING
            RETURNING id, k)
        SELECT e.ord::integer, s.id, false, true,
               jsonb_array_length(e.j -> 'answers'), NULL::text
          FROM jsonb_array_elements(p_batch) WITH ORDINALITY AS e(j, ord)
          JOIN stored s ON s.k = e.j ->> 'key';
    END LOOP;
END
$$;
