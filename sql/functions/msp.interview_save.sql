-- Creates or edits the metadata of interview p_participant of study
-- p_study from p_doc (the workspace's form, fcgi/coding.c): structure
-- (a structure_id or null), profession, stage, date, duration_min,
-- consent (must be true: no consent, no interview -- 0004),
-- recording_deleted_on, anonymised.  Every field of the form is given:
-- a null clears it.  The participant number is the key; renumbering is
-- not offered (segments, memos and reports name participants by it).
-- Returns the interview_id.  The table's own constraints decide the
-- rest (check_violation 23514, foreign_key_violation 23503 for an
-- unknown structure or stage); only an analyst (msp.coding_study).
-- Audited (0005's trigger on msp.interview).
CREATE OR REPLACE FUNCTION msp.interview_save(p_study text,
    p_participant smallint, p_doc jsonb) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_study integer := msp.coding_study(p_study);
    d record;
    v_id integer;
BEGIN
    SELECT * INTO d FROM jsonb_to_record(p_doc) AS x(structure integer,
        profession text, stage text, date date, duration_min smallint,
        consent boolean, recording_deleted_on date, anonymised boolean);
    IF d.structure IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM msp.structure st JOIN msp.study s
                ON s.region_id = st.region_id
             WHERE s.study_id = v_study
               AND st.structure_id = d.structure) THEN
        RAISE EXCEPTION 'aucune structure n° % dans la région de l''étude '
            '« % »', d.structure, p_study
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF d.consent IS NOT TRUE THEN
        RAISE EXCEPTION 'sans consentement enregistré, pas d''entretien '
            '(cochez « consentement recueilli »)'
            USING ERRCODE = 'check_violation';
    END IF;
    UPDATE msp.interview i
       SET structure_id = d.structure, profession = d.profession,
           stage = d.stage, interviewed_on = d.date,
           duration_min = d.duration_min, consent_recorded = d.consent,
           recording_deleted_on = d.recording_deleted_on,
           transcript_anonymised = coalesce(d.anonymised, false)
     WHERE i.study_id = v_study AND i.participant_no = p_participant
    RETURNING i.interview_id INTO v_id;
    IF NOT FOUND THEN
        INSERT INTO msp.interview AS i (study_id, participant_no,
            structure_id, profession, stage, interviewed_on, duration_min,
            consent_recorded, recording_deleted_on, transcript_anonymised)
        VALUES (v_study, p_participant, d.structure, d.profession, d.stage,
                d.date, d.duration_min, d.consent, d.recording_deleted_on,
                coalesce(d.anonymised, false))
        RETURNING i.interview_id INTO v_id;
    END IF;
    RETURN v_id;
END
$$;
REVOKE ALL ON FUNCTION msp.interview_save(text, smallint, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.interview_save(text, smallint, jsonb)
    TO msp_analyst;
