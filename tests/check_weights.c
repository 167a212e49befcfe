/*
 * check_weights — non-response weighting (lib/weights, --weights)
 * against R's survey package run live: postStratify() and rake(),
 * svymean() and svyciprop(method = "logit"), on generated respondents
 * and on both reference studies, whose respondents R reads from the
 * database itself.  No expected figure is typed here: R computes them
 * from the same respondents, and a missing R or survey package fails
 * the test (testdb_r_values).
 */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "db.h"
#include "report/format.h"
#include "report/report.h"
#include "testdb.h"
#include "weights.h"

/* Relative (or, near 0, absolute) agreement with R. */
#define TOL 1e-6

static void
near(double got, double want, const char *what)
{
	ck_assert_msg(fabs(got - want) <= TOL * fmax(1, fabs(want)),
		      "%s: %.12g, R says %.12g", what, got, want);
}

/* --- generated respondents ------------------------------------------------ */

/* A small LCG of our own: the same respondents on every run. */
static unsigned long rng_state = 12345;

static unsigned
draw(unsigned n)
{
	rng_state = rng_state * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)((rng_state >> 33) % n);
}

#define NRESP 150
#define NG 3		/* margin 1: 3 categories */
#define NH 2		/* margin 2: 2 categories */
#define NY 3		/* the variable: 3 categories, and missing (NY) */

struct generated {
	unsigned g[NRESP], h[NRESP], y[NRESP];
	unsigned long pop[NG][NH];
};

static void
generate(struct generated *x)
{
	size_t i, a, b;

	for (i = 0; i < NRESP; i++) {
		x->g[i] = draw(NG);
		/* the second margin leans on the first, as membership
		 * leans on the département */
		x->h[i] = draw(10) < 3 + 2 * x->g[i] ? 1 : 0;
		/* the answer leans on both; about 1 in 8 missing */
		x->y[i] = draw(8) == 0 ? NY :
			  (draw(NY) + x->h[i] + (x->g[i] == 2)) % NY;
	}
	for (a = 0; a < NG; a++)
		for (b = 0; b < NH; b++)
			x->pop[a][b] = 40 + draw(200);
}

/* The R data frame and the population of the generated respondents. */
static void
r_data(const struct generated *x, char **script, size_t *len)
{
	size_t i, a, b;

	testdb_script_add(script, len,
		"suppressMessages(library(survey))\n"
		"options(digits = 17)\n"
		"out <- function(v) cat(sprintf('%%.17g', v), sep = '\\n')\n"
		"d <- data.frame(g = c(");
	for (i = 0; i < NRESP; i++)
		testdb_script_add(script, len, "%s%u", i ? "," : "", x->g[i]);
	testdb_script_add(script, len, "), h = c(");
	for (i = 0; i < NRESP; i++)
		testdb_script_add(script, len, "%s%u", i ? "," : "", x->h[i]);
	testdb_script_add(script, len, "), y = c(");
	for (i = 0; i < NRESP; i++) {
		if (x->y[i] == NY)
			testdb_script_add(script, len, "%sNA", i ? "," : "");
		else
			testdb_script_add(script, len, "%s%u", i ? "," : "",
					  x->y[i]);
	}
	testdb_script_add(script, len, "))\nd$cell <- d$g * %d + d$h\n"
			  "d$w0 <- 1\n"
			  "des <- svydesign(ids = ~1, weights = ~w0, "
			  "data = d)\npop <- data.frame(g = rep(0:%d, each = "
			  "%d), h = rep(0:%d, %d), Freq = c(", NH, NG - 1, NH,
			  NH - 1, NG);
	for (a = 0; a < NG; a++)
		for (b = 0; b < NH; b++)
			testdb_script_add(script, len, "%s%lu",
					  a + b ? "," : "", x->pop[a][b]);
	testdb_script_add(script, len, "))\npop$cell <- pop$g * %d + pop$h\n"
		"est <- function(des) {\n"
		" w <- weights(des)\n"
		" out(c(min(w), max(w), sum(w)^2 / sum(w^2)))\n"
		" s <- subset(des, !is.na(y))\n"
		" for (k in 0:%d) {\n"
		"  m <- svymean(~as.numeric(y == k), s, na.rm = TRUE)\n"
		"  ci <- eval(bquote(svyciprop(~I(y == .(k)), s, "
		"method = 'logit')))\n"
		"  out(c(coef(m), SE(m), attr(ci, 'ci')))\n"
		" }\n"
		"}\n", NH, NY - 1);
}

/* Our design from the generated respondents: one margin (the cells of
 * g × h) or the two margins. */
static void
design_of(const struct generated *x, int rake, struct weights_design *d,
	  struct weights_cell *cells)
{
	size_t i, a, b;

	memset(d, 0, sizeof(*d));
	memset(cells, 0, NG * NH * sizeof(*cells));
	d->cells = cells;
	d->ncells = NG * NH;
	if (rake) {
		d->nmargins = 2;
		d->ncats[0] = NG;
		d->ncats[1] = NH;
	} else {
		d->nmargins = 1;
		d->ncats[0] = NG * NH;
	}
	for (a = 0; a < NG; a++)
		for (b = 0; b < NH; b++) {
			struct weights_cell *c = &cells[a * NH + b];

			if (rake) {
				c->cat[0] = (unsigned short)a;
				c->cat[1] = (unsigned short)b;
			} else {
				c->cat[0] = (unsigned short)(a * NH + b);
			}
			c->pop = x->pop[a][b];
		}
	for (i = 0; i < NRESP; i++)
		cells[x->g[i] * NH + x->h[i]].n++;
}

