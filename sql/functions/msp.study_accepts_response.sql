-- Every path that stores a response (the form, the API one by one and
-- in batches, msp-report import) inserts or updates msp.response, so
-- this one trigger refuses for all of them alike, before any answer is
-- written:
--   MSPS1  the study is closed (or its closing date has passed)
--   MSPS2  the study is not open yet (its opening date is to come)
-- The worker maps both to a page or a problem+json (lib/db.c
-- db_classify, fcgi/forms.c, fcgi/api.c).  An UPDATE is checked too:
-- a draft saved before closing cannot be completed after it.  And an
-- UPDATE that takes a response out of a study (study_id changed) is
-- checked against the study it leaves as well: a closed study's counts
-- are final, and its maintained cross-tabulations (0047) and its data
-- generation (0049) are rebuilt by the writes that may legitimately
-- change them (an erasure, an answer corrected), not by a response
-- moving.  No path of the system moves a response (the form, the API,
-- the import insert into one study; a correction of the study is a
-- reopen, then a close, which rebuilds): moving one out of a closed
-- study is refused, MSPS1, like moving one in (migration 0050).
CREATE OR REPLACE FUNCTION msp.study_accepts_response() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    s record;
    o record;
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.study_id IS DISTINCT FROM NEW.study_id THEN
        SELECT st.slug, st.state, st.closes_on INTO o
          FROM msp.study st WHERE st.study_id = OLD.study_id;
        IF FOUND AND (o.state = 'closed'
                      OR o.closes_on < msp.study_today()) THEN
            RAISE EXCEPTION 'l''étude % est close : ses réponses n''en '
                'sortent pas', o.slug
                USING ERRCODE = 'MSPS1',
                      HINT = 'rouvrez l''étude pour corriger ses réponses';
        END IF;
    END IF;
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
