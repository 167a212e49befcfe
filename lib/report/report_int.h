/*
 * report_int — what the report modules share; not an API.
 *
 * report_data.c   the study, its variables and the frequency tables
 *                 (every SQL statement of the report is there)
 * report_xtab.c   a variable's counts to its release (release.h), and
 *                 the release as table rows: percentages, intervals,
 *                 tests
 * report.c        the sections: region report, --by, --nonresponse,
 *                 --compare, and report_build()
 * report_has.c    --has, the HAS crosswalk
 * report_terms.c  --terms, open-text term frequencies
 * report_weights.c --weights, non-response weighting from the frame
 *
 * Strings and arrays built here live in the document's arena
 * (report_doc.h), so they die with the document.
 */
#ifndef MSP_REPORT_INT_H
#define MSP_REPORT_INT_H

#include <libpq-fe.h>
#include <stddef.h>

#include "figure_id.h"
#include "instrument.h"
#include "plan.h"
#include "report.h"
#include "report_doc.h"
#include "tenant.h"

/* The most frequency tables one report computes and then caches. */
#define RCACHE_MAX 16

/* A frequency table computed in this report, to keep for the next
 * (msp.report_cache): its rows as a JSON array, in the document. */
struct rcache_entry {
	int study_id;
	const char *what;
	const char *json;
};

/* Everything one build needs: the connection, what was asked, where
 * the tables go, and who is asking. */
struct rctx {
	PGconn *conn;
	const struct report_options *opt;
	struct rdoc *doc;
	enum tenant_kind kind;
	int suppress;		/* a federation: disclosure control on */
	/* counts from 1 to threshold - 1 are hidden from a federation:
	 * opt->threshold, or msp.disclosure_policy's when that is 0 */
	unsigned threshold;
	/* a federation's token: the small-study rule's minimum (0052,
	 * msp.disclosure_policy.by_min_responses; 0: none), which the
	 * region report states when its --by splits are refused */
	unsigned by_minimum;
	size_t nomitted;	/* rare terms left out of the term lists */
	/* whole-study caches: for the owner and analysts only */
	int cache;
	char changes[24];	/* msp.data_changes() in our snapshot */
	struct rcache_entry pending[RCACHE_MAX];
	size_t npending;
	/* whole-study tables from the running totals (migration 0014)
	 * rather than the answers; the studies read, to fold after */
	int tally;
	int tally_studies[RCACHE_MAX];
	size_t ntally;
	/* the server is a hot standby: the cache is read, never
	 * written, and the totals are not folded (a write there fails,
	 * 25006) */
	int standby;
	/* a federation's report of one closed study: its protection plan
	 * (plan.h), which the study's columns apply */
	struct plan *plan;
	struct msp_error *err;
};

struct rcat {
	const char *code;
	const char *label;
	int dont_know;		/* "ne sait pas" (msp.report_dont_know) */
};

enum rvar_type {
	RV_CATEGORY,	/* single choice, boolean, derived category */
	RV_MULTI,	/* multiple choice: each option a yes/no */
	RV_NUMBER,	/* a number: median (min-max), mean */
	RV_TEXT,	/* an open answer: counted, terms on request */
};

/* A variable as the report shows it: an item, or a report variable
 * derived by msp.report_rule, or a frame characteristic. */
struct rvar {
	const char *key;
	const char *label;
	const char *note;	/* how it is derived, or NULL */
	enum rvar_type type;
	int derived;		/* msp.report_rule, not an item */
	int harmonised;		/* msp.report_variable.harmonised */
	int presence;		/* number that may be 0: also "at least one" */
	int conditional;	/* asked only when a "show if" holds */
	struct rcat *cats;	/* display order */
	size_t ncats;
};

struct rrole {
	const char *role;
	const char *var_key;
};

struct rstudy {
	int study_id;
	char id_text[16];	/* study_id as a statement parameter */
	const char *slug, *title;
	int year;
	char year_text[8];
	int instrument_id;
	char instrument_text[16];
	const char *instrument_slug, *instrument_title;
	const char *region_slug, *region_name;
	long target_size;	/* -1 when not recorded */
	int reconstructed;
	int synthetic;		/* made by msp-report generate */
	const char *source_note;
};

/* A study with its instrument and the variables a report can show. */
struct rsetup {
	struct rstudy study;
	struct instrument *ins;		/* malloc'd: rsetup_clear() */
	struct rvar *vars;		/* items, then report variables */
	size_t nvars;
	struct rrole *roles;		/* by role, then position */
	size_t nroles;
};

/*
 * A frequency table from the database: one row per (kind, variable,
 * value, group) with its count.  Kinds:
 *   'i' answers of an item with that value (value NULL: open answers)
 *   'd' responses whose derived variable has that category
 *   'a' responses that answered a multiple-choice item at all
 *   't' responses (variable and value NULL)
 *   'f' frame structures with that category (value NULL: unknown)
 * The group is NULL for a whole study; with --by it is the response's
 * group; for the frame, "t" (responded) or "f".
 */
