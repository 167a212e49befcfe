-- Records the resolved coding of open answer p_answer (an msp.answer row
-- with a text, of study p_study), once its coders' disagreements are
-- settled (issue 22, item 3): the answer's resolved codings are replaced
-- by either the whole-answer codings of the codes p_codes ('{}': the
-- answer carries no code), or a copy of coder p_from_coder's own
-- codings of it, passages and suggestion marks included.  Exactly one
-- of the two is given.  The resolved codings' coder is the caller
-- (msp.coding_actor), who is also recorded in msp.answer_resolution
-- with the time.  Reports count resolved codings only.  Returns the
-- number of resolved codings the answer now has.
-- Raises no_data_found for an unknown answer, code, or a coder with no
-- own coding of the answer; invalid_parameter_value when both or
-- neither of p_codes and p_from_coder are given.  Audited.
CREATE OR REPLACE FUNCTION msp.coding_resolve_answer(p_study text,
    p_answer bigint, p_codes text[], p_from_coder text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_study integer := msp.coding_study(p_study);
    v_me text := msp.coding_actor();
    v_response bigint;
    v_item text;
    v_unknown text;
    v_n integer;
BEGIN
    SELECT a.response_id, a.item_key INTO v_response, v_item
      FROM msp.answer a JOIN msp.response r USING (response_id)
     WHERE a.answer_id = p_answer AND r.study_id = v_study
       AND a.text_value IS NOT NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'aucune réponse ouverte n° % dans l''étude « % »',
            p_answer, p_study USING ERRCODE = 'no_data_found';
    END IF;
    IF (p_codes IS NULL) = (p_from_coder IS NULL) THEN
        RAISE EXCEPTION 'une résolution donne soit les codes, soit le '
            'codeur dont on reprend les codages'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_codes IS NOT NULL THEN
        SELECT min(c) INTO v_unknown FROM unnest(p_codes) c
         WHERE NOT EXISTS (SELECT 1 FROM msp.study_code k
                            WHERE k.study_id = v_study AND k.code = c);
        IF v_unknown IS NOT NULL THEN
            RAISE EXCEPTION 'aucun code « % » dans l''étude « % »',
                v_unknown, p_study USING ERRCODE = 'no_data_found';
        END IF;
    ELSIF NOT EXISTS (SELECT 1 FROM msp.answer_code k
                       WHERE k.response_id = v_response
                         AND k.item_key = v_item AND k.state = 'own'
                         AND k.coder = p_from_coder) THEN
        RAISE EXCEPTION 'le codeur « % » n''a pas codé la réponse n° %',
            p_from_coder, p_answer USING ERRCODE = 'no_data_found';
    END IF;

    DELETE FROM msp.answer_code k
     WHERE k.response_id = v_response AND k.item_key = v_item
       AND k.state = 'resolved';
    IF p_codes IS NOT NULL THEN
        INSERT INTO msp.answer_code (response_id, study_id, item_key, code,
                                     coder, state)
        SELECT DISTINCT v_response, v_study, v_item, c, v_me,
               'resolved'::msp.coding_state
          FROM unnest(p_codes) c;
    ELSE
        INSERT INTO msp.answer_code (response_id, study_id, item_key, code,
                                     start_pos, end_pos, coder, state,
                                     suggested)
        SELECT k.response_id, k.study_id, k.item_key, k.code, k.start_pos,
               k.end_pos, v_me, 'resolved', k.suggested
          FROM msp.answer_code k
         WHERE k.response_id = v_response AND k.item_key = v_item
           AND k.state = 'own' AND k.coder = p_from_coder;
    END IF;
    GET DIAGNOSTICS v_n = ROW_COUNT;

    INSERT INTO msp.answer_resolution (response_id, study_id, item_key,
                                       resolved_by)
    VALUES (v_response, v_study, v_item, v_me)
    ON CONFLICT (response_id, item_key)
    DO UPDATE SET resolved_by = EXCLUDED.resolved_by, resolved_at = now();
    RETURN v_n;
END
$$;
REVOKE ALL ON FUNCTION msp.coding_resolve_answer(text, bigint, text[], text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.coding_resolve_answer(text, bigint, text[],
    text) TO msp_analyst;
