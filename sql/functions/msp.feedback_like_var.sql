-- Who "teams like yours" are on a team's feedback page (« restitution »,
-- fcgi/restitution.c): the report variable the page's --by splits study
-- p_study's region by, with --by-role works_with_users: the users'
-- group (msp.report_role 'users_group', both instruments), else the
-- stage on the continuum.  NULL: the instrument has neither.
--
-- The users' group first: its two groups are wide, where the
-- continuum's five stages split a region so finely that the audited
-- release hid most of what a stage's teams do, and the rest of the
-- federation's releases paid for it (tests/check_lp on Occitanie 2024:
-- 109 figures in the plan instead of 42, 103 cells of the region report
-- shown instead of 108; with the users' group, 47 and 108).  The team's
-- stage has a section of its own on the page.
--
-- One rule for both readers: the page asks which release to show, and
-- the disclosure audit (lib/report/audit.c) reads that release among a
-- federation's, so that a protection run stores it
-- (msp.federation_release) and the page never counts.
CREATE OR REPLACE FUNCTION msp.feedback_like_var(p_study integer)
RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog AS $$
    SELECT rr.var_key
      FROM msp.study s
      JOIN msp.instrument i ON i.instrument_id = s.instrument_id
      JOIN msp.report_role rr ON rr.instrument_slug = i.slug
     WHERE s.study_id = p_study
       AND rr.role IN ('continuum', 'users_group')
     ORDER BY rr.role = 'users_group' DESC, rr.position
     LIMIT 1
$$;
REVOKE ALL ON FUNCTION msp.feedback_like_var(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION msp.feedback_like_var(integer)
    TO msp_team, msp_federation, msp_analyst;
