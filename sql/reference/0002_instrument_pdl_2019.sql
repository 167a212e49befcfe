-- The PdL 2019 questionnaire (Pays de la Loire MSPs, exercer
-- 2023;193:196-201), as far as the paper describes it.  The paper does
-- not reproduce the questionnaire (its annex is online only): apart from
-- the main question and the labels of Tableaux 1-2, wordings are
-- reconstructed (label_verbatim = false) from the Méthode's list of
-- topics.  docs/instruments.md gives the source of every item.
INSERT INTO msp.instrument (slug, version, title_fr, title_en) VALUES
    ('pdl-2019', 1,
     'Engagement des usagers dans les MSP des Pays de la Loire (2019)',
     'User engagement in Pays de la Loire MSPs (2019)');

CREATE TEMPORARY TABLE pdl_item (
    position int, section_fr text, item_key text, item_type msp.item_type,
    label_fr text, label_verbatim boolean, required boolean,
    min_value numeric, max_value numeric, integer_only boolean,
    max_length int, show_if_item text, show_if_values text[]
) ON COMMIT DROP;

INSERT INTO pdl_item VALUES
 (1, 'Le répondant', 'respondent_profession', 'text',
  'Profession du répondant', false, false, NULL, NULL, false, 200, NULL, NULL),
 (2, 'Le répondant', 'respondent_function', 'single_choice',
  'Fonction du répondant dans la MSP', false, false, NULL, NULL, false, NULL, NULL, NULL),
 (3, 'La MSP', 'prof_count_total', 'number',
  'Nombre total de professionnels de santé', false, true, 1, 500, true, NULL, NULL, NULL),
 (4, 'La MSP', 'prof_count_mg', 'number',
  'MG', true, true, 0, 200, true, NULL, NULL, NULL),
 (5, 'La MSP', 'prof_count_ide', 'number',
  'IDE', true, true, 0, 200, true, NULL, NULL, NULL),
 (6, 'La MSP', 'prof_count_sage_femme', 'number',
  'Sage-femme', true, true, 0, 200, true, NULL, NULL, NULL),
 (7, 'La MSP', 'prof_count_kine', 'number',
  'Kiné', true, true, 0, 200, true, NULL, NULL, NULL),
 (8, 'La MSP', 'prof_count_dentiste', 'number',
  'Dentiste', true, true, 0, 200, true, NULL, NULL, NULL),
 (9, 'La MSP', 'prof_count_pharmacien', 'number',
  'Pharmacien', true, true, 0, 200, true, NULL, NULL, NULL),
 (10, 'La MSP', 'prof_count_paramedical', 'number',
  'Paramédical', true, true, 0, 200, true, NULL, NULL, NULL),
 (11, 'La MSP', 'prof_count_specialiste', 'number',
  'Spécialiste', true, true, 0, 200, true, NULL, NULL, NULL),
 (12, 'La MSP', 'departement', 'single_choice',
  'Département d''implantation de la MSP', true, true, NULL, NULL, false, NULL, NULL, NULL),
 (13, 'La MSP', 'n_sites', 'number',
  'Nombre de sites de la MSP', true, true, 1, 50, true, NULL, NULL, NULL),
 (14, 'La MSP', 'opening_year', 'number',
  'Année d''ouverture de la MSP', false, true, 1970, 2019, true, NULL, NULL, NULL),
 (15, 'La MSP', 'aci_signatory', 'boolean',
  'La MSP a-t-elle contractualisé avec l''Assurance maladie via l''ACI ?',
  false, true, NULL, NULL, false, NULL, NULL, NULL),
 (16, 'La MSP', 'cpts_member', 'single_choice',
  'Participation à une CPTS (projet ou en cours)', true, false, NULL, NULL, false, NULL, NULL, NULL),
 (17, 'La MSP', 'cls_member', 'single_choice',
  'Participation à un CLS', true, false, NULL, NULL, false, NULL, NULL, NULL),
 (18, 'La MSP', 'federation_member', 'boolean',
  'Adhérente à l''APMSL', true, true, NULL, NULL, false, NULL, NULL, NULL),
 (19, 'Engagement des usagers', 'works_with_users', 'single_choice',
  'Travaillez-vous avec des représentants d''utilisateurs ?', true, true,
  NULL, NULL, false, NULL, NULL, NULL),
 (20, 'Engagement des usagers', 'initiative_since', 'number',
  'Depuis quelle année travaillez-vous avec des usagers ?', false, false,
  1970, 2019, true, NULL, 'works_with_users', '{oui_actuellement,oui_ponctuel_ou_passe}'),
 (21, 'Engagement des usagers', 'initiative_initiator', 'single_choice',
  'Qui a initié la collaboration avec les usagers ?', false, false,
  NULL, NULL, false, NULL, 'works_with_users', '{oui_actuellement,oui_ponctuel_ou_passe}'),
 (22, 'Engagement des usagers', 'action_types', 'text',
  'Quels types d''actions menez-vous ou avez-vous menés avec les usagers ?', false, false,
  NULL, NULL, false, 2000, 'works_with_users', '{oui_actuellement,oui_ponctuel_ou_passe}'),
 (23, 'Engagement des usagers', 'collaboration_dynamics', 'text',
  'Comment décririez-vous la dynamique de cette collaboration ?', false, false,
  NULL, NULL, false, 2000, 'works_with_users', '{oui_actuellement,oui_ponctuel_ou_passe}'),
 (24, 'Engagement des usagers', 'has_current_project', 'single_choice',
  'Avez-vous des projets en cours avec des usagers ?', false, false,
  NULL, NULL, false, NULL, 'works_with_users', '{oui_actuellement,oui_ponctuel_ou_passe}'),
 (25, 'Engagement des usagers', 'project_topics', 'multiple_choice',
  'Sur quels thèmes portent ces projets ?', false, false,
  NULL, NULL, false, NULL, 'has_current_project', '{oui}'),
 (26, 'Engagement des usagers', 'motivations', 'text',
  'Quelles sont vos motivations à travailler avec des usagers ?', false, false,
  NULL, NULL, false, 2000, 'works_with_users', '{oui_actuellement,oui_ponctuel_ou_passe}'),
 (27, 'Engagement des usagers', 'aware_of_initiatives', 'single_choice',
  'Avez-vous connaissance d''initiatives d''engagement d''usagers ?', false, false,
  NULL, NULL, false, NULL, 'works_with_users', '{non}'),
 (28, 'Engagement des usagers', 'planning_initiative', 'single_choice',
  'Envisagez-vous, ou avez-vous entrepris des démarches pour, débuter une telle initiative ?',
  false, false, NULL, NULL, false, NULL, 'aware_of_initiatives', '{oui}'),
 (29, 'Engagement des usagers', 'freins', 'text',
  'Quels freins percevez-vous ou avez-vous rencontrés ?', false, false,
  NULL, NULL, false, 2000, NULL, NULL);

