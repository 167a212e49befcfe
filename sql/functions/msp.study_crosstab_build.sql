-- (Re)builds the maintained cross-tabulations of study p_study
-- (migration 0047): for every region whose structures responded, and
-- the study's own region, the rows msp.report_counts_answers returns
-- (split '') and those msp.report_counts_by returns for every variable
-- a report may split by: the single-choice and yes/no items of the
-- instrument and the report variables with categories that have rules
-- for it (what msp.report_counts accepts).  A study that is not closed
-- (or no longer exists) keeps none.
--
-- In one pass rather than one count per split: what each response
-- contributes to the unsplit tables (crosstab_f, one row per answer
-- value, derived category and multiple-choice item answered) and its
-- group for every split (crosstab_g) are worked out once, and the split
-- tables are their join, grouped.  The same rules as the count
-- functions, applied row by row; tests/check_crosstab.c compares every
-- report they give with the one counted from the answers (--recount).
-- Cost: about 35 contributions x 17 splits a response for the PdL
-- instrument; bench/pages.sh prints the time of a close.  Paid once,
-- in the transaction that closes the study (or erases from it).
-- Not granted: the triggers of 0047 call it as the owner; the owner may
-- call it for studies closed before 0047.
CREATE OR REPLACE FUNCTION msp.study_crosstab_build(p_study integer)
RETURNS void
LANGUAGE plpgsql
-- its joins and groupings hash in memory rather than spill in batches
-- (a session's default is 4 MB; the report's own is 64 MB), and the
-- numbering join hashes a few hundred keys instead of sorting millions
-- of rows by their texts (the planner's choice: 13.4 s against 7.4 s
-- at 100,000 responses)
SET search_path = pg_catalog SET work_mem = '256MB'
    SET enable_mergejoin = off AS $$
DECLARE
    v_slug text;
    v_instrument integer;
    v_year integer;
    v_home smallint;
    v_single text[];
    v_per_response text[];
    v_multiple text[];
