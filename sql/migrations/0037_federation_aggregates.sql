-- A federation never reads rows, only aggregates (issue 19, item 1).
--
-- Until now msp_federation read, under Row-Level Security, every row of
-- its region: responses, answers (free text included), interviews and
-- their coded verbatims, coded answers, staff head counts, and the
-- running totals with every word of every open answer.  The report only
-- printed aggregates, but GET /api/v1/responses, msp-report export and
-- any SQL written under the token got the rows.  From here a federation
-- token reads counts through the SECURITY DEFINER functions of
-- sql/functions/ (msp.report_counts, msp.report_population,
-- msp.report_frame_counts, msp.report_frame_cells, msp.report_cell_counts,
-- msp.report_words, msp.report_has_*), which check the token's kind
-- (msp.report_scope: never the role, since msp_app, which the workers
-- log in as, is a member of msp_federation) and return grouped counts.
--
-- Kept, for the fieldwork a federation runs (invitations, reminders,
-- the monitor: it knows who answered, never what): its region's frame,
-- msp.structure and msp.population, and the invitation log msp.contact.
-- Reference and report-definition tables stay readable by everyone.

REVOKE SELECT ON msp.response, msp.answer, msp.interview, msp.segment,
    msp.answer_code, msp.structure_staff, msp.answer_tally, msp.word_tally
    FROM msp_federation;

-- The policies that let it read them go too, so that a grant given back
-- by mistake still shows a federation nothing (the tables keep RLS on).
ALTER POLICY visible ON msp.response TO msp_team;
ALTER POLICY visible ON msp.answer TO msp_team;
ALTER POLICY visible ON msp.interview TO msp_team;
ALTER POLICY visible ON msp.segment TO msp_team;
ALTER POLICY visible ON msp.answer_code TO msp_team;
ALTER POLICY visible ON msp.structure_staff TO msp_team;
DROP POLICY federation ON msp.answer_tally;
DROP POLICY federation ON msp.word_tally;

-- msp.whole_studies() only served those two policies and the report's
-- choice of the totals, which msp.report_whole makes inside the
-- functions now.  Its file is gone.
DROP FUNCTION msp.whole_studies();

-- A read path must not write: the federation's report no longer folds
-- the running totals (its functions read them as they are), and
-- msp.tally_compact.sql no longer grants it.  The function exists here
-- only in a database migrated before (a new one gets it from its file,
-- after the migrations).
DO $$
BEGIN
    IF to_regprocedure('msp.tally_compact(integer)') IS NOT NULL THEN
        REVOKE EXECUTE ON FUNCTION msp.tally_compact(integer)
            FROM msp_federation;
    END IF;
END
$$;
