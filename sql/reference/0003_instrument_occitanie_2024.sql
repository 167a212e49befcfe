-- The Occitanie 2024 questionnaire (Fécop, « L'implication des usagers
-- en soins primaires dans les ESP / MSP d'Occitanie », rapport d'enquête,
-- août 2024), as far as the report describes it.  The report does not
-- reproduce the questionnaire (an online Microsoft Forms survey) and most
-- of its charts were not transcribed: apart from a few chart captions
-- (label_verbatim = true), wordings, value lists, order and types are
-- reconstructed (label_verbatim = false) from the result sentences.
-- "Required" is not published for any item, so none is marked required.
-- docs/instruments.md gives the source of every item.
--
-- Not items: the derived continuum_stage (computed from the level
-- items, not asked); the contact details of interview volunteers (kept
-- apart from the answers); the ACI indicator level (administrative data,
-- not asked).
INSERT INTO msp.instrument (slug, version, title_fr, title_en) VALUES
    ('occitanie-2024', 1,
     'L''implication des usagers en soins primaires dans les ESP / MSP d''Occitanie (2024)',
     'User involvement in primary care teams (ESP / MSP) in Occitanie (2024)');

CREATE TEMPORARY TABLE occ_item (
    position int, section_fr text, item_key text, item_type msp.item_type,
    label_fr text, label_verbatim boolean, required boolean,
    min_value numeric, max_value numeric, integer_only boolean,
    max_length int, show_if_item text, show_if_values text[]
) ON COMMIT DROP;

