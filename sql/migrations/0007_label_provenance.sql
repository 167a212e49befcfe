-- Where an instrument's wording comes from.  The source questionnaires
-- are not published in full, so most labels are reconstructed from the
-- papers' descriptions; a report or form that quotes a label must be
-- able to say whether it is the source's own words.
ALTER TABLE msp.instrument_item
    ADD COLUMN label_verbatim boolean NOT NULL DEFAULT false;

COMMENT ON COLUMN msp.instrument_item.label_verbatim IS
    'true when label_fr is the source''s verbatim wording, false when it was reconstructed';
