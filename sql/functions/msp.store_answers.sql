-- answers: [{"k": item, "c": code | "n": "12.5" | "t": text | "b": bool}]
-- Runs with the caller's rights: under a tenant role, RLS applies.
CREATE OR REPLACE FUNCTION msp.store_answers(p_response bigint,
    p_instrument integer, p_answers jsonb) RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    n integer;
BEGIN
    INSERT INTO msp.answer (response_id, instrument_id, item_key,
                            choice_code, num_value, text_value, bool_value)
    SELECT p_response, p_instrument, a.k, a.c, a.n, a.t, a.b
      FROM jsonb_to_recordset(p_answers)
           AS a(k text, c text, n numeric, t text, b boolean);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
