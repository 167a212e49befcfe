-- POST /api/v1/interviews: an analyst records an interview and its coded
-- segments in one call.  doc carries the interview's fields and
-- "segments": [{"code": ..., "verbatim_fr": ...}]; the constraints of
-- 0004 (consent, known codes of the study, lengths) decide validity.
CREATE OR REPLACE FUNCTION msp.api_interview(p_token text, p_study integer,
                                  p_doc jsonb,
                                  OUT interview_id integer,
                                  OUT n_segments integer)
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    IF msp.enter(p_token) <> 'analyst' THEN
        RAISE EXCEPTION 'only an analyst token records interviews'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO msp.interview AS i (study_id, participant_no, structure_id,
        profession, stage, interviewed_on, duration_min, consent_recorded,
        recording_deleted_on, transcript_anonymised)
    SELECT p_study, d.participant_no, d.structure_id, d.profession, d.stage,
           d.interviewed_on, d.duration_min, d.consent_recorded,
           d.recording_deleted_on, coalesce(d.transcript_anonymised, false)
      FROM jsonb_to_record(p_doc) AS d(participant_no smallint,
           structure_id integer, profession text, stage text,
           interviewed_on date, duration_min smallint,
           consent_recorded boolean, recording_deleted_on date,
           transcript_anonymised boolean)
    RETURNING i.interview_id INTO interview_id;
    WITH stored AS (
        INSERT INTO msp.segment (interview_id, study_id, code, verbatim_fr)
        SELECT api_interview.interview_id, p_study, s.code, s.verbatim_fr
          FROM jsonb_to_recordset(coalesce(p_doc -> 'segments', '[]'))
               AS s(code text, verbatim_fr text)
        RETURNING 1)
    SELECT count(*)::integer INTO n_segments FROM stored;
END
$$;
REVOKE ALL ON FUNCTION msp.api_interview(text, integer, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.api_interview(text, integer, jsonb) TO msp_app;
