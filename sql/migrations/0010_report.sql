-- What msp-report needs beyond the raw answers: the variables a report
-- derives from items (the PdL "usagers +/-" split, binned years, the
-- continuum stage), the variables that are comparable across
-- instruments, which item plays which part in a region report, the
-- codes that mean "ne sait pas", the coding of open answers onto study
-- codes, and the sampling frame's characteristics for the non-response
-- comparison.  docs/report.md explains each choice.
--
-- The rules name instruments by slug, not by id: instruments are
-- reference data, loaded after the migrations, and every version of an
-- instrument keeps its item keys.

-- --- "ne sait pas" ----------------------------------------------------

-- Option codes meaning the respondent does not know.  They are kept as
-- a category or left out of tests and percentages, as the report is told
-- (msp-report --nsp); a missing answer is another matter (--missing).
CREATE TABLE msp.report_dont_know (
    code        text PRIMARY KEY CHECK (code ~ '^[a-z0-9][a-z0-9_]{0,62}$')
);

INSERT INTO msp.report_dont_know VALUES ('nsp'), ('ne_sait_pas');

-- --- report variables ---------------------------------------------------

-- A variable the report computes rather than reads from one item.  Its
-- categories are listed in display order; a number variable has none.
CREATE TABLE msp.report_variable (
    var_key     text PRIMARY KEY CHECK (var_key ~ '^[a-z][a-z0-9_]{0,62}$'),
    value_type  text NOT NULL DEFAULT 'category'
                CHECK (value_type IN ('category', 'number')),
    label_fr    text NOT NULL CHECK (btrim(label_fr) <> ''),
    -- comparable across regions (msp-report --compare)
    harmonised  boolean NOT NULL DEFAULT false,
    -- display order among the harmonised and the frame variables
    position    integer NOT NULL DEFAULT 0,
    -- how it is derived: printed under the tables that use it
    note_fr     text
);

CREATE TABLE msp.report_category (
    var_key     text NOT NULL REFERENCES msp.report_variable,
    category    text NOT NULL CHECK (category ~ '^[a-z0-9][a-z0-9_]{0,62}$'),
    position    integer NOT NULL CHECK (position > 0),
    label_fr    text NOT NULL CHECK (btrim(label_fr) <> ''),
    PRIMARY KEY (var_key, category),
    UNIQUE (var_key, position)
);

-- How an instrument yields a variable.  For each response, the rules
-- are tried in priority order against its answers and the first one that
-- matches gives the category; no match leaves the variable missing.  An
-- answer matches a rule on its item when it is match_code (a choice
-- code, or 'oui' / 'non' for a boolean), or a number within
-- [num_min, num_max] (a NULL bound is open).  With years_before_study,
-- the number compared is the study's year minus the answer (an opening
-- year becomes an age).  A number variable's rule has neither: it passes
-- the item's number through.
CREATE TABLE msp.report_rule (
    instrument_slug text NOT NULL,
    var_key     text NOT NULL REFERENCES msp.report_variable,
    priority    integer NOT NULL CHECK (priority > 0),
    item_key    text NOT NULL,
    match_code  text,
    num_min     numeric,
    num_max     numeric,
    years_before_study boolean NOT NULL DEFAULT false,
    category    text,
    PRIMARY KEY (instrument_slug, var_key, priority),
    FOREIGN KEY (var_key, category) REFERENCES msp.report_category,
    CHECK (match_code IS NULL OR (num_min IS NULL AND num_max IS NULL
                                  AND NOT years_before_study)),
    CHECK (num_min IS NULL OR num_max IS NULL OR num_min <= num_max),
    -- a category rule matches something; a pass-through has no category
    CHECK ((category IS NULL) = (match_code IS NULL AND num_min IS NULL
                                 AND num_max IS NULL))
);

-- The part an item or a variable plays in the region report.  A report
-- section shows the variables of its roles in position order, and says
-- "not asked" for a role the instrument lacks (the ACI level, for one).
CREATE TABLE msp.report_role (
    instrument_slug text NOT NULL,
    role        text NOT NULL CHECK (role IN (
                    'characteristic', 'continuum', 'aci_level',
                    'works_with_users', 'users_group', 'priority',
                    'intention', 'guide_awareness', 'support_wanted',
                    'freins', 'leviers')),
    position    integer NOT NULL CHECK (position > 0),
    -- an item of the instrument or a msp.report_variable
    var_key     text NOT NULL,
    PRIMARY KEY (instrument_slug, role, position),
    UNIQUE (instrument_slug, role, var_key)
);

