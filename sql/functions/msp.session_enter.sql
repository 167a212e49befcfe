-- What msp.enter(token) does, for a web session: in the caller's
-- transaction, takes on the identity of the token the live session
-- p_session stands for (msp.current_token() finds it through the
-- setting msp.session) and returns its kind.  An unknown, ended or
-- expired session, or one whose token was revoked, raises 28000 as an
-- unknown token does.  Not SECURITY DEFINER, as msp.enter: SET ROLE is
-- refused inside one.  Writes nothing: a report's READ ONLY
-- transaction calls it (msp.session_touch counted the request).
CREATE OR REPLACE FUNCTION msp.session_enter(p_session text)
RETURNS msp.access_kind
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    k msp.access_kind;
BEGIN
    PERFORM set_config('msp.token', '', true);
    PERFORM set_config('msp.session', coalesce(p_session, ''), true);
    k := msp.current_kind();
    IF k IS NULL THEN
        PERFORM set_config('msp.session', '', true);
        RAISE EXCEPTION 'unknown, ended or expired session'
            USING ERRCODE = 'invalid_authorization_specification';
    END IF;
    EXECUTE format('SET LOCAL ROLE %I', 'msp_' || k::text);
    RETURN k;
END
$$;
REVOKE ALL ON FUNCTION msp.session_enter(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.session_enter(text) TO msp_app;
