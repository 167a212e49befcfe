/*
 * The statistician's report (lib/report/, cli/cmd_report.c), driven
 * against the reference studies.  No expected figure is typed here as
 * output: the published figures are asserted on the numbers the report
 * computed from the loaded rows, and where a count depends on the data,
 * the test asks the database for it independently.
 */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "csv.h"
#include "db.h"
#include "file.h"
#include "report/format.h"
#include "report/report.h"
#include "disclosure_policy.h"
#include "report/report_disclosure.h"
#include "report/report_doc.h"
#include "synth.h"
#include "reportfix.h"
#include "testdb.h"
#include "report/textfreq.h"

static struct rdoc *
build(const struct report_options *o)
{
	struct report_options run = *o;
	struct msp_error err;
	struct rdoc *doc = NULL;

	/* "fed-…": a protection run's token (testdb_run_token()), whose
	 * reports count with the federation's functions and disclosure
	 * control, as the run's audit does (a federation's own token
	 * reads published releases only, and these studies are open) */
	run.live = o->token != NULL && strncmp(o->token, "fed-", 4) == 0;
	ck_assert_msg(report_build(conn, &run, &doc, &err) == MSP_OK, "%s",
		      err.message);
	ck_assert_ptr_nonnull(doc);
	return doc;
}

static struct rdoc *
build_region(const char *region, const char *by)
{
	struct report_options o;

	report_options_init(&o);
	o.region = region;
	o.by = by;
	return build(&o);
}

static const struct rtable *
table(const struct rdoc *doc, const char *key)
{
	const struct rtable *t = rdoc_find_table(doc, key);

	ck_assert_msg(t != NULL, "no table %s", key);
	return t;
}

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	       (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* The row of var (and category cat, NULL for the variable's line). */
static const struct rrow *
row(const struct rtable *t, const char *var, const char *cat)
{
	size_t i;

	for (i = 0; i < t->nrows; i++)
		if (same(t->rows[i].var_key, var) &&
		    same(t->rows[i].cat_key, cat))
			return &t->rows[i];
	ck_abort_msg("table %s: no row %s/%s", t->key, var,
		     cat != NULL ? cat : "-");
	return NULL;
}

static size_t
col(const struct rtable *t, const char *key)
{
	size_t j;

	for (j = 0; j < t->ncols; j++)
		if (same(t->cols[j].key, key))
			return j;
	ck_abort_msg("table %s: no column %s", t->key, key);
	return 0;
}

static const struct rcell *
cell(const struct rtable *t, const char *var, const char *cat,
     const char *column)
{
	return &row(t, var, cat)->cells[col(t, column)];
}

/* A percentage as the papers print it, to digits decimals. */
static double
rounded(double v, int digits)
{
	double f = pow(10, digits);

	return round(v * f) / f;
}

/* The p-value of var in table t, with its method. */
static const struct rcell *
test_of(const struct rtable *t, const char *var)
{
	const struct rcell *c = cell(t, var, NULL, "p");

	ck_assert_msg(c->kind == RCELL_TEST && c->text == NULL,
		      "%s: no p-value (%s)", var, c->text ? c->text : "-");
	return c;
}

static unsigned long
sql_count(const char *sql)
{
	return strtoul(testdb_value(conn, sql), NULL, 10);
}

/* --- the region report: Occitanie 2024 ----------------------------------- */

START_TEST(occitanie_published_percentages)
{
	struct rdoc *doc = build_region("occitanie", NULL);
	const struct rtable *t;
	const struct rcell *c;

	/* « 77 réponses, sur les 385 équipes » = 20 % */
	t = table(doc, "response");
	c = cell(t, "response_rate", NULL, "value");
	ck_assert_int_eq(c->kind, RCELL_PROP);
	ck_assert_uint_eq(c->n, 77);
	ck_assert_uint_eq(c->total, 385);
	ck_assert_double_eq(rounded(c->pct, 0), 20);
	ck_assert(c->has_ci && c->lo < c->pct && c->pct < c->hi);

	/* not a priority 67,53 %; want more 79,22 %; do not know the
	 * guide 58,44 % */
	t = table(doc, "intention");
	c = cell(t, "is_priority", "non", "all");
	ck_assert_uint_eq(c->total, 77);
	ck_assert_double_eq_tol(c->pct, 67.53, 0.005);
	c = cell(t, "want_more", "oui", "all");
	ck_assert_uint_eq(c->n, 61);
	ck_assert_double_eq_tol(c->pct, 79.22, 0.005);
	c = cell(t, "knows_guide", "non", "all");
	ck_assert_double_eq_tol(c->pct, 58.44, 0.005);
	ck_assert(c->has_ci);

	/* the continuum: 50 % consultation, 13 % collaboration, 8 %
	 * partenariat */
	t = table(doc, "continuum");
	ck_assert(t->chart);
	ck_assert_double_eq(rounded(cell(t, "continuum", "consultation",
					 "all")->pct, 0), 50);
	ck_assert_double_eq(rounded(cell(t, "continuum", "collaboration",
					 "all")->pct, 0), 13);
	ck_assert_double_eq(rounded(cell(t, "continuum", "partenariat",
					 "all")->pct, 0), 8);
	/* the one team that cannot be placed is counted, apart */
	ck_assert_uint_eq(cell(t, "continuum", "", "all")->n, 1);

	/* the "works with users" items: 21, 15, 13, 11, 6 */
	t = table(doc, "involvement");
	ck_assert_uint_eq(cell(t, "info_with_users", "oui", "all")->n, 21);
	ck_assert_uint_eq(cell(t, "consult_with_users", "oui", "all")->n,
			  15);
	ck_assert_uint_eq(cell(t, "exchange_spaces_with_users", "oui",
			       "all")->n, 13);
	ck_assert_uint_eq(cell(t, "coconstruct", "oui", "all")->n, 11);
	ck_assert_uint_eq(cell(t, "governance_place", "oui", "all")->n, 6);
	/* no instrument asks the ACI level: said, not invented */
	ck_assert_int_eq(cell(t, "aci_level", NULL, "all")->kind,
			 RCELL_TEXT);

	/* the validation year: mean 2021, min 2011, max 2024 */
	t = table(doc, "characteristics");
	c = cell(t, "project_validation_year", NULL, "all");
	ck_assert_int_eq(c->kind, RCELL_SUMMARY);
	ck_assert_double_eq(rounded(c->mean, 0), 2021);
	ck_assert_double_eq(c->min, 2011);
	ck_assert_double_eq(c->max, 2024);

	/* freins: « le manque de temps et de motivation » */
	t = table(doc, "freins_leviers");
	ck_assert(row(t, "freins", "temps") != NULL);
	ck_assert(row(t, "freins", "motivation") != NULL);
	rdoc_free(doc);
}
END_TEST

/* --- --by: PdL 2019 Tableaux 1 and 2 ------------------------------------- */

START_TEST(pdl_table2_p_values)
{
	struct rdoc *doc = build_region("pays-de-la-loire", "usagers");
	const struct rtable *t = table(doc, "by");
	struct report_options o;
	struct rdoc *excl;

	/* group sizes: 10 and 27 */
	ck_assert_uint_eq(cell(t, "n", NULL, "usagers_plus")->n, 10);
	ck_assert_uint_eq(cell(t, "n", NULL, "usagers_moins")->n, 27);
	/* published: département 0,38; ACI 1; sites 1; ancienneté 0,27;
	 * CLS 0,76; APMSL 1 -- all by Fisher's exact test */
	ck_assert_double_eq(rounded(test_of(t, "departement")->test.p, 2),
			    0.38);
	ck_assert_double_eq(rounded(test_of(t, "aci_signatory")->test.p, 2),
			    1);
	ck_assert_double_eq(rounded(test_of(t, "sites")->test.p, 2), 1);
	/* R: 0.2749..., printed 0,27 */
	ck_assert_double_eq_tol(test_of(t, "anciennete")->test.p, 0.275,
				0.001);
	ck_assert_double_eq(rounded(test_of(t, "cls_member")->test.p, 2),
			    0.76);
	ck_assert_double_eq(rounded(test_of(t, "federation_member")->test.p,
				    2), 1);
	ck_assert_int_eq(test_of(t, "departement")->test.method,
			 STATS_FISHER);
	ck_assert_int_eq(test_of(t, "cls_member")->test.method,
			 STATS_FISHER);
	/* CPTS with "ne sait pas" kept (the default): 0.865 */
	ck_assert_double_eq_tol(test_of(t, "cpts_member")->test.p, 0.865,
				0.001);
	/* Tableau 2 counts, usagers +: département 49 -> 5 */
	ck_assert_uint_eq(cell(t, "departement", "49", "usagers_plus")->n, 5);
	ck_assert_uint_eq(cell(t, "cls_member", "nsp", "usagers_moins")->n,
			  5);

	/* CPTS gives the published 1 only with "ne sait pas" excluded */
	report_options_init(&o);
	o.region = "pays-de-la-loire";
	o.by = "usagers";
	o.dont_know = REPORT_EXCLUDE;
	excl = build(&o);
	t = table(excl, "by");
	ck_assert_double_eq(rounded(test_of(t, "cpts_member")->test.p, 2),
			    1);
	/* the excluded answers are still counted, without a percentage */
	ck_assert_int_eq(cell(t, "cpts_member", "nsp", "usagers_moins")->kind,
			 RCELL_COUNT);
	ck_assert_uint_eq(cell(t, "cpts_member", "oui", "usagers_plus")->total,
			  9);
	rdoc_free(excl);
	rdoc_free(doc);
}
END_TEST

static char *render(const struct rdoc *doc, enum format_kind kind);

/*
 * Table 2's seven tests carry Holm-adjusted p-values by default, or
 * BH's: equal to R's p.adjust() of the table's own p-values, R run
 * live; Cramér's V and the adjustment in every format.
 */
START_TEST(pdl_table2_adjusted)
{
	static const enum stats_adjust how[] = {
		STATS_ADJUST_HOLM, STATS_ADJUST_BH,
	};
	static const enum format_kind kinds[] = {
		FORMAT_TEXT, FORMAT_CSV, FORMAT_JSON, FORMAT_MARKDOWN,
		FORMAT_HTML,
	};
	static const char *const shown[] = {
		"p holm", "p_adjusted", "\"p_adjusted\"", "p holm", "p holm",
	};
	const struct rcell *tests[2][16];
	double want[2][16], all[14];
	size_t n[2] = { 0, 0 }, h, i, j, len = 0;
	struct report_options o;
	struct rdoc *doc[2];
	char *script = NULL, *text;

	for (h = 0; h < 2; h++) {
		const struct rtable *t;

		report_options_init(&o);
		o.region = "pays-de-la-loire";
		o.by = "usagers";
		if (h == 1)
			o.adjust = STATS_ADJUST_BH;
		doc[h] = build(&o);
		t = table(doc[h], "by");
		for (i = 0; i < t->nrows; i++) {
			for (j = 0; j < t->ncols; j++) {
				const struct rcell *c = &t->rows[i].cells[j];

				if (c->kind != RCELL_TEST || c->text != NULL)
					continue;
				ck_assert(n[h] < 16);
				ck_assert(c->has_p_adj);
				ck_assert_int_eq(c->adjust, how[h]);
				ck_assert(c->test.cramers_v >= 0 &&
					  c->test.cramers_v <= 1);
				tests[h][n[h]++] = c;
			}
		}
		/* département, ACI, sites, ancienneté, CLS, APMSL, CPTS */
		ck_assert_uint_eq(n[h], 7);
		testdb_script_add(&script, &len, "cat(sprintf('%%.17g', "
				  "p.adjust(c(");
		for (i = 0; i < n[h]; i++)
			testdb_script_add(&script, &len, "%s%.17g",
				i ? ", " : "", tests[h][i]->test.p);
		testdb_script_add(&script, &len,
			"), '%s')), sep = '\\n')\n",
			stats_adjust_name(how[h]));
	}
	testdb_r_values(script, all, 14);
	memcpy(want[0], all, 7 * sizeof(double));
	memcpy(want[1], all + 7, 7 * sizeof(double));
	for (h = 0; h < 2; h++)
		for (i = 0; i < 7; i++)
			ck_assert_msg(fabs(tests[h][i]->p_adj - want[h][i]) <=
				      1e-12 * want[h][i], "%s test %zu: "
				      "%.17g, R says %.17g",
				      stats_adjust_name(how[h]), i,
				      tests[h][i]->p_adj, want[h][i]);
	/* Holm is the default, and the header says so */
	for (i = 0; i < doc[0]->nmeta; i++)
		if (strcmp(doc[0]->meta[i].key, "p_adjust") == 0)
			break;
	ck_assert(i < doc[0]->nmeta);
	ck_assert(strstr(doc[0]->meta[i].value, "par défaut") != NULL);
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		text = render(doc[0], kinds[i]);
		ck_assert_msg(strstr(text, shown[i]) != NULL, "%s: no %s",
			      format_name(kinds[i]), shown[i]);
		ck_assert_msg(strstr(text, kinds[i] == FORMAT_JSON ?
				     "\"cramers_v\"" : kinds[i] ==
				     FORMAT_CSV ? "cramers_v" : "V = ") != NULL,
			      "%s: no Cramér's V", format_name(kinds[i]));
		ck_assert_msg(strstr(text, "holm") != NULL, "%s: method "
			      "not named", format_name(kinds[i]));
		free(text);
	}
	free(script);
	rdoc_free(doc[0]);
	rdoc_free(doc[1]);
}
END_TEST

/* Tableau 1: "at least one" n and median (min-max), per group. */
START_TEST(pdl_table1_medians)
{
	static const struct {
		const char *item;
		unsigned long plus, moins;	/* with at least one */
		double med_plus, med_moins;
	} t1[] = {
		{ "prof_count_mg", 10, 27, 7, 6 },
		{ "prof_count_ide", 10, 24, 7, 5.5 },
		{ "prof_count_sage_femme", 5, 16, 1, 1 },
		{ "prof_count_kine", 9, 22, 2, 3 },
		{ "prof_count_dentiste", 5, 13, 1, 0 },
		{ "prof_count_pharmacien", 6, 13, 3, 0 },
		{ "prof_count_paramedical", 9, 27, 4, 6 },
		{ "prof_count_specialiste", 2, 8, 0, 0 },
	};
	struct rdoc *doc = build_region("pays-de-la-loire", "usagers");
	const struct rtable *t = table(doc, "by");
	const struct rcell *c;
	size_t i;

	for (i = 0; i < sizeof(t1) / sizeof(t1[0]); i++) {
		ck_assert_uint_eq(cell(t, t1[i].item, "ge1",
				       "usagers_plus")->n, t1[i].plus);
		ck_assert_uint_eq(cell(t, t1[i].item, "ge1",
				       "usagers_moins")->n, t1[i].moins);
		ck_assert_double_eq(cell(t, t1[i].item, NULL,
					 "usagers_plus")->median,
				    t1[i].med_plus);
		ck_assert_double_eq(cell(t, t1[i].item, NULL,
					 "usagers_moins")->median,
				    t1[i].med_moins);
	}
	/* MG: 7 (3-17) | 6 (3-13); total: 23,5 (10-65) | 21 (3-55) */
	c = cell(t, "prof_count_mg", NULL, "usagers_plus");
	ck_assert_double_eq(c->min, 3);
	ck_assert_double_eq(c->max, 17);
	c = cell(t, "prof_count_total", NULL, "usagers_plus");
	ck_assert_double_eq(c->median, 23.5);
	ck_assert_double_eq(c->min, 10);
	ck_assert_double_eq(c->max, 65);
	c = cell(t, "prof_count_total", NULL, "usagers_moins");
	ck_assert_double_eq(c->median, 21);
	/* IDE, usagers -: 24 answered of 27, the 3 others counted */
	ck_assert_uint_eq(cell(t, "prof_count_ide", NULL,
			       "usagers_moins")->n, 24);
	ck_assert_uint_eq(cell(t, "prof_count_ide", "", "usagers_moins")->n,
			  3);
	/* numbers are described, not tested */
	ck_assert_int_eq(cell(t, "prof_count_mg", NULL, "p")->kind,
			 RCELL_NONE);
	rdoc_free(doc);
}
END_TEST

START_TEST(pdl_region_report)
{
	struct rdoc *doc = build_region("Pays de la Loire", NULL);
	const struct rtable *t = table(doc, "response");
	const struct rcell *c = cell(t, "response_rate", NULL, "value");

	/* 37 of the 83 MSPs in operation (45 %); 90 listed */
	ck_assert_uint_eq(c->n, 37);
	ck_assert_uint_eq(c->total, 83);
	ck_assert_double_eq(rounded(c->pct, 0), 45);
	ck_assert_uint_eq(cell(t, "listed", NULL, "value")->n, 90);
	/* the main item and its split: 2 / 8 / 27, 10 (27 %) vs 27 */
	t = table(doc, "involvement");
	ck_assert_uint_eq(cell(t, "works_with_users", "oui_actuellement",
			       "all")->n, 2);
	ck_assert_uint_eq(cell(t, "works_with_users",
			       "oui_ponctuel_ou_passe", "all")->n, 8);
	ck_assert_uint_eq(cell(t, "works_with_users", "non", "all")->n, 27);
	c = cell(t, "usagers", "usagers_plus", "all");
	ck_assert_uint_eq(c->n, 10);
	ck_assert_double_eq(rounded(c->pct, 0), 27);
	rdoc_free(doc);
}
END_TEST

/* --- --nonresponse ------------------------------------------------------- */

START_TEST(pdl_nonresponse)
{
	struct report_options o;
	struct rdoc *doc;
	const struct rtable *t;
	const struct rcell *c;

	report_options_init(&o);
	o.region = "pays-de-la-loire";
	o.nonresponse = 1;
	doc = build(&o);
	t = table(doc, "nonresponse");
	/* département p = 0,29 */
	ck_assert_double_eq(rounded(test_of(t, "frame_departement")->test.p,
				    2), 0.29);
	/* APMSL: 25 (68 %) of 37 vs 18 (39 %) of 46, p = 0,01 */
	c = cell(t, "frame_federation_member", "oui", "participants");
	ck_assert_uint_eq(c->n, 25);
	ck_assert_uint_eq(c->total, 37);
	ck_assert_double_eq(rounded(c->pct, 0), 68);
	c = cell(t, "frame_federation_member", "oui", "non_participants");
	ck_assert_uint_eq(c->n, 18);
	ck_assert_uint_eq(c->total, 46);
	ck_assert_double_eq(rounded(c->pct, 0), 39);
	c = test_of(t, "frame_federation_member");
	ck_assert_double_eq(rounded(c->test.p, 2), 0.01);
	ck_assert_int_eq(c->test.method, STATS_CHISQ);
	rdoc_free(doc);
}
END_TEST

/* --- --compare ----------------------------------------------------------- */

START_TEST(compare_regions)
{
	struct report_options o;
	struct rdoc *doc;
	const struct rtable *t;

	report_options_init(&o);
	o.compare = "occitanie,Pays de la Loire";
	doc = build(&o);
	t = table(doc, "compare");
	ck_assert_uint_eq(cell(t, "n", NULL, "occitanie")->n, 77);
	ck_assert_uint_eq(cell(t, "n", NULL, "pays-de-la-loire")->n, 37);
	/* beyond information/consultation: Occitanie's collaboration and
	 * partenariat teams (16), PdL's usagers + (10) */
	ck_assert_uint_eq(cell(t, "h_beyond_consultation", "oui",
			       "occitanie")->n,
			  sql_count("SELECT count(*) FROM msp.answer a"
				    " JOIN msp.response r USING (response_id)"
				    " JOIN msp.study s USING (study_id)"
				    " WHERE s.slug = 'occitanie-2024'"
				    " AND a.item_key = 'exchange_spaces'"
				    " AND a.choice_code = 'oui'"));
	ck_assert_uint_eq(cell(t, "h_beyond_consultation", "oui",
			       "pays-de-la-loire")->n, 10);
	ck_assert(test_of(t, "h_beyond_consultation")->test.p > 0);
	ck_assert(test_of(t, "h_aci_signatory")->test.p > 0);
	t = table(doc, "compare_frame");
	ck_assert_uint_eq(cell(t, "frame_structure_type", "esp",
			       "occitanie")->n,
			  sql_count("SELECT count(*) FROM msp.answer"
				    " WHERE item_key = 'structure_type'"
				    " AND choice_code = 'esp'"));
	ck_assert(test_of(t, "frame_structure_type")->test.p > 0);
	ck_assert(table(doc, "compare_continuum")->chart);
	rdoc_free(doc);
}
END_TEST

/* --- --has --------------------------------------------------------------- */

/* People the reference data codes under a HAS category, by SQL. */
static unsigned long
has_people(const char *has_code)
{
	const char *params[1] = { has_code };
	struct msp_error err;
	PGresult *res = NULL;
	unsigned long n;

	ck_assert_msg(db_exec(conn, "has people",
			      "SELECT count(DISTINCT g.interview_id)"
			      "  FROM msp.segment g JOIN msp.crosswalk x"
			      "    ON x.study_id = g.study_id"
			      "   AND x.code = g.code"
			      " WHERE x.has_code = $1", 1, params,
			      PGRES_TUPLES_OK, &res, &err) == MSP_OK, "%s",
		      err.message);
	n = strtoul(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return n;
}

START_TEST(has_crosswalk)
{
	static const char *const codes[] = {
		"H-F1", "H-F2", "H-F3", "H-F4", "H-F5", "H-F6",
		"H-L1", "H-L2", "H-L3", "H-L4", "H-L5",
	};
	struct report_options o;
	struct rdoc *doc;
	const struct rtable *t;
	size_t i;

	report_options_init(&o);
	o.region = "occitanie";
	o.has = 1;
	doc = build(&o);
	t = table(doc, "has_region");
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		const char *kind = codes[i][2] == 'F' ? "frein" : "levier";

		ck_assert_uint_eq(cell(t, kind, codes[i],
				       "occitanie:interviews")->n,
				  has_people(codes[i]));
	}
	/* DOMAIN.md: time P5, P8, P10, P13; training P1, P2, P3, P10, P12 */
	ck_assert_uint_eq(cell(t, "frein", "H-F1", "occitanie:interviews")->n,
			  4);
	ck_assert_uint_eq(cell(t, "levier", "H-L1",
			       "occitanie:interviews")->total, 13);
	/* two interview freins the report places in no HAS category */
	t = table(doc, "has_unmapped");
	ck_assert_uint_eq(cell(t, "frein", "f_crainte_avis_negatifs",
			       "n")->n, 2);
	ck_assert_uint_eq(cell(t, "frein", "f_crainte_remise_en_cause",
			       "n")->n, 2);
	/* and every HAS category is mentioned */
	ck_assert_uint_eq(table(doc, "has_unmentioned")->nrows, 0);
	/* by stage: P2, P3, P9, P10, P12 are at partenariat */
	t = table(doc, "has_stage");
	ck_assert_uint_eq(cell(t, "levier", "H-L1", "partenariat")->n, 4);
	rdoc_free(doc);
}
END_TEST

/* Coded open answers count as teams, through the same crosswalk. */
START_TEST(has_coded_answers)
{
	struct report_options o;
	struct msp_error err;
	struct rdoc *doc;
	const struct rtable *t;
	char *sql = NULL;
	size_t len;
	PGresult *res;
	unsigned long want;

	ck_assert_msg(file_read(testdb_srcpath("tests/data/report-coded.sql"),
				1 << 20, &sql, &len, &err) == MSP_OK, "%s",
		      err.message);
	res = PQexec(conn, sql);
	free(sql);
	ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK, "%s",
		      PQresultErrorMessage(res));
	PQclear(res);
	want = sql_count("SELECT count(DISTINCT ac.response_id)"
			 " FROM msp.answer_code ac"
			 " JOIN msp.crosswalk x USING (study_id, code)"
			 " WHERE x.has_code = 'H-F1'");
	ck_assert_uint_gt(want, 0);
	report_options_init(&o);
	o.region = "occitanie";
	o.has = 1;
	doc = build(&o);
	t = table(doc, "has_region");
	ck_assert_uint_eq(cell(t, "frein", "H-F1",
			       "occitanie:questionnaire")->n, want);
	ck_assert_uint_eq(cell(t, "frein", "H-F1",
			       "occitanie:questionnaire")->total,
			  sql_count("SELECT count(DISTINCT response_id)"
				    " FROM msp.answer_code"));
	rdoc_free(doc);
	/* the shared database stays as it was */
	testdb_value(conn, "WITH d AS (DELETE FROM msp.answer_code"
		     " RETURNING 1) SELECT count(*) FROM d");
}
END_TEST

