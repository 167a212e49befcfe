CREATE OR REPLACE FUNCTION msp.current_structure_id() RETURNS integer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    RETURN (msp.current_token()).structure_id;
END
$$;
