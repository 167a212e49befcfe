-- Merges code p_from into code p_into (study p_study), in the caller's
-- transaction: the codings of open answers and interview segments and
-- the memos on p_from move to p_into (a coding that p_into already has,
-- same unit, passage, coder and state, is dropped rather than doubled),
-- p_from's sub-codes move under p_into (p_into itself, if it was one,
-- under p_from's parent), p_from's HAS categories go (p_into's stand),
-- and p_from is deleted.  Returns how many codings moved.  Every step is
-- audited (0039's triggers, 0005's on msp.segment).  Raises
-- no_data_found for an unknown code, invalid_parameter_value when
-- p_from = p_into.
CREATE OR REPLACE FUNCTION msp.codebook_merge(p_study text, p_from text,
    p_into text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_study integer := msp.coding_study(p_study);
    v_from msp.study_code;
    v_moved integer;
    n integer;
BEGIN
    IF p_from = p_into THEN
        RAISE EXCEPTION 'fusionner le code « % » avec lui-même n''a pas '
            'de sens', p_from USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT c.* INTO v_from FROM msp.study_code c
     WHERE c.study_id = v_study AND c.code = p_from FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'aucun code « % » dans l''étude « % »',
            p_from, p_study USING ERRCODE = 'no_data_found';
    END IF;
    PERFORM 1 FROM msp.study_code c
      WHERE c.study_id = v_study AND c.code = p_into FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'aucun code « % » dans l''étude « % »',
            p_into, p_study USING ERRCODE = 'no_data_found';
    END IF;

    -- codings: drop the doubles, move the rest
    DELETE FROM msp.answer_code f
     WHERE f.study_id = v_study AND f.code = p_from
       AND EXISTS (SELECT 1 FROM msp.answer_code t
                    WHERE t.study_id = v_study AND t.code = p_into
                      AND t.response_id = f.response_id
                      AND t.item_key = f.item_key
                      AND t.coder = f.coder AND t.state = f.state
                      AND t.start_pos IS NOT DISTINCT FROM f.start_pos
                      AND t.end_pos IS NOT DISTINCT FROM f.end_pos);
    UPDATE msp.answer_code f SET code = p_into
     WHERE f.study_id = v_study AND f.code = p_from;
    GET DIAGNOSTICS v_moved = ROW_COUNT;
    DELETE FROM msp.segment f
     WHERE f.study_id = v_study AND f.code = p_from
       AND f.start_pos IS NOT NULL
       AND EXISTS (SELECT 1 FROM msp.segment t
                    WHERE t.study_id = v_study AND t.code = p_into
                      AND t.interview_id = f.interview_id
                      AND t.coder = f.coder AND t.state = f.state
                      AND t.start_pos = f.start_pos
                      AND t.end_pos = f.end_pos);
    UPDATE msp.segment f SET code = p_into
     WHERE f.study_id = v_study AND f.code = p_from;
    GET DIAGNOSTICS n = ROW_COUNT;
    v_moved := v_moved + n;
    UPDATE msp.memo m SET code = p_into
     WHERE m.study_id = v_study AND m.code = p_from;

    -- the tree: p_into may not end up under itself.  When it lies
    -- anywhere below p_from (a child, a grandchild, ...), it takes
    -- p_from's place first, so that p_from's children moved under it
    -- make no loop
    UPDATE msp.study_code c SET parent = v_from.parent
     WHERE c.study_id = v_study AND c.code = p_into
       AND c.code IN (
           WITH RECURSIVE below AS (
               SELECT b.code FROM msp.study_code b
                WHERE b.study_id = v_study AND b.parent = p_from
               UNION
               SELECT b.code FROM msp.study_code b
                 JOIN below ON b.parent = below.code
                WHERE b.study_id = v_study)
           SELECT below.code FROM below);
    UPDATE msp.study_code c SET parent = p_into
     WHERE c.study_id = v_study AND c.parent = p_from;

    DELETE FROM msp.crosswalk x
     WHERE x.study_id = v_study AND x.code = p_from;
    DELETE FROM msp.study_code c
     WHERE c.study_id = v_study AND c.code = p_from;
    RETURN v_moved;
END
$$;
REVOKE ALL ON FUNCTION msp.codebook_merge(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.codebook_merge(text, text, text)
    TO msp_analyst;
