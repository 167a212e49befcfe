-- PdL 2019: the study and its sampling frame, reconstructed.
--
-- Source: Allory E. et al., exercer 2023;193:196-201.  Individual rows
-- are not published: these are reconstructions built to agree with every
-- published aggregate (reconstructed = true).  What was chosen, and why:
--
-- * Frame: 90 MSPs listed, 83 in operation (the denominator), 37
--   responded.  The 7 listed but closed MSPs are rows with active =
--   false; their characteristics are not published (left NULL).
-- * Participants' départements follow Tableau 2 (53: 5, 72: 5, 49: 14,
--   85: 7, 44: 6).  The 46 non-participants' distribution is not
--   published, only "p = 0,29" against participants.  We chose 53: 6,
--   72: 9, 49: 14, 85: 3, 44: 14, for which the paper's rule (Fisher's
--   exact test, since some expected counts are < 5) gives p = 0.28995
--   (R 4.2, fisher.test).  Other distributions would fit as well.
-- * APMSL membership: the text gives 25 of 37 participants (68 %) vs 18
--   of 46 non-participants (39 %), p = 0,01; Tableau 2 gives 23 of 37.
--   Both hold here: the frame's membership (structure.federation_member,
--   from the APMSL list, used for the participation comparison) counts
--   25, and the questionnaire item federation_member (self-declared,
--   Tableau 2) counts 23: two listed members answered "non".  Only 25
--   reproduces p = 0,01 (23 would give 0.037).
-- * p01-p10 will be the "usagers +" respondents, p11-p37 the "usagers -"
--   (their answers are loaded by a later file).
-- * Pseudonyms are SHA-256 of a reconstruction label: no real MSP is
--   behind these rows.

INSERT INTO msp.study (slug, region_id, year, title_fr, instrument_id,
    target_size, fieldwork_start, fieldwork_end, reconstructed, source_note)
SELECT 'pdl-2019', r.region_id, 2019,
       'Engagement des usagers dans les maisons de santé '
       'pluriprofessionnelles et caractéristiques des MSP associées',
       i.instrument_id, 83, DATE '2019-03-01', DATE '2019-10-31', true,
       'Allory E. et al. exercer 2023;193:196-201. Reconstruction '
       'consistent with the published aggregates; see '
       'sql/reference/0004_study_pdl_2019.sql.'
  FROM msp.region r, msp.instrument i
 WHERE r.slug = 'pays-de-la-loire' AND i.slug = 'pdl-2019'
   AND i.version = 1;

CREATE TEMPORARY TABLE pdl_frame (label text, departement text,
    federation_member msp.tristate) ON COMMIT DROP;

INSERT INTO pdl_frame VALUES
    ('p01', '53', 'oui'),
    ('p02', '53', 'oui'),
    ('p03', '72', 'oui'),
    ('p04', '72', 'oui'),
    ('p05', '49', 'oui'),
    ('p06', '49', 'oui'),
    ('p07', '49', 'oui'),
    ('p08', '49', 'non'),
    ('p09', '49', 'non'),
    ('p10', '85', 'non'),
    ('p11', '53', 'oui'),
    ('p12', '53', 'oui'),
    ('p13', '53', 'non'),
    ('p14', '72', 'oui'),
    ('p15', '72', 'oui'),
    ('p16', '72', 'non'),
    ('p17', '49', 'oui'),
    ('p18', '49', 'oui'),
    ('p19', '49', 'non'),
    ('p20', '49', 'oui'),
    ('p21', '49', 'oui'),
    ('p22', '49', 'non'),
    ('p23', '49', 'oui'),
    ('p24', '49', 'oui'),
    ('p25', '49', 'non'),
    ('p26', '85', 'oui'),
    ('p27', '85', 'oui'),
    ('p28', '85', 'non'),
    ('p29', '85', 'oui'),
    ('p30', '85', 'oui'),
    ('p31', '85', 'non'),
    ('p32', '44', 'oui'),
    ('p33', '44', 'oui'),
    ('p34', '44', 'non'),
    ('p35', '44', 'oui'),
    ('p36', '44', 'oui'),
    ('p37', '44', 'non'),
    ('n01', '53', 'oui'),
    ('n02', '53', 'non'),
    ('n03', '53', 'oui'),
    ('n04', '53', 'non'),
    ('n05', '53', 'non'),
    ('n06', '53', 'oui'),
    ('n07', '72', 'non'),
    ('n08', '72', 'oui'),
    ('n09', '72', 'non'),
    ('n10', '72', 'non'),
    ('n11', '72', 'oui'),
    ('n12', '72', 'non'),
    ('n13', '72', 'non'),
    ('n14', '72', 'oui'),
    ('n15', '72', 'non'),
    ('n16', '49', 'oui'),
    ('n17', '49', 'non'),
    ('n18', '49', 'non'),
    ('n19', '49', 'oui'),
    ('n20', '49', 'non'),
    ('n21', '49', 'non'),
    ('n22', '49', 'oui'),
    ('n23', '49', 'non'),
    ('n24', '49', 'oui'),
    ('n25', '49', 'non'),
    ('n26', '49', 'non'),
    ('n27', '49', 'oui'),
    ('n28', '49', 'non'),
    ('n29', '49', 'non'),
    ('n30', '85', 'oui'),
    ('n31', '85', 'non'),
    ('n32', '85', 'oui'),
    ('n33', '44', 'non'),
    ('n34', '44', 'non'),
    ('n35', '44', 'oui'),
    ('n36', '44', 'non'),
    ('n37', '44', 'non'),
    ('n38', '44', 'oui'),
    ('n39', '44', 'non'),
    ('n40', '44', 'oui'),
    ('n41', '44', 'non'),
    ('n42', '44', 'non'),
    ('n43', '44', 'oui'),
    ('n44', '44', 'non'),
    ('n45', '44', 'oui'),
    ('n46', '44', 'non');

-- the 7 listed MSPs no longer in operation
INSERT INTO pdl_frame
SELECT 'x' || lpad(g::text, 2, '0'), NULL, NULL FROM generate_series(1, 7) g;

INSERT INTO msp.structure (pseudonym, region_id, structure_type,
    departement, federation_member, federation_id)
SELECT encode(sha256(convert_to('reconstruction:pdl-2019:' || f.label,
                                'UTF8')), 'hex'),
       r.region_id, 'msp', f.departement, f.federation_member,
       CASE WHEN f.federation_member = 'oui' THEN fed.federation_id END
  FROM pdl_frame f, msp.region r, msp.federation fed
 WHERE r.slug = 'pays-de-la-loire' AND fed.slug = 'apmsl'
 ORDER BY f.label;

INSERT INTO msp.population (study_id, structure_id, active)
SELECT s.study_id, st.structure_id, f.label NOT LIKE 'x%'
  FROM pdl_frame f
  JOIN msp.structure st ON st.pseudonym = encode(sha256(convert_to(
       'reconstruction:pdl-2019:' || f.label, 'UTF8')), 'hex'),
       msp.study s
 WHERE s.slug = 'pdl-2019';