/* Our figures in R's order: weights' min, max, Kish; per category p,
 * se, lo, hi. */
static void
our_values(const struct generated *x, struct weights_design *d,
	   double *v)
{
	struct msp_error err;
	struct weights_empty empty;
	struct weights_estimate e;
	unsigned long in_cat[NG * NH], in_dom[NG * NH];
	size_t i, k, j = 0;

	ck_assert_msg(weights_fit(d, &empty, &err) == MSP_OK, "%s",
		      err.message);
	v[j++] = d->wmin;
	v[j++] = d->wmax;
	v[j++] = d->neff;
	for (k = 0; k < NY; k++) {
		memset(in_cat, 0, sizeof(in_cat));
		memset(in_dom, 0, sizeof(in_dom));
		for (i = 0; i < NRESP; i++) {
			size_t h = x->g[i] * NH + x->h[i];

			in_dom[h] += x->y[i] != NY;
			in_cat[h] += x->y[i] == k;
		}
		ck_assert_msg(weights_proportion(d, in_cat, in_dom, &e,
				&err) == MSP_OK, "%s", err.message);
		ck_assert(e.has_ci);
		v[j++] = e.p;
		v[j++] = e.se;
		v[j++] = e.lo;
		v[j++] = e.hi;
	}
}

START_TEST(generated_poststratify_and_rake)
{
	static const char *const what[] = { "min w", "max w", "Kish n" };
	struct generated x;
	struct weights_design d;
	struct weights_cell cells[NG * NH];
	enum { NV = 3 + 4 * NY };
	double ours[2][NV], want[2 * NV];
	char *script = NULL, label[64];
	size_t len = 0, m, i;

	generate(&x);
	r_data(&x, &script, &len);
	testdb_script_add(&script, &len,
		"est(postStratify(des, ~cell, pop[, c('cell', 'Freq')]))\n"
		"gp <- aggregate(Freq ~ g, pop, sum)\n"
		"hp <- aggregate(Freq ~ h, pop, sum)\n"
		"est(rake(des, list(~g, ~h), list(gp, hp), control = "
		"list(maxit = %d, epsilon = %.17g)))\n",
		WEIGHTS_RAKE_MAXIT, WEIGHTS_RAKE_EPSILON);
	testdb_r_values(script, want, 2 * NV);
	free(script);

	for (m = 0; m < 2; m++) {
		design_of(&x, (int)m, &d, cells);
		our_values(&x, &d, ours[m]);
		ck_assert_int_eq(d.method,
				 m ? WEIGHTS_RAKE : WEIGHTS_POSTSTRATIFY);
		for (i = 0; i < NV; i++) {
			snprintf(label, sizeof(label), "%s %s",
				 m ? "rake" : "postStratify",
				 i < 3 ? what[i] : (const char *[]){ "p", "se",
				 "lo", "hi" }[(i - 3) % 4]);
			near(ours[m][i], want[m * NV + i], label);
		}
	}
	/* the two methods differ on these respondents: the test could
	 * not pass by computing one for both */
	ck_assert(fabs(ours[0][3] - ours[1][3]) > 1e-4);
}
END_TEST

/*
 * weights_mean() on the generated respondents with a number that leans
 * on both margins (about 1 in 10 missing), post-stratified and raked:
 * the weighted mean and its standard error equal R's svymean(~z,
 * subset(w, !is.na(z))) to 1e-6.
 */
START_TEST(generated_means)
{
	struct generated x;
	struct weights_design d;
	struct weights_cell cells[NG * NH];
	struct weights_value vals[NG * NH][NRESP];
	const struct weights_value *pv[NG * NH];
	size_t nv[NG * NH];
	struct weights_empty empty;
	struct weights_estimate e;
	struct msp_error err;
	double z[NRESP], want[4], got[4];
	char *script = NULL;
	size_t len = 0, i, m, h;

	generate(&x);
	for (i = 0; i < NRESP; i++)
		z[i] = draw(10) == 0 ? NAN : 5 + 3.0 * x.g[i] +
		       2.0 * x.h[i] + draw(7) + 0.25 * draw(4);
	r_data(&x, &script, &len);
	testdb_script_add(&script, &len, "des$variables$z <- c(");
	for (i = 0; i < NRESP; i++)
		testdb_script_add(&script, &len, isnan(z[i]) ? "%sNA" :
				  "%s%.17g", i ? "," : "", z[i]);
	testdb_script_add(&script, &len, ")\n"
		"mz <- function(w) { m <- svymean(~z, subset(w, !is.na(z)), "
		"na.rm = TRUE)\n"
		" out(c(coef(m), SE(m))) }\n"
		"mz(postStratify(des, ~cell, pop[, c('cell', 'Freq')]))\n"
		"mz(rake(des, list(~g, ~h), list(aggregate(Freq ~ g, pop, "
		"sum), aggregate(Freq ~ h, pop, sum)), control = "
		"list(maxit = %d, epsilon = %.17g)))\n",
		WEIGHTS_RAKE_MAXIT, WEIGHTS_RAKE_EPSILON);
	testdb_r_values(script, want, 4);
	free(script);
	for (m = 0; m < 2; m++) {
		design_of(&x, (int)m, &d, cells);
		ck_assert(weights_fit(&d, &empty, &err) == MSP_OK);
		memset(nv, 0, sizeof(nv));
		for (i = 0; i < NRESP; i++) {
			h = x.g[i] * NH + x.h[i];
			if (isnan(z[i]))
				continue;
			vals[h][nv[h]].y = z[i];
			vals[h][nv[h]++].n = 1;
		}
		for (h = 0; h < NG * NH; h++)
			pv[h] = vals[h];
		ck_assert_msg(weights_mean(&d, pv, nv, &e, &err) == MSP_OK,
			      "%s", err.message);
		got[2 * m] = e.p;
		got[2 * m + 1] = e.se;
		near(e.p, want[2 * m], m ? "rake mean" : "postStratify mean");
		near(e.se, want[2 * m + 1], m ? "rake se" :
		     "postStratify se");
	}
	/* the two designs differ here: neither passes for the other */
	ck_assert(fabs(got[1] - got[3]) > 1e-4);
	/* a value that is not a number is refused */
	vals[0][0].y = NAN;
	nv[0] = nv[0] > 0 ? nv[0] : 1;
	ck_assert_int_eq(weights_mean(&d, pv, nv, &e, &err), MSP_EINVAL);
}
END_TEST

