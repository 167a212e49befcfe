CREATE OR REPLACE FUNCTION msp.current_region_id() RETURNS smallint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    RETURN (msp.current_token()).region_id;
END
$$;
