-- Whether audit row l is about structure p_structure, whose responses
-- and interviews (past and present) are p_responses and p_interviews:
-- answers, codings, resolutions (0046), segments, transcripts and memos name their response
-- or interview only inside the row they logged (transcripts: row_id is
-- the interview's; memos name one or the other, or a code, which is
-- about nobody).
CREATE OR REPLACE FUNCTION msp_audit.about_structure(l msp_audit.log,
    p_structure integer, p_responses bigint[], p_interviews bigint[])
RETURNS boolean LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
    SELECT coalesce(l.structure_id = p_structure, false)
        OR CASE l.table_name
           WHEN 'response' THEN l.row_id = ANY (p_responses)
           WHEN 'interview' THEN l.row_id = ANY (p_interviews)
           WHEN 'interview_transcript' THEN l.row_id = ANY (p_interviews)
           WHEN 'answer' THEN (coalesce(l.new_row, l.old_row)
                               ->> 'response_id')::bigint = ANY (p_responses)
           WHEN 'answer_code' THEN (coalesce(l.new_row, l.old_row)
                               ->> 'response_id')::bigint = ANY (p_responses)
           WHEN 'answer_resolution' THEN (coalesce(l.new_row, l.old_row)
                               ->> 'response_id')::bigint = ANY (p_responses)
           WHEN 'segment' THEN (coalesce(l.new_row, l.old_row)
                               ->> 'interview_id')::bigint
                               = ANY (p_interviews)
           WHEN 'memo' THEN coalesce((coalesce(l.new_row, l.old_row)
                               ->> 'response_id')::bigint
                               = ANY (p_responses), false)
                         OR coalesce((coalesce(l.new_row, l.old_row)
                               ->> 'interview_id')::bigint
                               = ANY (p_interviews), false)
           ELSE false END
$$;
REVOKE ALL ON FUNCTION msp_audit.about_structure(msp_audit.log, integer,
    bigint[], bigint[]) FROM PUBLIC;
