-- Stores the anonymised transcript p_body of interview participant
-- p_participant of study p_study (replacing the one there was).  A
-- transcript under segments that point into it by offsets may not
-- change (their offsets would point elsewhere): raises
-- object_in_use (55006); no such interview: no_data_found.  Returns the
-- interview_id.  Audited.
CREATE OR REPLACE FUNCTION msp.interview_transcript_set(p_study text,
    p_participant smallint, p_body text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_study integer := msp.coding_study(p_study);
    v_interview integer;
BEGIN
    SELECT i.interview_id INTO v_interview FROM msp.interview i
     WHERE i.study_id = v_study AND i.participant_no = p_participant
       FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'aucun entretien du participant P% dans l''étude '
            '« % »', p_participant, p_study USING ERRCODE = 'no_data_found';
    END IF;
    IF EXISTS (SELECT 1 FROM msp.segment g
                WHERE g.interview_id = v_interview
                  AND g.start_pos IS NOT NULL)
       AND NOT EXISTS (SELECT 1 FROM msp.interview_transcript t
                        WHERE t.interview_id = v_interview
                          AND t.body = p_body) THEN
        RAISE EXCEPTION 'la transcription de P% porte des passages codés : '
            'retirez-les avant de la remplacer', p_participant
            USING ERRCODE = 'object_in_use';
    END IF;
    INSERT INTO msp.interview_transcript AS t (interview_id, body)
    VALUES (v_interview, p_body)
    ON CONFLICT (interview_id) DO UPDATE
       SET body = excluded.body, updated_at = now()
     WHERE t.body <> excluded.body;
    RETURN v_interview;
END
$$;
REVOKE ALL ON FUNCTION msp.interview_transcript_set(text, smallint, text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.interview_transcript_set(text, smallint, text)
    TO msp_analyst;
