-- Fieldwork (issue 18, items 1, 3 and 4): a federation sets up a region,
-- its federations, a study with a life cycle and the study's targeted
-- population with msp-report alone (cli/cmd_region.c, cmd_study.c,
-- cmd_frame.c; docs/fieldwork.md), and a closed study stores nothing.
--
-- Who may do it: the database owner, or an analyst token (MSP_TOKEN).
-- Regions, federations and studies were written by the owner only
-- (0006); analysts now insert and update them too.  A federation or a
-- team token is refused by the grants themselves (42501), whatever the
-- command line says.
--
-- Defined here (to move to sql/functions/ with issue 17 item 3):
--   msp.study_today()                      function
--   msp.study_accepts_response()           trigger function, and the
--     trigger study_accepts_response BEFORE INSERT OR UPDATE ON
--     msp.response
--   msp.study_transition(text, text, date) function

GRANT INSERT, UPDATE ON msp.region, msp.federation, msp.study
    TO msp_analyst;

-- --- studies: a life cycle ------------------------------------------------

-- draft:  a test mode.  The form, the API and the import work; what
--         they store is marked msp.response.test, no report reads a
--         draft study, and opening it deletes those responses.
-- open:   accepts responses between opens_on and closes_on (either may
--         be NULL: no bound), dates in Europe/Paris.
-- closed: accepts nothing; its reports keep working.
CREATE TYPE msp.study_state AS ENUM ('draft', 'open', 'closed');

-- The default is 'open' so that every study made before this migration,
-- or inserted by SQL (msp-report generate, the test fixtures), behaves
-- as it always did; msp-report study create makes drafts explicitly.
-- opens_on / closes_on are the window the server enforces;
-- fieldwork_start / fieldwork_end stay what the study reports as its
-- fieldwork (the reference studies' historical dates).
ALTER TABLE msp.study
    ADD COLUMN state msp.study_state NOT NULL DEFAULT 'open',
    ADD COLUMN opens_on date,
    ADD COLUMN closes_on date,
    -- the wave this one follows (item 8 compares them)
    ADD COLUMN follows_study_id integer REFERENCES msp.study,
    ADD CONSTRAINT study_window
        CHECK (opens_on IS NULL OR closes_on IS NULL
               OR opens_on <= closes_on),
    ADD CONSTRAINT study_follows_another
        CHECK (follows_study_id IS DISTINCT FROM study_id);

-- A response stored while its study was a draft.  Set by the trigger
-- below only, whatever an INSERT says.
ALTER TABLE msp.response
    ADD COLUMN test boolean NOT NULL DEFAULT false;

-- --- the frame: msp.population, one row per structure per study -------
-- msp-report frame import (cli/cmd_frame.c) writes it from CSV lists:
-- the structure under its pseudonym (msp.structure, characteristics
-- that msp.report_frame reads for --nonresponse) and this row.  When
-- its list was last imported; NULL for the reference studies' frames,
-- loaded by SQL.
ALTER TABLE msp.population
    ADD COLUMN imported_at timestamptz;

-- Today where the studies run: a study closing on the 30th accepts
-- answers until midnight in Paris, not in UTC.
CREATE FUNCTION msp.study_today() RETURNS date
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT (now() AT TIME ZONE 'Europe/Paris')::date
$$;

-- Every path that stores a response (the form, the API one by one and
-- in batches, msp-report import) inserts or updates msp.response, so
-- this one trigger refuses for all of them alike, before any answer is
-- written:
--   MSPS1  the study is closed (or its closing date has passed)
--   MSPS2  the study is not open yet (its opening date is to come)
-- The worker maps both to a page or a problem+json (lib/db.c
-- db_classify, fcgi/forms.c, fcgi/api.c).  An UPDATE is checked too:
-- a draft saved before closing cannot be completed after it.
CREATE FUNCTION msp.study_accepts_response() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    s record;
BEGIN
    SELECT st.slug, st.state, st.opens_on, st.closes_on INTO s
      FROM msp.study st WHERE st.study_id = NEW.study_id;
    IF NOT FOUND THEN
        RETURN NEW;     -- the foreign key reports the unknown study
    END IF;
    IF TG_OP = 'INSERT' THEN
        NEW.test := s.state = 'draft';
    ELSE
        NEW.test := OLD.test;
    END IF;
    IF s.state = 'draft' THEN
        RETURN NEW;
    END IF;
    IF s.state = 'closed' OR s.closes_on < msp.study_today() THEN
        RAISE EXCEPTION 'l''étude % est close', s.slug
            USING ERRCODE = 'MSPS1';
    END IF;
    IF s.opens_on > msp.study_today() THEN
        RAISE EXCEPTION 'l''étude % n''est pas encore ouverte (le %)',
            s.slug, to_char(s.opens_on, 'DD/MM/YYYY')
            USING ERRCODE = 'MSPS2';
    END IF;
    RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION msp.study_accepts_response() FROM PUBLIC;

CREATE TRIGGER study_accepts_response
    BEFORE INSERT OR UPDATE ON msp.response
    FOR EACH ROW EXECUTE FUNCTION msp.study_accepts_response();

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
-- Only the owner and analysts may execute it.
CREATE FUNCTION msp.study_transition(p_slug text, p_action text,
                                     p_closes date)
RETURNS TABLE (old_state msp.study_state, new_state msp.study_state,
               removed bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    s msp.study;
    v_new msp.study_state;
    v_removed bigint := 0;
BEGIN
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

-- The two reference studies are over: closed where they are already
-- loaded (sql/reference/0009_studies_closed.sql closes them on a fresh
-- load).
UPDATE msp.study SET state = 'closed'
 WHERE slug IN ('pdl-2019', 'occitanie-2024');
