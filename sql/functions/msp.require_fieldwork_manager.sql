-- Raises insufficient_privilege (42501) unless this transaction may set
-- up fieldwork (regions, federations, studies and their life cycle):
--   - an analyst token entered (msp.enter: the kind of the token, not
--     the role, as 0006's policies ask), or
--   - no token at all, from a login that is (a member of) the owner of
--     schema msp: msp-report run by the database owner.
-- The worker login msp_worker is a member of msp_analyst through
-- msp_app; the role alone must not be enough (0034).  session_user, not
-- current_user: inside this SECURITY DEFINER function current_user is
-- the owner, and SET ROLE does not change session_user.
CREATE OR REPLACE FUNCTION msp.require_fieldwork_manager() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    k msp.access_kind := msp.current_kind();
BEGIN
    IF k = 'analyst' THEN
        RETURN;
    END IF;
    IF k IS NULL AND pg_has_role(session_user,
                                 (SELECT n.nspowner FROM pg_namespace n
                                   WHERE n.nspname = 'msp'), 'MEMBER') THEN
        RETURN;
    END IF;
    RAISE EXCEPTION 'fieldwork needs an analyst token or the owner'
        USING ERRCODE = 'insufficient_privilege';
END
$$;
REVOKE ALL ON FUNCTION msp.require_fieldwork_manager() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.require_fieldwork_manager() TO msp_analyst;
