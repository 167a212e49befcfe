/*
 * rdoc_from_json (lib/report/rdoc_json.c): a report read back from its
 * JSON renders, in each of the five formats, the bytes the original
 * document renders, so that a federation's stored release (migration
 * 0053) can be printed in any format, never recounted.
 *
 * Round trips, each through the JSON text and through PostgreSQL's
 * jsonb (which sorts object keys and rewrites numbers, as the stored
 * releases are kept): every report of both reference studies under the
 * owner (nothing hidden) and under a federation token (« < 5 » and
 * « s »): the region report under the four missing-data rules,
 * --nonresponse, every --by the report takes (2×2 tables with their
 * odds ratios, adjusted p-values under each --adjust), --compare of
 * regions and of waves (a second wave of Pays de la Loire), --has
 * with --matrix and --cooccurrence, --terms, --weights; and a document
 * built by hand with every kind of cell (Monte Carlo p-value, one-sided
 * odds ratio with an infinite bound, weighted mean and percentage, a
 * summary without its range, NaN statistics, NULL labels, a header key
 * twice).
 *
 * Errors: every truncation of a real document, and documents spoiled
 * one member at a time, fail with MSP_EINVAL and a message that says
 * where; nothing leaks (ASan under ./dev test).
 */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "report/format.h"
#include "report/rdoc_json.h"
#include "report/report.h"
#include "report/report_doc.h"
#include "reportfix.h"
#include "testdb.h"

static const enum format_kind formats[] = {
	FORMAT_TEXT, FORMAT_CSV, FORMAT_JSON, FORMAT_MARKDOWN, FORMAT_HTML,
};
#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

/* doc rendered as kind, the caller's (free). */
static char *
render(const struct rdoc *doc, enum format_kind kind)
{
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	struct msp_error err;
	char *s;

	ck_assert_msg(format_render(doc, kind, &out, &err) == MSP_OK, "%s",
		      err.message);
	s = buf_steal(&out);
	ck_assert_ptr_nonnull(s);
	return s;
}

/* The JSON text as PostgreSQL's jsonb gives it back (the caller's). */
static char *
through_jsonb(const char *json)
{
	const char *params[1] = { json };
	struct msp_error err;
	PGresult *res = NULL;
	char *s;

	ck_assert_msg(db_exec(conn, "jsonb", "SELECT $1::jsonb::text", 1,
			      params, PGRES_TUPLES_OK, &res, &err) == MSP_OK,
		      "%s", err.message);
	s = strdup(PQgetvalue(res, 0, 0));
	ck_assert_ptr_nonnull(s);
	PQclear(res);
	return s;
}

/* Reads json back and checks that each format renders want[f]. */
static void
same_renderings(const char *what, const char *via, const char *json,
		char *const *want)
{
	struct msp_error err;
	struct rdoc *back = NULL;
	size_t f;

	ck_assert_msg(rdoc_from_json(json, strlen(json), &back, &err) ==
		      MSP_OK, "%s (%s): %s", what, via, err.message);
	for (f = 0; f < NFORMATS; f++) {
		char *got = render(back, formats[f]);

		if (strcmp(got, want[f]) != 0) {
			size_t i = 0;

			while (got[i] != '\0' && got[i] == want[f][i])
				i++;
			ck_abort_msg("%s (%s): %s differs at byte %zu: "
				     "« %.60s » for « %.60s »", what, via,
				     format_name(formats[f]), i,
				     want[f] + (i > 20 ? i - 20 : 0),
				     got + (i > 20 ? i - 20 : 0));
		}
		free(got);
	}
	rdoc_free(back);
}

/* The round trips of doc (freed), through the text and through jsonb. */
static size_t round_trips;

static void
round_trip(const char *what, struct rdoc *doc)
{
	char *want[NFORMATS], *jsonb;
	size_t f;

	for (f = 0; f < NFORMATS; f++)
		want[f] = render(doc, formats[f]);
	same_renderings(what, "JSON", want[2], want);
	jsonb = through_jsonb(want[2]);
	same_renderings(what, "jsonb", jsonb, want);
	free(jsonb);
	for (f = 0; f < NFORMATS; f++)
		free(want[f]);
	rdoc_free(doc);
	round_trips++;
}

/* The report o asks for, or NULL when it is refused (a --by the report
 * does not take, --weights without a frame); other failures fail. */
