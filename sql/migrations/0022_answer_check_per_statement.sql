
-- A transition table serves one event per trigger.  The names still
-- start with a capital: among the statement's own triggers these fire
-- first (name order), so a refused statement is refused before the
-- audit and the totals do their work.
-- Declared for the triggers below; defined in sql/functions/ (msp.answers_match_items.sql),
-- loaded after the migrations (docs/schema.md).
CREATE FUNCTION msp.answers_match_items() RETURNS trigger
    LANGUAGE plpgsql AS $$BEGIN RAISE 'declared only'; END$$;
CREATE TRIGGER "Answers_match_items_insert" AFTER INSERT ON msp.answer
    REFERENCING NEW TABLE AS answers_written
    FOR EACH STATEMENT EXECUTE FUNCTION msp.answers_match_items();
CREATE TRIGGER "Answers_match_items_update" AFTER UPDATE ON msp.answer
    REFERENCING NEW TABLE AS answers_written
    FOR EACH STATEMENT EXECUTE FUNCTION msp.answers_match_items();
