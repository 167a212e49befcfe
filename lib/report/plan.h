/*
 * plan — a study's protection plan, as the reports read it (issue 19,
 * item 2; migration 0048, docs/report.md "The protection plan").
 *
 * The plan names the figures (figure_id.h) that a federation's reports
 * of a closed study hide in EVERY report where they appear, decided
 * jointly over all of them by msp-report disclosure-protect
 * (protect.h).  A report applies it before each block's own
 * elimination (release.h: forced).  A closed study whose plan is
 * stale (other data, another threshold) or unfinished is refused,
 * never printed with a plan that no longer holds.  A federation reads
 * a protected study's stored release (report_stored.c) and nothing
 * else; the plan applies to the counted reports of a protection run,
 * and of an owner's or analyst's preview (report_options.preview),
 * which are released block by block when the study has no plan.
 * msp-report study close and disclosure-protect make the plan
 * (docs/report.md).
 */
#ifndef MSP_REPORT_PLAN_H
#define MSP_REPORT_PLAN_H

#include <stddef.h>

#include <libpq-fe.h>

#include "msp_error.h"

/* The figures of a plan, sorted (strcmp) for plan_hides(). */
struct plan {
	char **figures;
	size_t n;
};

/* The refusal's message starts with this, for programs: the reports
 * of a closed study wait for msp-report disclosure-protect. */
#define PLAN_REFUSAL "la diffusion de cette étude est à recalculer"

/* A federation's report of an open study starts its refusal with
 * this: its reports are published when it closes (report_stored.c). */
#define PLAN_OPEN_REFUSAL "étude ouverte"

/* ... and of a closed study never protected, with this. */
#define PLAN_UNPUBLISHED "pas encore publiée"

/* ... and a comparison that is not published (a compared study not
 * published), with this. */
#define PLAN_COMPARE_REFUSAL "comparaison non publiée"

/*
 * The plan of study_id for the token of conn's transaction, into *out
 * (the caller's: plan_free).  *out is NULL when the study is not closed
 * or never protected (no plan applies) and, for a closed study, the
 * plan when it holds, or when this is the protection run's own token.
 * Otherwise fails with MSP_ECONFLICT, a message starting with
 * PLAN_REFUSAL that names the study (slug) and why (stale,
 * unfinished); MSP_EDB, MSP_ENOMEM.
 */
enum msp_status plan_load(PGconn *conn, int study_id, const char *slug,
			  struct plan **out, struct msp_error *err);

/* Whether p names figure id; NULL p names none. */
int plan_hides(const struct plan *p, const char *id);

void plan_free(struct plan *p);

#endif
