-- Folds a study's deltas into one row per value (and per word) once
-- they have piled up; the report calls it before reading them.  Rows
-- another transaction appends meanwhile are not in this DELETE's
-- snapshot and stay; two foldings at once each add back only the rows
-- their own DELETE removed.
CREATE OR REPLACE FUNCTION msp.tally_compact(p_study integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    IF (SELECT count(*) FROM msp.answer_tally
         WHERE study_id = p_study) > 10000 THEN
        WITH gone AS (DELETE FROM msp.answer_tally
                       WHERE study_id = p_study RETURNING *)
        INSERT INTO msp.answer_tally (study_id, item_key, kind,
                                      choice_code, bool_value, num_value,
                                      n)
        SELECT study_id, item_key, kind, choice_code, bool_value,
               num_value, sum(n)
          FROM gone GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(n) <> 0;
    END IF;
    IF (SELECT count(*) FROM msp.word_tally
         WHERE study_id = p_study) > 10000 THEN
        WITH gone AS (DELETE FROM msp.word_tally
                       WHERE study_id = p_study RETURNING *)
        INSERT INTO msp.word_tally (study_id, item_key, word,
                                    occurrences, answers)
        SELECT study_id, item_key, word, sum(occurrences), sum(answers)
          FROM gone GROUP BY 1, 2, 3
        HAVING sum(occurrences) <> 0 OR sum(answers) <> 0;
    END IF;
END
$$;
REVOKE ALL ON FUNCTION msp.tally_compact(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.tally_compact(integer) TO msp_analyst;
