-- The live token of this transaction, or no row.
CREATE OR REPLACE FUNCTION msp.current_token() RETURNS msp.access_token
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    t msp.access_token;
BEGIN
    SELECT * INTO t FROM msp.access_token a
     WHERE a.token_sha256 = sha256(convert_to(
               coalesce(current_setting('msp.token', true), ''), 'UTF8'))
       AND a.revoked_at IS NULL;
    RETURN t;
END
$$;
REVOKE ALL ON FUNCTION msp.current_token() FROM PUBLIC;
