-- Accepts a suggested code (msp-report code suggest, issue 22, item 7):
-- codes the whole open answer p_answer with p_code exactly as
-- msp.coding_apply_answer does (same checks, same refusals, coder the
-- caller, 'resolved' when p_resolved), and marks the coding as having
-- begun as a suggestion (msp.answer_code.suggested, 0046), which the
-- --has report counts.  A suggestion is never stored until this call:
-- an analyst decides.  Returns the coding_id.  Audited (the insert, then
-- the mark).
CREATE OR REPLACE FUNCTION msp.coding_apply_suggestion(p_study text,
    p_answer bigint, p_code text, p_resolved boolean) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_id bigint := msp.coding_apply_answer(p_study, p_answer, p_code,
                                           NULL, NULL, p_resolved);
BEGIN
    UPDATE msp.answer_code k SET suggested = true
     WHERE k.coding_id = v_id;
    RETURN v_id;
END
$$;
REVOKE ALL ON FUNCTION msp.coding_apply_suggestion(text, bigint, text,
    boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.coding_apply_suggestion(text, bigint, text,
    boolean) TO msp_analyst;
