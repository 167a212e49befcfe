-- A closed study's data generation: one more each time its maintained
-- cross-tabulations (0047) are rebuilt, that is each time a write
-- changes what its reports count (an erasure, an answer corrected, a
-- structure moved, a rule changed, a close or reopen).  A protection
-- plan (0048) records the generation it was made on
-- (msp.disclosure_data_version): a plan of another generation is stale.
-- One small row per study, read by primary key, instead of counting
-- the study's responses and answers on every federation report.
-- Written by msp.study_crosstab_build (the owner); read through
-- msp.disclosure_data_version only.
CREATE TABLE msp.study_generation (
    study_id   integer PRIMARY KEY REFERENCES msp.study ON DELETE CASCADE,
    generation bigint NOT NULL CHECK (generation > 0)
);
ALTER TABLE msp.study_generation ENABLE ROW LEVEL SECURITY;
