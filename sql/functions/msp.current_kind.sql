CREATE OR REPLACE FUNCTION msp.current_kind() RETURNS msp.access_kind
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    RETURN (msp.current_token()).kind;
END
$$;
