/*
 * protect — a study's protection plan, made by auditing (issue 19,
 * item 2; msp-report disclosure-protect, docs/report.md).
 *
 * Audit and fix, as τ-ARGUS does (Hundepool et al. 2012, Statistical
 * Disclosure Control, §4.3-4.4: interval protection, then hide more):
 * the reports a federation of the study's region may ask are audited
 * (audit.h) under a transient federation token that the run creates
 * and revokes (msp.disclosure_plan_begin/_end); while a hidden figure
 * fails the criterion, the plan grows and the audit runs again:
 *   - a failing figure printed somewhere (hidden in one report, shown
 *     in another) joins the plan itself: it is then hidden everywhere;
 *   - otherwise the nearest published figure that shares a relation
 *     with it joins, the smallest of the nearest (never one the layout
 *     always publishes: the response count); when none does, the
 *     smallest published figure of its variable, and the run says so
 *     ("élargi");
 *   - the region report last: a figure that blanks one of its figures
 *     (its own, "|ALL", or the same count under another name: a --by
 *     group's head count) joins only when no other is found, and not
 *     in a round that already hides a figure near the failing one,
 *     which then waits for the next audit (docs/report.md, "Hiding
 *     less": the loop that took the smallest figure first blanked 62
 *     of the 132 count cells of Occitanie 2024's region report);
 *   - a "< t" that no hiding can widen (audit_lp_inherent: other
 *     labels alone narrow it) joins the plan itself: the reports then
 *     show it as "s" (release.h: forced), which says x >= 0 only, and
 *     it is judged as one; counted apart (inherent_after) only when
 *     that is not possible (a figure of another study's column).
 * Each round is stored (msp.disclosure_plan_add); the reports apply
 * the plan before each block's own elimination (release.h: forced),
 * which may hide more around it.  Hiding only grows, so the loop ends:
 * when the audit passes, or when no published figure is left to hide
 * for the failing ones (a figure that a relation with figures always
 * published pins is never chosen: hiding it gives nothing).  The plan
 * then holds, with the figures still failing counted (fails_after):
 * some relations cannot be protected by hiding (docs/report.md, "What
 * the loop cannot fix").  A round cap turns a run that does not end
 * into an error.
 *
 * A comparison's columns of other regions are other studies' figures
 * (no relation crosses columns): they do not count here.
 */
#ifndef MSP_REPORT_PROTECT_H
#define MSP_REPORT_PROTECT_H

#include <stddef.h>

#include <libpq-fe.h>

#include "msp_error.h"

/* Rounds before a run gives up.  The plan only grows, so a run ends;
 * the cap bounds its time.  A 60-response study of the PdL instrument
 * whose --by splits are published took 54 rounds (tests/waves.test's
 * pdl-2025, 2026-12-04), so 40 was too few. */
#define PROTECT_MAX_ROUNDS 100

struct protect_options {
	const char *token;	/* the caller's: analyst; NULL: owner */
	const char *study;	/* slug of a closed study */
	unsigned max_rounds;	/* 0: PROTECT_MAX_ROUNDS */
	/* each round's line, in French (NULL: silent) */
	void (*progress)(void *arg, const char *line);
	void *arg;
};

struct protect_result {
	unsigned rounds;	/* audits run, the last one passing */
	size_t hidden_before;	/* hidden figures, before the plan */
	size_t fails_before;	/* of which failing */
	size_t hidden_after;	/* hidden figures, the plan applied */
	size_t fails_after;	/* still failing: 0 when the audit passed */
	/* of which "< t" narrowed by the other labels and the figures
	 * always printed alone (audit_lp_inherent): no hiding widens them,
	 * and the loop hides nothing for them */
	size_t inherent_after;
	size_t planned;		/* figures the plan names */
	size_t widened;		/* failing figures with no published
				 * figure in their relations */
	/* "< t" that the other labels narrow, which the plan names so
	 * that the reports show them "s" */
	size_t relabelled;
	/* reports stored as the study's federation releases
	 * (msp.federation_release): every report of the last audit that
	 * the server did not refuse */
	size_t released;
};

struct audit;

/* Whether figure i of a is printed and no plan can hide it (the
 * responses, the study's head count, another study's comparison
 * column): the fixed() of audit_lp_inherent, region the study's
 * region's slug when the comparison shows the study, else NULL. */
int protect_fixed(const struct audit *a, size_t i, const void *region);

/*
 * Makes the protection plan of o->study (closed) on conn, which must be
 * idle (no transaction).  On success *res says what it did; the plan
 * holds until the study's data or the threshold change; res->fails_after
 * says whether the audit passed (0).  When the run ends, every report
 * its last audit read (the server refusing none of them) is stored as
 * the study's federation releases, before the plan is marked complete
 * (msp.federation_release_store: docs/report.md, "Stored releases").
 * Fails with MSP_EINVAL (no such study, not closed), MSP_ECONFLICT (no
 * end within the round cap: the plan is left unfinished, so the study's
 * federation reports stay refused), MSP_EDB (among others, 42501 for a
 * caller neither analyst nor owner; a failure to store the releases
 * leaves the plan unfinished), MSP_ENOMEM.  The transient token is
 * revoked on every path that reached the database.
 */
enum msp_status protect_study(PGconn *conn, const struct protect_options *o,
			      struct protect_result *res,
			      struct msp_error *err);

#endif
