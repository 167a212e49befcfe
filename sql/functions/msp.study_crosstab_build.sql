-- (Re)builds the maintained cross-tabulations of study p_study
-- (migration 0045): for every region whose structures responded, and
-- the study's own region, the rows msp.report_counts_answers returns
-- (split '') and those msp.report_counts_by returns for every variable
-- a report may split by: the single-choice and yes/no items of the
-- instrument and the report variables with categories that have rules
-- for it (what msp.report_counts accepts).  The same functions as a
-- count from the answers, so the tables are that count, by
-- construction; tests/check_crosstab.c compares them cell by cell.
-- A study that is not closed (or no longer exists) keeps none.
--
-- Cost: one pass over the study's answers per split and region; over a
-- million responses, minutes (bench/pages.sh prints it), paid once, in
-- the transaction that closes the study (or erases from it).
-- Not granted: the triggers of 0045 call it as the owner; the owner may
-- call it for studies closed before 0045.
CREATE OR REPLACE FUNCTION msp.study_crosstab_build(p_study integer)
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_slug text;
    v_instrument integer;
    v_year integer;
    v_home smallint;
    v_single text[];
    v_per_response text[];
    v_rule_items text[];
    v_multiple text[];
    v_region smallint;
    v_split record;
BEGIN
    DELETE FROM msp.study_crosstab WHERE study_id = p_study;
    DELETE FROM msp.study_crosstab_split WHERE study_id = p_study;
    DELETE FROM msp.study_crosstab_region WHERE study_id = p_study;
    SELECT i.slug, i.instrument_id, s.year, s.region_id
      INTO v_slug, v_instrument, v_year, v_home
      FROM msp.study s JOIN msp.instrument i USING (instrument_id)
     WHERE s.study_id = p_study AND s.state = 'closed';
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT sh.single, sh.per_response, sh.rule_items, sh.multiple
      INTO v_single, v_per_response, v_rule_items, v_multiple
      FROM msp.report_shape(v_slug, v_instrument) sh;
    -- every region with a response (msp.report_whole asks about any
    -- response), and its structures that sent a complete one
    INSERT INTO msp.study_crosstab_region (study_id, region_id,
                                           respondents)
    SELECT p_study, st.region_id,
           count(DISTINCT r.structure_id)
               FILTER (WHERE r.status = 'complete' AND NOT r.test)
      FROM msp.response r
      JOIN msp.structure st ON st.structure_id = r.structure_id
     WHERE r.study_id = p_study
     GROUP BY st.region_id;
    CREATE TEMP TABLE IF NOT EXISTS crosstab_splits (
        split text, derived boolean) ON COMMIT DROP;
    TRUNCATE crosstab_splits;
    INSERT INTO crosstab_splits
    SELECT '', false
    UNION ALL
    SELECT it.item_key, false FROM msp.instrument_item it
     WHERE it.instrument_id = v_instrument
       AND it.item_type IN ('single_choice', 'boolean')
    UNION ALL
    SELECT rv.var_key, true FROM msp.report_variable rv
     WHERE rv.value_type = 'category'
       AND EXISTS (SELECT 1 FROM msp.report_rule ru
                    WHERE ru.var_key = rv.var_key
                      AND ru.instrument_slug = v_slug);
    FOR v_region IN
        SELECT x.region_id FROM msp.study_crosstab_region x
         WHERE x.study_id = p_study
        UNION SELECT v_home
    LOOP
        INSERT INTO msp.study_crosstab (study_id, region_id, split,
                                        derived, kind, var, val, grp, n)
        SELECT p_study, v_region, '', false, c.kind, c.var, c.val, c.grp,
               c.n
          FROM msp.report_counts_answers(p_study, v_slug, v_year,
               v_single, v_per_response, v_multiple, v_region) c;
        FOR v_split IN SELECT * FROM crosstab_splits x WHERE x.split <> ''
        LOOP
            INSERT INTO msp.study_crosstab (study_id, region_id, split,
                                            derived, kind, var, val, grp,
                                            n)
            SELECT p_study, v_region, v_split.split, v_split.derived,
                   c.kind, c.var, c.val, c.grp, c.n
              FROM msp.report_counts_by(p_study, v_slug, v_year,
                   v_single, v_per_response, v_multiple, v_split.split,
                   v_split.derived, v_region) c;
        END LOOP;
    END LOOP;
    INSERT INTO msp.study_crosstab_split (study_id, split, derived)
    SELECT p_study, x.split, x.derived FROM crosstab_splits x;
END
$$;
REVOKE ALL ON FUNCTION msp.study_crosstab_build(integer) FROM PUBLIC;