struct rcount {
	char kind;
	const char *var, *val, *grp;
	unsigned long n;
};

struct rcounts {
	struct rcount *rows;	/* sorted by kind, var, grp, val */
	size_t n;
};

/* --- report_data.c ------------------------------------------------------ */

/* Reads the data's change count, so that frequency tables can come from
 * and go to msp.report_cache (c->cache must be set). */
enum msp_status rdata_cache_begin(struct rctx *c);

/* Stores the tables this report computed, in a transaction of its own
 * (after the report's read-only one).  A failure loses only the cache. */
enum msp_status rdata_cache_store(struct rctx *c);

/* Finds the region (slug or name, any case or accents) and its study
 * (slug, or the latest); fills *st with doc-owned strings. */
enum msp_status rdata_study(struct rctx *c, const char *region,
			    const char *study, struct rstudy *st);

/* Whether slug names a study (waves, --compare A,B): its region's slug
 * in *region and the slug of the study it follows in *follows (NULL
 * when none), doc-owned; *region NULL when no study is called slug. */
enum msp_status rdata_wave(struct rctx *c, const char *slug,
			   const char **region, const char **follows);

/* Loads st's instrument, variables and roles into *s. */
enum msp_status rdata_setup(struct rctx *c, const struct rstudy *st,
			    struct rsetup *s);
void rsetup_clear(struct rsetup *s);

/* The variable called key (a report variable first), or NULL. */
const struct rvar *rsetup_var(const struct rsetup *s, const char *key);

/* The variables of role, in order, into vars (at most max); count. */
size_t rsetup_role(const struct rsetup *s, const char *role,
		   const struct rvar **vars, size_t max);

/*
 * The study's frequency tables: items, derived variables, respondents
 * of multiple-choice items, responses; split by the variable by (NULL:
 * not split).
 */
enum msp_status rdata_counts(struct rctx *c, const struct rsetup *s,
			     const struct rvar *by, struct rcounts *out);

/* The frame's characteristics, split by participation (groups "t" and
 * "f") and for all (group NULL). */
enum msp_status rdata_frame(struct rctx *c, const struct rstudy *st,
			    struct rcounts *out);

/* --weights: the active frame's structures per weighting cell of the
 * frame variables vars (an array literal, "{frame_a,frame_b}") into
 * *cells (kind 'p', value the cell: categories joined by '\x1f'), and
 * the study's frequency tables split by the cell of each response's
 * structure into *out (group NULL: outside the frame; 'g': responses). */
enum msp_status rdata_counts_cells(struct rctx *c, const struct rsetup *s,
				   const char *vars, struct rcounts *cells,
				   struct rcounts *out);

/* The frame's size (all listed, the active ones) and how many of the
 * active ones responded (all 0 when the study has no frame); and how
 * many distinct structures sent a complete response, frame or not
 * (what Row-Level Security lets the caller see). */
enum msp_status rdata_population(struct rctx *c, const struct rstudy *st,
				 unsigned long *listed,
				 unsigned long *targeted,
				 unsigned long *responding,
				 unsigned long *respondents);

/* The words of the open answers to item: kind 'w' (value: the word as
 * written; n: times written) and 'v' (n: answers that write it). */
enum msp_status rdata_words(struct rctx *c, const struct rstudy *st,
			    const char *item, struct rcounts *out);

/* The frame variables (msp.report_variable frame_*) as rvars. */
enum msp_status rdata_frame_vars(struct rctx *c, struct rvar **vars,
				 size_t *n);

/* The count of (kind, var, val, grp), 0 when absent; NULL matches NULL. */
unsigned long rcounts_get(const struct rcounts *k, char kind,
			  const char *var, const char *val, const char *grp);

/* The sum over values of (kind, var, grp), NULL values excluded. */
unsigned long rcounts_sum(const struct rcounts *k, char kind,
			  const char *var, const char *grp);

/* Calls fn for each distinct non-NULL value of (kind, var) over all
 * groups, in sorted order.  -1 when out of memory, else 0. */
int rcounts_values(const struct rcounts *k, char kind, const char *var,
		   void (*fn)(void *arg, const char *val), void *arg);

/* The rows of (kind, var, grp), values in string order: *n of them
 * from the one returned (NULL value first). */
const struct rcount *rcounts_range(const struct rcounts *k, char kind,
				   const char *var, const char *grp,
				   size_t *n);

/* --- report_xtab.c ------------------------------------------------------ */

