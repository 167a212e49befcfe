-- An instrument version that has responses is immutable: its answers
-- were given to those words, those choices and those conditions, and
-- the reports read them through it.  A changed questionnaire is a new
-- version (msp-report instrument import does so); this trigger is the
-- guarantee whoever writes the tables, CLI, script or hand-typed SQL.
-- SECURITY DEFINER: the check must see every response, whatever rows
-- the writer's own policies let it see.  AFTER the row: a malformed row
-- is refused first by its own CHECK or foreign key (their SQLSTATE is
-- what a caller learns from), and the foreign keys' triggers ("RI_…")
-- sort before "frozen".
CREATE OR REPLACE FUNCTION msp.instrument_frozen_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    ids integer[];
    frozen integer;
BEGIN
    IF TG_OP = 'INSERT' THEN
        ids := ARRAY[NEW.instrument_id];
    ELSIF TG_OP = 'DELETE' THEN
        ids := ARRAY[OLD.instrument_id];
    ELSE
        ids := ARRAY[OLD.instrument_id, NEW.instrument_id];
    END IF;
    SELECT r.instrument_id INTO frozen
      FROM msp.response r
     WHERE r.instrument_id = ANY (ids)
     LIMIT 1;
    IF frozen IS NOT NULL THEN
        RAISE EXCEPTION USING
            ERRCODE = 'object_not_in_prerequisite_state',
            MESSAGE = format('la version %s de l''instrument %s a des '
                             'réponses : elle ne peut plus changer',
                             (SELECT version FROM msp.instrument
                               WHERE instrument_id = frozen),
                             (SELECT slug FROM msp.instrument
                               WHERE instrument_id = frozen)),
            HINT = 'Importez le questionnaire modifié : il devient '
                   'une nouvelle version.';
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION msp.instrument_frozen_guard() FROM PUBLIC;
