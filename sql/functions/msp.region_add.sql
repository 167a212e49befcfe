-- msp-report region add (cli/cmd_region.c): a region, its name trimmed.
-- A slug or name already there fails with unique_violation.  Only for
-- msp.require_fieldwork_manager() (0034): nobody has INSERT on
-- msp.region but the owner.
CREATE OR REPLACE FUNCTION msp.region_add(p_slug text, p_name text,
                                          p_insee text)
RETURNS smallint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_id smallint;
BEGIN
    PERFORM msp.require_fieldwork_manager();
    INSERT INTO msp.region (slug, name, insee_code)
    VALUES (p_slug, btrim(p_name), p_insee)
    RETURNING region_id INTO v_id;
    RETURN v_id;
END
$$;
REVOKE ALL ON FUNCTION msp.region_add(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.region_add(text, text, text) TO msp_analyst;
