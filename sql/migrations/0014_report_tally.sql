-- Running totals of every study's answers, so that the whole-study
-- report (msp-report --region, lib/report_data.c) reads a few hundred
-- rows instead of scanning every answer: over a million responses the
-- scan took 10 s for the frequency tables and as long again for the
-- words of one open question (docs/report.md, "Speed").
--
-- Only the answers of complete responses count, as in the report.
-- The totals are kept by statement-level triggers on msp.answer and
-- msp.response as *deltas*: each statement appends its own rows and
-- never updates another's, so concurrent submissions never wait on
-- one another; readers sum them (msp.tally_compact folds them).
-- msp-report generate's fast load (session_replication_role = replica,
-- which switches these triggers off) writes the totals of what it
-- loads itself; with --checked the triggers do.  Whole-study totals:
-- like msp.report_cache, only the owner and analysts read them; a
-- federation's or a team's report is computed under its own Row-Level
-- Security from the answers.

-- kind 'v': answers with this value (all NULL: open answers);
-- kind 'r': responses that answered the item (values NULL)
CREATE TABLE msp.answer_tally (
    study_id    integer NOT NULL REFERENCES msp.study ON DELETE CASCADE,
    item_key    text NOT NULL,
    kind        "char" NOT NULL CHECK (kind IN ('v', 'r')),
    choice_code text,
    bool_value  boolean,
    num_value   numeric,
    n           bigint NOT NULL
);
CREATE INDEX ON msp.answer_tally (study_id);

-- The words of open answers, split as the report splits them: how
-- often each is written, and in how many answers.
CREATE TABLE msp.word_tally (
    study_id    integer NOT NULL REFERENCES msp.study ON DELETE CASCADE,
    item_key    text NOT NULL,
    word        text NOT NULL,
    occurrences bigint NOT NULL,
    answers     bigint NOT NULL
);
CREATE INDEX ON msp.word_tally (study_id, item_key);

ALTER TABLE msp.answer_tally ENABLE ROW LEVEL SECURITY;
ALTER TABLE msp.word_tally ENABLE ROW LEVEL SECURITY;
CREATE POLICY analyst ON msp.answer_tally TO msp_analyst
    USING ((SELECT msp.current_kind()) = 'analyst');
CREATE POLICY analyst ON msp.word_tally TO msp_analyst
    USING ((SELECT msp.current_kind()) = 'analyst');
GRANT SELECT ON msp.answer_tally, msp.word_tally TO msp_analyst;

-- Declared for the triggers below; defined in sql/functions/ (msp.tally_answers.sql, msp.tally_responses.sql, msp.tally_response_delete.sql),
-- loaded after the migrations (docs/schema.md).
CREATE FUNCTION msp.tally_answers() RETURNS trigger
    LANGUAGE plpgsql AS $$BEGIN RAISE 'declared only'; END$$;
CREATE FUNCTION msp.tally_responses() RETURNS trigger
    LANGUAGE plpgsql AS $$BEGIN RAISE 'declared only'; END$$;
CREATE FUNCTION msp.tally_response_delete() RETURNS trigger
    LANGUAGE plpgsql AS $$BEGIN RAISE 'declared only'; END$$;

CREATE TRIGGER tally_insert AFTER INSERT ON msp.answer
    REFERENCING NEW TABLE AS tally_new
    FOR EACH STATEMENT EXECUTE FUNCTION msp.tally_answers();
CREATE TRIGGER tally_update AFTER UPDATE ON msp.answer
    REFERENCING OLD TABLE AS tally_old NEW TABLE AS tally_new
    FOR EACH STATEMENT EXECUTE FUNCTION msp.tally_answers();
CREATE TRIGGER tally_delete AFTER DELETE ON msp.answer
    REFERENCING OLD TABLE AS tally_old
    FOR EACH STATEMENT EXECUTE FUNCTION msp.tally_answers();

CREATE TRIGGER tally_update AFTER UPDATE ON msp.response
    REFERENCING OLD TABLE AS tally_old NEW TABLE AS tally_new
    FOR EACH STATEMENT EXECUTE FUNCTION msp.tally_responses();

CREATE TRIGGER tally_delete BEFORE DELETE ON msp.response
    FOR EACH ROW EXECUTE FUNCTION msp.tally_response_delete();

-- (The recount of the studies already loaded that stood here ran on every
-- database made before the functions moved to sql/functions/; a
-- database created since has no study at this point.)
