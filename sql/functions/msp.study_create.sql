-- msp-report study create (cli/cmd_study.c): a study, always as a
-- draft (the life cycle's first state; msp.study_transition makes every
-- later move).  fieldwork_start/end, what the report prints as the
-- study's fieldwork, are the window until the study says otherwise.
-- Returns its id.  A slug already there fails with unique_violation, an
-- unknown region, instrument or followed study with
-- foreign_key_violation.  Only for msp.require_fieldwork_manager()
-- (0034).
CREATE OR REPLACE FUNCTION msp.study_create(p_slug text,
    p_region_id smallint, p_year smallint, p_title text,
    p_instrument_id integer, p_opens date, p_closes date,
    p_follows integer)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_id integer;
BEGIN
    PERFORM msp.require_fieldwork_manager();
    INSERT INTO msp.study (slug, region_id, year, title_fr, instrument_id,
                           state, opens_on, closes_on, fieldwork_start,
                           fieldwork_end, follows_study_id)
    VALUES (p_slug, p_region_id, p_year, btrim(p_title), p_instrument_id,
            'draft', p_opens, p_closes, p_opens, p_closes, p_follows)
    RETURNING study_id INTO v_id;
    RETURN v_id;
END
$$;
REVOKE ALL ON FUNCTION msp.study_create(text, smallint, smallint, text,
    integer, date, date, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.study_create(text, smallint, smallint, text,
    integer, date, date, integer) TO msp_analyst;