-- --- PdL 2019 -----------------------------------------------------------

INSERT INTO msp.report_variable (var_key, label_fr, note_fr) VALUES
 ('usagers', 'Groupe « usagers »',
  'usagers + : « Oui actuellement » ou « Oui ponctuellement ou oui par le '
  'passé » à « Travaillez-vous avec des représentants d''utilisateurs ? » ; '
  'usagers − : « Non » (PdL 2019, Méthode).'),
 ('sites', 'Nombre de sites',
  'Monosite : 1 site ; multisite : 2 sites ou plus.'),
 ('anciennete', 'Ancienneté de la structure',
  'Années entre l''ouverture et l''année de l''étude : < 5 ans (0 à 4), '
  '5 à 10 ans, > 10 ans (11 ou plus).');

INSERT INTO msp.report_category VALUES
 ('usagers', 'usagers_plus', 1, 'usagers +'),
 ('usagers', 'usagers_moins', 2, 'usagers −'),
 ('sites', 'multisite', 1, 'Multisite'),
 ('sites', 'monosite', 2, 'Monosite'),
 ('anciennete', 'lt5', 1, '< 5 ans'),
 ('anciennete', 'from5to10', 2, '5-10 ans'),
 ('anciennete', 'gt10', 3, '> 10 ans');

INSERT INTO msp.report_rule (instrument_slug, var_key, priority, item_key,
    match_code, num_min, num_max, years_before_study, category) VALUES
 ('pdl-2019', 'usagers', 1, 'works_with_users', 'oui_actuellement',
  NULL, NULL, false, 'usagers_plus'),
 ('pdl-2019', 'usagers', 2, 'works_with_users', 'oui_ponctuel_ou_passe',
  NULL, NULL, false, 'usagers_plus'),
 ('pdl-2019', 'usagers', 3, 'works_with_users', 'non',
  NULL, NULL, false, 'usagers_moins'),
 ('pdl-2019', 'sites', 1, 'n_sites', NULL, 1, 1, false, 'monosite'),
 ('pdl-2019', 'sites', 2, 'n_sites', NULL, 2, NULL, false, 'multisite'),
 ('pdl-2019', 'anciennete', 1, 'opening_year', NULL, NULL, 4, true, 'lt5'),
 ('pdl-2019', 'anciennete', 2, 'opening_year', NULL, 5, 10, true,
  'from5to10'),
 ('pdl-2019', 'anciennete', 3, 'opening_year', NULL, 11, NULL, true, 'gt10');

-- Tableau 1 then Tableau 2, in the paper's order.
INSERT INTO msp.report_role (instrument_slug, role, position, var_key)
SELECT 'pdl-2019', 'characteristic', v.pos, v.var_key
  FROM (VALUES (1, 'prof_count_total'), (2, 'prof_count_mg'),
               (3, 'prof_count_ide'), (4, 'prof_count_sage_femme'),
               (5, 'prof_count_kine'), (6, 'prof_count_dentiste'),
               (7, 'prof_count_pharmacien'), (8, 'prof_count_paramedical'),
               (9, 'prof_count_specialiste'), (10, 'departement'),
               (11, 'aci_signatory'), (12, 'sites'), (13, 'anciennete'),
               (14, 'cpts_member'), (15, 'cls_member'),
               (16, 'federation_member')) AS v (pos, var_key);

INSERT INTO msp.report_role (instrument_slug, role, position, var_key)
VALUES
 ('pdl-2019', 'works_with_users', 1, 'works_with_users'),
 ('pdl-2019', 'users_group', 1, 'usagers'),
 ('pdl-2019', 'intention', 1, 'aware_of_initiatives'),
 ('pdl-2019', 'intention', 2, 'planning_initiative'),
 ('pdl-2019', 'freins', 1, 'freins');

-- --- Occitanie 2024 -------------------------------------------------------

