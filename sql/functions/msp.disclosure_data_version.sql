-- The version of a study's data that its reports read, as a digest:
-- its state, its complete responses (count, largest and sum of ids),
-- their answers (count, largest id) and its frame (structures listed,
-- active).  A protection plan (msp.disclosure_plan_state) made on
-- another version is stale: an erasure removes responses, a reopen
-- changes the state, a frame import the frame.  A digest, so that a
-- federation, which may call it, learns no count it is not printed.
-- SECURITY DEFINER: a federation reads no row of msp.response (0037).
CREATE OR REPLACE FUNCTION msp.disclosure_data_version(p_study integer)
RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT md5(concat_ws('/', s.state::text,
        (SELECT count(*) || ':' || coalesce(max(r.response_id), 0) || ':' ||
                coalesce(sum(r.response_id), 0)
           FROM msp.response r
          WHERE r.study_id = s.study_id AND r.status = 'complete'),
        (SELECT count(*) || ':' || coalesce(max(a.answer_id), 0)
           FROM msp.answer a
           JOIN msp.response r ON r.response_id = a.response_id
          WHERE r.study_id = s.study_id AND r.status = 'complete'),
        (SELECT count(*) || ':' || count(*) FILTER (WHERE p.active)
           FROM msp.population p WHERE p.study_id = s.study_id)))
      FROM msp.study s
     WHERE s.study_id = p_study
$$;
REVOKE ALL ON FUNCTION msp.disclosure_data_version(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.disclosure_data_version(integer)
    TO msp_team, msp_federation, msp_analyst;
