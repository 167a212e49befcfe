-- Whether session s may still be used: not ended, not 30 minutes idle,
-- not past its absolute limit (12 hours after sign-in, set by
-- msp.session_open).  The one place the idle limit is written.
CREATE OR REPLACE FUNCTION msp.session_live(s msp.web_session)
RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT s.ended_at IS NULL
       AND s.last_seen_at > now() - interval '30 minutes'
       AND s.expires_at > now()
$$;
REVOKE ALL ON FUNCTION msp.session_live(msp.web_session) FROM PUBLIC;
