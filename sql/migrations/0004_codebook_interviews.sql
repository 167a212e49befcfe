-- The codebook (continuum stages, ACI indicator levels, the HAS freins
-- and leviers, each study's own codes and their crosswalk onto the HAS
-- categories) and the qualitative phase: interviews and coded segments.

-- --- codebook ------------------------------------------------------------

-- Continuum du Partenariat en Santé: an ordered maturity scale.
CREATE TABLE msp.continuum_stage (
    stage       text PRIMARY KEY CHECK (stage ~ '^[a-z]+$'),
    rank        smallint NOT NULL UNIQUE CHECK (rank > 0),
    label_fr    text NOT NULL,
    label_en    text NOT NULL,
    description_fr text NOT NULL
);

INSERT INTO msp.continuum_stage VALUES
 ('information', 1, 'Information', 'Information',
  'L''équipe informe les usagers (obligation légale : horaires, tarifs, campagnes de prévention ; affiches, flyers, site internet).'),
 ('consultation', 2, 'Consultation', 'Consultation',
  'Outils pour recueillir les attentes des usagers (questionnaires de satisfaction, boîtes à idées).'),
 ('collaboration', 3, 'Collaboration', 'Collaboration',
  'Espaces où l''expérience des usagers est entendue (comités d''usagers, espaces de décision partagée).'),
 ('partenariat', 4, 'Partenariat', 'Partnership',
  'Usagers et professionnels co-construisent projets et actions (co-construction, gouvernance).');

-- ACI optional indicator "implication des usagers" (2022 amendment).
CREATE TABLE msp.aci_level (
    level       smallint PRIMARY KEY CHECK (level BETWEEN 0 AND 2),
    label_fr    text NOT NULL,
    description_fr text NOT NULL
);

INSERT INTO msp.aci_level VALUES
 (0, 'Non atteint', 'Indicateur optionnel non valorisé.'),
 (1, 'Niveau 1', 'Outils ou actions pour consulter, informer, sensibiliser les usagers (questionnaire, sondage, boîte à idées, affiches, flyers, site internet).'),
 (2, 'Niveau 2', 'Co-construction, partenariat, co-décision (usager référent dans des groupes de travail ou ateliers d''ETP, comité d''usagers, médiateur en santé).');

CREATE TYPE msp.code_kind AS ENUM
    ('frein', 'levier', 'resource_need', 'maturity', 'other');

-- The HAS 2023 framework: the target of every crosswalk.
CREATE TABLE msp.has_category (
    has_code    text PRIMARY KEY CHECK (has_code ~ '^H-[FL][0-9]+$'),
    kind        msp.code_kind NOT NULL CHECK (kind IN ('frein', 'levier')),
    label_fr    text NOT NULL,
    label_en    text NOT NULL,
    CHECK ((kind = 'frein') = (has_code LIKE 'H-F%')),
    UNIQUE (has_code, kind)
);

INSERT INTO msp.has_category VALUES
 ('H-F1', 'frein', 'Temps disponible des équipes', 'Time available to the teams'),
 ('H-F2', 'frein', 'Manque de financement', 'Lack of funding'),
 ('H-F3', 'frein', 'Posture des usagers', 'Users'' posture'),
 ('H-F4', 'frein', 'Manque d''intérêt de certains professionnels ; approche descendante du soin',
  'Some professionals'' lack of interest; top-down approach to care'),
 ('H-F5', 'frein', 'Méconnaissance du système de santé, manque d''acculturation au partenariat',
  'Lack of knowledge of the health system and of acculturation to partnership'),
 ('H-F6', 'frein', 'Difficultés de communication (langage accessible, barrière de la langue)',
  'Communication difficulties (accessible language, language barrier)'),
 ('H-L1', 'levier', 'Formation conjointe des professionnels et des usagers',
  'Joint training of professionals and users'),
 ('H-L2', 'levier', 'Recours à des facilitateurs de l''engagement',
  'Recourse to engagement facilitators'),
 ('H-L3', 'levier', 'Outiller les pratiques', 'Supporting practices with tools'),
 ('H-L4', 'levier', 'Soutien financier', 'Financial support'),
 ('H-L5', 'levier', 'Mobiliser des professionnels non soignants (médiateurs en santé)',
  'Mobilising non-care professionals (e.g. health mediators)');

-- A study's own codes (questionnaire categories, interview themes).
CREATE TABLE msp.study_code (
    study_id    integer NOT NULL REFERENCES msp.study,
    code        text NOT NULL CHECK (code ~ '^[a-z0-9][a-z0-9_]{0,62}$'),
    kind        msp.code_kind NOT NULL,
    theme_fr    text NOT NULL DEFAULT '',
    label_fr    text NOT NULL CHECK (btrim(label_fr) <> ''),
    label_en    text,
    PRIMARY KEY (study_id, code),
    UNIQUE (study_id, code, kind)
);

-- The crosswalk: a study code maps onto zero, one or several HAS
-- categories of its own kind; a code with no row maps to none.
-- kind rides along in both foreign keys so that a frein can only map
-- onto a HAS frein, a levier onto a HAS levier.
CREATE TABLE msp.crosswalk (
    study_id    integer NOT NULL,
    code        text NOT NULL,
    kind        msp.code_kind NOT NULL,
    has_code    text NOT NULL,
    PRIMARY KEY (study_id, code, has_code),
    FOREIGN KEY (study_id, code, kind)
        REFERENCES msp.study_code (study_id, code, kind),
    FOREIGN KEY (has_code, kind) REFERENCES msp.has_category (has_code, kind)
);

-- --- interviews ---------------------------------------------------------

CREATE TABLE msp.interview (
    interview_id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    study_id    integer NOT NULL REFERENCES msp.study,
    participant_no smallint NOT NULL CHECK (participant_no > 0),
    structure_id integer REFERENCES msp.structure ON DELETE CASCADE,
    profession  text CHECK (btrim(profession) <> ''),
    stage       text REFERENCES msp.continuum_stage,
    interviewed_on date,
    duration_min smallint CHECK (duration_min BETWEEN 1 AND 600),
    -- no consent, no row: the recording and its use rest on it (CNIL)
    consent_recorded boolean NOT NULL CHECK (consent_recorded),
    recording_deleted_on date,
    transcript_anonymised boolean NOT NULL DEFAULT false,
    UNIQUE (study_id, participant_no),
    UNIQUE (interview_id, study_id),
    CHECK (recording_deleted_on IS NULL OR interviewed_on IS NULL
           OR recording_deleted_on >= interviewed_on)
);

-- A coded excerpt of an interview: its code is one of the study's.
CREATE TABLE msp.segment (
    segment_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    interview_id integer NOT NULL,
    study_id    integer NOT NULL,
    code        text NOT NULL,
    verbatim_fr text CHECK (length(verbatim_fr) BETWEEN 1 AND 2000),
    FOREIGN KEY (interview_id, study_id)
        REFERENCES msp.interview (interview_id, study_id) ON DELETE CASCADE,
    FOREIGN KEY (study_id, code) REFERENCES msp.study_code
);
CREATE INDEX ON msp.segment (interview_id);
CREATE INDEX ON msp.segment (study_id, code);
