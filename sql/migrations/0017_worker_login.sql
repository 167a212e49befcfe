-- The login role msp-fcgi connects as: a member of msp_app (0008) and
-- nothing else.  Until a request enters a token's identity
-- (msp.enter), the policies of 0006 show it no tenant row; it can read
-- the instruments and studies, and call the SECURITY DEFINER doors
-- that 0011 granted to msp_app.  It owns nothing, cannot create
-- objects in schema msp, and is not a superuser, so RLS always
-- applies and a bug in the worker cannot read past it.
--
-- No password is set here: the dev and test clusters trust their
-- private unix socket; on a shared server the administrator sets one
-- (ALTER ROLE msp_worker PASSWORD ...) or maps it in pg_hba.conf.
-- Roles belong to the cluster, so a second database finds it there.
DO $$
BEGIN
    CREATE ROLE msp_worker LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE
        NOBYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;
GRANT msp_app TO msp_worker;
