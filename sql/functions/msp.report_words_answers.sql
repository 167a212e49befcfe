-- The words of the open answers to item $2 of study $1: how often each
-- is written and in how many answers (report_data.c's sql_words; the
-- database splits them with msp.answer_words, as the running totals of
-- 0014 split them).
-- Not granted to anyone: it reads rows, so only msp.report_words, which
-- checks the token and the scope and drops the rare words, calls it, as
-- the owner.  p_region keeps the count to the responses of that
-- region's structures, as Row-Level Security kept a federation's own
-- report to them.
CREATE OR REPLACE FUNCTION msp.report_words_answers(integer, text,
    p_region smallint)
RETURNS TABLE (word text, occurrences bigint, answers bigint)
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT w.word, sum(w.n)::bigint, count(*)
      FROM msp.answer a
      JOIN msp.response r ON r.response_id = a.response_id
     CROSS JOIN LATERAL msp.answer_words(a.text_value) w
     WHERE r.study_id = $1::integer AND r.status = 'complete' AND NOT r.test
       AND r.structure_id IN (SELECT st.structure_id FROM msp.structure st
                               WHERE st.region_id = p_region)
       AND a.item_key = $2::text AND a.text_value IS NOT NULL
     GROUP BY w.word
$$;
REVOKE ALL ON FUNCTION msp.report_words_answers(integer, text, smallint)
    FROM PUBLIC;
