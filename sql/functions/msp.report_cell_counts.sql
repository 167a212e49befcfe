-- A federation's frequency tables of study p_study split by the
-- weighting cell of each response's structure (--weights; p_vars the
-- frame variables, in order; group NULL: a structure outside the active
-- frame); 'g' rows count the responses of each cell.  report_data.c's
-- sql_counts_cells, as the owner, over the responses of the study's
-- region's structures (msp.report_scope).  Counts per cell, never a
-- response; suppressed by the client for now (issue 19, later steps).
CREATE OR REPLACE FUNCTION msp.report_cell_counts(p_study integer,
    p_vars text[])
RETURNS TABLE (kind text, var text, val text, grp text, n bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
#variable_conflict use_column
DECLARE
    v_region smallint := msp.report_scope(p_study);
    v_slug text;
    v_instrument integer;
    v_year integer;
    v_single text[];
    v_per_response text[];
    v_multiple text[];
BEGIN
    PERFORM msp.report_frame_vars_check(p_vars);
    SELECT i.slug, i.instrument_id, s.year
      INTO v_slug, v_instrument, v_year
      FROM msp.study s JOIN msp.instrument i USING (instrument_id)
     WHERE s.study_id = p_study;
    SELECT sh.single, sh.per_response, sh.multiple
      INTO v_single, v_per_response, v_multiple
      FROM msp.report_shape(v_slug, v_instrument) sh;
    RETURN QUERY SELECT * FROM msp.report_counts_cells(p_study, v_slug,
        v_year, v_single, v_per_response, v_multiple, p_vars, v_region);
END
$$;
REVOKE ALL ON FUNCTION msp.report_cell_counts(integer, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.report_cell_counts(integer, text[])
    TO msp_federation;
