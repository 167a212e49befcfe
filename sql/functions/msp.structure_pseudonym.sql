-- Which of two pseudonyms of one identifier a structure is stored under
-- (review finding 11).  Issue 18 widened the identifier's normalisation
-- (lib/secret.c): a structure stored before from an identifier with
-- accents or punctuation is under the legacy pseudonym
-- (secret_pseudonym_legacy()), and its team's next answer would make a
-- second structure.  Returns p_legacy when no structure has p_pseudonym
-- and one has p_legacy; else p_pseudonym (a new structure is made under
-- the new one).  SECURITY DEFINER: the worker, before a token, sees no
-- structure; it learns only whether a pseudonym it computed with the
-- server secret is stored, which the secret's holder can learn anyway.
CREATE OR REPLACE FUNCTION msp.structure_pseudonym(p_pseudonym text,
                                                   p_legacy text)
RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT CASE WHEN p_legacy IS NOT NULL AND p_legacy <> p_pseudonym
                 AND NOT EXISTS (SELECT 1 FROM msp.structure s
                                  WHERE s.pseudonym = p_pseudonym)
                 AND EXISTS (SELECT 1 FROM msp.structure s
                              WHERE s.pseudonym = p_legacy)
                THEN p_legacy ELSE p_pseudonym END
$$;
REVOKE ALL ON FUNCTION msp.structure_pseudonym(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.structure_pseudonym(text, text)
    TO msp_app, msp_team, msp_federation, msp_analyst;
