-- A federation's stored release of study p_study for request p_request
-- (lib/report/request_key.h), as msp-report disclosure-protect stored
-- it (msp.federation_release_store): the report's JSON, exactly what
-- the disclosure audit read, never a recount.
--
-- Who: the token of this transaction, decided by msp.release_scope (a
-- federation: any study not a draft; a team: its feedback page's
-- closed study; anyone else refused, 42501).
-- Refused, with a French message for people:
--   MSPR1  no release holds for the study: not closed, never
--          protected, its plan unfinished or stale (other data,
--          another threshold, msp.disclosure_plan_status), or the
--          stored row made for other data: "à recalculer";
--   MSPR2  the plan holds but this report is not among the study's
--          releases (a request the audit never read, or one the
--          server refused: a --by below the small-study minimum).
-- SECURITY DEFINER: the table is the owner's alone (0053).
CREATE OR REPLACE FUNCTION msp.federation_release_get(p_study integer,
                                                      p_request text)
RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_slug text;
    v_status text;
    r msp.federation_release;
BEGIN
    PERFORM msp.release_scope(p_study);
    SELECT s.slug INTO v_slug FROM msp.study s WHERE s.study_id = p_study;
    v_status := msp.disclosure_plan_status(p_study);
    IF v_status = 'open' THEN
        RAISE EXCEPTION 'l''étude % n''est pas close : aucune diffusion '
            'n''est encore publiée', v_slug
            USING ERRCODE = 'MSPR1';
    ELSIF v_status = 'missing' THEN
        RAISE EXCEPTION 'la diffusion de cette étude n''est pas encore '
            'publiée : msp-report disclosure-protect --study %', v_slug
            USING ERRCODE = 'MSPR1';
    ELSIF v_status <> 'fresh' THEN
        RAISE EXCEPTION 'la diffusion de cette étude est à recalculer : '
            'msp-report disclosure-protect --study % (plan de '
            'protection %)', v_slug,
            CASE v_status WHEN 'stale' THEN 'périmé : les données ou '
                 'le seuil ont changé' ELSE 'inachevé' END
            USING ERRCODE = 'MSPR1';
    END IF;
    SELECT * INTO r FROM msp.federation_release f
     WHERE f.study_id = p_study AND f.request = p_request;
    -- a plan that holds but stored nothing: made before 0053 stored
    -- releases (an upgrade), so nothing of the study is published yet
    IF NOT FOUND AND NOT EXISTS (SELECT 1 FROM msp.federation_release f
                                  WHERE f.study_id = p_study) THEN
        RAISE EXCEPTION 'la diffusion de cette étude est à recalculer : '
            'msp-report disclosure-protect --study % (plan de '
            'protection fait avant que les diffusions soient '
            'enregistrées)', v_slug
            USING ERRCODE = 'MSPR1';
    END IF;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'ce rapport n''est pas publié pour cette étude '
            '(%)', v_slug
            USING ERRCODE = 'MSPR2';
    END IF;
    -- the plan is fresh, and the row is the plan's run's (begin
    -- deletes the rows): checked anyway, a release of other data is
    -- never served
    IF r.data_version <> msp.disclosure_data_version(p_study)
       OR r.threshold <> (SELECT d.threshold FROM msp.disclosure_policy d)
    THEN
        RAISE EXCEPTION 'la diffusion de cette étude est à recalculer : '
            'msp-report disclosure-protect --study % (diffusion '
            'périmée : les données ou le seuil ont changé)', v_slug
            USING ERRCODE = 'MSPR1';
    END IF;
    RETURN r.document;
END
$$;
REVOKE ALL ON FUNCTION msp.federation_release_get(integer, text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.federation_release_get(integer, text)
    TO msp_federation, msp_team;
