-- A federation's fieldwork monitor (msp-report fieldwork) of study
-- p_study: for each active structure of the frame, its département,
-- type and federation membership, whether it was invited, opened its
-- link, and whether it saved ('partial') or sent ('complete') a
-- response.  The federation runs the fieldwork of its region (0037
-- leaves it the frame and the contact log): it knows who answered,
-- never what, so this reads msp.response for the status alone, as the
-- owner, since a federation no longer reads that table.
--
-- Its own region's studies only: another region's fieldwork is not a
-- comparison of aggregates but that region's work in progress, so it is
-- refused (42501, « hors de votre périmètre »), as is any token but a
-- federation's (the owner and analysts read the tables themselves).
CREATE OR REPLACE FUNCTION msp.fieldwork_frame(p_study integer)
RETURNS TABLE (departement text, structure_type text,
               federation_member text, invited boolean, opened boolean,
               status text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
#variable_conflict use_column
DECLARE
    t msp.access_token := msp.current_token();
BEGIN
    IF t.kind IS DISTINCT FROM 'federation' THEN
        RAISE EXCEPTION 'ce suivi est réservé aux jetons de fédération'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM msp.study s
                    WHERE s.study_id = p_study
                      AND s.region_id = t.region_id) THEN
        RAISE EXCEPTION 'suivi du terrain de l''étude % hors de votre '
            'périmètre : il appartient à la fédération de sa région',
            p_study USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN QUERY
    SELECT coalesce(st.departement, ''),
           coalesce(st.structure_type::text, ''),
           coalesce(st.federation_member::text, ''),
           EXISTS (SELECT 1 FROM msp.contact c
                    WHERE c.study_id = p.study_id
                      AND c.structure_id = p.structure_id
                      AND c.kind = 'invitation'),
           p.invitation_opened_at IS NOT NULL,
           CASE WHEN EXISTS (SELECT 1 FROM msp.response r
                     WHERE r.study_id = p.study_id
                       AND r.structure_id = p.structure_id
                       AND r.status = 'complete') THEN 'complete'
                WHEN EXISTS (SELECT 1 FROM msp.response r
                     WHERE r.study_id = p.study_id
                       AND r.structure_id = p.structure_id)
                THEN 'partial' ELSE '' END
      FROM msp.population p
      JOIN msp.structure st ON st.structure_id = p.structure_id
     WHERE p.study_id = p_study AND st.region_id = t.region_id;
END
$$;
REVOKE ALL ON FUNCTION msp.fieldwork_frame(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.fieldwork_frame(integer) TO msp_federation;
