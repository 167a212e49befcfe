-- The step every submission path shares: store new responses, or find
-- the one a repeated idempotency key already stored.  msp.api_submit and
-- msp.import_response pass one row, msp.api_submit_many a token's whole
-- batch (one INSERT, so the statement-level triggers fire once for
-- all), msp.form_submit one row whose replay it handles itself.
--
-- Rows are inserted in their order in p_rows.  Within p_rows, only the
-- first row of a key is inserted; a later one replays it, as it would
-- one call later.  A row whose insert meets an existing key (or, for
-- the form, an existing resume hash) is not stored and is looked up by
-- its key instead: replayed, with same_request telling whether the
-- stored request_sha256 is the row's (response_id NULL if no row has
-- the key: the conflict was on the resume hash).  ON CONFLICT DO
-- NOTHING waits for a concurrent insert of the same key, and the
-- lookup, a statement of its own, then sees it.
--
-- ord: the row's place in p_rows, from 1.  Runs with the caller's
-- rights: under a tenant role the policies of msp.response apply to
-- both the insert and the lookup.  The caller stores the answers of
-- the rows not replayed.
CREATE OR REPLACE FUNCTION msp.insert_or_replay(p_rows msp.new_response[])
RETURNS TABLE (ord integer, response_id bigint, replayed boolean,
               same_request boolean)
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    v_ids bigint[];
    v_keys text[];
BEGIN
    WITH stored AS (
        INSERT INTO msp.response AS r (study_id, instrument_id,
            structure_id, respondent_role, started_at, submitted_at,
            status, idempotency_key, request_sha256, resume_sha256)
        SELECT n.study_id, n.instrument_id, n.structure_id,
               n.respondent_role, coalesce(n.started_at, now()),
               n.submitted_at, n.status, n.idempotency_key,
               n.request_sha256, n.resume_sha256
          FROM unnest(p_rows) WITH ORDINALITY AS n
         WHERE n.ordinality = (SELECT min(e.ordinality)
                                 FROM unnest(p_rows) WITH ORDINALITY AS e
                                WHERE e.idempotency_key = n.idempotency_key)
         ORDER BY n.ordinality
        ON CONFLICT DO NOTHING
        RETURNING r.response_id, r.idempotency_key)
    SELECT array_agg(stored.response_id), array_agg(stored.idempotency_key)
      INTO v_ids, v_keys
      FROM stored;

    -- Stored now: known without a lookup.
    RETURN QUERY
    SELECT min(n.ordinality)::integer, s.id, false, true
      FROM unnest(p_rows) WITH ORDINALITY AS n
      JOIN unnest(v_ids, v_keys) AS s(id, k) ON s.k = n.idempotency_key
     GROUP BY s.id;
    -- Replayed: a key stored before, or earlier in p_rows.
    RETURN QUERY
    SELECT n.ordinality::integer, r.response_id, true,
           r.request_sha256 IS NOT DISTINCT FROM n.request_sha256
      FROM unnest(p_rows) WITH ORDINALITY AS n
      LEFT JOIN msp.response r ON r.idempotency_key = n.idempotency_key
     WHERE n.ordinality <> ALL (
           SELECT min(e.ordinality)
             FROM unnest(p_rows) WITH ORDINALITY AS e
             JOIN unnest(v_keys) AS s(k) ON s.k = e.idempotency_key
            GROUP BY e.idempotency_key);
END
$$;
REVOKE ALL ON FUNCTION msp.insert_or_replay(msp.new_response[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.insert_or_replay(msp.new_response[])
    TO msp_team, msp_analyst;