/* --- the cache of frequency tables ---------------------------------------- */

static unsigned long
priority_oui(void)
{
	struct rdoc *doc = build_region("occitanie", NULL);
	unsigned long n = cell(table(doc, "intention"), "is_priority", "oui",
			       "all")->n;

	rdoc_free(doc);
	return n;
}

/* Turns the first Occitanie "not a priority" into a "priority", or
 * back. */
static void
flip_priority(int to)
{
	const char *params[1] = { to ? "true" : "false" };
	struct msp_error err;

	ck_assert_msg(db_exec(conn, "flip",
			      "UPDATE msp.answer SET bool_value = $1::boolean"
			      " WHERE answer_id = (SELECT min(a.answer_id)"
			      " FROM msp.answer a JOIN msp.response r"
			      " USING (response_id) JOIN msp.study s"
			      " USING (study_id) WHERE s.slug ="
			      " 'occitanie-2024' AND a.item_key ="
			      " 'is_priority' AND a.bool_value <> $1::boolean)",
			      1, params, PGRES_COMMAND_OK, NULL, &err) ==
		      MSP_OK, "%s", err.message);
}

/* A report reuses the tables a previous one computed while no data
 * changed, and never once data changed. */
START_TEST(cache_follows_the_data)
{
	unsigned long before = priority_oui();

	/* the first report kept its tables */
	ck_assert_uint_gt(sql_count("SELECT count(*) FROM msp.report_cache c"
				    " JOIN msp.study s USING (study_id)"
				    " WHERE s.slug = 'occitanie-2024'"
				    " AND c.what = 'counts'"), 0);
	ck_assert_uint_eq(priority_oui(), before);
	/* a committed change is seen at once */
	flip_priority(1);
	ck_assert_uint_eq(priority_oui(), before + 1);
	ck_assert_uint_eq(priority_oui(), before + 1);
	/* and undone */
	flip_priority(0);
	ck_assert_uint_eq(priority_oui(), before);
}
END_TEST

/* --- --terms ------------------------------------------------------------- */

START_TEST(terms_of_open_item)
{
	struct report_options o;
	struct rdoc *doc;
	const struct rtable *t;

	report_options_init(&o);
	o.region = "occitanie";
	o.terms = "def_usager";
	o.top = 2;
	doc = build(&o);
	t = table(doc, "terms");
	/* « les termes les plus employés sont « les patients » et
	 * « personne » » */
	ck_assert_uint_eq(t->nrows, 2);
	ck_assert_str_eq(t->rows[0].cat_label, "patients");
	ck_assert_str_eq(t->rows[1].cat_label, "personne");
	ck_assert_uint_eq(t->rows[0].cells[1].total,
			  sql_count("SELECT count(*) FROM msp.answer"
				    " WHERE item_key = 'def_usager'"));
	rdoc_free(doc);
}
END_TEST

/* --- errors -------------------------------------------------------------- */

static void
build_fails(const struct report_options *o, const char *needle)
{
	struct msp_error err;
	struct rdoc *doc = NULL;

	ck_assert_int_ne(report_build(conn, o, &doc, &err), MSP_OK);
	ck_assert_ptr_null(doc);
	ck_assert_msg(strstr(err.message, needle) != NULL, "%s", err.message);
	/* the connection is usable after a failed report */
	ck_assert_int_eq(PQtransactionStatus(conn), PQTRANS_IDLE);
}

START_TEST(region_names)
{
	static const char *const names[] = {
		"pays-de-la-loire", "Pays de la Loire", "PAYS DE LA LOIRE",
		"Pays-de-la-Loire", "pays de la loire ",
	};
	struct report_options o;
	struct rdoc *doc;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		doc = build_region(names[i], NULL);
		ck_assert_uint_eq(cell(table(doc, "response"), "responses",
				       NULL, "value")->n, 37);
		rdoc_free(doc);
	}
	/* accents do not matter either */
	doc = build_region("Occitânie", NULL);
	rdoc_free(doc);
	report_options_init(&o);
	o.region = "bretagne";
	build_fails(&o, "occitanie, pays-de-la-loire");
	o.region = "occitanie";
	o.study = "pdl-2019";
	build_fails(&o, "occitanie-2024");
	o.study = NULL;
	o.by = "nope";
	build_fails(&o, "structure_type");
	o.by = NULL;
	o.terms = "is_priority";
	build_fails(&o, "def_usager");
	o.terms = NULL;
	o.compare = "occitanie";
	build_fails(&o, "2 to");
	o.compare = NULL;
	o.token = "not-a-token";
	build_fails(&o, "token");
}
END_TEST

/* The cell of var/cat in the first table that has it. */
static const struct rcell *
any_cell(const struct rdoc *doc, const char *var, const char *cat)
{
	size_t t, r;

	for (t = 0; t < doc->ntables; t++)
		for (r = 0; r < doc->tables[t]->nrows; r++) {
			const struct rrow *row = &doc->tables[t]->rows[r];

			if (same(row->var_key, var) && same(row->cat_key, cat))
				return &row->cells[0];
		}
	ck_abort_msg("no row %s/%s", var, cat);
	return NULL;
}

/*
 * A multiple choice's percentages under each missing-data rule, against
 * values computed by hand.  PdL 2019's project_topics: 37 responses, 6
 * answered it, « La prévention » chosen by 1, « Autre » by none
 * (asserted first, in SQL).  Missing excluded: 1/6 = 16.67 %, Wilson
 * 95 % [3.00, 56.35] (z = 1.96: centre (1/6 + z²/12) / (1 + z²/6) =
 * 0.2968, half-width z √(5/216 + z²/144) / (1 + z²/6) = 0.2667); 0/6 =
 * 0 %; the missing row a count, 31.  Missing kept: 1/37 = 2.70 %, 0 %,
 * missing 31/37 = 83.78 %.  « Ne sait pas » does not apply to a
 * multiple choice: the same under --nsp exclude.
 */
START_TEST(multiple_choice_percentages)
{
	static const char q[] =
		"SELECT count(DISTINCT a.response_id) FILTER (WHERE"
		"        a.choice_code = '%s')"
		"  FROM msp.answer a JOIN msp.response r USING (response_id)"
		"  JOIN msp.study s USING (study_id)"
		" WHERE s.slug = 'pdl-2019' AND r.status = 'complete'"
		"   AND a.item_key = 'project_topics'";
	char sql[512];
	struct report_options o;
	struct rdoc *doc;
	const struct rcell *c;
	int nsp;

	snprintf(sql, sizeof(sql), q, "prevention");
	ck_assert_uint_eq(sql_count(sql), 1);
	snprintf(sql, sizeof(sql), q, "autre");
	ck_assert_uint_eq(sql_count(sql), 0);
	ck_assert_uint_eq(sql_count("SELECT count(DISTINCT a.response_id)"
		" FROM msp.answer a JOIN msp.response r USING (response_id)"
		" JOIN msp.study s USING (study_id) WHERE s.slug = 'pdl-2019'"
		" AND r.status = 'complete' AND a.item_key ="
		" 'project_topics'"), 6);
	for (nsp = 0; nsp < 2; nsp++) {
		report_options_init(&o);
		o.region = "pays-de-la-loire";
		o.dont_know = nsp ? REPORT_EXCLUDE : REPORT_KEEP;
		doc = build(&o);
		c = any_cell(doc, "project_topics", "prevention");
		ck_assert_int_eq(c->kind, RCELL_PROP);
		ck_assert_uint_eq(c->total, 6);
		ck_assert_double_eq_tol(c->pct, 16.67, 0.005);
		ck_assert_double_eq_tol(c->lo, 3.00, 0.01);
		ck_assert_double_eq_tol(c->hi, 56.35, 0.01);
		c = any_cell(doc, "project_topics", "autre");
		ck_assert_int_eq(c->kind, RCELL_PROP);
		ck_assert_double_eq_tol(c->pct, 0, 0.005);
		c = any_cell(doc, "project_topics", "");
		ck_assert_int_eq(c->kind, RCELL_COUNT);
		ck_assert_uint_eq(c->n, 31);
		rdoc_free(doc);

		o.missing = REPORT_KEEP;
		doc = build(&o);
		c = any_cell(doc, "project_topics", "prevention");
		ck_assert_uint_eq(c->total, 37);
		ck_assert_double_eq_tol(c->pct, 2.70, 0.005);
		c = any_cell(doc, "project_topics", "autre");
		ck_assert_double_eq_tol(c->pct, 0, 0.005);
		c = any_cell(doc, "project_topics", "");
		ck_assert_int_eq(c->kind, RCELL_PROP);
		ck_assert_double_eq_tol(c->pct, 83.78, 0.005);
		rdoc_free(doc);
	}
}
END_TEST

