-- Adds a protection round's figures to a study's plan (p_figures, each
-- with its reason in p_why, same length), while a run is under way:
-- msp.disclosure_plan_begin made it.  A figure already there keeps its
-- first round.  An analyst token or the owner only.
CREATE OR REPLACE FUNCTION msp.disclosure_plan_add(p_study integer,
                                                   p_round integer,
                                                   p_figures text[],
                                                   p_why text[])
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    PERFORM msp.require_fieldwork_manager();
    IF cardinality(p_figures) IS DISTINCT FROM cardinality(p_why) THEN
        RAISE EXCEPTION 'figures and reasons differ in number'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM msp.disclosure_plan_state d
                    WHERE d.study_id = p_study AND NOT d.complete
                      AND d.protect_token IS NOT NULL) THEN
        RAISE EXCEPTION 'étude % : aucune protection en cours', p_study
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    INSERT INTO msp.disclosure_plan (study_id, figure, round, why)
    SELECT p_study, f.figure, p_round, f.why
      FROM unnest(p_figures, p_why) AS f(figure, why)
    ON CONFLICT (study_id, figure) DO NOTHING;
    UPDATE msp.disclosure_plan_state SET rounds = p_round
     WHERE study_id = p_study;
END
$$;
REVOKE ALL ON FUNCTION msp.disclosure_plan_add(integer, integer, text[],
                                               text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.disclosure_plan_add(integer, integer, text[],
                                                  text[]) TO msp_analyst;
