-- Disclosure control inside the database (issue 19): the release of a
-- block's counts at a threshold, decided by the module msp_sdc.so
-- (pg/msp_sdc.c) from the same sources as msp-report's
-- (lib/report/release.c: primary suppression from 1 to threshold - 1,
-- then Gaussian-elimination complementary suppression, Langsrud 2024).
--
-- p_counts: one block's counts, {"kind": "single", "rows": R, ...}
-- (lib/report/release_json.h), or an array of them; the result is the
-- release, or the array of releases in the same order, in which a
-- hidden figure is its reason ("primary", "complementary"), never its
-- value.  p_threshold: 0 (publish everything: an analyst's release) to
-- 1000.  Malformed counts raise 22023.
--
-- Pure (IMMUTABLE): it reads nothing and decides on its arguments only,
-- so it gives nobody anything they did not bring.  Only the owner and
-- the SECURITY DEFINER functions that gather counts call it.
CREATE OR REPLACE FUNCTION msp.sdc_release(p_counts jsonb,
    p_threshold integer) RETURNS jsonb
LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
AS 'msp_sdc', 'msp_sdc_release';
REVOKE ALL ON FUNCTION msp.sdc_release(jsonb, integer) FROM PUBLIC;