-- The highest stage reached, read exclusively as the reconstruction
-- of sql/reference/0007 does: a place in the governance is partenariat,
-- exchange spaces collaboration, tools to collect expectations
-- consultation, none of these information.  A team that left
-- consult_tools blank and reached nothing higher cannot be placed.
INSERT INTO msp.report_variable (var_key, label_fr, note_fr) VALUES
 ('continuum', 'Stade atteint sur le continuum du Partenariat en Santé',
  'Stade le plus élevé : partenariat = place des usagers dans la '
  'gouvernance ; collaboration = espaces d''échange et d''écoute ; '
  'consultation = outils de recueil des attentes ; information = aucun '
  'des trois.  Non classable si l''item « outils de recueil » est sans '
  'réponse et qu''aucun stade supérieur n''est atteint.');

INSERT INTO msp.report_category (var_key, category, position, label_fr)
SELECT 'continuum', stage, rank, label_fr FROM msp.continuum_stage;

INSERT INTO msp.report_rule (instrument_slug, var_key, priority, item_key,
    match_code, category) VALUES
 ('occitanie-2024', 'continuum', 1, 'governance_place', 'oui', 'partenariat'),
 ('occitanie-2024', 'continuum', 2, 'exchange_spaces', 'oui', 'collaboration'),
 ('occitanie-2024', 'continuum', 3, 'consult_tools', 'oui', 'consultation'),
 ('occitanie-2024', 'continuum', 4, 'consult_tools', 'non', 'information');

INSERT INTO msp.report_role (instrument_slug, role, position, var_key)
VALUES
 ('occitanie-2024', 'characteristic', 1, 'structure_type'),
 ('occitanie-2024', 'characteristic', 2, 'aci_signatory'),
 ('occitanie-2024', 'characteristic', 3, 'project_validation_year'),
 ('occitanie-2024', 'characteristic', 4, 'prof_count_total'),
 ('occitanie-2024', 'continuum', 1, 'continuum'),
 ('occitanie-2024', 'works_with_users', 1, 'info_with_users'),
 ('occitanie-2024', 'works_with_users', 2, 'consult_with_users'),
 ('occitanie-2024', 'works_with_users', 3, 'exchange_spaces_with_users'),
 ('occitanie-2024', 'works_with_users', 4, 'coconstruct'),
 ('occitanie-2024', 'works_with_users', 5, 'governance_place'),
 ('occitanie-2024', 'users_group', 1, 'h_beyond_consultation'),
 ('occitanie-2024', 'priority', 1, 'is_priority'),
 ('occitanie-2024', 'intention', 1, 'want_more'),
 ('occitanie-2024', 'intention', 2, 'want_more_stage'),
 ('occitanie-2024', 'guide_awareness', 1, 'knows_guide'),
 ('occitanie-2024', 'guide_awareness', 2, 'wants_guide'),
 ('occitanie-2024', 'support_wanted', 1, 'wants_support'),
 ('occitanie-2024', 'freins', 1, 'freins'),
 ('occitanie-2024', 'leviers', 1, 'leviers');

-- --- harmonised variables (--compare) -------------------------------------

-- The instruments ask different questions; these are the variables
-- both can answer, each with its mapping.  The structure type comes from
-- the frame (msp.report_frame below), not from an item.
INSERT INTO msp.report_variable (var_key, value_type, label_fr, harmonised,
    position, note_fr) VALUES
 ('h_beyond_consultation', 'category',
  'Travaille avec des usagers au-delà de l''information et de la '
  'consultation', true, 2,
  'PdL 2019 : « Oui actuellement » ou « Oui ponctuellement ou par le passé » '
  'à « Travaillez-vous avec des représentants d''utilisateurs ? ».  '
  'Occitanie 2024 : stade collaboration ou partenariat (espaces d''échange '
  'et d''écoute, ou place dans la gouvernance) ; non si ni l''un ni '
  'l''autre.  Approximation : la question PdL porte sur des représentants '
  'd''usagers, pas sur un stade.'),
 ('h_aci_signatory', 'category', 'Signataire de l''ACI', true, 3,
  'Même question dans les deux instruments ; en Occitanie 2024 elle n''est '
  'posée qu''aux MSP (les ESP sont sans réponse).'),
 ('h_prof_count_total', 'number', 'Nombre de professionnels de l''équipe',
  true, 4,
  'PdL 2019 : nombre total de professionnels de santé déclaré ; Occitanie '
  '2024 : nombre de professionnels de l''équipe pluriprofessionnelle.');

