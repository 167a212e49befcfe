-- Two regions; teams 1 and 2 in region 1, team 3 in region 2; one
-- response each, with one answer; tokens for each kind of caller.
INSERT INTO msp.region (slug, name) VALUES ('nord', 'Nord'), ('sud', 'Sud');
INSERT INTO msp.instrument (slug, version, title_fr) VALUES ('t', 1, 'Test');
INSERT INTO msp.instrument_item (instrument_id, item_key, position,
    item_type, label_fr, min_value, max_value)
VALUES (1, 'n_mg', 1, 'number', 'Nombre de MG', 0, 100);
INSERT INTO msp.study (slug, region_id, year, title_fr, instrument_id)
VALUES ('nord-2024', 1, 2024, 'Nord', 1), ('sud-2024', 2, 2024, 'Sud', 1);
INSERT INTO msp.structure (pseudonym, region_id)
VALUES (repeat('a1', 32), 1), (repeat('a2', 32), 1), (repeat('b3', 32), 2);
INSERT INTO msp.response (study_id, instrument_id, structure_id, idempotency_key)
VALUES (1, 1, 1, 'r1'), (1, 1, 2, 'r2'), (2, 1, 3, 'r3');
INSERT INTO msp.answer (response_id, instrument_id, item_key, num_value)
VALUES (1, 1, 'n_mg', 1), (2, 1, 'n_mg', 2), (3, 1, 'n_mg', 3);
INSERT INTO msp.access_token (token_sha256, kind, structure_id, region_id)
VALUES (sha256('tok-team1'), 'team', 1, NULL),
       (sha256('tok-team3'), 'team', 3, NULL),
       (sha256('tok-fed1'), 'federation', NULL, 1),
       (sha256('tok-analyst'), 'analyst', NULL, NULL);
INSERT INTO msp.access_token (token_sha256, kind, structure_id, revoked_at)
VALUES (sha256('tok-revoked'), 'team', 2, now());
