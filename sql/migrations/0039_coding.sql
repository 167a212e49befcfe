-- Qualitative coding (issue 22, items 1, 3, 4, 5): a study's codebook
-- made hierarchical and documented, codings of open answers and of
-- interview transcripts that record their coder and their state, memos.
--
-- A superset of 0004/0010, not a new model beside them: msp.study_code
-- stays the codebook, msp.answer_code the codings of open answers,
-- msp.segment the coded passages of interviews.  They gain columns; every
-- row that existed is kept, as a resolved coding by the coder 'import'
-- (what POST /api/v1/interviews and SQL loads wrote), so what reads them
-- today (the API, team_export, erase_structure, the reports) reads the
-- same rows.  Rows written by SQL without the new columns get the same
-- defaults; the coding functions always say who coded and in what state.
--
-- Writes go through SECURITY DEFINER functions (sql/functions/msp.codebook_*,
-- msp.coding_*, msp.memo_add, msp.interview_transcript_set) that ask
-- msp.require_fieldwork_manager(): an analyst token, or the owner's
-- msp-report with no token (0034's rule).  The new tables (transcripts,
-- memos) are the analysts' only: no grant, no policy for teams or
-- federations.

-- --- the codebook -----------------------------------------------------------

-- code_id: a bigint-able key for the audit log (msp_audit.record needs
-- one column); guid: the code's identity in REFI-QDA files (unique in a
-- study, kept across export and import, so a codebook read back names
-- the same codes).
ALTER TABLE msp.study_code
    ADD COLUMN code_id integer GENERATED ALWAYS AS IDENTITY UNIQUE,
    ADD COLUMN guid uuid NOT NULL DEFAULT gen_random_uuid(),
    ADD COLUMN parent text,
    ADD COLUMN definition_fr text NOT NULL DEFAULT ''
        CHECK (length(definition_fr) <= 10000),
    -- true: mapped explicitly to no HAS category (a decision), as opposed
    -- to no crosswalk row yet (not decided)
    ADD COLUMN has_none boolean NOT NULL DEFAULT false,
    ADD UNIQUE (study_id, guid),
    ADD CHECK (parent IS NULL OR parent <> code),
    ADD FOREIGN KEY (study_id, parent) REFERENCES msp.study_code (study_id, code);
CREATE INDEX ON msp.study_code (study_id, parent);

ALTER TABLE msp.crosswalk
    ADD COLUMN crosswalk_id integer GENERATED ALWAYS AS IDENTITY UNIQUE;

-- --- codings ---------------------------------------------------------------

CREATE TYPE msp.coding_state AS ENUM ('own', 'resolved');

