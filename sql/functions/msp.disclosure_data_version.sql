-- The version of a study's data that its reports read: its state, its
-- data generation (msp.study_generation, one more at every rebuild of
-- its cross-tabulations, which every write changing what a closed
-- study's reports count sets off: migration 0047's triggers) and its
-- frame (structures listed, active).  A protection plan
-- (msp.disclosure_plan_state) made on another version is stale: an
-- erasure, a corrected answer, a structure moved, a rule changed, a
-- reopen, a frame import.  Read by primary key: a federation report
-- asks for it every time (msp.disclosure_plan_status).
-- SECURITY DEFINER, granted to analysts only: a federation or a team
-- would learn from it when another region's study changes; they reach
-- it through msp.disclosure_plan_status, which runs as the owner.
CREATE OR REPLACE FUNCTION msp.disclosure_data_version(p_study integer)
RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT md5(concat_ws('/', s.state::text,
        coalesce((SELECT g.generation FROM msp.study_generation g
                   WHERE g.study_id = s.study_id), 0),
        (SELECT count(*) || ':' || count(*) FILTER (WHERE p.active)
           FROM msp.population p WHERE p.study_id = s.study_id)))
      FROM msp.study s
     WHERE s.study_id = p_study
$$;
REVOKE ALL ON FUNCTION msp.disclosure_data_version(integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION msp.disclosure_data_version(integer)
    FROM msp_team, msp_federation;
GRANT EXECUTE ON FUNCTION msp.disclosure_data_version(integer)
    TO msp_analyst;
