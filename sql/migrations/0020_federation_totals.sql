-- A federation's report read every answer of the study under row-level
-- security (37.5 s over a million responses, bench/report.sh), because
-- the running totals of 0014 count the whole study and were the
-- analysts' alone.
-- Yet a federation usually sees the whole of its region's study: then
-- the totals are exactly its counts, and it may read them.  Whether it
-- does is decided here, in the same snapshot as the report, never
-- assumed: a response whose structure lies outside the federation's
-- region (an analyst may file one; a form pseudonym may already exist
-- elsewhere) keeps the study's totals from it, and its report counts
-- what it sees, as before.

-- Declared for the policies below; defined in sql/functions/ (msp.whole_studies.sql),
-- loaded after the migrations (docs/schema.md).
CREATE FUNCTION msp.whole_studies() RETURNS integer[]
    LANGUAGE plpgsql AS $$BEGIN RAISE 'declared only'; END$$;

-- Read only: the rows are the same for everyone who may see them, and
-- only the triggers (as owner) write them.  The sub-select makes the
-- list an init plan, computed once per statement.
CREATE POLICY federation ON msp.answer_tally FOR SELECT TO msp_federation
    USING (study_id = ANY ((SELECT msp.whole_studies())::integer[]));
CREATE POLICY federation ON msp.word_tally FOR SELECT TO msp_federation
    USING (study_id = ANY ((SELECT msp.whole_studies())::integer[]));
GRANT SELECT ON msp.answer_tally, msp.word_tally TO msp_federation;

-- The report folds the deltas it read (rdata_cache_store) with
-- msp.tally_compact, which changes no sum: a federation may run it too.
