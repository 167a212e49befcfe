-- msp-report import: one row of a survey tool's CSV export.
--
-- The CLI validates every row against the instrument in C, as the API
-- does, then opens one transaction for the whole file, takes on the
-- caller's identity (msp.enter with MSP_TOKEN, or the connection's own
-- role) and calls this function once per row.  It runs with the
-- caller's rights, so the policies of 0006 decide: an analyst writes
-- for any structure, a team only for its own, a federation not at all.
--
-- The structure comes as the pseudonym the CLI derived from the file's
-- identifier (or as the pseudonym an export wrote); an analyst's import
-- creates a structure seen for the first time in the study's region.
-- p_key makes a re-import of the same row store nothing: it is scoped
-- to the structure, so two teams never collide; a replay reports
-- whether the stored row had the same content (p_request, the SHA-256
-- of what was validated).  p_submitted is the file's own submission
-- time, read as UTC (NULL: now); a partial response has none.
CREATE OR REPLACE FUNCTION msp.import_response(
    p_study integer, p_pseudonym text, p_key text, p_request bytea,
    p_role msp.respondent_role, p_complete boolean, p_answers jsonb,
    p_submitted timestamp,
    OUT response_id bigint, OUT replayed boolean, OUT same_request boolean)
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_instrument integer;
    v_region smallint;
    v_structure integer;
    v_key text;
    v_submitted timestamptz;
BEGIN
    PERFORM set_config('msp.actor', 'import', true);
    SELECT s.instrument_id, s.region_id INTO v_instrument, v_region
      FROM msp.study s WHERE s.study_id = p_study;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no study %', p_study USING ERRCODE = 'no_data_found';
    END IF;

    SELECT st.structure_id INTO v_structure
      FROM msp.structure st WHERE st.pseudonym = p_pseudonym;
    IF NOT FOUND THEN
        IF msp.current_kind() IS DISTINCT FROM 'analyst'
           AND msp.current_kind() IS NOT NULL THEN
            RAISE EXCEPTION 'this token imports only for its own structure'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        INSERT INTO msp.structure AS st (pseudonym, region_id)
        VALUES (p_pseudonym, v_region) ON CONFLICT (pseudonym) DO NOTHING
        RETURNING st.structure_id INTO v_structure;
        IF v_structure IS NULL THEN     -- created meanwhile by another
            SELECT st.structure_id INTO STRICT v_structure
              FROM msp.structure st WHERE st.pseudonym = p_pseudonym;
        END IF;
    END IF;
    v_key := 'import:' || v_structure || ':' || p_key;
    IF p_complete THEN
        v_submitted := coalesce(p_submitted AT TIME ZONE 'UTC', now());
    END IF;

    SELECT i.response_id, i.replayed, i.same_request
      INTO response_id, replayed, same_request
      FROM msp.insert_or_replay(ARRAY[ROW(p_study, v_instrument,
               v_structure, p_role, least(now(), v_submitted),
               v_submitted,
               CASE WHEN p_complete THEN 'complete' ELSE 'partial'
               END::msp.response_status, v_key, p_request,
               NULL)::msp.new_response]) i;
    IF replayed THEN
        RETURN;
    END IF;
    PERFORM msp.store_answers(response_id, v_instrument, p_answers);
END
$$;
REVOKE ALL ON FUNCTION msp.import_response(integer, text, text, bytea,
    msp.respondent_role, boolean, jsonb, timestamp) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.import_response(integer, text, text, bytea,
    msp.respondent_role, boolean, jsonb, timestamp)
    TO msp_team, msp_analyst;
