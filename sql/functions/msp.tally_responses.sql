-- Responses whose status or study changed: their answers, as they are
-- now, move out of the old study's totals if it counted them, into the
-- new one's if it counts them.
--
-- Response updates: nothing to do unless one moved in or out.
CREATE OR REPLACE FUNCTION msp.tally_responses() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_studies integer[];
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM tally_old o JOIN tally_new n USING (response_id)
         WHERE (o.status = 'complete') <> (n.status = 'complete')
            OR (n.study_id <> o.study_id
                AND (o.status = 'complete' OR n.status = 'complete'))) THEN
        RETURN NULL;
    END IF;
    EXECUTE msp.tally_sql(
        'SELECT m.study_id, a.instrument_id, a.response_id, a.item_key,'
        '       a.choice_code, a.bool_value, a.num_value, a.text_value,'
        '       m.sign, true AS moved'
        '  FROM (SELECT o.response_id, o.study_id, -1 AS sign'
        '          FROM tally_old o JOIN tally_new n USING (response_id)'
        '         WHERE o.status = ''complete'''
        '           AND (n.status <> ''complete'''
        '                OR n.study_id <> o.study_id)'
        '        UNION ALL'
        '        SELECT n.response_id, n.study_id, 1'
        '          FROM tally_old o JOIN tally_new n USING (response_id)'
        '         WHERE n.status = ''complete'''
        '           AND (o.status <> ''complete'''
        '                OR n.study_id <> o.study_id)) m'
        '  JOIN msp.answer a ON a.response_id = m.response_id');
    EXECUTE 'SELECT array_agg(DISTINCT o.study_id)'
            '  FROM tally_old o JOIN tally_new n USING (response_id)'
            ' WHERE o.status = ''complete'''
            '   AND (n.status <> ''complete'' OR n.study_id <> o.study_id)'
        INTO v_studies;
    PERFORM msp.tally_forget(v_studies);
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION msp.tally_responses() FROM PUBLIC;
