-- Whether the reports of a study may apply its protection plan, for the
-- token of this transaction (lib/report/plan.c asks before a
-- federation's report):
--   'open'        the study is not closed: no plan (its figures move);
--                 a federation's reports of it are refused until it
--                 is closed and protected (report_stored.c)
--   'other_run'   the token is another study's protection run, and
--                 this study's plan does not hold: the run audits its
--                 own study, and a comparison's column of this one
--                 (decided alone: no relation crosses the columns) is
--                 read without a plan.  When this study's plan holds,
--                 'fresh': the column hides what this study's own
--                 releases hide (the run stores the comparison, which
--                 a federation of this region may read).  The token
--                 is the command's, revoked when it ends.  Also for a
--                 study not closed (even the run's own, reopened by
--                 a test since its begin): counted without a plan.
--   'missing'     closed, never protected
--   'stale'       made for other data (msp.disclosure_data_version),
--                 another threshold, or a higher small-study minimum
--                 than today's (msp.disclosure_policy, 0052: a lower
--                 one publishes splits the plan's audit never saw)
--   'incomplete'  a run is under way, or ended without passing
--   'protecting'  under way, and this is the run's own token
--   'fresh'       the plan holds
-- SECURITY DEFINER: the run's token is not readable (0048's grants).
CREATE OR REPLACE FUNCTION msp.disclosure_plan_status(p_study integer)
RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_state msp.study_state;
    v_run integer;
    p msp.disclosure_plan_state;
BEGIN
    SELECT s.state INTO v_state FROM msp.study s WHERE s.study_id = p_study;
    SELECT d.study_id INTO v_run FROM msp.disclosure_plan_state d
     WHERE d.protect_token = (msp.current_token()).token_sha256;
    IF v_state IS DISTINCT FROM 'closed' THEN
        RETURN CASE WHEN v_run IS NOT NULL THEN 'other_run'
                    ELSE 'open' END;
    END IF;
    SELECT * INTO p FROM msp.disclosure_plan_state d
     WHERE d.study_id = p_study;
    IF NOT FOUND THEN
        RETURN CASE WHEN v_run IS NOT NULL AND v_run <> p_study
                    THEN 'other_run' ELSE 'missing' END;
    END IF;
    IF p.threshold <> (SELECT d.threshold FROM msp.disclosure_policy d)
       OR p.by_min_responses > (SELECT d.by_min_responses
                                  FROM msp.disclosure_policy d)
       OR p.data_version <> msp.disclosure_data_version(p_study) THEN
        RETURN CASE WHEN v_run IS NOT NULL AND v_run <> p_study
                    THEN 'other_run' ELSE 'stale' END;
    END IF;
    IF v_run IS NOT NULL AND v_run <> p_study THEN
        RETURN CASE WHEN p.complete THEN 'fresh' ELSE 'other_run' END;
    END IF;
    IF NOT p.complete THEN
        IF p.protect_token = (msp.current_token()).token_sha256 THEN
            RETURN 'protecting';
        END IF;
        RETURN 'incomplete';
    END IF;
    RETURN 'fresh';
END
$$;
REVOKE ALL ON FUNCTION msp.disclosure_plan_status(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.disclosure_plan_status(integer)
    TO msp_team, msp_federation, msp_analyst;