static struct rdoc *
build_or_refused(const struct report_options *o)
{
	struct report_options run = *o;
	struct msp_error err;
	struct rdoc *doc = NULL;
	enum msp_status rc;

	/* "fed-…": a protection run's token (testdb_run_token()), whose
	 * reports count, as the run's audit does (a federation's own
	 * token reads published releases only) */
	run.live = o->token != NULL && strncmp(o->token, "fed-", 4) == 0;
	rc = report_build(conn, &run, &doc, &err);

	if (rc == MSP_EINVAL)
		return NULL;
	ck_assert_msg(rc == MSP_OK, "%s", err.message);
	return doc;
}

/* Whether the document has a cell for which pred holds. */
static int
has_cell(const struct rdoc *doc, int (*pred)(const struct rcell *))
{
	size_t i, r, j;

	for (i = 0; i < doc->ntables; i++)
		for (r = 0; r < doc->tables[i]->nrows; r++)
			for (j = 0; j < doc->tables[i]->ncols; j++)
				if (pred(&doc->tables[i]->rows[r].cells[j]))
					return 1;
	return 0;
}

static int
is_primary(const struct rcell *c)
{
	return c->suppressed && c->below > 0;
}

static int
is_complementary(const struct rcell *c)
{
	return c->suppressed && c->below == 0;
}

static int
is_odds(const struct rcell *c)
{
	return !c->suppressed && c->kind == RCELL_TEST && c->has_or;
}

static int
is_adjusted(const struct rcell *c)
{
	return !c->suppressed && c->kind == RCELL_TEST && c->has_p_adj;
}

/* What the reports of one region hold, over every report tried. */
struct seen {
	int primary, complementary, odds, adjusted, weighted, weighted_vars;
};

static void
note(struct seen *s, const struct rdoc *doc)
{
	s->primary |= has_cell(doc, is_primary);
	s->complementary |= has_cell(doc, is_complementary);
	s->odds |= has_cell(doc, is_odds);
	s->adjusted |= has_cell(doc, is_adjusted);
}

/* The variables of doc's rows that have categories: the --by to try. */
static size_t
by_candidates(const struct rdoc *doc, const char **out, size_t max)
{
	size_t i, r, k, n = 0;

	for (i = 0; i < doc->ntables; i++)
		for (r = 0; r < doc->tables[i]->nrows && n < max; r++) {
			const struct rrow *row = &doc->tables[i]->rows[r];

			if (row->cat_key == NULL || row->var_key == NULL)
				continue;
			for (k = 0; k < n && strcmp(out[k], row->var_key);
			     k++)
				;
			if (k == n)
				out[n++] = row->var_key;
		}
	return n;
}

/* Every report of region (study slug) under token (NULL: the owner). */
static void
every_report(const char *region, const char *study, const char *token,
	     struct seen *s)
{
	static const enum stats_adjust adjusts[] = {
		STATS_ADJUST_HOLM, STATS_ADJUST_BH, STATS_ADJUST_NONE,
	};
	struct report_options o;
	struct rdoc *region_doc, *doc;
	const char *by[200];
	char what[300];
	size_t nby, i, tried = 0;
	PGresult *texts;
	int rule, a;

