-- The public form's key, and what a second POST with it may do (issue 16,
-- item 2).
--
-- Until now msp.form_submit took any second POST carrying a known form
-- key for a replay of the first, whatever it held: a save then a submit
-- answered « Merci ! » and left the draft partial; a second save showed
-- a resume link that was never stored; the same key sent to another
-- study stored nothing and thanked.  From here on:
--   - a form key belongs to the study its first POST named; the key sent
--     to another study is refused (MSPF1);
--   - a submit with the key of a saved draft completes that draft (its
--     answers, role and structure replaced by the ones sent); a save
--     with it updates the draft;
--   - the resume link is no longer random: the worker derives it from
--     the form key under the server secret (secret_resume()), so a
--     second save finds the same hash stored and shows the same link.
--     A draft saved before this migration holds a random link the
--     worker cannot make again: a second save of it is refused (MSPF4)
--     rather than shown a link that does not work;
--   - a response already complete is only replayed when the very same
--     content comes again (a double click, a reload): request_sha256
--     holds the fingerprint of what was stored.  Anything else sent to a
--     complete response is refused (MSPF3);
--   - a resume link that names no draft of this study is refused
--     (MSPF2), where it used to fall through to "the structure is
--     required".
-- The MSPFn codes are this function's own SQLSTATEs: the worker maps
-- each to a page that says what happened (fcgi/forms.c).

