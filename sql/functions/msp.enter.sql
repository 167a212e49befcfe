-- Not SECURITY DEFINER: SET ROLE is refused inside one, and the role
-- switch must outlive the call.  The token lookup itself goes through
-- the SECURITY DEFINER msp.current_kind().
CREATE OR REPLACE FUNCTION msp.enter(token text) RETURNS msp.access_kind
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    k msp.access_kind;
BEGIN
    PERFORM set_config('msp.token', coalesce(token, ''), true);
    k := msp.current_kind();
    IF k IS NULL THEN
        PERFORM set_config('msp.token', '', true);
        RAISE EXCEPTION 'unknown or revoked token'
            USING ERRCODE = 'invalid_authorization_specification';
    END IF;
    EXECUTE format('SET LOCAL ROLE %I', 'msp_' || k::text);
    RETURN k;
END
$$;
REVOKE ALL ON FUNCTION msp.enter(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.enter(text) TO msp_app;