	report_options_init(&o);
	o.token = token;
	o.region = region;
	o.study = study;
	for (rule = 0; rule < 4; rule++) {
		o.dont_know = rule & 1 ? REPORT_EXCLUDE : REPORT_KEEP;
		o.missing = rule & 2 ? REPORT_KEEP : REPORT_EXCLUDE;
		doc = build_or_refused(&o);
		ck_assert_ptr_nonnull(doc);
		note(s, doc);
		snprintf(what, sizeof(what), "%s %s rule %d", region,
			 token ? token : "owner", rule);
		round_trip(what, doc);
	}
	report_options_init(&o);
	o.token = token;
	o.region = region;
	o.study = study;
	region_doc = build_or_refused(&o);
	ck_assert_ptr_nonnull(region_doc);
	nby = by_candidates(region_doc, by, 200);
	for (i = 0; i < nby; i++) {
		o.by = by[i];
		for (a = 0; a < 3; a++) {
			o.adjust = adjusts[a];
			/* the other rules on one split only: the round
			 * trip does not depend on the rule */
			o.missing = i == 0 && a == 0 ? REPORT_KEEP :
				    REPORT_EXCLUDE;
			if ((doc = build_or_refused(&o)) == NULL)
				break;
			note(s, doc);
			snprintf(what, sizeof(what), "%s %s --by %s "
				 "--adjust %s", region,
				 token ? token : "owner", by[i],
				 stats_adjust_name(adjusts[a]));
			round_trip(what, doc);
			tried++;
		}
	}
	ck_assert_uint_gt(tried, 3);
	rdoc_free(region_doc);
	report_options_init(&o);
	o.token = token;
	o.region = region;
	o.study = study;
	o.nonresponse = 1;
	if ((doc = build_or_refused(&o)) != NULL)
		round_trip("--nonresponse", doc);
	o.nonresponse = 0;
	o.has = 1;
	ck_assert_ptr_nonnull(doc = build_or_refused(&o));
	round_trip("--has", doc);
	o.matrix = "stage";
	if ((doc = build_or_refused(&o)) != NULL)
		round_trip("--has --matrix stage", doc);
	o.matrix = NULL;
	o.cooccurrence = 1;
	if ((doc = build_or_refused(&o)) != NULL)
		round_trip("--has --cooccurrence", doc);
	o.cooccurrence = 0;
	o.has = 0;
	texts = PQexec(conn, "SELECT DISTINCT item_key FROM"
		       " msp.instrument_item WHERE item_type = 'text'"
		       " ORDER BY 1");
	ck_assert_int_eq(PQresultStatus(texts), PGRES_TUPLES_OK);
	for (i = 0; i < (size_t)PQntuples(texts); i++) {
		o.terms = PQgetvalue(texts, (int)i, 0);
		o.top = i % 2 ? 5 : 10;
		if ((doc = build_or_refused(&o)) == NULL)
			continue;
		snprintf(what, sizeof(what), "%s --terms %s", region,
			 o.terms);
		round_trip(what, doc);
	}
	o.terms = NULL;
	PQclear(texts);
	/* the weights of the frame (the test's own frame variables, as
	 * tests/check_weights fills them) */
	o.weights = "frame";
	if ((doc = build_or_refused(&o)) != NULL) {
		s->weighted = 1;
		round_trip("--weights frame", doc);
	}
	o.weights = "departement,federation_member";
	if ((doc = build_or_refused(&o)) != NULL) {
		s->weighted_vars = 1;
		round_trip("--weights departement,federation_member", doc);
	}
}

/* The frame variables --weights needs, as tests/check_weights sets
 * them on Occitanie 2024. */
static void
fill_frame(void)
{
	testdb_value(conn,
		"UPDATE msp.structure st SET departement = (ARRAY['09', '31',"
		" '34'])[st.structure_id % 3 + 1], federation_member ="
		" (CASE WHEN st.structure_id % 5 < 2 THEN 'oui' ELSE 'non'"
		" END)::msp.tristate"
		" FROM msp.population p JOIN msp.study s USING (study_id)"
		" WHERE s.slug = 'occitanie-2024'"
		"   AND p.structure_id = st.structure_id RETURNING 1");
}

START_TEST(reference_reports_round_trip)
{
	struct seen owner, fed;
	struct report_options o;
	struct rdoc *doc;
	static const char *const compares[] = {
		"occitanie,pays-de-la-loire", "pays-de-la-loire,occitanie",
	};
	size_t i;
	int k;

	memset(&owner, 0, sizeof(owner));
	memset(&fed, 0, sizeof(fed));
	fill_frame();
	testdb_run_token(conn, "occitanie-2024", "fed-rt-occitanie");
	testdb_run_token(conn, "pdl-2019", "fed-rt-pdl");
	every_report("occitanie", "occitanie-2024", NULL, &owner);
	every_report("pays-de-la-loire", "pdl-2019", NULL, &owner);
	every_report("occitanie", "occitanie-2024", "fed-rt-occitanie", &fed);
	every_report("pays-de-la-loire", "pdl-2019", "fed-rt-pdl", &fed);
	for (k = 0; k < 2; k++)
		for (i = 0; i < sizeof(compares) / sizeof(compares[0]); i++) {
			report_options_init(&o);
			o.token = k ? "fed-rt-occitanie" : NULL;
			o.compare = compares[i];
			ck_assert_ptr_nonnull(doc = build_or_refused(&o));
			note(k ? &fed : &owner, doc);
			round_trip(compares[i], doc);
		}
	/* what the reports were to cover was there */
	ck_assert(!owner.primary && !owner.complementary);
	ck_assert(fed.primary && fed.complementary);
	ck_assert(owner.odds && owner.adjusted);
	printf("--weights frame %s, --weights departement,federation_member "
	       "%s\n", owner.weighted ? "built" : "refused",
	       owner.weighted_vars ? "built" : "refused");
	ck_assert(owner.weighted && owner.weighted_vars);
	printf("%zu round trips, each through JSON and jsonb, 5 formats\n",
	       round_trips);
}
END_TEST

