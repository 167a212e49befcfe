-- A memo of the caller (msp.coding_actor) in study p_study on exactly
-- one of: code p_code, open answer p_answer (an msp.answer id), interview
-- participant p_participant.  Returns the memo_id.  Raises
-- invalid_parameter_value unless exactly one target is given,
-- no_data_found for a target the study lacks.  Audited.
CREATE OR REPLACE FUNCTION msp.memo_add(p_study text, p_code text,
    p_answer bigint, p_participant smallint, p_body text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_study integer := msp.coding_study(p_study);
    v_response bigint;
    v_item text;
    v_interview integer;
    v_id bigint;
BEGIN
    IF num_nonnulls(p_code, p_answer, p_participant) <> 1 THEN
        RAISE EXCEPTION 'un mémo porte sur un code, une réponse ou un '
            'entretien, et un seul' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_code IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM msp.study_code c
             WHERE c.study_id = v_study AND c.code = p_code) THEN
        RAISE EXCEPTION 'aucun code « % » dans l''étude « % »',
            p_code, p_study USING ERRCODE = 'no_data_found';
    END IF;
    IF p_answer IS NOT NULL THEN
        SELECT a.response_id, a.item_key INTO v_response, v_item
          FROM msp.answer a JOIN msp.response r USING (response_id)
         WHERE a.answer_id = p_answer AND r.study_id = v_study;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'aucune réponse n° % dans l''étude « % »',
                p_answer, p_study USING ERRCODE = 'no_data_found';
        END IF;
    END IF;
    IF p_participant IS NOT NULL THEN
        SELECT i.interview_id INTO v_interview FROM msp.interview i
         WHERE i.study_id = v_study AND i.participant_no = p_participant;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'aucun entretien du participant P% dans '
                'l''étude « % »', p_participant, p_study
                USING ERRCODE = 'no_data_found';
        END IF;
    END IF;
    INSERT INTO msp.memo AS m (study_id, code, response_id, item_key,
        interview_id, author, body)
    VALUES (v_study, p_code, v_response, v_item, v_interview,
            msp.coding_actor(), p_body)
    RETURNING m.memo_id INTO v_id;
    RETURN v_id;
END
$$;
REVOKE ALL ON FUNCTION msp.memo_add(text, text, bigint, smallint, text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.memo_add(text, text, bigint, smallint, text)
    TO msp_analyst;
