-- Codes open answer p_answer (an msp.answer row with a text, of study
-- p_study) with code p_code: the whole answer when p_start and p_end are
-- NULL, else the characters [p_start, p_end) of its text (0-based, end
-- excluded).  The coder is the caller (msp.coding_actor), the state
-- 'resolved' when p_resolved, else 'own'.  Returns the coding_id.
-- Raises no_data_found for an unknown answer or code, invalid_parameter_value
-- for offsets outside the text, unique_violation when this coder
-- already applied this code to this passage.  Audited.
CREATE OR REPLACE FUNCTION msp.coding_apply_answer(p_study text,
    p_answer bigint, p_code text, p_start integer, p_end integer,
    p_resolved boolean) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_study integer := msp.coding_study(p_study);
    v_response bigint;
    v_item text;
    v_text text;
    v_id bigint;
BEGIN
    SELECT a.response_id, a.item_key, a.text_value
      INTO v_response, v_item, v_text
      FROM msp.answer a JOIN msp.response r USING (response_id)
     WHERE a.answer_id = p_answer AND r.study_id = v_study
       AND a.text_value IS NOT NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'aucune réponse ouverte n° % dans l''étude « % »',
            p_answer, p_study USING ERRCODE = 'no_data_found';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM msp.study_code c
                    WHERE c.study_id = v_study AND c.code = p_code) THEN
        RAISE EXCEPTION 'aucun code « % » dans l''étude « % »',
            p_code, p_study USING ERRCODE = 'no_data_found';
    END IF;
    IF (p_start IS NULL) <> (p_end IS NULL) OR p_start < 0
       OR p_end <= p_start OR p_end > char_length(v_text) THEN
        RAISE EXCEPTION 'passage [%, %) hors du texte de la réponse '
            '(% caractères)', p_start, p_end, char_length(v_text)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    BEGIN
        INSERT INTO msp.answer_code AS k (response_id, study_id, item_key,
            code, start_pos, end_pos, coder, state)
        VALUES (v_response, v_study, v_item, p_code, p_start, p_end,
                msp.coding_actor(),
                CASE WHEN p_resolved THEN 'resolved' ELSE 'own' END::msp.coding_state)
        RETURNING k.coding_id INTO v_id;
    EXCEPTION WHEN unique_violation THEN
        RAISE EXCEPTION 'ce passage porte déjà le code « % »', p_code
            USING ERRCODE = 'unique_violation';
    END;
    RETURN v_id;
END
$$;
REVOKE ALL ON FUNCTION msp.coding_apply_answer(text, bigint, text, integer,
    integer, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.coding_apply_answer(text, bigint, text,
    integer, integer, boolean) TO msp_analyst;