/* Issue 16, item 4: a region compared with itself is refused, however
 * it is spelt, rather than printed as a comparison with p = 1. */
START_TEST(compare_refuses_the_same_study)
{
	struct report_options o;

	report_options_init(&o);
	o.compare = "occitanie,Occitanie";
	build_fails(&o, "même étude (occitanie-2024)");
	o.compare = "pays-de-la-loire,occitanie,PAYS DE LA LOIRE";
	build_fails(&o, "« pays-de-la-loire » et « PAYS DE LA LOIRE »");
	/* two different regions still compare */
	o.compare = "occitanie,pays-de-la-loire";
	rdoc_free(build(&o));
}
END_TEST

/*
 * Issue 16, item 3: a team's report counts structures in its response
 * rate.  One Occitanie structure sends 22 complete responses (its one
 * and 21 more); its team reads « Réponses 22 », « Structures
 * répondantes 1 » and a rate of 1 structure, each compared with a
 * count the test asks the database for.
 */
START_TEST(team_rate_counts_structures)
{
	static const char dup[] =
		"INSERT INTO msp.response (study_id, instrument_id,"
		" structure_id, status, started_at, submitted_at,"
		" idempotency_key)"
		" SELECT r.study_id, r.instrument_id, r.structure_id,"
		" 'complete', now(), now(), 'dup-' || g"
		"  FROM msp.response r, generate_series(1, 21) g"
		" WHERE r.response_id = (SELECT min(response_id)"
		"   FROM msp.response JOIN msp.study s USING (study_id)"
		"  WHERE s.slug = 'occitanie-2024')";
	static const char team[] =
		"INSERT INTO msp.access_token (token_sha256, kind,"
		" structure_id)"
		" SELECT sha256(convert_to('team-22', 'UTF8')), 'team',"
		" structure_id FROM msp.response"
		" WHERE idempotency_key = 'dup-1'";
	static const char of_team[] =
		"  FROM msp.response r JOIN msp.study s USING (study_id)"
		" WHERE s.slug = 'occitanie-2024' AND r.status = 'complete'"
		"   AND r.structure_id = (SELECT structure_id"
		"   FROM msp.response WHERE idempotency_key = 'dup-1')";
	char sql[512];
	struct testdb db;
	struct report_options o;
	struct rdoc *doc;
	const struct rtable *t;
	const struct rcell *rate;
	PGconn *keep = conn;
	struct msp_error err;
	unsigned long responses, structures;

	memset(&db, 0, sizeof(db));
	testdb_open(&db);
	testdb_load(&db, NULL);
	testdb_load_reference(&db);
	conn = db.conn;
	ck_assert_msg(db_exec(conn, "dup", dup, 0, NULL, PGRES_COMMAND_OK,
			      NULL, &err) == MSP_OK, "%s", err.message);
	ck_assert_msg(db_exec(conn, "team", team, 0, NULL, PGRES_COMMAND_OK,
			      NULL, &err) == MSP_OK, "%s", err.message);
	snprintf(sql, sizeof(sql), "SELECT count(*) %s", of_team);
	responses = strtoul(testdb_value(conn, sql), NULL, 10);
	snprintf(sql, sizeof(sql), "SELECT count(DISTINCT r.structure_id) %s",
		 of_team);
	structures = strtoul(testdb_value(conn, sql), NULL, 10);
	ck_assert_uint_eq(responses, 22);
	ck_assert_uint_eq(structures, 1);

	report_options_init(&o);
	o.region = "occitanie";
	o.token = "team-22";
	doc = build(&o);
	t = table(doc, "response");
	rate = cell(t, "response_rate", NULL, "value");
	ck_assert_int_eq(rate->kind, RCELL_PROP);
	ck_assert_uint_eq(rate->n, structures);
	ck_assert_uint_eq(cell(t, "responses", NULL, "value")->n, responses);
	ck_assert_uint_eq(cell(t, "respondents", NULL, "value")->n,
			  structures);
	rdoc_free(doc);
	conn = keep;
	testdb_close(&db);
}
END_TEST

/*
 * The continuum stage, derived once (msp.response_stage), is the same
 * wherever it is read, and each place gives the published Occitanie
 * 2024 figures (/work/shared/DOMAIN.md: 77 responses; of the teams
 * placed, 50 % consultation, 13 % collaboration, 8 % partenariat,
 * information the base of the rest): msp.response_stage itself; the
 * report's continuum table (its derived variables, report_data.c);
 * --has by stage as the owner (report_has.c) and as a federation
 * (msp.report_has_stage, over msp.report_has_mentions); --has --matrix
 * stage (msp.report_has_people); the coding workspace's
 * msp.coding_view_var.  In a database of its own: every other coding
 * deleted, one code on every Occitanie response, so that the --has
 * tables count every team once.
 */
#define NSTAGE 5	/* the four stages, then « not placed » */
static const char *const stage_keys[NSTAGE] = {
	"information", "consultation", "collaboration", "partenariat", ""
};

/* stages[] against the published figures, for place what. */
static void
assert_published_stages(const char *what, const unsigned long *n)
{
	unsigned long placed = n[0] + n[1] + n[2] + n[3];

	ck_assert_msg(placed + n[4] == 77, "%s: %lu responses", what,
		      placed + n[4]);
	ck_assert_msg(placed > 0, "%s: nobody placed", what);
	ck_assert_msg(lround(100.0 * (double)n[1] / (double)placed) == 50 &&
		      lround(100.0 * (double)n[2] / (double)placed) == 13 &&
		      lround(100.0 * (double)n[3] / (double)placed) == 8,
		      "%s: %lu %lu %lu %lu of %lu placed", what, n[0], n[1],
		      n[2], n[3], placed);
}

/* Row var/cat of t, its stage columns ("unknown" for not placed). */
static void
stages_of_row(const struct rtable *t, const char *var, const char *cat,
	      unsigned long *n)
{
	size_t k;

	for (k = 0; k < NSTAGE; k++)
		n[k] = cell(t, var, cat, k + 1 < NSTAGE ? stage_keys[k] :
			    "unknown")->n;
}

START_TEST(stage_everywhere_is_the_published_one)
{
	static const char *const setup_sql[] = {
		"DELETE FROM msp.segment",
		"DELETE FROM msp.answer_code",
		"INSERT INTO msp.study_code (study_id, code, kind, label_fr)"
		" SELECT study_id, 'every_team', 'frein', 'Toutes'"
		"   FROM msp.study WHERE slug = 'occitanie-2024'",
		"INSERT INTO msp.crosswalk (study_id, code, kind, has_code)"
		" SELECT study_id, 'every_team', 'frein', 'H-F1'"
		"   FROM msp.study WHERE slug = 'occitanie-2024'",
		"INSERT INTO msp.answer_code (response_id, study_id, item_key,"
		"        code)"
		" SELECT r.response_id, r.study_id, 'priority_reason',"
		"        'every_team'"
		"   FROM msp.response r JOIN msp.study s USING (study_id)"
		"  WHERE s.slug = 'occitanie-2024' AND r.status = 'complete'"
		"    AND NOT r.test",
	};
	/* by SQL: the function, and the workspace's label of it */
	static const char by_function[] =
		"SELECT coalesce(msp.response_stage(r.response_id), '')"
		"  FROM msp.response r JOIN msp.study s USING (study_id)"
		" WHERE s.slug = 'occitanie-2024' AND r.status = 'complete'"
		"   AND NOT r.test";
	static const char by_workspace[] =
		"SELECT coalesce(cs.stage, '')"
		"  FROM msp.response r JOIN msp.study s USING (study_id)"
		"  LEFT JOIN msp.continuum_stage cs"
		"    ON cs.label_fr = msp.coding_view_var(r.response_id,"
		"                                         'continuum')"
		" WHERE s.slug = 'occitanie-2024' AND r.status = 'complete'"
		"   AND NOT r.test";
	const char *const queries[2] = { by_function, by_workspace };
	unsigned long n[NSTAGE], first[NSTAGE];
	struct testdb db;
	struct report_options o;
	struct rdoc *doc;
	const struct rtable *t;
	PGconn *keep = conn;
	struct msp_error err;
	PGresult *res = NULL;
	size_t i, k;
	int r;

	memset(&db, 0, sizeof(db));
	testdb_open(&db);
	testdb_load(&db, NULL);
	testdb_load_reference(&db);
	conn = db.conn;
	for (i = 0; i < sizeof(setup_sql) / sizeof(setup_sql[0]); i++)
		ck_assert_msg(db_exec(conn, "setup", setup_sql[i], 0, NULL,
				      PGRES_COMMAND_OK, NULL, &err) == MSP_OK,
			      "%s", err.message);
	/* the federation's --has functions count for a protection run's
	 * token only (msp.report_scope) */
	testdb_run_token(conn, "occitanie-2024", "fed-stage");
	for (i = 0; i < 2; i++) {
		ck_assert_msg(db_exec(conn, "stages", queries[i], 0, NULL,
				      PGRES_TUPLES_OK, &res, &err) == MSP_OK,
			      "%s", err.message);
		memset(n, 0, sizeof(n));
		for (r = 0; r < PQntuples(res); r++) {
			for (k = 0; k < NSTAGE; k++)
				if (strcmp(PQgetvalue(res, r, 0),
					   stage_keys[k]) == 0)
					break;
			ck_assert_uint_lt(k, NSTAGE);
			n[k]++;
		}
		PQclear(res);
		assert_published_stages(i == 0 ? "msp.response_stage" :
					"msp.coding_view_var", n);
		if (i == 0)
			memcpy(first, n, sizeof(n));
		else
			ck_assert_mem_eq(n, first, sizeof(n));
	}

	/* the report's table, and --has by stage and --matrix stage, as
	 * the owner */
	report_options_init(&o);
	o.region = "occitanie";
	doc = build(&o);
	t = table(doc, "continuum");
	for (k = 0; k < NSTAGE; k++)
		n[k] = cell(t, "continuum", stage_keys[k], "all")->n;
	assert_published_stages("the report's continuum", n);
	ck_assert_mem_eq(n, first, sizeof(n));
	rdoc_free(doc);
	o.has = 1;
	o.matrix = "stage";
	doc = build(&o);
	stages_of_row(table(doc, "has_stage"), "frein", "H-F1", n);
	assert_published_stages("--has by stage", n);
	ck_assert_mem_eq(n, first, sizeof(n));
	stages_of_row(table(doc, "has_matrix"), "frein", "every_team", n);
	assert_published_stages("--has --matrix stage", n);
	ck_assert_mem_eq(n, first, sizeof(n));
	rdoc_free(doc);

	/* a federation: its definer functions; the one team not placed
	 * is below the threshold, hidden, the four stages printed */
	o.token = "fed-stage";
	o.matrix = NULL;
	doc = build(&o);
	t = table(doc, "has_stage");
	stages_of_row(t, "frein", "H-F1", n);
	for (k = 0; k + 1 < NSTAGE; k++)
		ck_assert_uint_eq(n[k], first[k]);
	ck_assert(cell(t, "frein", "H-F1", "unknown")->suppressed);
	rdoc_free(doc);
	conn = keep;
	testdb_close(&db);
}
END_TEST

/* --- formats ------------------------------------------------------------- */

static char *
render(const struct rdoc *doc, enum format_kind kind)
{
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	struct msp_error err;

	ck_assert_msg(format_render(doc, kind, &out, &err) == MSP_OK, "%s",
		      err.message);
	return buf_steal(&out);
}

/*
 * Splits one CSV record (RFC 4180) at *p into fields; returns how many,
 * and leaves *p after the CRLF.  Fields are written into out (NUL
 * separated, at most max).
 */
static int
csv_record(const char **p, char fields[][256], int max)
{
	const char *s = *p;
	int n = 0;

	for (;;) {
		size_t k = 0;

		ck_assert_int_lt(n, max);
		if (*s == '"') {
			s++;
			for (;;) {
				ck_assert_msg(*s != '\0', "unterminated quote");
				if (*s == '"' && s[1] == '"')
					s++;
				else if (*s == '"')
					break;
				if (k < 255)
					fields[n][k++] = *s;
				s++;
			}
			s++;
		} else {
			while (*s != ',' && *s != '\r' && *s != '\0') {
				ck_assert_msg(*s != '"' && *s != '\n',
					      "bare quote or LF");
				if (k < 255)
					fields[n][k++] = *s;
				s++;
			}
		}
		fields[n++][k] = '\0';
		if (*s == ',') {
			s++;
			continue;
		}
		ck_assert_msg(s[0] == '\r' && s[1] == '\n', "record end");
		*p = s + 2;
		return n;
	}
}

START_TEST(csv_is_tidy)
{
	struct rdoc *doc = build_region("pays-de-la-loire", "usagers");
	char *csv = render(doc, FORMAT_CSV);
	char f[10][256];
	const char *p = csv;
	int n, records = 0, found_p = 0, found_n = 0;

	n = csv_record(&p, f, 10);
	ck_assert_int_eq(n, 10);
	ck_assert_str_eq(f[0], "table");
	ck_assert_str_eq(f[7], "statistic");
	ck_assert_str_eq(f[8], "value");
	while (*p != '\0') {
		char *end;

		ck_assert_int_eq(csv_record(&p, f, 10), 10);
		records++;
		/* the value column is numeric or empty: R reads it as such */
		if (f[8][0] != '\0') {
			strtod(f[8], &end);
			ck_assert_msg(*end == '\0', "value '%s'", f[8]);
		}
		if (strcmp(f[1], "departement") == 0 &&
		    strcmp(f[7], "p") == 0) {
			ck_assert_str_eq(f[9], "fisher");
			ck_assert_double_eq(rounded(strtod(f[8], NULL), 2),
					    0.38);
			found_p = 1;
		}
		if (strcmp(f[0], "by") == 0 && strcmp(f[1], "departement") == 0
		    && strcmp(f[3], "49") == 0 &&
		    strcmp(f[5], "usagers_plus") == 0 &&
		    strcmp(f[7], "n") == 0) {
			ck_assert_str_eq(f[8], "5");
			found_n = 1;
		}
	}
	ck_assert(found_p && found_n);
	ck_assert_int_gt(records, 100);
	free(csv);
	rdoc_free(doc);
}
END_TEST

START_TEST(json_parses)
{
	struct rdoc *doc = build_region("occitanie", NULL);
	char *text = render(doc, FORMAT_JSON);
	json_object *root = json_tokener_parse(text), *tables, *t, *rows;
	json_object *v;
	size_t i, n;
	int found = 0;

	ck_assert_ptr_nonnull(root);
	ck_assert(json_object_object_get_ex(root, "tables", &tables));
	n = json_object_array_length(tables);
	ck_assert_uint_eq(n, doc->ntables);
	for (i = 0; i < n; i++) {
		size_t r;

		t = json_object_array_get_idx(tables, i);
		ck_assert(json_object_object_get_ex(t, "key", &v));
		if (strcmp(json_object_get_string(v), "intention") != 0)
			continue;
		ck_assert(json_object_object_get_ex(t, "rows", &rows));
		for (r = 0; r < json_object_array_length(rows); r++) {
			json_object *row = json_object_array_get_idx(rows, r);
			json_object *var, *cat, *cells, *c0, *pct;

			ck_assert(json_object_object_get_ex(row, "variable",
							    &var));
			ck_assert(json_object_object_get_ex(row, "category",
							    &cat));
			if (strcmp(json_object_get_string(var),
				   "is_priority") != 0 ||
			    json_object_get_type(cat) != json_type_string ||
			    strcmp(json_object_get_string(cat), "non") != 0)
				continue;
			ck_assert(json_object_object_get_ex(row, "cells",
							    &cells));
			c0 = json_object_array_get_idx(cells, 0);
			ck_assert(json_object_object_get_ex(c0, "percent",
							    &pct));
			ck_assert_double_eq_tol(json_object_get_double(pct),
						67.53, 0.005);
			found = 1;
		}
	}
	ck_assert(found);
	json_object_put(root);
	free(text);
	rdoc_free(doc);
}
END_TEST