START_TEST(student_quantiles)
{
	static const double df[] = { 1, 2, 3, 4.5, 9, 28, 36, 100, 1e4 };
	double want[9], got;
	char *script = NULL;
	size_t len = 0, i;

	testdb_script_add(&script, &len, "cat(sprintf('%%.17g', qt(0.975, "
			  "c(");
	for (i = 0; i < 9; i++)
		testdb_script_add(&script, &len, "%s%.17g", i ? "," : "",
				  df[i]);
	testdb_script_add(&script, &len, "))), sep = '\\n')\n");
	testdb_r_values(script, want, 9);
	free(script);
	for (i = 0; i < 9; i++) {
		got = weights_qt(0.975, df[i]);
		ck_assert_msg(fabs(got - want[i]) <= 1e-10 * want[i],
			      "qt(0.975, %g) = %.17g, R says %.17g", df[i],
			      got, want[i]);
	}
	ck_assert(isnan(weights_qt(0, 3)));
	ck_assert(isnan(weights_qt(0.5, 0)));
}
END_TEST

START_TEST(empty_cell_refused)
{
	struct weights_cell cells[2];
	struct weights_design d;
	struct weights_empty empty;
	struct msp_error err;

	memset(&d, 0, sizeof(d));
	memset(cells, 0, sizeof(cells));
	d.cells = cells;
	d.ncells = 2;
	d.nmargins = 1;
	d.ncats[0] = 2;
	cells[0].cat[0] = 0;
	cells[0].pop = 10;
	cells[0].n = 3;
	cells[1].cat[0] = 1;
	cells[1].pop = 5;
	cells[1].n = 0;
	ck_assert_int_eq(weights_fit(&d, &empty, &err), MSP_EINVAL);
	ck_assert_int_eq(empty.cell, 1);
	ck_assert_int_eq(empty.cat, 1);
	/* with a respondent, it fits: N_h / n_h */
	cells[1].n = 2;
	ck_assert_int_eq(weights_fit(&d, &empty, &err), MSP_OK);
	ck_assert(fabs(cells[0].w - 10.0 / 3) < 1e-15);
	ck_assert(fabs(cells[1].w - 2.5) < 1e-15);
}
END_TEST

/* --- the reference studies, through the report ---------------------------- */

static struct testdb shared;
static PGconn *conn;

static void
load_shared(void)
{
	testdb_open(&shared);
	testdb_load(&shared, NULL);
	testdb_load_reference(&shared);
}

static void
drop_shared(void)
{
	testdb_close(&shared);
}

static void
connect_case(void)
{
	conn = testdb_connect(&shared);
}

static void
disconnect_case(void)
{
	PQfinish(conn);
	conn = NULL;
}

/* A variable as the test reads it from the answers, in SQL of its own
 * (r is the response): the report's derivation is not reused. */
struct wvar {
	const char *key;
	const char *sql;
	/* a multiple-choice option: the variable is 'oui' when the
	 * option was chosen, 'non' when the item was answered without
	 * it, NA when not answered; the report's row is (key, option) */
	const char *option;
	int number;		/* a number: its weighted mean */
};

#define ITEM(k) { k, "(SELECT coalesce(a.choice_code, CASE a.bool_value " \
	"WHEN true THEN 'oui' WHEN false THEN 'non' END) FROM msp.answer a " \
	"WHERE a.response_id = r.response_id AND a.item_key = '" k "')", \
	NULL, 0 }

#define OPTION(k, o) { k, "(SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM" \
	" msp.answer a WHERE a.response_id = r.response_id AND a.item_key =" \
	" '" k "') THEN NULL WHEN EXISTS (SELECT 1 FROM msp.answer a WHERE" \
	" a.response_id = r.response_id AND a.item_key = '" k "' AND" \
	" a.choice_code = '" o "') THEN 'oui' ELSE 'non' END)", o, 0 }

#define NUMBER(k) { k, "(SELECT a.num_value::text FROM msp.answer a" \
	" WHERE a.response_id = r.response_id AND a.item_key = '" k "')", \
	NULL, 1 }

