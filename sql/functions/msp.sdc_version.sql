-- The version of the disclosure module msp_sdc.so (pg/msp_sdc.c) the
-- server loaded.  The COMMENT is the version these SQL declarations
-- expect: db migrate (lib/migrate.c) compares the two after applying
-- the function files and refuses a module of another version (a stale
-- .so left in the server's library directory), naming both.  Change
-- it with MSP_SDC_VERSION in pg/msp_sdc.c.
CREATE OR REPLACE FUNCTION msp.sdc_version() RETURNS text
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'msp_sdc', 'msp_sdc_version';
COMMENT ON FUNCTION msp.sdc_version() IS '1';
