-- Access control in the database: a team sees only its own structure's
-- rows, a federation its region's, an analyst everything.
--
-- Three NOLOGIN roles carry the privileges: msp_team, msp_federation,
-- msp_analyst.  The worker and the CLI connect as a login role that is a
-- member of them and, per transaction,
--     SET LOCAL ROLE msp_team;
--     SELECT set_config('msp.token', '<bearer token>', true);
-- The policies ask msp.current_*() who that is.  Those functions hash the
-- token and look it up in msp.access_token, which no tenant role can
-- read: setting msp.token to anything but a real, unrevoked token gives
-- no identity and so no rows, and a token's scope cannot be widened from
-- SQL.  Tokens are stored only as SHA-256 hashes.

-- Roles are cluster-wide: another database of the cluster may have made
-- them already.
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['msp_team', 'msp_federation', 'msp_analyst']
    LOOP
        BEGIN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END LOOP;
END
$$;

CREATE TYPE msp.access_kind AS ENUM ('team', 'federation', 'analyst');

CREATE TABLE msp.access_token (
    token_id    integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_sha256 bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
    kind        msp.access_kind NOT NULL,
    structure_id integer REFERENCES msp.structure ON DELETE CASCADE,
    region_id   smallint REFERENCES msp.region,
    label       text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    -- the scope a kind needs, and nothing else
    CHECK (CASE kind
        WHEN 'team' THEN structure_id IS NOT NULL AND region_id IS NULL
        WHEN 'federation' THEN region_id IS NOT NULL AND structure_id IS NULL
        ELSE structure_id IS NULL AND region_id IS NULL END)
);

-- The token of this transaction and its scope, which the policies below
-- look up.
-- Declared for the policies below; defined in sql/functions/ (msp.current_token.sql, msp.current_structure_id.sql, msp.current_region_id.sql, msp.current_kind.sql),
-- loaded after the migrations (docs/schema.md).
CREATE FUNCTION msp.current_token() RETURNS msp.access_token
    LANGUAGE plpgsql AS $$BEGIN RAISE 'declared only'; END$$;
CREATE FUNCTION msp.current_structure_id() RETURNS integer
    LANGUAGE plpgsql AS $$BEGIN RAISE 'declared only'; END$$;
CREATE FUNCTION msp.current_region_id() RETURNS smallint
    LANGUAGE plpgsql AS $$BEGIN RAISE 'declared only'; END$$;
CREATE FUNCTION msp.current_kind() RETURNS msp.access_kind
    LANGUAGE plpgsql AS $$BEGIN RAISE 'declared only'; END$$;

GRANT USAGE ON SCHEMA msp TO msp_team, msp_federation, msp_analyst;

-- --- reference tables: readable by all, written by the owner only -------
GRANT SELECT ON msp.region, msp.federation, msp.instrument,
    msp.instrument_item, msp.item_option, msp.study, msp.continuum_stage,
    msp.aci_level, msp.has_category, msp.study_code, msp.crosswalk
    TO msp_team, msp_federation, msp_analyst;

-- --- per-tenant tables ----------------------------------------------------
GRANT SELECT ON msp.structure, msp.structure_staff, msp.population,
    msp.contact, msp.response, msp.answer, msp.interview, msp.segment
    TO msp_team, msp_federation, msp_analyst;
-- Teams submit and amend their own responses.
GRANT INSERT, UPDATE ON msp.response, msp.answer TO msp_team;
GRANT DELETE ON msp.answer TO msp_team;
-- Analysts record interviews and code them; they write everywhere.
GRANT INSERT, UPDATE, DELETE ON msp.structure, msp.structure_staff,
    msp.population, msp.contact, msp.response, msp.answer, msp.interview,
    msp.segment TO msp_analyst;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA msp TO msp_team, msp_analyst;

ALTER TABLE msp.structure ENABLE ROW LEVEL SECURITY;
ALTER TABLE msp.structure_staff ENABLE ROW LEVEL SECURITY;
ALTER TABLE msp.population ENABLE ROW LEVEL SECURITY;
ALTER TABLE msp.contact ENABLE ROW LEVEL SECURITY;
ALTER TABLE msp.response ENABLE ROW LEVEL SECURITY;
ALTER TABLE msp.answer ENABLE ROW LEVEL SECURITY;
ALTER TABLE msp.interview ENABLE ROW LEVEL SECURITY;
ALTER TABLE msp.segment ENABLE ROW LEVEL SECURITY;

