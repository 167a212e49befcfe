-- A study's stored federation releases (issue 19, item 1: a federation
-- reads aggregates only, and only what the disclosure audit checked;
-- docs/report.md, "Stored releases").
--
-- Today a federation's report is counted again at every request, and
-- the disclosure control runs in the client: a federation token can
-- call msp.report_counts & co. by hand and read raw counts, small ones
-- included.  The way out: msp-report disclosure-protect already builds,
-- under a transient federation token, EVERY report a federation may
-- obtain about a closed study (the audit's parts: the region report
-- under the four missing-data rules, every --by, --nonresponse, the
-- region comparison, --has, --terms of each open item), with the plan
-- applied, and audits them until they pass.  When its run ends, it now
-- stores each of those documents here (msp.federation_release_store,
-- before msp.disclosure_plan_end): what a federation may read is then
-- exactly what the audit read.
--
-- request: the canonical key of the report's options
-- (lib/report/request_key.h: "study=S&by=V&by_role=R&...");
-- document: the report in its JSON format (lib/report/format_json.c,
-- which lib/report/rdoc_json.c reads back into any format);
-- data_version, threshold: what the run's plan was made for
-- (msp.disclosure_plan_state), checked again at each read
-- (msp.federation_release_get refuses a release of other data).
--
-- Step 2 (not here): a federation's report of a closed study is read
-- through msp.federation_release_get, never recounted, and federations
-- lose EXECUTE on every raw-count function.
--
-- No grant: the owner alone reads and writes the table, through the
-- functions (sql/functions/msp.federation_release_*.sql).  A new
-- protection run (msp.disclosure_plan_begin) deletes the study's rows:
-- they belong to the plan it forgets.
CREATE TABLE msp.federation_release (
    study_id     integer NOT NULL REFERENCES msp.study ON DELETE CASCADE,
    request      text NOT NULL CHECK (length(request) BETWEEN 1 AND 4096),
    document     jsonb NOT NULL,
    data_version text NOT NULL,
    threshold    integer NOT NULL CHECK (threshold BETWEEN 1 AND 1000),
    made_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (study_id, request)
);
REVOKE ALL ON msp.federation_release FROM PUBLIC;
