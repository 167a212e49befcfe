-- The saved form a resume code names, to show it again as it was left:
-- first a row ('_role', the role chosen, or NULL), then the answers.
-- The role row is always there, so a draft saved before any answer was
-- given still reopens (it returned no row, read as "unknown link"), and
-- the role chosen is shown again (it was lost).  Item keys never begin
-- with "_".  Nothing else is reachable with the link.
CREATE OR REPLACE FUNCTION msp.form_resume(p_study integer, p_resume bytea)
RETURNS TABLE (item_key text, value text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    WITH draft AS (
        SELECT r.response_id, r.respondent_role
          FROM msp.response r
         WHERE r.resume_sha256 = p_resume AND r.study_id = p_study
           AND r.status = 'partial')
    SELECT k, v FROM (
        SELECT 0 AS ord, 0::bigint AS id, '_role'::text AS k,
               d.respondent_role::text AS v
          FROM draft d
        UNION ALL
        SELECT 1, a.answer_id, a.item_key,
               coalesce(a.choice_code, a.num_value::text, a.text_value,
                        CASE a.bool_value WHEN true THEN 'oui'
                                          WHEN false THEN 'non' END)
          FROM draft d JOIN msp.answer a ON a.response_id = d.response_id
    ) rows
     ORDER BY ord, id
$$;
REVOKE ALL ON FUNCTION msp.form_resume(integer, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.form_resume(integer, bytea) TO msp_app;
