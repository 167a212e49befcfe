-- The frequency tables of a study counted from its answers: report_data.c's
-- sql_counts, with $1 the study, $2 the instrument's slug, $3 the study's
-- year, $4 the derived variables mapped on values, $5 the items needed
-- response by response, $6 the multiple-choice items (msp.report_counts
-- works them out).
-- Not granted to anyone: it reads rows, so only the SECURITY DEFINER
-- functions that check the token and the scope (msp.report_counts and
-- the like, issue 19) call it, as the owner.  p_region keeps the count
-- to the responses of that region's structures, as Row-Level Security
-- kept a federation's own report to them.
CREATE OR REPLACE FUNCTION msp.report_counts_answers(integer, text, integer, text[], text[], text[],
    p_region smallint)
RETURNS TABLE (kind text, var text, val text, grp text, n bigint)
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    WITH
    f AS MATERIALIZED (
    SELECT g.item_key, msp.report_answer_value(g.choice_code, g.bool_value, g.num_value, NULL) AS val, g.num_value AS num, g.grp, g.n
    FROM (SELECT a.item_key, a.choice_code, a.bool_value, a.num_value, NULL::text AS grp, count(*) AS n
    FROM msp.answer a
    JOIN msp.response r ON r.response_id = a.response_id
    WHERE r.study_id = $1::integer AND r.status = 'complete' AND NOT r.test
    AND r.structure_id IN (SELECT st.structure_id
    FROM msp.structure st
    WHERE st.region_id = p_region)
    GROUP BY 1, 2, 3, 4, 5) g),
    m AS (
    SELECT DISTINCT ON (ru.var_key, f.item_key, f.val, f.grp) ru.var_key, coalesce(ru.category, f.val) AS cat, f.grp, f.n
    FROM f
    JOIN msp.report_rule ru ON ru.instrument_slug = $2::text AND ru.item_key = f.item_key
    WHERE ru.var_key = ANY ($4::text[])
    AND msp.report_rule_matches(ru.match_code, ru.num_min, ru.num_max, ru.years_before_study, f.val, f.num, $3::integer)
    ORDER BY ru.var_key, f.item_key, f.val, f.grp, ru.priority),
    x AS MATERIALIZED (
    SELECT a.response_id, a.item_key, msp.report_answer_value(a.choice_code, a.bool_value, a.num_value, a.text_value) AS val, a.num_value AS num, NULL::text AS grp
    FROM msp.answer a
    JOIN msp.response r ON r.response_id = a.response_id
    WHERE r.study_id = $1::integer AND r.status = 'complete' AND NOT r.test
    AND r.structure_id IN (SELECT st.structure_id
    FROM msp.structure st
    WHERE st.region_id = p_region) AND a.item_key = ANY ($5::text[])),
    d AS (
    SELECT DISTINCT ON (x.response_id, ru.var_key) ru.var_key, coalesce(ru.category, x.val) AS cat, x.grp
    FROM x
    JOIN msp.report_rule ru ON ru.instrument_slug = $2::text AND ru.item_key = x.item_key
    WHERE ru.var_key <> ALL ($4::text[])
    AND msp.report_rule_matches(ru.match_code, ru.num_min, ru.num_max, ru.years_before_study, x.val, x.num, $3::integer)
    ORDER BY x.response_id, ru.var_key, ru.priority)
    SELECT 'i' AS kind, item_key AS var, val, grp, sum(n)::bigint AS n
    FROM f
    GROUP BY item_key, val, grp
    UNION ALL
    SELECT 'd', var_key, cat, grp, sum(n)::bigint
    FROM m
    GROUP BY var_key, cat, grp
    UNION ALL
    SELECT 'd', var_key, cat, grp, count(*)
    FROM d
    GROUP BY var_key, cat, grp
    UNION ALL
    SELECT 'a', item_key, NULL, grp, count(*)
    FROM (SELECT DISTINCT x.response_id, x.item_key, x.grp
    FROM x
    WHERE x.item_key = ANY ($6::text[])) mc
    GROUP BY item_key, grp
    UNION ALL
    SELECT 't', NULL, NULL, NULL, count(*)
    FROM msp.response r
    WHERE r.study_id = $1::integer AND r.status = 'complete' AND NOT r.test
    AND r.structure_id IN (SELECT st.structure_id
    FROM msp.structure st
    WHERE st.region_id = p_region)
$$;
REVOKE ALL ON FUNCTION msp.report_counts_answers(integer, text, integer, text[], text[], text[],
    smallint) FROM PUBLIC;
