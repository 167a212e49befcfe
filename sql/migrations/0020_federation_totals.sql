-- A federation's report read every answer of the study under row-level
-- security (37.5 s over a million responses, bench/report.sh), because
-- the running totals of 0014 count the whole study and were the
-- analysts' alone.
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

-- The report folds the deltas it read (rdata_cache_store) with
-- msp.tally_compact, which changes no sum: a federation may run it too.
GRANT EXECUTE ON FUNCTION msp.tally_compact(integer) TO msp_federation;
