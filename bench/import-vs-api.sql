-- bench/import-vs-api.sql — the API's batched path against the import,
-- per response, on the import's own responses.
--
--   psql -v study=SLUG -f bench/import-vs-api.sql "$MSP_DATABASE_URL"
--
-- Run as the owner, on a throwaway cluster where `msp-report import`
-- has just stored study SLUG (time that import: its seconds over its
-- rows are the import's figure).  Takes the study's first 1,008
-- responses with their answers as msp.store_answers reads them, and
-- stores them again through msp.api_submit_many, 16 submissions a call
-- with one team token (what bench/api.sh's workers do, with its
-- four-answer payload replaced by the import's), in one transaction;
-- psql's \timing of that statement over 1,008 is the API batch's
-- figure.  Both run as the owner: Row-Level Security applies to
-- neither.  Run the import and this in turn, twice or more: the
-- machine's load moves both.  docs/performance.md has the figures.
\set ON_ERROR_STOP 1
BEGIN;
INSERT INTO msp.access_token (token_sha256, kind, structure_id, label)
SELECT pg_catalog.sha256('bench-import-vs-api'), 'team', r.structure_id,
       'bench/import-vs-api.sql'
  FROM msp.response r JOIN msp.study s USING (study_id)
 WHERE s.slug = :'study' ORDER BY r.response_id LIMIT 1
    ON CONFLICT DO NOTHING;
CREATE TEMP TABLE sub AS
SELECT pg_catalog.row_number() OVER (ORDER BY r.response_id) AS n,
       r.study_id, r.respondent_role::text AS role,
       r.status = 'complete' AS complete,
       (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_strip_nulls(
               pg_catalog.jsonb_build_object('k', a.item_key,
               'c', a.choice_code, 'n', a.num_value, 't', a.text_value,
               'b', a.bool_value)) ORDER BY a.answer_id)
          FROM msp.answer a WHERE a.response_id = r.response_id) AS answers
  FROM msp.response r JOIN msp.study s USING (study_id)
 WHERE s.slug = :'study'
 ORDER BY r.response_id LIMIT 1008;
SELECT pg_catalog.sum(pg_catalog.jsonb_array_length(answers)) AS answers
  FROM sub;
CREATE TEMP TABLE calls AS
SELECT (n - 1) / 16 AS c, pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
       'token', 'bench-import-vs-api', 'study', study_id,
       'key', 'bench-' || pg_catalog.txid_current() || '-' || n,
       'request', NULL, 'role', role, 'complete', complete,
       'structure', NULL, 'answers', answers) ORDER BY n) AS batch
  FROM sub GROUP BY 1;
COMMIT;
\timing on
BEGIN;
SELECT pg_catalog.count(*) AS submissions,
       pg_catalog.count(*) FILTER (WHERE refused IS NOT NULL) AS refused,
       pg_catalog.sum(n_answers) AS answers
  FROM calls, LATERAL msp.api_submit_many(calls.batch);
COMMIT;
\timing off
