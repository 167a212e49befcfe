-- One call takes on a token's identity for the rest of the transaction:
--     SELECT msp.enter($1);
-- sets msp.token, checks the token is live and switches to the role of
-- its kind (msp_team, msp_federation or msp_analyst), so that the
-- policies of 0006 apply.  A dead or unknown token raises SQLSTATE 28000
-- (invalid_authorization_specification) and the caller answers 401.
--
-- The worker and the CLI connect as a login role that is a member of
-- msp_app; msp_app is a member of the three tenant roles and owns
-- nothing, so a connection that has not entered sees no tenant rows.

DO $$
BEGIN
    CREATE ROLE msp_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;
GRANT msp_team, msp_federation, msp_analyst TO msp_app;
GRANT USAGE ON SCHEMA msp TO msp_app;