START_TEST(html_escapes_and_stands_alone)
{
	struct rdoc *doc = reportfix_hostile_doc();
	char *html = render(doc, FORMAT_HTML);

	ck_assert_ptr_null(strstr(html, "<script"));
	ck_assert_ptr_null(strstr(html, "<img"));
	ck_assert_ptr_null(strstr(html, "<b>"));
	ck_assert_ptr_nonnull(strstr(html, "&lt;script&gt;alert(&#39;t&#39;)"));
	ck_assert_ptr_nonnull(strstr(html, "R&amp;D &lt;report&gt;"));
	ck_assert_ptr_nonnull(strstr(html, "A &quot;quoted&quot;"));
	/* self-contained: no external resource, a chart inline */
	ck_assert_ptr_null(strstr(html, "<link"));
	ck_assert_ptr_null(strstr(html, "src=\""));
	ck_assert_ptr_null(strstr(html, "url("));
	ck_assert_ptr_null(strstr(html, "<script"));
	ck_assert_ptr_nonnull(strstr(html, "<svg"));
	ck_assert_ptr_nonnull(strstr(html, "<rect"));
	ck_assert_ptr_nonnull(strstr(html, "<style>"));
	free(html);
	rdoc_free(doc);
}
END_TEST

START_TEST(text_csv_markdown_escape)
{
	struct rdoc *doc = reportfix_hostile_doc();
	char *md = render(doc, FORMAT_MARKDOWN), *csv, *text;
	const char *p;
	char f[10][256];

	/* a pipe in a label does not open a column; no raw HTML */
	ck_assert_ptr_nonnull(strstr(md, "A \"quoted\" \\| pipe"));
	ck_assert_ptr_null(strstr(md, "<script"));
	ck_assert_ptr_null(strstr(md, "<b>"));
	free(md);
	csv = render(doc, FORMAT_CSV);
	p = csv;
	csv_record(&p, f, 10);
	while (*p != '\0') {
		ck_assert_int_eq(csv_record(&p, f, 10), 10);
		if (strcmp(f[7], "text") == 0)
			ck_assert_str_eq(f[9], "line\nbreak, \"quote\"");
		if (strcmp(f[3], "c2") == 0 && strcmp(f[5], "b") == 0)
			ck_assert_str_eq(f[9],
					 "suppressed complementary");
	}
	free(csv);
	text = render(doc, FORMAT_TEXT);
	ck_assert_ptr_nonnull(strstr(text, "3 (30.00%) ["));
	free(text);
	rdoc_free(doc);
}
END_TEST

START_TEST(format_names)
{
	ck_assert_int_eq(format_parse("text"), FORMAT_TEXT);
	ck_assert_int_eq(format_parse("csv"), FORMAT_CSV);
	ck_assert_int_eq(format_parse("json"), FORMAT_JSON);
	ck_assert_int_eq(format_parse("markdown"), FORMAT_MARKDOWN);
	ck_assert_int_eq(format_parse("html"), FORMAT_HTML);
	ck_assert_int_eq(format_parse("pdf"), -1);
}
END_TEST

/* --- disclosure control -------------------------------------------------- */

START_TEST(protect_complements)
{
	/* a 2x2 table with margins: the 3 must not come back from them */
	unsigned long m[] = {
		3, 10, 13,
		8, 9, 17,
		11, 19, 30,
	};
	int hide[9] = { 0 };
	size_t i, j;

	ck_assert_uint_ge(disclosure_protect(m, 3, 3, 5, hide), 4);
	ck_assert(hide[0]);
	/* every line: none hidden, or at least two */
	for (i = 0; i < 3; i++) {
		int r = 0, c = 0;

		for (j = 0; j < 3; j++) {
			r += hide[i * 3 + j];
			c += hide[j * 3 + i];
		}
		ck_assert(r != 1 && c != 1);
	}
}
END_TEST

START_TEST(protect_nothing_small)
{
	unsigned long m[] = { 0, 10, 10, 12, 7, 19, 12, 17, 29 };
	int hide[9] = { 0 };

	ck_assert_uint_eq(disclosure_protect(m, 3, 3, 5, hide), 0);
}
END_TEST

/*
 * An attacker's first try at a table with margins, written here rather
 * than taken from lib/report/report_disclosure: repeatedly, a line (an
 * interior row with its margin, a column with its margin, the margin
 * row with the corner) whose unknowns are down to one gives it back;
 * one whose visible cells already make its sum gives back every
 * unknown in it as 0.  (tests/check_disclosure solves the whole system;
 * this is the attack the line rule of old stopped, and the zeros.)
 * Returns how many hidden cells come back.
 */
static size_t
peel(const unsigned long *m, size_t rows, size_t cols, const int *hide)
{
	int known[64];
	long val[64];
	size_t i, k, back = 0;
	int changed = 1;

	ck_assert_uint_le(rows * cols, 64);
	for (i = 0; i < rows * cols; i++) {
		known[i] = !hide[i];
		val[i] = (long)m[i];
	}
	while (changed) {
		changed = 0;
		/* lines: rows (step 1) then columns (step cols) */
		for (k = 0; k < rows + cols; k++) {
			size_t first = k < rows ? k * cols : k - rows;
			size_t step = k < rows ? 1 : cols;
			size_t n = k < rows ? cols : rows;
			size_t last = first + (n - 1) * step, unk = 0, at = 0;
			long sum = 0;

			for (i = 0; i + 1 < n; i++) {
				size_t c = first + i * step;

				if (known[c])
					sum += val[c];
				else {
					unk++;
					at = c;
				}
			}
			if (!known[last] && unk == 0) {
				known[last] = 1;	/* the margin */
				back++;
				changed = 1;
			} else if (known[last] && unk == 1) {
				known[at] = 1;
				back++;
				changed = 1;
			} else if (known[last] && unk > 1 &&
				   sum == val[last]) {
				for (i = 0; i + 1 < n; i++)
					if (!known[first + i * step]) {
						known[first + i * step] = 1;
						back++;
					}
				changed = 1;
			}
		}
	}
	return back;
}

/* A count equal to the threshold is not small: it stays visible. */
START_TEST(protect_keeps_the_threshold)
{
	unsigned long m[] = {
		5, 10, 15,
		12, 9, 21,
		17, 19, 36,
	};
	int hide[9] = { 0 };

	ck_assert_uint_eq(disclosure_protect(m, 3, 3, 5, hide), 0);
	ck_assert(!hide[0]);
	/* and one below it goes, with what gives it back */
	m[0] = 4;
	m[2] = 14;
	m[6] = 16;
	m[8] = 35;
	ck_assert_uint_ge(disclosure_protect(m, 3, 3, 5, hide), 4);
	ck_assert(hide[0]);
	ck_assert_uint_eq(peel(m, 3, 3, hide), 0);
}
END_TEST

/*
 * A 4x4 table with zeros, where each complement makes a new line with
 * a lone hidden cell (the 1 needs the 7 of its column, which needs the
 * 9 of its row, ...: several passes of the line rule): the small
 * counts are hidden, nothing comes back by the lines or by the zeros,
 * and in a table of large counts the margins stay visible.
 */
START_TEST(protect_needs_several_passes)
{
	unsigned long m[] = {
		1, 0, 6, 0, 7,
		0, 3, 0, 8, 11,
		7, 0, 0, 9, 16,
		0, 6, 9, 0, 15,
		8, 9, 15, 17, 49,
	};
	unsigned long big[] = {
		1, 5, 20, 30, 56,
		5, 40, 30, 25, 100,
		20, 30, 5, 45, 100,
		30, 25, 45, 5, 105,
		56, 100, 100, 105, 361,
	};
	int hide[25] = { 0 };
	size_t i;

	disclosure_protect(m, 5, 5, 5, hide);
	ck_assert(hide[0] && hide[6]);
	ck_assert_uint_eq(peel(m, 5, 5, hide), 0);
	for (i = 0; i < 25; i++)
		if (m[i] > 0 && m[i] < 5)
			ck_assert(hide[i]);
	memset(hide, 0, sizeof(hide));
	disclosure_protect(big, 5, 5, 5, hide);
	ck_assert(hide[0]);
	ck_assert_uint_eq(peel(big, 5, 5, hide), 0);
	/* the margins are not needed to hide a 1 among hundreds */
	for (i = 20; i < 25; i++)
		ck_assert(!hide[i]);
}
END_TEST


/*
 * A team's token reads its own structure's rows (Row-Level Security):
 * another region's report or comparison would print zeros, as if no
 * team there had answered.  Refused instead, « hors du périmètre »,
 * for --region, --compare of regions and --compare of waves; its own
 * region's report still counts its own responses, as many as the
 * database holds for its structure.
 */
START_TEST(team_other_region_out_of_scope)
{
	static const char team[] =
		"INSERT INTO msp.access_token (token_sha256, kind,"
		" structure_id)"
		" SELECT sha256(convert_to('team-scope', 'UTF8')), 'team',"
		"        min(r.structure_id)"
		"   FROM msp.response r JOIN msp.study s USING (study_id)"
		"  WHERE s.slug = 'occitanie-2024' AND r.status = 'complete'"
		" ON CONFLICT (token_sha256) DO NOTHING";
	static const char own[] =
		"SELECT count(*) FROM msp.response r"
		"  JOIN msp.study s USING (study_id)"
		"  JOIN msp.access_token t ON t.structure_id = r.structure_id"
		" WHERE s.slug = 'occitanie-2024' AND r.status = 'complete'"
		"   AND NOT r.test"
		"   AND t.token_sha256 = sha256(convert_to('team-scope',"
		" 'UTF8'))";
	struct report_options o;
	struct msp_error err;
	struct rdoc *doc = NULL;
	unsigned long n;

	ck_assert_msg(db_exec(conn, "team", team, 0, NULL, PGRES_COMMAND_OK,
			      NULL, &err) == MSP_OK, "%s", err.message);
	n = strtoul(testdb_value(conn, own), NULL, 10);
	ck_assert_uint_ge(n, 1);
	report_options_init(&o);
	o.token = "team-scope";
	o.compare = "occitanie,pays-de-la-loire";
	ck_assert_int_eq(report_build(conn, &o, &doc, &err), MSP_EACCESS);
	ck_assert_ptr_null(doc);
	ck_assert_msg(strstr(err.message, "région « pays-de-la-loire » "
			     "(étude pdl-2019) hors du périmètre") != NULL,
		      "%s", err.message);
	build_fails(&o, "hors du périmètre de votre jeton d'équipe");
	o.compare = "pays-de-la-loire,occitanie";
	build_fails(&o, "« pays-de-la-loire »");
	o.compare = "pdl-2019,occitanie-2024";	/* waves */
	build_fails(&o, "(étude pdl-2019) hors du périmètre");
	o.compare = NULL;
	o.region = "pays-de-la-loire";
	build_fails(&o, "hors du périmètre");
	/* its own region: its own responses, counted */
	o.region = "occitanie";
	doc = build(&o);
	ck_assert_uint_eq(cell(table(doc, "response"), "responses", NULL,
			       "value")->n, n);
	rdoc_free(doc);
}
END_TEST

/* No count from 1 to threshold - 1 shows, and no line of a table that
 * sums has exactly one hidden cell. */
static void
assert_protected(const struct rtable *t, unsigned threshold)
{
	size_t i, j;

	for (i = 0; i < t->nrows; i++)
		for (j = 0; j < t->ncols; j++) {
			const struct rcell *c = &t->rows[i].cells[j];

			if ((c->kind == RCELL_COUNT || c->kind == RCELL_PROP) &&
			    !c->suppressed)
				ck_assert_msg(c->n == 0 || c->n >= threshold,
					      "%s %s/%s col %zu: %lu shown",
					      t->key, t->rows[i].var_key,
					      t->rows[i].cat_key, j, c->n);
			if (c->kind == RCELL_SUMMARY && !c->suppressed)
				ck_assert(c->hide_range);
		}
	/* each variable's categories, per column: they sum to the
	 * column's count, which is printed (a number's lines do not) */
	for (j = 0; j < t->ncols; j++) {
		const char *var = NULL;
		int hidden = 0, number = 0;

		for (i = 0; i <= t->nrows; i++) {
			const struct rrow *r = i < t->nrows ? &t->rows[i] :
					       NULL;

			if (r == NULL || r->cat_key == NULL ||
			    !same(r->var_key, var)) {
				ck_assert_msg(number || hidden != 1,
					      "%s %s col %zu: one hidden "
					      "cell", t->key, var, j);
				hidden = 0;
				var = r != NULL ? r->var_key : NULL;
				number = r != NULL &&
					 r->cells[j].kind == RCELL_SUMMARY;
				continue;
			}
			hidden += r->cells[j].suppressed;
		}
	}
	/* each row across the groups and their total */
	for (i = 0; i < t->nrows && t->ncols > 2; i++) {
		int hidden = 0;

		if (!same(t->cols[t->ncols - 2].key, "total"))
			break;
		for (j = 0; j + 1 < t->ncols; j++)
			hidden += t->rows[i].cells[j].suppressed;
		ck_assert_msg(hidden != 1, "%s %s/%s: one hidden cell in the "
			      "row", t->key, t->rows[i].var_key,
			      t->rows[i].cat_key);
	}
}

