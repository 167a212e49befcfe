-- A federation's words of the open answers to item p_item of study
-- p_study, as written, with how often each is written ('w') and in how
-- many answers ('v'): report_data.c's sql_words (or sql_words_tally
-- from the running totals when every response comes from the region:
-- msp.report_whole), as the owner, over the responses of the study's
-- region's structures (msp.report_scope).
--
-- A rare word could name a team, a town or a person: a word whose group
-- (its folded, de-pluralised form, msp.report_word_key) fewer answers
-- write than the disclosure threshold (msp.disclosure_policy) never
-- leaves this function.  That is the report's rare-term rule
-- (report_terms.c) applied here, so that no client sees those words,
-- with groups at least as wide as the report's terms: the terms the
-- report prints stay the same.  One row of kind 'o' counts the groups
-- kept back, which the report adds to its rare terms omitted (it no
-- longer sees them to count them itself).  p_item must be an open item
-- of the study's instrument (22023 otherwise).
CREATE OR REPLACE FUNCTION msp.report_words(p_study integer, p_item text,
    p_recount boolean)
RETURNS TABLE (kind text, var text, val text, grp text, n bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
#variable_conflict use_column
DECLARE
    v_region smallint := msp.report_scope(p_study);
    c_rare CONSTANT integer :=
        (SELECT p.threshold FROM msp.disclosure_policy p);
    v_tally boolean := NOT p_recount
        AND msp.report_whole(p_study, v_region);
BEGIN
    IF NOT EXISTS (SELECT 1 FROM msp.instrument_item it
                     JOIN msp.study s USING (instrument_id)
                    WHERE s.study_id = p_study AND it.item_key = p_item
                      AND it.item_type = 'text') THEN
        RAISE EXCEPTION '« % » n''est pas une question ouverte de l''étude',
            p_item USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN QUERY
    WITH w AS (
        SELECT t.word, sum(t.occurrences)::bigint AS occurrences,
               sum(t.answers)::bigint AS answers
          FROM msp.word_tally t
         WHERE v_tally AND t.study_id = p_study AND t.item_key = p_item
         GROUP BY t.word HAVING sum(t.answers) <> 0
        UNION ALL
        SELECT a.word, a.occurrences, a.answers
          FROM msp.report_words_answers(p_study, p_item, v_region) a
         WHERE NOT v_tally),
    k AS (SELECT w.*, msp.report_word_key(w.word) AS key FROM w)
    SELECT v.kind, NULL::text, k.word, NULL::text, v.n
      FROM k
     CROSS JOIN LATERAL (VALUES ('w', k.occurrences),
                                ('v', k.answers)) AS v (kind, n)
     WHERE k.key IN (SELECT k2.key FROM k k2 GROUP BY k2.key
                      HAVING sum(k2.answers) >= c_rare)
    UNION ALL
    -- how many groups stayed here, so that the report can say so
    SELECT 'o', NULL, NULL, NULL, count(*)
      FROM (SELECT k2.key FROM k k2 GROUP BY k2.key
             HAVING sum(k2.answers) < c_rare) rare;
END
$$;
REVOKE ALL ON FUNCTION msp.report_words(integer, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.report_words(integer, text, boolean)
    TO msp_federation;
-- a team, for its feedback page: msp.report_scope decides which studies
GRANT EXECUTE ON FUNCTION msp.report_words(integer, text, boolean) TO msp_team;
