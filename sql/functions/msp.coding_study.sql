-- The study whose slug is p_study, for the coding functions, after
-- checking that this transaction may code (an analyst token, or the
-- owner with no token: msp.require_fieldwork_manager, 0034's rule).
-- Raises insufficient_privilege (42501) or, for an unknown slug,
-- no_data_found (P0002) with a French message for people.
CREATE OR REPLACE FUNCTION msp.coding_study(p_study text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v integer;
BEGIN
    PERFORM msp.require_fieldwork_manager();
    SELECT s.study_id INTO v FROM msp.study s WHERE s.slug = p_study;
    IF v IS NULL THEN
        RAISE EXCEPTION 'aucune étude « % »', p_study
            USING ERRCODE = 'no_data_found';
    END IF;
    RETURN v;
END
$$;
REVOKE ALL ON FUNCTION msp.coding_study(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.coding_study(text) TO msp_analyst;
