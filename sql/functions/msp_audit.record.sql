-- TG_ARGV[0]: the audited table's key column.
--
-- The audit trigger of 0005 turned each inserted or deleted row into
-- JSON three times (for the row, its key and its structure).  It now
-- does so once per row; the log rows are the same.  OFFSET 0 keeps the
-- sub-query a step of its own: pulled up into the outer query, as the
-- planner otherwise does, each use of j would call to_jsonb again.
-- (A function's body is replaced whole: the UPDATE branch is 0005's.)
CREATE OR REPLACE FUNCTION msp_audit.record() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    actor text := msp_audit.current_actor();
    key text := TG_ARGV[0];
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO msp_audit.log
            (actor, table_name, operation, row_id, structure_id, new_row)
        SELECT actor, TG_TABLE_NAME, TG_OP, (n.j ->> key)::bigint,
               (n.j ->> 'structure_id')::integer, n.j
          FROM (SELECT to_jsonb(r) AS j FROM new_rows r OFFSET 0) n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO msp_audit.log
            (actor, table_name, operation, row_id, structure_id, old_row)
        SELECT actor, TG_TABLE_NAME, TG_OP, (o.j ->> key)::bigint,
               (o.j ->> 'structure_id')::integer, o.j
          FROM (SELECT to_jsonb(r) AS j FROM old_rows r OFFSET 0) o;
    ELSE
        INSERT INTO msp_audit.log
            (actor, table_name, operation, row_id, structure_id,
             old_row, new_row)
        SELECT actor, TG_TABLE_NAME, TG_OP, o.id,
               coalesce((n.j ->> 'structure_id')::integer,
                        (o.j ->> 'structure_id')::integer),
               o.j, n.j
          FROM (SELECT (to_jsonb(r) ->> key)::bigint AS id, to_jsonb(r) AS j
                  FROM old_rows r) o
          JOIN (SELECT (to_jsonb(r) ->> key)::bigint AS id, to_jsonb(r) AS j
                  FROM new_rows r) n USING (id);
    END IF;
    RETURN NULL;
END
$$;