static const struct wvar pdl_vars[] = {
	ITEM("works_with_users"),
	ITEM("aci_signatory"),
	ITEM("cls_member"),
	/* the paper's groups (docs/report.md): its own reading here */
	{ "usagers", "(SELECT CASE WHEN a.choice_code IN "
	  "('oui_actuellement', 'oui_ponctuel_ou_passe') THEN 'usagers_plus'"
	  " WHEN a.choice_code = 'non' THEN 'usagers_moins' END"
	  " FROM msp.answer a WHERE a.response_id = r.response_id"
	  " AND a.item_key = 'works_with_users')", NULL, 0 },
	OPTION("project_topics", "prevention"),
	OPTION("project_topics", "parcours"),
	NUMBER("prof_count_total"),
	NUMBER("n_sites"),
	NUMBER("prof_count_ide"),	/* 3 of 37 without a value */
	{ NULL, NULL, NULL, 0 },
};

static const struct wvar occ_vars[] = {
	ITEM("is_priority"),
	ITEM("knows_guide"),
	ITEM("aci_signatory"),
	OPTION("info_content", "fonctionnement_horaires"),
	OPTION("info_content", "sante_publique_prevention"),
	NUMBER("prof_count_total"),
	NUMBER("project_validation_year"),
	{ NULL, NULL, NULL, 0 },
};

/* The R designs, from des (base weights 1) and pop (dep, fed, Freq). */
#define R_FED "postStratify(des, ~fed, aggregate(Freq ~ fed, pop, sum))"
#define R_CELLS "postStratify(des, ~dep + fed, pop)"
#define R_RAKE "rake(des, list(~dep, ~fed), list(aggregate(Freq ~ dep, " \
	"pop, sum), aggregate(Freq ~ fed, pop, sum)), control = " \
	"list(maxit = 100, epsilon = 1e-10))"

static struct rdoc *
weighted_report(const char *region, const char *weights)
{
	struct report_options o;
	struct msp_error err;
	struct rdoc *doc = NULL;

	report_options_init(&o);
	o.region = region;
	o.weights = weights;
	ck_assert_msg(report_build(conn, &o, &doc, &err) == MSP_OK,
		      "--weights %s: %s", weights, err.message);
	return doc;
}

/*
 * The report's weighted table for region under --weights spec against R
 * given the respondents (département, membership from the frame, and
 * each variable, read by the test's own SQL) and the frame's counts.
 */
