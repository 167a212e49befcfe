-- Replaces code p_code's HAS categories (study p_study_id): p_has NULL
-- leaves them undecided (no row, has_none false), '{}' maps the code
-- explicitly to none (has_none true), else one crosswalk row per
-- category.  A category of the other kind, or a code that is neither a
-- frein nor a levier given categories, raises check_violation (23514).
-- Internal to the codebook functions, which checked the caller.
CREATE OR REPLACE FUNCTION msp.codebook_set_has(p_study_id integer,
    p_code text, p_has text[]) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_kind msp.code_kind;
    h text;
BEGIN
    SELECT c.kind INTO v_kind FROM msp.study_code c
     WHERE c.study_id = p_study_id AND c.code = p_code;
    DELETE FROM msp.crosswalk x
     WHERE x.study_id = p_study_id AND x.code = p_code;
    UPDATE msp.study_code c
       SET has_none = coalesce(cardinality(p_has) = 0, false)
     WHERE c.study_id = p_study_id AND c.code = p_code
       AND c.has_none <> coalesce(cardinality(p_has) = 0, false);
    IF p_has IS NULL THEN
        RETURN;
    END IF;
    FOREACH h IN ARRAY p_has LOOP
        IF NOT EXISTS (SELECT 1 FROM msp.has_category hc
                        WHERE hc.has_code = h AND hc.kind = v_kind) THEN
            RAISE EXCEPTION 'la catégorie HAS « % » n''existe pas ou '
                'n''est pas du type « % » du code « % »', h, v_kind, p_code
                USING ERRCODE = 'check_violation';
        END IF;
        INSERT INTO msp.crosswalk (study_id, code, kind, has_code)
        VALUES (p_study_id, p_code, v_kind, h) ON CONFLICT DO NOTHING;
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION msp.codebook_set_has(integer, text, text[])
    FROM PUBLIC;
