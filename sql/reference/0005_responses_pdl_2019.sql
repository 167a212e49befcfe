-- PdL 2019: the 37 responses, reconstructed (see 0004 for the frame).
--
-- One row per responding MSP below, unpivoted into msp.response and
-- msp.answer.  The values were chosen so that every published aggregate
-- comes back out by SQL (tests/check_reference.c asserts them):
--
-- * Tableau 1, per group: MSPs with at least one professional of each
--   category, median (min-max) per MSP, and the reported total.
--   Where the table contradicts itself we follow its counts:
--   - IDE, usagers -: « 24 (100) » with median 5,5 means 24 answers
--     (an even count); 3 MSPs left the item blank.  (The "Total"
--     column's 37 cannot then hold; it would be 34.)
--   - kiné and paramédical, usagers +: 9 of 10 with at least one, so
--     one MSP has 0; the published minimums (1 and 2) cannot hold.
--   - total, usagers +: median 23,5 as in the table (the text says 24).
--   - total, usagers -: the reported total is the respondent's own
--     figure; its minimum, 3, is as published even though that MSP
--     lists more professionals by category.
-- * Tableau 2, per group: département, ACI, sites, ancienneté, CPTS,
--   CLS, APMSL as printed.  CPTS usagers +: 4 + 5 + 0 = 9 of 10, so one
--   MSP left it blank.  CLS: the groups' counts are used (6 + 17 = 23
--   "non"; the table's total says 22).  Ancienneté is stored as the
--   opening year: "< 5" = 2015-2019, "5-10" = 2009-2014.
-- * Main item: 2 "oui actuellement", 8 "oui ponctuellement ou par le
--   passé", 27 "non".  Roles: coordinateur 19, leader 9, responsable de
--   groupe de travail 4, secrétaire 1, PDS 1, 3 not stated.
-- * usagers +: initiated by PDS 5, with a local authority 1, by the town
--   hall 1 (3 not stated); 6 have a current project, one topic each
--   (the paper lists the six topics but not their counts).
-- * usagers -: 18 know of initiatives, of whom 4 plan one.
-- * Free texts are the paper's own phrases, one per MSP that the paper
--   counts (6 usagers + with freins; 2 usagers - with negative past
--   interactions), others spread over usagers - MSPs.
-- The pairing of values across items within an MSP is arbitrary: only
-- the per-group distributions are published.

CREATE TEMPORARY TABLE pdl_answer (
    label text, respondent_function text, prof_total int, mg int, ide int,
    sage_femme int, kine int, dentiste int, pharmacien int,
    paramedical int, specialiste int, departement text, n_sites int,
    opening_year int, aci boolean, cpts text, cls text, apmsl text,
    works text, initiator text, has_project text, topic text,
    aware text, planning text
) ON COMMIT DROP;

INSERT INTO pdl_answer VALUES
    ('p01', 'resp_groupe_travail', 10, 3, 10, 0, 2, 0, 0, 12, 0, '53', 4, 2016, true, 'oui', 'oui', 'oui', 'oui_actuellement', 'pds', 'oui', 'prevention', NULL, NULL),
    ('p02', 'resp_groupe_travail', 65, 7, 7, 0, 2, 0, 6, 6, 0, '53', 1, 2016, false, 'non', 'non', 'oui', 'oui_actuellement', 'pds', 'oui', 'promotion_logement', NULL, NULL),
    ('p03', 'leader', 40, 12, 4, 2, 1, 2, 5, 8, 1, '72', 2, 2017, false, 'non', 'oui', 'oui', 'oui_ponctuel_ou_passe', 'pds', 'oui', 'etp', NULL, NULL),
    ('p04', 'coordinateur', 26, 17, 7, 0, 8, 0, 4, 5, 0, '72', 1, 2012, true, 'non', 'non', 'oui', 'oui_ponctuel_ou_passe', 'pds', 'oui', 'parcours', NULL, NULL),
    ('p05', 'leader', 15, 7, 5, 2, 6, 0, 0, 4, 0, '49', 2, 2010, true, 'oui', 'oui', 'oui', 'oui_ponctuel_ou_passe', 'pds', 'oui', 'communication', NULL, NULL),
    ('p06', NULL, 23, 8, 2, 2, 1, 2, 7, 2, 0, '49', 1, 2013, true, 'non', 'nsp', 'oui', 'oui_ponctuel_ou_passe', 'pds_collectivite', 'oui', 'experience_usagers', NULL, NULL),
    ('p07', NULL, 20, 5, 12, 2, 0, 2, 3, 3, 1, '49', 3, 2012, true, NULL, 'non', 'non', 'oui_ponctuel_ou_passe', 'mairie', 'non', NULL, NULL, NULL),
    ('p08', 'coordinateur', 18, 9, 25, 0, 3, 2, 0, 4, 0, '49', 3, 2015, true, 'oui', 'non', 'non', 'oui_ponctuel_ou_passe', NULL, 'non', NULL, NULL, NULL),
    ('p09', 'leader', 24, 7, 6, 0, 4, 2, 3, 0, 0, '49', 1, 2015, true, 'oui', 'non', 'non', 'oui_ponctuel_ou_passe', NULL, 'non', NULL, NULL, NULL),
    ('p10', 'leader', 30, 6, 8, 2, 2, 0, 0, 4, 0, '85', 2, 2010, true, 'non', 'non', 'non', 'oui_ponctuel_ou_passe', NULL, 'non', NULL, NULL, NULL),
    ('p11', 'leader', 14, 6, 8, 1, 3, 0, 2, 3, 0, '53', 2, 2018, true, 'non', 'oui', 'oui', 'non', NULL, NULL, NULL, 'oui', 'oui'),
    ('p12', 'resp_groupe_travail', 38, 3, 6, 2, 8, 4, 3, 8, 1, '53', 1, 2015, true, 'oui', 'non', 'oui', 'non', NULL, NULL, NULL, 'oui', 'oui'),
    ('p13', 'coordinateur', 10, 8, 5, 0, 9, 5, 0, 5, 3, '53', 2, 2018, false, 'oui', 'nsp', 'non', 'non', NULL, NULL, NULL, 'oui', 'oui'),
    ('p14', 'coordinateur', 42, 8, NULL, 0, 0, 0, 0, 5, 0, '72', 3, 2018, false, 'non', 'non', 'oui', 'non', NULL, NULL, NULL, 'oui', 'oui'),
    ('p15', 'leader', 20, 6, 7, 0, 4, 7, 0, 15, 2, '72', 2, 2017, true, 'non', 'non', 'oui', 'non', NULL, NULL, NULL, 'oui', 'non'),
    ('p16', 'coordinateur', 26, 12, 2, 0, 10, 3, 5, 9, 0, '72', 2, 2017, true, 'non', 'nsp', 'non', 'non', NULL, NULL, NULL, 'oui', 'non'),
    ('p17', 'coordinateur', 21, 9, NULL, 0, 0, 0, 0, 6, 0, '49', 3, 2015, true, 'non', 'non', 'oui', 'non', NULL, NULL, NULL, 'oui', 'non'),
    ('p18', 'secretaire', 48, 4, 9, 3, 0, 0, 0, 9, 0, '49', 1, 2019, true, 'oui', 'nsp', 'oui', 'non', NULL, NULL, NULL, 'oui', 'non'),
    ('p19', 'coordinateur', 13, 4, 22, 2, 3, 0, 6, 8, 0, '49', 2, 2011, false, 'oui', 'non', 'non', 'non', NULL, NULL, NULL, 'oui', 'non'),
    ('p20', 'coordinateur', 22, 5, 5, 1, 1, 1, 2, 14, 0, '49', 1, 2017, true, 'non', 'non', 'oui', 'non', NULL, NULL, NULL, 'oui', 'non'),
    ('p21', 'coordinateur', 3, 10, 6, 1, 1, 0, 0, 7, 0, '49', 1, 2018, true, 'non', 'non', 'oui', 'non', NULL, NULL, NULL, 'oui', 'non'),
    ('p22', 'pds', 8, 5, 12, 4, 3, 0, 1, 4, 0, '49', 1, 2016, false, 'oui', 'oui', 'non', 'non', NULL, NULL, NULL, 'oui', 'non'),
    ('p23', 'resp_groupe_travail', 32, 7, NULL, 0, 7, 6, 4, 5, 2, '49', 1, 2015, true, 'non', 'non', 'oui', 'non', NULL, NULL, NULL, 'oui', 'non'),
    ('p24', 'leader', 25, 4, 3, 1, 3, 2, 8, 6, 0, '49', 4, 2014, true, 'nsp', 'non', 'oui', 'non', NULL, NULL, NULL, 'oui', 'non'),
    ('p25', 'coordinateur', 12, 7, 4, 2, 10, 0, 0, 10, 1, '49', 2, 2009, true, 'non', 'non', 'non', 'non', NULL, NULL, NULL, 'oui', 'non'),
    ('p26', 'leader', 19, 5, 5, 1, 2, 1, 4, 4, 0, '85', 2, 2016, true, 'non', 'non', 'oui', 'non', NULL, NULL, NULL, 'oui', 'non'),
    ('p27', 'coordinateur', 28, 7, 4, 0, 4, 3, 2, 2, 0, '85', 1, 2009, false, 'non', 'non', 'oui', 'non', NULL, NULL, NULL, 'oui', 'non'),
    ('p28', NULL, 15, 6, 4, 1, 2, 1, 1, 2, 0, '85', 1, 2016, true, 'oui', 'non', 'non', 'non', NULL, NULL, NULL, 'oui', 'non'),
    ('p29', 'coordinateur', 24, 6, 3, 1, 4, 0, 7, 3, 0, '85', 2, 2016, true, 'oui', 'non', 'oui', 'non', NULL, NULL, NULL, 'non', NULL),
    ('p30', 'coordinateur', 18, 3, 7, 3, 6, 2, 0, 10, 1, '85', 1, 2015, true, 'oui', 'non', 'oui', 'non', NULL, NULL, NULL, 'non', NULL),
    ('p31', 'coordinateur', 55, 8, 5, 0, 0, 0, 0, 7, 0, '85', 1, 2013, true, 'oui', 'oui', 'non', 'non', NULL, NULL, NULL, 'non', NULL),
    ('p32', 'coordinateur', 35, 6, 3, 1, 5, 0, 3, 4, 0, '44', 3, 2011, true, 'non', 'nsp', 'oui', 'non', NULL, NULL, NULL, 'non', NULL),
    ('p33', 'coordinateur', 17, 6, 10, 0, 2, 0, 0, 6, 4, '44', 1, 2013, true, 'non', 'oui', 'oui', 'non', NULL, NULL, NULL, 'non', NULL),
    ('p34', 'leader', 20, 11, 8, 1, 3, 0, 0, 11, 1, '44', 2, 2014, true, 'nsp', 'non', 'non', 'non', NULL, NULL, NULL, 'non', NULL),
    ('p35', 'coordinateur', 23, 5, 15, 2, 3, 0, 0, 5, 0, '44', 1, 2017, true, 'nsp', 'oui', 'oui', 'non', NULL, NULL, NULL, 'non', NULL),
    ('p36', 'coordinateur', 16, 13, 6, 0, 5, 1, 0, 12, 0, '44', 4, 2016, true, 'non', 'non', 'non', 'non', NULL, NULL, NULL, 'non', NULL),
    ('p37', 'coordinateur', 30, 6, 2, 0, 0, 2, 0, 6, 0, '44', 3, 2017, true, 'oui', 'nsp', 'non', 'non', NULL, NULL, NULL, 'non', NULL);

CREATE TEMPORARY TABLE pdl_text (label text, item_key text, text_value text)
    ON COMMIT DROP;

INSERT INTO pdl_text VALUES
    ('p01', 'freins', 'Le manque de temps'),
    ('p02', 'freins', 'La peur du jugement'),
    ('p03', 'freins', 'Le niveau d''intérêt et d''implication très inégal parmi les PDS de la MSP'),
    ('p04', 'freins', 'La difficulté à composer avec la divergence de perspectives entre PDS et usagers'),
    ('p05', 'freins', 'Le manque de temps'),
    ('p06', 'freins', 'La peur du jugement'),
    ('p01', 'motivations', 'Améliorer la prise en charge'),
    ('p02', 'motivations', 'Adapter le développement de la MSP grâce au retour constructif des usagers'),
    ('p03', 'motivations', 'Une meilleure adhésion des usagers à la dynamique de la MSP'),
    ('p04', 'motivations', 'Conforter la place des usagers au sein de la MSP'),
    ('p11', 'freins', 'Des interactions antérieures négatives avec des usagers'),
    ('p12', 'freins', 'Des interactions antérieures négatives avec des usagers'),
    ('p13', 'freins', 'Le manque d''intérêt des PDS'),
    ('p14', 'freins', 'Le manque de maturité de l''équipe'),
    ('p15', 'freins', 'Nous ne savons pas comment débuter ce travail'),
    ('p16', 'freins', 'La crainte que les usagers ne soient pas représentatifs'),
    ('p17', 'freins', 'L''absence de locaux adéquats'),
    ('p18', 'freins', 'Le manque de temps');

INSERT INTO msp.response (study_id, instrument_id, structure_id,
    respondent_role, started_at, submitted_at, status, idempotency_key)
SELECT s.study_id, s.instrument_id, st.structure_id,
       CASE a.respondent_function
            WHEN 'coordinateur' THEN 'coordinateur'
            WHEN 'leader' THEN 'leader'
            WHEN 'resp_groupe_travail' THEN 'responsable_groupe'
            WHEN 'secretaire' THEN 'secretaire'
            WHEN 'pds' THEN 'professionnel_sante'
       END::msp.respondent_role,
       -- fieldwork March-October 2019; the days are not published
       TIMESTAMPTZ '2019-03-04 10:00+01'
           + (substr(a.label, 2)::int * 6) * INTERVAL '1 day',
       TIMESTAMPTZ '2019-03-04 10:30+01'
           + (substr(a.label, 2)::int * 6) * INTERVAL '1 day',
       'complete', 'reconstruction:pdl-2019:' || a.label
  FROM pdl_answer a
  JOIN msp.structure st ON st.pseudonym = encode(sha256(convert_to(
       'reconstruction:pdl-2019:' || a.label, 'UTF8')), 'hex'),
       msp.study s
 WHERE s.slug = 'pdl-2019';

CREATE TEMPORARY VIEW pdl_resp AS
SELECT a.*, r.response_id, r.instrument_id
  FROM pdl_answer a
  JOIN msp.response r
    ON r.idempotency_key = 'reconstruction:pdl-2019:' || a.label;

INSERT INTO msp.answer (response_id, instrument_id, item_key, num_value)
SELECT p.response_id, p.instrument_id, v.item_key, v.n
  FROM pdl_resp p,
       LATERAL (VALUES ('prof_count_total', p.prof_total),
                       ('prof_count_mg', p.mg), ('prof_count_ide', p.ide),
                       ('prof_count_sage_femme', p.sage_femme),
                       ('prof_count_kine', p.kine),
                       ('prof_count_dentiste', p.dentiste),
                       ('prof_count_pharmacien', p.pharmacien),
                       ('prof_count_paramedical', p.paramedical),
                       ('prof_count_specialiste', p.specialiste),
                       ('n_sites', p.n_sites),
                       ('opening_year', p.opening_year)) AS v (item_key, n)
 WHERE v.n IS NOT NULL;

INSERT INTO msp.answer (response_id, instrument_id, item_key, choice_code)
SELECT p.response_id, p.instrument_id, v.item_key, v.code
  FROM pdl_resp p,
       LATERAL (VALUES ('respondent_function', p.respondent_function),
                       ('departement', p.departement),
                       ('cpts_member', p.cpts), ('cls_member', p.cls),
                       ('works_with_users', p.works),
                       ('initiative_initiator', p.initiator),
                       ('has_current_project', p.has_project),
                       ('project_topics', p.topic),
                       ('aware_of_initiatives', p.aware),
                       ('planning_initiative', p.planning))
           AS v (item_key, code)
 WHERE v.code IS NOT NULL;

INSERT INTO msp.answer (response_id, instrument_id, item_key, bool_value)
SELECT p.response_id, p.instrument_id, v.item_key, v.b
  FROM pdl_resp p,
       LATERAL (VALUES ('aci_signatory', p.aci),
                       ('federation_member', p.apmsl = 'oui'))
           AS v (item_key, b);

INSERT INTO msp.answer (response_id, instrument_id, item_key, text_value)
SELECT p.response_id, p.instrument_id, t.item_key, t.text_value
  FROM pdl_text t JOIN pdl_resp p USING (label);

DROP VIEW pdl_resp;
