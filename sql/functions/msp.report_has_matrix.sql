-- A federation's --has --matrix: msp.report_has_matrix_counts over the
-- structures of each study's own region, as the owner, after checking
-- the token (msp.report_has_check).  Grouped counts only; the report
-- suppresses small ones with complements (report_has.c).
CREATE OR REPLACE FUNCTION msp.report_has_matrix(p_studies integer[],
    p_attr text, p_item text)
RETURNS TABLE (code text, kind text, label_fr text, value text, n bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    PERFORM msp.report_has_check(p_studies);
    RETURN QUERY SELECT * FROM msp.report_has_matrix_counts(p_studies,
        p_attr, p_item, true);
END
$$;
REVOKE ALL ON FUNCTION msp.report_has_matrix(integer[], text, text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.report_has_matrix(integer[], text, text)
    TO msp_federation;
