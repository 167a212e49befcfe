/*
 * synth — synthetic studies at scale.
 *
 * Shape of a run (synth_generate): look up the region and the
 * instrument, read the instrument's priors (what the studies that are
 * not synthetic answered), BEGIN, insert the study, reserve ids, COPY
 * structures, staff, population, contacts, responses and answers, check
 * the rows by SQL, COMMIT.  Any failure rolls everything back.
 *
 * Every draw comes from a stream of its own (lib/rng.h): structure i
 * from (seed, DOMAIN_STRUCTURE, i), response i from (seed,
 * DOMAIN_RESPONSE, i), its answers from (seed, DOMAIN_ANSWERS, i), so
 * the same seed gives the same rows whatever the order of generation.
 */
#include "config.h"

#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "copyout.h"
#include "crypto.h"
#include "db.h"
#include "instrument.h"
#include "rng.h"
#include "synth.h"
#include "tally.h"
#include "utf8.h"

enum {
	DOMAIN_STRUCTURE = 1,
	DOMAIN_CONTACT,
	DOMAIN_RESPONSE,
	DOMAIN_ANSWERS,
};

/* Quantiles kept per number item, 0 %, 5 %, ..., 100 %. */
#define QUANTILES 21
#define QUANTILE_FRACTIONS "{0,0.05,0.1,0.15,0.2,0.25,0.3,0.35,0.4,0.45," \
	"0.5,0.55,0.6,0.65,0.7,0.75,0.8,0.85,0.9,0.95,1}"

/* The SQL checks cost about as much per answer as the load itself:
 * beyond this many responses they run on an evenly spaced sample of
 * that size, all the answers of each (docs/generator.md). */
#define CHECK_ALL_MAX 20000L

/* Loads of this many responses or more report each tenth. */
#define PROGRESS_MIN 100000L

/* The fieldwork: 1 March to 31 May of the study's year. */
#define FIELDWORK_DAYS 92

/* Public key of the synthetic pseudonyms: there is nothing to hide
 * behind them, only uniqueness and the look of a real one to keep. */
static const char pseudonym_key[] = "msp-survey synthetic structure v1";

/* --- where things are -------------------------------------------------- */

/* The départements of each region, by INSEE region code (2016). */
static const struct {
	const char *insee;
	const char *departements;	/* space-separated */
} region_departements[] = {
	{ "01", "971" }, { "02", "972" }, { "03", "973" }, { "04", "974" },
	{ "06", "976" },
	{ "11", "75 77 78 91 92 93 94 95" },
	{ "24", "18 28 36 37 41 45" },
	{ "27", "21 25 39 58 70 71 89 90" },
	{ "28", "14 27 50 61 76" },
	{ "32", "02 59 60 62 80" },
	{ "44", "08 10 51 52 54 55 57 67 68 88" },
	{ "52", "44 49 53 72 85" },
	{ "53", "22 29 35 56" },
	{ "75", "16 17 19 23 24 33 40 47 64 79 86 87" },
	{ "76", "09 11 12 30 31 32 34 46 48 65 66 81 82" },
	{ "84", "01 03 07 15 26 38 42 43 63 69 73 74" },
	{ "93", "04 05 06 13 83 84" },
	{ "94", "2A 2B" },
};

/*
 * Staff of an MSP per category: share of teams with at least one, and
 * the mode and maximum of the count where there is one.  From PdL 2019
 * Table 1, all 37 MSPs (docs/instruments.md); an ESP gets 60 % of it.
 * The order is that of msp.prof_category.
 */
static const struct {
	const char *category;
	double share;
	int mode, max;
} staff_model[] = {
	{ "mg", 1.00, 6, 17 },
	{ "ide", 1.00, 6, 25 },
	{ "sage_femme", 0.57, 1, 4 },
	{ "kine", 0.84, 3, 10 },
	{ "dentiste", 0.49, 1, 7 },
	{ "pharmacien", 0.51, 2, 8 },
	{ "paramedical", 0.97, 5, 15 },
	{ "specialiste", 0.27, 1, 4 },
};
#define N_STAFF (sizeof(staff_model) / sizeof(staff_model[0]))

/* Words of the free-text answers: the vocabulary of the sources'
 * answers, in no particular order of sense. */
static const char *const words[] = {
	"usagers", "patients", "temps", "prévention", "comité", "équipe",
	"questionnaire", "réunion", "coordination", "information", "santé",
	"participation", "partenariat", "parcours", "éducation", "projet",
	"atelier", "affiches", "besoins", "expérience", "retours", "accueil",
	"représentants", "formation", "financement", "médiateur", "locaux",
	"communication", "écoute", "amélioration", "implication", "soins",
	"professionnels", "motivation", "maison", "quartier", "personnes",
	"participer", "groupe", "travail", "dans", "avec", "pour", "des",
	"les", "et", "de", "la", "un", "une", "notre", "leur", "mieux",
};
#define N_WORDS (sizeof(words) / sizeof(words[0]))

/* --- state of one run -------------------------------------------------- */

/* One instrument item, ready to draw. */
struct sitem {
	const struct instrument_item *it;
	char *prefix;		/* "\t<instrument_id>\t<item_key>\t" */
	size_t prefix_len;
	double p_answer;	/* an optional item, when asked */
	double p_true;		/* booleans */
	double n_answered;	/* responses of the priors that answered */
	/* choices: a single choice's weights, or a multiple choice's
	 * probability of each option; n_options of them */
	double *option_p;
	/* numbers: draws are integers in [lo, hi] of 1/scale units */
	int scale;
	int64_t lo, hi;
	int has_quantiles;
	double quantiles[QUANTILES];
	int answerable;		/* some value satisfies the item */
	/* "show if": the item it depends on (-1: none) and which of that
	 * item's options make it asked */
	int cond;
	unsigned char *cond_mask;
	/* this item's options in gen.chosen; a boolean has two, "oui"
	 * and "non", which a "show if" may name */
	size_t chosen_off;
};

struct gen {
	PGconn *conn;
	const struct synth_options *opt;
	struct synth_result *res;
	struct timespec start;

	int region_id;
	char departements[16][4];	/* the region's, when known */
	size_t n_departements;
	int federation_id;		/* 0: the region has none */

	struct instrument *ins;
	struct sitem *items;
	int *order;			/* items, conditions first */
	size_t n_chosen;
	unsigned char *answered;	/* per item, this response */
	unsigned char *chosen;		/* per option, this response */

	char **roles;			/* msp.respondent_role labels */
	size_t n_roles;
	double *role_w;			/* n_roles + 1; the last: NULL */
	double p_partial;

	int study_id;
	char slug[SYNTH_SLUG_MAX];
	int year;
	long n_resp, n_struct;
	int64_t struct0, resp0;
	int64_t day0;			/* fieldwork start (Unix days) */
	long *participants;		/* structure indexes */
	long n_participants;

	struct copyout copy;		/* the COPY in progress, if any */

	/* the running totals of the answers of complete responses, as
	 * migration 0014's triggers would count them: written beside the
	 * rows by the fast load, which runs without those triggers */
	struct tally tally;
	int tally_oom;			/* tally_add() ran out of memory */
	unsigned word_count[N_WORDS + 1];	/* one answer's; + "x" */
};

static double
seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void progress(struct gen *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
progress(struct gen *g, const char *fmt, ...)
{
	va_list ap;

	if (g->opt->progress == NULL)
		return;
	fprintf(g->opt->progress, "generate: %7.1f s  ",
		seconds_since(&g->start));
	va_start(ap, fmt);
	vfprintf(g->opt->progress, fmt, ap);
	va_end(ap);
	fputc('\n', g->opt->progress);
	fflush(g->opt->progress);
}

static enum msp_status
oom(struct msp_error *err)
{
	return msp_error_set(err, MSP_ENOMEM, "out of memory");
}

/* --- COPY text format -------------------------------------------------- */

static void
put_i64(struct buf *b, int64_t v)
{
	char tmp[24];
	size_t n = sizeof(tmp);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		tmp[--n] = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0)
		tmp[--n] = '-';
	buf_append(b, tmp + n, sizeof(tmp) - n);
}

/* v in 1/scale units (scale 1 or 100) as a decimal. */
static void
put_scaled(struct buf *b, int64_t v, int scale)
{
	uint64_t u;

	if (scale == 1) {
		put_i64(b, v);
		return;
	}
	u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	if (v < 0)
		buf_putc(b, '-');
	put_i64(b, (int64_t)(u / 100));
	buf_putc(b, '.');
	buf_putc(b, (char)('0' + u / 10 % 10));
	buf_putc(b, (char)('0' + u % 10));
}

static void
put_2d(struct buf *b, unsigned v)
{
	buf_putc(b, (char)('0' + v / 10 % 10));
	buf_putc(b, (char)('0' + v % 10));
}

/* Days since 1970-01-01 from a civil date, and back (H. Hinnant's
 * algorithms, proleptic Gregorian calendar). */
