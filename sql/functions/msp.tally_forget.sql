-- Drops the rows of values and words of studies p_studies whose deltas
-- add up to nothing: an answer deleted or changed (an erasure, a
-- correction) leaves no trace of its value or its words.  Deleting a
-- set of rows that sums to zero is right whatever else is appended
-- meanwhile.
CREATE OR REPLACE FUNCTION msp.tally_forget(p_studies integer[]) RETURNS void
LANGUAGE sql SET search_path = pg_catalog AS $$
    DELETE FROM msp.answer_tally t
     USING (SELECT study_id, item_key, kind, choice_code, bool_value,
                   num_value
              FROM msp.answer_tally
             WHERE study_id = ANY (p_studies)
             GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(n) = 0) z
     WHERE t.study_id = z.study_id AND t.item_key = z.item_key
       AND t.kind = z.kind
       AND t.choice_code IS NOT DISTINCT FROM z.choice_code
       AND t.bool_value IS NOT DISTINCT FROM z.bool_value
       AND t.num_value IS NOT DISTINCT FROM z.num_value;
    DELETE FROM msp.word_tally t
     USING (SELECT study_id, item_key, word
              FROM msp.word_tally
             WHERE study_id = ANY (p_studies)
             GROUP BY 1, 2, 3
            HAVING sum(occurrences) = 0 AND sum(answers) = 0) z
     WHERE t.study_id = z.study_id AND t.item_key = z.item_key
       AND t.word = z.word;
$$;
REVOKE ALL ON FUNCTION msp.tally_forget(integer[]) FROM PUBLIC;
