-- Starts a protection run of a closed study (msp-report
-- disclosure-protect, lib/report/protect.c): forgets its plan, records
-- the threshold and the data version the new one is made for, and
-- creates the run's transient federation token of the study's region
-- (p_token: the SHA-256, in hex, of the token the command drew,
-- 32 random bytes in hex: the token itself never reaches the server,
-- whose log may keep a statement's parameters), under
-- which the command audits the reports as that federation would read
-- them.  msp.disclosure_plan_end revokes it.  The study's stored
-- releases (0053) go with the plan: the run stores new ones when it
-- ends.  An analyst token or the
-- owner only (msp.require_fieldwork_manager); a study not closed is
-- refused (its figures still move).
CREATE OR REPLACE FUNCTION msp.disclosure_plan_begin(p_study integer,
                                                     p_token text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_region smallint;
    v_sha bytea := decode(p_token, 'hex');
BEGIN
    PERFORM msp.require_fieldwork_manager();
    IF length(v_sha) <> 32 THEN
        RAISE EXCEPTION 'empreinte de jeton de protection invalide'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT s.region_id INTO v_region FROM msp.study s
     WHERE s.study_id = p_study AND s.state = 'closed';
    IF v_region IS NULL THEN
        RAISE EXCEPTION 'étude % : seule une étude close se protège',
            p_study USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    -- a run killed before its end left its token: revoked now, as is
    -- the token of a run still going, which then fails at its next
    -- report (msp.disclosure_plan_end tells the two runs apart)
    UPDATE msp.access_token t SET revoked_at = now()
      FROM msp.disclosure_plan_state d
     WHERE d.study_id = p_study AND t.token_sha256 = d.protect_token
       AND t.revoked_at IS NULL;
    DELETE FROM msp.disclosure_plan WHERE study_id = p_study;
    DELETE FROM msp.federation_release WHERE study_id = p_study;
    INSERT INTO msp.disclosure_plan_state AS d
           (study_id, threshold, by_min_responses, data_version,
            protect_token)
    VALUES (p_study, (SELECT threshold FROM msp.disclosure_policy),
            (SELECT by_min_responses FROM msp.disclosure_policy),
            msp.disclosure_data_version(p_study), v_sha)
    ON CONFLICT (study_id) DO UPDATE
       SET threshold = EXCLUDED.threshold,
           by_min_responses = EXCLUDED.by_min_responses,
           data_version = EXCLUDED.data_version,
           protect_token = EXCLUDED.protect_token,
           rounds = 0, complete = false, hidden_before = NULL,
           hidden_after = NULL, fails_after = NULL, made_at = now();
    INSERT INTO msp.access_token (token_sha256, kind, region_id, label)
    VALUES (v_sha, 'federation', v_region,
            'disclosure-protect (transient)');
END
$$;
REVOKE ALL ON FUNCTION msp.disclosure_plan_begin(integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.disclosure_plan_begin(integer, text)
    TO msp_analyst;
