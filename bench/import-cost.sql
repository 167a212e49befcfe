-- bench/import-cost.sql — where a batch of the import's answers spends
-- its time: each trigger and foreign key, as EXPLAIN ANALYZE counts them.
--
--   psql -v study=SLUG -f bench/import-cost.sql "$MSP_DATABASE_URL"
--
-- Run as the owner, on a throwaway cluster where `msp-report import`
-- has stored study SLUG.  Inside a transaction that it rolls back, it
-- deletes the answers of the study's first 1,000 responses (the size of
-- an import batch, IMPORT_BATCH) and inserts them again in one
-- statement, as the import's batch does, under EXPLAIN ANALYZE: the
-- "Trigger" lines are the audit trail, the running totals, the
-- answer-against-item check, the report cache's stamp and the three
-- foreign keys of msp.answer, the rest is the table and its indexes.
-- docs/performance.md has the figures.
\set ON_ERROR_STOP 1
BEGIN;
SELECT pg_catalog.set_config('msp.actor', 'import', true);
CREATE TEMP TABLE batch ON COMMIT DROP AS
SELECT a.* FROM msp.answer a
 WHERE a.response_id IN (SELECT r.response_id
                           FROM msp.response r JOIN msp.study s
                          USING (study_id)
                          WHERE s.slug = :'study'
                          ORDER BY r.response_id LIMIT 1000);
DELETE FROM msp.answer a USING batch b WHERE a.answer_id = b.answer_id;
EXPLAIN (ANALYZE, BUFFERS OFF)
INSERT INTO msp.answer (response_id, instrument_id, item_key, choice_code,
                        num_value, text_value, bool_value)
SELECT response_id, instrument_id, item_key, choice_code, num_value,
       text_value, bool_value
  FROM batch ORDER BY answer_id;
ROLLBACK;
