-- The guide and the support a team can turn to, printed at the end of
-- its feedback page (/restitution, fcgi/restitution.c; migration 0043).
-- Every sentence restates what the two source documents say (Fécop,
-- L'implication des usagers en soins primaires dans les ESP / MSP
-- d'Occitanie, 2024, §II, §IV.B, §V.D-F; the HAS 2023 guide as that
-- report quotes it); nothing here is a figure: the page computes its
-- figures from the data.  Rows whose stage is the team's come first.
INSERT INTO msp.restitution_resource
    (resource_key, position, stage, title_fr, body_fr, source_fr) VALUES
 ('guide_cops_fas_fecop', 1, NULL,
  'Le guide pour l''implication des usagers en soins primaires',
  'Rédigé par Fécop avec France Assos Santé Occitanie et le Centre '
  'Opérationnel du Partenariat en Santé (COPS), il présente le continuum '
  'du Partenariat en Santé (information, consultation, collaboration, '
  'partenariat), les intérêts d''un engagement réciproque entre usagers '
  'et équipes, et des exemples d''actions à chaque étape. Il peut être '
  'demandé à votre fédération régionale.',
  'Guide à destination des équipes coordonnées pluriprofessionnelles pour '
  'l''implication des usagers en soins primaires, Fécop, COPS, FAS '
  'Occitanie, 2023'),
 ('guide_has', 2, NULL,
  'Le guide de la Haute Autorité de Santé',
  'La HAS nomme les freins que les équipes rencontrent (temps, '
  'financement, posture des usagers et des professionnels, connaissance '
  'du partenariat, communication) et les leviers qui les lèvent : '
  'formation conjointe des professionnels et des usagers, facilitateurs '
  'de l''engagement, outils, soutiens financiers, professionnels non '
  'soignants comme les médiateurs en santé. Sa matrice de maturité aide '
  'une équipe à situer sa démarche.',
  'HAS, L''engagement des usagers dans les maisons, centres et '
  'territoires de santé, 2023'),
 ('federation_support', 3, NULL,
  'L''accompagnement de votre fédération',
  'Les fédérations régionales des équipes coordonnées accompagnent les '
  'équipes qui veulent impliquer davantage les usagers : formation au '
  'Partenariat en Santé, partage d''expérience entre équipes, mise en '
  'relation avec des associations d''usagers. La plupart des équipes '
  'interrogées en Occitanie souhaitaient un tel accompagnement.',
  'Fécop, enquête 2024, §IV.B et §V.E'),
 ('step_information', 4, 'information',
  'Depuis l''étape « information » : recueillir les attentes',
  'L''information des usagers est le socle : horaires, tarifs, actions de '
  'prévention. L''étape suivante consiste à recueillir leurs attentes : '
  'questionnaire de satisfaction, boîte à idées, retours sur la clarté '
  'des informations en salle d''attente et sur le site.',
  'Fécop, enquête 2024, §IV.C.1'),
 ('step_consultation', 5, 'consultation',
  'Depuis l''étape « consultation » : ouvrir un espace d''échange',
  'Les équipes au stade de la collaboration ont ouvert des espaces '
  'd''échange et d''écoute de l''expérience des usagers : décision '
  'partagée dans les soins, commission ou comité des usagers. Des '
  'supports en langage facile à lire et à comprendre (par exemple Santé '
  'BD) aident à associer tous les publics.',
  'Fécop, enquête 2024, §IV.C.3 et §IV.E'),
 ('step_collaboration', 6, 'collaboration',
  'Depuis l''étape « collaboration » : construire avec les usagers',
  'Le partenariat, c''est co-construire des projets avec les usagers et '
  'leur faire une place dans la gouvernance de la structure. La '
  'formation conjointe des professionnels et des usagers (par exemple '
  'avec le COPS) et l''appui d''une association d''usagers sont les '
  'leviers que citent les équipes qui y sont parvenues.',
  'Fécop, enquête 2024, §IV.C.4 et §V.E'),
 ('step_partenariat', 7, 'partenariat',
  'À l''étape « partenariat » : partager votre expérience',
  'Les équipes qui débutent demandent avant tout le témoignage d''autres '
  'équipes et de leurs représentants d''usagers. Votre fédération peut '
  'relayer votre expérience ; l''indicateur « implication des usagers » '
  'de l''ACI (niveau 2 : co-construction) reconnaît ce travail.',
  'Fécop, enquête 2024, §IV.F et §V.E ; avenant ACI 2022')
ON CONFLICT (resource_key) DO NOTHING;
