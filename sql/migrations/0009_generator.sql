-- Synthetic studies: made by `msp-report generate` (lib/synth.c) to
-- load-test the system, never observations.  A column, not a slug or
-- note convention, so that a report can leave them out with a plain
-- WHERE and so that the generator's own priors (the answers of the real
-- and reconstructed studies of an instrument) never feed on earlier
-- synthetic output.  docs/generator.md describes the generator.
ALTER TABLE msp.study
    ADD COLUMN synthetic boolean NOT NULL DEFAULT false,
    -- a reconstruction stands for real, unpublished rows; synthetic rows
    -- stand for nothing
    ADD CONSTRAINT study_synthetic_not_reconstructed
        CHECK (NOT (synthetic AND reconstructed));

COMMENT ON COLUMN msp.study.synthetic IS
    'true for data made by msp-report generate (source_note gives the '
    'seed); its rows are not observations';
