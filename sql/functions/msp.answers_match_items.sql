-- The answer-against-item check (0003, 0013, 0014) ran once per answer
-- row: a PL/pgSQL call, its search_path switch and one or two lookups
-- for every row.  That was the largest single cost of storing a
-- submission, about a quarter of it (bench/submit-cost.sh: 113 us of
-- 426 with 16 submissions per call).  It now runs once per statement
-- over the rows the statement wrote, in one query, and raises the same
-- errors (check_violation, the same messages) for the same rows.
--
-- Two things change, neither what is refused:
--   - It fires after the statement's foreign-key checks instead of
--     before them.  A row that breaks both, say a choice given to a
--     yes/no item, which no option of the item matches, is now refused
--     by the foreign key (foreign_key_violation, naming the item)
--     rather than by this check.
--   - When several rows are wrong, the one named is any of them, not
--     the first written.
-- The check reads the answer table after the statement: a single-
-- choice item answered twice with different choices is refused whether
-- the two rows came in the same statement or not, and an update is not
-- compared with the value it replaced.
CREATE OR REPLACE FUNCTION msp.answers_match_items() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    bad record;
BEGIN
    SELECT n.item_key, n.num_value, it.max_length, p.problem INTO bad
      FROM answers_written n
      JOIN msp.instrument_item it
        ON it.instrument_id = n.instrument_id AND it.item_key = n.item_key
     CROSS JOIN LATERAL (SELECT CASE
        WHEN it.item_type IN ('single_choice', 'multiple_choice') THEN
            CASE WHEN n.choice_code IS NULL THEN 'choice'
                 WHEN it.item_type = 'single_choice' AND EXISTS (
                      SELECT 1 FROM msp.answer a
                       WHERE a.response_id = n.response_id
                         AND a.item_key = n.item_key
                         AND a.choice_code <> n.choice_code) THEN 'one'
            END
        WHEN it.item_type = 'number' THEN
            CASE WHEN n.num_value IS NULL THEN 'number'
                 WHEN n.num_value < it.min_value
                      OR n.num_value > it.max_value
                      OR (it.integer_only
                          AND n.num_value <> trunc(n.num_value))
                 THEN 'range' END
        WHEN it.item_type = 'text' THEN
            CASE WHEN n.text_value IS NULL THEN 'text'
                 WHEN length(n.text_value) > it.max_length
                 THEN 'length' END
        WHEN n.bool_value IS NULL THEN 'bool'
        END AS problem) p
     WHERE p.problem IS NOT NULL
     LIMIT 1;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    CASE bad.problem
    WHEN 'choice' THEN
        RAISE EXCEPTION 'item % takes a choice', bad.item_key
            USING ERRCODE = 'check_violation';
    WHEN 'one' THEN
        RAISE EXCEPTION 'item % takes one choice', bad.item_key
            USING ERRCODE = 'check_violation';
    WHEN 'number' THEN
        RAISE EXCEPTION 'item % takes a number', bad.item_key
            USING ERRCODE = 'check_violation';
    WHEN 'range' THEN
        RAISE EXCEPTION 'item %: % is out of range', bad.item_key,
            bad.num_value USING ERRCODE = 'check_violation';
    WHEN 'text' THEN
        RAISE EXCEPTION 'item % takes a text', bad.item_key
            USING ERRCODE = 'check_violation';
    WHEN 'length' THEN
        RAISE EXCEPTION 'item %: text longer than % characters',
            bad.item_key, bad.max_length USING ERRCODE = 'check_violation';
    ELSE
        RAISE EXCEPTION 'item % takes oui/non', bad.item_key
            USING ERRCODE = 'check_violation';
    END CASE;
END
$$;