-- Items first without their conditions (a condition names an item that
-- must exist), then the conditions.
INSERT INTO msp.instrument_item (instrument_id, item_key, position,
    section_fr, item_type, label_fr, label_verbatim, required, min_value,
    max_value, integer_only, max_length)
SELECT i.instrument_id, p.item_key, p.position, p.section_fr, p.item_type,
       p.label_fr, p.label_verbatim, p.required, p.min_value, p.max_value,
       p.integer_only, p.max_length
  FROM pdl_item p, msp.instrument i
 WHERE i.slug = 'pdl-2019' AND i.version = 1;

UPDATE msp.instrument_item it
   SET show_if_item = p.show_if_item, show_if_values = p.show_if_values
  FROM pdl_item p, msp.instrument i
 WHERE i.slug = 'pdl-2019' AND i.version = 1
   AND it.instrument_id = i.instrument_id AND it.item_key = p.item_key
   AND p.show_if_item IS NOT NULL;

INSERT INTO msp.item_option (instrument_id, item_key, code, position, label_fr)
SELECT i.instrument_id, o.item_key, o.code, o.position, o.label_fr
  FROM (VALUES
    ('respondent_function', 'coordinateur', 1, 'Coordinateur'),
    ('respondent_function', 'leader', 2, 'Leader'),
    ('respondent_function', 'resp_groupe_travail', 3, 'Responsable de groupe de travail'),
    ('respondent_function', 'secretaire', 4, 'Secrétaire'),
    ('respondent_function', 'pds', 5, 'Professionnel de santé de la MSP'),
    ('respondent_function', 'autre', 6, 'Autre'),
    ('departement', '44', 1, '44'),
    ('departement', '49', 2, '49'),
    ('departement', '53', 3, '53'),
    ('departement', '72', 4, '72'),
    ('departement', '85', 5, '85'),
    ('cpts_member', 'oui', 1, 'Oui'),
    ('cpts_member', 'non', 2, 'Non'),
    ('cpts_member', 'nsp', 3, 'Ne sait pas'),
    ('cls_member', 'oui', 1, 'Oui'),
    ('cls_member', 'non', 2, 'Non'),
    ('cls_member', 'nsp', 3, 'Ne sait pas'),
    ('works_with_users', 'oui_actuellement', 1, 'Oui actuellement'),
    ('works_with_users', 'oui_ponctuel_ou_passe', 2, 'Oui ponctuellement ou oui par le passé'),
    ('works_with_users', 'non', 3, 'Non'),
    ('initiative_initiator', 'pds', 1, 'Les professionnels de santé'),
    ('initiative_initiator', 'pds_collectivite', 2, 'Les professionnels de santé avec une collectivité territoriale'),
    ('initiative_initiator', 'mairie', 3, 'La mairie'),
    ('initiative_initiator', 'autre', 4, 'Autre'),
    ('has_current_project', 'oui', 1, 'Oui'),
    ('has_current_project', 'non', 2, 'Non'),
    ('project_topics', 'prevention', 1, 'La prévention'),
    ('project_topics', 'promotion_logement', 2, 'La promotion de la santé en lien avec les conditions de logement'),
    ('project_topics', 'etp', 3, 'L''éducation thérapeutique du patient (ETP)'),
    ('project_topics', 'parcours', 4, 'L''organisation des parcours de santé'),
    ('project_topics', 'communication', 5, 'La communication'),
    ('project_topics', 'experience_usagers', 6, 'L''expérience des usagers au sein de la MSP'),
    ('project_topics', 'autre', 7, 'Autre'),
    ('aware_of_initiatives', 'oui', 1, 'Oui'),
    ('aware_of_initiatives', 'non', 2, 'Non'),
    ('planning_initiative', 'oui', 1, 'Oui'),
    ('planning_initiative', 'non', 2, 'Non'))
       AS o (item_key, code, position, label_fr),
       msp.instrument i
 WHERE i.slug = 'pdl-2019' AND i.version = 1;
