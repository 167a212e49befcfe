/*
 * report — the statistician's tables, computed in the database.
 *
 * report_build() reads one study (or several regions' studies) and
 * fills a report_doc: the region report (population, response rate,
 * structure characteristics, involvement, priority and intention,
 * freins and leviers), and on request the comparison of groups (--by),
 * of participants with the rest of the targeted population
 * (--nonresponse), of regions (--compare), the HAS crosswalk (--has)
 * and the terms of an open item (--terms).
 *
 * Every count is aggregated by PostgreSQL (GROUP BY); C only sees
 * frequency tables, so a study of a million responses costs what a
 * study of a hundred does in memory.  Which items a section shows comes
 * from the database (msp.report_role, msp.report_rule: migration 0010),
 * not from C.
 *
 * Identity: with a token, the report runs under the token's role
 * (tenant_enter), so Row-Level Security decides which rows count, and a
 * federation's counts go through disclosure control
 * (report_disclosure.h).  Without a token, the connection's own role is
 * used and nothing is suppressed.
 */
#ifndef MSP_REPORT_H
#define MSP_REPORT_H

#include <libpq-fe.h>

#include "msp_error.h"
#include "report_doc.h"
#include "stats.h"
#include "tenant.h"

struct release_counts;
struct release;

/* What to do with answers that carry no information for a test. */
enum report_keep {
	REPORT_EXCLUDE,	/* left out of percentages and tests (counted) */
	REPORT_KEEP,	/* a category of its own */
};

/*
 * Where a report was read, and what it could not write: filled by
 * report_build() when report_options.source is set, on success and on
 * failure alike (zeroed first).
 */
struct report_source {
	/* the server was a hot standby (pg_is_in_recovery(), asked in
	 * the report's own snapshot): nothing was written */
	int standby;
	/* on a standby, the commit time of the last transaction it had
	 * replayed, "DD/MM/YYYY HH24:MI:SS" in UTC (the data are as of
	 * then); "" on a primary or when it replayed none yet */
	char replayed_at[24];
	/* on a primary, the cache of the owner's and analysts' tables or
	 * the folding of the running totals failed after the report was
	 * made: the report stands (it only makes the next one slower),
	 * and the caller says so (the CLI on stderr, the worker in its
	 * log) instead of the failure going unseen */
	int cache_failed;
	struct msp_error cache_err;
};

/* The most terms --top may ask for. */
#define REPORT_MAX_TOP 1000

struct report_options {
	const char *region;	/* slug or name (any case, accents) */
	const char *study;	/* slug, or NULL: the region's latest */
	const char *by;		/* variable to split by, or NULL */
	const char *compare;	/* "occitanie,pays-de-la-loire" or NULL */
	int nonresponse;	/* participants vs the rest of the frame */
	int has;		/* the HAS crosswalk */
	/* --has --matrix: codes × "region", "stage", "profession",
	 * "structure_type" or "item:KEY" (a questionnaire item); NULL:
	 * none */
	const char *matrix;
	int cooccurrence;	/* --has --cooccurrence */
	const char *terms;	/* open item whose terms to count, or NULL */
	unsigned top;		/* how many terms (--top) */
	enum report_keep dont_know;	/* "ne sait pas": default KEEP */
	enum report_keep missing;	/* no answer: default EXCLUDE */
	const char *token;	/* bearer token (MSP_TOKEN), or NULL */
	/* a web session's id (fcgi/session.c), entered as its token's
	 * identity when token is NULL; NULL: none */
	const char *session;
	/* a team's feedback page (fcgi/restitution.c): the region's
	 * figures as a federation reads them, its stored release
	 * (report_stored.c), under the team's own identity; the database
	 * decides which studies (msp.release_scope) */
	int as_federation;
	/* with by: the role (msp.report_role) whose variables the --by
	 * table splits; NULL: "characteristic" (the CLI's) */
	const char *by_role;
	/* disclosure threshold for federations: 0 (the default), the
	 * database's (msp.disclosure_policy); tests set others */
	unsigned threshold;
	/* count from the answers even where the running totals of
	 * migration 0014 would do (the owner's and analysts' reports) */
	int recount;
	/* the p-values of a table with several tests: default Holm */
	enum stats_adjust adjust;
	/* --weights: "frame", or frame variables separated by commas
	 * (report_weights.c); NULL: no weighting */
	const char *weights;
	/* called with every block's counts and release as the report
	 * renders them (release.h), for tests that check what a release
	 * holds; NULL: not called */
	void (*release_seen)(void *arg, const struct release_counts *k,
			     const struct release *r);
	void *release_arg;
	/* count, without looking for the study's stored release
	 * (report_stored.c): a protection run's own reports, under its
	 * transient token, the only federation token the database lets
	 * count any study (msp.report_scope) */
	int live;
	/* the owner's or an analyst's preview of what a federation of the
	 * region would read (--as-federation): counted live, the
	 * federation's disclosure control on (block by block, the study's
	 * plan when it holds, refused when it is stale), with the
	 * analyst's counts.  It leaks nothing (analysts read every row);
	 * the small-study minimum of --by (0052) is not applied, and a
	 * study not yet published is previewed all the same.  A team's
	 * token is refused (MSP_EACCESS); a federation's ignores it. */
	int preview;
	/* where the report was read and what it could not write (out,
	 * report_source); NULL: not asked */
	struct report_source *source;
};

/* Fills o with the defaults: region report only, top 10, "ne sait
 * pas" kept, missing answers excluded, the database's threshold, no
 * token. */
void report_options_init(struct report_options *o);

/*
 * Builds the report opt asks for from conn, in one read-only
 * transaction (entered under opt->token's identity when there is one).
 * conn may be a hot standby's (MSP_REPORT_DATABASE_URL): the report
 * then writes nothing, not even its cache (report_source).
 * On success *out is the caller's (rdoc_free).  Fails with MSP_EINVAL
 * for an unknown region, study, variable or item (the message says
 * which ones exist), MSP_EACCESS for an unknown or revoked token,
 * MSP_EDB or MSP_ENOMEM; *out is then NULL.
 */
enum msp_status report_build(PGconn *conn, const struct report_options *opt,
			     struct rdoc **out, struct msp_error *err);

#endif
