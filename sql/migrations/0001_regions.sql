-- The schema every later migration builds in, and its first noun:
-- regions are first-class (Occitanie and Pays de la Loire today, any
-- region tomorrow), so everything regional refers to this table.
CREATE SCHEMA msp;

CREATE TABLE msp.region (
    region_id   smallint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- the stable, URL- and CLI-friendly key: lower case ASCII, hyphens
    slug        text NOT NULL UNIQUE
                CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name        text NOT NULL UNIQUE CHECK (btrim(name) <> ''),
    -- INSEE region code (2016 regions: 2 digits)
    insee_code  char(2) UNIQUE CHECK (insee_code ~ '^[0-9]{2}$')
);

COMMENT ON TABLE msp.region IS
    'French administrative regions the studies belong to.';
