-- Changes code p_code of study p_study: each argument NULL leaves its
-- field as it is; p_parent '' makes the code top-level; p_has as in
-- msp.codebook_set_has ('{}' none).  A change of kind must say the new
-- HAS categories (the old ones are of the old kind).  Refuses a parent
-- that is the code itself or one of its descendants (a cycle), raising
-- invalid_parameter_value (22023); an unknown code or parent raises
-- no_data_found (P0002) / foreign_key_violation.  Audited.
CREATE OR REPLACE FUNCTION msp.codebook_edit(p_study text, p_code text,
    p_kind msp.code_kind, p_label text, p_definition text, p_parent text,
    p_has text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_study integer := msp.coding_study(p_study);
    v_old msp.study_code;
BEGIN
    SELECT c.* INTO v_old FROM msp.study_code c
     WHERE c.study_id = v_study AND c.code = p_code FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'aucun code « % » dans l''étude « % »',
            p_code, p_study USING ERRCODE = 'no_data_found';
    END IF;
    IF p_parent IS NOT NULL AND p_parent <> '' THEN
        IF NOT EXISTS (SELECT 1 FROM msp.study_code c
                        WHERE c.study_id = v_study AND c.code = p_parent)
        THEN
            RAISE EXCEPTION 'code parent « % » inconnu dans l''étude « % »',
                p_parent, p_study USING ERRCODE = 'foreign_key_violation';
        END IF;
        -- the new parent's ancestors, itself included, must not hold
        -- the code: else the tree would loop
        IF EXISTS (WITH RECURSIVE up (code, parent) AS (
                       SELECT c.code, c.parent FROM msp.study_code c
                        WHERE c.study_id = v_study AND c.code = p_parent
                       UNION
                       SELECT c.code, c.parent FROM msp.study_code c
                         JOIN up ON c.code = up.parent
                        WHERE c.study_id = v_study)
                   SELECT 1 FROM up WHERE up.code = p_code) THEN
            RAISE EXCEPTION 'le code « % » ne peut pas être rangé sous '
                '« % » : c''est lui-même ou l''un de ses sous-codes',
                p_code, p_parent USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END IF;
    IF p_kind IS NOT NULL AND p_kind <> v_old.kind THEN
        IF p_has IS NULL THEN
            RAISE EXCEPTION 'changer le type du code « % » demande de '
                'redire ses catégories HAS (ou aucune)', p_code
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        DELETE FROM msp.crosswalk x
         WHERE x.study_id = v_study AND x.code = p_code;
    END IF;
    UPDATE msp.study_code c
       SET kind = coalesce(p_kind, c.kind),
           label_fr = coalesce(p_label, c.label_fr),
           definition_fr = coalesce(p_definition, c.definition_fr),
           parent = CASE WHEN p_parent IS NULL THEN c.parent
                         ELSE nullif(p_parent, '') END
     WHERE c.study_id = v_study AND c.code = p_code;
    IF p_has IS NOT NULL THEN
        PERFORM msp.codebook_set_has(v_study, p_code, p_has);
    END IF;
END
$$;
REVOKE ALL ON FUNCTION msp.codebook_edit(text, text, msp.code_kind, text,
    text, text, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.codebook_edit(text, text, msp.code_kind, text,
    text, text, text[]) TO msp_analyst;
