-- 0003's answer trigger refused every UPDATE of a single-choice answer:
-- looking for another choice of the same item, it found the row's own
-- old value.  The row being written is now left out.  (Found by the
-- report's cache test; the API and the forms only insert.)
CREATE OR REPLACE FUNCTION msp.answer_matches_item() RETURNS trigger
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
           AND a.answer_id <> NEW.answer_id
           AND a.choice_code <> NEW.choice_code) THEN
        RAISE EXCEPTION 'item % takes one choice', NEW.item_key
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
