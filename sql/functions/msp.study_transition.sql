-- The life cycle's moves, in one place so that the rules hold whoever
-- calls (msp-report study open|close|reopen|extend):
--   open    draft -> open; deletes the draft's test responses (their
--           answers and running totals go with them: msp.tally_*'s
--           delete triggers)
--   close   open -> closed
--   reopen  closed -> open; with p_closes, the new closing date
--   extend  open or closed, p_closes required: the new closing date;
--           a closed study whose new date is to come is open again
-- Refusals are MSPS3 with a French message for people.  Returns the
-- study's state before and after, and how many test responses went.
-- Only for msp.require_fieldwork_manager() (0034): an analyst token or
-- the owner; the analyst role alone (msp_worker has it) is refused.
CREATE OR REPLACE FUNCTION msp.study_transition(p_slug text, p_action text,
                                     p_closes date)
RETURNS TABLE (old_state msp.study_state, new_state msp.study_state,
               removed bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    s msp.study;
    v_new msp.study_state;
    v_removed bigint := 0;
BEGIN
    PERFORM msp.require_fieldwork_manager();
    SELECT * INTO s FROM msp.study WHERE slug = p_slug FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'aucune étude « % »', p_slug
            USING ERRCODE = 'MSPS3';
    END IF;
    IF p_closes IS NOT NULL AND s.opens_on IS NOT NULL
       AND p_closes < s.opens_on THEN
        RAISE EXCEPTION 'la date de clôture (%) précède l''ouverture (%)',
            to_char(p_closes, 'DD/MM/YYYY'),
            to_char(s.opens_on, 'DD/MM/YYYY') USING ERRCODE = 'MSPS3';
    END IF;
    IF p_action = 'open' THEN
        IF s.state <> 'draft' THEN
            RAISE EXCEPTION 'l''étude % est déjà %', p_slug,
                CASE s.state WHEN 'open' THEN 'ouverte' ELSE 'close' END
                USING ERRCODE = 'MSPS3',
                      HINT = 'reopen rouvre une étude close';
        END IF;
        WITH gone AS (DELETE FROM msp.response
                       WHERE study_id = s.study_id AND test
                      RETURNING 1)
        SELECT count(*) INTO v_removed FROM gone;
        v_new := 'open';
    ELSIF p_action = 'close' THEN
        IF s.state <> 'open' THEN
            RAISE EXCEPTION 'l''étude % n''est pas ouverte', p_slug
                USING ERRCODE = 'MSPS3';
        END IF;
        v_new := 'closed';
    ELSIF p_action = 'reopen' THEN
        IF s.state <> 'closed' THEN
            RAISE EXCEPTION 'l''étude % n''est pas close', p_slug
                USING ERRCODE = 'MSPS3';
        END IF;
        IF coalesce(p_closes, s.closes_on) < msp.study_today() THEN
            RAISE EXCEPTION 'la date de clôture de l''étude % est passée',
                p_slug USING ERRCODE = 'MSPS3',
                HINT = 'donnez une nouvelle date de clôture (--closes)';
        END IF;
        v_new := 'open';
    ELSIF p_action = 'extend' THEN
        IF p_closes IS NULL THEN
            RAISE EXCEPTION 'extend demande une date de clôture'
                USING ERRCODE = 'MSPS3';
        END IF;
        IF s.state = 'draft' THEN
            v_new := 'draft';
        ELSIF p_closes >= msp.study_today() THEN
            v_new := 'open';
        ELSE
            v_new := s.state;
        END IF;
    ELSE
        RAISE EXCEPTION 'unknown action %', p_action
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    UPDATE msp.study
       SET state = v_new,
           closes_on = coalesce(p_closes, closes_on),
           fieldwork_end = CASE WHEN p_closes IS NOT NULL
                                 AND NOT reconstructed
                                THEN p_closes ELSE fieldwork_end END
     WHERE study_id = s.study_id;
    RETURN QUERY SELECT s.state, v_new, v_removed;
END
$$;
REVOKE ALL ON FUNCTION msp.study_transition(text, text, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.study_transition(text, text, date)
    TO msp_analyst;
