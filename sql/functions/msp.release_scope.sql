-- Whose study p_study a token may read aggregates of, and the region
-- they count: msp.report_scope (the counting functions) and
-- msp.federation_release_get (the stored releases, 0053) ask it first.
--
-- For a federation, whose responses its report counts for study p_study: the
-- structures of the study's region, whichever region the federation's
-- token belongs to (issue 19: "a federation sees other regions'
-- aggregates under the same rules, for comparison").  The SECURITY
-- DEFINER report functions call it first, as the owner, so it decides
-- from the token (msp.current_token), never from the role: msp_app,
-- which the workers log in as, is a member of msp_federation.
--
-- A team's token reads the same releases for its feedback page
-- (« restitution », fcgi/restitution.c, issue 19 item 3), and only
-- where it is owed one: a study of its own region that it answered
-- (a complete response of its structure) and that is closed.  Closed,
-- because figures that move while the team watches would show it the
-- answers of the one team that sent between two readings.  It counts
-- nothing (msp.report_scope): its region's figures are the federation's
-- stored releases, under the federation's disclosure control.
--
-- Refused (insufficient_privilege, 42501), with a message a person can
-- read, for an analyst's token (analysts read rows under Row-Level
-- Security), a team outside those studies, and for a study it may not
-- see: an unknown one, or a draft (its responses are tests, 0028).
CREATE OR REPLACE FUNCTION msp.release_scope(p_study integer)
RETURNS smallint
LANGUAGE plpgsql STABLE SET search_path = pg_catalog AS $$
DECLARE
    t msp.access_token := msp.current_token();
    v_region smallint;
BEGIN
    IF t.kind = 'team' THEN
        SELECT s.region_id INTO v_region
          FROM msp.study s
          JOIN msp.structure st ON st.region_id = s.region_id
         WHERE s.study_id = p_study AND s.state = 'closed'
           AND st.structure_id = t.structure_id
           AND EXISTS (SELECT 1 FROM msp.response r
                        WHERE r.study_id = p_study
                          AND r.structure_id = t.structure_id
                          AND r.status = 'complete');
        IF v_region IS NULL THEN
            RAISE EXCEPTION 'étude % : la restitution d''une équipe '
                'porte sur une étude close de sa région, à laquelle '
                'elle a répondu', p_study
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN v_region;
    END IF;
    IF t.kind IS DISTINCT FROM 'federation' THEN
        RAISE EXCEPTION 'ces agrégats sont réservés aux jetons de fédération'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT s.region_id INTO v_region
      FROM msp.study s
     WHERE s.study_id = p_study AND s.state <> 'draft';
    IF v_region IS NULL THEN
        RAISE EXCEPTION 'étude % hors de votre périmètre', p_study
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN v_region;
END
$$;
REVOKE ALL ON FUNCTION msp.release_scope(integer) FROM PUBLIC;
