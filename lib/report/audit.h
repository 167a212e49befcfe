/*
 * audit — what a federation's reader can still say about each figure
 * the reports hide (issue 19, item 2: msp-report disclosure-audit).
 *
 * The audit fetches, under one token, every report a federation may ask
 * about its region's study (the region report and --by each variable
 * the report accepts, under the four missing-data rules; --nonresponse,
 * the region comparison, --has, --terms of each open item, and the --by
 * of a team's feedback page: msp.feedback_like_var with --by-role
 * works_with_users) as JSON, and rebuilds from the PUBLISHED figures
 * only, with its own code (not release.c's model), the linear relations
 * a reader sees:
 *   - a variable's categories and missing answers add up to the head
 *     count of their column; a number's answered and missing too;
 *   - a percentage gives back its denominator (the rows it counts);
 *   - a --by table's groups and the responses in none (the remainder)
 *     add up to its total column, and a group's head count is the
 *     category count of the region report;
 *   - the same figure in several reports is one unknown (the region
 *     report's count under every rule, a --by table's total column).
 * A figure hidden in one place and printed in another is known.
 *
 * Each hidden figure x then gets the interval [lo, hi] that linear
 * programming gives (lib/lp.c): min and max of x subject to the
 * relations, every unknown >= 0, and what the display says: a count
 * shown "< t" (primary) lies in [1, t - 1].  Integers are not assumed
 * (the LP relaxation: an interval at least as wide as the integer one).
 *
 * The criterion (the lead's decision, session 14; τ-ARGUS's protection
 * levels are set on sensitive cells, Hundepool et al. 2012, Statistical
 * Disclosure Control, §4.3 and §5.2):
 *   - a primary figure ("< t") FAILS when its interval, with every
 *     "< t" label as a [1, t - 1] bound, is narrower than [1, t - 1]
 *     (the reader learns more than "< t");
 *   - a complementary one ("s") FAILS when its interval for a reader
 *     who knows the published numbers and x >= 0 but IGNORES the "< t"
 *     labels (free_lo, free_hi) is narrower than t: a width that the
 *     labels alone then take away discloses what the labels say, a
 *     primary's range, not the "s" (an "s" that is a linear function
 *     of one "< t" alone is t - 2 wide whatever is hidden).
 * The labelled LP stays the one for primaries, so the labels cannot be
 * used against them.  The strict verdict (an "s" judged on its
 * labelled interval, lo and hi) is counted too, without fails_only.
 */
#ifndef MSP_REPORT_AUDIT_H
#define MSP_REPORT_AUDIT_H

#include <stddef.h>

#include <libpq-fe.h>

#include "lp.h"
#include "msp_error.h"

struct audit_options {
	const char *token;	/* MSP_TOKEN: whose reports; NULL: none */
	const char *region;	/* slug or name */
	const char *study;	/* NULL: the region's latest */
	/* regions to compare with (commas), NULL: every region that has a
	 * study */
	const char *compare;
	/* decide only which figures fail (the protection loop): a figure
	 * whose LP points already spread wider than the criterion asks is
	 * not bounded further, so its [lo, hi] is then only a part of its
	 * interval (every point seen is feasible); an "s" is then bounded
	 * without the labels only (its lo, hi are its free_lo, free_hi)
	 * and the strict verdict is not counted */
	int fails_only;
	/* keep each part's request key and JSON (audit_part: request,
	 * json): a protection run stores them as the study's federation
	 * releases when it ends (protect.c, msp.federation_release) */
	int keep_documents;
	/* count every report (report_options.live): the protection run's,
	 * under its own token, the only one the database lets count a
	 * study whose plan exists; otherwise a protected study's reports
	 * are its stored releases, and the audit reads those */
	int live;
};

/* One figure of the reports: a count, wherever it is printed. */
struct audit_figure {
	char *key;		/* "var|category|column", the identity */
	char *where;		/* the first place it is hidden (or shown) */
	int hidden;		/* hidden somewhere */
	int known;		/* printed somewhere: value */
	double value;
	unsigned below;		/* shown "< below" somewhere: primary */
	int solved;		/* lo, hi hold its interval */
	double lo, hi;		/* hi: LP_INF when unbounded */
	/* "s" only: its interval ignoring the "< t" labels (every
	 * unknown >= 0 only), the one the criterion judges */
	int free_solved;
	double free_lo, free_hi;
	int fails;		/* the criterion (above) */
	int strict_fails;	/* an "s" judged on [lo, hi], as a "< t" */
};

