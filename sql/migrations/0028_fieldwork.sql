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
-- Functions (docs/schema.md): msp.study_today(),
-- msp.study_accepts_response() (the trigger below) and
-- msp.study_transition(text, text, date), in sql/functions/.

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

-- What the trigger does is sql/functions/msp.study_accepts_response.sql
-- (docs/schema.md): declared here so that the trigger can be created.
CREATE FUNCTION msp.study_accepts_response() RETURNS trigger
    LANGUAGE plpgsql AS $$BEGIN RAISE 'declared only'; END$$;

CREATE TRIGGER study_accepts_response
    BEFORE INSERT OR UPDATE ON msp.response
    FOR EACH ROW EXECUTE FUNCTION msp.study_accepts_response();

-- The two reference studies are over: closed where they are already
-- loaded (sql/reference/0009_studies_closed.sql closes them on a fresh
-- load).
UPDATE msp.study SET state = 'closed'
 WHERE slug IN ('pdl-2019', 'occitanie-2024');
