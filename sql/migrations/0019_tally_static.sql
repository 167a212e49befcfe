-- 0014's triggers built their statement with format() and ran it with
-- EXECUTE, so every statement that wrote answers had it parsed and
-- planned again: about 0.5 ms of server CPU per API submission, a third
-- of the database's ceiling (bench/api.sh against TALLY_OFF=1,
-- docs/report.md).  Inserts and deletes of answers, which the API and
-- the forms make, now run one statement written out here, whose plan
-- PL/pgSQL keeps for the session: both triggers name their transition
-- table tally_rows and pass their sign.  Updates of answers (rare) keep
-- 0014's function; a response update that moves no response in or out
-- of the totals returns before building anything.

-- The same counts as msp.tally_sql (0014) for rows that are all added
-- (sign 1) or all removed (-1).  A response's answers to a multiple-
-- choice item went from none to k (insert: the k rows are all it has
-- now) or from k to none (delete: it has none now).
CREATE FUNCTION msp.tally_rows() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_sign integer := TG_ARGV[0]::integer;
    v_studies integer[];
BEGIN
    WITH d AS MATERIALIZED (
        SELECT r.study_id, x.instrument_id, x.response_id, x.item_key,
               x.choice_code, x.bool_value, x.num_value, x.text_value
          FROM tally_rows x
          JOIN msp.response r ON r.response_id = x.response_id
         WHERE r.status = 'complete'),
    v AS (
        INSERT INTO msp.answer_tally (study_id, item_key, kind,
                                      choice_code, bool_value, num_value,
                                      n)
        SELECT d.study_id, d.item_key, 'v', d.choice_code, d.bool_value,
               d.num_value, v_sign * count(*)
          FROM d
         GROUP BY d.study_id, d.item_key, d.choice_code, d.bool_value,
                  d.num_value),
    r AS (
        INSERT INTO msp.answer_tally (study_id, item_key, kind, n)
        SELECT p.study_id, p.item_key, 'r', v_sign * count(*)
          FROM (SELECT d.study_id, d.instrument_id, d.response_id,
                       d.item_key, count(*) AS k
                  FROM d GROUP BY 1, 2, 3, 4) p
          JOIN msp.instrument_item it ON it.instrument_id = p.instrument_id
           AND it.item_key = p.item_key
           AND it.item_type = 'multiple_choice'
         WHERE (SELECT count(*) FROM msp.answer a
                 WHERE a.response_id = p.response_id
                   AND a.item_key = p.item_key)
               = CASE WHEN v_sign > 0 THEN p.k ELSE 0 END
         GROUP BY p.study_id, p.item_key)
    INSERT INTO msp.word_tally (study_id, item_key, word, occurrences,
                                answers)
    SELECT d.study_id, d.item_key, w.word, v_sign * sum(w.n),
           v_sign * count(*)
      FROM d CROSS JOIN LATERAL msp.answer_words(d.text_value) w
     WHERE d.text_value IS NOT NULL
     GROUP BY d.study_id, d.item_key, w.word;
    IF v_sign < 0 THEN
        SELECT array_agg(DISTINCT r.study_id) INTO v_studies
          FROM tally_rows o
          JOIN msp.response r ON r.response_id = o.response_id
         WHERE r.status = 'complete';
        PERFORM msp.tally_forget(v_studies);
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION msp.tally_rows() FROM PUBLIC;

DROP TRIGGER tally_insert ON msp.answer;
DROP TRIGGER tally_delete ON msp.answer;
CREATE TRIGGER tally_insert AFTER INSERT ON msp.answer
    REFERENCING NEW TABLE AS tally_rows
    FOR EACH STATEMENT EXECUTE FUNCTION msp.tally_rows('1');
CREATE TRIGGER tally_delete AFTER DELETE ON msp.answer
    REFERENCING OLD TABLE AS tally_rows
    FOR EACH STATEMENT EXECUTE FUNCTION msp.tally_rows('-1');

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
