-- The same counts as msp.tally_sql (0014) for rows that are all added
-- (sign 1) or all removed (-1).  A response's answers to a multiple-
-- choice item went from none to k (insert: the k rows are all it has
-- now) or from k to none (delete: it has none now).
CREATE OR REPLACE FUNCTION msp.tally_rows() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_sign integer := TG_ARGV[0]::integer;
    v_studies integer[];
BEGIN
    WITH d AS MATERIALIZED (
        SELECT r.study_id, x.instrument_id, x.response_id, x.item_key,
               x.choice_code, x.bool_value, x.num_value, x.text_value
          FROM tally_rows x
          JOIN msp.response r ON r.response_id = x.response_id
         WHERE r.status = 'complete'),
    v AS (
        INSERT INTO msp.answer_tally (study_id, item_key, kind,
                                      choice_code, bool_value, num_value,
                                      n)
        SELECT d.study_id, d.item_key, 'v', d.choice_code, d.bool_value,
               d.num_value, v_sign * count(*)
          FROM d
         GROUP BY d.study_id, d.item_key, d.choice_code, d.bool_value,
                  d.num_value),
    r AS (
        INSERT INTO msp.answer_tally (study_id, item_key, kind, n)
        SELECT p.study_id, p.item_key, 'r', v_sign * count(*)
          FROM (SELECT d.study_id, d.response_id, d.item_key,
                       count(*) AS k
                  FROM d
                  JOIN msp.instrument_item it
                    ON it.instrument_id = d.instrument_id
                   AND it.item_key = d.item_key
                   AND it.item_type = 'multiple_choice'
                 GROUP BY 1, 2, 3) p
         WHERE (SELECT count(*) FROM msp.answer a
                 WHERE a.response_id = p.response_id
                   AND a.item_key = p.item_key)
               = CASE WHEN v_sign > 0 THEN p.k ELSE 0 END
         GROUP BY p.study_id, p.item_key)
    INSERT INTO msp.word_tally (study_id, item_key, word, occurrences,
                                answers)
    SELECT d.study_id, d.item_key, w.word, v_sign * sum(w.n),
           v_sign * count(*)
      FROM d CROSS JOIN LATERAL msp.answer_words(d.text_value) w
     WHERE d.text_value IS NOT NULL
     GROUP BY d.study_id, d.item_key, w.word;
    IF v_sign < 0 THEN
        SELECT array_agg(DISTINCT r.study_id) INTO v_studies
          FROM tally_rows o
          JOIN msp.response r ON r.response_id = o.response_id
         WHERE r.status = 'complete';
        PERFORM msp.tally_forget(v_studies);
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION msp.tally_rows() FROM PUBLIC;
