-- Stores the federation releases of a protection run that ended
-- (lib/report/protect.c, before msp.disclosure_plan_end): one row per
-- report the run's last audit read and the server did not refuse,
-- p_requests[i] its key (lib/report/request_key.h), p_documents[i] its
-- JSON (lib/report/format_json.c).  They replace the study's previous
-- releases, with the data version and threshold the run's plan was
-- made for.  Callable as msp.disclosure_plan_add is (an analyst token
-- or the owner), and only by the study's current run: p_token is the
-- SHA-256, in hex, of the run's token, as msp.disclosure_plan_begin
-- got it; a run that another one took over from is refused, so its
-- releases never replace the later run's.
CREATE OR REPLACE FUNCTION msp.federation_release_store(p_study integer,
                                                        p_token text,
                                                        p_requests text[],
                                                        p_documents jsonb[])
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_sha bytea := decode(p_token, 'hex');
    p msp.disclosure_plan_state;
    v_n integer;
BEGIN
    PERFORM msp.require_fieldwork_manager();
    IF cardinality(p_requests) IS DISTINCT FROM cardinality(p_documents)
    THEN
        RAISE EXCEPTION 'requests and documents differ in number'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO p FROM msp.disclosure_plan_state d
     WHERE d.study_id = p_study AND NOT d.complete
       AND d.protect_token = v_sha
       FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'étude % : aucune protection en cours sous ce '
            'jeton ; ses diffusions ne sont pas enregistrées', p_study
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    DELETE FROM msp.federation_release WHERE study_id = p_study;
    INSERT INTO msp.federation_release (study_id, request, document,
                                        data_version, threshold)
    SELECT p_study, f.request, f.document, p.data_version, p.threshold
      FROM unnest(p_requests, p_documents) AS f(request, document);
    GET DIAGNOSTICS v_n = ROW_COUNT;
    RETURN v_n;
END
$$;
REVOKE ALL ON FUNCTION msp.federation_release_store(integer, text, text[],
                                                    jsonb[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.federation_release_store(integer, text,
                                                       text[], jsonb[])
    TO msp_analyst;
