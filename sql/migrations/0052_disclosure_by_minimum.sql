-- The small-study rule (issue 19, item 2): a federation's split of a
-- study's report by a variable (--by, the pages' « Comparer selon ») is
-- published only when the study has at least by_min_responses complete
-- responses in the region; below, msp.report_counts refuses it (MSPD1,
-- a French message), and the report says so: never zeros.
--
-- Why: a --by table spreads the region's responses over every group
-- of the split, so at 37 responses (Pays de la Loire 2019) most of its
-- cells are below the threshold, and no choice of complementary cells
-- protects them all (docs/report.md, « Small studies »: 311 figures
-- still failing after a 940 s protection).  National statistical
-- offices refuse a table below a minimum population rather than hide
-- most of it (the minimum frequency rule applied to the table's
-- population: Hundepool et al. 2012, Statistical Disclosure Control,
-- §4.2; the UK census output areas' minimum of 100 persons).
--
-- 50 (10 t at t = 5) until changed, from the measurements of
-- docs/report.md: Pays de la Loire 2019 (37 responses) cannot be
-- protected with its splits, Occitanie 2024 (77) can.  0: no minimum.
-- `msp-report disclosure by-minimum N` sets it; only the owner writes
-- it, as the threshold (0038: no write granted).
--
-- A protection plan records the minimum it was made under.  A lower
-- minimum publishes splits the plan's audit never saw: the plan is
-- then stale (msp.disclosure_plan_status).  A higher one only refuses
-- more, and a plan stays protective over fewer reports (fewer
-- relations, wider intervals).  The plans made before 0052 were made
-- with every split (0), so they stay fresh.
ALTER TABLE msp.disclosure_policy
    ADD COLUMN by_min_responses integer NOT NULL DEFAULT 50
        CHECK (by_min_responses BETWEEN 0 AND 100000);
ALTER TABLE msp.disclosure_plan_state
    ADD COLUMN by_min_responses integer NOT NULL DEFAULT 0
        CHECK (by_min_responses BETWEEN 0 AND 100000);
GRANT SELECT (by_min_responses) ON msp.disclosure_plan_state
    TO msp_team, msp_federation, msp_analyst;
