-- A federation's --has --cooccurrence: msp.report_has_cooc_counts over
-- the structures of each study's own region, as the owner, after
-- checking the token (msp.report_has_check).  Grouped counts only.
CREATE OR REPLACE FUNCTION msp.report_has_cooccurrence(p_studies integer[])
RETURNS TABLE (code1 text, kind1 text, label1 text, code2 text, n bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    PERFORM msp.report_has_check(p_studies);
    RETURN QUERY SELECT * FROM msp.report_has_cooc_counts(p_studies, true);
END
$$;
REVOKE ALL ON FUNCTION msp.report_has_cooccurrence(integer[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.report_has_cooccurrence(integer[])
    TO msp_federation;
