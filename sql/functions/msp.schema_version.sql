-- The last schema migration this database has applied, for the
-- workers' readiness check (GET /api/v1/health/ready, fcgi/api.c):
-- a worker built for another schema version is not ready to serve.
-- The ledger is in msp_meta, which no application role may read;
-- this function tells them the one number and nothing else.  NULL
-- before any migration.
CREATE OR REPLACE FUNCTION msp.schema_version() RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT max(version) FROM msp_meta.schema_migrations
$$;

REVOKE ALL ON FUNCTION msp.schema_version() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.schema_version() TO msp_app;
