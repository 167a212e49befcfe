-- The trigger study_drops_tests (migration 0034): a study that has just
-- left the draft state loses its test responses; their answers and
-- running totals go with them (msp.tally_*'s delete triggers).
-- msp.study_transition('open') has deleted them already and counted
-- them for its message; this is for any other UPDATE of the state.
CREATE OR REPLACE FUNCTION msp.study_drops_tests() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    DELETE FROM msp.response WHERE study_id = NEW.study_id AND test;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION msp.study_drops_tests() FROM PUBLIC;
