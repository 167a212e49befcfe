-- Sign-in: opens a session for the live token p_token, under the id
-- p_session the worker drew, and returns the token's kind; NULL, with
-- nothing stored, when the token is unknown or revoked.  Only the
-- SHA-256 of either is compared or kept.  Sessions ended or expired
-- for a day are removed on the way: the table holds the live ones and
-- the last day's.
CREATE OR REPLACE FUNCTION msp.session_open(p_token text, p_session text)
RETURNS msp.access_kind
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    t msp.access_token;
BEGIN
    IF length(p_session) < 32 THEN
        RAISE EXCEPTION 'a session id has at least 32 characters'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO t FROM msp.access_token a
     WHERE a.token_sha256 = sha256(convert_to(coalesce(p_token, ''),
                                              'UTF8'))
       AND a.revoked_at IS NULL;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    DELETE FROM msp.web_session s
     WHERE coalesce(s.ended_at, s.expires_at) < now() - interval '1 day'
        OR s.last_seen_at < now() - interval '1 day';
    INSERT INTO msp.web_session (id_sha256, token_id, expires_at)
    VALUES (sha256(convert_to(p_session, 'UTF8')), t.token_id,
            now() + interval '12 hours');
    RETURN t.kind;
END
$$;
REVOKE ALL ON FUNCTION msp.session_open(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.session_open(text, text) TO msp_app;
