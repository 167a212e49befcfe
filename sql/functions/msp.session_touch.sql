-- A page's first step: whether the session p_session is live and, if
-- so, who it is (kind, region slug and name for a federation, label of
-- the token) and until when it lasts; it counts as a request for the
-- idle limit.  No row: unknown, ended, expired or its token revoked.
CREATE OR REPLACE FUNCTION msp.session_touch(p_session text)
RETURNS TABLE (kind msp.access_kind, region_slug text, region_name text,
               label text, expires_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    RETURN QUERY
    UPDATE msp.web_session s SET last_seen_at = now()
      FROM msp.access_token a LEFT JOIN msp.region r USING (region_id)
     WHERE s.id_sha256 = sha256(convert_to(coalesce(p_session, ''),
                                           'UTF8'))
       AND msp.session_live(s)
       AND a.token_id = s.token_id AND a.revoked_at IS NULL
    RETURNING a.kind, r.slug, r.name, a.label,
              least(s.expires_at,
                    s.last_seen_at + interval '30 minutes');
END
$$;
REVOKE ALL ON FUNCTION msp.session_touch(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.session_touch(text) TO msp_app;