static int64_t
days_from_civil(int y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
put_date(struct buf *b, int64_t days)
{
	int64_t z = days + 719468, era, doe, yoe, y, doy;
	unsigned mp, d, m;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (unsigned)((5 * doy + 2) / 153);
	d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	m = mp < 10 ? mp + 3 : mp - 9;
	put_i64(b, y + (m <= 2));
	buf_putc(b, '-');
	put_2d(b, m);
	buf_putc(b, '-');
	put_2d(b, d);
}

/* "YYYY-MM-DD HH:MM:SS+00" for second secs of day days (UTC). */
static void
put_timestamp(struct buf *b, int64_t days, unsigned secs)
{
	put_date(b, days);
	buf_putc(b, ' ');
	put_2d(b, secs / 3600);
	buf_putc(b, ':');
	put_2d(b, secs / 60 % 60);
	buf_putc(b, ':');
	put_2d(b, secs % 60);
	buf_puts(b, "+00");
}

/* --- looking things up ------------------------------------------------- */

/* One row of one text column by a parameterised query; *found says
 * whether there was a row.  value must hold size bytes. */
static enum msp_status
lookup(struct gen *g, const char *what, const char *sql, int nparams,
       const char *const *params, char *value, size_t size, int *found,
       struct msp_error *err)
{
	PGresult *res = NULL;
	enum msp_status st;

	st = db_exec(g->conn, what, sql, nparams, params, PGRES_TUPLES_OK,
		     &res, err);
	if (st != MSP_OK)
		return st;
	*found = PQntuples(res) > 0 && !PQgetisnull(res, 0, 0);
	if (*found)
		snprintf(value, size, "%s", PQgetvalue(res, 0, 0));
	else if (size > 0)
		value[0] = '\0';
	PQclear(res);
	return MSP_OK;
}

static enum msp_status
resolve_region(struct gen *g, struct msp_error *err)
{
	const char *params[1] = { g->opt->region };
	PGresult *res = NULL;
	enum msp_status st;
	size_t i;

	st = db_exec(g->conn, "region",
		     "SELECT r.region_id, r.insee_code,"
		     "       (SELECT f.federation_id FROM msp.federation f"
		     "         WHERE f.region_id = r.region_id"
		     "         ORDER BY f.slug LIMIT 1) AS federation_id"
		     "  FROM msp.region r WHERE r.slug = $1",
		     1, params, PGRES_TUPLES_OK, &res, err);
	if (st != MSP_OK)
		return st;
	if (PQntuples(res) != 1) {
		st = msp_error_set(err, MSP_EINVAL, "no region '%s'",
				   g->opt->region);
		goto out;
	}
	g->region_id = (int)strtol(PQgetvalue(res, 0, db_column(res,
					      "region_id")), NULL, 10);
	if (!PQgetisnull(res, 0, db_column(res, "federation_id")))
		g->federation_id = (int)strtol(PQgetvalue(
			res, 0, db_column(res, "federation_id")), NULL, 10);
	for (i = 0; i < sizeof(region_departements) /
		    sizeof(region_departements[0]); i++) {
		const char *p = region_departements[i].departements;
		size_t len;

		if (strcmp(PQgetvalue(res, 0, db_column(res, "insee_code")),
			   region_departements[i].insee) != 0)
			continue;
		/* A region unknown here gets no département (NULL). */
		while (*p != '\0' && g->n_departements < 16) {
			len = strcspn(p, " ");
			memcpy(g->departements[g->n_departements++], p,
			       len < 3 ? len : 3);
			p += len;
			p += *p == ' ';
		}
	}
out:
	PQclear(res);
	return st;
}

/* The instrument_id the options name. */
static enum msp_status
resolve_instrument(struct gen *g, int *instrument_id, struct msp_error *err)
{
	const struct synth_options *opt = g->opt;
	char value[32], slug[128], version[16];
	const char *params[2];
	const char *colon;
	enum msp_status st;
	int found = 0;

	if (opt->instrument != NULL) {
		colon = strchr(opt->instrument, ':');
		snprintf(slug, sizeof(slug), "%.*s",
			 colon ? (int)(colon - opt->instrument)
			       : (int)strlen(opt->instrument),
			 opt->instrument);
		snprintf(version, sizeof(version), "%s",
			 colon ? colon + 1 : "");
		params[0] = slug;
		params[1] = version[0] ? version : NULL;
		st = lookup(g, "instrument",
			    "SELECT instrument_id FROM msp.instrument"
			    " WHERE slug = $1"
			    "   AND ($2::integer IS NULL OR version = $2)"
			    " ORDER BY version DESC LIMIT 1",
			    2, params, value, sizeof(value), &found, err);
		if (st == MSP_OK && !found)
			st = msp_error_set(err, MSP_EINVAL,
					   "no instrument '%s'",
					   opt->instrument);
	} else if (opt->like != NULL) {
		params[0] = opt->like;
		st = lookup(g, "study", "SELECT instrument_id FROM msp.study"
			    " WHERE slug = $1", 1, params, value,
			    sizeof(value), &found, err);
		if (st == MSP_OK && !found)
			st = msp_error_set(err, MSP_EINVAL, "no study '%s'",
					   opt->like);
	} else {
		snprintf(value, sizeof(value), "%d", g->region_id);
		params[0] = value;
		st = lookup(g, "study of the region",
			    "SELECT instrument_id FROM msp.study"
			    " WHERE region_id = $1 AND NOT synthetic"
			    " ORDER BY year DESC, study_id DESC LIMIT 1",
			    1, params, value, sizeof(value), &found, err);
		if (st == MSP_OK && !found)
			st = msp_error_set(err, MSP_EINVAL,
					   "region '%s' has no study to take"
					   " an instrument from; name one"
					   " with --instrument",
					   opt->region);
	}
	if (st == MSP_OK)
		*instrument_id = (int)strtol(value, NULL, 10);
	return st;
}

/* --- priors: what the studies that are not synthetic answered ---------- */

/* The responses the priors come from. */
/*
 * An answer as "show if" values name it: its option's code, or "oui" /
 * "non" for a boolean (as lib/submission.c reads them).
 */
#define AS_CHOICE(a) \
	"coalesce(" a ".choice_code, CASE " a ".bool_value" \
	" WHEN true THEN 'oui' WHEN false THEN 'non' END)"

/*
 * The responses the priors come from, and their answers, read once;
 * never those of a synthetic study (the priors must not feed on earlier
 * output).  A large synthetic load skews the planner's estimates of the
 * few rows wanted here, and it would scan every answer: the lateral
 * subqueries with OFFSET 0 (never flattened) make it go study by study
 * and response by response through the indexes instead.
 */
#define PRIOR_RESPONSES \
	"WITH resp AS MATERIALIZED (" \
	" SELECT r.response_id, r.status, r.respondent_role" \
	"   FROM msp.study s, LATERAL (SELECT r.* FROM msp.response r" \
	"         WHERE r.study_id = s.study_id OFFSET 0) r" \
	"  WHERE s.instrument_id = $1 AND NOT s.synthetic" \
	"    AND r.instrument_id = $1)," \
	" ans AS MATERIALIZED (" \
	" SELECT a.response_id, a.item_key, a.choice_code, a.num_value," \
	"        a.bool_value" \
	"   FROM resp, LATERAL (SELECT a.* FROM msp.answer a" \
	"         WHERE a.response_id = resp.response_id OFFSET 0) a)"

static void
parse_quantiles(struct sitem *si, const char *json)
{
	const char *p = json;
	char *end;
	int n = 0;

	while (*p != '\0' && n < QUANTILES) {
		if (*p == '[' || *p == ',' || *p == ' ') {
			p++;
			continue;
		}
		si->quantiles[n] = strtod(p, &end);
		if (end == p)
			break;
		n++;
		p = end;
	}
	si->has_quantiles = n == QUANTILES;
}

static enum msp_status
load_item_priors(struct gen *g, const char *id, struct msp_error *err)
{
	const char *params[2] = { id, QUANTILE_FRACTIONS };
	PGresult *res = NULL;
	enum msp_status st;
	int row, c_key, c_shown, c_answered, c_true, c_quant;

	/* shown: responses that were asked the item, i.e. whose answer
	 * to its "show if" item holds one of the values. */
	st = db_exec(g->conn, "item priors", PRIOR_RESPONSES
		     " SELECT it.item_key,"
		     "  CASE WHEN it.show_if_item IS NULL"
		     "       THEN (SELECT count(*) FROM resp)"
		     "       ELSE (SELECT count(DISTINCT c.response_id)"
		     "               FROM ans c"
		     "              WHERE c.item_key = it.show_if_item"
		     "                AND " AS_CHOICE("c")
		     "                    = ANY (it.show_if_values)) END"
		     "    AS shown,"
		     "  coalesce(x.answered, 0) AS answered,"
		     "  coalesce(x.n_true, 0) AS n_true, x.quantiles"
		     "  FROM msp.instrument_item it"
		     "  LEFT JOIN (SELECT item_key,"
		     "        count(DISTINCT response_id) AS answered,"
		     "        count(*) FILTER (WHERE bool_value) AS n_true,"
		     "        array_to_json(percentile_disc($2::float8[])"
		     "          WITHIN GROUP (ORDER BY num_value::float8)"
		     "          FILTER (WHERE num_value IS NOT NULL))::text"
		     "          AS quantiles"
		     "     FROM ans GROUP BY item_key) x USING (item_key)"
		     " WHERE it.instrument_id = $1",
		     2, params, PGRES_TUPLES_OK, &res, err);
	if (st != MSP_OK)
		return st;
	c_key = db_column(res, "item_key");
	c_shown = db_column(res, "shown");
	c_answered = db_column(res, "answered");
	c_true = db_column(res, "n_true");
	c_quant = db_column(res, "quantiles");
	for (row = 0; row < PQntuples(res); row++) {
		int k = instrument_index(g->ins, PQgetvalue(res, row, c_key));
		double shown, answered, n_true;
		struct sitem *si;

		if (k < 0)
			continue;
		si = &g->items[k];
		shown = strtod(PQgetvalue(res, row, c_shown), NULL);
		answered = strtod(PQgetvalue(res, row, c_answered), NULL);
		n_true = strtod(PQgetvalue(res, row, c_true), NULL);
		/* Smoothed, so that what the priors never saw can still
		 * happen and no probability is exactly 0 or 1. */
		si->p_answer = shown > 0 ? (answered + 0.5) / (shown + 1) : 0.9;
		if (si->p_answer > 1)
			si->p_answer = 1;
		si->p_true = (n_true + 1) / (answered + 2);
		si->n_answered = answered;
		if (!PQgetisnull(res, row, c_quant))
			parse_quantiles(si, PQgetvalue(res, row, c_quant));
		/* A multiple choice option never chosen in the priors;
		 * load_option_priors() sets the others. */
		if (si->it->type == ITEM_MULTIPLE_CHOICE && answered > 0) {
			size_t o;

			for (o = 0; o < si->it->n_options; o++)
				si->option_p[o] = 0.5 / (answered + 1);
		}
	}
	PQclear(res);
	return MSP_OK;
}

static enum msp_status
load_option_priors(struct gen *g, const char *id, struct msp_error *err)
{
	const char *params[1] = { id };
	PGresult *res = NULL;
	enum msp_status st;
	int row, c_key, c_code, c_n;

	st = db_exec(g->conn, "option priors", PRIOR_RESPONSES
		     " SELECT item_key, choice_code, count(*) AS n"
		     "   FROM ans WHERE choice_code IS NOT NULL GROUP BY 1, 2",
		     1, params, PGRES_TUPLES_OK, &res, err);
	if (st != MSP_OK)
		return st;
	c_key = db_column(res, "item_key");
	c_code = db_column(res, "choice_code");
	c_n = db_column(res, "n");
	for (row = 0; row < PQntuples(res); row++) {
		int k = instrument_index(g->ins, PQgetvalue(res, row, c_key));
		const char *code = PQgetvalue(res, row, c_code);
		double n = strtod(PQgetvalue(res, row, c_n), NULL);
		struct sitem *si;
		size_t o;

		if (k < 0)
			continue;
		si = &g->items[k];
		for (o = 0; o < si->it->n_options; o++) {
			if (strcmp(si->it->options[o].code, code) != 0)
				continue;
			if (si->it->type == ITEM_SINGLE_CHOICE)
				si->option_p[o] += n;
			else
				si->option_p[o] = (n + 0.5) /
						  (si->n_answered + 1);
		}
	}
	PQclear(res);
	return MSP_OK;
}

static enum msp_status
load_response_priors(struct gen *g, const char *id, struct msp_error *err)
{
	const char *params[1] = { id };
	PGresult *res = NULL;
	enum msp_status st;
	double partial = 0, total = 0;
	int row, c_role, c_status, c_n;
	size_t i;

	st = db_exec(g->conn, "roles",
		     "SELECT e.enumlabel FROM pg_catalog.pg_enum e"
		     " WHERE e.enumtypid = 'msp.respondent_role'::regtype"
		     " ORDER BY e.enumsortorder", 0, NULL, PGRES_TUPLES_OK,
		     &res, err);
	if (st != MSP_OK)
		return st;
	g->n_roles = (size_t)PQntuples(res);
	g->roles = calloc(g->n_roles + 1, sizeof(*g->roles));
	g->role_w = calloc(g->n_roles + 1, sizeof(*g->role_w));
	if (g->roles == NULL || g->role_w == NULL) {
		st = oom(err);
		goto out;
	}
	for (i = 0; i < g->n_roles; i++) {
		g->roles[i] = strdup(PQgetvalue(res, (int)i, 0));
		if (g->roles[i] == NULL) {
			st = oom(err);
			goto out;
		}
	}
	PQclear(res);
	res = NULL;
	st = db_exec(g->conn, "response priors", PRIOR_RESPONSES
		     " SELECT respondent_role::text AS role,"
		     "        status::text AS status, count(*) AS n"
		     "   FROM resp GROUP BY 1, 2",
		     1, params, PGRES_TUPLES_OK, &res, err);
	if (st != MSP_OK)
		goto out;
	c_role = db_column(res, "role");
	c_status = db_column(res, "status");
	c_n = db_column(res, "n");
	for (row = 0; row < PQntuples(res); row++) {
		double n = strtod(PQgetvalue(res, row, c_n), NULL);

		total += n;
		if (strcmp(PQgetvalue(res, row, c_status), "partial") == 0)
			partial += n;
		for (i = 0; i < g->n_roles; i++)
			if (!PQgetisnull(res, row, c_role) &&
			    strcmp(PQgetvalue(res, row, c_role),
				   g->roles[i]) == 0)
				break;
		g->role_w[i] += n;	/* i == n_roles: NULL */
	}
	if (total == 0)		/* no priors: any role, or none, alike */
		for (i = 0; i <= g->n_roles; i++)
			g->role_w[i] = 1;
	/* Smoothed: some partial responses even when the priors had none,
	 * so that the reports meet them. */
	g->p_partial = total > 0 ? (partial + 1) / (total + 2) : 0.1;
out:
	PQclear(res);
	return st;
}

/* --- the items --------------------------------------------------------- */

/* Rounding without libm, for |x| < 2^62. */
static int64_t
ceil_i64(double x)
{
	int64_t t = (int64_t)x;		/* towards zero */

	return (double)t < x ? t + 1 : t;
}

static int64_t
floor_i64(double x)
{
	int64_t t = (int64_t)x;

	return (double)t > x ? t - 1 : t;
}

static int64_t
round_i64(double x)
{
	return x < 0 ? -floor_i64(0.5 - x) : floor_i64(x + 0.5);
}

/* Bounds of a number item in 1/scale units; answerable = 0 when none.
 * Rounding goes inwards, so a value is never outside the bounds even
 * where a decimal bound is not exact in binary. */
static void
number_bounds(struct sitem *si)
{
	const struct instrument_item *it = si->it;
	double lo, hi, limit = 1e12;

	si->scale = it->integer_only ? 1 : 100;
	lo = it->has_min ? it->min_value : it->has_max ? it->max_value - 100
						      : 0;
	hi = it->has_max ? it->max_value : lo + 100;
	if (lo < -limit)
		lo = -limit;
	if (hi > limit)
		hi = limit;
	si->lo = ceil_i64(lo * si->scale);
	si->hi = floor_i64(hi * si->scale);
	si->answerable = si->lo <= si->hi;
}

/* The values an item's answer can take that a "show if" may name. */
static size_t
slots(const struct instrument_item *it)
{
	return it->type == ITEM_BOOLEAN ? 2 : it->n_options;
}

static const char *
slot_code(const struct instrument_item *it, size_t o)
{
	if (it->type == ITEM_BOOLEAN)
		return o == 0 ? "oui" : "non";
	return it->options[o].code;
}

static enum msp_status
setup_items(struct gen *g, struct msp_error *err)
{
	const struct instrument *ins = g->ins;
	enum msp_status st = MSP_OK;
	size_t k, o, v, n_done = 0;
	unsigned char *done = NULL;
	struct buf b = BUF_INIT(BUF_MAX_TEXT);

	g->items = calloc(ins->n_items ? ins->n_items : 1, sizeof(*g->items));
	g->order = calloc(ins->n_items ? ins->n_items : 1, sizeof(*g->order));
	g->answered = calloc(ins->n_items ? ins->n_items : 1, 1);
	done = calloc(ins->n_items ? ins->n_items : 1, 1);
	if (g->items == NULL || g->order == NULL || g->answered == NULL ||
	    done == NULL) {
		st = oom(err);
		goto out;
	}
	for (k = 0; k < ins->n_items; k++) {
		struct sitem *si = &g->items[k];
		const struct instrument_item *it = &ins->items[k];

		si->it = it;
		si->cond = it->show_if;
		si->chosen_off = g->n_chosen;
		g->n_chosen += slots(it);
		si->p_answer = 0.9;
		si->p_true = 0.5;
		si->answerable = 1;
		buf_reset(&b);
		buf_printf(&b, "\t%d\t%s\t", ins->instrument_id, it->key);
		if ((st = buf_status(&b, err)) != MSP_OK)
			goto out;
		si->prefix_len = b.len;
		si->prefix = buf_steal(&b);
		si->option_p = calloc(it->n_options ? it->n_options : 1,
				      sizeof(double));
		if (si->prefix == NULL || si->option_p == NULL) {
			st = oom(err);
			goto out;
		}
		for (o = 0; o < it->n_options; o++)
			si->option_p[o] = it->type == ITEM_SINGLE_CHOICE
					  ? 1 : 0.35;
		if (it->type == ITEM_NUMBER)
			number_bounds(si);
		if ((it->type == ITEM_SINGLE_CHOICE ||
		     it->type == ITEM_MULTIPLE_CHOICE) && it->n_options == 0)
			si->answerable = 0;
		if (!si->answerable && it->required) {
			st = msp_error_set(err, MSP_EINVAL,
					   "item %s: no value can satisfy it",
					   it->key);
			goto out;
		}
		if (si->cond >= 0) {
			const struct instrument_item *c =
				&ins->items[si->cond];

			si->cond_mask = calloc(slots(c) ? slots(c) : 1, 1);
			if (si->cond_mask == NULL) {
				st = oom(err);
				goto out;
			}
			for (o = 0; o < slots(c); o++)
				for (v = 0; v < it->n_show_if_values; v++)
					if (strcmp(slot_code(c, o),
						   it->show_if_values[v]) == 0)
						si->cond_mask[o] = 1;
		}
	}
	g->chosen = calloc(g->n_chosen ? g->n_chosen : 1, 1);
	if (g->chosen == NULL) {
		st = oom(err);
		goto out;
	}
	/*
	 * Draw order: an item after the one its "show if" names, which may
	 * come later in display order.  Display order otherwise.
	 */
	while (n_done < ins->n_items) {
		size_t before = n_done;

		for (k = 0; k < ins->n_items; k++) {
			int c = g->items[k].cond;

			if (done[k] || (c >= 0 && !done[c]))
				continue;
			done[k] = 1;
			g->order[n_done++] = (int)k;
		}
		if (n_done == before) {
			st = msp_error_set(err, MSP_EINVAL,
					   "instrument %d: its \"show if\""
					   " conditions form a cycle",
					   ins->instrument_id);
			goto out;
		}
	}
out:
	buf_free(&b);
	free(done);
	return st;
}

static void
free_items(struct gen *g)
{
	size_t k;

	if (g->items == NULL)
		return;
	for (k = 0; k < g->ins->n_items; k++) {
		free(g->items[k].prefix);
		free(g->items[k].option_p);
		free(g->items[k].cond_mask);
	}
	free(g->items);
	g->items = NULL;
}

/* --- structures -------------------------------------------------------- */

struct sdraw {
	const char *type;		/* msp.structure_type */
	char departement[4];		/* "" when unknown */
	int n_sites, opening_year, validation_year;
	int aci;			/* 1, 0, or -1 for NULL */
	const char *cpts, *cls;		/* msp.tristate */
	const char *federation_member;	/* NULL when no federation */
	int staff[N_STAFF];
	int participates;
};

/*
 * A triangular draw on [1, max] with the given mode, rounded.  Its
 * rising side is the law of the larger of two uniforms, its falling
 * side that of the smaller (no libm needed).
 */
static int
triangular(struct rng *r, double mode, double max)
{
	double a = 1, u1, u2, x;

	if (max <= a)
		return (int)a;
	if (mode < a)
		mode = a;
	u1 = rng_unit(r);
	u2 = rng_unit(r);
	if (rng_chance(r, (mode - a) / (max - a)))
		x = a + (mode - a) * (u1 > u2 ? u1 : u2);
	else
		x = mode + (max - mode) * (u1 < u2 ? u1 : u2);
	return (int)round_i64(x);
}

static const char *
tristate(struct rng *r, double p_oui, double p_non)
{
	double u = rng_unit(r);

	return u < p_oui ? "oui" : u < p_oui + p_non ? "non" : "nsp";
}

/*
 * Structure i.  Shares follow the PdL 2019 tables where they give one
 * (ACI 30/37, CPTS 14/19/3, CLS 8/23/6, multisite 21/37, APMSL 43/83 of
 * the frame) and the sources' descriptions elsewhere.  Participation
 * copies the PdL bias: members of the federation answered more (25 of
 * 43) than the others (12 of 40).
 */
static void
draw_structure(const struct gen *g, long i, struct sdraw *d)
{
	static const double sites_w[] = { 43, 35, 15, 5, 2 };
	struct rng r;
	double u, scale;
	size_t k;
	int age;

	memset(d, 0, sizeof(*d));
	rng_stream(&r, g->opt->seed, DOMAIN_STRUCTURE, (uint64_t)i);
	u = rng_unit(&r);
	d->type = u < 0.75 ? "msp" : u < 0.95 ? "esp" : "cds";
	if (g->n_departements > 0)
		memcpy(d->departement, g->departements[
		       rng_below(&r, g->n_departements)], 4);
	d->n_sites = 1 + (int)rng_weighted(&r, sites_w, 5);
	/* mostly recent: PdL 2019 had 24 of 37 opened less than 5 years
	 * before, none more than 10 */
	u = rng_unit(&r);
	age = (int)(12 * u * u);
	d->opening_year = g->year - age;
	d->validation_year = d->opening_year - (int)rng_below(&r, 3);
	d->aci = strcmp(d->type, "msp") == 0 ? rng_chance(&r, 0.81) : -1;
	d->cpts = tristate(&r, 0.39, 0.53);
	d->cls = tristate(&r, 0.22, 0.62);
	d->federation_member = g->federation_id
			       ? tristate(&r, 0.52, 0.45) : NULL;
	scale = strcmp(d->type, "esp") == 0 ? 0.6 : 1;
	for (k = 0; k < N_STAFF; k++)
		d->staff[k] = rng_chance(&r, staff_model[k].share)
			? triangular(&r, staff_model[k].mode * scale,
				     staff_model[k].max * scale) : 0;
	d->participates = rng_chance(&r, d->federation_member != NULL &&
				     strcmp(d->federation_member, "oui") == 0
				     ? 25.0 / 43 : 12.0 / 40);
}

static enum msp_status
load_structures(struct gen *g, struct msp_error *err)
{
	struct buf *b = &g->copy.buf;
	char msg[SYNTH_SLUG_MAX + 24], hex[CRYPTO_SHA256_HEX];
	enum msp_status st;
	struct sdraw d;
	long i;
	int n;

	st = copyout_begin(&g->copy, g->conn, "structures",
			"COPY msp.structure (structure_id, pseudonym,"
			" region_id, structure_type, departement, n_sites,"
			" opening_year, project_validation_year,"
			" aci_signatory, cpts, cls, federation_member,"
			" federation_id) FROM STDIN", err);
	for (i = 0; st == MSP_OK && i < g->n_struct; i++) {
		draw_structure(g, i, &d);
		if (d.participates)
			g->participants[g->n_participants++] = i;
		n = snprintf(msg, sizeof(msg), "%s\n%ld", g->slug, i);
		st = crypto_hmac_sha256_hex(pseudonym_key,
					    sizeof(pseudonym_key) - 1, msg,
					    (size_t)n, hex, err);
		if (st != MSP_OK)
			break;
		put_i64(b, g->struct0 + i);
		buf_putc(b, '\t');
		buf_puts(b, hex);
		buf_putc(b, '\t');
		put_i64(b, g->region_id);
		buf_putc(b, '\t');
		buf_puts(b, d.type);
		buf_putc(b, '\t');
		buf_puts(b, d.departement[0] ? d.departement : "\\N");
		buf_putc(b, '\t');
		put_i64(b, d.n_sites);
		buf_putc(b, '\t');
		put_i64(b, d.opening_year);
		buf_putc(b, '\t');
		put_i64(b, d.validation_year);
		buf_putc(b, '\t');
		buf_puts(b, d.aci < 0 ? "\\N" : d.aci ? "t" : "f");
		buf_putc(b, '\t');
		buf_puts(b, d.cpts);
		buf_putc(b, '\t');
		buf_puts(b, d.cls);
		buf_putc(b, '\t');
		buf_puts(b, d.federation_member ? d.federation_member : "\\N");
		buf_putc(b, '\t');
		if (d.federation_member != NULL &&
		    strcmp(d.federation_member, "oui") == 0)
			put_i64(b, g->federation_id);
		else
			buf_puts(b, "\\N");
		buf_putc(b, '\n');
		st = copyout_flush(&g->copy, 0, err);
	}
	if (st == MSP_OK)
		st = copyout_end(&g->copy, g->n_struct, err);
	if (st != MSP_OK)
		return st;
	g->res->structures = g->n_struct;
	/* Nobody answers without a participant: the first one is then. */
	if (g->n_participants == 0 && g->n_resp > 0)
		g->participants[g->n_participants++] = 0;

	st = copyout_begin(&g->copy, g->conn, "staff",
			   "COPY msp.structure_staff (structure_id,"
			   " category, headcount) FROM STDIN", err);
	for (i = 0; st == MSP_OK && i < g->n_struct; i++) {
		size_t k;

		draw_structure(g, i, &d);
		for (k = 0; k < N_STAFF; k++) {
			put_i64(b, g->struct0 + i);
			buf_putc(b, '\t');
			buf_puts(b, staff_model[k].category);
			buf_putc(b, '\t');
			put_i64(b, d.staff[k]);
			buf_putc(b, '\n');
		}
		st = copyout_flush(&g->copy, 0, err);
	}
	if (st == MSP_OK)
		st = copyout_end(&g->copy, g->n_struct * (long)N_STAFF, err);
	if (st != MSP_OK)
		return st;
	g->res->staff = g->n_struct * (long)N_STAFF;

	st = copyout_begin(&g->copy, g->conn, "population",
			   "COPY msp.population (study_id,"
			   " structure_id, active) FROM STDIN", err);
	for (i = 0; st == MSP_OK && i < g->n_struct; i++) {
		put_i64(b, g->study_id);
		buf_putc(b, '\t');
		put_i64(b, g->struct0 + i);
		buf_puts(b, "\tt\n");
		st = copyout_flush(&g->copy, 0, err);
	}
	if (st == MSP_OK)
		st = copyout_end(&g->copy, g->n_struct, err);
	return st;
}

/*
 * The contact log: every structure invited by e-mail on the first day,
 * reminded by e-mail two weeks later, and three in ten by phone two
 * weeks after that (Occitanie 2024 sent one invitation and two
 * reminders to the whole list).
 */
static enum msp_status
load_contacts(struct gen *g, struct msp_error *err)
{
	static const struct {
		const char *kind, *channel;
		int day;
		double share;
	} plan[] = {
		{ "invitation", "email", 0, 1 },
		{ "reminder", "email", 14, 1 },
		{ "reminder", "phone", 28, 0.3 },
	};
	struct buf *b = &g->copy.buf;
	enum msp_status st;
	long i, n = 0;
	size_t k;

	st = copyout_begin(&g->copy, g->conn, "contacts",
			   "COPY msp.contact (study_id,"
			   " structure_id, kind, channel, contacted_on)"
			   " FROM STDIN", err);
	for (i = 0; st == MSP_OK && i < g->n_struct; i++) {
		struct rng r;

		rng_stream(&r, g->opt->seed, DOMAIN_CONTACT, (uint64_t)i);
		for (k = 0; k < sizeof(plan) / sizeof(plan[0]); k++) {
			if (!rng_chance(&r, plan[k].share))
				continue;
			put_i64(b, g->study_id);
			buf_putc(b, '\t');
			put_i64(b, g->struct0 + i);
			buf_putc(b, '\t');
			buf_puts(b, plan[k].kind);
			buf_putc(b, '\t');
			buf_puts(b, plan[k].channel);
			buf_putc(b, '\t');
			put_date(b, g->day0 + plan[k].day);
			buf_putc(b, '\n');
			n++;
		}
		st = copyout_flush(&g->copy, 0, err);
	}
	if (st == MSP_OK)
		st = copyout_end(&g->copy, n, err);
	if (st == MSP_OK)
		g->res->contacts = n;
	return st;
}

/* --- responses and answers --------------------------------------------- */

/* Responses between two progress lines: a tenth of a large load;
 * small loads only report their phases. */
static long
progress_step(const struct gen *g)
{
	return g->n_resp >= PROGRESS_MIN ? g->n_resp / 10 : LONG_MAX;
}

struct rdraw {
	unsigned role;		/* index in gen.roles; n_roles: NULL */
	int partial;
	size_t cut;		/* items answered before display index cut */
	int64_t day;
	unsigned start, seconds;	/* time of day, duration */
};

/* The draws of response i, which both the responses and their answers
 * need: no array of a million of them to keep. */
static void
draw_response(const struct gen *g, long i, struct rdraw *d)
{
	struct rng r;

	rng_stream(&r, g->opt->seed, DOMAIN_RESPONSE, (uint64_t)i);
	d->role = rng_weighted(&r, g->role_w, (unsigned)g->n_roles + 1);
	d->partial = rng_chance(&r, g->p_partial);
	d->cut = d->partial ? (size_t)rng_below(&r, g->ins->n_items)
			    : g->ins->n_items;
	d->day = g->day0 + (int64_t)rng_below(&r, FIELDWORK_DAYS);
	d->start = 7 * 3600 + (unsigned)rng_below(&r, 11 * 3600);
	d->seconds = 8 * 60 + (unsigned)rng_below(&r, 15 * 60 + 1) +
		     (unsigned)rng_below(&r, 15 * 60 + 1);
}

/*
 * Response i: a participant in turn (so each answers once before any
 * answers twice), a role, a day of the fieldwork, office hours, 8 to 38
 * minutes (Occitanie 2024: about 23 on average); a partial one stops
 * before a display position drawn at random.
 */
static enum msp_status
load_responses(struct gen *g, struct msp_error *err)
{
	struct buf *b = &g->copy.buf;
	enum msp_status st;
	long i, step = progress_step(g);

	st = copyout_begin(&g->copy, g->conn, "responses",
			   "COPY msp.response (response_id,"
			   " study_id, instrument_id, structure_id,"
			   " respondent_role, started_at, submitted_at, status,"
			   " idempotency_key) FROM STDIN", err);
	for (i = 0; st == MSP_OK && i < g->n_resp; i++) {
		struct rdraw d;

		draw_response(g, i, &d);
		put_i64(b, g->resp0 + i);
		buf_putc(b, '\t');
		put_i64(b, g->study_id);
		buf_putc(b, '\t');
		put_i64(b, g->ins->instrument_id);
		buf_putc(b, '\t');
		put_i64(b, g->struct0 +
			g->participants[i % g->n_participants]);
		buf_putc(b, '\t');
		/* a label from the database: escaped */
		copyout_text(b, d.role < g->n_roles ? g->roles[d.role] : NULL);
		buf_putc(b, '\t');
		put_timestamp(b, d.day, d.start);
		buf_putc(b, '\t');
		if (d.partial)
			buf_puts(b, "\\N");
		else
			put_timestamp(b, d.day, d.start + d.seconds);
		buf_puts(b, d.partial ? "\tpartial\tsynthetic:" :
			 "\tcomplete\tsynthetic:");
		buf_puts(b, g->slug);
		/* zero-padded, so keys arrive in index order */
		buf_printf(b, ":%09ld\n", i);
		st = copyout_flush(&g->copy, 0, err);
		if (st == MSP_OK && (i + 1) % step == 0)
			progress(g, "responses: %ld of %ld", i + 1,
				 g->n_resp);
	}
	if (st == MSP_OK)
		st = copyout_end(&g->copy, g->n_resp, err);
	if (st == MSP_OK)
		g->res->responses = g->n_resp;
	return st;
}

/* Whether item k is asked given this response's answers so far. */
static int
shown(const struct gen *g, const struct sitem *si)
{
	const struct sitem *c;
	size_t o;

	if (si->cond < 0)
		return 1;
	c = &g->items[si->cond];
	if (!g->answered[si->cond])
		return 0;
	for (o = 0; o < slots(c->it); o++)
		if (g->chosen[c->chosen_off + o] && si->cond_mask[o])
			return 1;
	return 0;
}

/* A few words, at most max characters: never a tab, newline or
 * backslash, so nothing needs escaping for COPY. */
static void
put_text(struct buf *b, struct rng *r, int max, unsigned *count)
{
	size_t room = max > 0 ? (size_t)max : 200, len = 0;
	long n = rng_range(r, 3, 14), w;

	if (room > 200)
		room = 200;
	for (w = 0; w < n; w++) {
		uint64_t k = rng_below(r, N_WORDS);
		const char *word = words[k];
		size_t chars = utf8_length(word) + (len > 0);

		if (len + chars > room)
			break;
		if (len > 0)
			buf_putc(b, ' ');
		buf_puts(b, word);
		count[k]++;
		len += chars;
	}
	if (len == 0) {		/* max_length shorter than every word */
		buf_putc(b, 'x');
		count[N_WORDS]++;
	}
}

/* A number of item si in 1/scale units. */
static int64_t
draw_number(const struct sitem *si, struct rng *r)
{
	double u, x;
	int64_t v;
	int j;

	if (!si->has_quantiles)
		return rng_range(r, si->lo, si->hi);
	/* inverse of the priors' distribution, linear between quantiles */
	u = rng_unit(r) * (QUANTILES - 1);
	j = (int)u;
	x = si->quantiles[j] + (u - j) * (si->quantiles[j + 1] -
					  si->quantiles[j]);
	v = round_i64(x * si->scale);
	return v < si->lo ? si->lo : v > si->hi ? si->hi : v;
}

/* Counts n more for (item, kind, value) of the running totals. */
static void
count(struct gen *g, int item, enum tally_kind kind, int64_t value,
      int64_t n)
{
	if (tally_add(&g->tally, (uint32_t)item, kind, value, n) != 0)
		g->tally_oom = 1;
}

/* Counts the words of one open answer of item, from g->word_count,
 * which it clears. */
static void
count_words(struct gen *g, int item)
{
	size_t k;

	for (k = 0; k <= N_WORDS; k++) {
		if (g->word_count[k] == 0)
			continue;
		count(g, item, TALLY_WORD, (int64_t)k, g->word_count[k]);
		count(g, item, TALLY_WORD_ANSWER, (int64_t)k, 1);
		g->word_count[k] = 0;
	}
}

/* Appends the answer rows of response i; *rows counts them.  The
 * answers of a complete response go into the running totals. */
static void
put_answers(struct gen *g, long i, long *rows)
{
	struct buf *b = &g->copy.buf;
	char id[24];
	size_t id_len, n = g->ins->n_items, k, o;
	struct rdraw resp;
	struct rng r;
	int len;

	draw_response(g, i, &resp);
	rng_stream(&r, g->opt->seed, DOMAIN_ANSWERS, (uint64_t)i);
	len = snprintf(id, sizeof(id), "%" PRId64, g->resp0 + i);
	id_len = (size_t)len;
	memset(g->answered, 0, n);
	memset(g->chosen, 0, g->n_chosen);
	for (k = 0; k < n; k++) {
		int item = g->order[k];
		struct sitem *si = &g->items[item];
		const struct instrument_item *it = si->it;
		unsigned char *chosen = g->chosen + si->chosen_off;

		if ((size_t)item >= resp.cut || !si->answerable ||
		    !shown(g, si))
			continue;
		if (!it->required && !rng_chance(&r, si->p_answer))
			continue;
		g->answered[item] = 1;
		switch (it->type) {
		case ITEM_SINGLE_CHOICE:
			o = rng_weighted(&r, si->option_p,
					 (unsigned)it->n_options);
			chosen[o] = 1;
			break;
		case ITEM_MULTIPLE_CHOICE: {
			int any = 0;

			for (o = 0; o < it->n_options; o++) {
				chosen[o] = (unsigned char)rng_chance(
					&r, si->option_p[o]);
				any |= chosen[o];
			}
			/* answered means at least one option */
			if (!any)
				chosen[rng_below(&r, it->n_options)] = 1;
			break;
		}
		default:
			break;
		}
		if (it->type == ITEM_SINGLE_CHOICE ||
		    it->type == ITEM_MULTIPLE_CHOICE) {
			for (o = 0; o < it->n_options; o++) {
				if (!chosen[o])
					continue;
				buf_append(b, id, id_len);
				buf_append(b, si->prefix, si->prefix_len);
				copyout_text(b, it->options[o].code);
				buf_puts(b, "\t\\N\t\\N\t\\N\n");
				(*rows)++;
				if (!resp.partial)
					count(g, item, TALLY_OPTION,
					      (int64_t)o, 1);
			}
			if (!resp.partial &&
			    it->type == ITEM_MULTIPLE_CHOICE)
				count(g, item, TALLY_RESPONDENT, 0, 1);
			continue;
		}
		buf_append(b, id, id_len);
		buf_append(b, si->prefix, si->prefix_len);
		switch (it->type) {
		case ITEM_NUMBER: {
			int64_t v = draw_number(si, &r);

			buf_puts(b, "\\N\t");
			put_scaled(b, v, si->scale);
			buf_puts(b, "\t\\N\t\\N\n");
			if (!resp.partial)
				count(g, item, TALLY_NUMBER, v, 1);
			break;
		}
		case ITEM_TEXT:
			buf_puts(b, "\\N\t\\N\t");
			put_text(b, &r, it->max_length, g->word_count);
			buf_puts(b, "\t\\N\n");
			if (!resp.partial) {
				count(g, item, TALLY_TEXT, 0, 1);
				count_words(g, item);
			} else
				memset(g->word_count, 0,
				       sizeof(g->word_count));
			break;
		default:	/* ITEM_BOOLEAN: slot 0 "oui", 1 "non" */
			o = !rng_chance(&r, si->p_true);
			chosen[o] = 1;
			buf_puts(b, o == 0 ? "\\N\t\\N\t\\N\tt\n"
				 : "\\N\t\\N\t\\N\tf\n");
			if (!resp.partial)
				count(g, item, TALLY_BOOL, o == 0, 1);
			break;
		}
		(*rows)++;
	}
}

static enum msp_status
load_answers(struct gen *g, struct msp_error *err)
{
	enum msp_status st;
	long i, rows = 0, step = progress_step(g);

	st = copyout_begin(&g->copy, g->conn, "answers",
			   "COPY msp.answer (response_id,"
			   " instrument_id, item_key, choice_code, num_value,"
			   " text_value, bool_value) FROM STDIN", err);
	for (i = 0; st == MSP_OK && i < g->n_resp; i++) {
		put_answers(g, i, &rows);
		st = copyout_flush(&g->copy, 0, err);
		if (st == MSP_OK && (i + 1) % step == 0)
			progress(g, "answers: %ld rows for %ld of %ld"
				 " responses", rows, i + 1, g->n_resp);
	}
	if (st == MSP_OK)
		st = copyout_end(&g->copy, rows, err);
	if (st == MSP_OK)
		g->res->answers = rows;
	return st;
}

/* --- checks ------------------------------------------------------------ */

/*
 * The rules the answer trigger, the foreign keys and the instrument
 * impose, as queries over the rows just loaded, each counting what
 * breaks them.  Run before COMMIT: a count other than 0 rolls it all
 * back.  Every query starts with CHECK_PARAMS, which names the
 * parameters: the study, its instrument, the first and last response
 * id.
 *
 * The responses checked one by one, and their answers, are first
 * copied into two temporary tables (make_sample()): the rules that
 * relate answers of one response to each other then join small,
 * analysed tables instead of the whole answer table.
 */
#define CHECK_PARAMS \
	"WITH p AS (SELECT $1::integer AS study, $2::integer AS ins," \
	" $3::bigint AS first, $4::bigint AS last) "

static const struct {
	const char *what;
	const char *sql;	/* one row: the count of bad rows */
} checks[] = {
	{ "answers that do not satisfy their item", CHECK_PARAMS
	  "SELECT count(*) FROM p, pg_temp.synth_sample_answer a"
	  "  LEFT JOIN msp.instrument_item it"
	  "    ON it.instrument_id = a.instrument_id"
	  "   AND it.item_key = a.item_key"
	  "  LEFT JOIN msp.item_option o ON o.instrument_id = a.instrument_id"
	  "   AND o.item_key = a.item_key AND o.code = a.choice_code"
	  " WHERE NOT coalesce(a.instrument_id = p.ins AND CASE it.item_type"
	  "    WHEN 'single_choice' THEN o.code IS NOT NULL"
	  "    WHEN 'multiple_choice' THEN o.code IS NOT NULL"
	  "    WHEN 'number' THEN a.num_value IS NOT NULL"
	  "     AND a.num_value >= coalesce(it.min_value, a.num_value)"
	  "     AND a.num_value <= coalesce(it.max_value, a.num_value)"
	  "     AND (NOT it.integer_only OR a.num_value = trunc(a.num_value))"
	  "    WHEN 'text' THEN a.text_value IS NOT NULL"
	  "     AND length(a.text_value) <="
	  "         coalesce(it.max_length, length(a.text_value))"
	  "    WHEN 'boolean' THEN a.bool_value IS NOT NULL END, false)" },
	{ "answers to items whose \"show if\" does not hold", CHECK_PARAMS
	  "SELECT count(*) FROM p, pg_temp.synth_sample_answer a"
	  "  JOIN msp.instrument_item it"
	  "    ON it.instrument_id = a.instrument_id"
	  "   AND it.item_key = a.item_key"
	  " WHERE it.instrument_id = p.ins AND it.show_if_item IS NOT NULL"
	  "   AND NOT EXISTS (SELECT 1 FROM pg_temp.synth_sample_answer c"
	  "        WHERE c.response_id = a.response_id"
	  "          AND c.item_key = it.show_if_item"
	  "          AND " AS_CHOICE("c") " = ANY (it.show_if_values))" },
	{ "single choices with more than one code", CHECK_PARAMS
	  "SELECT count(*) FROM ("
	  " SELECT 1 FROM p, pg_temp.synth_sample_answer a"
	  "   JOIN msp.instrument_item it"
	  "     ON it.instrument_id = a.instrument_id"
	  "    AND it.item_key = a.item_key"
	  "  WHERE it.instrument_id = p.ins"
	  "    AND it.item_type = 'single_choice'"
	  "  GROUP BY a.response_id, a.item_key HAVING count(*) > 1) x" },
	{ "complete responses missing a required item", CHECK_PARAMS
	  "SELECT count(*) FROM p, pg_temp.synth_sample s,"
	  "       LATERAL (SELECT r.* FROM msp.response r"
	  "         WHERE r.response_id = s.response_id OFFSET 0) r"
	  "  JOIN msp.instrument_item it ON it.instrument_id = r.instrument_id"
	  " WHERE r.status = 'complete' AND it.required"
	  "   AND it.instrument_id = p.ins"
	  "   AND (it.show_if_item IS NULL OR EXISTS ("
	  "        SELECT 1 FROM pg_temp.synth_sample_answer c"
	  "         WHERE c.response_id = r.response_id"
	  "           AND c.item_key = it.show_if_item"
	  "           AND " AS_CHOICE("c") " = ANY (it.show_if_values)))"
	  "   AND NOT EXISTS (SELECT 1 FROM pg_temp.synth_sample_answer a"
	  "        WHERE a.response_id = r.response_id"
	  "          AND a.item_key = it.item_key)" },
	/* These two cover every row: they cost little. */
	/* NOT IN an uncorrelated subquery: one hash of the population,
	 * whatever the stale statistics make of the response range (a
	 * join was planned as a loop over the population per response) */
	{ "responses outside the study, its instrument or its population",
	  CHECK_PARAMS
	  "SELECT count(*) FROM p JOIN msp.response r"
	  "    ON r.response_id BETWEEN p.first AND p.last"
	  " WHERE r.study_id <> p.study OR r.instrument_id <> p.ins"
	  "    OR r.structure_id NOT IN (SELECT pop.structure_id"
	  "         FROM p, msp.population pop WHERE pop.study_id = p.study)" },
	{ "structures, staff or contacts without their parent row",
	  CHECK_PARAMS
	  "SELECT (SELECT count(*) FROM msp.population pop"
	  "          LEFT JOIN msp.structure s USING (structure_id)"
	  "          LEFT JOIN msp.federation f USING (federation_id)"
	  "         WHERE pop.study_id = p.study AND (s.structure_id IS NULL"
	  "            OR s.region_id <> st.region_id"
	  "            OR (s.federation_id IS NOT NULL"
	  "                AND f.federation_id IS NULL)))"
	  "     + (SELECT count(*) FROM msp.population pop"
	  "          JOIN msp.structure_staff ss USING (structure_id)"
	  "          LEFT JOIN msp.structure s USING (structure_id)"
	  "         WHERE pop.study_id = p.study AND s.structure_id IS NULL)"
	  "     + (SELECT count(*) FROM msp.contact c"
	  "          LEFT JOIN msp.population pop"
	  "            USING (study_id, structure_id)"
	  "         WHERE c.study_id = p.study AND pop.structure_id IS NULL)"
	  "     + (st.instrument_id <> p.ins)::integer"
	  "     + (p.first > p.last + 1)::integer"
	  "  FROM p JOIN msp.study st ON st.study_id = p.study" },
};

/*
 * Copies every stride-th response id and its answers into the
 * temporary tables synth_sample and synth_sample_answer (dropped at
 * COMMIT), and counts those answers into *n_answers.
 */
static enum msp_status
make_sample(struct gen *g, long stride, long *n_answers,
	    struct msp_error *err)
{
	static const char *const setup[] = {
		"CREATE TEMPORARY TABLE synth_sample"
		" (response_id bigint PRIMARY KEY) ON COMMIT DROP",
		"INSERT INTO pg_temp.synth_sample"
		" SELECT generate_series($1::bigint, $2::bigint, $3::bigint)",
		"ANALYZE pg_temp.synth_sample",
		/* by index, response by response: the answer table's
		 * statistics predate the load (see PRIOR_RESPONSES) */
		"CREATE TEMPORARY TABLE synth_sample_answer ON COMMIT DROP AS"
		" SELECT a.response_id, a.instrument_id, a.item_key,"
		"        a.choice_code, a.num_value, a.text_value, a.bool_value"
		"   FROM pg_temp.synth_sample s,"
		"        LATERAL (SELECT a.* FROM msp.answer a"
		"          WHERE a.response_id = s.response_id OFFSET 0) a",
		/* the checks look answers up by response and item, under
		 * an OR that keeps the planner from hashing */
		"CREATE INDEX ON pg_temp.synth_sample_answer"
		" (response_id, item_key)",
		"ANALYZE pg_temp.synth_sample_answer",
	};
	char first[24], last[24], step[24];
	const char *params[3] = { first, last, step };
	enum msp_status st = MSP_OK;
	PGresult *res = NULL;
	size_t k;

	snprintf(first, sizeof(first), "%" PRId64, g->resp0);
	snprintf(last, sizeof(last), "%" PRId64, g->resp0 + g->n_resp - 1);
	snprintf(step, sizeof(step), "%ld", stride);
	for (k = 0; st == MSP_OK && k < sizeof(setup) / sizeof(setup[0]);
	     k++)
		st = db_exec(g->conn, "check sample", setup[k], k == 1 ? 3 : 0,
			     k == 1 ? params : NULL, PGRES_COMMAND_OK, NULL,
			     err);
	if (st == MSP_OK)
		st = db_exec(g->conn, "check sample", "SELECT count(*)"
			     " FROM pg_temp.synth_sample_answer", 0, NULL,
			     PGRES_TUPLES_OK, &res, err);
	if (st == MSP_OK)
		*n_answers = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return st;
}

static enum msp_status check_tallies(struct gen *g,
				      struct msp_error *err);

static enum msp_status
check_rows(struct gen *g, struct msp_error *err)
{
	char study[16], ins[16], first[24], last[24];
	const char *params[4] = { study, ins, first, last };
	PGresult *res = NULL;
	enum msp_status st;
	long stride, n = 0;
	size_t k;

	stride = g->n_resp <= CHECK_ALL_MAX ? 1
		 : (g->n_resp + CHECK_ALL_MAX - 1) / CHECK_ALL_MAX;
	if ((st = make_sample(g, stride, &n, err)) != MSP_OK)
		return st;
	/* When every response is checked, every answer must be: none may
	 * hang off a response outside the range. */
	if (stride == 1 && n != g->res->answers)
		return msp_error_set(err, MSP_ECONFLICT, "post-load check:"
				     " %ld answers for %ld loaded", n,
				     g->res->answers);
	snprintf(study, sizeof(study), "%d", g->study_id);
	snprintf(ins, sizeof(ins), "%d", g->ins->instrument_id);
	/* an empty range when there are no responses */
	snprintf(first, sizeof(first), "%" PRId64, g->resp0);
	snprintf(last, sizeof(last), "%" PRId64, g->resp0 + g->n_resp - 1);
	for (k = 0; k < sizeof(checks) / sizeof(checks[0]); k++) {
		long bad = -1;

		st = db_exec(g->conn, "check", checks[k].sql, 4, params,
			     PGRES_TUPLES_OK, &res, err);
		if (st != MSP_OK)
			return st;
		if (PQntuples(res) == 1)
			bad = strtol(PQgetvalue(res, 0, 0), NULL, 10);
		PQclear(res);
		res = NULL;
		if (bad != 0)
			return msp_error_set(err, MSP_ECONFLICT,
					     "post-load check: %ld %s",
					     bad, checks[k].what);
	}
	if (stride == 1 && (st = check_tallies(g, err)) != MSP_OK)
		return st;
	if (stride == 1)
		progress(g, "checked every response and its %ld answers"
			 " and the running totals", n);
	else
		progress(g, "checked one response in %ld and its answers"
			 " (%ld)", stride, n);
	return st;
}

/* --- running totals (migration 0014) ------------------------------------ */

/* One msp.answer_tally row of entry e, or nothing for a word's. */
static int
put_tally(struct gen *g, const char *study, const struct tally_entry *e)
{
	const struct sitem *si = &g->items[e->item];
	struct buf *b = &g->copy.buf;

	switch (e->kind) {
	case TALLY_OPTION:
		buf_printf(b, "%s\t%s\tv\t%s\t\\N\t\\N\t", study, si->it->key,
			   si->it->options[e->value].code);
		break;
	case TALLY_BOOL:
		buf_printf(b, "%s\t%s\tv\t\\N\t%c\t\\N\t", study, si->it->key,
			   e->value ? 't' : 'f');
		break;
	case TALLY_NUMBER:
		buf_printf(b, "%s\t%s\tv\t\\N\t\\N\t", study, si->it->key);
		put_scaled(b, e->value, si->scale);
		buf_putc(b, '\t');
		break;
	case TALLY_TEXT:
	case TALLY_RESPONDENT:
		buf_printf(b, "%s\t%s\t%c\t\\N\t\\N\t\\N\t", study, si->it->key,
			   e->kind == TALLY_TEXT ? 'v' : 'r');
		break;
	default:
		return 0;
	}
	put_i64(b, e->n);
	buf_putc(b, '\n');
	return 1;
}

/*
 * Writes the running totals of what was loaded: the fast load runs
 * without the triggers that keep them (with --checked they did).
 */
static enum msp_status
load_tallies(struct gen *g, struct msp_error *err)
{
	char study[16];
	enum msp_status st;
	long rows = 0;
	size_t i;

	if (g->opt->checked)
		return MSP_OK;
	if (g->tally_oom)
		return oom(err);
	snprintf(study, sizeof(study), "%d", g->study_id);
	st = copyout_begin(&g->copy, g->conn, "totals",
			   "COPY msp.answer_tally (study_id,"
			   " item_key, kind, choice_code, bool_value,"
			   " num_value, n) FROM STDIN", err);
	for (i = 0; st == MSP_OK && i < g->tally.cap; i++) {
		rows += put_tally(g, study, &g->tally.slots[i]);
		st = copyout_flush(&g->copy, 0, err);
	}
	if (st == MSP_OK)
		st = copyout_end(&g->copy, rows, err);
	if (st != MSP_OK)
		return st;
	rows = 0;
	st = copyout_begin(&g->copy, g->conn, "word totals",
			   "COPY msp.word_tally (study_id,"
			   " item_key, word, occurrences, answers) FROM STDIN",
			   err);
	for (i = 0; st == MSP_OK && i < g->tally.cap; i++) {
		const struct tally_entry *e = &g->tally.slots[i];

		if (e->kind != TALLY_WORD)
			continue;
		buf_printf(&g->copy.buf, "%s\t%s\t%s\t", study,
			   g->items[e->item].it->key,
			   (size_t)e->value < N_WORDS ? words[e->value] : "x");
		put_i64(&g->copy.buf, e->n);
		buf_putc(&g->copy.buf, '\t');
		put_i64(&g->copy.buf, tally_get(&g->tally, e->item,
					    TALLY_WORD_ANSWER, e->value));
		buf_putc(&g->copy.buf, '\n');
		rows++;
		st = copyout_flush(&g->copy, 0, err);
	}
	if (st == MSP_OK)
		st = copyout_end(&g->copy, rows, err);
	return st;
}

/*
 * When every response is checked: the running totals against a recount
 * from the answers (msp.tally_recount, which leaves the recount in
 * their place).  $1 study_id.
 */
static const char *const tally_checks[] = {
	"CREATE TEMPORARY TABLE synth_tally ON COMMIT DROP AS"
	" SELECT item_key, kind, choice_code, bool_value, num_value,"
	"        sum(n) AS n"
	"   FROM msp.answer_tally WHERE study_id = $1::integer"
	"  GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0",
	"CREATE TEMPORARY TABLE synth_word_tally ON COMMIT DROP AS"
	" SELECT item_key, word, sum(occurrences) AS occurrences,"
	"        sum(answers) AS answers"
	"   FROM msp.word_tally WHERE study_id = $1::integer"
	"  GROUP BY 1, 2",
	"SELECT msp.tally_recount($1::integer)",
};

static const char sql_tally_differences[] =
	"WITH t AS (SELECT item_key, kind, choice_code, bool_value,"
	"                  num_value, sum(n) AS n"
	"             FROM msp.answer_tally WHERE study_id = $1::integer"
	"            GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0),"
	"     w AS (SELECT item_key, word, sum(occurrences) AS occurrences,"
	"                  sum(answers) AS answers"
	"             FROM msp.word_tally WHERE study_id = $1::integer"
	"            GROUP BY 1, 2)"
	"SELECT (SELECT count(*) FROM ((TABLE t EXCEPT ALL"
	"         TABLE pg_temp.synth_tally) UNION ALL"
	"        (TABLE pg_temp.synth_tally EXCEPT ALL TABLE t)) x)"
	"     + (SELECT count(*) FROM ((TABLE w EXCEPT ALL"
	"         TABLE pg_temp.synth_word_tally) UNION ALL"
	"        (TABLE pg_temp.synth_word_tally EXCEPT ALL TABLE w)) y)";

static enum msp_status
check_tallies(struct gen *g, struct msp_error *err)
{
	char study[16];
	const char *params[1] = { study };
	enum msp_status st = MSP_OK;
	char value[24];
	int found = 0;
	size_t k;

	snprintf(study, sizeof(study), "%d", g->study_id);
	for (k = 0; st == MSP_OK && k < sizeof(tally_checks) /
	     sizeof(tally_checks[0]); k++)
		st = db_exec(g->conn, "check totals", tally_checks[k], 1,
			     params, k < 2 ? PGRES_COMMAND_OK :
			     PGRES_TUPLES_OK, NULL, err);
	if (st == MSP_OK)
		st = lookup(g, "check totals", sql_tally_differences, 1,
			    params, value, sizeof(value), &found, err);
	if (st == MSP_OK && (!found || strcmp(value, "0") != 0))
		st = msp_error_set(err, MSP_ECONFLICT, "post-load check: %s"
				   " running totals differ from the answers",
				   found ? value : "?");
	return st;
}

/* --- the run ----------------------------------------------------------- */

/*
 * Index rebuild around a large load: msp.synth_drop_indexes() drops
 * every index of msp.response and msp.answer that no foreign key
 * depends on, keeping each definition for msp.synth_restore_indexes()
 * to build again after the COPY (sql/functions/: both run on the
 * server, from the catalog's own definitions).
 */
static const char sql_indexes_drop[] =
	"SELECT msp.synth_drop_indexes($1::regclass[])";
/* $1: the tables, as regclass[] input */
static const char *const indexes_tables[1] = {
	"{msp.response,msp.answer}"
};

static const char sql_indexes_restore[] =
	"SELECT msp.synth_restore_indexes()";

int
synth_rebuild_indexes(long responses, double existing)
{
	return responses >= SYNTH_REBUILD_MIN && existing < (double)responses;
}

/* Whether this run rebuilds the indexes: opt->indexes, or for AUTO the
 * size of the load against the rows msp.response holds. */
static enum msp_status
want_rebuild(struct gen *g, int *rebuild, struct msp_error *err)
{
	char value[32];
	enum msp_status st;
	int found = 0;

	*rebuild = 0;
	if (g->opt->checked || g->opt->indexes == SYNTH_INDEXES_KEEP)
		return MSP_OK;
	if (g->opt->indexes == SYNTH_INDEXES_REBUILD) {
		*rebuild = 1;
		return MSP_OK;
	}
	if (g->n_resp < SYNTH_REBUILD_MIN)
		return MSP_OK;
	st = lookup(g, "table size", "SELECT reltuples FROM pg_class"
		    " WHERE oid = 'msp.response'::regclass", 0, NULL, value,
		    sizeof(value), &found, err);
	if (st == MSP_OK && found)
		*rebuild = synth_rebuild_indexes(g->n_resp,
						 strtod(value, NULL));
	return st;
}

/* Drops the indexes (see sql_indexes_drop), when this run rebuilds
 * them.  Waits for the sessions using either table, then keeps every
 * other session out of both until COMMIT. */
static enum msp_status
drop_indexes(struct gen *g, struct msp_error *err)
{
	enum msp_status st;
	int rebuild;

	if ((st = want_rebuild(g, &rebuild, err)) != MSP_OK || !rebuild)
		return st;
	progress(g, "dropping the indexes of msp.response and msp.answer"
		 " (rebuilt after the load; both tables locked until"
		 " COMMIT)");
	st = db_exec(g->conn, "drop indexes", sql_indexes_drop, 1,
		     indexes_tables, PGRES_TUPLES_OK, NULL, err);
	if (st == MSP_OK)
		g->res->rebuilt_indexes = 1;
	return st;
}

/* Builds again what drop_indexes() dropped.  A sort of each table per
 * index; parallel workers if the server allows them, with memory
 * enough for two of them (a setting of this transaction only). */
static enum msp_status
restore_indexes(struct gen *g, struct msp_error *err)
{
	struct timespec t0;
	enum msp_status st;

	if (!g->res->rebuilt_indexes)
		return MSP_OK;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	st = db_exec(g->conn, "index memory", "SET LOCAL"
		     " maintenance_work_mem = '256MB'", 0, NULL,
		     PGRES_COMMAND_OK, NULL, err);
	if (st == MSP_OK)
		st = db_exec(g->conn, "build indexes", sql_indexes_restore, 0,
			     NULL, PGRES_TUPLES_OK, NULL, err);
	if (st != MSP_OK)
		return st;
	g->res->index_seconds = seconds_since(&t0);
	progress(g, "indexes built again in %.1f s", g->res->index_seconds);
	return MSP_OK;
}

/* The first of n ids reserved from column's identity sequence.  A
 * concurrent insert taking an id in between makes our COPY fail on the
 * primary key, which rolls everything back: never wrong rows. */
static enum msp_status
reserve_ids(struct gen *g, const char *table, const char *column, long n,
	    int64_t *first, struct msp_error *err)
{
	char count[24], value[24];
	const char *params[3] = { table, column, count };
	enum msp_status st;
	int found = 0;

	snprintf(count, sizeof(count), "%ld", n > 0 ? n : 1);
	/* setval() returns the last id of the block: first + n - 1. */
	st = lookup(g, "reserve ids",
		    "SELECT setval(q.seq, nextval(q.seq) + $3::bigint - 1)"
		    "       - $3::bigint + 1"
		    "  FROM (SELECT pg_get_serial_sequence($1, $2)::regclass"
		    "        AS seq) q",
		    3, params, value, sizeof(value), &found, err);
	if (st == MSP_OK && !found)
		st = msp_error_set(err, MSP_EDB, "no sequence for %s.%s",
				   table, column);
	if (st == MSP_OK)
		*first = strtoll(value, NULL, 10);
	return st;
}

static enum msp_status
create_study(struct gen *g, struct msp_error *err)
{
	char region[16], year[16], ins[16], size[24], start[16], end[16];
	const char *params[9] = { g->slug, region, year, NULL, ins, size,
				  start, end, NULL };
	struct buf b = BUF_INIT(BUF_MAX_TEXT);
	struct buf title = BUF_INIT(BUF_MAX_TEXT);
	struct buf note = BUF_INIT(BUF_MAX_TEXT);
	PGresult *res = NULL;
	enum msp_status st;

	snprintf(region, sizeof(region), "%d", g->region_id);
	snprintf(year, sizeof(year), "%d", g->year);
	snprintf(ins, sizeof(ins), "%d", g->ins->instrument_id);
	snprintf(size, sizeof(size), "%ld", g->n_struct);
	put_date(&b, g->day0);
	snprintf(start, sizeof(start), "%s", buf_str(&b));
	buf_reset(&b);
	put_date(&b, g->day0 + FIELDWORK_DAYS - 1);
	snprintf(end, sizeof(end), "%s", buf_str(&b));
	buf_printf(&title, "Données synthétiques : %s (graine %" PRIu64 ")",
		   g->ins->title_fr, g->opt->seed);
	buf_printf(&note, "Synthetic data, not observations: made by"
		   " msp-report generate with seed %" PRIu64 ", %ld responses,"
		   " %ld structures, instrument %s version %d."
		   " See docs/generator.md.", g->opt->seed, g->n_resp,
		   g->n_struct, g->ins->slug, g->ins->version);
	if ((st = buf_status(&title, err)) != MSP_OK ||
	    (st = buf_status(&note, err)) != MSP_OK)
		goto out;
	params[3] = buf_str(&title);
	params[8] = buf_str(&note);
	st = db_exec(g->conn, "study",
		     "INSERT INTO msp.study (slug, region_id, year, title_fr,"
		     " instrument_id, target_size, fieldwork_start,"
		     " fieldwork_end, reconstructed, synthetic, source_note)"
		     " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, false, true,"
		     " $9) RETURNING study_id",
		     9, params, PGRES_TUPLES_OK, &res, err);
	if (st != MSP_OK) {
		if (err != NULL && db_classify(err->sqlstate) == DB_UNIQUE)
			st = msp_error_set(err, MSP_EINVAL,
					   "a study '%s' already exists;"
					   " choose another seed or"
					   " --study-slug", g->slug);
		goto out;
	}
	g->study_id = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
out:
	PQclear(res);
	buf_free(&b);
	buf_free(&title);
	buf_free(&note);
	return st;
}

/* One audit row per table for the whole load, in place of the rows the
 * bypassed statement triggers would have written (docs/generator.md). */
static enum msp_status
write_audit(struct gen *g, struct msp_error *err)
{
	char study[16], seed[24], first[24], last[24], nresp[24], nans[24];
	const char *params[6] = { study, seed, first, last, nresp, nans };

	snprintf(study, sizeof(study), "%d", g->study_id);
	snprintf(seed, sizeof(seed), "%" PRIu64, g->opt->seed);
	snprintf(first, sizeof(first), "%" PRId64, g->resp0);
	snprintf(last, sizeof(last), "%" PRId64, g->resp0 + g->n_resp - 1);
	snprintf(nresp, sizeof(nresp), "%ld", g->res->responses);
	snprintf(nans, sizeof(nans), "%ld", g->res->answers);
	return db_exec(g->conn, "audit",
		       "INSERT INTO msp_audit.log (actor, table_name,"
		       " operation, new_row)"
		       " SELECT 'msp-report generate', t.tab, 'INSERT',"
		       "  jsonb_build_object('bulk_load', 'synthetic',"
		       "   'study_id', $1::integer, 'seed', $2::text,"
		       "   'first_response_id', $3::bigint,"
		       "   'last_response_id', $4::bigint, 'rows', t.n)"
		       "   FROM (VALUES ('response', $5::bigint),"
		       "                ('answer', $6::bigint)) t(tab, n)",
		       6, params, PGRES_COMMAND_OK, NULL, err);
}

long
synth_default_structures(long responses)
{
	long n = responses > SYNTH_STRUCTURES_DEFAULT_MAX / 2
		 ? SYNTH_STRUCTURES_DEFAULT_MAX : 2 * responses;

	return n > 0 ? n : 1;
}

static enum msp_status
check_options(const struct synth_options *opt, struct msp_error *err)
{
	if (opt->region == NULL)
		return msp_error_set(err, MSP_EINVAL, "no region given");
	if (opt->responses < 0 || opt->responses > SYNTH_RESPONSES_MAX)
		return msp_error_set(err, MSP_EINVAL, "responses: 0 to %ld",
				     SYNTH_RESPONSES_MAX);
	if (opt->structures < 0 || opt->structures > SYNTH_STRUCTURES_MAX)
		return msp_error_set(err, MSP_EINVAL, "structures: 1 to %ld",
				     SYNTH_STRUCTURES_MAX);
	if (opt->year < 2000 || opt->year > 2100)
		return msp_error_set(err, MSP_EINVAL, "year: 2000 to 2100");
	if (opt->instrument != NULL && opt->like != NULL)
		return msp_error_set(err, MSP_EINVAL,
				     "give an instrument or a study to copy"
				     " it from, not both");
	return MSP_OK;
}

/* The slug given, or synthetic-<region>-<seed>; checked by the
 * study table's own CHECK as well. */
static enum msp_status
make_slug(struct gen *g, struct msp_error *err)
{
	const char *s;
	int n;

	if (g->opt->study_slug != NULL)
		n = snprintf(g->slug, sizeof(g->slug), "%s",
			     g->opt->study_slug);
	else
		n = snprintf(g->slug, sizeof(g->slug), "synthetic-%s-%"
			     PRIu64, g->opt->region, g->opt->seed);
	if (n < 0 || (size_t)n >= sizeof(g->slug))
		return msp_error_set(err, MSP_EINVAL,
				     "study slug longer than %d bytes",
				     SYNTH_SLUG_MAX - 1);
	for (s = g->slug; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-'))
			return msp_error_set(err, MSP_EINVAL,
					     "study slug: lower-case letters,"
					     " digits and hyphens only");
	return MSP_OK;
}

enum msp_status
synth_generate(PGconn *conn, const struct synth_options *opt,
	       struct synth_result *out, struct msp_error *err)
{
	struct gen g;
	enum msp_status st;
	char id[16];
	struct timespec t_check;
	int instrument_id = 0, begun = 0;
	size_t i;

	memset(&g, 0, sizeof(g));
	memset(out, 0, sizeof(*out));
	g.conn = conn;
	g.opt = opt;
	g.res = out;
	g.copy = (struct copyout)COPYOUT_INIT;
	clock_gettime(CLOCK_MONOTONIC, &g.start);
	if ((st = check_options(opt, err)) != MSP_OK)
		goto out;
	if ((st = make_slug(&g, err)) != MSP_OK)
		goto out;
	g.year = opt->year;
	g.day0 = days_from_civil(g.year, 3, 1);
	g.n_resp = opt->responses;
	g.n_struct = opt->structures > 0 ? opt->structures
		     : synth_default_structures(opt->responses);

	st = db_exec(conn, "begin", "BEGIN", 0, NULL, PGRES_COMMAND_OK, NULL,
		     err);
	if (st != MSP_OK)
		goto out;
	begun = 1;
	/* The audit trail's actor (--checked), and no JIT: after a large
	 * load the planner's estimates are stale, and compiling for the
	 * millions of rows it imagines takes longer than the query. */
	st = db_exec(conn, "session", "SELECT set_config('msp.actor',"
		     " 'msp-report generate', true), set_config('jit', 'off',"
		     " true)", 0, NULL, PGRES_TUPLES_OK, NULL, err);
	if (st != MSP_OK)
		goto out;
	if ((st = resolve_region(&g, err)) != MSP_OK ||
	    (st = resolve_instrument(&g, &instrument_id, err)) != MSP_OK ||
	    (st = instrument_load(conn, instrument_id, &g.ins, err)) != MSP_OK)
		goto out;
	if (g.ins->n_items > UINT32_MAX - 1) {
		st = msp_error_set(err, MSP_EINVAL, "too many items");
		goto out;
	}
	if ((st = setup_items(&g, err)) != MSP_OK)
		goto out;
	snprintf(id, sizeof(id), "%d", instrument_id);
	if ((st = load_item_priors(&g, id, err)) != MSP_OK ||
	    (st = load_option_priors(&g, id, err)) != MSP_OK ||
	    (st = load_response_priors(&g, id, err)) != MSP_OK)
		goto out;
	g.participants = calloc((size_t)g.n_struct, sizeof(*g.participants));
	if (g.participants == NULL) {
		st = oom(err);
		goto out;
	}
	if ((st = create_study(&g, err)) != MSP_OK)
		goto out;
	snprintf(out->study_slug, sizeof(out->study_slug), "%s", g.slug);
	out->study_id = g.study_id;
	progress(&g, "study %s (id %d), instrument %s version %d, %ld"
		 " structures, %ld responses%s", g.slug, g.study_id,
		 g.ins->slug, g.ins->version, g.n_struct, g.n_resp,
		 opt->checked ? ", checked by the triggers" : "");

	if (!opt->checked) {
		/*
		 * Superuser only (PGC_SUSET): no tenant role can take this
		 * path.  Until COMMIT it switches off every ordinary
		 * trigger, foreign keys included; check_rows() then checks
		 * what they would have.
		 */
		st = db_exec(conn, "bulk mode", "SET LOCAL"
			     " session_replication_role = replica", 0, NULL,
			     PGRES_COMMAND_OK, NULL, err);
		if (st != MSP_OK) {
			if (err != NULL &&
			    db_classify(err->sqlstate) == DB_DENIED)
				st = msp_error_set(err, MSP_EACCESS,
						   "the fast load needs a"
						   " superuser; use --checked"
						   " to load through the"
						   " triggers instead");
			goto out;
		}
	}
	if ((st = drop_indexes(&g, err)) != MSP_OK)
		goto out;
	if ((st = reserve_ids(&g, "msp.structure", "structure_id",
			      g.n_struct, &g.struct0, err)) != MSP_OK ||
	    (st = reserve_ids(&g, "msp.response", "response_id", g.n_resp,
			      &g.resp0, err)) != MSP_OK)
		goto out;
	out->first_response_id = g.resp0;
	out->last_response_id = g.resp0 + g.n_resp - 1;

	if ((st = load_structures(&g, err)) != MSP_OK ||
	    (st = load_contacts(&g, err)) != MSP_OK)
		goto out;
	progress(&g, "%ld structures (%ld answer), %ld staff rows, %ld"
		 " contacts", out->structures, g.n_participants < g.n_resp
		 ? g.n_participants : g.n_resp, out->staff, out->contacts);
	out->responses_seconds = seconds_since(&g.start);
	if ((st = load_responses(&g, err)) != MSP_OK)
		goto out;
	out->load_seconds = seconds_since(&g.start);
	out->responses_seconds = out->load_seconds - out->responses_seconds;
	if ((st = load_answers(&g, err)) != MSP_OK)
		goto out;
	out->answers_seconds = seconds_since(&g.start) - out->load_seconds;
	out->load_seconds += out->answers_seconds;
	if ((st = load_tallies(&g, err)) != MSP_OK ||
	    (st = restore_indexes(&g, err)) != MSP_OK)
		goto out;

	clock_gettime(CLOCK_MONOTONIC, &t_check);
	if ((st = check_rows(&g, err)) != MSP_OK)
		goto out;
	out->check_seconds = seconds_since(&t_check);
	if (!opt->checked && (st = write_audit(&g, err)) != MSP_OK)
		goto out;
	st = db_exec(conn, "commit", "COMMIT", 0, NULL, PGRES_COMMAND_OK,
		     NULL, err);
	begun = 0;
	if (st != MSP_OK)
		goto out;
	out->total_seconds = seconds_since(&g.start);
out:
	copyout_abort(&g.copy, "generator failed");
	if (begun) {
		PGresult *res = PQexec(conn, "ROLLBACK");

		PQclear(res);
	}
	if (st != MSP_OK)
		msp_error_prefix(err, "generate");
	copyout_free(&g.copy);
	tally_free(&g.tally);
	if (g.ins != NULL)
		free_items(&g);
	instrument_free(g.ins);
	free(g.order);
	free(g.answered);
	free(g.chosen);
	for (i = 0; g.roles != NULL && i < g.n_roles; i++)
		free(g.roles[i]);
	free(g.roles);
	free(g.role_w);
	free(g.participants);
	return st;
}
