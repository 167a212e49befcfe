-- A word of an open answer: runs of letters (ASCII, Latin-1, œ) and
-- inner hyphens, the class spelled out ([[:alpha:]] depends on the
-- server's locale).  One place for the triggers and the recount.
CREATE OR REPLACE FUNCTION msp.answer_words(p_text text)
RETURNS TABLE (word text, n bigint)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT t.word, count(*)
      FROM pg_catalog.regexp_split_to_table(p_text,
           '[^A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u00FF\u0152\u0153-]+')
           AS t (word)
     WHERE t.word <> ''
     GROUP BY t.word
$$;
