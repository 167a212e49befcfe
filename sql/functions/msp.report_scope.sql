-- Whose responses a report's counting function may count for study
-- p_study (msp.release_scope decides the scope), and one rule more: no
-- federation's or team's own token counts any study (issue 19, item 1:
-- "no client — the CLI, the web pages, hand-written SQL under the
-- federation's token — can get more").  What a federation reads of a
-- study is its stored release, the very documents the disclosure audit
-- read (msp.federation_release_get, 0053), published when the study is
-- closed and protected; a count made here would be the raw one, small
-- cells included, which the client alone used to hide.  A team's
-- feedback page reads the same releases (its region's figures, and
-- "teams like yours": msp.feedback_like_var), so that a team's
-- hand-written SQL gets no more than its page.  Only a protection
-- run's transient token counts (msp.disclosure_plan_state.
-- protect_token: its own study, and a comparison's column of another).
-- A team's own answers are read under Row-Level Security, not here.
-- The fieldwork monitor (msp.fieldwork_*) does not come here: it stays
-- live for federations.
--
-- The SECURITY DEFINER counting functions call it first, as the owner,
-- so it decides from the token (msp.current_token), never from the
-- role: msp_app, which the workers log in as, is a member of
-- msp_federation.  Refused: insufficient_privilege (42501), with a
-- message a person can read.
CREATE OR REPLACE FUNCTION msp.report_scope(p_study integer)
RETURNS smallint
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
DECLARE
    v_region smallint := msp.release_scope(p_study);
BEGIN
    IF (msp.current_token()).kind = 'team' THEN
        RAISE EXCEPTION 'étude % : une équipe lit les chiffres de sa '
            'région dans la diffusion publiée (msp.federation_release_get), '
            'jamais leurs comptages',
            (SELECT s.slug FROM msp.study s WHERE s.study_id = p_study)
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (msp.current_token()).kind = 'federation'
       AND NOT EXISTS (SELECT 1 FROM msp.disclosure_plan_state d
                        WHERE d.protect_token
                              = (msp.current_token()).token_sha256) THEN
        RAISE EXCEPTION 'étude % : une fédération lit sa diffusion '
            'publiée (msp.federation_release_get), jamais ses comptages',
            (SELECT s.slug FROM msp.study s WHERE s.study_id = p_study)
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN v_region;
END
$$;
REVOKE ALL ON FUNCTION msp.report_scope(integer) FROM PUBLIC;