START_TEST(federation_sees_aggregates)
{
	struct report_options o;
	struct rdoc *fed, *analyst;
	const struct rtable *t;
	size_t i;

	testdb_run_token(conn, "pdl-2019", "fed-pdl");
	testdb_make_token(conn, "analyst", "analyst", NULL);
	report_options_init(&o);
	o.region = "pays-de-la-loire";
	o.by = "usagers";
	o.token = "analyst";
	analyst = build(&o);
	/* the analyst sees the small counts */
	t = table(analyst, "by");
	ck_assert_uint_eq(cell(t, "departement", "85", "usagers_plus")->n, 1);
	ck_assert(!cell(t, "departement", "85", "usagers_plus")->suppressed);
	ck_assert(!isnan(test_of(t, "aci_signatory")->test.cramers_v));

	o.token = "fed-pdl";
	o.threshold = 5;
	fed = build(&o);
	t = table(fed, "by");
	ck_assert(cell(t, "departement", "85", "usagers_plus")->suppressed);
	for (i = 0; i < fed->ntables; i++)
		assert_protected(fed->tables[i], 5);
	/* Cramér's V of a 2×2 table gives |ad - bc|: withheld */
	ck_assert(isnan(test_of(t, "aci_signatory")->test.cramers_v));
	/* but what is shown is the truth: the 27 usagers - */
	ck_assert_uint_eq(cell(t, "n", NULL, "usagers_moins")->n, 27);
	ck_assert(!cell(t, "n", NULL, "usagers_moins")->suppressed);
	/* and the header says so, in French for people; the code stays
	 * for programs */
	ck_assert_str_eq(fed->meta[0].key, "identity");
	ck_assert_str_eq(fed->meta[0].value, "fédération");
	ck_assert_str_eq(fed->meta[0].code, "federation");
	{
		char *text = render(fed, FORMAT_TEXT), *js;
		json_object *root, *meta, *v;

		ck_assert_ptr_nonnull(strstr(text, "Identité : fédération\n"));
		free(text);
		text = render(fed, FORMAT_MARKDOWN);
		ck_assert_ptr_nonnull(strstr(text, "fédération"));
		ck_assert_ptr_null(strstr(text, "federation"));
		free(text);
		text = render(fed, FORMAT_HTML);
		ck_assert_ptr_nonnull(strstr(text, "<dd>fédération</dd>"));
		free(text);
		js = render(fed, FORMAT_JSON);
		root = json_tokener_parse(js);
		ck_assert_ptr_nonnull(root);
		ck_assert(json_object_object_get_ex(root, "meta", &meta));
		ck_assert(json_object_object_get_ex(meta, "identity", &v));
		ck_assert_str_eq(json_object_get_string(v), "federation");
		ck_assert(json_object_object_get_ex(meta, "identity_label",
						    &v));
		ck_assert_str_eq(json_object_get_string(v), "fédération");
		json_object_put(root);
		free(js);
	}
	ck_assert_str_eq(analyst->meta[0].value, "analyste");
	rdoc_free(fed);

	/* the region report too, at another threshold */
	o.by = NULL;
	o.threshold = 10;
	fed = build(&o);
	for (i = 0; i < fed->ntables; i++)
		assert_protected(fed->tables[i], 10);
	/* the owner's preview of it (--as-federation) is the same
	 * report, cell for cell: what the suites that test the
	 * suppression read instead of a federation's token */
	{
		struct report_options p = o;
		struct rdoc *preview;
		size_t r, j;

		p.token = NULL;
		p.preview = 1;
		preview = build(&p);
		ck_assert_uint_eq(preview->ntables, fed->ntables);
		for (i = 0; i < fed->ntables; i++) {
			const struct rtable *a = fed->tables[i];
			const struct rtable *b = preview->tables[i];

			ck_assert_str_eq(a->key, b->key);
			ck_assert_uint_eq(a->nrows, b->nrows);
			ck_assert_uint_eq(a->ncols, b->ncols);
			for (r = 0; r < a->nrows; r++)
				for (j = 0; j < a->ncols; j++) {
					const struct rcell *x =
						&a->rows[r].cells[j];
					const struct rcell *y =
						&b->rows[r].cells[j];

					ck_assert_int_eq(x->suppressed,
							 y->suppressed);
					ck_assert_uint_eq(x->n, y->n);
				}
		}
		rdoc_free(preview);
	}
	rdoc_free(fed);

	/* another region: its aggregates, for comparison, under the same
	 * rules (issue 19), never « 0 réponses » as when Row-Level
	 * Security hid its rows; the count is the database's own */
	o.region = "occitanie";
	fed = build(&o);
	ck_assert_uint_eq(cell(table(fed, "response"), "responses", NULL,
			       "value")->n,
			  sql_count("SELECT count(*) FROM msp.response r"
				    " JOIN msp.study s USING (study_id)"
				    " WHERE s.slug = 'occitanie-2024'"
				    "   AND r.status = 'complete'"
				    "   AND NOT r.test"));
	ck_assert_uint_gt(cell(table(fed, "response"), "responses", NULL,
			       "value")->n, 0);
	/* and no count from 1 to 9 shows (assert_protected's other rule,
	 * one hidden cell per line, does not hold for Occitanie's multiple
	 * choices, whose options do not add up) */
	for (i = 0; i < fed->ntables; i++) {
		const struct rtable *tb = fed->tables[i];
		size_t r, j;

		for (r = 0; r < tb->nrows; r++)
			for (j = 0; j < tb->ncols; j++) {
				const struct rcell *c = &tb->rows[r].cells[j];

				if ((c->kind == RCELL_COUNT ||
				     c->kind == RCELL_PROP) && !c->suppressed)
					ck_assert_msg(c->n == 0 || c->n >= 10,
						      "%s %s: %lu shown",
						      tb->key,
						      tb->rows[r].var_key,
						      c->n);
			}
	}
	rdoc_free(fed);
	rdoc_free(analyst);
}
END_TEST

/* --- textfreq ------------------------------------------------------------ */

static const char *
folded(const char *s, int slug)
{
	static char out[256];
	struct buf b = BUF_INIT(BUF_MAX_DOCUMENT);

	if (slug)
		textfreq_slugify(s, &b);
	else
		textfreq_fold(s, &b);
	ck_assert_int_eq(buf_status(&b, NULL), MSP_OK);
	snprintf(out, sizeof(out), "%s", buf_str(&b));
	buf_free(&b);
	return out;
}

static const char *
stem(const char *w)
{
	static char out[64];

	snprintf(out, sizeof(out), "%s", w);
	textfreq_stem(out);
	return out;
}

START_TEST(textfreq_folding_and_stemming)
{
	ck_assert_str_eq(folded("Équipe Œuvre ÇA être", 0),
			 "equipe oeuvre ca etre");
	ck_assert_str_eq(folded("Pays de la Loire", 1), "pays-de-la-loire");
	ck_assert_str_eq(folded("  Provence-Alpes-Côte d'Azur ", 1),
			 "provence-alpes-cote-d-azur");
	ck_assert_str_eq(stem("patients"), "patient");
	ck_assert_str_eq(stem("locaux"), "local");
	ck_assert_str_eq(stem("bureaux"), "bureau");
	ck_assert_str_eq(stem("temps"), "temps");
	ck_assert_str_eq(stem("avis"), "avis");
	ck_assert_str_eq(stem("nombreux"), "nombreux");
	ck_assert_str_eq(stem("virus"), "virus");
	ck_assert_str_eq(stem("les"), "les");
	ck_assert(textfreq_is_stop_word("les"));
	ck_assert(textfreq_is_stop_word("etre"));
	ck_assert(textfreq_is_stop_word("l"));
	ck_assert(!textfreq_is_stop_word("patient"));
}
END_TEST

START_TEST(textfreq_counts)
{
	struct textfreq *tf = textfreq_new();
	const struct textfreq_term *top;
	struct msp_error err;
	size_t n;

	ck_assert_ptr_nonnull(tf);
	/* identical answers arrive grouped, with their count */
	ck_assert_int_eq(textfreq_add(tf, "Les patients et leurs PATIENTS",
				      3, &err), MSP_OK);
	ck_assert_int_eq(textfreq_add(tf, "Le patient, l'équipe", 1, &err),
			 MSP_OK);
	ck_assert_int_eq(textfreq_add(tf, "l'Équipe de co-construction", 2,
				      &err), MSP_OK);
	ck_assert_uint_eq(textfreq_answers(tf), 6);
	n = textfreq_top(tf, 10, &top);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(top[0].stem, "patient");
	ck_assert_str_eq(top[0].term, "patients");
	ck_assert_uint_eq(top[0].occurrences, 7);
	ck_assert_uint_eq(top[0].answers, 4);
	ck_assert_str_eq(top[1].stem, "equipe");
	ck_assert_str_eq(top[1].term, "équipe");
	ck_assert_uint_eq(top[1].answers, 3);
	ck_assert_str_eq(top[2].term, "co-construction");
	ck_assert_int_eq(textfreq_add(tf, "bad \xC3\x28 utf8", 1, &err),
			 MSP_EINVAL);
	textfreq_free(tf);
	textfreq_free(NULL);
}
END_TEST

/* --- the command line ---------------------------------------------------- */

/* Runs msp-report with args (shell-quoted by the caller) and the
 * environment assignments env against the shared database; returns its
 * exit status, its output (and errors) in out. */
static int
run_cli_env(const char *env, const char *args, struct buf *out)
{
	return testdb_cli(conn, NULL, env, args, out);
}

static int
run_cli(const char *args, struct buf *out)
{
	return run_cli_env("", args, out);
}

/* A JSON number, or R's Inf written as the string "Inf". */
static double
json_num(json_object *o, const char *key)
{
	json_object *v;

	ck_assert_msg(json_object_object_get_ex(o, key, &v), "no %s", key);
	if (json_object_is_type(v, json_type_string)) {
		ck_assert_str_eq(json_object_get_string(v), "Inf");
		return INFINITY;
	}
	return json_object_get_double(v);
}

/*
 * msp-report test on 2×2 tables: odds_ratio, conf_int, alternative,
 * the one-sided p_value and cramers_v in JSON, equal to R's
 * fisher.test() and chisq.test() run live; a zero cell gives R's Inf.
 */
START_TEST(cli_test_odds_ratio)
{
	static const char *const tables[] = {
		"12 5; 3 9", "10 0; 3 5", "0 4; 6 2", "25 12; 18 28",
	};
	static const char *const rtables[] = {	/* the same, for R */
		"12, 5, 3, 9", "10, 0, 3, 5", "0, 4, 6, 2", "25, 12, 18, 28",
	};
	static const char *const alts[] = { "two.sided", "less", "greater" };
	double got[12][5], want[60];
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	char *script = NULL, args[160];
	size_t len = 0, i, a, k;
	json_object *root, *ci, *v;

	testdb_script_add(&script, &len, "f <- function(x, alt) {\n"
			  "r <- fisher.test(x, alternative = alt)\n"
			  "s <- chisq.test(x, correct = FALSE)\n"
			  "v <- sqrt(s$statistic / sum(x))\n"
			  "cat(sprintf('%%.17g', c(r$p.value, r$estimate, "
			  "r$conf.int, v)), sep = '\\n')\n}\n"
			  "options(warn = -1)\n");
	for (i = 0; i < 4; i++) {
		for (a = 0; a < 3; a++) {
			snprintf(args, sizeof(args), "test --fisher "
				 "--table '%s' --alternative %s --format json",
				 tables[i],
				 alts[a]);
			buf_reset(&out);
			ck_assert_int_eq(run_cli(args, &out), 0);
			root = json_tokener_parse(buf_str(&out));
			ck_assert_msg(root != NULL, "%s", buf_str(&out));
			ck_assert(json_object_object_get_ex(root,
				  "alternative", &v));
			ck_assert_str_eq(json_object_get_string(v), alts[a]);
			got[i * 3 + a][0] = json_num(root, "p_value");
			got[i * 3 + a][1] = json_num(root, "odds_ratio");
			ck_assert(json_object_object_get_ex(root, "conf_int",
							    &ci));
			ck_assert_uint_eq(json_object_array_length(ci), 2);
			for (k = 0; k < 2; k++) {
				v = json_object_array_get_idx(ci, k);
				got[i * 3 + a][2 + k] =
					json_object_is_type(v,
					json_type_string) ? INFINITY :
					json_object_get_double(v);
			}
			got[i * 3 + a][4] = json_num(root, "cramers_v");
			json_object_put(root);
			testdb_script_add(&script, &len, "f(matrix(c(%s), 2, "
					  "byrow = TRUE), '%s')\n", rtables[i],
					  alts[a]);
		}
	}
	testdb_r_values(script, want, 60);
	for (i = 0; i < 12; i++) {
		for (k = 0; k < 5; k++) {
			double w = want[i * 5 + k], g = got[i][k];
			double rel = k == 0 || k == 4 ? 1e-9 : 1e-6;

			ck_assert_msg(isinf(w) || w == 0 ? g == w :
				      fabs(g - w) <= rel * fabs(w),
				      "%s, %s, value %zu: %.17g, R says "
				      "%.17g", tables[i / 3], alts[i % 3], k,
				      g, w);
		}
	}
	/* one-sided tests are Fisher's, on 2×2 tables only */
	buf_reset(&out);
	ck_assert_int_eq(run_cli("test --table '12 5; 3 9' --chisq "
				 "--alternative less", &out), 2);
	buf_reset(&out);
	ck_assert_int_eq(run_cli("test --table '1 2; 3 4; 5 6' "
				 "--alternative less", &out), 2);
	buf_reset(&out);
	ck_assert_int_eq(run_cli("test --table '1 2; 3 4' "
				 "--alternative both", &out), 2);
	buf_free(&out);
	free(script);
}
END_TEST

/*
 * msp-report test --simulate: a Monte Carlo p-value named as one, with
 * its standard error, replicates and seed in JSON, within 5 standard
 * errors of R's exact fisher.test() p-value, the same for the same
 * seed; the options' refusals.
 */
START_TEST(cli_test_simulate)
{
	const char *args = "test --table '2 3; 2 3; 5 9; 1 6; 0 6' "
			   "--simulate 20000 --seed 3 --format json";
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	json_object *root, *v;
	double p, se, want;
	char *script = NULL, *first;
	size_t len = 0;

	ck_assert_int_eq(run_cli(args, &out), 0);
	first = strdup(buf_str(&out));
	ck_assert(first != NULL);
	root = json_tokener_parse(first);
	ck_assert_msg(root != NULL, "%s", first);
	ck_assert(json_object_object_get_ex(root, "simulated", &v));
	ck_assert(json_object_get_boolean(v));
	ck_assert(json_object_object_get_ex(root, "replicates", &v));
	ck_assert_int_eq(json_object_get_int64(v), 20000);
	ck_assert(json_object_object_get_ex(root, "seed", &v));
	ck_assert_int_eq(json_object_get_int64(v), 3);
	ck_assert(json_object_object_get_ex(root, "title", &v));
	ck_assert_msg(strstr(json_object_get_string(v), "Monte Carlo") !=
		      NULL, "%s", json_object_get_string(v));
	p = json_num(root, "p_value");
	se = json_num(root, "std_error");
	json_object_put(root);
	testdb_script_add(&script, &len, "cat(sprintf('%%.17g', fisher.test("
			  "matrix(c(2, 3, 2, 3, 5, 9, 1, 6, 0, 6), 5, "
			  "byrow = TRUE))$p.value), sep = '\\n')\n");
	testdb_r_values(script, &want, 1);
	ck_assert_msg(se > 0 && fabs(p - want) <= 5 * se + 1.0 / 20001,
		      "simulated p = %.6g (se %.3g), R says %.6g", p, se,
		      want);
	/* the same seed, the same output */
	buf_reset(&out);
	ck_assert_int_eq(run_cli(args, &out), 0);
	ck_assert_str_eq(buf_str(&out), first);
	/* refusals */
	buf_reset(&out);
	ck_assert_int_eq(run_cli("test --table '1 2; 3 4' --simulate 0",
				 &out), 2);
	buf_reset(&out);
	ck_assert_int_eq(run_cli("test --table '1 2; 3 4' --simulate -5",
				 &out), 2);
	buf_reset(&out);
	ck_assert_int_eq(run_cli("test --table '1 2; 3 4' --seed 4", &out),
			 2);
	buf_reset(&out);
	ck_assert_int_eq(run_cli("test --table '1 2; 3 4' --chisq "
				 "--simulate 100", &out), 2);
	buf_reset(&out);
	ck_assert_int_eq(run_cli("test --table '1 2; 3 4' --simulate 100 "
				 "--alternative less", &out), 2);
	free(first);
	free(script);
	buf_free(&out);
}
END_TEST

/* --- msp-report test in csv, markdown and html --------------------------- */

/* The value of statistic stat in the tidy CSV of a test; its note in
 * *note (borrowed from csv) when note is not NULL.  NAN if absent. */
static double
csv_stat_value(const struct csv *csv, const char *stat, const char **note)
{
	size_t i;

	ck_assert_uint_eq(csv->rows[0].n, 10);
	ck_assert_str_eq(csv->rows[0].fields[7], "statistic");
	for (i = 1; i < csv->n_rows; i++) {
		char **f = csv->rows[i].fields;

		if (strcmp(f[7], stat) != 0)
			continue;
		if (note != NULL)
			*note = f[9];
		return strtod(f[8], NULL);	/* reads R's "Inf" too */
	}
	return NAN;
}

/* The figures of a test cell as text, markdown and html show it: p,
 * V, and the odds ratio with its bounds (NAN when absent).  s starts
 * at the p-value. */
static void
cell_figures(const char *s, double *fig)
{
	const char *q;
	char *end;
	int k;

	for (k = 0; k < 5; k++)
		fig[k] = NAN;
	/* "<0.001": -1, which the caller checks as such */
	fig[0] = strncmp(s, "&lt;0.001", 9) == 0 || s[0] == '<' ? -1 :
		 strtod(s, NULL);
	if ((q = strstr(s, ", V = ")) != NULL)
		fig[1] = strtod(q + 6, NULL);
	if ((q = strstr(s, ", OR = ")) == NULL)
		return;
	fig[2] = strtod(q + 7, &end);
	q = strchr(end, '[');
	ck_assert(q != NULL);
	fig[3] = strtod(q + 1, &end);
	ck_assert_msg(strncmp(end, "–", strlen("–")) == 0, "%s", s);
	fig[4] = strtod(end + strlen("–"), NULL);
}

/* got equals R's want to tol (an absolute bound for rounded figures,
 * relative when rel); Inf and NaN must match exactly. */
static void
near(const char *what, double got, double want, double tol, int rel)
{
	if (isnan(want) || isinf(want) || want == 0) {
		ck_assert_msg(isnan(want) ? isnan(got) : got == want ||
			      (want == 0 && fabs(got) <= tol && !rel),
			      "%s: %.17g, R says %.17g", what, got, want);
		return;
	}
	ck_assert_msg(fabs(got - want) <= (rel ? tol * fabs(want) : tol),
		      "%s: %.17g, R says %.17g", what, got, want);
}

