-- A federation's frequency tables of study p_study (issue 19: a
-- federation reads aggregates only, never rows): kind 'i' item values,
-- 'd' derived categories, 'a' respondents of multiple-choice items, 't'
-- responses in all, and with a split 'g' responses per group; each row
-- a count over the group (var, val, grp), never a response.  The same
-- statements as the owner's and analysts' reports (lib/report/
-- report_data.c), run here as the owner over the responses of the
-- study's region's structures (msp.report_scope).
--
-- p_split: NULL, or the variable to split by: a single-choice or yes/no
-- item of the instrument (p_derived false) or a derived variable with
-- categories (true); anything else (an open or numeric item, whose
-- groups would be single answers) is refused (22023).
-- p_recount: count from the answers even when the running totals or
-- the cross-tabulations of a closed study would do (msp-report
-- --recount).  A closed study's tables are read from msp.study_crosstab
-- (0047), counted when it closed: no answer is read.  The totals are read when every response
-- of the study comes from the region counted (they are then its counts:
-- what msp.whole_studies decided before 0037).
--
-- Not yet complementary-suppressed here: the client hides cells (the
-- later steps of issue 19 move that into the database).  Reads only.
CREATE OR REPLACE FUNCTION msp.report_counts(p_study integer,
    p_split text, p_derived boolean, p_recount boolean)
RETURNS TABLE (kind text, var text, val text, grp text, n bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
#variable_conflict use_column
DECLARE
    v_region smallint := msp.report_scope(p_study);
    v_slug text;
    v_instrument integer;
    v_year integer;
    v_single text[];
    v_per_response text[];
    v_rule_items text[];
    v_multiple text[];
    v_min integer;
    v_n bigint;
BEGIN
    SELECT i.slug, i.instrument_id, s.year
      INTO v_slug, v_instrument, v_year
      FROM msp.study s JOIN msp.instrument i USING (instrument_id)
     WHERE s.study_id = p_study;
    IF p_split IS NOT NULL AND NOT (
        (p_derived AND EXISTS (
            SELECT 1 FROM msp.report_variable rv
             WHERE rv.var_key = p_split AND rv.value_type = 'category'
               AND EXISTS (SELECT 1 FROM msp.report_rule ru
                            WHERE ru.var_key = rv.var_key
                              AND ru.instrument_slug = v_slug)))
        OR (NOT p_derived AND EXISTS (
            SELECT 1 FROM msp.instrument_item it
             WHERE it.instrument_id = v_instrument
               AND it.item_key = p_split
               AND it.item_type IN ('single_choice', 'boolean')))) THEN
        RAISE EXCEPTION 'impossible de répartir selon « % »', p_split
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- the small-study rule (0052): a federation's split of a study
    -- with fewer complete responses in the region than the policy's
    -- minimum is not published (refused, never shown as zeros).  A
    -- team's feedback page reads its own region's split at t + 1 and
    -- is not a federation's release: not concerned.
    SELECT d.by_min_responses INTO v_min FROM msp.disclosure_policy d;
    IF p_split IS NOT NULL AND v_min > 0
       AND (msp.current_token()).kind = 'federation' THEN
        -- a closed study's count of responses was counted when it
        -- closed (0047: kind 't' of the unsplit tables); an open one's
        -- is counted here, as its split will be, from the responses
        SELECT sum(c.n) INTO v_n FROM msp.study_crosstab c
         WHERE c.study_id = p_study AND c.region_id = v_region
           AND c.split = '' AND NOT c.derived AND c.kind = 't';
        IF v_n IS NULL THEN
            SELECT count(*) INTO v_n
              FROM msp.response r
              JOIN msp.structure st USING (structure_id)
             WHERE r.study_id = p_study AND r.status = 'complete'
               AND NOT r.test AND st.region_id = v_region;
        END IF;
        IF v_n < v_min THEN
            RAISE EXCEPTION 'répartition selon « % » non publiée : '
                'l''étude compte % réponses dans la région, moins que '
                'le minimum de % fixé pour les tableaux répartis '
                '(msp-report disclosure by-minimum)', p_split, v_n, v_min
                USING ERRCODE = 'MSPD1';
        END IF;
    END IF;
    -- a closed study's tables were counted when it closed (0047):
    -- read them, unless --recount asks for the answers
    IF NOT p_recount AND EXISTS (
        SELECT 1 FROM msp.study_crosstab_split b
         WHERE b.study_id = p_study AND b.split = coalesce(p_split, '')
           AND b.derived = (p_split IS NOT NULL AND p_derived)) THEN
        RETURN QUERY SELECT c.kind, c.var, c.val, c.grp, c.n
          FROM msp.study_crosstab c
         WHERE c.study_id = p_study AND c.region_id = v_region
           AND c.split = coalesce(p_split, '')
           AND c.derived = (p_split IS NOT NULL AND p_derived);
        RETURN;
    END IF;
    SELECT sh.single, sh.per_response, sh.rule_items, sh.multiple
      INTO v_single, v_per_response, v_rule_items, v_multiple
      FROM msp.report_shape(v_slug, v_instrument) sh;
    IF p_split IS NOT NULL THEN
        RETURN QUERY SELECT * FROM msp.report_counts_by(p_study, v_slug,
            v_year, v_single, v_per_response, v_multiple, p_split,
            p_derived, v_region);
    ELSIF NOT p_recount AND msp.report_whole(p_study, v_region) THEN
        RETURN QUERY SELECT * FROM msp.report_counts_tally(p_study,
            v_slug, v_year, v_single, v_rule_items, v_multiple, v_region);
    ELSE
        RETURN QUERY SELECT * FROM msp.report_counts_answers(p_study,
            v_slug, v_year, v_single, v_per_response, v_multiple,
            v_region);
    END IF;
END
$$;
REVOKE ALL ON FUNCTION msp.report_counts(integer, text, boolean, boolean)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.report_counts(integer, text, boolean, boolean)
    TO msp_federation;
-- a team, for its feedback page: msp.report_scope decides which studies
GRANT EXECUTE ON FUNCTION msp.report_counts(integer, text, boolean, boolean) TO msp_team;