static void
compare_with_r(const char *region, const char *study, const char *spec,
	       const char *design, const struct wvar *vars)
{
	struct rdoc *doc = weighted_report(region, spec);
	const struct rtable *t = rdoc_find_table(doc, "weighted"), *cw, *mt;
	const struct rcell *cells[256];
	const struct rrow *means[16];
	unsigned seen[32];
	size_t nmeans = 0;
	char *script = NULL, *sql = NULL, label[160];
	double *want;
	size_t len = 0, slen = 0, ncells = 0, i, j, k;
	PGresult *res;
	int row, nrows;

	ck_assert_ptr_nonnull(t);
	testdb_script_add(&sql, &slen, "SELECT st.departement AS dep,"
			  " st.federation_member::text AS fed");
	for (i = 0; vars[i].key != NULL; i++)
		testdb_script_add(&sql, &slen, ", %s AS v%zu", vars[i].sql,
				  i);
	testdb_script_add(&sql, &slen, " FROM msp.response r"
		" JOIN msp.study s ON s.study_id = r.study_id"
		" JOIN msp.structure st ON st.structure_id = r.structure_id"
		" JOIN msp.population p ON p.study_id = r.study_id"
		"  AND p.structure_id = r.structure_id AND p.active"
		" WHERE s.slug = '%s' AND r.status = 'complete'", study);
	res = PQexec(conn, sql);
	ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
	nrows = PQntuples(res);
	ck_assert_int_gt(nrows, 10);

	testdb_script_add(&script, &len,
		"suppressMessages(library(survey))\n"
		"out <- function(v) cat(sprintf('%%.17g', v), sep = '\\n')\n"
		"d <- data.frame(dep = c(");
	for (j = 0; j < 2 + i; j++) {
		if (j == 1)
			testdb_script_add(&script, &len, "), fed = c(");
		else if (j >= 2)
			testdb_script_add(&script, &len, "), v%zu = c(",
					  j - 2);
		for (row = 0; row < nrows; row++) {
			const char *v = PQgetisnull(res, row, (int)j) ? NULL :
					PQgetvalue(res, row, (int)j);
			/* a number is written as one */
			int q = v != NULL && (j < 2 || !vars[j - 2].number);

			ck_assert(v == NULL || strspn(v, q ?
				  "abcdefghijklmnopqrstuvwxyz0123456789_" :
				  "0123456789.-") == strlen(v));
			testdb_script_add(&script, &len, "%s%s%s%s",
					  row ? "," : "", q ? "'" : "",
					  v ? v : "NA", q ? "'" : "");
		}
	}
	PQclear(res);
	free(sql);
	sql = NULL;
	slen = 0;
	testdb_script_add(&sql, &slen, "SELECT st.departement AS dep,"
		" st.federation_member::text AS fed, count(*) AS n"
		" FROM msp.population p JOIN msp.study s USING (study_id)"
		" JOIN msp.structure st ON st.structure_id = p.structure_id"
		" WHERE s.slug = '%s' AND p.active GROUP BY 1, 2", study);
	res = PQexec(conn, sql);
	ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
	testdb_script_add(&script, &len, "))\nd$w0 <- 1\n"
			  "des <- svydesign(ids = ~1, weights = ~w0,"
			  " data = d)\n"
			  "pop <- data.frame(dep = c(");
	for (row = 0; row < PQntuples(res); row++)
		testdb_script_add(&script, &len, "%s'%s'", row ? "," : "",
				  PQgetvalue(res, row, 0));
	testdb_script_add(&script, &len, "), fed = c(");
	for (row = 0; row < PQntuples(res); row++)
		testdb_script_add(&script, &len, "%s'%s'", row ? "," : "",
				  PQgetvalue(res, row, 1));
	testdb_script_add(&script, &len, "), Freq = c(");
	for (row = 0; row < PQntuples(res); row++)
		testdb_script_add(&script, &len, "%s%s", row ? "," : "",
				  PQgetvalue(res, row, 2));
	PQclear(res);
	free(sql);
	testdb_script_add(&script, &len, "))\nw <- %s\n"
		"est <- function(v, k) {\n"
		" s <- w[!is.na(w$variables[[v]]), ]\n"
		" m <- svymean(as.formula(sprintf("
		"'~as.numeric(%%s == \"%%s\")', v, k)),"
		" s, na.rm = TRUE)\n"
		" ci <- suppressWarnings(svyciprop(as.formula(sprintf("
		"'~I(%%s == \"%%s\")', v, k)), s, method = 'logit'))\n"
		" out(c(coef(m), SE(m), attr(ci, 'ci')))\n"
		"}\n"
		"estm <- function(v) {\n"
		" y <- w$variables[[v]]\n"
		" m <- svymean(as.formula(paste0('~', v)), w[!is.na(y), ],"
		" na.rm = TRUE)\n"
		" out(c(sum(!is.na(y)), mean(y, na.rm = TRUE), coef(m),"
		" SE(m)))\n"
		"}\n", design);

	/* every weighted row of the test's variables, in table order: a
	 * category of a variable, or the one row of an option */
	memset(seen, 0, sizeof(seen));
	for (k = 0; k < t->nrows; k++) {
		const struct rrow *r = &t->rows[k];

		if (r->cat_key == NULL)
			continue;
		for (j = 0; vars[j].key != NULL; j++)
			if (strcmp(vars[j].key, r->var_key) == 0 &&
			    (vars[j].option == NULL ||
			     strcmp(vars[j].option, r->cat_key) == 0))
				break;
		if (vars[j].key == NULL)
			continue;
		ck_assert_uint_lt(ncells, 256);
		ck_assert_int_eq(r->cells[1].kind, RCELL_WEIGHTED);
		cells[ncells++] = &r->cells[1];
		seen[j]++;
		testdb_script_add(&script, &len, "est('v%zu', '%s')\n", j,
				  vars[j].option ? "oui" : r->cat_key);
	}
	/* each variable has at least two categories in the table, each
	 * option its row, each number its row of means */
	mt = rdoc_find_table(doc, "weighted_means");
	ck_assert_ptr_nonnull(mt);
	for (j = 0; vars[j].key != NULL; j++) {
		if (vars[j].number) {
			for (k = 0; k < mt->nrows; k++)
				if (strcmp(mt->rows[k].var_key,
					   vars[j].key) == 0)
					break;
			ck_assert_msg(k < mt->nrows, "no mean of %s",
				      vars[j].key);
			means[nmeans++] = &mt->rows[k];
			testdb_script_add(&script, &len, "estm('v%zu')\n",
					  j);
			continue;
		}
		ck_assert_msg(seen[j] >= (vars[j].option ? 1U : 2U),
			      "%s: %u rows", vars[j].key, seen[j]);
	}
	/* the weighting cells: respondents, frame structures and the
	 * weight of each respondent (one weight per cell), as R sees the
	 * cell "44,oui" (a code is a département or a membership; one
	 * that is neither, a constant of the frame, selects nothing) */
	cw = rdoc_find_table(doc, "weighting_cells");
	ck_assert_ptr_nonnull(cw);
	ck_assert_uint_gt(cw->nrows, 1);
	testdb_script_add(&script, &len, "cellw <- function(key) {\n"
		" m <- rep(TRUE, nrow(d)); q <- rep(TRUE, nrow(pop))\n"
		" for (x in strsplit(key, ',')[[1]])\n"
		"  if (x %%in%% c(pop$dep, pop$fed)) {\n"
		"   m <- m & (d$dep == x | d$fed == x)\n"
		"   q <- q & (pop$dep == x | pop$fed == x) }\n"
		" wt <- weights(w)[m]\n"
		" out(c(sum(m), sum(pop$Freq[q]), if (sum(m)) c(min(wt),"
		" max(wt)) else c(NaN, NaN)))\n}\n");
	for (k = 0; k < cw->nrows; k++) {
		ck_assert(strspn(cw->rows[k].cat_key,
			  "abcdefghijklmnopqrstuvwxyz0123456789_,") ==
			  strlen(cw->rows[k].cat_key));
		testdb_script_add(&script, &len, "cellw('%s')\n",
				  cw->rows[k].cat_key);
	}
	want = calloc(4 * ncells + 4 * nmeans + 4 * cw->nrows,
		      sizeof(*want));
	ck_assert_ptr_nonnull(want);
	testdb_r_values(script, want, 4 * ncells + 4 * nmeans +
			4 * cw->nrows);
	for (k = 0; k < nmeans; k++) {
		const struct rcell *c = means[k]->cells;
		const double *w = &want[4 * ncells + 4 * k];

		snprintf(label, sizeof(label), "%s --weights %s, mean of %s",
			 study, spec, means[k]->var_key);
		near((double)c[0].n, w[0], label);
		ck_assert_int_eq(c[1].kind, RCELL_NUMBER);
		near(c[1].value, w[1], label);
		ck_assert_int_eq(c[2].kind, RCELL_WEIGHTED);
		ck_assert(c[2].is_mean);
		near(c[2].pct, w[2], label);
		near(c[2].se, w[3], label);
	}
	for (k = 0; k < cw->nrows; k++) {
		const struct rrow *r = &cw->rows[k];
		const double *w = &want[4 * ncells + 4 * nmeans + 4 * k];

		snprintf(label, sizeof(label), "%s --weights %s, cell %s",
			 study, spec, r->cat_key);
		near((double)r->cells[1].n, w[0], label);
		near((double)r->cells[0].n, w[1], label);
		if (r->cells[1].n == 0) {
			ck_assert_int_eq(r->cells[2].kind, RCELL_NONE);
			continue;
		}
		ck_assert_int_eq(r->cells[2].kind, RCELL_NUMBER);
		near(r->cells[2].value, w[2], label);
		near(r->cells[2].value, w[3], label);
	}
	for (k = 0; k < ncells; k++) {
		snprintf(label, sizeof(label), "%s --weights %s, cell %zu",
			 study, spec, k);
		near(cells[k]->pct / 100, want[4 * k], label);
		near(cells[k]->se / 100, want[4 * k + 1], label);
		if (cells[k]->has_ci) {
			near(cells[k]->lo / 100, want[4 * k + 2], label);
			near(cells[k]->hi / 100, want[4 * k + 3], label);
		}
	}
	free(want);
	free(script);
	rdoc_free(doc);
}

