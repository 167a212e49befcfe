-- Fieldwork writes go through doors (review of 0028, findings 1, 2, 9).
--
-- 0028 granted INSERT and UPDATE on msp.region, msp.federation and
-- msp.study to msp_analyst.  msp_worker inherits that role through
-- msp_app (0008, 0017), so the worker login could, with no token at all,
-- reopen a closed study (UPDATE msp.study SET state = 'open') or add a
-- region; and an analyst could open a draft by UPDATE, skipping
-- msp.study_transition, so its test responses stayed and were counted.
-- 0006's rule is that the role alone is not enough: what a login may do
-- depends on the token of its transaction.  So the grants go, and the
-- writes are SECURITY DEFINER functions (sql/functions/) that first call
-- msp.require_fieldwork_manager(): an analyst token, or no token at all
-- from a login that owns schema msp (msp-report run by the owner).
--   msp.region_add(text, text, text)
--   msp.federation_add(text, text, text)
--   msp.study_create(text, smallint, smallint, text, integer, date, date,
--                    integer)
--   msp.study_transition(text, text, date)   (now checks too)
--
-- What this corrects in the comments of applied migrations (which are
-- never edited: their checksums are in msp_meta.schema_migrations):
--   0028's header, "the database owner, or an analyst token ... a
--   federation or a team token is refused by the grants themselves",
--   held only for tokens: the grants went to a role, and a login with
--   that role and no token passed.  Now the functions above say it.
--   0017's "it can read the instruments and studies": it could also
--   write regions, federations and studies from 0028 until this
--   migration; it now reads them only, and the fieldwork doors refuse
--   it without an analyst token.
REVOKE INSERT, UPDATE ON msp.region, msp.federation, msp.study
    FROM msp_analyst;

-- msp.instrument_frozen_guard looks for a response of the instrument
-- on every write of msp.instrument_item / msp.item_option: without an
-- index that was a scan of msp.response per row.
CREATE INDEX response_instrument_id ON msp.response (instrument_id);

-- A draft's responses are tests, and a study that leaves the draft state
-- loses them, however it leaves it: msp.study_transition('open') deletes
-- them, and so does this trigger for any other UPDATE (the owner's own
-- SQL), so that the running totals, which count them, never reach a
-- report (review finding 2).  What it does is
-- sql/functions/msp.study_drops_tests.sql.
CREATE FUNCTION msp.study_drops_tests() RETURNS trigger
    LANGUAGE plpgsql AS $$BEGIN RAISE 'declared only'; END$$;

CREATE TRIGGER study_drops_tests
    AFTER UPDATE OF state ON msp.study
    FOR EACH ROW
    WHEN (OLD.state = 'draft' AND NEW.state <> 'draft')
    EXECUTE FUNCTION msp.study_drops_tests();
