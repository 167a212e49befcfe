-- The open answers to item p_item of study p_study, for the coding
-- workspace (GET /codage/STUDY/donnees.json?item=...): each non-test
-- response's non-blank answer with its team's stage on the continuum
-- and priority (msp.coding_view_var), region, its codings and memos,
-- and the codes of the interviews of the same structure (the joint
-- display, issue 22 item 6), in response order.  p_blind: only the
-- caller's codings and memos (msp.coding_actor), the others' are left
-- out here, in the database, not hidden by the page.  Only an analyst:
-- msp.coding_study raises 42501 for anyone else.
CREATE OR REPLACE FUNCTION msp.coding_view_answers(p_study text,
    p_item text, p_blind boolean) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_study integer := msp.coding_study(p_study);
    v_me text := msp.coding_actor();
BEGIN
    RETURN coalesce((
        SELECT jsonb_agg(jsonb_build_object(
            'answer', a.answer_id, 'response', r.response_id,
            'structure', r.structure_id, 'text', a.text_value,
            'region', g.name,
            'stage', msp.coding_view_var(r.response_id, 'continuum'),
            'priority', msp.coding_view_var(r.response_id, 'priority'),
            'codings', coalesce((
                SELECT jsonb_agg(jsonb_build_object('id', k.coding_id,
                           'code', k.code, 'start', k.start_pos,
                           'end', k.end_pos, 'coder', k.coder,
                           'state', k.state, 'mine', k.coder = v_me)
                           ORDER BY k.coding_id)
                  FROM msp.answer_code k
                 WHERE k.response_id = r.response_id
                   AND k.item_key = a.item_key
                   AND (NOT p_blind OR k.coder = v_me)), '[]'),
            'memos', coalesce((
                SELECT jsonb_agg(jsonb_build_object('id', m.memo_id,
                           'author', m.author, 'body', m.body)
                           ORDER BY m.memo_id)
                  FROM msp.memo m
                 WHERE m.response_id = r.response_id
                   AND m.item_key = a.item_key
                   AND (NOT p_blind OR m.author = v_me)), '[]'),
            'interviews', coalesce((
                SELECT jsonb_agg(jsonb_build_object(
                           'participant', i.participant_no,
                           'codes', (SELECT coalesce(jsonb_agg(DISTINCT
                                                     s.code), '[]')
                                       FROM msp.segment s
                                      WHERE s.interview_id = i.interview_id
                                        AND (NOT p_blind OR
                                             s.coder = v_me)))
                           ORDER BY i.participant_no)
                  FROM msp.interview i
                 WHERE i.study_id = v_study
                   AND i.structure_id = r.structure_id), '[]'))
            ORDER BY r.response_id)
          FROM msp.response r
          JOIN msp.answer a ON a.response_id = r.response_id
          JOIN msp.structure st ON st.structure_id = r.structure_id
          JOIN msp.region g ON g.region_id = st.region_id
         WHERE r.study_id = v_study AND NOT r.test
           AND a.item_key = p_item AND btrim(a.text_value) <> ''),
        '[]');
END
$$;
REVOKE ALL ON FUNCTION msp.coding_view_answers(text, text, boolean)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.coding_view_answers(text, text, boolean)
    TO msp_analyst;
