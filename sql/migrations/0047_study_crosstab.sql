-- Maintained cross-tabulations of closed studies (issue 19 item 4).
--
-- A federation reads a study's report only when the study is closed
-- (msp.report_scope), and a closed study accepts no response (0028:
-- msp.study_accepts_response).  So its frequency tables, split by every
-- variable a report may split by (--by) and unsplit, are worked out
-- once when it closes and stored here; the report's count functions
-- read them instead of the answers (over a million responses, a --by
-- counted from the answers took 28.7 s).  These are maintained
-- cross-tabulations, not a cache: they are built in the transaction
-- that closes the study, dropped in the one that reopens it, and
-- rebuilt in the transaction of any write that changes what they
-- count (an erasure, an answer corrected by an analyst, a structure
-- moved to another region, a rule of the report changed), so that in
-- every snapshot they equal a count from the answers.
--
-- study_crosstab holds the rows msp.report_counts_by (split <> '') and
-- msp.report_counts_answers (split = '') return, per region of the
-- responding structures (a federation counts the study's region, an
-- analyst every region: the sum).  In the issue's terms, a row
-- (split, grp, var, val, n) is (a_var, a_val, b_var, b_val, n): n
-- responses (answers for kind 'i') have value grp for the split and
-- val for var; kinds as in msp.report_counts ('i' item values, 'd'
-- derived categories, continuum stage included, 'a' respondents of a
-- multiple-choice item, 'g' group sizes, 't' responses).  Missing is
-- NULL.  study_crosstab_split lists the splits built, so that a reader
-- tells "built, and empty" from "not built" (then it counts from the
-- answers, as before: a study closed before this migration until
-- msp.study_crosstab_build runs for it).
CREATE TABLE msp.study_crosstab (
    study_id  integer NOT NULL REFERENCES msp.study ON DELETE CASCADE,
    region_id smallint NOT NULL,
    split     text NOT NULL,        -- '' : no split
    derived   boolean NOT NULL,     -- split is a report variable
    kind      text NOT NULL,
    var       text,
    val       text,
    grp       text,
    n         bigint NOT NULL
);
CREATE INDEX ON msp.study_crosstab (study_id, split, derived, region_id);

CREATE TABLE msp.study_crosstab_split (
    study_id  integer NOT NULL REFERENCES msp.study ON DELETE CASCADE,
    split     text NOT NULL,
    derived   boolean NOT NULL,
    PRIMARY KEY (study_id, split, derived)
);

-- the regions whose structures responded, and how many structures of
-- each (msp.report_whole and msp.report_population read them instead
-- of every response)
CREATE TABLE msp.study_crosstab_region (
    study_id    integer NOT NULL REFERENCES msp.study ON DELETE CASCADE,
    region_id   smallint NOT NULL,
    respondents bigint NOT NULL,
    PRIMARY KEY (study_id, region_id)
);

-- Whole-study aggregates: like the running totals (0014), only the
-- owner and analysts read them directly; federations and teams through
-- the SECURITY DEFINER report functions.
ALTER TABLE msp.study_crosstab ENABLE ROW LEVEL SECURITY;
ALTER TABLE msp.study_crosstab_split ENABLE ROW LEVEL SECURITY;
ALTER TABLE msp.study_crosstab_region ENABLE ROW LEVEL SECURITY;
CREATE POLICY analyst ON msp.study_crosstab TO msp_analyst
    USING ((SELECT msp.current_kind()) = 'analyst');
CREATE POLICY analyst ON msp.study_crosstab_split TO msp_analyst
    USING ((SELECT msp.current_kind()) = 'analyst');
CREATE POLICY analyst ON msp.study_crosstab_region TO msp_analyst
    USING ((SELECT msp.current_kind()) = 'analyst');
GRANT SELECT ON msp.study_crosstab, msp.study_crosstab_split,
    msp.study_crosstab_region TO msp_analyst;

-- As with the running totals' triggers (0014), a later migration that
-- writes answers, responses, structures or report rules on a fresh
-- database meets the declaration below, which raises: such a write
-- belongs after the function files are loaded (reference data).
-- Declared for the triggers below; defined in sql/functions/
-- (msp.study_crosstab_state.sql, msp.study_crosstab_follow.sql),
-- loaded after the migrations (docs/schema.md).
CREATE FUNCTION msp.study_crosstab_state() RETURNS trigger
    LANGUAGE plpgsql AS $$BEGIN RAISE 'declared only'; END$$;
CREATE FUNCTION msp.study_crosstab_follow() RETURNS trigger
    LANGUAGE plpgsql AS $$BEGIN RAISE 'declared only'; END$$;

-- closing builds, leaving 'closed' drops (msp.study_transition, the
-- reference data's 0009, any UPDATE)
CREATE TRIGGER crosstab_state AFTER UPDATE OF state ON msp.study
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state)
    EXECUTE FUNCTION msp.study_crosstab_state();

-- writes that change what a closed study's tables count rebuild them
-- (a closed study refuses new and updated responses: 0028)
CREATE TRIGGER crosstab_follow AFTER DELETE ON msp.response
    REFERENCING OLD TABLE AS crosstab_rows
    FOR EACH STATEMENT EXECUTE FUNCTION msp.study_crosstab_follow('response');
CREATE TRIGGER crosstab_follow_insert AFTER INSERT ON msp.answer
    REFERENCING NEW TABLE AS crosstab_rows
    FOR EACH STATEMENT EXECUTE FUNCTION msp.study_crosstab_follow('answer');
CREATE TRIGGER crosstab_follow_update AFTER UPDATE ON msp.answer
    REFERENCING OLD TABLE AS crosstab_old NEW TABLE AS crosstab_rows
    FOR EACH STATEMENT
    EXECUTE FUNCTION msp.study_crosstab_follow('answer update');
CREATE TRIGGER crosstab_follow_delete AFTER DELETE ON msp.answer
    REFERENCING OLD TABLE AS crosstab_rows
    FOR EACH STATEMENT EXECUTE FUNCTION msp.study_crosstab_follow('answer');
CREATE TRIGGER crosstab_follow AFTER UPDATE ON msp.structure
    REFERENCING OLD TABLE AS crosstab_old NEW TABLE AS crosstab_rows
    FOR EACH STATEMENT EXECUTE FUNCTION msp.study_crosstab_follow('structure');
CREATE TRIGGER crosstab_follow AFTER INSERT OR UPDATE OR DELETE
    ON msp.report_rule
    FOR EACH STATEMENT EXECUTE FUNCTION msp.study_crosstab_follow('rules');
CREATE TRIGGER crosstab_follow AFTER INSERT OR UPDATE OR DELETE
    ON msp.report_variable
    FOR EACH STATEMENT EXECUTE FUNCTION msp.study_crosstab_follow('rules');
