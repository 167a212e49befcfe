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
