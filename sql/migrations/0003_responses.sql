-- Survey responses: one row per submission, typed answers per item.
-- Foreign keys, not application code, guarantee that an answer names an
-- item (and an option) of the instrument of the response's own study.

CREATE TYPE msp.response_status AS ENUM ('partial', 'complete');

CREATE TYPE msp.respondent_role AS ENUM
    ('coordinateur', 'leader', 'responsable_groupe', 'secretaire',
     'professionnel_sante', 'autre');

CREATE TABLE msp.response (
    response_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    study_id    integer NOT NULL,
    instrument_id integer NOT NULL,
    structure_id integer NOT NULL REFERENCES msp.structure ON DELETE CASCADE,
    respondent_role msp.respondent_role,
    started_at  timestamptz NOT NULL DEFAULT now(),
    submitted_at timestamptz,
    status      msp.response_status NOT NULL DEFAULT 'partial',
    -- a retried submission carries the same key and is stored once
    idempotency_key text NOT NULL UNIQUE
                CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    FOREIGN KEY (study_id, instrument_id)
        REFERENCES msp.study (study_id, instrument_id),
    UNIQUE (response_id, instrument_id),
    CHECK ((status = 'complete') = (submitted_at IS NOT NULL)),
    CHECK (submitted_at IS NULL OR submitted_at >= started_at)
);
CREATE INDEX ON msp.response (study_id, submitted_at);
CREATE INDEX ON msp.response (structure_id);

-- One row per answered item; a multiple choice has one row per chosen
-- option.  Exactly one value column is set, the one the item's type
-- calls for (checked against the item by the trigger below).
CREATE TABLE msp.answer (
    answer_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    response_id bigint NOT NULL,
    instrument_id integer NOT NULL,
    item_key    text NOT NULL,
    choice_code text,
    num_value   numeric,
    text_value  text,
    bool_value  boolean,
    FOREIGN KEY (response_id, instrument_id)
        REFERENCES msp.response (response_id, instrument_id)
        ON DELETE CASCADE,
    FOREIGN KEY (instrument_id, item_key) REFERENCES msp.instrument_item,
    FOREIGN KEY (instrument_id, item_key, choice_code)
        REFERENCES msp.item_option,
    CHECK (num_nonnulls(choice_code, num_value, text_value, bool_value) = 1)
);
-- One value per single-valued item, one row per chosen option.
CREATE UNIQUE INDEX answer_one_value
    ON msp.answer (response_id, item_key, coalesce(choice_code, ''));

-- The item's type decides which column may hold its value: the answer
-- triggers of 0022 (msp.answers_match_items).
