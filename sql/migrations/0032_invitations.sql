-- Personal invitation links, reminders and the fieldwork monitor
-- (issue 18, items 5 to 7; docs/fieldwork.md).
--
-- A personal link names one structure of one study's frame: whoever
-- opens it answers for that structure without typing its identifier,
-- saves and resumes through the same link, and a second submission
-- updates the response the first stored.  The link's secret part is
-- HMAC-SHA256("invitation\n" study slug "\n" pseudonym) under the
-- server secret (secret_invitation(), lib/secret.c); msp-report invite
-- stores only its SHA-256, on the frame row, so the database can find
-- the structure a link names but cannot make a link.  No contact
-- address is stored anywhere: the contact log (msp.contact) keeps that
-- structure X was invited or reminded on day D by channel C.
--
-- Functions (docs/schema.md): msp.invitation_open(integer, bytea) and
-- msp.invitation_submit(integer, bytea, msp.respondent_role, boolean,
-- jsonb, msp.response_mode), in sql/functions/.

ALTER TABLE msp.population
    -- SHA-256 of the personal link's code; NULL until invited
    ADD COLUMN invitation_sha256 bytea UNIQUE
        CHECK (length(invitation_sha256) = 32),
    -- when the link was first opened (the monitor's "opened")
    ADD COLUMN invitation_opened_at timestamptz,
    -- the team asked not to be contacted again: no reminder reaches it
    ADD COLUMN no_contact boolean NOT NULL DEFAULT false;

-- How a response was collected: by the team itself, or by an
-- interviewer who entered the team's answers through its link during a
-- telephone interview (the form's « par téléphone » box; set by
-- msp.invitation_submit only).
CREATE TYPE msp.response_mode AS ENUM ('self', 'telephone');
ALTER TABLE msp.response
    ADD COLUMN mode msp.response_mode NOT NULL DEFAULT 'self';

-- At most one contact of a kind per structure per day and channel:
-- msp-report remind is safe to re-run (--force records nothing twice
-- either, it sends again).
CREATE UNIQUE INDEX contact_once_a_day
    ON msp.contact (study_id, structure_id, kind, channel, contacted_on);