/* The comparison of two waves of Pays de la Loire (their items matched
 * by name, reportfix_second_wave()), under the owner and a
 * federation, in a database of its own (a study is added). */
START_TEST(waves_round_trip)
{
	static const char *const waves[] = {
		"pdl-2025,pdl-2019", "pdl-2019,pdl-2025",
	};
	struct testdb db;
	struct report_options o;
	struct rdoc *doc;
	PGconn *keep = conn;
	size_t i;
	int k;

	memset(&db, 0, sizeof(db));
	testdb_open(&db);
	testdb_load(&db, NULL);
	testdb_load_reference(&db);
	conn = db.conn;
	reportfix_second_wave(conn);
	testdb_run_token(conn, "pdl-2019", "fed-rt-pdl");
	for (k = 0; k < 2; k++)
		for (i = 0; i < sizeof(waves) / sizeof(waves[0]); i++) {
			report_options_init(&o);
			o.token = k ? "fed-rt-pdl" : NULL;
			o.compare = waves[i];
			ck_assert_ptr_nonnull(doc = build_or_refused(&o));
			ck_assert_ptr_nonnull(rdoc_find_table(doc, "waves"));
			round_trip(waves[i], doc);
		}
	conn = keep;
	testdb_close(&db);
}
END_TEST

/* Every kind of cell, NaN, infinite bounds and NULL labels, by hand. */
static struct rdoc *
every_cell_doc(void)
{
	struct rdoc *doc = rdoc_new();
	struct rtable *t;
	struct rrow *r;
	struct rcell *c;

	ck_assert_ptr_nonnull(doc);
	doc->title = NULL;
	rdoc_meta(doc, "study", "Étude", "Occitanie : occitanie-2024");
	rdoc_meta(doc, "study", "Étude", "Pays de la Loire : pdl-2019");
	rdoc_meta_code(doc, "identity", "Lecteur", "fédération",
		       "federation");
	rdoc_meta(doc, "empty", NULL, NULL);
	rdoc_meta(doc, "study_label", "Piège", "une clé en _label");
	t = rdoc_table(doc, "cells", "Toutes les cases", 4);
	ck_assert_ptr_nonnull(t);
	t->chart = 1;
	t->chart_col = 2;
	rtable_column(doc, t, 0, "a", "A");
	rtable_column(doc, t, 1, "b", NULL);
	rtable_column(doc, t, 2, NULL, "sans clé");
	rtable_column(doc, t, 3, "d", "D");
	r = rtable_row(doc, t, "v", "Variable", NULL, NULL);
	ck_assert_ptr_nonnull(r);
	rcell_count(&r->cells[0], 12);
	rcell_text(doc, &r->cells[1], NULL);
	rcell_number(&r->cells[2], 0.123456789012345678);
	rcell_number(&r->cells[3], NAN);
	r = rtable_row(doc, t, "v", NULL, "c1", "Caté\"gorie\n1");
	ck_assert_ptr_nonnull(r);
	rcell_prop(&r->cells[0], 1, 3);
	rcell_prop(&r->cells[1], 0, 0);
	rcell_prop(&r->cells[2], 2, 7);
	rcell_hide(&r->cells[2], 5);
	rcell_prop(&r->cells[3], 9, 10);
	rcell_hide(&r->cells[3], 0);
	r = rtable_row(doc, t, "s", "Résumé", "c2", NULL);
	ck_assert_ptr_nonnull(r);
	c = &r->cells[0];
	c->kind = RCELL_SUMMARY;
	c->n = 7;
	c->median = 5.5;
	c->min = 1;
	c->max = 1e6 / 3;
	c->mean = 12.345678901234567;
	c = &r->cells[1];
	*c = r->cells[0];
	c->hide_range = 1;
	c = &r->cells[2];
	c->kind = RCELL_SUMMARY;
	c->n = 0;
	c = &r->cells[3];
	c->kind = RCELL_WEIGHTED;
	c->n = 40;
	c->pct = 27.027027027027028;
	c->se = 7.39;
	c->has_ci = 1;
	c->lo = 14.8;
	c->hi = 44.1;
	r = rtable_row(doc, t, "w", "Pondéré", "c3", "3");
	ck_assert_ptr_nonnull(r);
	c = &r->cells[0];
	c->kind = RCELL_WEIGHTED;
	c->is_mean = 1;
	c->n = 40;
	c->pct = 12.35;
	c->se = 1.2;
	c = &r->cells[1];
	c->kind = RCELL_TEST;
	c->text = "pas de test : une seule catégorie";
	c = &r->cells[2];
	c->kind = RCELL_TEST;
	c->test.method = STATS_FISHER;
	c->test.statistic = NAN;
	c->test.p = 0.00042;
	c->test.min_expected = 1.5;
	c->test.cramers_v = 0.4321;
	c->has_sim = 1;
	c->sim_b = 20000;
	c->sim_seed = 18446744073709551557ULL;
	c->sim_se = 0.000123;
	c->has_p_adj = 1;
	c->adjust = STATS_ADJUST_BH;
	c->p_adj = 0.0021;
	c = &r->cells[3];
	c->kind = RCELL_TEST;
	c->test.method = STATS_FISHER;
	c->test.statistic = NAN;
	c->test.p = 0.031;
	c->test.min_expected = 2.25;
	c->test.cramers_v = NAN;
	c->has_or = 1;
	c->alt = STATS_LESS;
	c->odds.estimate = 0;
	c->odds.lo = 0;
	c->odds.hi = INFINITY;
	c->odds.p = 0.031;
	r = rtable_row(doc, t, "x", "χ²", "c4", "4");
	ck_assert_ptr_nonnull(r);
	c = &r->cells[0];
	c->kind = RCELL_TEST;
	c->test.method = STATS_CHISQ;
	c->test.statistic = 13.333333333333334;
	c->test.df = 4;
	c->test.p = 0.9;
	c->test.min_expected = 6;
	c->test.cramers_v = 0.1;
	c->has_p_adj = 1;
	c->adjust = STATS_ADJUST_NONE;
	c->p_adj = 0.9;
	c = &r->cells[1];
	c->kind = RCELL_TEST;
	c->test.method = STATS_FISHER;
	c->test.statistic = NAN;
	c->test.p = 1;
	c->test.cramers_v = 0;
	c->has_or = 1;
	c->alt = STATS_TWO_SIDED;
	c->odds.estimate = 3.1;
	c->odds.lo = 1.21;
	c->odds.hi = 8.4;
	c->odds.p = 1;
	c->has_p_adj = 1;
	c->adjust = STATS_ADJUST_HOLM;
	c->p_adj = 1;
	rcell_count(&r->cells[2], 0);
	rcell_hide(&r->cells[3], 11);
	t->note = NULL;
	t = rdoc_table(doc, "empty_rows", "Sans lignes", 1);
	ck_assert_ptr_nonnull(t);
	rtable_column(doc, t, 0, "a", "A");
	t->note = "une note";
	ck_assert_int_eq(rdoc_status(doc, NULL), MSP_OK);
	return doc;
}

