-- The totals from the answers themselves: this migration's starting
-- point, and what the tests compare the running totals with.
CREATE OR REPLACE FUNCTION msp.tally_recount(p_study integer) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    DELETE FROM msp.answer_tally WHERE study_id = p_study;
    DELETE FROM msp.word_tally WHERE study_id = p_study;
    EXECUTE msp.tally_sql(format(
        'SELECT r.study_id, a.instrument_id, a.response_id, a.item_key,'
        '       a.choice_code, a.bool_value, a.num_value, a.text_value,'
        '       1 AS sign, true AS moved'
        '  FROM msp.answer a'
        '  JOIN msp.response r ON r.response_id = a.response_id'
        ' WHERE r.study_id = %s::integer AND r.status = ''complete''',
        p_study));
END
$$;
REVOKE ALL ON FUNCTION msp.tally_recount(integer) FROM PUBLIC;
