-- Interview p_participant of study p_study for the coding workspace
-- (GET /codage/STUDY/entretiens/N.json): its metadata, its transcript
-- (null: none yet), its segments (offsets into the transcript, null for
-- the API's pre-coded verbatims), its memos and, when it is linked to a
-- structure, that team's questionnaire beside it (the joint display,
-- issue 22 item 6): each non-test response's stage on the continuum,
-- priority, and open answers (the freins and leviers it wrote) with
-- their codes.  p_blind: only the caller's codings and memos, filtered
-- here.  Only an analyst (msp.coding_study: 42501); no such interview:
-- no_data_found (P0002).
CREATE OR REPLACE FUNCTION msp.coding_view_interview(p_study text,
    p_participant smallint, p_blind boolean) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_study integer := msp.coding_study(p_study);
    v_me text := msp.coding_actor();
    i msp.interview;
BEGIN
    SELECT * INTO i FROM msp.interview x
     WHERE x.study_id = v_study AND x.participant_no = p_participant;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'aucun entretien du participant P% dans l''étude '
            '« % »', p_participant, p_study USING ERRCODE = 'no_data_found';
    END IF;
    RETURN jsonb_build_object(
        'participant', i.participant_no, 'structure', i.structure_id,
        'profession', i.profession, 'stage', i.stage,
        'date', i.interviewed_on, 'duration', i.duration_min,
        'consent', i.consent_recorded,
        'recording_deleted_on', i.recording_deleted_on,
        'anonymised', i.transcript_anonymised,
        'transcript', (SELECT t.body FROM msp.interview_transcript t
                        WHERE t.interview_id = i.interview_id),
        'segments', coalesce((
            SELECT jsonb_agg(jsonb_build_object('id', g.segment_id,
                       'code', g.code, 'start', g.start_pos,
                       'end', g.end_pos, 'verbatim', g.verbatim_fr,
                       'coder', g.coder, 'state', g.state,
                       'mine', g.coder = v_me)
                       ORDER BY g.start_pos NULLS FIRST, g.segment_id)
              FROM msp.segment g
             WHERE g.interview_id = i.interview_id
               AND (NOT p_blind OR g.coder = v_me)), '[]'),
        'memos', coalesce((
            SELECT jsonb_agg(jsonb_build_object('id', m.memo_id,
                       'author', m.author, 'body', m.body)
                       ORDER BY m.memo_id)
              FROM msp.memo m
             WHERE m.interview_id = i.interview_id
               AND (NOT p_blind OR m.author = v_me)), '[]'),
        'team', CASE WHEN i.structure_id IS NULL THEN NULL ELSE coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'response', r.response_id,
                       'stage', msp.coding_view_var(r.response_id,
                                                    'continuum'),
                       'priority', msp.coding_view_var(r.response_id,
                                                       'priority'),
                       'answers', coalesce((
                           SELECT jsonb_agg(jsonb_build_object(
                                      'answer', a.answer_id,
                                      'item', a.item_key,
                                      'label', it.label_fr,
                                      'text', a.text_value,
                                      'codes', (
                                          SELECT coalesce(jsonb_agg(
                                                 DISTINCT k.code), '[]')
                                            FROM msp.answer_code k
                                           WHERE k.response_id =
                                                 a.response_id
                                             AND k.item_key = a.item_key
                                             AND (NOT p_blind OR
                                                  k.coder = v_me)))
                                      ORDER BY it.position)
                             FROM msp.answer a
                             JOIN msp.instrument_item it
                               ON it.instrument_id = a.instrument_id
                              AND it.item_key = a.item_key
                            WHERE a.response_id = r.response_id
                              AND btrim(a.text_value) <> ''), '[]'))
                       ORDER BY r.response_id)
              FROM msp.response r
             WHERE r.study_id = v_study AND NOT r.test
               AND r.structure_id = i.structure_id), '[]') END);
END
$$;
REVOKE ALL ON FUNCTION msp.coding_view_interview(text, smallint, boolean)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.coding_view_interview(text, smallint, boolean)
    TO msp_analyst;
