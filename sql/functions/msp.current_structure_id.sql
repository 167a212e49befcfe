-- The structure of the live token (a team's), or NULL:
-- what the policies of the migrations (0006 on) ask, once per query.
CREATE OR REPLACE FUNCTION msp.current_structure_id() RETURNS integer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    RETURN (msp.current_token()).structure_id;
END
$$;
