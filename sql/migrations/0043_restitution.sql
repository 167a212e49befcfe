-- A team's feedback page, « restitution » (issue 19, item 3): what the
-- survey promised teams in return for answering.  The page places the
-- team's answers against its region's published figures and ends with
-- the guide and the support a team can turn to.  That text is
-- reference data (sql/reference/0010_restitution_resources.sql), not
-- C: a federation rewrites it without a release.
--
-- Rows are shown in position order.  stage: the continuum stage
-- (msp.continuum_stage) a row speaks to first, or NULL for every team;
-- the page puts the rows of the team's own stage first.  source_fr
-- names the document the text comes from, printed under it.
CREATE TABLE msp.restitution_resource (
    resource_key text PRIMARY KEY
                 CHECK (resource_key ~ '^[a-z][a-z0-9_]{0,62}$'),
    position    integer NOT NULL UNIQUE CHECK (position > 0),
    stage       text REFERENCES msp.continuum_stage,
    title_fr    text NOT NULL CHECK (btrim(title_fr) <> ''),
    body_fr     text NOT NULL CHECK (btrim(body_fr) <> ''),
    source_fr   text
);

-- Public text: every kind reads it; only the owner writes it.
GRANT SELECT ON msp.restitution_resource
    TO msp_team, msp_federation, msp_analyst;
