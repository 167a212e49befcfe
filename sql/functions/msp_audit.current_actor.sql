-- Who is acting: the application identity the session declares.
-- (0006_access replaces this with the verified token's identity.)
--
-- The audit trail's "who" comes from the verified token when there is
-- one, so a tenant cannot write another name into msp.actor; only a
-- session without a token (the owner: loaders, admin commands) names
-- itself through msp.actor.
CREATE OR REPLACE FUNCTION msp_audit.current_actor() RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    t msp.access_token := msp.current_token();
BEGIN
    IF t.token_id IS NOT NULL THEN
        RETURN t.kind::text || ':' || t.token_id;
    END IF;
    RETURN nullif(current_setting('msp.actor', true), '');
END
$$;
REVOKE ALL ON FUNCTION msp_audit.current_actor() FROM PUBLIC;
