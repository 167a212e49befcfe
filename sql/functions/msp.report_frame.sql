CREATE OR REPLACE FUNCTION msp.report_frame(p_study integer)
RETURNS TABLE (structure_id integer, responded boolean, var_key text,
               category text)
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT st.structure_id,
           EXISTS (SELECT 1 FROM msp.response r
                    WHERE r.study_id = p.study_id
                      AND r.structure_id = p.structure_id
                      AND r.status = 'complete'),
           v.var_key, v.category
      FROM msp.population p
      JOIN msp.structure st ON st.structure_id = p.structure_id
     CROSS JOIN LATERAL (VALUES
        ('frame_structure_type', st.structure_type::text),
        ('frame_departement', st.departement),
        ('frame_sites', CASE WHEN st.n_sites = 1 THEN 'monosite'
                             WHEN st.n_sites > 1 THEN 'multisite' END),
        ('frame_aci_signatory', CASE st.aci_signatory WHEN true THEN 'oui'
                                     WHEN false THEN 'non' END),
        ('frame_cpts', st.cpts::text),
        ('frame_cls', st.cls::text),
        ('frame_federation_member', st.federation_member::text))
        AS v (var_key, category)
     WHERE p.study_id = p_study AND p.active
$$;