-- Open answers.  start_pos/end_pos: character offsets into the answer's
-- text_value (0-based, end excluded, as REFI-QDA's PlainTextSelection);
-- both NULL: the whole answer.  Two coders may apply the same code to
-- the same passage, so the key becomes coding_id.
ALTER TABLE msp.answer_code
    ADD COLUMN coding_id bigint GENERATED ALWAYS AS IDENTITY,
    ADD COLUMN start_pos integer,
    ADD COLUMN end_pos integer,
    ADD COLUMN coder text NOT NULL DEFAULT 'import'
        CHECK (btrim(coder) <> '' AND length(coder) <= 200),
    ADD COLUMN state msp.coding_state NOT NULL DEFAULT 'resolved',
    ADD COLUMN guid uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    ADD COLUMN coded_at timestamptz NOT NULL DEFAULT now(),
    ADD CHECK ((start_pos IS NULL) = (end_pos IS NULL)),
    ADD CHECK (start_pos IS NULL OR (start_pos >= 0 AND end_pos > start_pos));
ALTER TABLE msp.answer_code DROP CONSTRAINT answer_code_pkey;
ALTER TABLE msp.answer_code ADD PRIMARY KEY (coding_id);
CREATE UNIQUE INDEX answer_code_once ON msp.answer_code
    (response_id, item_key, code, coder, state,
     coalesce(start_pos, -1), coalesce(end_pos, -1));
CREATE INDEX ON msp.answer_code (response_id);

-- Interview transcripts: a table of their own, not a column of
-- msp.interview, because teams read their structure's interview rows
-- (0006, and msp.team_export for the right of access) and a transcript
-- is the analysts' working material.  Its text is what segment offsets
-- point into; it cannot be replaced under segments that have offsets
-- (msp.interview_transcript_set).
CREATE TABLE msp.interview_transcript (
    interview_id integer PRIMARY KEY
        REFERENCES msp.interview ON DELETE CASCADE,
    body        text NOT NULL
        CHECK (btrim(body) <> '' AND length(body) <= 1000000),
    guid        uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Interview segments: offsets into the transcript (NULL for the
-- pre-coded verbatims of POST /api/v1/interviews, which have none).
ALTER TABLE msp.segment
    ADD COLUMN start_pos integer,
    ADD COLUMN end_pos integer,
    ADD COLUMN coder text NOT NULL DEFAULT 'import'
        CHECK (btrim(coder) <> '' AND length(coder) <= 200),
    ADD COLUMN state msp.coding_state NOT NULL DEFAULT 'resolved',
    ADD COLUMN guid uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    ADD COLUMN coded_at timestamptz NOT NULL DEFAULT now(),
    ADD CHECK ((start_pos IS NULL) = (end_pos IS NULL)),
    ADD CHECK (start_pos IS NULL OR (start_pos >= 0 AND end_pos > start_pos));
CREATE UNIQUE INDEX segment_once ON msp.segment
    (interview_id, code, coder, state, start_pos, end_pos)
    WHERE start_pos IS NOT NULL;

-- --- memos -----------------------------------------------------------------

-- A memo is about exactly one thing: a code, an open answer (its
-- response and item, as msp.answer_code names it) or an interview.  ON
-- DELETE CASCADE: a response or interview erased (RGPD) takes its memos
-- with it, and msp_audit.about_structure finds their audit rows by the
-- response_id or interview_id they carry.
CREATE TABLE msp.memo (
    memo_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    study_id    integer NOT NULL REFERENCES msp.study,
    code        text,
    response_id bigint,
    item_key    text,
    interview_id integer REFERENCES msp.interview ON DELETE CASCADE,
    author      text NOT NULL CHECK (btrim(author) <> ''),
    body        text NOT NULL
        CHECK (btrim(body) <> '' AND length(body) <= 20000),
    guid        uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,
    written_at  timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (study_id, code) REFERENCES msp.study_code,
    FOREIGN KEY (response_id, study_id)
        REFERENCES msp.response (response_id, study_id) ON DELETE CASCADE,
    CHECK ((response_id IS NULL) = (item_key IS NULL)),
    CHECK (num_nonnulls(code, response_id, interview_id) = 1)
);
CREATE INDEX ON msp.memo (study_id);

-- --- rights ----------------------------------------------------------------

-- Analysts read; nobody writes these tables directly (the functions do,
-- as their owner).  Teams and federations: nothing.
ALTER TABLE msp.interview_transcript ENABLE ROW LEVEL SECURITY;
ALTER TABLE msp.memo ENABLE ROW LEVEL SECURITY;
CREATE POLICY analyst ON msp.interview_transcript TO msp_analyst
    USING ((SELECT msp.current_kind()) = 'analyst');
CREATE POLICY analyst ON msp.memo TO msp_analyst
    USING ((SELECT msp.current_kind()) = 'analyst');
GRANT SELECT ON msp.interview_transcript, msp.memo TO msp_analyst;

-- --- audit -----------------------------------------------------------------

-- Every change to the codebook, the codings and the memos is logged, as
-- 0005 logs answers and segments (segment already is).
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES ('study_code', 'code_id'),
                                   ('crosswalk', 'crosswalk_id'),
                                   ('answer_code', 'coding_id'),
                                   ('interview_transcript', 'interview_id'),
                                   ('memo', 'memo_id')) AS v(tab, key)
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
