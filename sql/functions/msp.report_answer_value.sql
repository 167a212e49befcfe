-- An answer as the rules and the report's frequency tables see it: the
-- choice code, 'oui' / 'non' for a boolean, the number as text; NULL
-- for an open answer (open answers are counted, not tabulated).  Plain
-- SQL expressions, so the planner inlines them into the report's
-- aggregates; PARALLEL SAFE, so that those aggregates can use workers.
CREATE OR REPLACE FUNCTION msp.report_answer_value(p_choice text, p_bool boolean,
                                        p_num numeric, p_text text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN p_text IS NOT NULL THEN NULL
                ELSE coalesce(p_choice,
                              CASE p_bool WHEN true THEN 'oui'
                                          WHEN false THEN 'non' END,
                              p_num::text) END
$$;
