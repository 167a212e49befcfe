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

-- The item's type decides which column may hold its value, and numbers
-- and texts respect the item's bounds.  (A CHECK cannot look at another
-- table; this trigger is the database's last word, the C validation
-- its first.)
CREATE FUNCTION msp.answer_matches_item() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    it msp.instrument_item;
BEGIN
    SELECT * INTO it FROM msp.instrument_item
     WHERE instrument_id = NEW.instrument_id AND item_key = NEW.item_key;
    IF NOT FOUND THEN
        RETURN NEW;     -- the foreign key reports the unknown item
    END IF;
    IF it.item_type IN ('single_choice', 'multiple_choice') THEN
        IF NEW.choice_code IS NULL THEN
            RAISE EXCEPTION 'item % takes a choice', NEW.item_key
                USING ERRCODE = 'check_violation';
        END IF;
    ELSIF it.item_type = 'number' THEN
        IF NEW.num_value IS NULL THEN
            RAISE EXCEPTION 'item % takes a number', NEW.item_key
                USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.num_value < it.min_value OR NEW.num_value > it.max_value
           OR (it.integer_only AND NEW.num_value <> trunc(NEW.num_value)) THEN
            RAISE EXCEPTION 'item %: % is out of range', NEW.item_key,
                NEW.num_value USING ERRCODE = 'check_violation';
        END IF;
    ELSIF it.item_type = 'text' THEN
        IF NEW.text_value IS NULL THEN
            RAISE EXCEPTION 'item % takes a text', NEW.item_key
                USING ERRCODE = 'check_violation';
        END IF;
        IF length(NEW.text_value) > it.max_length THEN
            RAISE EXCEPTION 'item %: text longer than % characters',
                NEW.item_key, it.max_length USING ERRCODE = 'check_violation';
        END IF;
    ELSIF NEW.bool_value IS NULL THEN
        RAISE EXCEPTION 'item % takes oui/non', NEW.item_key
            USING ERRCODE = 'check_violation';
    END IF;
    IF it.item_type = 'single_choice' AND EXISTS (
        SELECT 1 FROM msp.answer a
         WHERE a.response_id = NEW.response_id AND a.item_key = NEW.item_key
           AND a.choice_code <> NEW.choice_code) THEN
        RAISE EXCEPTION 'item % takes one choice', NEW.item_key
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER answer_matches_item
    BEFORE INSERT OR UPDATE ON msp.answer
    FOR EACH ROW EXECUTE FUNCTION msp.answer_matches_item();
