-- msp-report federation add (cli/cmd_region.c): a federation of the
-- region whose slug is p_region.  Returns its id, or NULL when there is
-- no such region (nothing stored).  A slug or name already there fails
-- with unique_violation.  Only for msp.require_fieldwork_manager()
-- (0034).
CREATE OR REPLACE FUNCTION msp.federation_add(p_slug text, p_name text,
                                              p_region text)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_id integer;
BEGIN
    PERFORM msp.require_fieldwork_manager();
    INSERT INTO msp.federation (slug, name, region_id)
    SELECT p_slug, btrim(p_name), r.region_id
      FROM msp.region r WHERE r.slug = p_region
    RETURNING federation_id INTO v_id;
    RETURN v_id;
END
$$;
REVOKE ALL ON FUNCTION msp.federation_add(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.federation_add(text, text, text)
    TO msp_analyst;