START_TEST(every_cell_round_trips)
{
	round_trip("every cell", every_cell_doc());
	round_trip("hostile labels", reportfix_hostile_doc());
}
END_TEST

/* text must be refused: MSP_EINVAL, with where in the message (NULL:
 * anything), and *out NULL. */
static void
refused(const char *what, const char *text, size_t len, const char *where)
{
	struct msp_error err;
	struct rdoc *doc = (struct rdoc *)&err;	/* not NULL before */
	enum msp_status rc = rdoc_from_json(text, len, &doc, &err);

	ck_assert_msg(rc == MSP_EINVAL, "%s: %d (%s)", what, rc,
		      rc == MSP_OK ? "accepted" : err.message);
	ck_assert_ptr_null(doc);
	ck_assert_msg(strncmp(err.message, "document de rapport (JSON)",
			      26) == 0, "%s: %s", what, err.message);
	ck_assert_msg(where == NULL || strstr(err.message, where) != NULL,
		      "%s: want « %s » in: %s", what, where, err.message);
}

static void
refused_text(const char *what, const char *text, const char *where)
{
	refused(what, text, strlen(text), where);
}

/* The rendering of every_cell_doc() as JSON, with from replaced by to
 * (once; from must be there). */
static char *
spoiled(const char *from, const char *to)
{
	struct rdoc *doc = every_cell_doc();
	char *json = render(doc, FORMAT_JSON), *at, *out;
	size_t n;

	rdoc_free(doc);
	at = strstr(json, from);
	ck_assert_msg(at != NULL, "« %s » not in the document", from);
	n = strlen(json) - strlen(from) + strlen(to) + 1;
	out = malloc(n);
	ck_assert_ptr_nonnull(out);
	snprintf(out, n, "%.*s%s%s", (int)(at - json), json, to,
		 at + strlen(from));
	free(json);
	return out;
}

