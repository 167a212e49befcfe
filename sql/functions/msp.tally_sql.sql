-- The statement that appends the totals of a delta to both tables.
-- p_delta is a query giving, for each answer counted in or out, its
-- study_id, instrument_id, response_id, item_key, choice_code,
-- bool_value, num_value, text_value, sign (+1 in, -1 out) and moved
-- (true when the whole response moved in or out: its status or study
-- changed).  'r' rows count the respondents of multiple-choice items:
-- a response's answers to an item went from b to a rows, a > 0 minus
-- b > 0; for answers a is what the table holds now and b = a - net,
-- for a response that moved, a = net (in) or 0 (out).
CREATE OR REPLACE FUNCTION msp.tally_sql(p_delta text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $f$
SELECT format($q$
WITH d AS MATERIALIZED (%s),
v AS (
    INSERT INTO msp.answer_tally (study_id, item_key, kind, choice_code,
                                  bool_value, num_value, n)
    SELECT d.study_id, d.item_key, 'v', d.choice_code, d.bool_value,
           d.num_value, sum(d.sign)
      FROM d
     GROUP BY d.study_id, d.item_key, d.choice_code, d.bool_value,
              d.num_value
    HAVING sum(d.sign) <> 0),
r AS (
    INSERT INTO msp.answer_tally (study_id, item_key, kind, n)
    SELECT p.study_id, p.item_key, 'r',
           sum((c.a > 0)::int - (c.a - p.net > 0)::int)
      FROM (SELECT d.study_id, d.instrument_id, d.response_id,
                   d.item_key, sum(d.sign) AS net, bool_or(d.moved) AS moved
              FROM d
             GROUP BY 1, 2, 3, 4) p
      JOIN msp.instrument_item it ON it.instrument_id = p.instrument_id
       AND it.item_key = p.item_key AND it.item_type = 'multiple_choice'
     CROSS JOIN LATERAL (
           SELECT CASE WHEN p.moved THEN greatest(p.net, 0)
                       ELSE (SELECT count(*) FROM msp.answer x
                              WHERE x.response_id = p.response_id
                                AND x.item_key = p.item_key) END AS a) c
     GROUP BY p.study_id, p.item_key
    HAVING sum((c.a > 0)::int - (c.a - p.net > 0)::int) <> 0)
INSERT INTO msp.word_tally (study_id, item_key, word, occurrences,
                            answers)
SELECT d.study_id, d.item_key, w.word, sum(d.sign * w.n), sum(d.sign)
  FROM d CROSS JOIN LATERAL msp.answer_words(d.text_value) w
 WHERE d.text_value IS NOT NULL
 GROUP BY d.study_id, d.item_key, w.word
HAVING sum(d.sign * w.n) <> 0 OR sum(d.sign) <> 0
$q$, p_delta)
$f$;
REVOKE ALL ON FUNCTION msp.tally_sql(text) FROM PUBLIC;
