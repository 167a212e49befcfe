-- The scope check of a federation's --has over studies p_studies (NULL:
-- every study): a protection run's federation token (42501 otherwise:
-- a federation reads its stored releases, msp.report_scope), and every
-- study named one it may see (msp.report_scope: not a draft).  Not granted:
-- the report_has_* functions call it as the owner.
CREATE OR REPLACE FUNCTION msp.report_has_check(p_studies integer[])
RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
BEGIN
    IF (msp.current_token()).kind IS DISTINCT FROM 'federation' THEN
        RAISE EXCEPTION 'ces agrégats sont réservés aux jetons de fédération'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- a federation counts nothing (msp.report_scope), every study
    -- included (p_studies NULL): only a protection run's token does
    IF NOT EXISTS (SELECT 1 FROM msp.disclosure_plan_state d
                    WHERE d.protect_token
                          = (msp.current_token()).token_sha256) THEN
        RAISE EXCEPTION 'une fédération lit sa diffusion publiée '
            '(msp.federation_release_get), jamais ses comptages'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM msp.report_scope(s) FROM unnest(p_studies) s;
END
$$;
REVOKE ALL ON FUNCTION msp.report_has_check(integer[]) FROM PUBLIC;