/* A relation: the sum of coef * figure over its terms = rhs. */
struct audit_relation {
	size_t first, nterms;	/* in audit.terms */
	double rhs;
	size_t part;
	const char *what;	/* static text */
};

struct audit_term {
	size_t fig;
	double coef;
};

/* One report fetched: "région (nsp keep, missing exclude)", "--by X". */
struct audit_part {
	char *name;
	size_t hidden, primary, fails;
	int refused;		/* the report refused the request */
	/* with keep_documents, a part not refused: its request's key
	 * (request_key.h) and its JSON as format_render() wrote it, the
	 * audit's (audit_free); else NULL */
	char *request;
	char *json;
};

/* Where a figure is hidden: one per hidden cell of each part. */
struct audit_occurrence {
	size_t fig, part;
};

struct audit {
	unsigned threshold;
	int fails_only;		/* audit_options' */
	struct audit_figure *figs;
	size_t nfigs, capfigs;
	/* figures by identity: open addressing, SIZE_MAX when free;
	 * nslots a power of two, at least twice nfigs */
	size_t *slots, nslots;
	struct audit_relation *rels;
	size_t nrels, caprels;
	struct audit_term *terms;
	size_t nterms, capterms;
	struct audit_part *parts;
	size_t nparts, capparts;
	struct audit_occurrence *occs;
	size_t noccs, capoccs;
	/* checks of the audit's own model, 0 on true figures: a figure
	 * printed with two values, a relation of printed figures only
	 * that does not hold, an LP without solution */
	size_t conflicts, relations_off, infeasible;
	size_t lps;		/* LPs solved */
	size_t fails;		/* hidden figures that fail */
	/* of which: given back exactly (lo = hi), a "< t" narrowed, an
	 * "s" narrower than t without the labels but not exact */
	size_t exact, primary_narrowed, complementary_narrow;
	/* the strict verdict (not with fails_only): the "< t" narrowed
	 * and every "s" whose labelled interval is narrower than t;
	 * strict_complementary: those "s" */
	size_t strict_fails, strict_complementary;
};

/*
 * Runs the audit o asks for on conn.  On success *out is the caller's
 * (audit_free).  Fails with MSP_EACCESS (an unknown token), MSP_EINVAL
 * (an unknown region or study), MSP_EDB, MSP_ENOMEM; *out is then NULL.
 * A report the server refuses (a --by it does not take) is a part
 * marked refused, not a failure.
 */
enum msp_status audit_run(PGconn *conn, const struct audit_options *o,
			  struct audit **out, struct msp_error *err);

void audit_free(struct audit *a);

/* The LP of figure fig: the relations of its connected component with
 * the known figures put in, the bounds, and c = e_var (minimise). */
struct audit_lp {
	struct lp_problem p;
	size_t var;		/* fig's column */
	double *a, *b, *c, *lo, *hi;
	size_t *cols;		/* each column's figure */
};

/* Builds fig's LP into *lp (audit_lp_clear frees it): with labels,
 * every "< t" unknown bounded to [1, t - 1]; without, every unknown
 * only >= 0 (the criterion's model for an "s").  MSP_ENOMEM. */
enum msp_status audit_lp_make(const struct audit *a, size_t fig, int labels,
			      struct audit_lp *lp, struct msp_error *err);

/*
 * The LP that says whether a narrowed "< t" fig can be widened by
 * hiding more: the relations that hold fig only, over every figure in
 * them unknown (>= 0, each "< t" in [1, t - 1]) but those fixed(a, i,
 * arg) says no plan can hide (put in as constants).  Hiding more only
 * turns printed figures into such unknowns, and dropping relations only
 * widens an interval: when fig is narrower than [1, t - 1] even here,
 * its narrowing comes from the other labels and what is always
 * printed, and no hiding undoes it.  Into *lp as audit_lp_make;
 * MSP_ENOMEM.
 */
enum msp_status audit_lp_inherent(const struct audit *a, size_t fig,
				  int (*fixed)(const struct audit *a, size_t i,
					       const void *arg),
				  const void *arg, struct audit_lp *lp,
				  struct msp_error *err);

void audit_lp_clear(struct audit_lp *lp);

#endif
