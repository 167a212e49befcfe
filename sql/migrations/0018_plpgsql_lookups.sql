-- The token lookups that RLS and the audit trail call many times per
-- submission (0006), and msp.store_answers (0011), were LANGUAGE sql.
-- A SQL function that is SECURITY DEFINER or carries a SET clause is
-- never inlined, and PostgreSQL parses and plans its body again on
-- every call: a profile of bench/api.sh's pgbench half showed the
-- parser and planner as the database's largest cost per submission
-- (eight token lookups per submission).  PL/pgSQL keeps each
-- statement's plan for the life of the connection, so the same bodies
-- cost a plan-cache lookup instead.  Behaviour is unchanged: same
-- signatures, rights, volatility and search_path.

CREATE OR REPLACE FUNCTION msp.current_token() RETURNS msp.access_token
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    t msp.access_token;
BEGIN
    SELECT * INTO t FROM msp.access_token a
     WHERE a.token_sha256 = sha256(convert_to(
               coalesce(current_setting('msp.token', true), ''), 'UTF8'))
       AND a.revoked_at IS NULL;
    RETURN t;
END
$$;

CREATE OR REPLACE FUNCTION msp.current_structure_id() RETURNS integer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    RETURN (msp.current_token()).structure_id;
END
$$;

CREATE OR REPLACE FUNCTION msp.current_region_id() RETURNS smallint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    RETURN (msp.current_token()).region_id;
END
$$;

CREATE OR REPLACE FUNCTION msp.current_kind() RETURNS msp.access_kind
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    RETURN (msp.current_token()).kind;
END
$$;

CREATE OR REPLACE FUNCTION msp_audit.current_actor() RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    t msp.access_token := msp.current_token();
BEGIN
    IF t.token_id IS NOT NULL THEN
        RETURN t.kind::text || ':' || t.token_id;
    END IF;
    RETURN nullif(current_setting('msp.actor', true), '');
END
$$;

CREATE OR REPLACE FUNCTION msp.store_answers(p_response bigint,
    p_instrument integer, p_answers jsonb) RETURNS integer
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    n integer;
BEGIN
    INSERT INTO msp.answer (response_id, instrument_id, item_key,
                            choice_code, num_value, text_value, bool_value)
    SELECT p_response, p_instrument, a.k, a.c, a.n, a.t, a.b
      FROM jsonb_to_recordset(p_answers)
           AS a(k text, c text, n numeric, t text, b boolean);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- The worker runs a handful of short statements, with parameters, over
-- and over.  After five executions PostgreSQL weighs a generic plan
-- against planning again for each call's values, and for these
-- statements (RLS sub-queries included) kept re-planning: planning was
-- still a tenth of the database's time per submission.  Their plans do
-- not depend on the values, so the worker's sessions always use the
-- generic plan.  Reports (msp-report, another role) are not affected.
DO $$
BEGIN
    EXECUTE format('ALTER ROLE msp_worker IN DATABASE %I '
                   'SET plan_cache_mode = force_generic_plan',
                   current_database());
END
$$;
