-- An instrument version that has responses is immutable: its answers
-- were given to those words, those choices and those conditions, and
-- the reports read them through it.  A changed questionnaire is a new
-- version (msp-report instrument import does so); this trigger is the
-- guarantee whoever writes the tables, CLI, script or hand-typed SQL.
-- SECURITY DEFINER: the check must see every response, whatever rows
-- the writer's own policies let it see.  AFTER the row: a malformed row
-- is refused first by its own CHECK or foreign key (their SQLSTATE is
-- what a caller learns from), and the foreign keys' triggers ("RI_…")
-- sort before "frozen".
--
-- What the triggers run is sql/functions/msp.instrument_frozen_guard.sql
-- (docs/schema.md): declared here so that the triggers can be created.
CREATE FUNCTION msp.instrument_frozen_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$BEGIN RAISE 'declared only'; END$$;

CREATE TRIGGER frozen AFTER UPDATE OR DELETE ON msp.instrument
    FOR EACH ROW EXECUTE FUNCTION msp.instrument_frozen_guard();
CREATE TRIGGER frozen AFTER INSERT OR UPDATE OR DELETE
    ON msp.instrument_item
    FOR EACH ROW EXECUTE FUNCTION msp.instrument_frozen_guard();
CREATE TRIGGER frozen AFTER INSERT OR UPDATE OR DELETE ON msp.item_option
    FOR EACH ROW EXECUTE FUNCTION msp.instrument_frozen_guard();
