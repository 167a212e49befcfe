-- A study's protection plan (issue 19, item 2; docs/report.md, "The
-- protection plan").  Each federation report is decided block by block
-- (lib/report/release.c); read together, the reports gave small counts
-- back (msp-report disclosure-audit measured it).  msp-report
-- disclosure-protect audits every report a federation may ask about a
-- closed study, as that federation, and names here the figures to hide
-- in EVERY report where they appear, until the audit passes; the
-- reports then hide them before each block's own elimination.
--
-- figure: the identity lib/report/figure_id.c writes ("var|cat|col").
-- round: the audit round that added it; why: what failed.
CREATE TABLE msp.disclosure_plan (
    study_id    integer NOT NULL REFERENCES msp.study ON DELETE CASCADE,
    figure      text NOT NULL CHECK (length(figure) BETWEEN 1 AND 511),
    round       integer NOT NULL CHECK (round > 0),
    why         text NOT NULL,
    PRIMARY KEY (study_id, figure)
);

-- What a plan was made for: the threshold and the study's data
-- (msp.disclosure_data_version), so that a report never applies a plan
-- made for other data (an erasure, a reopen) or another threshold.
-- complete: the run ended, the audit passing or no hiding helping any
-- more (fails_after); until then only the transient federation token
-- of the run (protect_token, its SHA-256) reads the reports.
CREATE TABLE msp.disclosure_plan_state (
    study_id     integer PRIMARY KEY
                 REFERENCES msp.study ON DELETE CASCADE,
    threshold    integer NOT NULL CHECK (threshold BETWEEN 1 AND 1000),
    data_version text NOT NULL,
    rounds       integer NOT NULL DEFAULT 0 CHECK (rounds >= 0),
    complete     boolean NOT NULL DEFAULT false,
    protect_token bytea CHECK (length(protect_token) = 32),
    hidden_before integer,
    hidden_after integer,
    -- hidden figures still failing the audit when no more hiding helps
    -- (docs/report.md, "What the loop cannot fix"); 0: it passed
    fails_after  integer,
    made_at      timestamptz NOT NULL DEFAULT now()
);

-- Which figures are hidden is public (the reports print them hidden):
-- every kind reads the plan.  Only the owner writes, through the
-- functions (sql/functions/msp.disclosure_plan_*.sql); the run's token
-- is no one else's business.
GRANT SELECT ON msp.disclosure_plan TO msp_team, msp_federation, msp_analyst;
GRANT SELECT (study_id, threshold, data_version, rounds, complete,
              hidden_before, hidden_after, fails_after, made_at)
    ON msp.disclosure_plan_state TO msp_team, msp_federation, msp_analyst;