/*
 * msp-report test --format csv|markdown|html: the reports' renderings
 * of one test cell, the method named in each; the figures (p, X², df,
 * Cramér's V, the 2×2 odds ratio and its exact interval for each
 * alternative) equal to R's chisq.test() and fisher.test() run live:
 * to 1e-9 (1e-6 for the odds ratio) in CSV, to their printed rounding
 * in markdown and html.  A Monte Carlo p-value carries its standard
 * error, replicates and seed in every format, equal to the JSON's.
 */
START_TEST(cli_test_formats)
{
	static const struct {
		const char *args, *rtable, *alt;
		int chisq;
	} cases[] = {
		{ "--fisher --table '12 5; 3 9'", "12,5,3,9", "two.sided", 0 },
		{ "--table '12 5; 3 9' --alternative less", "12,5,3,9",
		  "less", 0 },
		{ "--table '12 5; 3 9' --alternative greater", "12,5,3,9",
		  "greater", 0 },
		{ "--table '10 0; 3 5'", "10,0,3,5", "two.sided", 0 },
		{ "--table '25 12; 18 28'", "25,12,18,28", "two.sided", 1 },
		{ "--table '2 3; 2 3; 5 9; 1 6; 0 6'",
		  "2,3,2,3,5,9,1,6,0,6", NULL, 0 },
		{ "--table '30 12 9; 14 25 20'", "30,12,9,14,25,20", NULL, 1 },
	};
	static const char *const formats[] = { "csv", "markdown", "html" };
	enum { NCASES = sizeof(cases) / sizeof(cases[0]), NV = 7 };
	double want[NCASES * NV], fig[5];
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	struct msp_error err;
	char *script = NULL, args[200];
	size_t len = 0, i, f;

	/* p, X² (or NaN), df (or NaN), V, odds ratio, low, high */
	testdb_script_add(&script, &len, "options(warn = -1)\n"
		"f <- function(v, nr, alt, chisq) {\n"
		"x <- matrix(v, nr, byrow = TRUE)\n"
		"s <- chisq.test(x, correct = FALSE)\n"
		"V <- sqrt(s$statistic / (sum(x) * (min(dim(x)) - 1)))\n"
		"r <- if (is.na(alt)) fisher.test(x) else "
		"fisher.test(x, alternative = alt)\n"
		"o <- if (is.na(alt)) c(NaN, NaN, NaN) else "
		"c(r$estimate, r$conf.int)\n"
		"out <- if (chisq) c(s$p.value, s$statistic, s$parameter) "
		"else c(r$p.value, NaN, NaN)\n"
		"cat(sprintf('%%.17g', c(out, V, o)), sep = '\\n')\n}\n");
	for (i = 0; i < NCASES; i++) {
		/* rows: 5 for the 5 x 2 table, else 2 */
		testdb_script_add(&script, &len, "f(c(%s), %d, %s%s%s, "
				  "%s)\n", cases[i].rtable,
				  strchr(cases[i].args, ';') !=
				  strrchr(cases[i].args, ';') ? 5 : 2,
				  cases[i].alt ? "'" : "",
				  cases[i].alt ? cases[i].alt : "NA",
				  cases[i].alt ? "'" : "",
				  cases[i].chisq ? "TRUE" : "FALSE");
	}
	testdb_r_values(script, want, NCASES * NV);
	for (i = 0; i < NCASES; i++) {
		const double *w = &want[i * NV];

		for (f = 0; f < 3; f++) {
			const char *note = NULL, *cell;
			struct csv *csv = NULL;
			char what[240];

			snprintf(args, sizeof(args), "test %s --format %s",
				 cases[i].args, formats[f]);
			snprintf(what, sizeof(what), "%s", args);
			buf_reset(&out);
			ck_assert_int_eq(run_cli(args, &out), 0);
			if (f == 0) {
				ck_assert_msg(csv_parse(buf_str(&out), out.len,
					',', &csv, &err) == MSP_OK, "%s: %s",
					args, err.message);
				near(what, csv_stat_value(csv, "p", &note),
				     w[0], 1e-9, 1);
				ck_assert_msg(strstr(note, cases[i].chisq ?
					"chisq" : "fisher") != NULL,
					"%s", note);
				if (cases[i].alt != NULL &&
				    strcmp(cases[i].alt, "two.sided") != 0)
					ck_assert(strstr(note, cases[i].alt));
				near(what, csv_stat_value(csv, "statistic",
				     NULL), w[1], 1e-9, 1);
				near(what, csv_stat_value(csv, "df", NULL),
				     w[2], 0, 1);
				near(what, csv_stat_value(csv, "cramers_v",
				     NULL), w[3], 1e-9, 1);
				near(what, csv_stat_value(csv, "odds_ratio",
				     &note), w[4], 1e-6, 1);
				near(what, csv_stat_value(csv, "or_ci95_low",
				     NULL), w[5], 1e-6, 1);
				near(what, csv_stat_value(csv, "or_ci95_high",
				     NULL), w[6], 1e-6, 1);
				csv_free(csv);
				continue;
			}
			/* the method named in the header, the cell's
			 * figures rounded as printed */
			ck_assert_msg(strstr(buf_str(&out), cases[i].chisq ?
				"chi-squared" : "Fisher") != NULL, "%s",
				buf_str(&out));
			if (cases[i].chisq) {
				const char *x = strstr(buf_str(&out),
						       "X-squared = ");

				ck_assert_msg(x != NULL, "%s", buf_str(&out));
				near(what, strtod(x + 12, NULL), w[1], 1e-9,
				     1);
				ck_assert_msg(strstr(x, ", df = ") != NULL &&
					      strtod(strstr(x, ", df = ") + 7,
					      NULL) == w[2], "%s", x);
			}
			cell = f == 1 ? strstr(buf_str(&out), "** | ") :
				strstr(buf_str(&out), "<td class=\"v\">");
			ck_assert_msg(cell != NULL, "%s", buf_str(&out));
			cell += f == 1 ? strlen("** | ") :
				strlen("<td class=\"v\">");
			ck_assert_msg(strstr(cell, cases[i].chisq ? "χ²" :
				"Fisher") != NULL, "%s", cell);
			cell_figures(cell, fig);
			if (fig[0] == -1)
				ck_assert_msg(w[0] < 0.001, "%s: <0.001, R "
					      "says %g", what, w[0]);
			else
				near(what, fig[0], w[0], 0.0005 + 1e-12, 0);
			near(what, fig[1], w[3], 0.005 + 1e-12, 0);
			near(what, fig[2], w[4], 0.005 + 1e-12, 0);
			near(what, fig[3], w[5], 0.005 + 1e-12, 0);
			near(what, fig[4], w[6], 0.005 + 1e-12, 0);
		}
	}
	free(script);

	/* Monte Carlo: every format carries what the JSON says */
	{
		const char *sim = "test --table '2 3; 2 3; 5 9; 1 6; 0 6' "
				  "--simulate 3000 --seed 7 --format ";
		json_object *root;
		struct csv *csv = NULL;
		const char *note = NULL;
		double p, se;
		char *md;

		snprintf(args, sizeof(args), "%sjson", sim);
		buf_reset(&out);
		ck_assert_int_eq(run_cli(args, &out), 0);
		root = json_tokener_parse(buf_str(&out));
		ck_assert(root != NULL);
		p = json_num(root, "p_value");
		se = json_num(root, "std_error");
		json_object_put(root);
		snprintf(args, sizeof(args), "%scsv", sim);
		buf_reset(&out);
		ck_assert_int_eq(run_cli(args, &out), 0);
		ck_assert(csv_parse(buf_str(&out), out.len, ',', &csv, &err)
			  == MSP_OK);
		near("csv p", csv_stat_value(csv, "p", &note), p, 1e-9, 1);
		ck_assert_str_eq(note, "fisher, Monte Carlo");
		near("csv se", csv_stat_value(csv, "p_std_error", NULL), se,
		     1e-9, 1);
		near("csv B", csv_stat_value(csv, "replicates", NULL), 3000,
		     0, 1);
		near("csv seed", csv_stat_value(csv, "seed", NULL), 7, 0, 1);
		csv_free(csv);
		for (f = 1; f < 3; f++) {
			snprintf(args, sizeof(args), "%s%s", sim, formats[f]);
			buf_reset(&out);
			ck_assert_int_eq(run_cli(args, &out), 0);
			ck_assert(strstr(buf_str(&out), "Monte Carlo p-value"));
			md = strstr(buf_str(&out), "Fisher Monte Carlo (ET ");
			ck_assert_msg(md != NULL, "%s", buf_str(&out));
			near("se", strtod(md + 23, NULL), se, 0.051, 1);
			ck_assert(strstr(md, ", 3000 tables, graine 7)"));
		}
	}
	buf_free(&out);
}
END_TEST

/*
 * The 2×2 table of variable var in a "by usagers" table: its category
 * rows that the test ran on (percentages, some answers) by the two
 * groups, row-major, into m; the number of such rows.
 */
static size_t
tested_rows(const struct rtable *t, const char *var, unsigned long *m,
	    size_t max)
{
	size_t i, nr = 0, a = col(t, "usagers_plus");
	size_t b = col(t, "usagers_moins");

	for (i = 0; i < t->nrows; i++) {
		const struct rrow *r = &t->rows[i];

		if (strcmp(r->var_key, var) != 0 || r->cat_key == NULL ||
		    r->cells[a].kind != RCELL_PROP ||
		    r->cells[a].n + r->cells[b].n == 0)
			continue;
		if (nr < max) {
			m[2 * nr] = r->cells[a].n;
			m[2 * nr + 1] = r->cells[b].n;
		}
		nr++;
	}
	return nr;
}

/*
 * Report tests on 2×2 tables carry fisher.test()'s conditional MLE odds
 * ratio and exact interval (R run live, 1e-6), in every format; larger
 * tables none; a federation's report withholds it wherever a cell of
 * the variable is suppressed, and shows the odds ratio of a 2×2 table
 * with nothing hidden.
 */
START_TEST(report_odds_ratio)
{
	struct rdoc *doc = build_region("pays-de-la-loire", "usagers");
	const struct rtable *t = table(doc, "by");
	const char *vars[16];
	unsigned long m[8];
	double want[48];
	char *script = NULL, *text;
	size_t len = 0, i, j, n2 = 0, nhid = 0, nshown = 0;
	struct report_options o;
	struct rdoc *fed;
	const struct rtable *ft;

	for (i = 0; i < t->nrows; i++) {
		const struct rrow *r = &t->rows[i];
		const struct rcell *c = &r->cells[col(t, "p")];
		size_t nr;

		if (r->cat_key != NULL || c->kind != RCELL_TEST ||
		    c->text != NULL)
			continue;
		nr = tested_rows(t, r->var_key, m, 4);
		ck_assert_msg(c->has_or == (nr == 2), "%s: %zu rows, has_or "
			      "%d", r->var_key, nr, c->has_or);
		if (nr != 2)
			continue;
		ck_assert_int_eq(c->alt, STATS_TWO_SIDED);
		ck_assert_uint_lt(n2, 16);
		vars[n2++] = r->var_key;
		testdb_script_add(&script, &len, "r <- fisher.test(matrix("
			"c(%lu, %lu, %lu, %lu), 2, byrow = TRUE))\n"
			"cat(sprintf('%%.17g', c(r$estimate, r$conf.int)), "
			"sep = '\\n')\n", m[0], m[1], m[2], m[3]);
	}
	/* Tableau 2: ACI, sites, CLS without NSP, APMSL, ... */
	ck_assert_uint_ge(n2, 3);
	testdb_r_values(script, want, 3 * n2);
	for (i = 0; i < n2; i++) {
		const struct rcell *c = test_of(t, vars[i]);
		const double g[3] = { c->odds.estimate, c->odds.lo,
				      c->odds.hi };

		for (j = 0; j < 3; j++)
			near(vars[i], g[j], want[3 * i + j], 1e-6, 1);
	}
	/* every format carries it */
	text = render(doc, FORMAT_TEXT);
	ck_assert_ptr_nonnull(strstr(text, ", OR = "));
	free(text);
	text = render(doc, FORMAT_MARKDOWN);
	ck_assert_ptr_nonnull(strstr(text, ", OR = "));
	free(text);
	text = render(doc, FORMAT_HTML);
	ck_assert_ptr_nonnull(strstr(text, ", OR = "));
	free(text);
	text = render(doc, FORMAT_CSV);
	ck_assert_ptr_nonnull(strstr(text, ",odds_ratio,"));
	ck_assert_ptr_nonnull(strstr(text, ",or_ci95_high,"));
	free(text);
	text = render(doc, FORMAT_JSON);
	ck_assert_ptr_nonnull(strstr(text, "\"odds_ratio\""));
	ck_assert_ptr_nonnull(strstr(text, "\"conf_int\""));
	ck_assert_ptr_nonnull(strstr(text, "\"two.sided\""));
	free(text);

	/* a federation: withheld where a cell of the variable is hidden */
	testdb_run_token(conn, "pdl-2019", "fed-pdl");
	report_options_init(&o);
	o.region = "pays-de-la-loire";
	o.by = "usagers";
	o.token = "fed-pdl";
	o.threshold = 5;
	fed = build(&o);
	ft = table(fed, "by");
	for (i = 0; i < n2; i++) {
		const struct rcell *c = test_of(ft, vars[i]);
		int hidden = 0;

		for (j = 0; j < ft->nrows; j++) {
			const struct rrow *r = &ft->rows[j];
			size_t k;

			if (strcmp(r->var_key, vars[i]) != 0)
				continue;
			for (k = 0; k < ft->ncols; k++)
				hidden |= r->cells[k].suppressed;
		}
		ck_assert_msg(c->has_or == !hidden, "%s: hidden %d, odds "
			      "ratio %d", vars[i], hidden, c->has_or);
		nhid += hidden;
		nshown += !hidden;
	}
	/* both cases occur in PdL 2019 at threshold 5 */
	ck_assert_uint_ge(nhid, 1);
	text = render(fed, FORMAT_JSON);
	if (nshown == 0)
		ck_assert_ptr_null(strstr(text, "\"odds_ratio\""));
	free(text);
	rdoc_free(fed);
	rdoc_free(doc);
	free(script);
}
END_TEST

START_TEST(cli_help_and_report)
{
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);

	ck_assert_int_eq(run_cli("--help", &out), 0);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "--region NAME"));
	buf_reset(&out);
	ck_assert_int_eq(run_cli("--region x --help", &out), 0);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "--by VARIABLE"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out),
				     "msp-report disclosure threshold"));
	buf_reset(&out);
	/* the issue's command: no command word */
	ck_assert_int_eq(run_cli("--region pays-de-la-loire --by usagers",
				 &out), 0);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "0.383 Fisher"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "0.760 Fisher"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "23.5 (10–65)"));
	buf_reset(&out);
	ck_assert_int_eq(run_cli("report --region occitanie --format csv",
				 &out), 0);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "table,variable,"));
	buf_reset(&out);
	/* usage errors in French, like the other commands */
	ck_assert_int_eq(run_cli("--region occitanie --top 0", &out), 2);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "msp-report report: "
				     "--top invalide (un nombre de 1 à "
				     "1000) '0'"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "Voir « msp-report "
				     "report --help »."));
	ck_assert_ptr_null(strstr(buf_str(&out), "Try "));
	buf_reset(&out);
	ck_assert_int_eq(run_cli("--region occitanie --format pdf", &out), 2);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "format inconnu (text, "
				     "csv, json, markdown ou html) 'pdf'"));
	buf_reset(&out);
	ck_assert_int_eq(run_cli("--region occitanie --bogus", &out), 2);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "option inconnue ou "
				     "sans valeur '--bogus'"));
	/* getopt's English message is silenced */
	ck_assert_ptr_null(strstr(buf_str(&out), "unrecognized"));
	buf_reset(&out);
	ck_assert_int_eq(run_cli("--by usagers", &out), 2);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "--region NOM est "
				     "obligatoire"));
	ck_assert_ptr_null(strstr(buf_str(&out), "required"));
	buf_reset(&out);
	ck_assert_int_eq(run_cli("--region occitanie --nsp maybe", &out), 2);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "--nsp invalide (keep "
				     "ou exclude) 'maybe'"));
	buf_reset(&out);
	/* the hint's command exists and prints the report's help */
	ck_assert_int_eq(run_cli("report --help", &out), 0);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "--by VARIABLE"));
	buf_reset(&out);
	ck_assert_int_eq(run_cli("--region nowhere", &out), 1);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "no region 'nowhere'"));
	buf_reset(&out);
	/* the threshold is the database's: the old variable is refused */
	ck_assert_int_eq(run_cli_env("MSP_DISCLOSURE_THRESHOLD=x",
				     "--region occitanie", &out), 1);
	ck_assert_ptr_nonnull(strstr(buf_str(&out),
				     "MSP_DISCLOSURE_THRESHOLD"));
	/* and a token is the only way to be someone else */
	buf_reset(&out);
	ck_assert_int_eq(run_cli_env("MSP_TOKEN=forged",
				     "--region occitanie", &out), 1);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "token"));
	buf_free(&out);
}
END_TEST

