-- The disclosure threshold is data, not configuration (issue 19, item 2).
--
-- Until now msp-report read it from MSP_DISCLOSURE_THRESHOLD: whoever
-- ran the command chose how much a federation's report hid, and that is
-- the person disclosure control protects against.  The threshold now
-- lives in the database, where the aggregates a federation reads are
-- (and will be) protected: one row, which only the owner of the schema
-- writes (msp-report disclosure threshold N), and everyone reads (a
-- published report says which threshold it applied; the figure is no
-- secret).  The CLI refuses the old variable when it is set, so that a
-- stale environment does not look as if it still changed something.
--
-- id is a boolean that may only be true: the table has exactly one row,
-- which no INSERT can double.  1 to 1000: the bounds the CLI applied to
-- the variable (a threshold above 1000 would hide every table; 1 hides
-- nothing, and is allowed for a study where the owner decides so).
CREATE TABLE msp.disclosure_policy (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    threshold smallint NOT NULL DEFAULT 5
        CHECK (threshold BETWEEN 1 AND 1000)
);
INSERT INTO msp.disclosure_policy DEFAULT VALUES;

-- Reading needs no token: msp-report reads it before or after entering
-- one, and the worker's pages will print it.  No one but the owner
-- writes it: no INSERT, UPDATE or DELETE is granted to anyone.
GRANT SELECT ON msp.disclosure_policy TO PUBLIC;
