-- The trigger of msp.study's state (migration 0047): a study that
-- becomes closed gets its cross-tabulations in the same transaction
-- (msp.study_transition's close, the reference data's 0009); one that
-- stops being closed (reopen, extend) loses them, since it may then
-- receive responses that they would not count.
CREATE OR REPLACE FUNCTION msp.study_crosstab_state() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    -- the build deletes what a study has, and builds only if closed
    PERFORM msp.study_crosstab_build(NEW.study_id);
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION msp.study_crosstab_state() FROM PUBLIC;
