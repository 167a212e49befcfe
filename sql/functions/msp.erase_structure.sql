-- Removes every row about structure p_structure, in one transaction:
-- its coded answers, answers, responses, interviews and their segments,
-- contact log, population rows, staff counts, the tokens bound to it,
-- the cached report counts of the studies it took part in, the
-- structure itself, and the audit rows about any of these (including
-- those the deletes below make through the triggers of 0005).  Then
-- writes one audit row, operation ERASE, saying when, who and how many
-- rows of each table went.
--
-- That record holds no identifier, no pseudonym, no hash of either and
-- no structure number: any function of the identifier or of the
-- pseudonym can be recomputed by whoever holds the server secret and
-- the team's name, which would let the operator recognise the erased
-- team later, the very link erasure has to cut.  The team gets its
-- proof of erasure from the command's output at the time.
--
-- Returns one row per table, in the order they were emptied.  An
-- unknown structure raises no_data_found (P0002) and changes nothing.
-- Only the owner may call it: no role is granted EXECUTE.
CREATE OR REPLACE FUNCTION msp.erase_structure(p_structure integer)
RETURNS TABLE (table_name text, removed bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    v_responses bigint[];
    v_interviews bigint[];
    v_studies integer[];
    v_counts jsonb := '{}';
    v_audit bigint;
    t record;
    n bigint;
BEGIN
    -- FOR UPDATE: a concurrent submission for this structure (its
    -- foreign key takes a KEY SHARE lock on the row) waits, then fails,
    -- instead of leaving a response behind.
    PERFORM 1 FROM msp.structure s
      WHERE s.structure_id = p_structure FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no structure %', p_structure
            USING ERRCODE = 'no_data_found';
    END IF;

    -- What the audit trail still remembers counts too: a response or an
    -- interview deleted earlier left its rows (and those of the answers
    -- and segments that named it) in the log.
    SELECT coalesce(array_agg(DISTINCT x.id), '{}') INTO v_responses
      FROM (SELECT r.response_id AS id FROM msp.response r
             WHERE r.structure_id = p_structure
            UNION ALL
            SELECT l.row_id FROM msp_audit.log l
             WHERE l.table_name = 'response'
               AND l.structure_id = p_structure) x;
    SELECT coalesce(array_agg(DISTINCT x.id), '{}') INTO v_interviews
      FROM (SELECT i.interview_id::bigint AS id FROM msp.interview i
             WHERE i.structure_id = p_structure
            UNION ALL
            SELECT l.row_id FROM msp_audit.log l
             WHERE l.table_name = 'interview'
               AND l.structure_id = p_structure) x;
    SELECT coalesce(array_agg(DISTINCT x.id), '{}') INTO v_studies
      FROM (SELECT r.study_id AS id FROM msp.response r
             WHERE r.structure_id = p_structure
            UNION ALL
            SELECT p.study_id FROM msp.population p
             WHERE p.structure_id = p_structure) x;

    -- The audit rows there were: the deletes below add their own, which
    -- go too but were never data.
    SELECT count(*) INTO v_audit FROM msp_audit.log l
     WHERE msp_audit.about_structure(l, p_structure, v_responses,
                                     v_interviews);

    -- Children before parents, so that every count is this function's
    -- own and no cascade deletes behind its back.  $1: the responses,
    -- $2: the interviews, $3: the structure, $4: the studies.
    FOR t IN SELECT v.tab, v.cond FROM (VALUES
            ('answer_code', 'response_id = ANY ($1)'),
            ('answer', 'response_id = ANY ($1)'),
            ('response', 'structure_id = $3'),
            ('segment', 'interview_id = ANY ($2)'),
            ('interview', 'structure_id = $3'),
            ('contact', 'structure_id = $3'),
            ('population', 'structure_id = $3'),
            ('structure_staff', 'structure_id = $3'),
            ('access_token', 'structure_id = $3'),
            -- whole-study counts that included its answers
            ('report_cache', 'study_id = ANY ($4)'),
            ('structure', 'structure_id = $3')) AS v (tab, cond)
    LOOP
        EXECUTE format('DELETE FROM msp.%I WHERE %s', t.tab, t.cond)
            USING v_responses, v_interviews, p_structure, v_studies;
        GET DIAGNOSTICS n = ROW_COUNT;
        v_counts := v_counts || jsonb_build_object(t.tab, n);
        table_name := t.tab;
        removed := n;
        RETURN NEXT;
    END LOOP;

    -- Last, so that the rows the audit triggers wrote for the deletes
    -- above go too.
    DELETE FROM msp_audit.log l
     WHERE msp_audit.about_structure(l, p_structure, v_responses,
                                     v_interviews);
    table_name := 'audit_log';
    removed := v_audit;
    RETURN NEXT;
    v_counts := v_counts || jsonb_build_object('audit_log', v_audit);

    INSERT INTO msp_audit.log (db_role, actor, table_name, operation,
                               new_row)
    VALUES (session_user, msp_audit.current_actor(), 'structure', 'ERASE',
            jsonb_build_object('removed', v_counts));
END
$$;
REVOKE ALL ON FUNCTION msp.erase_structure(integer) FROM PUBLIC;
