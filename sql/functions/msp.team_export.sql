-- GET /api/v1/export: everything the database holds about the caller's
-- structure, as the rows are stored.  It runs with the token's rights
-- (msp.enter switches role; this function is not SECURITY DEFINER), so
-- Row-Level Security, not this function, decides which rows come back:
-- the WHEREs only group them.  Only a team token may ask; a federation
-- or an analyst sees many structures, whose exports are not theirs to
-- take (insufficient_privilege, 42501).  An unknown or revoked token
-- raises 28000 (msp.enter).  Not exported: the token hashes and the
-- audit trail, which no tenant role can read, and the hashes of the
-- form's keys and links (request, resume, invitation: 0025, 0032),
-- which say nothing about the team and only serve to check a code.
CREATE OR REPLACE FUNCTION msp.team_export(p_token text) RETURNS jsonb
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_structure integer;
BEGIN
    IF msp.enter(p_token) <> 'team' THEN
        RAISE EXCEPTION 'only a team token exports its own data'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    v_structure := msp.current_structure_id();
    RETURN jsonb_build_object(
        'structure', (SELECT to_jsonb(s) || jsonb_build_object(
                                 'region', g.slug)
                        FROM msp.structure s
                        JOIN msp.region g USING (region_id)
                       WHERE s.structure_id = v_structure),
        'staff', coalesce((SELECT jsonb_agg(to_jsonb(f) ORDER BY f.category)
                             FROM msp.structure_staff f
                            WHERE f.structure_id = v_structure), '[]'),
        'population', coalesce((
            SELECT jsonb_agg(to_jsonb(p) - 'invitation_sha256'
                   || jsonb_build_object(
                       'study', st.slug) ORDER BY p.study_id)
              FROM msp.population p JOIN msp.study st USING (study_id)
             WHERE p.structure_id = v_structure), '[]'),
        'contacts', coalesce((
            SELECT jsonb_agg(to_jsonb(c) ORDER BY c.contact_id)
              FROM msp.contact c
             WHERE c.structure_id = v_structure), '[]'),
        'responses', coalesce((
            SELECT jsonb_agg(to_jsonb(r) - 'request_sha256' - 'resume_sha256'
                             || jsonb_build_object(
                   'study', st.slug,
                   'answers', coalesce((
                       -- one value column is set: the others go
                       SELECT jsonb_agg(jsonb_strip_nulls(to_jsonb(a))
                                        - 'instrument_id' - 'response_id'
                                        ORDER BY a.answer_id)
                         FROM msp.answer a
                        WHERE a.response_id = r.response_id), '[]'),
                   'codes', coalesce((
                       SELECT jsonb_agg(to_jsonb(k) - 'response_id'
                                        - 'study_id'
                                        ORDER BY k.item_key, k.code)
                         FROM msp.answer_code k
                        WHERE k.response_id = r.response_id), '[]'))
                   ORDER BY r.response_id)
              FROM msp.response r JOIN msp.study st USING (study_id)
             WHERE r.structure_id = v_structure), '[]'),
        'interviews', coalesce((
            SELECT jsonb_agg(to_jsonb(i) || jsonb_build_object(
                   'study', st.slug,
                   'segments', coalesce((
                       SELECT jsonb_agg(to_jsonb(g) - 'interview_id'
                                        - 'study_id' ORDER BY g.segment_id)
                         FROM msp.segment g
                        WHERE g.interview_id = i.interview_id), '[]'))
                   ORDER BY i.interview_id)
              FROM msp.interview i JOIN msp.study st USING (study_id)
             WHERE i.structure_id = v_structure), '[]'));
END
$$;
REVOKE ALL ON FUNCTION msp.team_export(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.team_export(text) TO msp_app;