INSERT INTO msp.report_category VALUES
 ('h_beyond_consultation', 'oui', 1, 'Oui'),
 ('h_beyond_consultation', 'non', 2, 'Non'),
 ('h_aci_signatory', 'oui', 1, 'Oui'),
 ('h_aci_signatory', 'non', 2, 'Non');

INSERT INTO msp.report_rule (instrument_slug, var_key, priority, item_key,
    match_code, category) VALUES
 ('pdl-2019', 'h_beyond_consultation', 1, 'works_with_users',
  'oui_actuellement', 'oui'),
 ('pdl-2019', 'h_beyond_consultation', 2, 'works_with_users',
  'oui_ponctuel_ou_passe', 'oui'),
 ('pdl-2019', 'h_beyond_consultation', 3, 'works_with_users', 'non', 'non'),
 ('occitanie-2024', 'h_beyond_consultation', 1, 'governance_place', 'oui',
  'oui'),
 ('occitanie-2024', 'h_beyond_consultation', 2, 'exchange_spaces', 'oui',
  'oui'),
 ('occitanie-2024', 'h_beyond_consultation', 3, 'exchange_spaces', 'non',
  'non'),
 ('pdl-2019', 'h_aci_signatory', 1, 'aci_signatory', 'oui', 'oui'),
 ('pdl-2019', 'h_aci_signatory', 2, 'aci_signatory', 'non', 'non'),
 ('occitanie-2024', 'h_aci_signatory', 1, 'aci_signatory', 'oui', 'oui'),
 ('occitanie-2024', 'h_aci_signatory', 2, 'aci_signatory', 'non', 'non'),
 ('pdl-2019', 'h_prof_count_total', 1, 'prof_count_total', NULL, NULL),
 ('occitanie-2024', 'h_prof_count_total', 1, 'prof_count_total', NULL,
  NULL);

-- --- the sampling frame (--nonresponse, --compare) -----------------------

-- What is known of every targeted structure, answered or not, as
-- (variable, category) rows; category NULL when unknown.  Runs with the
-- caller's rights, so Row-Level Security decides which structures count.
INSERT INTO msp.report_variable (var_key, label_fr, harmonised, position,
    note_fr) VALUES
 ('frame_structure_type', 'Type de structure (base de sondage)', true, 1,
  'Type enregistré pour la structure dans la base de sondage.'),
 ('frame_departement', 'Département (base de sondage)', false, 2, NULL),
 ('frame_sites', 'Nombre de sites (base de sondage)', false, 3, NULL),
 ('frame_aci_signatory', 'Signataire de l''ACI (base de sondage)', false, 4,
  NULL),
 ('frame_cpts', 'Participation à une CPTS (base de sondage)', false, 5,
  NULL),
 ('frame_cls', 'Participation à un CLS (base de sondage)', false, 6, NULL),
 ('frame_federation_member',
  'Adhérente à la fédération régionale (liste de la fédération)', false, 7,
  'Appartenance d''après la liste de la fédération, connue pour toute la '
  'base de sondage ; elle peut différer de la réponse déclarée au '
  'questionnaire.');

INSERT INTO msp.report_category VALUES
 ('frame_structure_type', 'msp', 1, 'MSP'),
 ('frame_structure_type', 'esp', 2, 'ESP'),
 ('frame_structure_type', 'cds', 3, 'CDS'),
 ('frame_structure_type', 'other', 4, 'Autre'),
 ('frame_sites', 'multisite', 1, 'Multisite'),
 ('frame_sites', 'monosite', 2, 'Monosite'),
 ('frame_aci_signatory', 'oui', 1, 'Oui'),
 ('frame_aci_signatory', 'non', 2, 'Non'),
 ('frame_cpts', 'oui', 1, 'Oui'),
 ('frame_cpts', 'non', 2, 'Non'),
 ('frame_cpts', 'nsp', 3, 'Ne sait pas'),
 ('frame_cls', 'oui', 1, 'Oui'),
 ('frame_cls', 'non', 2, 'Non'),
 ('frame_cls', 'nsp', 3, 'Ne sait pas'),
 ('frame_federation_member', 'oui', 1, 'Oui'),
 ('frame_federation_member', 'non', 2, 'Non'),
 ('frame_federation_member', 'nsp', 3, 'Ne sait pas');

