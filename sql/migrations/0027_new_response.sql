-- A response as a submission path hands it to msp.insert_or_replay
-- (sql/functions/msp.insert_or_replay.sql), the one "insert, or replay
-- on a repeated idempotency key" step of the API (one submission or a
-- batch), the public form and msp-report import.  A type of its own
-- rather than msp.response's row type: the callers build it by
-- position, and a column added to the table must not shift them.
-- started_at NULL means now (the table's default).
CREATE TYPE msp.new_response AS (
    study_id        integer,
    instrument_id   integer,
    structure_id    integer,
    respondent_role msp.respondent_role,
    started_at      timestamptz,
    submitted_at    timestamptz,
    status          msp.response_status,
    idempotency_key text,
    request_sha256  bytea,
    resume_sha256   bytea
);