CREATE OR REPLACE FUNCTION msp.form_submit(
    p_study integer, p_pseudonym text, p_key text, p_resume bytea,
    p_role msp.respondent_role, p_complete boolean, p_answers jsonb,
    OUT response_id bigint, OUT replayed boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_instrument integer;
    v_region smallint;
    v_structure integer;
    v_key text := 'form:' || p_key;
    v_request bytea;
    v_id bigint;
    v_id_study integer;
    v_status msp.response_status;
    v_stored_request bytea;
    v_stored_resume bytea;
    v_attempt integer;
BEGIN
    PERFORM set_config('msp.actor', 'form', true);
    SELECT s.instrument_id, s.region_id INTO v_instrument, v_region
      FROM msp.study s WHERE s.study_id = p_study;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no study %', p_study USING ERRCODE = 'no_data_found';
    END IF;
    replayed := false;
    -- What was sent, to tell a double click from a changed form.  jsonb
    -- prints its keys in one order, so equal answers print alike.
    v_request := sha256(convert_to(concat_ws(E'\n', p_study::text,
        coalesce(p_pseudonym, '-'), coalesce(p_role::text, '-'),
        p_complete::text, p_answers::text), 'UTF8'));

    IF p_pseudonym IS NOT NULL THEN
        INSERT INTO msp.structure (pseudonym, region_id)
        VALUES (p_pseudonym, v_region) ON CONFLICT (pseudonym) DO NOTHING;
        SELECT s.structure_id INTO v_structure
          FROM msp.structure s WHERE s.pseudonym = p_pseudonym;
    END IF;

    -- Twice at most: an insert that loses a race with the same key's
    -- first POST (ON CONFLICT DO NOTHING waits for it) goes round again
    -- and finds that row.
    FOR v_attempt IN 1 .. 2 LOOP
        v_id := NULL;
        IF p_resume IS NOT NULL THEN
            SELECT r.response_id, r.study_id, r.status, r.request_sha256,
                   r.resume_sha256
              INTO v_id, v_id_study, v_status, v_stored_request,
                   v_stored_resume
              FROM msp.response r
             WHERE r.resume_sha256 = p_resume FOR UPDATE;
        END IF;
        IF v_id IS NULL THEN
            IF p_pseudonym IS NULL THEN
                -- resuming (no structure typed): the link must name a
                -- draft of this study
                RAISE EXCEPTION 'no saved response has this resume link'
                    USING ERRCODE = 'MSPF2';
            END IF;
            SELECT r.response_id, r.study_id, r.status, r.request_sha256,
                   r.resume_sha256
              INTO v_id, v_id_study, v_status, v_stored_request,
                   v_stored_resume
              FROM msp.response r
             WHERE r.idempotency_key = v_key FOR UPDATE;
        END IF;

        IF v_id IS NOT NULL THEN
            IF v_id_study <> p_study THEN
                IF p_pseudonym IS NULL THEN
                    RAISE EXCEPTION 'no saved response has this resume link'
                        USING ERRCODE = 'MSPF2';
                END IF;
                RAISE EXCEPTION 'this form key belongs to another study'
                    USING ERRCODE = 'MSPF1';
            END IF;
            response_id := v_id;
            IF v_status = 'complete' THEN
                IF p_complete AND v_stored_request = v_request THEN
                    replayed := true;   -- the same form sent again
                    RETURN;
                END IF;
                RAISE EXCEPTION 'this response was already sent'
                    USING ERRCODE = 'MSPF3';
            END IF;
            IF NOT p_complete
               AND v_stored_resume IS DISTINCT FROM p_resume THEN
                RAISE EXCEPTION 'this draft was saved with another link'
                    USING ERRCODE = 'MSPF4';
            END IF;
            -- the draft: replaced by what was sent, completed on submit
            DELETE FROM msp.answer a
             WHERE a.response_id = form_submit.response_id;
            UPDATE msp.response r
               SET respondent_role = p_role,
                   structure_id = coalesce(v_structure, r.structure_id),
                   status = CASE WHEN p_complete THEN 'complete'
                            ELSE 'partial' END::msp.response_status,
                   submitted_at = CASE WHEN p_complete THEN now() END,
                   request_sha256 = v_request
             WHERE r.response_id = form_submit.response_id;
            PERFORM msp.store_answers(response_id, v_instrument, p_answers);
            RETURN;
        END IF;

        INSERT INTO msp.response AS r (study_id, instrument_id, structure_id,
            respondent_role, submitted_at, status, idempotency_key,
            resume_sha256, request_sha256)
        VALUES (p_study, v_instrument, v_structure, p_role,
            CASE WHEN p_complete THEN now() END,
            CASE WHEN p_complete THEN 'complete' ELSE 'partial'
            END::msp.response_status, v_key,
            CASE WHEN p_complete THEN NULL ELSE p_resume END, v_request)
        ON CONFLICT DO NOTHING
        RETURNING r.response_id INTO response_id;
        IF response_id IS NOT NULL THEN
            PERFORM msp.store_answers(response_id, v_instrument, p_answers);
            RETURN;
        END IF;
    END LOOP;
    RAISE EXCEPTION 'this form key is in use'
        USING ERRCODE = 'MSPF1';
END
$$;

-- The saved form a resume code names, to show it again as it was left:
-- first a row ('_role', the role chosen, or NULL), then the answers.
-- The role row is always there, so a draft saved before any answer was
-- given still reopens (it returned no row, read as "unknown link"), and
-- the role chosen is shown again (it was lost).  Item keys never begin
-- with "_".
CREATE OR REPLACE FUNCTION msp.form_resume(p_study integer, p_resume bytea)
RETURNS TABLE (item_key text, value text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    WITH draft AS (
        SELECT r.response_id, r.respondent_role
          FROM msp.response r
         WHERE r.resume_sha256 = p_resume AND r.study_id = p_study
           AND r.status = 'partial')
    SELECT k, v FROM (
        SELECT 0 AS ord, 0::bigint AS id, '_role'::text AS k,
               d.respondent_role::text AS v
          FROM draft d
        UNION ALL
        SELECT 1, a.answer_id, a.item_key,
               coalesce(a.choice_code, a.num_value::text, a.text_value,
                        CASE a.bool_value WHEN true THEN 'oui'
                                          WHEN false THEN 'non' END)
          FROM draft d JOIN msp.answer a ON a.response_id = d.response_id
    ) rows
     ORDER BY ord, id
$$;