START_TEST(malformed_documents_are_refused)
{
	static const struct {
		const char *from, *to, *where;
	} spoils[] = {
		{ "\"tables\":[", "\"tables\": 3, \"x\": [", "« tables »" },
		{ "\"header\":[", "\"header\": {}, \"x\": [", "« header »" },
		{ "\"type\":\"count\"", "\"type\": \"cube\"",
		  "tables[0].rows[0].cells[0]" },
		{ "\"type\":\"count\",\n", "",
		  "tables[0].rows[0].cells[0] : « type »" },
		{ "\"n\":12", "\"n\": -12", "« n » hors limites" },
		{ "\"n\":12", "\"n\": 12.5", "« n » n'est pas un entier" },
		{ "\"n\":12", "\"n\": \"12\"", "« n »" },
		{ "\"column\":\"a\"", "\"column\": \"b\"",
		  "n'est pas de sa colonne" },
		{ "\"below\":5", "\"below\": 0", "ne s'accordent pas" },
		{ "\"suppression\":\"primary\"",
		  "\"suppression\": \"secondary\"", "ne s'accordent pas" },
		{ "\"suppressed\":true", "\"suppressed\": false",
		  "« suppressed »" },
		{ "\"alternative\":\"less\"", "\"alternative\": \"more\"",
		  "« alternative »" },
		{ "\"Inf\"", "\"Infinity\"", "« conf_int »" },
		{ "\"method\":\"fisher\"", "\"method\": 3", "« method »" },
		{ "\"adjust\":\"BH\"", "\"adjust\": \"bonferroni\"",
		  "« adjust »" },
		{ "\"chart_column\":2", "\"chart_column\": 4",
		  "« chart_column »" },
		{ "\"title\":\"Toutes les cases\"", "\"title\": false",
		  "tables[0] : « title » n'est pas un texte" },
		{ "\"cells\":[", "\"cells\": [ {\"column\": \"z\", "
		  "\"type\": \"empty\"},", "4 colonnes" },
		{ "\"key\":\"study\"", "\"key\": [\"study\"]", "header[0]" },
		{ "\"seed\":18446744073709551557", "\"seed\": -1",
		  "« seed »" },
		{ "\"replicates\":20000", "\"replicates\": null",
		  "« replicates »" },
		{ "\"median\":5.5", "\"median\": null", "« median »" },
		{ "\"total\":3", "\"total\": true", "« total »" },
		{ "{\n  \"meta\"", "{ \"title\": 1, \"title\": 2, \"meta\"",
		  "duplicate" },
	};
	struct rdoc *doc = every_cell_doc();
	char *json = render(doc, FORMAT_JSON), *bad;
	size_t len = strlen(json), i;

	rdoc_free(doc);
	/* every cut of the document is refused: the JSON stops short
	 * (each of the first and last 300 bytes, one in 7 between) */
	for (i = 0; i + 2 < len; i += i < 300 || i + 300 > len ? 1 : 7)
		refused("truncated", json, i, NULL);
	free(json);
	for (i = 0; i < sizeof(spoils) / sizeof(spoils[0]); i++) {
		bad = spoiled(spoils[i].from, spoils[i].to);
		refused(spoils[i].to, bad, strlen(bad), spoils[i].where);
		free(bad);
	}
	refused_text("not an object", "[1, 2]", "n'est pas un objet");
	refused_text("null", "null", "n'est pas un objet");
	refused_text("no tables", "{\"title\": null, \"header\": []}",
		     "« tables »");
	refused_text("a table not an object",
		     "{\"title\": null, \"header\": [], \"tables\": [1]}",
		     "tables[0]");
	refused_text("bad UTF-8", "{\"title\": \"\xff\"}", NULL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rdoc_json");
	TCase *tc = tcase_create("round trip");

	tcase_add_unchecked_fixture(tc, load_shared, drop_shared);
	tcase_add_checked_fixture(tc, connect_case, disconnect_case);
	tcase_set_timeout(tc, 900);
	tcase_add_test(tc, every_cell_round_trips);
	tcase_add_test(tc, malformed_documents_are_refused);
	tcase_add_test(tc, reference_reports_round_trip);
	tcase_add_test(tc, waves_round_trip);
	suite_add_tcase(s, tc);
	return testdb_run(s);
}
