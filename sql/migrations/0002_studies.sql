-- Studies and what they are about: federations, versioned instruments
-- (the questionnaire definitions the forms, the API and the import all
-- read), the studies themselves, the structures (teams) known only by a
-- pseudonym, and each study's targeted population with its fieldwork log.

-- oui / non / ne sait pas: the instruments ask CPTS, CLS and federation
-- membership this way, and "ne sait pas" must stay distinct from missing.
CREATE TYPE msp.tristate AS ENUM ('oui', 'non', 'nsp');

CREATE TABLE msp.federation (
    federation_id smallint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug        text NOT NULL UNIQUE
                CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    name        text NOT NULL CHECK (btrim(name) <> ''),
    region_id   smallint NOT NULL REFERENCES msp.region
);

-- --- instruments -------------------------------------------------------

CREATE TABLE msp.instrument (
    instrument_id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug        text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    version     integer NOT NULL CHECK (version > 0),
    title_fr    text NOT NULL CHECK (btrim(title_fr) <> ''),
    title_en    text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (slug, version)
);

CREATE TYPE msp.item_type AS ENUM
    ('single_choice', 'multiple_choice', 'number', 'text', 'boolean');

CREATE TABLE msp.instrument_item (
    instrument_id integer NOT NULL REFERENCES msp.instrument,
    item_key    text NOT NULL CHECK (item_key ~ '^[a-z][a-z0-9_]{0,62}$'),
    position    integer NOT NULL CHECK (position > 0),
    section_fr  text NOT NULL DEFAULT '',
    item_type   msp.item_type NOT NULL,
    label_fr    text NOT NULL CHECK (btrim(label_fr) <> ''),
    label_en    text,
    help_fr     text,
    required    boolean NOT NULL DEFAULT false,
    -- numbers: inclusive bounds; integer_only for counts and years
    min_value   numeric,
    max_value   numeric,
    integer_only boolean NOT NULL DEFAULT false,
    -- text: longest accepted answer, in characters
    max_length  integer CHECK (max_length > 0),
    -- "show if": asked only when the answer to show_if_item is (or, for
    -- a multiple choice, includes) one of show_if_values.
    show_if_item   text,
    show_if_values text[],
    PRIMARY KEY (instrument_id, item_key),
    UNIQUE (instrument_id, position),
    FOREIGN KEY (instrument_id, show_if_item)
        REFERENCES msp.instrument_item (instrument_id, item_key),
    CHECK ((show_if_item IS NULL) = (show_if_values IS NULL)),
    CHECK (show_if_values IS NULL OR cardinality(show_if_values) > 0),
    CHECK (show_if_item IS DISTINCT FROM item_key),
    CHECK (min_value IS NULL OR max_value IS NULL OR min_value <= max_value),
    CHECK (item_type = 'number' OR (min_value IS NULL AND max_value IS NULL
                                    AND NOT integer_only)),
    CHECK (item_type = 'text' OR max_length IS NULL)
);

CREATE TABLE msp.item_option (
    instrument_id integer NOT NULL,
    item_key    text NOT NULL,
    code        text NOT NULL CHECK (code ~ '^[a-z0-9][a-z0-9_]{0,62}$'),
    position    integer NOT NULL CHECK (position > 0),
    label_fr    text NOT NULL CHECK (btrim(label_fr) <> ''),
    label_en    text,
    PRIMARY KEY (instrument_id, item_key, code),
    UNIQUE (instrument_id, item_key, position),
    FOREIGN KEY (instrument_id, item_key) REFERENCES msp.instrument_item
);

-- --- studies -----------------------------------------------------------

CREATE TABLE msp.study (
    study_id    integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug        text NOT NULL UNIQUE
                CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    region_id   smallint NOT NULL REFERENCES msp.region,
    year        smallint NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    title_fr    text NOT NULL CHECK (btrim(title_fr) <> ''),
    instrument_id integer NOT NULL REFERENCES msp.instrument,
    -- the size the study reports; msp.population lists the structures
    target_size integer CHECK (target_size >= 0),
    fieldwork_start date,
    fieldwork_end   date,
    -- a reconstruction is built to match published aggregates; its
    -- individual rows are not observations
    reconstructed boolean NOT NULL DEFAULT false,
    source_note text,
    CHECK (fieldwork_end IS NULL OR fieldwork_start IS NULL
           OR fieldwork_start <= fieldwork_end),
    -- lets responses carry (study, instrument) and their answers be
    -- checked against the study's own instrument by foreign keys
    UNIQUE (study_id, instrument_id)
);

-- --- structures ----------------------------------------------------------

CREATE TYPE msp.structure_type AS ENUM ('msp', 'esp', 'cds', 'other');

CREATE TYPE msp.prof_category AS ENUM
    ('mg', 'ide', 'sage_femme', 'kine', 'dentiste', 'pharmacien',
     'paramedical', 'specialiste');

-- A team.  Direct identifiers (name, FINESS, e-mail) are never stored:
-- the pseudonym is HMAC-SHA256(server secret, normalised identifier),
-- computed outside the database, so the same team links to the same row
-- without revealing who it is.
CREATE TABLE msp.structure (
    structure_id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pseudonym   text NOT NULL UNIQUE CHECK (pseudonym ~ '^[0-9a-f]{64}$'),
    region_id   smallint NOT NULL REFERENCES msp.region,
    structure_type msp.structure_type,
    -- INSEE département code: 01-95, 2A, 2B, 971-976
    departement text CHECK (departement ~ '^([0-9]{2}|2[AB]|97[1-6])$'),
    n_sites     smallint CHECK (n_sites > 0),
    opening_year smallint CHECK (opening_year BETWEEN 1950 AND 2100),
    project_validation_year smallint
                CHECK (project_validation_year BETWEEN 1950 AND 2100),
    aci_signatory boolean,
    cpts        msp.tristate,
    cls         msp.tristate,
    federation_member msp.tristate,
    -- the federation it belongs to, when federation_member = 'oui'
    federation_id smallint REFERENCES msp.federation,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (federation_id IS NULL OR federation_member = 'oui')
);

CREATE TABLE msp.structure_staff (
    structure_id integer NOT NULL REFERENCES msp.structure ON DELETE CASCADE,
    category    msp.prof_category NOT NULL,
    headcount   smallint NOT NULL CHECK (headcount BETWEEN 0 AND 1000),
    PRIMARY KEY (structure_id, category)
);

-- --- population and fieldwork -------------------------------------------

-- Every structure a study targeted, answered or not, so that response
-- rates and the participants / non-participants comparison come from
-- rows.  Whether it responded is derived from msp.response.
CREATE TABLE msp.population (
    study_id    integer NOT NULL REFERENCES msp.study,
    structure_id integer NOT NULL REFERENCES msp.structure ON DELETE CASCADE,
    -- listed but no longer operating (PdL 2019: 90 listed, 83 active)
    active      boolean NOT NULL DEFAULT true,
    PRIMARY KEY (study_id, structure_id)
);

CREATE TYPE msp.contact_kind AS ENUM ('invitation', 'reminder');
CREATE TYPE msp.contact_channel AS ENUM ('email', 'phone', 'in_person', 'mail');

CREATE TABLE msp.contact (
    contact_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    study_id    integer NOT NULL,
    structure_id integer NOT NULL,
    kind        msp.contact_kind NOT NULL,
    channel     msp.contact_channel NOT NULL,
    contacted_on date NOT NULL,
    FOREIGN KEY (study_id, structure_id) REFERENCES msp.population
        ON DELETE CASCADE
);
CREATE INDEX ON msp.contact (study_id, structure_id);