START_TEST(pdl_against_r)
{
	compare_with_r("pays-de-la-loire", "pdl-2019", "federation_member",
		       R_FED, pdl_vars);
	/* the frame's département x membership (type: all MSPs) */
	compare_with_r("pays-de-la-loire", "pdl-2019", "frame", R_CELLS,
		       pdl_vars);
	compare_with_r("pays-de-la-loire", "pdl-2019",
		       "departement,federation_member", R_RAKE, pdl_vars);
}
END_TEST

/*
 * Occitanie's frame records nothing for its non-respondents: weighting
 * is refused, saying so.  Given a département and a membership for
 * every targeted structure (made up here, in this throwaway database),
 * its real answers are weighted as R weights them.
 */
START_TEST(occitanie_against_r)
{
	struct report_options o;
	struct msp_error err;
	struct rdoc *doc = NULL;
	const char *fill =
		"UPDATE msp.structure st SET departement = (ARRAY['09', '31',"
		" '34'])[st.structure_id % 3 + 1], federation_member ="
		" (CASE WHEN st.structure_id % 5 < 2 THEN 'oui' ELSE 'non'"
		" END)::msp.tristate"
		" FROM msp.population p JOIN msp.study s USING (study_id)"
		" WHERE s.slug = 'occitanie-2024'"
		"   AND p.structure_id = st.structure_id RETURNING 1";

	report_options_init(&o);
	o.region = "occitanie";
	o.weights = "frame";
	ck_assert_int_eq(report_build(conn, &o, &doc, &err), MSP_EINVAL);
	ck_assert_ptr_null(doc);
	ck_assert_msg(strstr(err.message, "aucune caractéristique") != NULL,
		      "%s", err.message);
	o.weights = "departement";
	ck_assert_int_eq(report_build(conn, &o, &doc, &err), MSP_EINVAL);
	ck_assert_msg(strstr(err.message, "inconnue pour 385 des 385") !=
		      NULL, "%s", err.message);

	testdb_value(conn, fill);
	compare_with_r("occitanie", "occitanie-2024", "federation_member",
		       R_FED, occ_vars);
	compare_with_r("occitanie", "occitanie-2024", "frame", R_CELLS,
		       occ_vars);
	compare_with_r("occitanie", "occitanie-2024",
		       "departement,federation_member", R_RAKE, occ_vars);

	/* one targeted structure in a département of its own, which no
	 * respondent shares: post-stratification cannot weight it, and
	 * says which cell */
	testdb_value(conn, "UPDATE msp.structure SET departement = '48'"
		     " WHERE structure_id = (SELECT max(p.structure_id)"
		     " FROM msp.population p JOIN msp.study s USING (study_id)"
		     " WHERE s.slug = 'occitanie-2024' AND NOT EXISTS (SELECT 1"
		     " FROM msp.response r WHERE r.structure_id ="
		     " p.structure_id)) RETURNING departement");
	o.weights = "departement";
	ck_assert_int_eq(report_build(conn, &o, &doc, &err), MSP_EINVAL);
	ck_assert_msg(strstr(err.message, "= 48") != NULL &&
		      strstr(err.message, "aucune répondante") != NULL,
		      "%s", err.message);
	o.weights = "departement,federation_member";
	ck_assert_int_eq(report_build(conn, &o, &doc, &err), MSP_EINVAL);
	ck_assert_msg(strstr(err.message, "= 48") != NULL, "%s",
		      err.message);
}
END_TEST

/* The smallest nonzero count of variable v (the test's SQL) among PdL's
 * respondents in one membership group, missing answers included. */
