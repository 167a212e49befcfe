-- The region of the live token (a federation's), or NULL:
-- what the policies of the migrations (0006 on) ask, once per query.
CREATE OR REPLACE FUNCTION msp.current_region_id() RETURNS smallint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    RETURN (msp.current_token()).region_id;
END
$$;
