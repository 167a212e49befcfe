-- Erasure and export (check_rgpd): teams 1 and 2 in region nord, team 3
-- in region sud, each with something in every table that can hold a
-- structure's data; the texts of team 1 carry markers ("-un") the test
-- looks for after the erasure.  Team 1 also has a response deleted
-- earlier (only the audit trail remembers it) and an amended answer.
INSERT INTO msp.region (slug, name) VALUES ('nord', 'Nord'), ('sud', 'Sud');
INSERT INTO msp.instrument (slug, version, title_fr) VALUES ('t', 1, 'Test');
INSERT INTO msp.instrument_item (instrument_id, item_key, position,
    item_type, label_fr, min_value, max_value, max_length)
VALUES (1, 'n_mg', 1, 'number', 'Nombre de MG', 0, 100, NULL),
       (1, 'note', 2, 'text', 'Remarque', NULL, NULL, 200);
INSERT INTO msp.study (slug, region_id, year, title_fr, instrument_id)
VALUES ('nord-2024', 1, 2024, 'Nord', 1), ('sud-2024', 2, 2024, 'Sud', 1);
INSERT INTO msp.study_code (study_id, code, kind, label_fr)
VALUES (1, 'manque_temps', 'frein', 'Manque de temps'),
       (2, 'manque_temps', 'frein', 'Manque de temps');
INSERT INTO msp.structure (pseudonym, region_id, structure_type, n_sites)
VALUES (repeat('a1', 32), 1, 'msp', 1), (repeat('a2', 32), 1, 'esp', 2),
       (repeat('b3', 32), 2, 'msp', 3);
INSERT INTO msp.structure_staff VALUES (1, 'mg', 4), (2, 'mg', 5), (3, 'ide', 6);
INSERT INTO msp.population VALUES (1, 1, true), (1, 2, true), (2, 3, true);
INSERT INTO msp.contact (study_id, structure_id, kind, channel, contacted_on)
VALUES (1, 1, 'invitation', 'email', '2024-03-01'),
       (1, 2, 'invitation', 'email', '2024-03-01'),
       (2, 3, 'reminder', 'phone', '2024-03-08');
INSERT INTO msp.response (study_id, instrument_id, structure_id, idempotency_key)
VALUES (1, 1, 1, 'r1'), (1, 1, 2, 'r2'), (2, 1, 3, 'r3'), (1, 1, 1, 'r1-old');
INSERT INTO msp.answer (response_id, instrument_id, item_key, num_value, text_value)
VALUES (1, 1, 'n_mg', 1, NULL), (1, 1, 'note', NULL, 'texte-equipe-un'),
       (2, 1, 'n_mg', 2, NULL), (2, 1, 'note', NULL, 'texte-equipe-deux'),
       (3, 1, 'n_mg', 3, NULL), (4, 1, 'note', NULL, 'ancien-texte-un');
UPDATE msp.answer SET num_value = 11 WHERE response_id = 1 AND item_key = 'n_mg';
DELETE FROM msp.response WHERE idempotency_key = 'r1-old';
INSERT INTO msp.answer_code VALUES (1, 1, 'note', 'manque_temps'),
       (2, 1, 'note', 'manque_temps');
INSERT INTO msp.interview (study_id, participant_no, structure_id, consent_recorded)
VALUES (1, 1, 1, true), (1, 2, 2, true), (2, 1, 3, true);
INSERT INTO msp.segment (interview_id, study_id, code, verbatim_fr)
VALUES (1, 1, 'manque_temps', 'verbatim-equipe-un'),
       (2, 1, 'manque_temps', 'verbatim-equipe-deux'),
       (3, 2, 'manque_temps', 'verbatim-equipe-trois');
INSERT INTO msp.report_cache (study_id, what, changes, kind, n)
VALUES (1, 'freq', 1, 'n', 2), (2, 'freq', 1, 'n', 1);
INSERT INTO msp.access_token (token_sha256, kind, structure_id, region_id, label)
VALUES (sha256('tok-team1'), 'team', 1, NULL, 'equipe-un'),
       (sha256('tok-team2'), 'team', 2, NULL, ''),
       (sha256('tok-team3'), 'team', 3, NULL, ''),
       (sha256('tok-fed1'), 'federation', NULL, 1, ''),
       (sha256('tok-analyst'), 'analyst', NULL, NULL, '');
