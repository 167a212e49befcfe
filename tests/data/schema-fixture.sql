-- A tiny region, instrument and study for the schema tests.
INSERT INTO msp.region (slug, name, insee_code) VALUES ('testland', 'Testland', '99');
INSERT INTO msp.instrument (slug, version, title_fr) VALUES ('t', 1, 'Test');
INSERT INTO msp.instrument (slug, version, title_fr) VALUES ('t', 2, 'Test v2');
INSERT INTO msp.instrument_item
    (instrument_id, item_key, position, item_type, label_fr, required,
     min_value, max_value, integer_only, max_length)
VALUES
    (1, 'n_mg', 1, 'number', 'Nombre de MG', true, 0, 100, true, NULL),
    (1, 'works', 2, 'single_choice', 'Travaillez-vous avec des usagers ?',
     true, NULL, NULL, false, NULL),
    (1, 'tools', 3, 'multiple_choice', 'Outils', false, NULL, NULL, false, NULL),
    (1, 'note', 4, 'text', 'Remarque', false, NULL, NULL, false, 10),
    (1, 'aci', 5, 'boolean', 'Signataire ACI', false, NULL, NULL, false, NULL),
    (2, 'n_mg', 1, 'number', 'Nombre de MG', true, 0, 100, true, NULL);
INSERT INTO msp.item_option (instrument_id, item_key, code, position, label_fr)
VALUES (1, 'works', 'oui', 1, 'Oui'), (1, 'works', 'non', 2, 'Non'),
       (1, 'tools', 'affiche', 1, 'Affiches'), (1, 'tools', 'site', 2, 'Site web');
INSERT INTO msp.study (slug, region_id, year, title_fr, instrument_id, target_size)
VALUES ('test-2024', 1, 2024, 'Étude test', 1, 10);
INSERT INTO msp.structure (pseudonym, region_id, structure_type, departement)
VALUES (repeat('ab', 32), 1, 'msp', '44');
INSERT INTO msp.response (study_id, instrument_id, structure_id, idempotency_key)
VALUES (1, 1, 1, 'k1');
INSERT INTO msp.study_code (study_id, code, kind, label_fr)
VALUES (1, 'manque_temps', 'frein', 'Manque de temps'),
       (1, 'formation', 'levier', 'Formation');
INSERT INTO msp.interview (study_id, participant_no, stage, consent_recorded)
VALUES (1, 1, 'consultation', true);
