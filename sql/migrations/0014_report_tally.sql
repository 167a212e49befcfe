-- Running totals of every study's answers, so that the whole-study
-- report (msp-report --region, lib/report_data.c) reads a few hundred
-- rows instead of scanning every answer: over a million responses the
-- scan took 10 s for the frequency tables and as long again for the
-- words of one open question (docs/report.md, "Speed").
--
-- Only the answers of complete responses count, as in the report.
-- The totals are kept by statement-level triggers on msp.answer and
-- msp.response as *deltas*: each statement appends its own rows and
-- never updates another's, so concurrent submissions never wait on
-- one another; readers sum them (msp.tally_compact folds them).
-- msp-report generate's fast load (session_replication_role = replica,
-- which switches these triggers off) writes the totals of what it
-- loads itself; with --checked the triggers do.  Whole-study totals:
-- like msp.report_cache, only the owner and analysts read them; a
-- federation's or a team's report is computed under its own Row-Level
-- Security from the answers.

-- kind 'v': answers with this value (all NULL: open answers);
-- kind 'r': responses that answered the item (values NULL)
CREATE TABLE msp.answer_tally (
    study_id    integer NOT NULL REFERENCES msp.study ON DELETE CASCADE,
    item_key    text NOT NULL,
    kind        "char" NOT NULL CHECK (kind IN ('v', 'r')),
    choice_code text,
    bool_value  boolean,
    num_value   numeric,
    n           bigint NOT NULL
);
CREATE INDEX ON msp.answer_tally (study_id);

-- The words of open answers, split as the report splits them: how
-- often each is written, and in how many answers.
CREATE TABLE msp.word_tally (
    study_id    integer NOT NULL REFERENCES msp.study ON DELETE CASCADE,
    item_key    text NOT NULL,
    word        text NOT NULL,
    occurrences bigint NOT NULL,
    answers     bigint NOT NULL
);
CREATE INDEX ON msp.word_tally (study_id, item_key);

ALTER TABLE msp.answer_tally ENABLE ROW LEVEL SECURITY;
ALTER TABLE msp.word_tally ENABLE ROW LEVEL SECURITY;
CREATE POLICY analyst ON msp.answer_tally TO msp_analyst
    USING ((SELECT msp.current_kind()) = 'analyst');
CREATE POLICY analyst ON msp.word_tally TO msp_analyst
    USING ((SELECT msp.current_kind()) = 'analyst');
GRANT SELECT ON msp.answer_tally, msp.word_tally TO msp_analyst;

-- A word of an open answer: runs of letters (ASCII, Latin-1, œ) and
-- inner hyphens, the class spelled out ([[:alpha:]] depends on the
-- server's locale).  One place for the triggers and the recount.
CREATE FUNCTION msp.answer_words(p_text text)
RETURNS TABLE (word text, n bigint)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT t.word, count(*)
      FROM pg_catalog.regexp_split_to_table(p_text,
           '[^A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u00FF\u0152\u0153-]+')
           AS t (word)
     WHERE t.word <> ''
     GROUP BY t.word
$$;

-- The statement that appends the totals of a delta to both tables.
-- p_delta is a query giving, for each answer counted in or out, its
-- study_id, instrument_id, response_id, item_key, choice_code,
-- bool_value, num_value, text_value, sign (+1 in, -1 out) and moved
-- (true when the whole response moved in or out: its status or study
-- changed).  'r' rows count the respondents of multiple-choice items:
-- a response's answers to an item went from b to a rows, a > 0 minus
-- b > 0; for answers a is what the table holds now and b = a - net,
-- for a response that moved, a = net (in) or 0 (out).
CREATE FUNCTION msp.tally_sql(p_delta text) RETURNS text
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

-- Drops the rows of values and words of studies p_studies whose deltas
-- add up to nothing: an answer deleted or changed (an erasure, a
-- correction) leaves no trace of its value or its words.  Deleting a
-- set of rows that sums to zero is right whatever else is appended
-- meanwhile.
CREATE FUNCTION msp.tally_forget(p_studies integer[]) RETURNS void
LANGUAGE sql SET search_path = pg_catalog AS $$
    DELETE FROM msp.answer_tally t
     USING (SELECT study_id, item_key, kind, choice_code, bool_value,
                   num_value
              FROM msp.answer_tally
             WHERE study_id = ANY (p_studies)
             GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(n) = 0) z
     WHERE t.study_id = z.study_id AND t.item_key = z.item_key
       AND t.kind = z.kind
       AND t.choice_code IS NOT DISTINCT FROM z.choice_code
       AND t.bool_value IS NOT DISTINCT FROM z.bool_value
       AND t.num_value IS NOT DISTINCT FROM z.num_value;
    DELETE FROM msp.word_tally t
     USING (SELECT study_id, item_key, word
              FROM msp.word_tally
             WHERE study_id = ANY (p_studies)
             GROUP BY 1, 2, 3
            HAVING sum(occurrences) = 0 AND sum(answers) = 0) z
     WHERE t.study_id = z.study_id AND t.item_key = z.item_key
       AND t.word = z.word;
$$;
REVOKE ALL ON FUNCTION msp.tally_forget(integer[]) FROM PUBLIC;

-- Answers written: the rows the statement added and removed, of
-- complete responses (looked up now: a response deleted with its
-- answers was counted out by msp.tally_response_delete).  Values and
-- words no longer counted are then forgotten.
CREATE FUNCTION msp.tally_answers() RETURNS trigger
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

CREATE TRIGGER tally_insert AFTER INSERT ON msp.answer
    REFERENCING NEW TABLE AS tally_new
    FOR EACH STATEMENT EXECUTE FUNCTION msp.tally_answers();
CREATE TRIGGER tally_update AFTER UPDATE ON msp.answer
    REFERENCING OLD TABLE AS tally_old NEW TABLE AS tally_new
    FOR EACH STATEMENT EXECUTE FUNCTION msp.tally_answers();
CREATE TRIGGER tally_delete AFTER DELETE ON msp.answer
    REFERENCING OLD TABLE AS tally_old
    FOR EACH STATEMENT EXECUTE FUNCTION msp.tally_answers();

-- Responses whose status or study changed: their answers, as they are
-- now, move out of the old study's totals if it counted them, into the
-- new one's if it counts them.
CREATE FUNCTION msp.tally_responses() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_studies integer[];
BEGIN
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

CREATE TRIGGER tally_update AFTER UPDATE ON msp.response
    REFERENCING OLD TABLE AS tally_old NEW TABLE AS tally_new
    FOR EACH STATEMENT EXECUTE FUNCTION msp.tally_responses();

-- A complete response deleted: its answers go out of the totals before
-- the foreign key's cascade deletes them (after it, nothing would say
-- which study they counted in).  Row by row: deletions are rare.
CREATE FUNCTION msp.tally_response_delete() RETURNS trigger
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

