-- The coding workspace's view of study p_study (fcgi/coding.c, GET
-- /codage/STUDY/donnees.json): the study, the caller as a coder, the
-- codebook (each code with its parent, kind, definition, HAS categories
-- -- null: not decided, []: none --, how many codings it carries and
-- its memos), the HAS categories, the study's open items with how many
-- answers each has, the interviews and the continuum's stages, as one
-- JSON document.  p_blind: the codings counted and the memos shown are
-- the caller's only (blind mode: the server leaves the others' out, not
-- the page).  Only an analyst (or the owner's msp-report):
-- msp.coding_study raises 42501 for anyone else, P0002 for an unknown
-- study.
CREATE OR REPLACE FUNCTION msp.coding_view_codebook(p_study text,
    p_blind boolean) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_study integer := msp.coding_study(p_study);
    v_me text := msp.coding_actor();
BEGIN
    RETURN jsonb_build_object(
        'study', (SELECT jsonb_build_object('slug', s.slug,
                      'title', s.title_fr, 'year', s.year,
                      'region', g.name)
                    FROM msp.study s JOIN msp.region g USING (region_id)
                   WHERE s.study_id = v_study),
        'me', v_me,
        'blind', p_blind,
        'codes', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                'code', c.code, 'kind', c.kind, 'label', c.label_fr,
                'definition', c.definition_fr, 'parent', c.parent,
                'has', CASE WHEN c.has_none THEN '[]'::jsonb
                            ELSE (SELECT jsonb_agg(x.has_code
                                                   ORDER BY x.has_code)
                                    FROM msp.crosswalk x
                                   WHERE x.study_id = v_study
                                     AND x.code = c.code) END,
                'codings',
                    (SELECT count(*) FROM msp.answer_code k
                      WHERE k.study_id = v_study AND k.code = c.code
                        AND (NOT p_blind OR k.coder = v_me)) +
                    (SELECT count(*) FROM msp.segment g
                      WHERE g.study_id = v_study AND g.code = c.code
                        AND (NOT p_blind OR g.coder = v_me)),
                'memos', coalesce((
                    SELECT jsonb_agg(jsonb_build_object('id', m.memo_id,
                               'author', m.author, 'body', m.body)
                               ORDER BY m.memo_id)
                      FROM msp.memo m
                     WHERE m.study_id = v_study AND m.code = c.code
                       AND (NOT p_blind OR m.author = v_me)), '[]'))
                ORDER BY c.label_fr, c.code)
              FROM msp.study_code c WHERE c.study_id = v_study), '[]'),
        'has_categories', (
            SELECT jsonb_agg(jsonb_build_object('code', h.has_code,
                       'kind', h.kind, 'label', h.label_fr)
                       ORDER BY h.has_code)
              FROM msp.has_category h),
        'items', coalesce((
            SELECT jsonb_agg(jsonb_build_object('key', i.item_key,
                       'label', i.label_fr, 'answers', n.n)
                       ORDER BY i.position)
              FROM msp.study s
              JOIN msp.instrument_item i USING (instrument_id)
              JOIN LATERAL (
                  SELECT count(*) AS n FROM msp.answer a
                    JOIN msp.response r USING (response_id)
                   WHERE r.study_id = v_study AND NOT r.test
                     AND a.item_key = i.item_key
                     AND btrim(a.text_value) <> '') n ON n.n > 0
             WHERE s.study_id = v_study), '[]'),
        'interviews', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'participant', i.participant_no,
                       'profession', i.profession, 'stage', i.stage,
                       'structure', i.structure_id,
                       'transcript', t.interview_id IS NOT NULL)
                       ORDER BY i.participant_no)
              FROM msp.interview i
              LEFT JOIN msp.interview_transcript t USING (interview_id)
             WHERE i.study_id = v_study), '[]'),
        'stages', (
            SELECT jsonb_agg(jsonb_build_object('stage', c.stage,
                       'label', c.label_fr) ORDER BY c.rank)
              FROM msp.continuum_stage c));
END
$$;
REVOKE ALL ON FUNCTION msp.coding_view_codebook(text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.coding_view_codebook(text, boolean)
    TO msp_analyst;
