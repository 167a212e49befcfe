-- The live token of this transaction, or no row: the one msp.enter()
-- set (msp.token), else the one of the live web session
-- msp.session_enter() set (msp.session, migration 0040).
CREATE OR REPLACE FUNCTION msp.current_token() RETURNS msp.access_token
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    t msp.access_token;
    sess text := coalesce(current_setting('msp.session', true), '');
BEGIN
    SELECT * INTO t FROM msp.access_token a
     WHERE a.token_sha256 = sha256(convert_to(
               coalesce(current_setting('msp.token', true), ''), 'UTF8'))
       AND a.revoked_at IS NULL;
    IF NOT FOUND AND sess <> '' THEN
        SELECT a.* INTO t
          FROM msp.web_session s
          JOIN msp.access_token a ON a.token_id = s.token_id
         WHERE s.id_sha256 = sha256(convert_to(sess, 'UTF8'))
           AND msp.session_live(s)
           AND a.revoked_at IS NULL;
    END IF;
    RETURN t;
END
$$;
REVOKE ALL ON FUNCTION msp.current_token() FROM PUBLIC;