CREATE TRIGGER tally_delete BEFORE DELETE ON msp.response
    FOR EACH ROW EXECUTE FUNCTION msp.tally_response_delete();

-- Folds a study's deltas into one row per value (and per word) once
-- they have piled up; the report calls it before reading them.  Rows
-- another transaction appends meanwhile are not in this DELETE's
-- snapshot and stay; two foldings at once each add back only the rows
-- their own DELETE removed.
CREATE FUNCTION msp.tally_compact(p_study integer) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    IF (SELECT count(*) FROM msp.answer_tally
         WHERE study_id = p_study) > 10000 THEN
        WITH gone AS (DELETE FROM msp.answer_tally
                       WHERE study_id = p_study RETURNING *)
        INSERT INTO msp.answer_tally (study_id, item_key, kind,
                                      choice_code, bool_value, num_value,
                                      n)
        SELECT study_id, item_key, kind, choice_code, bool_value,
               num_value, sum(n)
          FROM gone GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(n) <> 0;
    END IF;
    IF (SELECT count(*) FROM msp.word_tally
         WHERE study_id = p_study) > 10000 THEN
        WITH gone AS (DELETE FROM msp.word_tally
                       WHERE study_id = p_study RETURNING *)
        INSERT INTO msp.word_tally (study_id, item_key, word,
                                    occurrences, answers)
        SELECT study_id, item_key, word, sum(occurrences), sum(answers)
          FROM gone GROUP BY 1, 2, 3
        HAVING sum(occurrences) <> 0 OR sum(answers) <> 0;
    END IF;
END
$$;
REVOKE ALL ON FUNCTION msp.tally_compact(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.tally_compact(integer) TO msp_analyst;

-- The totals from the answers themselves: this migration's starting
-- point, and what the tests compare the running totals with.
CREATE FUNCTION msp.tally_recount(p_study integer) RETURNS void
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

SELECT msp.tally_recount(study_id) FROM msp.study;

-- The answer trigger of 0003 (0013's version) now fires AFTER the row
-- is written instead of BEFORE: a BEFORE ROW trigger on INSERT, even
-- one switched off, makes COPY insert row by row instead of in batches
-- (docs/generator.md).  It only raises, never changes the row.  Its new
-- name starts with a capital so that it still fires before the foreign
-- keys' triggers (RI_ConstraintTrigger_*: the triggers of one event
-- fire in name order), and a wrong value meets the item's message
-- before the foreign key's, as before.
DROP TRIGGER answer_matches_item ON msp.answer;
CREATE TRIGGER "Answer_matches_item"
    AFTER INSERT OR UPDATE ON msp.answer
    FOR EACH ROW EXECUTE FUNCTION msp.answer_matches_item();
