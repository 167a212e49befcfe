-- Whose responses a federation's report counts for study p_study: the
-- structures of the study's region, whichever region the federation's
-- token belongs to (issue 19: "a federation sees other regions'
-- aggregates under the same rules, for comparison").  The SECURITY
-- DEFINER report functions call it first, as the owner, so it decides
-- from the token (msp.current_token), never from the role: msp_app,
-- which the workers log in as, is a member of msp_federation.
--
-- Refused (insufficient_privilege, 42501), with a message a person can
-- read, for any token but a federation's (analysts and teams read their
-- own rows directly, under Row-Level Security) and for a study it may
-- not see: an unknown one, or a draft (its responses are tests, 0028).
CREATE OR REPLACE FUNCTION msp.report_scope(p_study integer)
RETURNS smallint
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
DECLARE
    t msp.access_token := msp.current_token();
    v_region smallint;
BEGIN
    IF t.kind IS DISTINCT FROM 'federation' THEN
        RAISE EXCEPTION 'ces agrégats sont réservés aux jetons de fédération'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT s.region_id INTO v_region
      FROM msp.study s
     WHERE s.study_id = p_study AND s.state <> 'draft';
    IF v_region IS NULL THEN
        RAISE EXCEPTION 'étude % hors de votre périmètre', p_study
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN v_region;
END
$$;
REVOKE ALL ON FUNCTION msp.report_scope(integer) FROM PUBLIC;
