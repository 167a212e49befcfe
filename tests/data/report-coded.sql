-- Codes some Occitanie 2024 open answers (freins, leviers) onto the
-- study's own codes, as an analyst would, so that tests/check_report.c
-- can check that coded questionnaire answers reach the HAS crosswalk
-- (msp-report --has).  Run after the reference data is loaded.
INSERT INTO msp.answer_code (response_id, study_id, item_key, code)
SELECT a.response_id, r.study_id, a.item_key, x.code
  FROM msp.answer a
  JOIN msp.response r ON r.response_id = a.response_id
  JOIN msp.study s ON s.study_id = r.study_id
  JOIN (VALUES ('freins', '%temps%', 'f_temps_priorite'),
               ('freins', '%motivation%', 'f_posture_professionnels'),
               ('freins', '%financ%', 'f_moyens_financiers_humains'),
               ('freins', '%critiques%', 'f_crainte_avis_negatifs'),
               ('leviers', '%formation%', 'l_formation'),
               ('leviers', '%médiateur%', 'l_mediateurs'),
               ('leviers', '%outils%', 'l_outils'))
       AS x (item_key, pattern, code)
    ON x.item_key = a.item_key AND a.text_value ILIKE x.pattern
 WHERE s.slug = 'occitanie-2024';
