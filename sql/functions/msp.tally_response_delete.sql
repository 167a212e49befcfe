-- A complete response deleted: its answers go out of the totals before
-- the foreign key's cascade deletes them (after it, nothing would say
-- which study they counted in).  Row by row: deletions are rare.
CREATE OR REPLACE FUNCTION msp.tally_response_delete() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    IF OLD.status = 'complete' THEN
        EXECUTE msp.tally_sql(format(
            'SELECT %s::integer AS study_id, a.instrument_id,'
            '       a.response_id, a.item_key, a.choice_code,'
            '       a.bool_value, a.num_value, a.text_value,'
            '       -1 AS sign, true AS moved'
            '  FROM msp.answer a WHERE a.response_id = %s::bigint',
            OLD.study_id, OLD.response_id));
        PERFORM msp.tally_forget(ARRAY[OLD.study_id]);
    END IF;
    RETURN OLD;
END
$$;
REVOKE ALL ON FUNCTION msp.tally_response_delete() FROM PUBLIC;