/* The threshold is the database's (migration 0038): read from
 * msp.disclosure_policy, set by its owner only, and the variable that
 * set it before is refused, never ignored. */
START_TEST(threshold_from_database)
{
	struct msp_error err;
	unsigned th = 0;
	PGresult *res = NULL;

	unsetenv("MSP_DISCLOSURE_THRESHOLD");
	ck_assert_int_eq(disclosure_policy_threshold(conn, &th, &err),
			 MSP_OK);
	ck_assert_uint_eq(th, DISCLOSURE_DEFAULT_THRESHOLD);
	/* what the function reads is the row, not a constant */
	ck_assert_int_eq(db_exec(conn, "begin", "BEGIN", 0, NULL,
				 PGRES_COMMAND_OK, NULL, &err), MSP_OK);
	ck_assert_int_eq(disclosure_policy_set(conn, 11, &err), MSP_OK);
	ck_assert_int_eq(db_exec(conn, "read", "SELECT threshold FROM "
				 "msp.disclosure_policy", 0, NULL,
				 PGRES_TUPLES_OK, &res, &err), MSP_OK);
	ck_assert_str_eq(db_text(res, 0, "threshold"), "11");
	PQclear(res);
	ck_assert_int_eq(disclosure_policy_threshold(conn, &th, &err),
			 MSP_OK);
	ck_assert_uint_eq(th, 11);
	ck_assert_int_eq(disclosure_policy_set(conn, 0, &err), MSP_EINVAL);
	ck_assert_int_eq(disclosure_policy_set(conn, 1001, &err),
			 MSP_EINVAL);
	ck_assert_int_eq(db_exec(conn, "rollback", "ROLLBACK", 0, NULL,
				 PGRES_COMMAND_OK, NULL, &err), MSP_OK);
	/* the table's CHECK holds whoever writes */
	ck_assert_int_eq(db_exec(conn, "too big", "UPDATE "
				 "msp.disclosure_policy SET threshold = 1001",
				 0, NULL, PGRES_COMMAND_OK, NULL, &err),
			 MSP_EDB);
	/* and a second row cannot be */
	ck_assert_int_eq(db_exec(conn, "second", "INSERT INTO "
				 "msp.disclosure_policy (id) VALUES (false)",
				 0, NULL, PGRES_COMMAND_OK, NULL, &err),
			 MSP_EDB);
	/* the old variable, set to anything, is an error that says where
	 * the threshold is now */
	setenv("MSP_DISCLOSURE_THRESHOLD", "11", 1);
	ck_assert_int_eq(disclosure_policy_threshold(conn, &th, &err),
			 MSP_ECONFIG);
	ck_assert_ptr_nonnull(strstr(err.message, "msp.disclosure_policy"));
	setenv("MSP_DISCLOSURE_THRESHOLD", "", 1);
	ck_assert_int_eq(disclosure_policy_threshold(conn, &th, &err),
			 MSP_ECONFIG);
	unsetenv("MSP_DISCLOSURE_THRESHOLD");
}
END_TEST

/* msp-report disclosure threshold: reads, the owner sets, a token is
 * refused; a federation's report applies what the table holds. */
START_TEST(cli_disclosure_threshold)
{
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	struct msp_error err;
	PGresult *res = NULL;

	testdb_run_token(conn, "pdl-2019", "fed-pdl");
	testdb_make_token(conn, "analyst", "analyst", NULL);
	ck_assert_int_eq(run_cli("disclosure --help", &out), 0);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "threshold [N]"));
	buf_reset(&out);
	ck_assert_int_eq(run_cli("disclosure threshold", &out), 0);
	ck_assert_str_eq(buf_str(&out), "5\n");
	buf_reset(&out);
	ck_assert_int_eq(run_cli("disclosure threshold 0", &out), 2);
	buf_reset(&out);
	ck_assert_int_eq(run_cli("disclosure threshold 5x", &out), 2);
	buf_reset(&out);
	ck_assert_int_eq(run_cli("disclosure nothing", &out), 2);
	buf_reset(&out);
	/* a federation reads it, but sets nothing, nor does an analyst */
	ck_assert_int_eq(run_cli_env("MSP_TOKEN=fed-pdl",
				     "disclosure threshold", &out), 0);
	ck_assert_str_eq(buf_str(&out), "5\n");
	buf_reset(&out);
	ck_assert_int_eq(run_cli_env("MSP_TOKEN=fed-pdl",
				     "disclosure threshold 1", &out), 1);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "refusé"));
	buf_reset(&out);
	ck_assert_int_eq(run_cli_env("MSP_TOKEN=analyst",
				     "disclosure threshold 1", &out), 1);
	buf_reset(&out);
	ck_assert_int_eq(run_cli("disclosure threshold", &out), 0);
	ck_assert_str_eq(buf_str(&out), "5\n");
	buf_reset(&out);

	/* the owner sets 10: the row says 10, and the federation's report
	 * hides 1 to 9 (its header says so; the owner's preview of it:
	 * the study is open, so not published to the federation) */
	ck_assert_int_eq(run_cli("disclosure threshold 10", &out), 0);
	buf_reset(&out);
	ck_assert_int_eq(db_exec(conn, "read", "SELECT threshold FROM "
				 "msp.disclosure_policy", 0, NULL,
				 PGRES_TUPLES_OK, &res, &err), MSP_OK);
	ck_assert_str_eq(db_text(res, 0, "threshold"), "10");
	PQclear(res);
	ck_assert_int_eq(run_cli("--region pays-de-la-loire "
				 "--as-federation", &out), 0);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "effectifs de 1 à 9 "
				     "masqués"));
	buf_reset(&out);
	ck_assert_int_eq(run_cli("disclosure threshold 5", &out), 0);
	buf_reset(&out);
	ck_assert_int_eq(run_cli("--region pays-de-la-loire "
				 "--as-federation", &out), 0);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "effectifs de 1 à 4 "
				     "masqués"));
	buf_reset(&out);
	/* the variable that set it before is refused by every reader */
	ck_assert_int_eq(run_cli_env("MSP_DISCLOSURE_THRESHOLD=5",
				     "--region occitanie", &out), 1);
	ck_assert_ptr_nonnull(strstr(buf_str(&out),
				     "msp.disclosure_policy"));
	buf_reset(&out);
	ck_assert_int_eq(run_cli_env("MSP_DISCLOSURE_THRESHOLD=5",
				     "disclosure threshold", &out), 1);
	buf_free(&out);
}
END_TEST

/* --- running totals (migration 0014) ------------------------------------ */

/* A database of its own: these cases write. */
static struct testdb totals_db;

static void
load_totals(void)
{
	struct synth_options opt = {
		.region = "pays-de-la-loire", .seed = 5, .responses = 300,
		.year = 2024, .study_slug = "totals",
	};
	struct synth_result res;
	struct msp_error err;

	testdb_open(&totals_db);
	testdb_load(&totals_db, NULL);
	testdb_load_reference(&totals_db);
	ck_assert_msg(synth_generate(totals_db.conn, &opt, &res, &err) ==
		      MSP_OK, "%s", err.message);
}

static void
drop_totals(void)
{
	testdb_close(&totals_db);
}

static void
connect_totals(void)
{
	conn = testdb_connect(&totals_db);
}

static void
exec_ok(const char *sql)
{
	struct msp_error err;

	ck_assert_msg(db_exec(conn, "test", sql, 0, NULL, PGRES_COMMAND_OK,
			      NULL, &err) == MSP_OK, "%s: %s", sql,
		      err.message);
}

/* The running totals of study "totals", summed: how many values and
 * words, and a digest of them all. */
static char *
totals_text(void)
{
	return strdup(testdb_value(conn,
		"SELECT count(*) || ' ' || md5(coalesce(string_agg(x, ';'"
		"       ORDER BY x), '')) FROM ("
		" SELECT concat_ws('|', item_key, kind, choice_code,"
		"        bool_value, num_value::text, sum(n)) AS x"
		"   FROM msp.answer_tally JOIN msp.study USING (study_id)"
		"  WHERE slug = 'totals' GROUP BY item_key, kind, choice_code,"
		"        bool_value, num_value HAVING sum(n) <> 0"
		" UNION ALL"
		" SELECT concat_ws('|', item_key, word, sum(occurrences),"
		"        sum(answers))"
		"   FROM msp.word_tally JOIN msp.study USING (study_id)"
		"  WHERE slug = 'totals' GROUP BY item_key, word"
		" HAVING sum(occurrences) <> 0 OR sum(answers) <> 0) t"));
}

/* The totals equal a recount from the answers. */
static void
assert_totals_recount(const char *after)
{
	char *kept = totals_text(), *recounted;

	testdb_value(conn, "SELECT msp.tally_recount(study_id)"
		     " FROM msp.study WHERE slug = 'totals'");
	recounted = totals_text();
	ck_assert_msg(strcmp(kept, recounted) == 0,
		      "after %s: the running totals differ from a recount",
		      after);
	ck_assert_int_gt(strtol(kept, NULL, 10), 100);	/* rows kept */
	free(kept);
	free(recounted);
}

/* Every kind of write the API, the forms, an import or an erasure
 * makes keeps the totals equal to the answers. */
START_TEST(totals_follow_every_write)
{
	assert_totals_recount("the generator's load");
	/* answers added to complete and partial responses, one of them
	 * a second option of a multiple choice */
	exec_ok("INSERT INTO msp.answer (response_id, instrument_id,"
		" item_key, text_value)"
		" SELECT r.response_id, r.instrument_id, 'freins',"
		"        'Le temps, le temps et les locaux'"
		"   FROM msp.response r JOIN msp.study s USING (study_id)"
		"  WHERE s.slug = 'totals' AND NOT EXISTS (SELECT 1"
		"        FROM msp.answer a WHERE a.response_id = r.response_id"
		"         AND a.item_key = 'freins')");
	assert_totals_recount("inserts");
	exec_ok("UPDATE msp.answer SET num_value = num_value + 1"
		" WHERE item_key = 'prof_count_mg' AND num_value < 50");
	exec_ok("UPDATE msp.answer SET text_value = 'patients'"
		" WHERE item_key = 'freins' AND answer_id % 3 = 0");
	assert_totals_recount("updates");
	exec_ok("DELETE FROM msp.answer WHERE item_key = 'project_topics'"
		" AND answer_id % 2 = 0");
	assert_totals_recount("deletes of some options");
	exec_ok("UPDATE msp.response SET status = 'partial',"
		" submitted_at = NULL WHERE response_id % 4 = 0"
		" AND status = 'complete'");
	exec_ok("UPDATE msp.response SET status = 'complete',"
		" submitted_at = started_at WHERE response_id % 5 = 0"
		" AND status = 'partial'");
	assert_totals_recount("status changes");
	exec_ok("DELETE FROM msp.response WHERE response_id % 7 = 0");
	assert_totals_recount("responses erased");
	/* a word, then its answer, gone: nothing of it stays behind */
	exec_ok("UPDATE msp.answer SET text_value = 'Zygomatique'"
		" WHERE answer_id = (SELECT min(answer_id) FROM msp.answer a"
		"  JOIN msp.response r USING (response_id)"
		" WHERE a.item_key = 'freins' AND r.status = 'complete')");
	ck_assert_uint_eq(sql_count("SELECT count(*) FROM msp.word_tally"
				    " WHERE word = 'Zygomatique'"), 1);
	exec_ok("DELETE FROM msp.response WHERE response_id = (SELECT"
		" a.response_id FROM msp.answer a WHERE a.text_value ="
		" 'Zygomatique')");
	ck_assert_uint_eq(sql_count("SELECT count(*) FROM msp.word_tally"
				    " WHERE word = 'Zygomatique'"), 0);
	assert_totals_recount("an erasure");
	/* folding keeps the sums */
	exec_ok("INSERT INTO msp.answer_tally (study_id, item_key, kind, n)"
		" SELECT study_id, 'x', 'v', g % 2 * 2 - 1"
		"   FROM msp.study, generate_series(1, 10002) g"
		"  WHERE slug = 'totals'");
	{
		char *before = totals_text(), *after;

		testdb_value(conn, "SELECT msp.tally_compact(study_id)"
			     " FROM msp.study WHERE slug = 'totals'");
		after = totals_text();
		ck_assert_str_eq(after, before);
		free(before);
		free(after);
	}
	ck_assert_uint_lt(sql_count("SELECT count(*) FROM msp.answer_tally"
				    " JOIN msp.study USING (study_id)"
				    " WHERE slug = 'totals'"), 2000);
}
END_TEST

