-- A closed study's maintained cross-tabulations (0047) follow the writes
-- to the study itself that change what they count, not only its state.
--
-- msp.study_crosstab_build reads the study's year (a structure's age,
-- "anciennete", is the study's year less its opening year: rules with
-- years_before_study), its region (the federation's own region always
-- has its rows) and its instrument (the items split by).  A closed
-- study whose year was corrected kept the ages of the old year in its
-- tables, and its data generation (0049) did not move, so a protection
-- plan made before still looked current.  The trigger now fires on
-- those columns too, for a closed study: the rebuild bumps the
-- generation.  A write that changes none of them (a title) rebuilds
-- nothing.
--
-- The other write that could change a closed study's counts, a response
-- moved out of it by an UPDATE of msp.response.study_id, is refused by
-- msp.study_accepts_response (MSPS1, sql/functions/): moving one in was
-- refused already, every other UPDATE of a closed study's response too.
DROP TRIGGER crosstab_state ON msp.study;
CREATE TRIGGER crosstab_state
    AFTER UPDATE OF state, year, region_id, instrument_id ON msp.study
    FOR EACH ROW
    -- one flat OR per column, not a row comparison: the server keeps
    -- that as nested ORs which a dump reads back flat, and a restored
    -- schema would not dump as the original did (tests/backup.test)
    WHEN (OLD.state IS DISTINCT FROM NEW.state
          OR (NEW.state = 'closed'
              AND (OLD.year IS DISTINCT FROM NEW.year
                   OR OLD.region_id IS DISTINCT FROM NEW.region_id
                   OR OLD.instrument_id IS DISTINCT FROM
                      NEW.instrument_id)))
    EXECUTE FUNCTION msp.study_crosstab_state();
