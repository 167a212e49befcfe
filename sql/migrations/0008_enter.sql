-- One call takes on a token's identity for the rest of the transaction:
--     SELECT msp.enter($1);
-- sets msp.token, checks the token is live and switches to the role of
-- its kind (msp_team, msp_federation or msp_analyst), so that the
-- policies of 0006 apply.  A dead or unknown token raises SQLSTATE 28000
-- (invalid_authorization_specification) and the caller answers 401.
--
-- The worker and the CLI connect as a login role that is a member of
-- msp_app; msp_app is a member of the three tenant roles and owns
-- nothing, so a connection that has not entered sees no tenant rows.

DO $$
BEGIN
    CREATE ROLE msp_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;
GRANT msp_team, msp_federation, msp_analyst TO msp_app;
GRANT USAGE ON SCHEMA msp TO msp_app;

-- Not SECURITY DEFINER: SET ROLE is refused inside one, and the role
-- switch must outlive the call.  The token lookup itself goes through
-- the SECURITY DEFINER msp.current_kind().
CREATE FUNCTION msp.enter(token text) RETURNS msp.access_kind
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
