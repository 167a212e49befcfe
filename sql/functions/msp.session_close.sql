-- Sign-out: ends the session p_session (nothing when it is unknown or
-- ended already).  Returns whether a live session was ended.
CREATE OR REPLACE FUNCTION msp.session_close(p_session text)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    UPDATE msp.web_session s SET ended_at = now()
     WHERE s.id_sha256 = sha256(convert_to(coalesce(p_session, ''),
                                           'UTF8'))
       AND s.ended_at IS NULL;
    RETURN FOUND;
END
$$;
REVOKE ALL ON FUNCTION msp.session_close(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.session_close(text) TO msp_app;