-- (SELECT f()) makes the planner evaluate the identity once per query.

-- Structures: a team its own, a federation its region's.
CREATE POLICY team ON msp.structure TO msp_team
    USING (structure_id = (SELECT msp.current_structure_id()));
CREATE POLICY federation ON msp.structure TO msp_federation
    USING (region_id = (SELECT msp.current_region_id()));

-- Rows that hang off a structure follow what the structure policy shows:
-- the subquery runs under the same policies.
CREATE POLICY visible ON msp.structure_staff TO msp_team, msp_federation
    USING (structure_id IN (SELECT structure_id FROM msp.structure));
CREATE POLICY visible ON msp.population TO msp_team, msp_federation
    USING (structure_id IN (SELECT structure_id FROM msp.structure));
CREATE POLICY visible ON msp.contact TO msp_team, msp_federation
    USING (structure_id IN (SELECT structure_id FROM msp.structure));
CREATE POLICY visible ON msp.interview TO msp_team, msp_federation
    USING (structure_id IN (SELECT structure_id FROM msp.structure));
CREATE POLICY visible ON msp.segment TO msp_team, msp_federation
    USING (interview_id IN (SELECT interview_id FROM msp.interview));

-- Responses: read as above; a team writes only its own structure's, and
-- only for a study of its region.
CREATE POLICY visible ON msp.response FOR SELECT TO msp_team, msp_federation
    USING (structure_id IN (SELECT structure_id FROM msp.structure));
CREATE POLICY team_insert ON msp.response FOR INSERT TO msp_team
    WITH CHECK (structure_id = (SELECT msp.current_structure_id())
        AND study_id IN (SELECT s.study_id FROM msp.study s
                           JOIN msp.structure st USING (region_id)));
CREATE POLICY team_update ON msp.response FOR UPDATE TO msp_team
    USING (structure_id = (SELECT msp.current_structure_id()))
    WITH CHECK (structure_id = (SELECT msp.current_structure_id()));

CREATE POLICY visible ON msp.answer FOR SELECT TO msp_team, msp_federation
    USING (response_id IN (SELECT response_id FROM msp.response));
CREATE POLICY team_insert ON msp.answer FOR INSERT TO msp_team
    WITH CHECK (response_id IN (SELECT response_id FROM msp.response));
CREATE POLICY team_update ON msp.answer FOR UPDATE TO msp_team
    USING (response_id IN (SELECT response_id FROM msp.response))
    WITH CHECK (response_id IN (SELECT response_id FROM msp.response));
CREATE POLICY team_delete ON msp.answer FOR DELETE TO msp_team
    USING (response_id IN (SELECT response_id FROM msp.response));

-- Analysts: everything, with an analyst token; the role alone is not
-- enough.
CREATE POLICY analyst ON msp.structure TO msp_analyst
    USING ((SELECT msp.current_kind()) = 'analyst');
CREATE POLICY analyst ON msp.structure_staff TO msp_analyst
    USING ((SELECT msp.current_kind()) = 'analyst');
CREATE POLICY analyst ON msp.population TO msp_analyst
    USING ((SELECT msp.current_kind()) = 'analyst');
CREATE POLICY analyst ON msp.contact TO msp_analyst
    USING ((SELECT msp.current_kind()) = 'analyst');
CREATE POLICY analyst ON msp.response TO msp_analyst
    USING ((SELECT msp.current_kind()) = 'analyst');
CREATE POLICY analyst ON msp.answer TO msp_analyst
    USING ((SELECT msp.current_kind()) = 'analyst');
CREATE POLICY analyst ON msp.interview TO msp_analyst
    USING ((SELECT msp.current_kind()) = 'analyst');
CREATE POLICY analyst ON msp.segment TO msp_analyst
    USING ((SELECT msp.current_kind()) = 'analyst');
