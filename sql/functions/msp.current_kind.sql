-- The kind of the live token of this transaction, or NULL:
-- what the policies of the migrations (0006 on) ask, once per query.
CREATE OR REPLACE FUNCTION msp.current_kind() RETURNS msp.access_kind
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    RETURN (msp.current_token()).kind;
END
$$;