/* Where a column's counts come from. */
struct rcolsrc {
	const char *key, *label;
	const struct rcounts *counts;
	const char *grp;		/* group within counts, or NULL */
	/* 'f' for the frame; 0: 'd' for a derived variable, else 'i' */
	char value_kind;
	/* 't' or 'g' (the column's responses), or 0 for the frame: its
	 * structures, counted through variable n_var */
	char total_kind;
	const char *n_var;
	int is_total;			/* all of the others: not tested */
	/* for a federation: the protection plan of the column's study
	 * (NULL: none applies) and the column as the plan names its
	 * figures (figure_id.h; zeroed: the whole study) */
	const struct plan *plan;
	struct figure_col fig;
};

struct rlayout {
	struct rcolsrc *cols;
	size_t ncols;
	int test;		/* last column: the p-value of each variable */
	/* disclosure: cells of the head count row already hidden, one
	 * per column (NULL: none); a variable's margins inherit them */
	const int *hidden_n;
};

/* Appends the head count row ("Effectif") of lay to t, with its
 * disclosure control; hidden (lay->ncols) receives what it hid. */
enum msp_status rx_headcount(struct rctx *c, struct rtable *t,
			     const struct rlayout *lay, const char *label,
			     int *hidden);

/* A new table laid out for lay (plus the p column when asked). */
struct rtable *rx_table(struct rctx *c, const char *key, const char *title,
			const struct rlayout *lay);

/*
 * Appends variable v to table t: a header row, then one row per
 * category (or the number rows), with the missing and "ne sait pas"
 * answers treated as c->opt says, the test of independence across the
 * columns when lay->test, and disclosure control for a federation.
 */
enum msp_status rx_variable(struct rctx *c, struct rtable *t,
			    const struct rlayout *lay, const struct rvar *v);

/* The test rule rx_variable() applies, and the missing-data policy of
 * c->opt ("ne sait pas" and no answer: kept or excluded; doc-owned, NULL
 * when out of memory), as every comparison's note says them. */
extern const char rx_test_rule[];
const char *rx_policy_text(struct rctx *c);

/* The number of responses (or frame structures) of column src. */
unsigned long rx_column_n(const struct rcolsrc *src, const char *var);

/* --- report_has.c, report_terms.c --------------------------------------- */

enum msp_status report_has(struct rctx *c, const struct rstudy *studies,
			   size_t nstudies);
enum msp_status report_terms(struct rctx *c, const struct rsetup *s,
			     const struct rcounts *counts, const char *item,
			     unsigned top);

/* Appends to t the top terms of open item v: one row per term, with
 * its occurrences (first column, when with_occurrences) and the share
 * of the answered answers that use it. */
enum msp_status rterms_fill(struct rctx *c, const struct rsetup *s,
			    const struct rvar *v, unsigned long answered,
			    struct rtable *t, unsigned top,
			    int with_occurrences);

/* --weights: the weighted percentages and the weights' diagnostics. */
enum msp_status report_weights(struct rctx *c, const struct rsetup *s);

/* --- report_waves.c ------------------------------------------------------ */

/* Whether the names of --compare are studies (waves of one region)
 * rather than regions: 1 when every one is a study's slug and none a
 * region, 0 when none is a study; fails (MSP_EINVAL) on a mixture. */
enum msp_status report_waves_named(struct rctx *c, const char *const *names,
				   size_t n, int *waves);

/* --compare of two waves: the items their instruments share, matched by
 * name, and the differences between the instruments, listed with how
 * each is handled. */
enum msp_status report_waves(struct rctx *c, const char *const *names,
			     size_t n);

/* --- report_stored.c ----------------------------------------------------- */

/*
 * A federation's report of a study whose protection plan holds: the
 * stored release (msp.federation_release_get) replaces c->doc, *done 1.
 * *done 0 when the report is to be counted as before (no study of the
 * request has a release that holds, a comparison of waves).  Fails
 * with MSP_ECONFLICT (the release waits for a new protection run),
 * MSP_EINVAL (a report the run did not publish, an unknown region),
 * MSP_EDB, MSP_ENOMEM.
 */
enum msp_status report_stored(struct rctx *c, int *done);

/* Fails with MSP_ENOMEM when the document ran out of memory. */
enum msp_status rctx_check(struct rctx *c);

/* Turns the database's refusal in c->err into status, its message the
 * server's sentence for people (db_error_sentence()); returns status. */
enum msp_status rctx_refusal(struct rctx *c, enum msp_status status);

/*
 * Under a team's token, whether study st is of the team's own region:
 * MSP_OK, or MSP_EACCESS with a French sentence (« hors du périmètre »)
 * for another region's study, whose report would be all zeros (the
 * team's Row-Level Security shows it no row there), not a finding.
 * MSP_OK for every other identity; MSP_EDB when the lookup failed.
 */
enum msp_status rx_team_scope(struct rctx *c, const struct rstudy *st);

#endif
