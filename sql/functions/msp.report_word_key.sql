-- The key under which msp.report_words decides whether a word is rare:
-- the word folded as lib/report/textfreq.c folds it (ASCII capitals
-- lowered, Latin-1 accents and ligatures to their letters: « Œ » and
-- « œ » to oe, « Æ » to ae, « ß » to ss, « Þ » to th), without hyphens,
-- then stripped of every final run of -s, -x, -al and -au, cut to 48
-- letters.  The report stems a word by removing one final -s or -x, or
-- turning -aux into -al (textfreq_stem); every written form of one
-- stemmed term therefore gets the same key here, and a key's answers
-- are at least those of any term it holds.  So a group of words fewer
-- than the threshold of answers write holds only terms the report
-- would omit anyway, and leaving it in the database changes no term it
-- prints (checked on every federation report of both reference studies,
-- tests/fedreports.sh).  Coarser than the stem on purpose: a key may
-- join unrelated words (« local », « locaux », « loc »), never split a
-- term.  No lower() or unaccent: they depend on the collation and on an
-- extension; translate() does not.
CREATE OR REPLACE FUNCTION msp.report_word_key(p_word text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog AS $$
    SELECT left(regexp_replace(
               translate(replace(replace(replace(replace(replace(replace(replace(
                   p_word, 'Œ', 'oe'), 'œ', 'oe'), 'Æ', 'ae'), 'æ', 'ae'),
                   'ß', 'ss'), 'Þ', 'th'), 'þ', 'th'),
                   'ABCDEFGHIJKLMNOPQRSTUVWXYZÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝàáâãäåçèéêëìíîïðñòóôõöøùúûüýÿ-',
                   'abcdefghijklmnopqrstuvwxyzaaaaaaceeeeiiiidnoooooouuuuyaaaaaaceeeeiiiidnoooooouuuuyy'),
               '(s|x|al|au)+$', ''), 48)
$$;
REVOKE ALL ON FUNCTION msp.report_word_key(text) FROM PUBLIC;
