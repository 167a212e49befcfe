-- The audit trail: every insert, update and delete on responses,
-- answers, interviews and segments, recorded by triggers in the database
-- itself, so that no client path can skip it.  Who: the database role
-- and the application identity (the msp.actor setting the worker and
-- the CLI put on each transaction).  When: the transaction's time.
--
-- Statement-level triggers with transition tables write one INSERT ...
-- SELECT per statement, not one per row, so a COPY of many rows stays
-- fast.

CREATE SCHEMA msp_audit;

CREATE TABLE msp_audit.log (
    audit_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    db_role     text NOT NULL DEFAULT current_user,
    actor       text,
    table_name  text NOT NULL,
    operation   text NOT NULL
                CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE', 'ERASE')),
    row_id      bigint,
    -- set where the row names its structure, so an erasure finds it
    structure_id integer,
    old_row     jsonb,
    new_row     jsonb
);
CREATE INDEX ON msp_audit.log (table_name, row_id);
CREATE INDEX ON msp_audit.log (structure_id) WHERE structure_id IS NOT NULL;

-- Declared for the triggers below; defined in sql/functions/ (msp_audit.record.sql),
-- loaded after the migrations (docs/schema.md).
CREATE FUNCTION msp_audit.record() RETURNS trigger
    LANGUAGE plpgsql AS $$BEGIN RAISE 'declared only'; END$$;

-- Transition tables allow one event per trigger: three per table.
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES ('response', 'response_id'),
                                   ('answer', 'answer_id'),
                                   ('interview', 'interview_id'),
                                   ('segment', 'segment_id')) AS v(tab, key)
    LOOP
        EXECUTE format('CREATE TRIGGER audit_insert AFTER INSERT ON msp.%I'
            ' REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT'
            ' EXECUTE FUNCTION msp_audit.record(%L)', t.tab, t.key);
        EXECUTE format('CREATE TRIGGER audit_update AFTER UPDATE ON msp.%I'
            ' REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows'
            ' FOR EACH STATEMENT EXECUTE FUNCTION msp_audit.record(%L)',
            t.tab, t.key);
        EXECUTE format('CREATE TRIGGER audit_delete AFTER DELETE ON msp.%I'
            ' REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT'
            ' EXECUTE FUNCTION msp_audit.record(%L)', t.tab, t.key);
    END LOOP;
END
$$;
