-- Adds code p_code to study p_study's codebook: kind, label, definition,
-- parent (NULL: a top-level code; it must already exist), HAS categories
-- (msp.codebook_set_has: NULL undecided, '{}' none) and REFI-QDA guid
-- (NULL: a new one; a codebook import passes the file's).  Returns the
-- code's code_id.  Raises unique_violation (23505) for a code or guid
-- the study has, foreign_key_violation (23503) for an unknown parent,
-- check_violation for a bad key, label or category, and what
-- msp.coding_study raises.  Audited (trigger of 0039).
CREATE OR REPLACE FUNCTION msp.codebook_add(p_study text, p_code text,
    p_kind msp.code_kind, p_label text, p_definition text, p_parent text,
    p_has text[], p_guid uuid) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_study integer := msp.coding_study(p_study);
    v_id integer;
BEGIN
    IF p_parent IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM msp.study_code c
             WHERE c.study_id = v_study AND c.code = p_parent) THEN
        RAISE EXCEPTION 'code parent « % » inconnu dans l''étude « % »',
            p_parent, p_study USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM msp.study_code c
                WHERE c.study_id = v_study AND c.code = p_code) THEN
        RAISE EXCEPTION 'le code « % » existe déjà dans l''étude « % »',
            p_code, p_study USING ERRCODE = 'unique_violation';
    END IF;
    INSERT INTO msp.study_code AS c (study_id, code, kind, label_fr,
        definition_fr, parent, guid)
    VALUES (v_study, p_code, p_kind, p_label, coalesce(p_definition, ''),
            p_parent, coalesce(p_guid, gen_random_uuid()))
    RETURNING c.code_id INTO v_id;
    PERFORM msp.codebook_set_has(v_study, p_code, p_has);
    RETURN v_id;
END
$$;
REVOKE ALL ON FUNCTION msp.codebook_add(text, text, msp.code_kind, text,
    text, text, text[], uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.codebook_add(text, text, msp.code_kind, text,
    text, text, text[], uuid) TO msp_analyst;
