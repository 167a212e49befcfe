-- A federation's report read every answer of the study under row-level
-- security (12.5 s over a million responses), because the running
-- totals of 0014 count the whole study and were the analysts' alone.
-- Yet a federation usually sees the whole of its region's study: then
-- the totals are exactly its counts, and it may read them.  Whether it
-- does is decided here, in the same snapshot as the report, never
-- assumed: a response whose structure lies outside the federation's
-- region (an analyst may file one; a form pseudonym may already exist
-- elsewhere) keeps the study's totals from it, and its report counts
-- what it sees, as before.

-- The studies whose every response the caller's token sees: all for an
-- analyst; for a federation, those of its region with no response from
-- a structure of another region; none for a team or without a token.
CREATE FUNCTION msp.whole_studies() RETURNS integer[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    t msp.access_token := msp.current_token();
    v integer[];
BEGIN
    IF t.kind = 'analyst' THEN
        SELECT array_agg(s.study_id) INTO v FROM msp.study s;
    ELSIF t.kind = 'federation' THEN
        SELECT array_agg(s.study_id) INTO v
          FROM msp.study s
         WHERE s.region_id = t.region_id
           AND NOT EXISTS (
               SELECT 1 FROM msp.response r
                 JOIN msp.structure st ON st.structure_id = r.structure_id
                WHERE r.study_id = s.study_id
                  AND st.region_id <> t.region_id);
    END IF;
    RETURN coalesce(v, '{}');
END
$$;
REVOKE ALL ON FUNCTION msp.whole_studies() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.whole_studies()
    TO msp_team, msp_federation, msp_analyst;

-- Read only: the rows are the same for everyone who may see them, and
-- only the triggers (as owner) write them.  The sub-select makes the
-- list an init plan, computed once per statement.
CREATE POLICY federation ON msp.answer_tally FOR SELECT TO msp_federation
    USING (study_id = ANY ((SELECT msp.whole_studies())::integer[]));
CREATE POLICY federation ON msp.word_tally FOR SELECT TO msp_federation
    USING (study_id = ANY ((SELECT msp.whole_studies())::integer[]));
GRANT SELECT ON msp.answer_tally, msp.word_tally TO msp_federation;

-- The report folds the deltas it read (rdata_cache_store).  Folding
-- changes no sum; still, a federation folds only a study it sees whole.
-- (0014's body otherwise; CREATE OR REPLACE needs all of it.)
CREATE OR REPLACE FUNCTION msp.tally_compact(p_study integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    IF msp.current_kind() = 'federation'
       AND NOT p_study = ANY (msp.whole_studies()) THEN
        RAISE EXCEPTION 'the totals of study % are not yours to fold',
            p_study USING ERRCODE = 'insufficient_privilege';
    END IF;
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
GRANT EXECUTE ON FUNCTION msp.tally_compact(integer) TO msp_federation;
