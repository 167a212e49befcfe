-- Answers written: the rows the statement added and removed, of
-- complete responses (looked up now: a response deleted with its
-- answers was counted out by msp.tally_response_delete).  Values and
-- words no longer counted are then forgotten.
CREATE OR REPLACE FUNCTION msp.tally_answers() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_studies integer[];
BEGIN
    EXECUTE msp.tally_sql(format(
        'SELECT r.study_id, x.instrument_id, x.response_id, x.item_key,'
        '       x.choice_code, x.bool_value, x.num_value, x.text_value,'
        '       x.sign, false AS moved'
        '  FROM (%s) x'
        '  JOIN msp.response r ON r.response_id = x.response_id'
        ' WHERE r.status = ''complete''',
        CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT *, 1 AS sign FROM tally_new'
        WHEN 'DELETE' THEN 'SELECT *, -1 AS sign FROM tally_old'
        ELSE 'SELECT *, 1 AS sign FROM tally_new'
             ' UNION ALL SELECT *, -1 FROM tally_old' END));
    IF TG_OP <> 'INSERT' THEN
        EXECUTE 'SELECT array_agg(DISTINCT r.study_id) FROM tally_old o'
                '  JOIN msp.response r ON r.response_id = o.response_id'
                ' WHERE r.status = ''complete'''
            INTO v_studies;
        PERFORM msp.tally_forget(v_studies);
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION msp.tally_answers() FROM PUBLIC;
