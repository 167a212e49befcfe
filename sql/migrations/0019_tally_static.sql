-- 0014's triggers built their statement with format() and ran it with
-- EXECUTE, so every statement that wrote answers had it parsed and
-- planned again: about 0.5 ms of server CPU per API submission, a third
-- of the database's ceiling (bench/api.sh against TALLY_OFF=1,
-- docs/report.md).  Inserts and deletes of answers, which the API and
-- the forms make, now run one statement written out here, whose plan
-- PL/pgSQL keeps for the session: both triggers name their transition
-- table tally_rows and pass their sign.  Updates of answers (rare) keep
-- 0014's function; a response update that moves no response in or out
-- of the totals returns before building anything.

-- Declared for the triggers below; defined in sql/functions/ (msp.tally_rows.sql),
-- loaded after the migrations (docs/schema.md).
CREATE FUNCTION msp.tally_rows() RETURNS trigger
    LANGUAGE plpgsql AS $$BEGIN RAISE 'declared only'; END$$;

DROP TRIGGER tally_insert ON msp.answer;
DROP TRIGGER tally_delete ON msp.answer;
CREATE TRIGGER tally_insert AFTER INSERT ON msp.answer
    REFERENCING NEW TABLE AS tally_rows
    FOR EACH STATEMENT EXECUTE FUNCTION msp.tally_rows('1');
CREATE TRIGGER tally_delete AFTER DELETE ON msp.answer
    REFERENCING OLD TABLE AS tally_rows
    FOR EACH STATEMENT EXECUTE FUNCTION msp.tally_rows('-1');

