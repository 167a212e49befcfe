-- Codes the characters [p_start, p_end) of the transcript of interview
-- participant p_participant (study p_study) with p_code: a segment, whose
-- verbatim_fr is that passage (at most 2000 characters, 0004's limit).
-- Coder and state as msp.coding_apply_answer.  Returns the segment_id.
-- Raises no_data_found without such an interview, transcript or code,
-- invalid_parameter_value for offsets outside the transcript,
-- unique_violation for a passage this coder already coded so.
CREATE OR REPLACE FUNCTION msp.coding_apply_segment(p_study text,
    p_participant smallint, p_code text, p_start integer, p_end integer,
    p_resolved boolean) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_study integer := msp.coding_study(p_study);
    v_interview integer;
    v_text text;
    v_id bigint;
BEGIN
    SELECT i.interview_id, t.body INTO v_interview, v_text
      FROM msp.interview i
      LEFT JOIN msp.interview_transcript t USING (interview_id)
     WHERE i.study_id = v_study AND i.participant_no = p_participant;
    IF v_text IS NULL THEN
        RAISE EXCEPTION 'pas de transcription pour le participant P% de '
            'l''étude « % »', p_participant, p_study
            USING ERRCODE = 'no_data_found';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM msp.study_code c
                    WHERE c.study_id = v_study AND c.code = p_code) THEN
        RAISE EXCEPTION 'aucun code « % » dans l''étude « % »',
            p_code, p_study USING ERRCODE = 'no_data_found';
    END IF;
    IF p_start IS NULL OR p_end IS NULL OR p_start < 0 OR p_end <= p_start
       OR p_end > char_length(v_text) THEN
        RAISE EXCEPTION 'passage [%, %) hors de la transcription '
            '(% caractères)', p_start, p_end, char_length(v_text)
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_end - p_start > 2000 THEN
        RAISE EXCEPTION 'passage trop long (% caractères, 2000 au plus)',
            p_end - p_start USING ERRCODE = 'invalid_parameter_value';
    END IF;
    BEGIN
        INSERT INTO msp.segment AS g (interview_id, study_id, code,
            verbatim_fr, start_pos, end_pos, coder, state)
        VALUES (v_interview, v_study, p_code,
                substr(v_text, p_start + 1, p_end - p_start),
                p_start, p_end, msp.coding_actor(),
                CASE WHEN p_resolved THEN 'resolved' ELSE 'own' END::msp.coding_state)
        RETURNING g.segment_id INTO v_id;
    EXCEPTION WHEN unique_violation THEN
        RAISE EXCEPTION 'ce passage porte déjà le code « % »', p_code
            USING ERRCODE = 'unique_violation';
    END;
    RETURN v_id;
END
$$;
REVOKE ALL ON FUNCTION msp.coding_apply_segment(text, smallint, text,
    integer, integer, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.coding_apply_segment(text, smallint, text,
    integer, integer, boolean) TO msp_analyst;
