-- The index on msp.response (instrument_id) of 0034 carries the
-- response id too.  The foreign-key check of every answer, (response_id,
-- instrument_id) against msp.response, is planned from the statistics:
-- with none (a table never analysed) and reltuples 0 (autovacuum's
-- ANALYZE during an import, which cannot see the import's rows), it
-- chose the index on instrument_id alone and read every response of
-- the instrument for each answer stored, a minute a batch after 15,000
-- responses (docs/performance.md, "An import that slows down").  With
-- both columns in the index, any index the check picks finds its row.
-- msp.instrument_frozen_guard's lookup by instrument_id is served as
-- before.
DROP INDEX msp.response_instrument_id;
CREATE INDEX response_instrument_id ON msp.response
    (instrument_id, response_id);
