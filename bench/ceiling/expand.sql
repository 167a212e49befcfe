-- bench/ceiling.sh's expander: feeds the rows the "staged" stand-in
-- stored to the real msp.api_submit_many, loaded under the name
-- public.bench_submit_full, as the token that sent them (the stand-in
-- does not store it), P_ROWS rows per transaction, until the table is
-- empty and p_until has passed.
CREATE PROCEDURE public.bench_expand(p_token text, p_rows integer,
                                     p_until timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
    v_batch jsonb;
    v_ids bigint[];
BEGIN
    LOOP
        SELECT jsonb_agg(s.body || jsonb_build_object('token', p_token)
                         ORDER BY s.id),
               array_agg(s.id)
          INTO v_batch, v_ids
          FROM (SELECT id, body FROM public.bench_staged
                 ORDER BY id LIMIT p_rows) s;
        IF v_batch IS NULL THEN
            EXIT WHEN clock_timestamp() > p_until;
            PERFORM pg_sleep(0.02);
        ELSE
            PERFORM public.bench_submit_full(v_batch);
            RESET ROLE;
            DELETE FROM public.bench_staged WHERE id = ANY (v_ids);
        END IF;
        COMMIT;
    END LOOP;
END
$$;
GRANT EXECUTE ON PROCEDURE public.bench_expand(text, integer, timestamptz)
    TO msp_worker;
