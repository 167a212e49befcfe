-- Whether a study takes answers today, as the form and the list of
-- forms show it before anyone types (issue 18's Done-when: a closed
-- study's form must say so, not show the questions):
--   'draft'     the test mode: the form works, its answers are tests
--   'open'      the form works
--   'closed'    closed by 'msp-report study close', or its closing
--               date has passed
--   'not-open'  open, but its opening date is to come
-- NULL for an unknown study.  The same rule as the trigger that refuses
-- the answers themselves (msp.study_accepts_response, MSPS1/MSPS2),
-- which stays the guard: this only spares a team the questions of a
-- study that would refuse them.  Read by the worker (msp_app) on each
-- form request, so a study closed a second ago is shown closed.
CREATE OR REPLACE FUNCTION msp.study_door(p_study_id integer) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT CASE
             WHEN s.state = 'draft' THEN 'draft'
             WHEN s.state = 'closed'
               OR s.closes_on < msp.study_today() THEN 'closed'
             WHEN s.opens_on > msp.study_today() THEN 'not-open'
             ELSE 'open'
           END
      FROM msp.study s
     WHERE s.study_id = p_study_id
$$;
REVOKE ALL ON FUNCTION msp.study_door(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.study_door(integer) TO msp_app;
