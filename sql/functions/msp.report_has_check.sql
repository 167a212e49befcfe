-- The scope check of a federation's --has over studies p_studies (NULL:
-- every study): a federation token (42501 otherwise), and every study
-- named one it may see (msp.report_scope: not a draft).  Not granted:
-- the report_has_* functions call it as the owner.
CREATE OR REPLACE FUNCTION msp.report_has_check(p_studies integer[])
RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
BEGIN
    IF (msp.current_token()).kind IS DISTINCT FROM 'federation' THEN
        RAISE EXCEPTION 'ces agrégats sont réservés aux jetons de fédération'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM msp.report_scope(s) FROM unnest(p_studies) s;
END
$$;
REVOKE ALL ON FUNCTION msp.report_has_check(integer[]) FROM PUBLIC;
