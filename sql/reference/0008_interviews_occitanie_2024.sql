-- Occitanie 2024: the qualitative phase -- codebook, crosswalk onto the
-- HAS framework, the 13 interviews and their coded segments.
--
-- Source: Fécop, « L'implication des usagers en soins primaires dans les
-- ESP / MSP d'Occitanie », rapport d'enquête, août 2024: §III (method),
-- §IV.B (results of the interviews), §V.D-E (the freins and leviers
-- tables, with the HAS categories).  Reconstruction: the report gives no
-- transcript, only the codes it attributes to numbered participants and
-- short quotes; docs/instruments.md, §2.6, lists them.  What was chosen,
-- and why:
--
-- * Codes.  Where the §V.D / §V.E tables name a participants' category,
--   that category is the code, and the crosswalk is the tables' (as in
--   /work/shared/DOMAIN.md): f_temps_priorite -> H-F1,
--   f_moyens_financiers_humains -> H-F2, f_posture_usagers -> H-F3,
--   f_posture_professionnels -> H-F4, f_connaissance_partenariat -> H-F5,
--   f_facteurs_environnementaux -> H-F6; l_formation -> H-L1,
--   l_partage_experience -> H-L2, l_structures_accompagnement -> H-L2,
--   l_outils -> H-L3, l_incitation_financiere -> H-L4, l_mediateurs ->
--   H-L5 (« mobilisation de professionnels non soignants », in the text
--   after the §V.E table).  theme_fr of a frein is its family in §IV.B.5.D
--   (« freins humains - structurels/organisationnels - financiers -
--   environnementaux »).
-- * §IV.B attributes each frein to participants with finer labels; a
--   participant's quote is coded with the §V.D category that holds it:
--   P1's « manque d'éducation » commun and P2's « représentation limitée
--   vis-à-vis des usagers » -> f_connaissance_partenariat (§V.D puts both
--   quotes there; for P2 the §IV.B label would rather suggest the users'
--   posture: docs/instruments.md, Inconsistencies, Occitanie 7 -- we
--   follow the table); P3, P4 « manque d'intérêt des professionnels » ->
--   f_posture_professionnels; P5, P9 « bureau des plaintes » ->
--   f_posture_usagers; P5, P8, P10, P13 « manque de temps, une difficulté
--   de priorisation » -> f_temps_priorite; P1 « niveau financier » ->
--   f_moyens_financiers_humains; P1, P3, P7 « l'environnement » ->
--   f_facteurs_environnementaux.
-- * Two §IV.B freins are not placed in the §V.D table: « la crainte de
--   recevoir des avis négatifs » (P1, P11) and « crainte de remise en
--   cause de leur pratique » (P3, P9).  They are codes of their own, in
--   the human family, with no crosswalk row: the report maps them to no
--   HAS category and we do not invent one.
-- * Leviers: formation P1, P2, P3, P10, P12; médiateurs P1, P2; outils
--   P2 (HAS maturity matrix), P7 (Santé BD); partage d'expérience: P2
--   (§V.E table) and the « leviers humains » of §IV.B.5.E, P9 and P10
--   (the paragraph names « l'importance des partages d'expériences
--   d'autres équipes »); structures d'accompagnement P2; incitations
--   financières (ACI) P13 (§V.E only).
-- * « Structures qui peuvent accompagner les équipes »: its HAS cell is
--   empty in the seed (probably a merged cell; Inconsistency 9); we follow
--   DOMAIN.md: H-L2.
-- * The « Le partenariat COPS et Fécop a permis ... » quote is P1's in
--   §IV.B.7 but P2's in the §V.E table and §V.F (Inconsistency 5).  We
--   follow P2: two places of three, and P2 is the participant who says
--   « C'est la formation du COPS qui nous a aidé ».  So H-L2 counts P2,
--   P9, P10 (P1 would make it 4).
-- * The quote after « pour le participant 3, 4 » (« Alors, nous, on
--   rencontre depuis le début un grand souci. ... ») names no participant
--   (Inconsistency 11): not stored.
-- * Resource needs (§IV.B.5.F): partages d'expérience P2, acculturation
--   P3, outils / actions concrètes P4 and P5, langage facile à lire P7,
--   communication P11, témoignage d'un représentant des usagers P13.  The
--   last three have no category name in the report: the labels are ours.
--   Resource needs and maturity have no HAS category (none exists).
-- * Maturity: msp.interview.stage, and the m_* segment, is the level
--   under which §IV.B.5.A files the participant's example: information P5,
--   P8; consultation P1, P4, P11; collaboration P6, P13; partenariat P2,
--   P3, P9, P10, P12.  P7 gives no example: stage NULL.  The report does
--   not publish each team's own stage; this is the example's.
-- * Quotes.  One segment per (participant, code) the report attributes,
--   quoted from the passage where it makes that attribution: §IV.B for
--   the interview codes, §V.E where the attribution exists only there.
--   So where a quote is printed twice with different wording
--   (Inconsistency 8) we keep P1 « avec l'utilisateur, le patient »
--   (§IV.B.5.D; §V.D has « avec l'usager »), P3 « soi., on s'est formé »
--   (§IV.B.5.E; §V.E « soi, on s'est formés »), P7 « Donc il y a Santé
--   BD » (§V.E « Donc il y Santé BD »); P2's « le partage d'expériences
--   sont des outils dont on peut s'inspirer. » is the §V.E levier and
--   « Les partages d'expérience sont des outils que l'on peut
--   s'inspirer » the §IV.B.5.F resource need.  Quotes keep the report's
--   typos and cuts (« [...] », « (..) »); the guillemets around them, the
--   italics markers and a leading « : » (P8) are dropped, and the two
--   that cross a page break of the seed (P7's resource need, P13's
--   example) are joined with one space.  The satisfaction-survey sentence
--   printed for both P8 (§IV.B.4.B) and P11 (§IV.B.5.A, Inconsistency 6)
--   is stored once, as P11's consultation example.
-- * Not coded: motivations, perception, user profiles, user feedback,
--   perspectives and peer advice (§IV.B.4, 5.B-C, 6, 7): not freins,
--   leviers, resource needs or maturity.
-- * Interviews: « entretiens (au nombre de 13) », participant_no 1-13.
--   consent_recorded: « enregistrés avec l'accord des participants »;
--   transcript_anonymised: « retranscrits tout en respectant leur
--   anonymat ».  recording_deleted_on: « Les enregistrements ont été
--   effacés » by the report (August 2024), day not published: we chose
--   2024-07-31, the eve of the report's month, so that it precedes the
--   report whatever its day.  interviewed_on and duration_min: not
--   published (after the questionnaire closed on 10 May 2024), NULL.
--   profession: only P10's is stated (« C'est moi le coordinateur [...]
--   je ne suis pas professionnel de santé »); the others are NULL although
--   profession was a selection criterion.  structure_id: NULL.  The
--   interviewees were volunteers from the questionnaire, but the report
--   does not say which responses were theirs; linking them to r01-r77
--   would invent it (and a team's answers need not match the level of the
--   example it gave).

INSERT INTO msp.study_code (study_id, code, kind, theme_fr, label_fr,
    label_en)
SELECT s.study_id, c.code, c.kind::msp.code_kind, c.theme_fr, c.label_fr,
       c.label_en
  FROM (VALUES
    ('f_temps_priorite', 'frein', 'Freins structurels/organisationnels',
     'Manque de temps, pas une priorité pour l''équipe',
     'Lack of time, not a priority for the team'),
    ('f_moyens_financiers_humains', 'frein', 'Freins financiers',
     'Manque de moyens financiers et humains',
     'Lack of financial and human means'),
    ('f_posture_usagers', 'frein', 'Freins humains',
     'Représentation/posture des usagers',
     'Representation/posture of users'),
    ('f_posture_professionnels', 'frein', 'Freins humains',
     'Représentation/posture des professionnels de santé',
     'Representation/posture of health professionals'),
    ('f_connaissance_partenariat', 'frein', 'Freins humains',
     'Manque de connaissances/sensibilisation au Partenariat en Santé',
     'Lack of knowledge/awareness of partnership in health'),
    ('f_facteurs_environnementaux', 'frein', 'Freins environnementaux',
     'Facteurs humains/environnementaux',
     'Human/environmental factors'),
    ('f_crainte_avis_negatifs', 'frein', 'Freins humains',
     'Crainte de recevoir des avis négatifs et une mauvaise interprétation '
     'd''un avis apporté par les usagers',
     'Fear of negative feedback from users'),
    ('f_crainte_remise_en_cause', 'frein', 'Freins humains',
     'Crainte de remise en cause de leur pratique lors de l''implication '
     'des usagers',
     'Fear of one''s practice being questioned'),
    ('l_formation', 'levier', 'Formation',
     'Formation au Partenariat en Santé, promotion/acculturation au '
     'Partenariat en Santé',
     'Training in / acculturation to partnership in health'),
    ('l_partage_experience', 'levier', 'Leviers humains',
     'Partage d''expérience d''autres équipes',
     'Sharing experience with other teams'),
    ('l_structures_accompagnement', 'levier', 'Accompagnement',
     'Structures qui peuvent accompagner les équipes',
     'Structures that can support teams'),
    ('l_outils', 'levier', 'Outils', 'Création/présence d''outils',
     'Creating/having tools'),
    ('l_incitation_financiere', 'levier', 'Financement',
     'Incitations financières', 'Financial incentives (ACI)'),
    ('l_mediateurs', 'levier', 'Ressources humaines',
     'Médiateurs en santé', 'Health mediators'),
    ('b_partage_experience', 'resource_need', 'Besoins de ressources',
     'Des partages d''expérience', 'Experience sharing'),
    ('b_acculturation', 'resource_need', 'Besoins de ressources',
     'Propagation de l''acculturation', 'Spreading acculturation'),
    ('b_outils_actions_concretes', 'resource_need', 'Besoins de ressources',
     'Des outils, des projets d''actions concrètes à déployer, pour gagner '
     'du temps', 'Ready-made tools and concrete actions'),
    ('b_langage_facile', 'resource_need', 'Besoins de ressources',
     'Un langage facile à lire et à comprendre', 'Easy-to-read language'),
    ('b_communication', 'resource_need', 'Besoins de ressources',
     'Adapter la communication', 'Adapting communication'),
    ('b_temoignage_ru', 'resource_need', 'Besoins de ressources',
     'Témoignage d''un représentant des usagers d''une autre structure',
     'Testimony of another team''s user representative'),
    ('m_information', 'maturity', 'Continuum du Partenariat en Santé',
     'Exemple au stade information', 'Example at the information stage'),
    ('m_consultation', 'maturity', 'Continuum du Partenariat en Santé',
     'Exemple au stade consultation', 'Example at the consultation stage'),
    ('m_collaboration', 'maturity', 'Continuum du Partenariat en Santé',
     'Exemple au stade collaboration', 'Example at the collaboration stage'),
    ('m_partenariat', 'maturity', 'Continuum du Partenariat en Santé',
     'Exemple au stade partenariat', 'Example at the partnership stage'))
       AS c (code, kind, theme_fr, label_fr, label_en),
       msp.study s
 WHERE s.slug = 'occitanie-2024';

-- §V.D and §V.E, participants' category -> HAS; codes absent here map
-- to no HAS category
INSERT INTO msp.crosswalk (study_id, code, kind, has_code)
SELECT c.study_id, c.code, c.kind, x.has_code
  FROM (VALUES ('f_temps_priorite', 'H-F1'),
               ('f_moyens_financiers_humains', 'H-F2'),
               ('f_posture_usagers', 'H-F3'),
               ('f_posture_professionnels', 'H-F4'),
               ('f_connaissance_partenariat', 'H-F5'),
               ('f_facteurs_environnementaux', 'H-F6'),
               ('l_formation', 'H-L1'),
               ('l_partage_experience', 'H-L2'),
               ('l_structures_accompagnement', 'H-L2'),
               ('l_outils', 'H-L3'),
               ('l_incitation_financiere', 'H-L4'),
               ('l_mediateurs', 'H-L5')) AS x (code, has_code)
  JOIN msp.study_code c USING (code)
  JOIN msp.study s USING (study_id)
 WHERE s.slug = 'occitanie-2024';

INSERT INTO msp.interview (study_id, participant_no, structure_id,
    profession, stage, interviewed_on, duration_min, consent_recorded,
    recording_deleted_on, transcript_anonymised)
SELECT s.study_id, i.no, NULL, i.profession, i.stage, NULL, NULL, true,
       DATE '2024-07-31', true
  FROM (VALUES (1, NULL, 'consultation'), (2, NULL, 'partenariat'),
               (3, NULL, 'partenariat'), (4, NULL, 'consultation'),
               (5, NULL, 'information'), (6, NULL, 'collaboration'),
               (7, NULL, NULL), (8, NULL, 'information'),
               (9, NULL, 'partenariat'),
               (10, 'coordinateur (non professionnel de santé)',
                'partenariat'),
               (11, NULL, 'consultation'), (12, NULL, 'partenariat'),
               (13, NULL, 'collaboration'))
       AS i (no, profession, stage),
       msp.study s
 WHERE s.slug = 'occitanie-2024'
 ORDER BY i.no;

CREATE TEMPORARY TABLE occ_segment (participant_no int, code text,
    verbatim_fr text) ON COMMIT DROP;

INSERT INTO occ_segment VALUES
    (1, 'f_connaissance_partenariat',
     'C''est une éducation commune, parce qu''il faut que les professionnels soient en capacité de faire alliance avec l''utilisateur, le patient. Parce que, et nous, et les usagers, on est un peu dans l''ignorance des possibilités'),
    (2, 'f_connaissance_partenariat',
     'La difficulté était d''aller au-delà de la représentation que nous avons de nos patients'),
    (3, 'f_posture_professionnels',
     'En fait, on est dans une transition de changement de posture des soignants, mais qui n''est pas encore acquise. Pour beaucoup, le professionnel de santé reste celui qui sait, et puis le patient, il fait ce que le professionnel lui dit'),
    (4, 'f_posture_professionnels',
     'par rapport à la charge de travail qu''ils estiment avoir, ils ne souhaitent pas s''investir là-dedans'),
    (1, 'f_crainte_avis_negatifs',
     'Quand j''ai dit ça à mes associés, il y en a qui se sont vexés. Parce que comment ça se fait avec tout ce qu''on fait pour eux'),
    (11, 'f_crainte_avis_negatifs',
     'ils ne souhaitent pas mettre en place le site Facebook. Parce que sur Facebook, on peut critiquer et ils ont peur'),
    (5, 'f_posture_usagers',
     'Ce qui remonte de l''équipe aussi, c''est de se dire comment on peut les impliquer sans que ça devienne en gros le bureau des pleurs. Et on se demande comment on peut construire un partenariat qui soit constructif et pas un bureau des plaintes'),
    (9, 'f_posture_usagers',
     'On a un exemple des usagers qui sont toujours dans la revendication, dans la critique négative, et pas dans la construction ce qui rend les professionnels de santé réfractaires'),
    (3, 'f_crainte_remise_en_cause',
     'Parce que je pense que ça leur fait peur aussi, les patients partenaires, parce qu''ils peuvent remettre en cause les pratiques des professionnels'),
    (9, 'f_crainte_remise_en_cause',
     'On n''a pas envie d''être espionnés. C''est la phrase qui revenait toujours au début, pourquoi ils viendraient nous espionner dans nos réunions, ça nous appartient. Ils n''étaient pas prêts à partager.'),
    (5, 'f_temps_priorite',
     'Nous, en tant que professionnels de santé, dans nos études, tout ça, oui, il y a des patients dans leur prise en charge, tout ça, mais il n''y a pas un accent important qui est mis sur ce côté-là. Et du coup, c''est vrai que l''implication des usagers, ça vient après. Et donc, comme il nous reste très peu de temps, on sait que c''est important, Mais comme on n''est pas aussi à l''aise sur ce sujet'),
    (8, 'f_temps_priorite',
     'Alors, des difficultés, c''est le temps. C''est toujours pareil c''est-à-dire trouver le temps de s''attarder sur tel ou tel projet, parce que, quel que soit la mission à suivre, c''est toujours assez épique parce que ce sont des professionnels de santé qui sont en activité et qui ont malheureusement très peu de temps à consacrer à d''autres choses. Donc, le temps, c''est vraiment le frein qui apparaît'),
    (10, 'f_temps_priorite',
     'Donc, quand tu commences, la priorité n''est pas évaluée, parce qu''on est un peu dans le jus. Il faut régler ce problème'),
    (13, 'f_temps_priorite',
     'Manque de temps et d''énergie, parfois, pour réinvestir tout ça'),
    (1, 'f_moyens_financiers_humains',
     'C''est que beaucoup de choses se font sur le bénévolat, le temps libre, des situations où les professionnels ne sont pas rémunérés pour ces choses-là, et soit tu le fais au détriment de ta vie privée ou de ta vie professionnelle, et ça, tu ne peux pas exiger dans une équipe coordonnée pluriprofessionnelle, d''avoir des gens qui passent leur vie à faire du bénévolat dans l''intérêt général.'),
    (1, 'f_facteurs_environnementaux',
     'C''est le fait que quand tu t''aperçois que beaucoup de gens ne comprennent pas nos organisations, soit ils ne viennent pas en disant « ce n''est pas pour moi » [...] soit ils évitent de se confronter à quelque chose qu''ils ne comprennent pas, soit ça les rend agressifs'),
    (3, 'f_facteurs_environnementaux',
     'Nous, les professionnels de santé, si on n''est pas vigilant, on utilise un vocabulaire que les gens ne saisissent pas, en fait, qui plus est, nous, dans le quartier, on a quand même beaucoup de gens en analphabètes qui ne sont jamais allés à l''école. Donc, il y a aussi beaucoup de difficultés d''abstraction liées à cet analphabétisme.'),
    (7, 'f_facteurs_environnementaux',
     'On est dans un contexte sur le secteur sur lequel je travaille qui est très compliqué. (..) on cumule un manque de médecins et la présence d''une population importante et précaire et âgée (..). Et donc, à chaque fois qu''on a des patients qui se retrouvent avec ces départs-là, on a des gens qui sont très en colère et qui ont tendance à diriger leur agressivité sur les professionnels de santé. On se rend compte qu''on a des difficultés à communiquer.'),
    (1, 'l_formation',
     'C''est d''intégrer l''information et la formation de ce qu''est le système de santé. C''est la formation initiale, ça passe par l''éducation, l''information, la formation aussi bien des citoyens. Mais l''idée, c''est qu''on est quand même dans une démocratie. Mais il y a des axes très simples, c''est faire de l''information au sein des MSP, former les professionnels des MSP au partenariat avec les usagers'),
    (2, 'l_formation',
     'C''est la formation du COPS qui nous a aidé. Oui cela était très pertinent de voir, car grâce à la formation cela nous a aidé à percevoir les patients d''une autre façon.'),
    (3, 'l_formation',
     'Alors, c''est délicat, parce que ça demande de se former, d''avoir une bonne connaissance de soi., on s''est formé au DU ETP, DU Partenariat Patient Soignant, on s''est formé en équipe'),
    (10, 'l_formation',
     'Nous sommes une maison de santé plus professionnelle universitaire. Donc, on a des enseignants en médecine de la fac au sein de l''équipe. Ils sont très à l''aise avec tout ce qui est formation, animation, et avec l''éducation thérapeutique. [...] Je pense aussi que ça nous a vraiment aidé pour mettre en place tout ça.'),
    (12, 'l_formation',
     'Je leur ai proposé de faire des formations sur les inégalités sociales en santé. [...] Parce qu''il y a un programme d''accueil de demandeurs d''asile dans le village, et qu''ils se sont retrouvés en difficulté parce qu''il n''y avait pas d''interprétariat'),
    (1, 'l_mediateurs',
     'Avoir des gens qui sont les médiateurs en santé'),
    (2, 'l_mediateurs',
     'Dans notre territoire c''est essentiel d''avoir une médiatrice en santé, car nous avons des patients éloignés du soin'),
    (2, 'l_outils',
     'Nous avons utilisé la matrice de maturité de la HAS qui a mis évidence un manque dans la communication'),
    (7, 'l_outils',
     'Donc il y a Santé BD qui propose des outils visuels et t''as tout un tas de documents justement en langage facile à lire et à comprendre'),
    (2, 'l_partage_experience',
     'le partage d''expériences sont des outils dont on peut s''inspirer.'),
    (9, 'l_partage_experience',
     'Ceux qu''ils vivent, je l''ai vécu, mais en décalé. Et j''ai appris à la connaître, j''ai appris à travailler avec elle et j''ai apprécié de travailler avec elle. Et donc, j''ai déjà fait mon cheminement, moi. J''ai déjà fait ma mise en apprentissage du partenariat avec les usagers.'),
    (10, 'l_partage_experience',
     'Le levier, c''est en fait d''avoir une personne de ressource dans sa patientèle qui peut faire ce lien'),
    (2, 'l_structures_accompagnement',
     'Le partenariat COPS et Fécop a permis de nous faire réaliser que nous étions déjà sur la bonne voie pour l''implication des usagers et ils ont mis en avant ce qu''il nous manquait pour aller de l''avant donc la formation était très importante, et le fait de pouvoir s''appuyer sur l''association d''usagers'),
    (13, 'l_incitation_financiere',
     'Avec le changement de rémunération de l''ACI sur le sujet, ça m''a un peu plus motivée à pousser la démarche .. J''ai été un peu plus à l''aise avec le sujet'),
    (2, 'b_partage_experience',
     'Les partages d''expérience sont des outils que l''on peut s''inspirer'),
    (3, 'b_acculturation',
     'Mais l''idée, c''est vraiment d''aller convaincre les professionnels qui ont le plus de difficultés à adhérer à ce genre de choses'),
    (4, 'b_outils_actions_concretes',
     'En clair, c''est de me donner les outils nécessaires. Sincèrement, je n''ai pas le temps [...] d''aller faire des recherches par moi-même. Ce n''est pas possible. Donc, si on me donne bêtement, on peut faire ça, ça et ça, je peux le proposer et voir ce qui colle avec ma motivation. En clair, ça serait d''avoir des outils pour reproposez à l''équipe'),
    (5, 'b_outils_actions_concretes',
     'C''est vrai que ça serait bien qu''on ait des outils de dire, on peut impliquer l''utilisateur de telle façon, de telle façon, de telle façon. Et que ça soit un peu précis, pas juste global. Pour tel type d''action, c''est mieux, c''est plus pertinent de faire tel niveau d''implication. [...] pour que ça soit plus facile, plus rapide. D''avoir quelqu''un qui fasse un peu de santé publique. [...] mais quelqu''un qui vienne un peu dans les maisons de santé à leurs demandes pour faire une sorte, pas d''audit, mais de dire, voilà, là, vous avez ça, vous pourriez faire ça, en lien avec les coordonnatrices et quelques professionnels de santé, en balayant le projet de santé, en disant, voilà, là, vous pourriez impliquer l''utilisateur de telle façon, là, de telle façon.'),
    (7, 'b_langage_facile',
     'Il y a la promotion dans le champ social d''un langage facile à lire et à comprendre. C''est-à-dire que pour toutes les administrations et les acteurs du champ social, pour que les personnes aient accès à leurs droits, il faut que les documents d''information ne soient pas rédigés dans un français parfait qui fait plaisir à Victor Hugo, mais qu''on utilise un langage facile à lire et à comprendre. Donc des phrases avec des mots simples.'),
    (11, 'b_communication',
     'Peut-être comment adapter cette communication. Ce n''est pas seulement se servir des flyers qui sont transmis par les organismes qui l''organisent, mais comment organiser cette communication, qu''elle soit efficace et adaptée, j''ai besoin d''outils, à savoir comment intégrer ces associations qui soient France Assos Santé ou autre'),
    (13, 'b_temoignage_ru',
     'Ce serait peut-être qu''un représentant des usagers d''une autre structure qui s''investit fortement et qui pourrait venir témoigner de ses actions. Pour nous, professionnels de santé, pour qu''on soit un peu plus au courant et pour les usagers, pour les représentants des usagers de notre structure, pour qu''ils sachent à peu près quel est leur champ d''action potentiel.'),
    (5, 'm_information',
     'c''est le journal du village où j''exerce, [...] ils font un petit journal deux fois par an. Et donc, l''année dernière, on a fait un article sur deux pages où était bien expliqué le fonctionnement de la maison de santé. Donc, quels professionnels intervenaient, quels étaient les horaires, les projets aussi qu''il y avait. [...] Le fait qu''il y ait des permanences le samedi matin, que nous sommes sur un territoire de garde et qu''ils pouvaient avoir accès à un médecin le week-end. Voilà, on a essayé de balayer un peu large. [...] Et après, voilà, ça a été envoyé à la mairie pour publication.'),
    (8, 'm_information',
     'Ça ressemble énormément à WhatsApp. C''est le même principe. C''est un logiciel qui a été installé [...] pour ceux qui sont connectés, bien entendu. Il y a une condition. Il faut avoir adhéré à l''application « Illiwap » [...] et ça permet d''avoir l''information quasi instantanée etc. Parce qu''en fait, ça sert à tout et n''importe quoi, on va dire. Ce n''est pas propre uniquement à la maison de santé. Ce sont les mairies qui gèrent la publication, voilà. On transmet des textes, des contenus'),
    (4, 'm_consultation',
     'Alors, par rapport aux ressentis, etc., et le lien nous, ce qu''on a fait, c''est qu''on a mis en place un questionnaire, par rapport à la maison de santé. C''était basé, en fait, sur l''accessibilité. Donc, l''accessibilité de la maison de santé.'),
    (1, 'm_consultation',
     'On a travaillé, moi j''ai été sollicité pour participer un peu au process, et là l''idée c''est d''avoir des retours de « qu''est-ce que fait le prof d''APA ? Comment ça se passe ? Qu''est-ce que les gens sont contents ? » Et petit à petit, ce groupe d''une douzaine de personnes s''est transformé en collectif qui commence à faire des propositions sur l''organisation'),
    (11, 'm_consultation',
     'On a fait une enquête de satisfaction, dans laquelle on a mis, est-ce que vous pouvez nous préciser par quelle action en santé vous êtes intéressé, quels sont vos besoins par rapport à toutes les maladies chroniques.'),
    (13, 'm_collaboration',
     'On a sollicité quelques patients dont on pensait qu''ils pourraient accepter. Quatre d''entre eux ont accepté. Et un des moteurs majeurs, ça a été de dire, tiens, si on discute avec les usagers et qu''eux sont un lien, avec les représentants des usagers dans la commission, sont un lien avec tous les usagers, ça pourra permettre d''apaiser certaines tensions ou de faire comprendre pourquoi tel médecin est de garde telle journée et pas le médecin traitant forcément. Les premières missions de la commission des usagers, ça a été de faire un questionnaire de satisfaction auprès des usagers de la maison de santé, ça a été d''éditer une gazette tous les trimestres qui permettait de retrouver les actions de la maison de santé'),
    (6, 'm_collaboration',
     'Ce qui est important, ce sont les besoins d''aujourd''hui ne sont pas ceux d''hier ni de demain. [...] Donc, c''est vraiment une collaboration où il y a des échanges et on est au même niveau. Et j''apprends toujours, voilà. J''apprends toujours. Et acteur de sa santé, c''est lui donner aussi la possibilité de prendre en charge sa santé.'),
    (3, 'm_partenariat',
     'On a monté une équipe pluriprofessionnelle pour animer ce programme d''éducation thérapeutique qui était orienté particulièrement sur les patients avec un diabète de type 2 (..) c''est un programme qui a à la fois une approche individuelle et collective. Elle a un diabète de type 1 et elle a les connaissances. Et elle disait, mais moi, ce qui m''intéresse, c''est de soutenir les gens. Et puis, elle a participé déjà à un atelier et elle était formidable en relai, parce que sa parole est écoutée, elle a une expression, elle parle l''arabe aussi, on a beaucoup de gens qui parlent l''arabe et on n''a pas forcément de traduction [...] elle coanimait avec le docteur'),
    (10, 'm_partenariat',
     'On a eu la chance qu''on soit tombé sur une dame qui était formée par, comment ça s''appelle, par partenariat en santé. En discutant avec elle, on a mis en place des actions vraiment concrètes. En fait, c''était un médecin généraliste qui avait dans sa patientèle une patiente experte et qui était déjà formée à l''éducation thérapeutique, très impliquée en contact avec partenariat en santé. Elle a réussi à recruter d''autres patients, d''autres utilisateurs On a maintenant un groupe d''utilisateurs qui se rencontre sans présence de professionnels. Donc, ils sont en autonomie. On leur prête notre salle de réunion. Ils nous ont dit qu''ils avaient très envie de travailler sur l''accueil, au niveau du sens large, donc comment ils sont reçus dans notre MSP, la prise. Donc, il y a maintenant un groupe de réflexion'),
    (2, 'm_partenariat',
     'Nous avons eu des retours et identifié que les usagers de la MSP avaient des difficultés d''observance médicamenteuse liées à une mauvaise compréhension lors des consultations avec les professionnels, donc nous avons décidé de recruter des usagers ayant travaillé dans la communication [...] L''avenant de notre projet de santé, permet à nos patients de participer à nos groupes de travail et intégrer le comité de gestion du projet de santé. Nous avons une volonté à ce que notre projet de santé soit souple / adapté aux patients. C''est pour cela que nous souhaitons les intégrer.'),
    (9, 'm_partenariat',
     'Une des deux représentantes des usagers s''est proposée pour nous aider à une période de vaccination, juste une candidature spontanée, et donc elle est venue faire les QR codes quand les gens étaient vaccinés. Donc, on a appris à la connaître puisqu''on vaccinait deux jours par semaine. Donc, elle a rencontré les infirmiers et le lien s''est fait progressivement. Donc, on s''est investi, on a construit le programme ensemble.'),
    (12, 'm_partenariat',
     'Une sophrologue qui a travaillé dans la maison de santé et qui a été soignée par les professionnels de la maison de santé [...] autour d''elle, s''est fait ce réseau informel et elle a dit à l''équipe, en fait, il y a un sujet autour du cancer. Et du coup, elle est venue me voir, elle m''a dit, j''aimerais bien faire ça, j''aimerais bien faire un projet pour parler du cancer [...] je lui ai dit, en fait, ça doit être un projet. Et la psychologue a compris le projet et elle lui a dit, je veux bien expérimenter avec toi de faire d''autres groupes. En fait, du coup, ce qui a été compliqué, c''était de dire qu''il y a un aspect psychosocial dans le cancer, et ça, ça ne peut pas être traité en consultation. Il y a. Mais en fait, il y a un rôle d''animation de la patiente experte dans le groupe');

INSERT INTO msp.segment (interview_id, study_id, code, verbatim_fr)
SELECT i.interview_id, i.study_id, g.code, g.verbatim_fr
  FROM occ_segment g
  JOIN msp.interview i USING (participant_no)
  JOIN msp.study s ON s.study_id = i.study_id
 WHERE s.slug = 'occitanie-2024'
 ORDER BY g.participant_no, g.code;