static size_t
lines(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* The report of study "totals" as CSV, from the totals or recounted
 * (--recount); terms: that open item's terms, or NULL; token: whose
 * report (NULL: the owner's). */
static char *
totals_report(const char *terms, int recount, const char *token)
{
	struct report_options o;
	struct rdoc *doc;
	char *csv;

	report_options_init(&o);
	o.region = "pays-de-la-loire";
	o.study = "totals";
	o.terms = terms;
	o.recount = recount;
	o.token = token;
	doc = build(&o);
	csv = render(doc, FORMAT_CSV);
	rdoc_free(doc);
	return csv;
}

/*
 * Fails unless a and b are the same text, naming the first line where
 * they differ and printing both (Check's own message cuts long strings
 * short).
 */
static void
assert_same_lines(const char *a, const char *b, const char *what)
{
	size_t line = 1;
	const char *pa = a, *pb = b;

	while (*pa != '\0' && *pb != '\0') {
		size_t la = strcspn(pa, "\n"), lb = strcspn(pb, "\n");

		if (la != lb || memcmp(pa, pb, la) != 0)
			ck_abort_msg("%s: line %zu differs:\n< %.*s\n> %.*s",
				     what, line, (int)(la > 300 ? 300 : la),
				     pa, (int)(lb > 300 ? 300 : lb), pb);
		pa += la + (pa[la] == '\n');
		pb += lb + (pb[lb] == '\n');
		line++;
	}
	ck_assert_msg(*pa == '\0' && *pb == '\0', "%s: line %zu: one text "
		      "ends, the other goes on with: %.300s", what, line,
		      *pa != '\0' ? pa : pb);
}

/*
 * The cells of study "totals"'s report (recount: from the answers;
 * else from the running totals) against counts this test asks the
 * database for in SQL of its own: every category of every single
 * choice, yes/no and multiple choice, the missing answers, and a
 * number's n.  A bug in code the two paths share passes a comparison
 * of one with the other; not this.
 */
static void
assert_cells_equal_sql(int recount)
{
	static const char sql[] =
		"WITH resp AS (SELECT r.response_id FROM msp.response r"
		"  JOIN msp.study s USING (study_id)"
		" WHERE s.slug = 'totals' AND r.status = 'complete'),"
		" items AS (SELECT ii.item_key, ii.item_type::text AS type"
		"  FROM msp.instrument_item ii JOIN msp.study s"
		" USING (instrument_id) WHERE s.slug = 'totals')"
		" SELECT i.item_key, v.code, count(a.answer_id)"
		"   FROM items i JOIN msp.answer a USING (item_key)"
		"   JOIN resp USING (response_id)"
		" CROSS JOIN LATERAL (SELECT CASE"
		"   WHEN i.type = 'number' THEN NULL"
		"   WHEN a.bool_value THEN 'oui'"
		"   WHEN NOT a.bool_value THEN 'non'"
		"   ELSE a.choice_code END AS code) v"
		"  WHERE i.type IN ('single_choice', 'boolean',"
		"                   'multiple_choice', 'number')"
		"  GROUP BY 1, 2"
		" UNION ALL"
		/* the missing: responses with no answer to the item */
		" SELECT i.item_key, '', (SELECT count(*) FROM resp)"
		"        - count(DISTINCT a.response_id)"
		"   FROM items i LEFT JOIN (msp.answer a JOIN resp"
		"        USING (response_id)) USING (item_key)"
		"  WHERE i.type IN ('single_choice', 'boolean',"
		"                   'multiple_choice', 'number')"
		"  GROUP BY 1"
		" ORDER BY 1, 2";
	struct report_options o;
	struct rdoc *doc;
	PGresult *res;
	struct msp_error err;
	size_t checked = 0;
	int i;

	report_options_init(&o);
	o.region = "pays-de-la-loire";
	o.study = "totals";
	o.recount = recount;
	doc = build(&o);
	ck_assert_msg(db_exec(conn, "cells", sql, 0, NULL, PGRES_TUPLES_OK,
			      &res, &err) == MSP_OK, "%s", err.message);
	for (i = 0; i < PQntuples(res); i++) {
		const char *item = PQgetvalue(res, i, 0);
		const char *code = PQgetisnull(res, i, 1) ? NULL :
				   PQgetvalue(res, i, 1);
		unsigned long n = strtoul(PQgetvalue(res, i, 2), NULL, 10);
		const struct rcell *c = NULL;
		size_t t, r;

		for (t = 0; t < doc->ntables && c == NULL; t++)
			for (r = 0; r < doc->tables[t]->nrows; r++) {
				const struct rrow *row =
					&doc->tables[t]->rows[r];

				if (same(row->var_key, item) &&
				    same(row->cat_key, code)) {
					c = &row->cells[0];
					break;
				}
			}
		if (c == NULL) {
			/* no missing row: there are none */
			ck_assert_msg(code == NULL || *code != '\0' || n == 0,
				      "%s: %lu missing, not in the report",
				      item, n);
			ck_assert_msg(code == NULL || *code == '\0',
				      "%s = %s (%lu answers) is not in the "
				      "report", item, code, n);
			continue;
		}
		ck_assert_msg(c->n == n, "%s %s: the report (%s) says %lu, "
			      "SQL %lu", item, code != NULL ? code : "(n)",
			      recount ? "recounted" : "from the totals",
			      c->n, n);
		checked++;
	}
	PQclear(res);
	rdoc_free(doc);
	ck_assert_uint_gt(checked, 50);
}

START_TEST(totals_cells_equal_sql)
{
	exec_ok("DELETE FROM msp.report_cache");
	assert_cells_equal_sql(0);
	assert_cells_equal_sql(1);
}
END_TEST

/* The owner's report, from the totals, is the report counted from the
 * answers (--recount); so are the terms of an open item. */
START_TEST(totals_report_equals_recount)
{
	const char *const terms[] = { NULL, "freins" };
	size_t i;

	exec_ok("DELETE FROM msp.report_cache");
	for (i = 0; i < sizeof(terms) / sizeof(terms[0]); i++) {
		char *fast = totals_report(terms[i], 0, NULL);
		char *slow = totals_report(terms[i], 1, NULL);

		assert_same_lines(fast, slow, "from the totals vs recounted");
		if (terms[i] == NULL)
			ck_assert_ptr_nonnull(strstr(fast, "project_topics"));
		else	/* the header and ten terms at least */
			ck_assert_uint_ge(lines(fast), 11);
		free(fast);
		free(slow);
	}
}
END_TEST

/* Whether every response of study "totals" comes from a PdL structure,
 * counted by hand here (msp.report_whole decides the same inside the
 * federation's functions). */
static int
totals_whole_in_pdl(void)
{
	return sql_count("SELECT count(*) FROM msp.response r"
			 "  JOIN msp.study s USING (study_id)"
			 "  JOIN msp.structure st ON st.structure_id ="
			 "       r.structure_id"
			 "  JOIN msp.region g ON g.region_id = st.region_id"
			 " WHERE s.slug = 'totals'"
			 "   AND g.slug <> 'pays-de-la-loire'") == 0;
}

/* One running-total row that adds 1000 to an answer's count: a report
 * that reads the totals shows it, one that counts the answers does not
 * (the sign of which the report read). */
#define TOTALS_MARK \
	"INSERT INTO msp.answer_tally (study_id, item_key, kind," \
	" choice_code, n)" \
	" SELECT a.study_id, a.item_key, 'v', a.choice_code, 1000" \
	"   FROM msp.answer_tally a JOIN msp.study s USING (study_id)" \
	"  WHERE s.slug = 'totals' AND a.kind = 'v'" \
	"    AND a.choice_code IS NOT NULL" \
	"  ORDER BY a.item_key, a.choice_code LIMIT 1"
#define TOTALS_UNMARK \
	"DELETE FROM msp.answer_tally WHERE n = 1000"	/* 300 responses */

/* A federation that sees the whole study reads the running totals
 * (migration 0014), through msp.report_counts since migration 0037, and
 * its report is the one counted from the answers; once the study holds
 * a response from another region, the totals are not its counts and it
 * counts from the answers again.  It never folds the totals: a read
 * path does not write. */
START_TEST(federation_report_from_totals_equals_recount)
{
	char *fast, *slow, *owner, *marked;

	testdb_run_token(conn, "pdl-2019", "fed-pdl");
	exec_ok("DELETE FROM msp.report_cache");
	ck_assert(totals_whole_in_pdl());
	fast = totals_report(NULL, 0, "fed-pdl");
	slow = totals_report(NULL, 1, "fed-pdl");
	assert_same_lines(fast, slow, "federation: from the totals vs "
			  "recounted");
	ck_assert_ptr_nonnull(strstr(fast, "project_topics"));
	/* it did read the totals */
	exec_ok(TOTALS_MARK);
	marked = totals_report(NULL, 0, "fed-pdl");
	ck_assert_str_ne(marked, fast);
	free(marked);
	exec_ok(TOTALS_UNMARK);
	/* deltas that sum to nothing, past the point where the owner's
	 * report folds them: the federation's leaves them */
	exec_ok("INSERT INTO msp.answer_tally (study_id, item_key, kind, n)"
		" SELECT study_id, 'x', 'v', g % 2 * 2 - 1"
		"   FROM msp.study, generate_series(1, 10002) g"
		"  WHERE slug = 'totals'");
	free(totals_report(NULL, 0, "fed-pdl"));
	ck_assert_uint_ge(sql_count("SELECT count(*) FROM msp.answer_tally"
				    " WHERE item_key = 'x'"), 10002);
	exec_ok("DELETE FROM msp.answer_tally WHERE item_key = 'x'");
	free(fast);
	free(slow);

	/* an Occitanie structure's response in the PdL study: in the
	 * totals, not in what the PdL federation counts */
	exec_ok("INSERT INTO msp.response (study_id, instrument_id,"
		" structure_id, status, submitted_at, idempotency_key)"
		" SELECT s.study_id, s.instrument_id, (SELECT st.structure_id"
		"   FROM msp.structure st JOIN msp.region g USING (region_id)"
		"  WHERE g.slug = 'occitanie' ORDER BY 1 LIMIT 1),"
		" 'complete', now(), 'foreign-1'"
		" FROM msp.study s WHERE s.slug = 'totals'");
	exec_ok("INSERT INTO msp.answer (response_id, instrument_id,"
		" item_key, choice_code)"
		" SELECT r.response_id, r.instrument_id, o.item_key, o.code"
		"   FROM msp.response r JOIN msp.item_option o"
		"     ON o.instrument_id = r.instrument_id"
		"  WHERE r.idempotency_key = 'foreign-1'"
		"  ORDER BY o.item_key, o.code LIMIT 1");
	ck_assert(!totals_whole_in_pdl());
	exec_ok(TOTALS_MARK);
	fast = totals_report(NULL, 0, "fed-pdl");
	slow = totals_report(NULL, 1, "fed-pdl");
	assert_same_lines(fast, slow, "federation: counted from the "
			  "answers, the mark not read");
	exec_ok(TOTALS_UNMARK);
	owner = totals_report(NULL, 0, NULL);	/* the owner sees it */
	ck_assert_str_ne(fast, owner);
	free(owner);
	free(fast);
	free(slow);
	exec_ok("DELETE FROM msp.response WHERE idempotency_key = 'foreign-1'");
	ck_assert(totals_whole_in_pdl());
}
END_TEST

/* --- --compare of two waves ---------------------------------------------- */

/*
 * Issue 18, item 8: a second PdL wave whose questionnaire (pdl-2019@2,
 * written in SQL: reportfix_second_wave()) differs from 2019's in every
 * way the comparison lists: an item dropped, one of another type, a
 * choice added, choice labels and a question reworded, a range
 * relaxed, a condition removed.  Its responses are the 2019 responses
 * copied, so the waves are the same teams answering alike: every count
 * of the comparison is asked of the database, and every χ² is 0 with
 * p = 1.
 * (tests/waves.test runs the federation's way, with R.)
 */

/* Answers of (item, code) in the complete responses of study slug. */
static unsigned long
wave_count(const char *slug, const char *item, const char *code)
{
	char sql[640];

	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM msp.answer a"
		 " JOIN msp.response r USING (response_id)"
		 " JOIN msp.study s USING (study_id)"
		 " WHERE s.slug = '%s' AND r.status = 'complete'"
		 "   AND a.item_key = '%s' AND coalesce(a.choice_code,"
		 "   CASE WHEN a.bool_value THEN 'oui' ELSE 'non' END) = '%s'",
		 slug, item, code);
	return sql_count(sql);
}

START_TEST(waves_match_items_by_name)
{
	static const char *const differences[][2] = {
		{ "respondent_profession", "only_first" },
		{ "respondent_function", "type" },
		{ "departement", "choice_labels" },
		{ "opening_year", "bounds" },
		{ "cpts_member", "choices" },
		{ "federation_member", "label" },
		{ "aware_of_initiatives", "condition" },
	};
	static const char *const counted[][2] = {
		{ "departement", "44" }, { "departement", "49" },
		{ "aci_signatory", "oui" }, { "aci_signatory", "non" },
		{ "works_with_users", "non" }, { "cls_member", "nsp" },
	};
	struct testdb db;
	struct report_options o;
	struct rdoc *doc;
	const struct rtable *t, *dt;
	PGconn *keep = conn;
	size_t i, j, chisq = 0;

	memset(&db, 0, sizeof(db));
	testdb_open(&db);
	testdb_load(&db, NULL);
	testdb_load_reference(&db);
	conn = db.conn;
	reportfix_second_wave(conn);

	report_options_init(&o);
	o.compare = "pdl-2025,pdl-2019";	/* the earlier wave first */
	doc = build(&o);
	t = table(doc, "waves");
	dt = table(doc, "waves_items");
	ck_assert_str_eq(t->cols[0].key, "pdl-2019");
	ck_assert_str_eq(t->cols[1].key, "pdl-2025");
	/* the title names the region and both waves, as stored */
	ck_assert_str_eq(doc->title, testdb_value(conn,
		"SELECT 'Comparaison de deux vagues, ' || g.name || ' : ' ||"
		" string_agg(s.slug || ' (' || s.year || ')', ' et '"
		" ORDER BY s.year) FROM msp.study s JOIN msp.region g"
		" USING (region_id) WHERE s.slug IN ('pdl-2019', 'pdl-2025')"
		" GROUP BY g.name"));

	/* every difference, and nothing else */
	ck_assert_uint_eq(dt->nrows, sizeof(differences) /
			  sizeof(differences[0]));
	for (i = 0; i < sizeof(differences) / sizeof(differences[0]); i++)
		row(dt, differences[i][0], differences[i][1]);
	/* not compared: the items whose answers do not correspond */
	for (i = 0; i < t->nrows; i++) {
		ck_assert_str_ne(t->rows[i].var_key, "respondent_profession");
		ck_assert_str_ne(t->rows[i].var_key, "respondent_function");
		ck_assert_str_ne(t->rows[i].var_key, "cpts_member");
	}
	/* compared, each count the database's */
	for (i = 0; i < sizeof(counted) / sizeof(counted[0]); i++)
		for (j = 0; j < 2; j++) {
			const char *slug = t->cols[j].key;

			ck_assert_uint_eq(cell(t, counted[i][0], counted[i][1],
					       slug)->n,
					  wave_count(slug, counted[i][0],
						     counted[i][1]));
		}
	/* the same answers twice: no difference at all */
	for (i = 0; i < t->nrows; i++) {
		const struct rcell *c = &t->rows[i].cells[2];

		if (c->kind != RCELL_TEST || c->text != NULL ||
		    c->test.method != STATS_CHISQ)
			continue;
		ck_assert_double_eq_tol(c->test.statistic, 0, 1e-12);
		ck_assert_double_eq_tol(c->test.p, 1, 1e-12);
		chisq++;
	}
	ck_assert_uint_ge(chisq, 2);
	rdoc_free(doc);

	/* a draft is not a wave */
	exec_ok("UPDATE msp.study SET state = 'draft' WHERE slug = 'pdl-2025'");
	{
		struct msp_error err;

		doc = NULL;
		ck_assert_int_eq(report_build(conn, &o, &doc, &err),
				 MSP_EINVAL);
		ck_assert_ptr_null(doc);
	}
	conn = keep;
	testdb_close(&db);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("report");
	TCase *data = tcase_create("reference");
	TCase *fmt = tcase_create("formats");
	TCase *sdc = tcase_create("disclosure");
	TCase *txt = tcase_create("textfreq");
	TCase *tot = tcase_create("totals");

	tcase_add_unchecked_fixture(data, load_shared, drop_shared);
	tcase_add_checked_fixture(data, connect_case, disconnect_case);
	tcase_set_timeout(data, 120);
	tcase_add_test(data, occitanie_published_percentages);
	tcase_add_test(data, pdl_table2_p_values);
	tcase_add_test(data, pdl_table2_adjusted);
	tcase_add_test(data, pdl_table1_medians);
	tcase_add_test(data, pdl_region_report);
	tcase_add_test(data, pdl_nonresponse);
	tcase_add_test(data, compare_regions);
	tcase_add_test(data, has_crosswalk);
	tcase_add_test(data, has_coded_answers);
	tcase_add_test(data, terms_of_open_item);
	tcase_add_test(data, cache_follows_the_data);
	tcase_add_test(data, region_names);
	tcase_add_test(data, compare_refuses_the_same_study);
	tcase_add_test(data, team_rate_counts_structures);
	tcase_add_test(data, team_other_region_out_of_scope);
	tcase_add_test(data, stage_everywhere_is_the_published_one);
	tcase_add_test(data, multiple_choice_percentages);
	tcase_add_test(data, csv_is_tidy);
	tcase_add_test(data, json_parses);
	tcase_add_test(data, federation_sees_aggregates);
	tcase_add_test(data, cli_help_and_report);
	tcase_add_test(data, threshold_from_database);
	tcase_add_test(data, cli_disclosure_threshold);
	tcase_add_test(data, cli_test_odds_ratio);
	tcase_add_test(data, cli_test_simulate);
	tcase_add_test(data, cli_test_formats);
	tcase_add_test(data, report_odds_ratio);
	suite_add_tcase(s, data);

	tcase_add_test(fmt, html_escapes_and_stands_alone);
	tcase_add_test(fmt, text_csv_markdown_escape);
	tcase_add_test(fmt, format_names);
	suite_add_tcase(s, fmt);

	tcase_add_test(sdc, protect_complements);
	tcase_add_test(sdc, protect_nothing_small);
	tcase_add_test(sdc, protect_keeps_the_threshold);
	tcase_add_test(sdc, protect_needs_several_passes);
	suite_add_tcase(s, sdc);

	tcase_add_test(txt, textfreq_folding_and_stemming);
	tcase_add_test(txt, textfreq_counts);
	tcase_add_unchecked_fixture(tot, load_totals, drop_totals);
	tcase_add_checked_fixture(tot, connect_totals, disconnect_case);
	tcase_add_test(tot, totals_report_equals_recount);
	tcase_add_test(tot, totals_cells_equal_sql);
	tcase_add_test(tot, federation_report_from_totals_equals_recount);
	tcase_add_test(tot, totals_follow_every_write);
	tcase_add_test(tot, waves_match_items_by_name);
	suite_add_tcase(s, txt);
	tcase_set_timeout(tot, 120);
	suite_add_tcase(s, tot);
	return testdb_run(s);
}
