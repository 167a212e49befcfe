-- Resolving coders' disagreements and accepting suggested codes (issue
-- 22, items 3 and 7).
--
-- msp.answer_resolution records that an analyst resolved an open
-- answer: the resolved codings (msp.answer_code, state 'resolved') are
-- then the agreed ones, and "resolved with no code" is a decision the
-- table keeps, where the absence of resolved codings alone could not
-- tell it from "not resolved yet".  msp.coding_resolve_answer writes
-- both in one call.
--
-- msp.answer_code.suggested: the coding began as a suggestion of
-- msp-report code suggest, accepted by the analyst (code apply
-- --from-suggestion, msp.coding_apply_suggestion); a suggestion itself
-- is never stored: it is not a coding until someone accepts it.  The
-- --has report says how many resolved codings began so.

ALTER TABLE msp.answer_code
    ADD COLUMN suggested boolean NOT NULL DEFAULT false;

-- One row per resolved answer (a response's answer to an item, as
-- msp.answer_code names it).  ON DELETE CASCADE: an erased response
-- (RGPD) takes its resolutions with it; msp_audit.about_structure
-- finds their audit rows by the response_id they carry.
CREATE TABLE msp.answer_resolution (
    resolution_id bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    response_id bigint NOT NULL,
    study_id    integer NOT NULL REFERENCES msp.study,
    item_key    text NOT NULL,
    resolved_by text NOT NULL CHECK (btrim(resolved_by) <> ''),
    resolved_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (response_id, item_key),
    FOREIGN KEY (response_id, study_id)
        REFERENCES msp.response (response_id, study_id) ON DELETE CASCADE
);
CREATE INDEX ON msp.answer_resolution (study_id);

-- Analysts read; the function writes (as its owner).  Teams and
-- federations: nothing (as msp.memo, 0039).
ALTER TABLE msp.answer_resolution ENABLE ROW LEVEL SECURITY;
CREATE POLICY analyst ON msp.answer_resolution TO msp_analyst
    USING ((SELECT msp.current_kind()) = 'analyst');
GRANT SELECT ON msp.answer_resolution TO msp_analyst;

CREATE TRIGGER audit_insert AFTER INSERT ON msp.answer_resolution
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION msp_audit.record('resolution_id');
CREATE TRIGGER audit_update AFTER UPDATE ON msp.answer_resolution
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION msp_audit.record('resolution_id');
CREATE TRIGGER audit_delete AFTER DELETE ON msp.answer_resolution
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION msp_audit.record('resolution_id');