INSERT INTO occ_item VALUES
 -- A. Profil de l'équipe (§IV.A)
 (1, 'Profil de l''équipe', 'structure_type', 'single_choice',
  'Structure d''exercice coordonné dans laquelle le répondant exerce :', true, false,
  NULL, NULL, false, NULL, NULL, NULL),
 (2, 'Profil de l''équipe', 'aci_signatory', 'boolean',
  -- the report's caption (« Pour les MSP, nombre d'entre elles qui sont
  -- signataires de l'ACI ») describes a result, not a question
  'La MSP est-elle signataire de l''Accord Conventionnel Interprofessionnel '
  '(ACI) ?', false, false,
  NULL, NULL, false, NULL, 'structure_type', '{msp}'),
 (3, 'Profil de l''équipe', 'project_validation_year', 'number',
  'Année de validation du projet de santé', false, false,
  2000, 2024, true, NULL, NULL, NULL),
 (4, 'Profil de l''équipe', 'prof_count_total', 'number',
  'Nombre de professionnels qui exercent au sein de l''équipe pluriprofessionnelle '
  'coordonnée du répondant :', true, false,
  1, 500, true, NULL, NULL, NULL),
 -- B. Connaissance et vision (§IV.A.1)
 (5, 'Connaissance et vision', 'def_usager', 'text',
  'Selon vous, qu''est-ce qu''un usager ?', false, false,
  NULL, NULL, false, 2000, NULL, NULL),
 (6, 'Connaissance et vision', 'def_implication', 'text',
  'Que signifie pour vous « l''implication des usagers » dans votre structure '
  'd''exercice coordonné ?', false, false,
  NULL, NULL, false, 2000, NULL, NULL),
 (7, 'Connaissance et vision', 'expected_impacts', 'text',
  'Quels impacts l''implication des usagers pourrait-elle avoir dans votre structure ?',
  false, false, NULL, NULL, false, 2000, NULL, NULL),
 -- C. Niveaux d'implication (§IV.A.2): information
 (8, 'Niveaux d''implication', 'info_content', 'multiple_choice',
  'Quels types d''informations diffusez-vous aux usagers ?', false, false,
  NULL, NULL, false, NULL, NULL, NULL),
 (9, 'Niveaux d''implication', 'info_formats', 'multiple_choice',
  'Sous quels formats informez-vous les usagers ?', false, false,
  NULL, NULL, false, NULL, NULL, NULL),
 (10, 'Niveaux d''implication', 'info_worked_by', 'multiple_choice',
  'Les supports d''information sont principalement travaillés par les '
  'professionnels de santé suivants :', true, false,
  NULL, NULL, false, NULL, NULL, NULL),
 (11, 'Niveaux d''implication', 'info_with_users', 'single_choice',
  'Avez-vous travaillé les supports et messages d''information avec les usagers ?',
  false, false, NULL, NULL, false, NULL, NULL, NULL),
 (12, 'Niveaux d''implication', 'info_with_users_how', 'text',
  'Comment avez-vous travaillé ces supports et messages avec les usagers ?', false, false,
  NULL, NULL, false, 2000, 'info_with_users', '{oui}'),
 -- consultation
 (13, 'Niveaux d''implication', 'consult_tools', 'single_choice',
  'Utilisez-vous des outils de recueil des attentes et/ou questionnements des usagers ?',
  false, false, NULL, NULL, false, NULL, NULL, NULL),
 (14, 'Niveaux d''implication', 'consult_formats', 'multiple_choice',
  'Sous quels formats recueillez-vous les attentes et/ou questionnements des usagers ?',
  false, false, NULL, NULL, false, NULL, 'consult_tools', '{oui}'),
 (15, 'Niveaux d''implication', 'consult_worked_by', 'multiple_choice',
  'Les outils de recueil des attentes et/ou questionnements des usagers sont '
  'principalement travaillés par les professionnels de santé suivants :', true, false,
  NULL, NULL, false, NULL, 'consult_tools', '{oui}'),
 (16, 'Niveaux d''implication', 'consult_with_users', 'single_choice',
  'Avez-vous travaillé ces outils avec les usagers ?', false, false,
  NULL, NULL, false, NULL, 'consult_tools', '{oui}'),
 (17, 'Niveaux d''implication', 'consult_with_users_how', 'text',
  'Comment avez-vous travaillé ces outils avec les usagers ?', false, false,
  NULL, NULL, false, 2000, 'consult_with_users', '{oui}'),
 -- collaboration
 (18, 'Niveaux d''implication', 'exchange_spaces', 'single_choice',
  'Mettez-vous en place des espaces d''échange et d''écoute de l''expérience usager ?',
  false, false, NULL, NULL, false, NULL, NULL, NULL),
 (19, 'Niveaux d''implication', 'exchange_spaces_topics', 'text',
  'Sur quoi portent ces espaces d''échange et d''écoute de l''expérience usager ?',
  false, false, NULL, NULL, false, 2000, 'exchange_spaces', '{oui}'),
 (20, 'Niveaux d''implication', 'exchange_spaces_worked_by', 'multiple_choice',
  'Les espaces d''échange et d''écoute de l''expérience usager sont principalement '
  'travaillés par les professionnels de santé suivants :', true, false,
  NULL, NULL, false, NULL, 'exchange_spaces', '{oui}'),
 (21, 'Niveaux d''implication', 'exchange_spaces_with_users', 'single_choice',
  'Avez-vous travaillé ces espaces d''échange et d''écoute avec les usagers ?',
  false, false, NULL, NULL, false, NULL, 'exchange_spaces', '{oui}'),
 (22, 'Niveaux d''implication', 'exchange_spaces_with_users_how', 'text',
  'Comment avez-vous travaillé ces espaces d''échange et d''écoute avec les usagers ?',
  false, false, NULL, NULL, false, 2000, 'exchange_spaces_with_users', '{oui}'),
 -- partenariat
 (23, 'Niveaux d''implication', 'coconstruct', 'single_choice',
  'Coconstruisez-vous des actions/projets avec les usagers dans votre équipe ?',
  false, false, NULL, NULL, false, NULL, NULL, NULL),
 (24, 'Niveaux d''implication', 'coconstruct_topics', 'text',
  'Quels actions/projets coconstruisez-vous avec les usagers, et sous quelle forme ?',
  false, false, NULL, NULL, false, 2000, 'coconstruct', '{oui}'),
 (25, 'Niveaux d''implication', 'coconstruct_with_profs', 'multiple_choice',
  'Les actions/projets coconstruits avec les usagers le sont principalement avec les '
  'professionnels de santé suivants :', true, false,
  NULL, NULL, false, NULL, 'coconstruct', '{oui}'),
 (26, 'Niveaux d''implication', 'governance_place', 'single_choice',
  'Avez-vous défini une place aux usagers dans la gouvernance de votre structure ?',
  false, false, NULL, NULL, false, NULL, NULL, NULL),
 (27, 'Niveaux d''implication', 'governance_how', 'single_choice',
  'Sous quelle forme les usagers ont-ils une place dans la gouvernance ?', false, false,
  NULL, NULL, false, NULL, 'governance_place', '{oui}'),
 -- D. Priorité et volonté d'implication (§IV.A.2)
 (28, 'Priorité et volonté d''implication', 'is_priority', 'boolean',
  'L''implication des usagers est-elle une priorité pour votre structure d''exercice '
  'coordonné ?', false, false, NULL, NULL, false, NULL, NULL, NULL),
 (29, 'Priorité et volonté d''implication', 'priority_reason', 'text',
  'Pourquoi l''implication des usagers est-elle, ou n''est-elle pas, une priorité ?',
  false, false, NULL, NULL, false, 2000, NULL, NULL),
 (30, 'Priorité et volonté d''implication', 'want_more', 'single_choice',
  'Envisagez-vous d''impliquer davantage les usagers au sein de votre structure ?',
  false, false, NULL, NULL, false, NULL, NULL, NULL),
 (31, 'Priorité et volonté d''implication', 'want_more_stage', 'single_choice',
  'À quel stade en êtes-vous de cette démarche ?', false, false,
  NULL, NULL, false, NULL, 'want_more', '{oui}'),
 (32, 'Priorité et volonté d''implication', 'want_more_no_reason', 'text',
  'Pour quelles raisons ne l''envisagez-vous pas ?', false, false,
  NULL, NULL, false, 2000, 'want_more', '{non}'),
 (33, 'Priorité et volonté d''implication', 'user_action_ideas', 'text',
  'Quelles actions les usagers pourraient-ils faire au sein de votre structure ?',
  false, false, NULL, NULL, false, 2000, NULL, NULL),
 -- E. Freins et leviers (§IV.A.3), guide, accompagnement, entretien (§III)
 (34, 'Freins et leviers', 'freins', 'text',
  'Quels freins rencontrez-vous dans la démarche d''implication des usagers ?',
  false, false, NULL, NULL, false, 2000, NULL, NULL),
 (35, 'Freins et leviers', 'leviers', 'text',
  'Quels leviers identifiez-vous ?', false, false,
  NULL, NULL, false, 2000, NULL, NULL),
 (36, 'Freins et leviers', 'knows_guide', 'boolean',
  'Avez-vous connaissance du guide à destination des équipes coordonnées '
  'pluriprofessionnelles pour l''implication des usagers en soins primaires '
  '(COPS-FAS-Fécop) ?', false, false, NULL, NULL, false, NULL, NULL, NULL),
 (37, 'Freins et leviers', 'wants_guide', 'boolean',
  'Souhaiteriez-vous recevoir ce guide ?', false, false,
  NULL, NULL, false, NULL, NULL, NULL),
 (38, 'Freins et leviers', 'wants_support', 'boolean',
  'Souhaiteriez-vous bénéficier d''un accompagnement pour développer l''implication '
  'des usagers dans votre projet d''équipe ?', false, false,
  NULL, NULL, false, NULL, NULL, NULL),
 (39, 'Freins et leviers', 'interview_volunteer', 'boolean',
  'Accepteriez-vous de participer à un entretien semi-directif ?', false, false,
  NULL, NULL, false, NULL, NULL, NULL);

