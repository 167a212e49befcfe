-- Occitanie 2024: the study and its sampling frame, reconstructed.
--
-- Source: Fécop, « L'implication des usagers en soins primaires dans les
-- ESP / MSP d'Occitanie », rapport d'enquête, août 2024 (§III
-- méthodologie, §IV.A résultats quantitatifs, §VII limites).  The report
-- publishes no list of teams and no individual answers: these rows are a
-- reconstruction built to agree with every published aggregate
-- (reconstructed = true).  docs/instruments.md, Part 2, gives the
-- sources line by line.  What was chosen, and why:
--
-- * Frame: 385 teams.  §III says « environ 385 équipes, ESP et MSP
--   confondues, validées, comptabilisée par l'ARS en mars 2024 », §IV.A
--   « les 385 équipes validées »; we follow the exact figure.  All 385 are
--   active: the ARS count is of teams validated in March 2024 and the
--   report mentions no closed team.
-- * Unit: one response per team.  The response rate (« 77 réponses, sur
--   les 385 équipes » = 20 %) divides responses by teams, although the
--   results count « personnes » / « répondants » and the report does not
--   say whether a team could answer twice (docs/instruments.md,
--   Inconsistencies, Occitanie 4): we follow the rate's reading.
-- * Labels: r01-r77 are the 77 responding teams (their answers are
--   loaded by 0007), n001-n308 the 308 others.  Pseudonyms are SHA-256 of
--   'reconstruction:occitanie-2024:' || label: no real team is behind
--   these rows.
-- * Structure type: the report charts the respondents' ESP / MSP split
--   but the chart was not transcribed, and the split of the 385 is not
--   published.  The respondents' rows carry the type they declare in
--   0007 (a plausible split of our choosing: 64 MSP, 13 ESP, listed
--   below); the 308 others are left NULL rather than invent a split.
--   Département, federation (Fécop) membership, ACI, opening and
--   validation years of the frame: not published, left NULL.
-- * Fieldwork: « Les réponses au questionnaire étaient acceptées entre le
--   23 avril au 10 mai 2024, période pendant laquelle il y a eu un envoi
--   initial en date du 23 avril, accompagnée de deux jours de relances. »
--   (§III).  Contacts recorded per team, all by e-mail:
--   - one invitation on 23 April 2024.  The questionnaire was sent by
--     Fécop through Brevo and « par mail par l'ARS Occitanie »; the ARS
--     send is not dated, so the one invitation row stands for the initial
--     send by both.
--   - two reminders, one on each of the « deux jours de relances ».  Their
--     dates are not published: we chose Tuesday 30 April and Tuesday
--     7 May 2024, a week apart inside the fieldwork.  The report does not
--     say that reminders skipped teams that had already answered (a
--     mailing-list reminder reaches the whole list), so all 385 get both.
--   The relays on Fécop's site, its social networks and the COPS site are
--   not addressed to a team: no contact row.  The answers that people
--   wanted to give « quelques jours après la fermeture du questionnaire »
--   (§VII) were not accepted: no row.

INSERT INTO msp.study (slug, region_id, year, title_fr, instrument_id,
    target_size, fieldwork_start, fieldwork_end, reconstructed, source_note)
SELECT 'occitanie-2024', r.region_id, 2024,
       'L''implication des usagers en soins primaires dans les ESP / MSP '
       'd''Occitanie',
       i.instrument_id, 385, DATE '2024-04-23', DATE '2024-05-10', true,
       'Fécop, « L''implication des usagers en soins primaires dans les '
       'ESP / MSP d''Occitanie », rapport d''enquête, août 2024. '
       'Reconstruction consistent with the published aggregates; see '
       'sql/reference/0006_study_occitanie_2024.sql.'
  FROM msp.region r, msp.instrument i
 WHERE r.slug = 'occitanie' AND i.slug = 'occitanie-2024'
   AND i.version = 1;

CREATE TEMPORARY TABLE occ_frame (label text,
    structure_type msp.structure_type) ON COMMIT DROP;

-- the 77 respondents: ESP as declared in 0007, MSP otherwise
INSERT INTO occ_frame
SELECT 'r' || lpad(g::text, 2, '0'),
       CASE WHEN g IN (12, 20, 27, 33, 38, 44, 50, 56, 60, 66, 70, 74, 77)
            THEN 'esp' ELSE 'msp' END::msp.structure_type
  FROM generate_series(1, 77) g;

-- the 308 teams that did not answer; their type is not published
INSERT INTO occ_frame
SELECT 'n' || lpad(g::text, 3, '0'), NULL
  FROM generate_series(1, 308) g;

INSERT INTO msp.structure (pseudonym, region_id, structure_type)
SELECT encode(sha256(convert_to('reconstruction:occitanie-2024:' || f.label,
                                'UTF8')), 'hex'),
       r.region_id, f.structure_type
  FROM occ_frame f, msp.region r
 WHERE r.slug = 'occitanie'
 ORDER BY f.label;

INSERT INTO msp.population (study_id, structure_id, active)
SELECT s.study_id, st.structure_id, true
  FROM occ_frame f
  JOIN msp.structure st ON st.pseudonym = encode(sha256(convert_to(
       'reconstruction:occitanie-2024:' || f.label, 'UTF8')), 'hex'),
       msp.study s
 WHERE s.slug = 'occitanie-2024';

INSERT INTO msp.contact (study_id, structure_id, kind, channel, contacted_on)
SELECT p.study_id, p.structure_id, c.kind, 'email', c.contacted_on
  FROM msp.population p
  JOIN msp.study s USING (study_id),
       (VALUES ('invitation'::msp.contact_kind, DATE '2024-04-23'),
               ('reminder', DATE '2024-04-30'),
               ('reminder', DATE '2024-05-07')) AS c (kind, contacted_on)
 WHERE s.slug = 'occitanie-2024'
 ORDER BY c.contacted_on, p.structure_id;
