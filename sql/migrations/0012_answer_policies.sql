-- The answer policies of 0006 wrote "response_id IN (SELECT response_id
-- FROM msp.response)".  PostgreSQL plans that as a hashed subplan: every
-- INSERT of answers read the whole (visible) response table first, so a
-- submission got slower as responses accumulated (bench/api.sh showed
-- one sequential scan of msp.response per submission).  A correlated
-- EXISTS asks the same question through the primary key.  The rows a
-- policy admits are unchanged: the subquery still runs under the
-- response policies.

DROP POLICY visible ON msp.answer;
DROP POLICY team_insert ON msp.answer;
DROP POLICY team_update ON msp.answer;
DROP POLICY team_delete ON msp.answer;

CREATE POLICY visible ON msp.answer FOR SELECT TO msp_team, msp_federation
    USING (EXISTS (SELECT 1 FROM msp.response r
                    WHERE r.response_id = answer.response_id));
CREATE POLICY team_insert ON msp.answer FOR INSERT TO msp_team
    WITH CHECK (EXISTS (SELECT 1 FROM msp.response r
                         WHERE r.response_id = answer.response_id));
CREATE POLICY team_update ON msp.answer FOR UPDATE TO msp_team
    USING (EXISTS (SELECT 1 FROM msp.response r
                    WHERE r.response_id = answer.response_id))
    WITH CHECK (EXISTS (SELECT 1 FROM msp.response r
                         WHERE r.response_id = answer.response_id));
CREATE POLICY team_delete ON msp.answer FOR DELETE TO msp_team
    USING (EXISTS (SELECT 1 FROM msp.response r
                    WHERE r.response_id = answer.response_id));
