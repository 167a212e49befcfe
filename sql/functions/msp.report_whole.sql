-- Whether every response of study p_study comes from a structure of
-- region p_region: then the running totals of 0014 (msp.answer_tally,
-- msp.word_tally), which count the whole study, are exactly the counts
-- of that region, and a federation's report reads them instead of every
-- answer (0.37 s instead of 37.5 s over a million responses,
-- bench/report.sh).  Decided in the report's snapshot, never assumed: an
-- analyst may file a response from another region's structure.  What
-- msp.whole_studies() decided for the row-level policies of 0020, which
-- 0037 dropped with the federation's reading of the totals.  Not
-- granted: the SECURITY DEFINER report functions call it.
CREATE OR REPLACE FUNCTION msp.report_whole(p_study integer,
    p_region smallint)
RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    -- a closed study: the regions 0047 noted when it closed (the same
    -- question, without a scan of its responses)
    SELECT CASE WHEN EXISTS (SELECT 1 FROM msp.study_crosstab_split b
                              WHERE b.study_id = p_study AND b.split = '')
           THEN NOT EXISTS (SELECT 1 FROM msp.study_crosstab_region x
                             WHERE x.study_id = p_study
                               AND x.region_id <> p_region)
           ELSE NOT EXISTS (
               SELECT 1 FROM msp.response r
                 JOIN msp.structure st ON st.structure_id = r.structure_id
                WHERE r.study_id = p_study AND st.region_id <> p_region)
           END
$$;
REVOKE ALL ON FUNCTION msp.report_whole(integer, smallint) FROM PUBLIC;
