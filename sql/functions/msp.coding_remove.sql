-- Removes one coding of study p_study: p_unit 'answer' (p_id a
-- coding_id of msp.answer_code) or 'segment' (a segment_id).  A coder
-- removes their own codings (undo); a resolved coding, any analyst.
-- Returns nothing; raises no_data_found when there is no such coding
-- the caller may remove.  Audited.
CREATE OR REPLACE FUNCTION msp.coding_remove(p_study text, p_unit text,
    p_id bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_study integer := msp.coding_study(p_study);
    v_me text := msp.coding_actor();
BEGIN
    IF p_unit = 'answer' THEN
        DELETE FROM msp.answer_code k
         WHERE k.coding_id = p_id AND k.study_id = v_study
           AND (k.coder = v_me OR k.state = 'resolved');
    ELSIF p_unit = 'segment' THEN
        DELETE FROM msp.segment g
         WHERE g.segment_id = p_id AND g.study_id = v_study
           AND (g.coder = v_me OR g.state = 'resolved');
    ELSE
        RAISE EXCEPTION 'unité « % » inconnue (answer ou segment)', p_unit
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'aucun codage % n° % à vous dans l''étude « % »',
            p_unit, p_id, p_study USING ERRCODE = 'no_data_found';
    END IF;
END
$$;
REVOKE ALL ON FUNCTION msp.coding_remove(text, text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.coding_remove(text, text, bigint)
    TO msp_analyst;
