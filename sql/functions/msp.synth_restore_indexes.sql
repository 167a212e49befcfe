-- Builds again, in the order they were dropped, the indexes and
-- constraints msp.synth_drop_indexes dropped in this transaction
-- (lib/synth.c).  Returns how many.
CREATE OR REPLACE FUNCTION msp.synth_restore_indexes()
RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    r record;
    n integer := 0;
BEGIN
    FOR r IN SELECT restore FROM pg_temp.synth_index ORDER BY position
    LOOP
        EXECUTE r.restore;
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;
REVOKE ALL ON FUNCTION msp.synth_restore_indexes() FROM PUBLIC;