BEGIN
    DELETE FROM msp.study_crosstab WHERE study_id = p_study;
    DELETE FROM msp.study_crosstab_split WHERE study_id = p_study;
    DELETE FROM msp.study_crosstab_region WHERE study_id = p_study;
    -- what its reports count changes (or may): a plan made before is
    -- stale (msp.disclosure_data_version)
    INSERT INTO msp.study_generation AS g (study_id, generation)
    SELECT s.study_id, 1 FROM msp.study s WHERE s.study_id = p_study
    ON CONFLICT (study_id) DO UPDATE SET generation = g.generation + 1;
    SELECT i.slug, i.instrument_id, s.year, s.region_id
      INTO v_slug, v_instrument, v_year, v_home
      FROM msp.study s JOIN msp.instrument i USING (instrument_id)
     WHERE s.study_id = p_study AND s.state = 'closed';
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT sh.single, sh.per_response, sh.multiple
      INTO v_single, v_per_response, v_multiple
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
    -- the splits: what msp.report_counts accepts for --by
    CREATE TEMP TABLE crosstab_splits ON COMMIT DROP AS
    SELECT it.item_key AS split, false AS derived
      FROM msp.instrument_item it
     WHERE it.instrument_id = v_instrument
       AND it.item_type IN ('single_choice', 'boolean')
    UNION ALL
    SELECT rv.var_key, true FROM msp.report_variable rv
     WHERE rv.value_type = 'category'
       AND EXISTS (SELECT 1 FROM msp.report_rule ru
                    WHERE ru.var_key = rv.var_key
                      AND ru.instrument_slug = v_slug);
    -- the responses counted, with the region of their structure
    CREATE TEMP TABLE crosstab_resp ON COMMIT DROP AS
    SELECT r.response_id, st.region_id
      FROM msp.response r
      JOIN msp.structure st ON st.structure_id = r.structure_id
     WHERE r.study_id = p_study AND r.status = 'complete' AND NOT r.test;
    ALTER TABLE crosstab_resp ADD PRIMARY KEY (response_id);
    -- What each response contributes, one row per contribution (the
    -- statements of msp.report_counts_answers, row by row instead of
    -- grouped): 'i' each answer's value (an open answer's is NULL);
    -- 'd' each answer's category for the derived variables over one
    -- single-valued item (v_single: the first rule by priority that
    -- its value matches), and each response's for the others (the
    -- first rule by priority that one of its answers matches); 'a'
    -- each multiple-choice item it answered.
    CREATE TEMP TABLE crosstab_f ON COMMIT DROP AS
    WITH ans AS MATERIALIZED (
        SELECT a.response_id, p.region_id, a.item_key, a.choice_code,
               a.bool_value, a.num_value, a.text_value,
               msp.report_answer_value(a.choice_code, a.bool_value,
                                       a.num_value, NULL) AS fval
          FROM msp.answer a
          JOIN crosstab_resp p ON p.response_id = a.response_id),
    mv AS (
        SELECT DISTINCT a.item_key, a.fval, a.num_value
          FROM ans a
         WHERE a.item_key IN (SELECT ru.item_key FROM msp.report_rule ru
                               WHERE ru.instrument_slug = v_slug
                                 AND ru.var_key = ANY (v_single))),
    m AS (
        SELECT DISTINCT ON (ru.var_key, mv.item_key, mv.fval)
               ru.var_key, mv.item_key, mv.fval,
               coalesce(ru.category, mv.fval) AS cat
          FROM mv JOIN msp.report_rule ru
            ON ru.instrument_slug = v_slug AND ru.item_key = mv.item_key
         WHERE ru.var_key = ANY (v_single)
           AND msp.report_rule_matches(ru.match_code, ru.num_min,
               ru.num_max, ru.years_before_study, mv.fval, mv.num_value,
               v_year)
         ORDER BY ru.var_key, mv.item_key, mv.fval, ru.priority),
    x AS (
        SELECT a.response_id, a.region_id, a.item_key,
               msp.report_answer_value(a.choice_code, a.bool_value,
                                       a.num_value, a.text_value) AS val,
               a.num_value AS num
          FROM ans a WHERE a.item_key = ANY (v_per_response))
    SELECT a.response_id, a.region_id, 'i'::text AS kind,
           a.item_key AS var, a.fval AS val
      FROM ans a
    UNION ALL
    SELECT a.response_id, a.region_id, 'd', m.var_key, m.cat
      FROM ans a JOIN m ON m.item_key = a.item_key AND m.fval = a.fval
    UNION ALL
    SELECT d.response_id, d.region_id, 'd', d.var_key, d.cat
      FROM (SELECT DISTINCT ON (x.response_id, ru.var_key)
                   x.response_id, x.region_id, ru.var_key,
                   coalesce(ru.category, x.val) AS cat
              FROM x JOIN msp.report_rule ru
                ON ru.instrument_slug = v_slug AND ru.item_key = x.item_key
             WHERE ru.var_key <> ALL (v_single)
               AND msp.report_rule_matches(ru.match_code, ru.num_min,
                   ru.num_max, ru.years_before_study, x.val, x.num,
                   v_year)
             ORDER BY x.response_id, ru.var_key, ru.priority) d
    UNION ALL
    SELECT DISTINCT x.response_id, x.region_id, 'a', x.item_key,
           NULL::text
      FROM x WHERE x.item_key = ANY (v_multiple);
    -- each response's group for every split (msp.report_counts_by's
    -- grp): the value of its answer to the item, or the category of
    -- the first rule by priority that one of its answers matches
    CREATE TEMP TABLE crosstab_g ON COMMIT DROP AS
    SELECT a.response_id, a.item_key AS split, false AS derived,
           msp.report_answer_value(a.choice_code, a.bool_value,
                                   a.num_value, a.text_value) AS grp
      FROM msp.answer a
      JOIN crosstab_resp p ON p.response_id = a.response_id
     WHERE a.item_key IN (SELECT x.split FROM crosstab_splits x
                           WHERE NOT x.derived)
    UNION ALL
    (SELECT DISTINCT ON (a.response_id, ru.var_key) a.response_id,
           ru.var_key, true, coalesce(ru.category, a.num_value::text)
      FROM msp.answer a
      JOIN crosstab_resp p ON p.response_id = a.response_id
      JOIN msp.report_rule ru ON ru.instrument_slug = v_slug
       AND ru.item_key = a.item_key
     WHERE ru.var_key IN (SELECT x.split FROM crosstab_splits x
                           WHERE x.derived)
       AND msp.report_rule_matches(ru.match_code, ru.num_min,
           ru.num_max, ru.years_before_study,
           msp.report_answer_value(a.choice_code, a.bool_value,
                                   a.num_value, a.text_value),
           a.num_value, v_year)
     ORDER BY a.response_id, ru.var_key, ru.priority);
    -- The split tables join every contribution of a response with its
    -- group in every split: hundreds of rows a response, grouped.
    -- Numbered first (crosstab_fk, crosstab_gk: a few thousand distinct
    -- contributions and groups), they are grouped on three integers
    -- instead of seven texts: measured three times faster.  NULL is a
    -- value here, hence the (coalesce, IS NULL) pairs in the keys.
    -- (the statistics let the numbering join hash: without them the
    -- planner sorted every contribution by its texts)
    ANALYZE crosstab_f;
    ANALYZE crosstab_g;
    CREATE TEMP TABLE crosstab_fk ON COMMIT DROP AS
    SELECT (row_number() OVER ())::integer AS fid, x.*
      FROM (SELECT DISTINCT f.kind, f.var, f.val FROM crosstab_f f) x;
    CREATE TEMP TABLE crosstab_gk ON COMMIT DROP AS
    SELECT (row_number() OVER ())::integer AS gid, x.*
      FROM (SELECT DISTINCT g.split, g.derived, g.grp FROM crosstab_g g) x;
    CREATE TEMP TABLE crosstab_fi ON COMMIT DROP AS
    SELECT f.response_id, f.region_id, k.fid
      FROM crosstab_f f
      JOIN crosstab_fk k ON k.kind = f.kind AND k.var = f.var
       AND coalesce(k.val, '') = coalesce(f.val, '')
       AND (k.val IS NULL) = (f.val IS NULL);
    CREATE TEMP TABLE crosstab_gi ON COMMIT DROP AS
    SELECT g.response_id, k.gid
      FROM crosstab_g g
      JOIN crosstab_gk k ON k.split = g.split AND k.derived = g.derived
       AND coalesce(k.grp, '') = coalesce(g.grp, '')
       AND (k.grp IS NULL) = (g.grp IS NULL);
    ANALYZE crosstab_fk;
    ANALYZE crosstab_gk;
    ANALYZE crosstab_fi;
    ANALYZE crosstab_gi;
    -- unsplit: per region, the study's region always (a federation
    -- reads its 't' even when none of its structures responded)
    INSERT INTO msp.study_crosstab (study_id, region_id, split, derived,
                                    kind, var, val, grp, n)
    SELECT p_study, c.region_id, '', false, k.kind, k.var, k.val, NULL,
           c.n
      FROM (SELECT f.region_id, f.fid, count(*) AS n
              FROM crosstab_fi f GROUP BY f.region_id, f.fid) c
      JOIN crosstab_fk k ON k.fid = c.fid
    UNION ALL
    SELECT p_study, g.region_id, '', false, 't', NULL, NULL, NULL,
           (SELECT count(*) FROM crosstab_resp p
             WHERE p.region_id = g.region_id)
      FROM (SELECT x.region_id FROM msp.study_crosstab_region x
             WHERE x.study_id = p_study
            UNION SELECT v_home) g;
    -- split: every contribution of a response in its group of every
    -- split, and the groups' sizes
    INSERT INTO msp.study_crosstab (study_id, region_id, split, derived,
                                    kind, var, val, grp, n)
    SELECT p_study, c.region_id, gk.split, gk.derived, fk.kind, fk.var,
           fk.val, gk.grp, c.n
      FROM (SELECT f.region_id, f.fid, g.gid, count(*) AS n
              FROM crosstab_fi f
              JOIN crosstab_gi g ON g.response_id = f.response_id
             GROUP BY f.region_id, f.fid, g.gid) c
      JOIN crosstab_fk fk ON fk.fid = c.fid
      JOIN crosstab_gk gk ON gk.gid = c.gid
    UNION ALL
    SELECT p_study, c.region_id, gk.split, gk.derived, 'g', NULL, NULL,
           gk.grp, c.n
      FROM (SELECT p.region_id, g.gid, count(*) AS n
              FROM crosstab_gi g
              JOIN crosstab_resp p ON p.response_id = g.response_id
             GROUP BY p.region_id, g.gid) c
      JOIN crosstab_gk gk ON gk.gid = c.gid;
    INSERT INTO msp.study_crosstab_split (study_id, split, derived)
    SELECT p_study, '', false
    UNION ALL
    SELECT p_study, x.split, x.derived FROM crosstab_splits x;
    DROP TABLE crosstab_splits, crosstab_resp, crosstab_f, crosstab_g,
        crosstab_fk, crosstab_gk, crosstab_fi, crosstab_gi;
END
$$;
REVOKE ALL ON FUNCTION msp.study_crosstab_build(integer) FROM PUBLIC;
