-- The studies whose every response the caller's token sees: all for an
-- analyst; for a federation, those of its region with no response from
-- a structure of another region; none for a team or without a token.
CREATE OR REPLACE FUNCTION msp.whole_studies() RETURNS integer[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    t msp.access_token := msp.current_token();
    v integer[];
BEGIN
    IF t.kind = 'analyst' THEN
        SELECT array_agg(s.study_id) INTO v FROM msp.study s;
    ELSIF t.kind = 'federation' THEN
        SELECT array_agg(s.study_id) INTO v
          FROM msp.study s
         WHERE s.region_id = t.region_id
           AND NOT EXISTS (
               SELECT 1 FROM msp.response r
                 JOIN msp.structure st ON st.structure_id = r.structure_id
                WHERE r.study_id = s.study_id
                  AND st.region_id <> t.region_id);
    END IF;
    RETURN coalesce(v, '{}');
END
$$;
REVOKE ALL ON FUNCTION msp.whole_studies() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.whole_studies()
    TO msp_team, msp_federation, msp_analyst;