static unsigned long
smallest_cross_count(const struct wvar *v)
{
	char *sql = NULL;
	size_t len = 0;
	unsigned long n;

	testdb_script_add(&sql, &len, "SELECT coalesce(min(n), 0) FROM ("
		" SELECT count(*) AS n FROM msp.response r"
		" JOIN msp.study s ON s.study_id = r.study_id"
		" JOIN msp.structure st ON st.structure_id = r.structure_id"
		" WHERE s.slug = 'pdl-2019' AND r.status = 'complete'"
		" GROUP BY st.federation_member, %s) x", v->sql);
	n = strtoul(testdb_value(conn, sql), NULL, 10);
	free(sql);
	return n;
}

/*
 * A federation: a weighted percentage is a known combination of the
 * counts of its variable in each weighting cell, so a variable with one
 * of those counts below the threshold shows nothing, weighted or not;
 * a design with a small cell (its weight gives its respondents back)
 * shows no weighted figure.  What it shows is the analyst's figure.
 */
START_TEST(federation_weighted_disclosure)
{
	struct report_options o;
	struct msp_error err;
	struct rdoc *fed = NULL, *analyst = NULL;
	const struct rtable *tf, *ta;
	size_t i, j, k, shown = 0, hidden = 0;

	testdb_make_token(conn, "w-analyst", "analyst", NULL);
	report_options_init(&o);
	o.region = "pays-de-la-loire";
	o.weights = "federation_member";
	o.threshold = 3;
	o.token = "w-analyst";
	ck_assert(report_build(conn, &o, &analyst, &err) == MSP_OK);
	/* the federation's disclosure control, as the analyst previews
	 * it (a federation's own token reads published releases only) */
	o.preview = 1;
	ck_assert_msg(report_build(conn, &o, &fed, &err) == MSP_OK, "%s",
		      err.message);
	tf = rdoc_find_table(fed, "weighted");
	ta = rdoc_find_table(analyst, "weighted");
	ck_assert_ptr_nonnull(tf);
	ck_assert_uint_eq(tf->nrows, ta->nrows);
	for (j = 0; pdl_vars[j].key != NULL; j++) {
		int small;

		/* single-answer variables: options and numbers below */
		if (pdl_vars[j].option != NULL || pdl_vars[j].number)
			continue;
		small = smallest_cross_count(&pdl_vars[j]) < 3;

		for (i = 0; i < tf->nrows; i++) {
			const struct rrow *r = &tf->rows[i];

			if (r->cat_key == NULL ||
			    strcmp(r->var_key, pdl_vars[j].key) != 0)
				continue;
			for (k = 0; k < 2; k++) {
				const struct rcell *c = &r->cells[k];
				const struct rcell *a = &ta->rows[i].cells[k];

				ck_assert_msg(c->suppressed == small,
					      "%s/%s col %zu", r->var_key,
					      r->cat_key, k);
				if (c->suppressed) {
					hidden++;
					continue;
				}
				shown++;
				ck_assert(c->pct == a->pct && c->n == a->n);
			}
		}
	}
	/* both cases occur: the test is not vacuous */
	ck_assert_uint_gt(shown, 0);
	ck_assert_uint_gt(hidden, 0);

	/* a multiple-choice item: hidden when, for any of its options,
	 * the chosen, not chosen or missing of a group are 1 or 2 */
	{
		int small = 0, rows = 0;
		char sql[600];

		for (i = 0; i < ta->nrows; i++) {
			const struct rrow *r = &ta->rows[i];
			struct wvar opt = { "project_topics", sql, NULL, 0 };

			if (r->cat_key == NULL ||
			    strcmp(r->var_key, "project_topics") != 0)
				continue;
			snprintf(sql, sizeof(sql), "(SELECT CASE WHEN NOT "
				 "EXISTS (SELECT 1 FROM msp.answer a WHERE "
				 "a.response_id = r.response_id AND a.item_key"
				 " = 'project_topics') THEN NULL WHEN EXISTS "
				 "(SELECT 1 FROM msp.answer a WHERE "
				 "a.response_id = r.response_id AND a.item_key"
				 " = 'project_topics' AND a.choice_code = "
				 "'%s') THEN 'oui' ELSE 'non' END)",
				 r->cat_key);
			small |= smallest_cross_count(&opt) < 3;
			rows++;
		}
		ck_assert_int_ge(rows, 5);
		for (i = 0; i < tf->nrows; i++)
			if (tf->rows[i].cat_key != NULL &&
			    strcmp(tf->rows[i].var_key, "project_topics") == 0)
				ck_assert_int_eq(
					tf->rows[i].cells[1].suppressed, small);
	}
	/* a number: hidden when those of a group with a value, or
	 * without, are 1 or 2; else the analyst's figures */
	tf = rdoc_find_table(fed, "weighted_means");
	ta = rdoc_find_table(analyst, "weighted_means");
	ck_assert_ptr_nonnull(tf);
	for (j = 0; pdl_vars[j].key != NULL; j++) {
		char sql[300];
		struct wvar isnull = { pdl_vars[j].key, sql, NULL, 0 };
		int small;

		if (!pdl_vars[j].number)
			continue;
		snprintf(sql, sizeof(sql), "(%s IS NULL)", pdl_vars[j].sql);
		small = smallest_cross_count(&isnull) < 3;
		for (i = 0; i < tf->nrows; i++) {
			const struct rrow *r = &tf->rows[i];

			if (strcmp(r->var_key, pdl_vars[j].key) != 0)
				continue;
			for (k = 0; k < 3; k++)
				ck_assert_int_eq(r->cells[k].suppressed,
						 small);
			if (!small)
				ck_assert(r->cells[2].pct ==
					  ta->rows[i].cells[2].pct);
		}
	}
	rdoc_free(fed);

	/* the frame's cells: some have 1 respondent, so no weighted
	 * figure at all, and the header says why */
	o.weights = "frame";
	ck_assert(report_build(conn, &o, &fed, &err) == MSP_OK);
	tf = rdoc_find_table(fed, "weighted");
	for (i = 0; i < tf->nrows; i++)
		if (tf->rows[i].cat_key != NULL)
			ck_assert(tf->rows[i].cells[1].suppressed);
	for (i = 0; i < fed->nmeta; i++)
		if (strcmp(fed->meta[i].key, "weights") == 0)
			break;
	ck_assert_uint_lt(i, fed->nmeta);
	ck_assert_ptr_nonnull(strstr(fed->meta[i].value, "non communiquée"));
	rdoc_free(fed);
	rdoc_free(analyst);
}
END_TEST