-- Items first without their conditions (a condition names an item that
-- must exist), then the conditions.
INSERT INTO msp.instrument_item (instrument_id, item_key, position,
    section_fr, item_type, label_fr, label_verbatim, required, min_value,
    max_value, integer_only, max_length)
SELECT i.instrument_id, p.item_key, p.position, p.section_fr, p.item_type,
       p.label_fr, p.label_verbatim, p.required, p.min_value, p.max_value,
       p.integer_only, p.max_length
  FROM occ_item p, msp.instrument i
 WHERE i.slug = 'occitanie-2024' AND i.version = 1;

UPDATE msp.instrument_item it
   SET show_if_item = p.show_if_item, show_if_values = p.show_if_values
  FROM occ_item p, msp.instrument i
 WHERE i.slug = 'occitanie-2024' AND i.version = 1
   AND it.instrument_id = i.instrument_id AND it.item_key = p.item_key
   AND p.show_if_item IS NOT NULL;

-- The four "worked by" items share one list of professions, which the
-- report does not publish: the categories of msp.prof_category.
INSERT INTO msp.item_option (instrument_id, item_key, code, position, label_fr)
SELECT i.instrument_id, o.item_key, o.code, o.position, o.label_fr
  FROM (VALUES
    ('structure_type', 'esp', 1, 'ESP (équipe de soins primaires)'),
    ('structure_type', 'msp', 2, 'MSP (maison de santé pluriprofessionnelle)'),
    ('info_content', 'fonctionnement_horaires', 1,
     'Fonctionnement de la structure, horaires'),
    ('info_content', 'sante_publique_prevention', 2,
     'Actions de santé publique, campagnes de prévention'),
    ('info_content', 'autre', 3, 'Autre'),
    ('info_formats', 'affiches', 1, 'Affiches'),
    ('info_formats', 'flyers', 2, 'Flyers'),
    ('info_formats', 'site_internet', 3, 'Site internet'),
    ('info_formats', 'autre', 4, 'Autre'),
    ('info_with_users', 'oui', 1, 'Oui'),
    ('info_with_users', 'non', 2, 'Non'),
    ('consult_tools', 'oui', 1, 'Oui'),
    ('consult_tools', 'non', 2, 'Non'),
    ('consult_formats', 'questionnaire_satisfaction', 1,
     'Questionnaires / enquêtes de satisfaction (numérique ou papier)'),
    ('consult_formats', 'boite_a_idees', 2, 'Boîte à idées'),
    ('consult_formats', 'autre', 3, 'Autre'),
    ('consult_with_users', 'oui', 1, 'Oui'),
    ('consult_with_users', 'non', 2, 'Non'),
    ('exchange_spaces', 'oui', 1, 'Oui'),
    ('exchange_spaces', 'non', 2, 'Non'),
    ('exchange_spaces_with_users', 'oui', 1, 'Oui'),
    ('exchange_spaces_with_users', 'non', 2, 'Non'),
    ('coconstruct', 'oui', 1, 'Oui'),
    ('coconstruct', 'non', 2, 'Non'),
    ('governance_place', 'oui', 1, 'Oui'),
    ('governance_place', 'non', 2, 'Non'),
    ('governance_how', 'association', 1, 'Dans l''association'),
    ('governance_how', 'comite_usagers', 2, 'Par un comité des usagers'),
    ('governance_how', 'autre', 3, 'Autre'),
    ('want_more', 'oui', 1, 'Oui'),
    ('want_more', 'non', 2, 'Non'),
    ('want_more_stage', 'reflexion', 1,
     'Au stade de réflexion sur la façon de s''investir dans la démarche'),
    ('want_more_stage', 'autre', 2, 'Autre'))
       AS o (item_key, code, position, label_fr),
       msp.instrument i
 WHERE i.slug = 'occitanie-2024' AND i.version = 1
UNION ALL
SELECT i.instrument_id, w.item_key, p.code, p.position, p.label_fr
  FROM (VALUES ('info_worked_by'), ('consult_worked_by'),
               ('exchange_spaces_worked_by'), ('coconstruct_with_profs'))
       AS w (item_key),
       (VALUES
    ('mg', 1, 'Médecin généraliste'),
    ('ide', 2, 'Infirmier'),
    ('sage_femme', 3, 'Sage-femme'),
    ('kine', 4, 'Masseur-kinésithérapeute'),
    ('dentiste', 5, 'Chirurgien-dentiste'),
    ('pharmacien', 6, 'Pharmacien'),
    ('paramedical', 7, 'Autre paramédical'),
    ('specialiste', 8, 'Médecin spécialiste'))
       AS p (code, position, label_fr),
       msp.instrument i
 WHERE i.slug = 'occitanie-2024' AND i.version = 1;
