-- msp-report generate's index rebuild around a large load (lib/synth.c,
-- docs/generator.md).  Drops every index of p_tables that no foreign key
-- depends on (a primary key or unique constraint as a constraint),
-- keeping its definition in the temporary table pg_temp.synth_index,
-- gone at COMMIT, for msp.synth_restore_indexes to build again after
-- the COPY: unique ones then check the whole table at once, so a
-- duplicate still fails the load and rolls it back.  The statements
-- are made from the catalog's own definitions (pg_get_indexdef,
-- pg_get_constraintdef) and the tables' names, never from text.
-- Returns how many indexes it dropped.  Only the tables' owner may.
CREATE OR REPLACE FUNCTION msp.synth_drop_indexes(p_tables regclass[])
RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    r record;
    n integer := 0;
BEGIN
    CREATE TEMPORARY TABLE synth_index (position serial,
           restore text NOT NULL) ON COMMIT DROP;
    FOR r IN
        SELECT i.indrelid::regclass AS tbl,
               i.indexrelid::regclass AS idx, c.conname,
               pg_get_indexdef(i.indexrelid) AS idef,
               pg_get_constraintdef(c.oid) AS cdef
          FROM pg_index i
          LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid
           AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u')
         WHERE i.indrelid = ANY (p_tables)
           AND NOT EXISTS (SELECT 1 FROM pg_constraint f
                            WHERE f.contype = 'f'
                              AND f.conindid = i.indexrelid)
         ORDER BY i.indrelid, i.indexrelid
    LOOP
        IF r.conname IS NOT NULL THEN
            INSERT INTO pg_temp.synth_index (restore) VALUES
                (format('ALTER TABLE %s ADD CONSTRAINT %I %s', r.tbl,
                        r.conname, r.cdef));
            EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.tbl,
                           r.conname);
        ELSE
            INSERT INTO pg_temp.synth_index (restore) VALUES (r.idef);
            EXECUTE format('DROP INDEX %s', r.idx);
        END IF;
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;
REVOKE ALL ON FUNCTION msp.synth_drop_indexes(regclass[]) FROM PUBLIC;