/* Every format carries the weighted figures and names the method. */
START_TEST(formats_name_the_method)
{
	static const char *const names[] = { "text", "csv", "json",
					     "markdown", "html" };
	struct rdoc *doc = weighted_report("pays-de-la-loire",
					   "federation_member");
	const struct rtable *t = rdoc_find_table(doc, "weighted");
	const struct rcell *plus = NULL;
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	struct msp_error err;
	json_object *root, *tables, *tab, *rows, *row, *cells, *cell, *v;
	char want[32];
	size_t i, f;

	for (i = 0; i < t->nrows; i++)
		if (t->rows[i].cat_key != NULL &&
		    strcmp(t->rows[i].cat_key, "usagers_plus") == 0)
			plus = &t->rows[i].cells[1];
	ck_assert_ptr_nonnull(plus);
	for (f = 0; f < 5; f++) {
		buf_reset(&out);
		ck_assert(format_render(doc, format_parse(names[f]), &out,
					&err) == MSP_OK);
		ck_assert_msg(strstr(buf_str(&out), "post-stratification") !=
			      NULL, "%s names no method", names[f]);
		if (f == 2)
			continue;	/* JSON: read back below */
		if (f == 1)	/* CSV: as csv_num() writes numbers */
			snprintf(want, sizeof(want), "%.10g", plus->se);
		else
			snprintf(want, sizeof(want), "ET %.2f", plus->se);
		ck_assert_msg(strstr(buf_str(&out), want) != NULL,
			      "%s lacks %s", names[f], want);
	}
	/* JSON: the cell as a program reads it */
	buf_reset(&out);
	ck_assert(format_render(doc, format_parse("json"), &out, &err) ==
		  MSP_OK);
	root = json_tokener_parse(buf_str(&out));
	ck_assert_ptr_nonnull(root);
	ck_assert(json_object_object_get_ex(root, "tables", &tables));
	tab = NULL;
	for (i = 0; i < json_object_array_length(tables); i++) {
		json_object *k;

		tab = json_object_array_get_idx(tables, i);
		if (json_object_object_get_ex(tab, "key", &k) &&
		    strcmp(json_object_get_string(k), "weighted") == 0)
			break;
		tab = NULL;
	}
	ck_assert_ptr_nonnull(tab);
	ck_assert(json_object_object_get_ex(tab, "rows", &rows));
	cell = NULL;
	for (i = 0; i < json_object_array_length(rows); i++) {
		json_object *k;

		row = json_object_array_get_idx(rows, i);
		if (json_object_object_get_ex(row, "category", &k) &&
		    json_object_get_string(k) != NULL &&
		    strcmp(json_object_get_string(k), "usagers_plus") == 0 &&
		    json_object_object_get_ex(row, "cells", &cells))
			cell = json_object_array_get_idx(cells, 1);
	}
	ck_assert_ptr_nonnull(cell);
	ck_assert(json_object_object_get_ex(cell, "type", &v));
	ck_assert_str_eq(json_object_get_string(v), "weighted");
	ck_assert(json_object_object_get_ex(cell, "std_error", &v));
	ck_assert(fabs(json_object_get_double(v) - plus->se) < 1e-9);
	ck_assert(json_object_object_get_ex(cell, "ci95_low", &v));
	ck_assert(fabs(json_object_get_double(v) - plus->lo) < 1e-9);
	json_object_put(root);
	buf_free(&out);
	rdoc_free(doc);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("weights");
	TCase *core = tcase_create("core");
	TCase *ref = tcase_create("reference");

	tcase_set_timeout(core, 120);
	tcase_add_test(core, generated_poststratify_and_rake);
	tcase_add_test(core, generated_means);
	tcase_add_test(core, student_quantiles);
	tcase_add_test(core, empty_cell_refused);
	suite_add_tcase(s, core);

	tcase_add_unchecked_fixture(ref, load_shared, drop_shared);
	tcase_add_checked_fixture(ref, connect_case, disconnect_case);
	tcase_set_timeout(ref, 300);
	tcase_add_test(ref, pdl_against_r);
	tcase_add_test(ref, occitanie_against_r);
	tcase_add_test(ref, federation_weighted_disclosure);
	tcase_add_test(ref, formats_name_the_method);
	suite_add_tcase(s, ref);
	return testdb_run(s);
}