-- --- coded open answers (--has) -------------------------------------------

-- An analyst's coding of an open answer onto the study's codes, the
-- questionnaire's counterpart of msp.segment: the HAS crosswalk then
-- applies to both.
ALTER TABLE msp.response ADD UNIQUE (response_id, study_id);

CREATE TABLE msp.answer_code (
    response_id bigint NOT NULL,
    study_id    integer NOT NULL,
    item_key    text NOT NULL,
    code        text NOT NULL,
    PRIMARY KEY (response_id, item_key, code),
    FOREIGN KEY (response_id, study_id)
        REFERENCES msp.response (response_id, study_id) ON DELETE CASCADE,
    FOREIGN KEY (study_id, code) REFERENCES msp.study_code
);
CREATE INDEX ON msp.answer_code (study_id, code);

ALTER TABLE msp.answer_code ENABLE ROW LEVEL SECURITY;
-- as msp.answer's (0012): a correlated EXISTS, not IN (a subquery)
CREATE POLICY visible ON msp.answer_code TO msp_team, msp_federation
    USING (EXISTS (SELECT 1 FROM msp.response r
                    WHERE r.response_id = answer_code.response_id));
CREATE POLICY analyst ON msp.answer_code TO msp_analyst
    USING ((SELECT msp.current_kind()) = 'analyst');

GRANT SELECT ON msp.answer_code TO msp_team, msp_federation, msp_analyst;
GRANT INSERT, UPDATE, DELETE ON msp.answer_code TO msp_analyst;

GRANT SELECT ON msp.report_dont_know, msp.report_variable,
    msp.report_category, msp.report_rule, msp.report_role
    TO msp_team, msp_federation, msp_analyst;

-- --- cached frequency tables ------------------------------------------------

-- A report's frequency tables come from one pass over the study's
-- answers: seconds for a million responses.  Analysts' reports keep the
-- result, and a later report reuses it while no data changed.  "No data
-- changed" is exact: every transaction that writes answers, responses or
-- the definitions the counts depend on leaves one row here (insert only,
-- so concurrent writers never wait on each other), and a cache entry
-- records how many rows its snapshot saw.  The same count later means no
-- writing transaction committed in between.
CREATE TABLE msp.data_change (
    txid        xid8 PRIMARY KEY
);

-- Declared for the triggers below; defined in sql/functions/ (msp.note_data_change.sql),
-- loaded after the migrations (docs/schema.md).
CREATE FUNCTION msp.note_data_change() RETURNS trigger
    LANGUAGE plpgsql AS $$BEGIN RAISE 'declared only'; END$$;

-- ALWAYS: bulk loads that run with session_replication_role = replica
-- (msp-report generate) change data too.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['answer', 'response', 'instrument_item',
                             'item_option', 'report_rule',
                             'report_variable', 'report_category',
                             'answer_code']
    LOOP
        EXECUTE format('CREATE TRIGGER report_data_change AFTER INSERT OR '
                       'UPDATE OR DELETE OR TRUNCATE ON msp.%I FOR EACH '
                       'STATEMENT EXECUTE FUNCTION msp.note_data_change()',
                       t);
        EXECUTE format('ALTER TABLE msp.%I ENABLE ALWAYS TRIGGER '
                       'report_data_change', t);
    END LOOP;
END
$$;

-- The frequency tables themselves, in the shape the report reads them
-- (lib/report_data.c).  Whole-study counts: only the owner and analysts
-- write or read them; a federation's or a team's report is computed
-- under its own Row-Level Security every time.
CREATE TABLE msp.report_cache (
    study_id    integer NOT NULL REFERENCES msp.study ON DELETE CASCADE,
    what        text NOT NULL,
    changes     bigint NOT NULL,
    kind        text NOT NULL,
    var         text,
    val         text,
    grp         text,
    n           bigint NOT NULL
);
CREATE INDEX ON msp.report_cache (study_id, what, changes);
GRANT SELECT, INSERT, DELETE ON msp.report_cache TO msp_analyst;
