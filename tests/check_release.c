/*
 * check_release — a block's counts to its release (lib/report/release.c)
 * and both through JSON (lib/report/release_json.c).
 *
 * The release of hand-made blocks is checked against decisions worked
 * out by hand; the JSON round trip is checked on every block of every
 * report a federation and an analyst can ask for on both reference
 * studies (the reports of check_disclosure): counts to JSON text and
 * back, compared field by field with the counts the report used; the
 * release made again from the counts read back, compared with the
 * report's; the release to JSON text and back, compared field by
 * field.  Malformed documents fail with an error naming the member.
 *
 * The server module (pg/msp_sdc.so, msp.sdc_release) must decide as
 * msp-report does: every one of those blocks' counts is sent to it as
 * jsonb, and what it returns is read back and compared field by field
 * with the release the report made locally; a hand-made block is
 * checked against the decisions worked out by hand, and malformed
 * input raises 22023.
 */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "db.h"
#include "jsonin.h"
#include "report/release.h"
#include "report/release_json.h"
#include "report/report_disclosure.h"
#include "report/report.h"
#include "reportfix.h"
#include "testdb.h"

/* --- hand-made blocks --------------------------------------------------- */

/*
 * Head counts of two groups and their total, the total printed in the
 * response table: a group of 2 is below 5 (primary).  The other group,
 * 30, stays: the total also counts the responses in no group (no
 * answer to the --by variable), which nothing prints, so 32 - 30 is
 * not the hidden 2 to a reader.
 */
START_TEST(headcount_by_hand)
{
	static const unsigned long n[3] = { 2, 30, 32 };
	static const int is_total[3] = { 0, 0, 1 }, public[3] = { 0, 0, 1 };
	struct release_counts k = { 0 };
	struct release r;
	struct msp_error err;

	k.kind = RELEASE_HEADCOUNT;
	k.nrows = 1;
	k.ncols = 3;
	k.n = n;
	k.head = n;
	k.is_total = is_total;
	k.head_public = public;
	ck_assert_int_eq(release_make(&k, 5, &r, &err), MSP_OK);
	ck_assert_int_eq(r.why[0], RELEASE_PRIMARY);
	ck_assert_int_eq(r.why[1], RELEASE_PUBLISHED);
	ck_assert_int_eq(r.why[2], RELEASE_PUBLISHED);
	/* an absent figure has no value in the release */
	ck_assert_uint_eq(r.n[0], 0);
	ck_assert_uint_eq(r.n[1], 30);
	ck_assert_uint_eq(r.n[2], 32);
	release_clear(&r);
	/* threshold 0: the analyst's release, everything */
	ck_assert_int_eq(release_make(&k, 0, &r, &err), MSP_OK);
	ck_assert_uint_eq(r.n[0], 2);
	ck_assert_int_eq(r.why[0], RELEASE_PUBLISHED);
	ck_assert(r.range);
	release_clear(&r);
	/* a block without what its kind needs is refused */
	k.head_public = NULL;
	ck_assert_int_eq(release_make(&k, 5, &r, &err), MSP_EINVAL);
}
END_TEST

/*
 * One column, a single choice of three categories (12, 3, 20) and no
 * missing answer, percentages over all of them: the 3 is primary; with
 * the head count printed (35) and the denominator too, one more count
 * must go (the smallest, 12, since the largest are tried first) and
 * the percentages survive: the denominator 35 is the head count.
 */
START_TEST(single_by_hand)
{
	static const unsigned long n[4] = { 12, 3, 20, 0 }, head[1] = { 35 },
				   denom[1] = { 35 };
	static const int is_total[1] = { 0 }, printed[4] = { 1, 1, 1, 0 },
			 included[4] = { 1, 1, 1, 0 };
	struct release_counts k = { 0 };
	struct release r;
	struct msp_error err;

	k.kind = RELEASE_SINGLE;
	k.nrows = 4;
	k.ncols = 1;
	k.n = n;
	k.head = head;
	k.is_total = is_total;
	k.printed = printed;
	k.included = included;
	k.denom = denom;
	ck_assert_int_eq(release_make(&k, 5, &r, &err), MSP_OK);
	ck_assert_int_eq(r.why[1], RELEASE_PRIMARY);
	ck_assert_int_eq(r.why[0], RELEASE_COMPLEMENTARY);
	ck_assert_int_eq(r.why[2], RELEASE_PUBLISHED);
	ck_assert_uint_eq(r.n[2], 20);
	ck_assert_int_eq(r.denom_why[0], RELEASE_PUBLISHED);
	ck_assert_uint_eq(r.denom[0], 35);
	release_clear(&r);
}
END_TEST

START_TEST(term_and_primary_rules)
{
	ck_assert(!release_term_published(4, 5));
	ck_assert(release_term_published(5, 5));
	ck_assert(release_term_published(1, 0));
	ck_assert(release_primary(1, 5));
	ck_assert(release_primary(4, 5));
	ck_assert(!release_primary(0, 5));
	ck_assert(!release_primary(5, 5));
	ck_assert(!release_primary(3, 0));
}
END_TEST

/*
 * A figure over a cell outside the system is refused with -1 and adds
 * nothing; it used to be an assert(), which inside the backend
 * (pg/msp_sdc.so) aborts the server process.
 */
START_TEST(cell_out_of_range_is_an_error)
{
	struct dsys *s = dsys_new(3);
	size_t bad[] = { 0, 3 }, good[] = { 0, 1, 2 };

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(dsys_add(s, DFIG_CELL, 2, bad, 2), -1);
	/* nothing was added: the next figure is number 0 */
	ck_assert_int_eq(dsys_add(s, DFIG_PUBLIC, 9, good, 3), 0);
	ck_assert_int_eq(dsys_add(s, DFIG_CELL, 2, good, 1), 1);
	ck_assert_int_eq(dsys_solve(s, 5), 0);
	ck_assert(dsys_hidden(s, 1));
	ck_assert(!dsys_hidden(s, 0));
	ck_assert(!dsys_hidden(s, -1));
	dsys_free(s);
}
END_TEST

/* --- malformed documents ------------------------------------------------- */

/* What release_counts_from_json (counts) or release_from_json says of
 * text, which must parse as JSON. */
static enum msp_status
read_doc(const char *text, int counts, struct msp_error *err)
{
	struct json_object *o = NULL;
	struct release_counts k;
	struct release r;
	enum msp_status rc;

	ck_assert_msg(jsonin_parse(text, strlen(text), &o, err) == MSP_OK,
		      "%s", err->message);
	if (counts) {
		rc = release_counts_from_json(o, &k, err);
		if (rc == MSP_OK)
			release_counts_free(&k);
	} else {
		rc = release_from_json(o, &r, err);
		if (rc == MSP_OK)
			release_clear(&r);
	}
	json_object_put(o);
	return rc;
}

START_TEST(malformed_documents)
{
	static const char *const bad_counts[] = {
		"[]",
		"{}",
		"{\"kind\":\"nope\",\"rows\":1,\"cols\":1}",
		"{\"kind\":\"text\",\"rows\":2,\"cols\":0}",
		"{\"kind\":\"text\",\"rows\":2,\"cols\":1}",
		"{\"kind\":\"text\",\"rows\":2,\"cols\":1,\"n\":[1],"
		"\"head\":[1],\"is_total\":[false]}",
		"{\"kind\":\"text\",\"rows\":2,\"cols\":1,\"n\":[1,-1],"
		"\"head\":[1],\"is_total\":[false]}",
		"{\"kind\":\"text\",\"rows\":2,\"cols\":1,\"n\":[1,1.5],"
		"\"head\":[1],\"is_total\":[false]}",
		"{\"kind\":\"text\",\"rows\":2,\"cols\":1,\"n\":[1,"
		"9007199254740993],\"head\":[1],\"is_total\":[false]}",
		"{\"kind\":\"text\",\"rows\":2,\"cols\":1,\"n\":[1,1],"
		"\"head\":[2],\"is_total\":[1]}",
		"{\"kind\":\"text\",\"rows\":2,\"cols\":2,\"n\":[1,1,1,1],"
		"\"head\":[2,2],\"is_total\":[true,true]}",
		"{\"kind\":\"single\",\"rows\":2,\"cols\":1,\"n\":[1,1],"
		"\"head\":[2],\"is_total\":[false]}",
		"{\"kind\":\"multi\",\"rows\":2,\"cols\":1,\"n\":[1,3],"
		"\"head\":[2],\"is_total\":[false]}",
		"{\"kind\":\"number\",\"rows\":4,\"cols\":1,\"n\":[3,0,2,0],"
		"\"head\":[2],\"is_total\":[false],\"summary\":[{\"median\":1,"
		"\"mean\":1,\"min\":1,\"max\":1}]}",
		"{\"kind\":\"single\",\"rows\":1001,\"cols\":1}",
		"{\"kind\":\"single\",\"rows\":1000,\"cols\":64}",
	};
	static const char *const bad_releases[] = {
		"{\"kind\":\"text\",\"rows\":2,\"cols\":1,\"threshold\":5,"
		"\"n\":[1,\"secret\"],\"denom\":[2]}",
		"{\"kind\":\"text\",\"rows\":2,\"cols\":1,\"threshold\":5,"
		"\"n\":[1],\"denom\":[2]}",
		"{\"kind\":\"text\",\"rows\":3,\"cols\":1,\"threshold\":5,"
		"\"n\":[1,2,3],\"denom\":[2]}",
		"{\"kind\":\"number\",\"rows\":4,\"cols\":1,\"threshold\":5,"
		"\"n\":[1,2,3,4],\"denom\":[2]}",
		"{\"kind\":\"text\",\"rows\":2,\"cols\":1,\"threshold\":-1,"
		"\"n\":[1,2],\"denom\":[2]}",
	};
	struct msp_error err;
	size_t i;

	for (i = 0; i < sizeof(bad_counts) / sizeof(bad_counts[0]); i++)
		ck_assert_msg(read_doc(bad_counts[i], 1, &err) == MSP_EINVAL,
			      "accepted: %s", bad_counts[i]);
	for (i = 0; i < sizeof(bad_releases) / sizeof(bad_releases[0]); i++)
		ck_assert_msg(read_doc(bad_releases[i], 0, &err) ==
			      MSP_EINVAL, "accepted: %s", bad_releases[i]);
	/* the message names the member */
	read_doc(bad_counts[6], 1, &err);
	ck_assert_ptr_nonnull(strstr(err.message, "\"n\""));
	/* and a well-formed one passes */
	ck_assert_int_eq(read_doc("{\"kind\":\"text\",\"rows\":2,\"cols\":1,"
				  "\"n\":[1,1],\"head\":[2],"
				  "\"is_total\":[false]}", 1, &err), MSP_OK);
	ck_assert_int_eq(read_doc("{\"kind\":\"text\",\"rows\":2,\"cols\":1,"
				  "\"threshold\":5,\"n\":[\"primary\","
				  "\"complementary\"],\"denom\":[2]}", 0,
				  &err), MSP_OK);
}
END_TEST

/* --- the round trip over the reference studies --------------------------- */

struct seen {
	size_t blocks, primary, complementary, kinds[RELEASE_TEXT + 1];
	/* a second connection, as the owner, to msp.sdc_release; and
	 * the blocks it decided (the same, or the test failed) */
	PGconn *module;
	size_t decided;
};

static void
same_ulongs(const unsigned long *a, const unsigned long *b, size_t n,
	    const char *what)
{
	size_t i;

	ck_assert_msg((a == NULL) == (b == NULL), "%s: one is NULL", what);
	for (i = 0; a != NULL && i < n; i++)
		ck_assert_msg(a[i] == b[i], "%s[%zu]: %lu, %lu", what, i,
			      a[i], b[i]);
}

static void
same_ints(const int *a, const int *b, size_t n, const char *what)
{
	size_t i;

	ck_assert_msg((a == NULL) == (b == NULL), "%s: one is NULL", what);
	for (i = 0; a != NULL && i < n; i++)
		ck_assert_msg((a[i] != 0) == (b[i] != 0), "%s[%zu]", what, i);
}

static void
same_real(double a, double b, const char *what)
{
	ck_assert_msg((isnan(a) && isnan(b)) || a == b, "%s: %.17g, %.17g",
		      what, a, b);
}

static void
same_summaries(const struct release_summary *a,
	       const struct release_summary *b, size_t n)
{
	size_t j;

	ck_assert_msg((a == NULL) == (b == NULL), "summary: one is NULL");
	for (j = 0; a != NULL && j < n; j++) {
		same_real(a[j].median, b[j].median, "median");
		same_real(a[j].mean, b[j].mean, "mean");
		same_real(a[j].min, b[j].min, "min");
		same_real(a[j].max, b[j].max, "max");
	}
}

static void
same_counts(const struct release_counts *a, const struct release_counts *b)
{
	const size_t cells = a->nrows * a->ncols;

	ck_assert_int_eq(a->kind, b->kind);
	ck_assert_uint_eq(a->nrows, b->nrows);
	ck_assert_uint_eq(a->ncols, b->ncols);
	same_ulongs(a->n, b->n, cells, "n");
	same_ulongs(a->head, b->head, a->ncols, "head");
	same_ulongs(a->denom, b->denom, a->ncols, "denom");
	same_ints(a->is_total, b->is_total, a->ncols, "is_total");
	same_ints(a->head_secret, b->head_secret, a->ncols, "head_secret");
	same_ints(a->head_public, b->head_public, a->ncols, "head_public");
	same_ints(a->printed, b->printed, a->nrows, "printed");
	same_ints(a->included, b->included, a->nrows, "included");
	same_summaries(a->summary, b->summary, a->ncols);
	ck_assert_int_eq(a->any_missing, b->any_missing);
	ck_assert_int_eq(a->missing_kept, b->missing_kept);
	ck_assert_int_eq(a->presence, b->presence);
}

static void
same_release(const struct release *a, const struct release *b)
{
	const size_t cells = a->nrows * a->ncols;
	size_t i;

	ck_assert_int_eq(a->kind, b->kind);
	ck_assert_uint_eq(a->nrows, b->nrows);
	ck_assert_uint_eq(a->ncols, b->ncols);
	ck_assert_uint_eq(a->threshold, b->threshold);
	ck_assert_int_eq(a->range, b->range);
	same_ulongs(a->n, b->n, cells, "n");
	same_ulongs(a->denom, b->denom, a->ncols, "denom");
	for (i = 0; i < cells; i++)
		ck_assert_int_eq(a->why[i], b->why[i]);
	for (i = 0; i < a->ncols; i++)
		ck_assert_int_eq(a->denom_why[i], b->denom_why[i]);
	same_summaries(a->summary, b->summary, a->ncols);
}

/* o as text and parsed back (strictly, as the module will). */
static struct json_object *
through_text(struct json_object *o)
{
	struct msp_error err;
	struct json_object *back = NULL;
	const char *text = json_object_to_json_string_ext(o,
						JSON_C_TO_STRING_PLAIN);

	ck_assert_ptr_nonnull(text);
	ck_assert_msg(jsonin_parse(text, strlen(text), &back, &err) == MSP_OK,
		      "%s", err.message);
	json_object_put(o);
	return back;
}

/*
 * k's release as the server module makes it (msp.sdc_release on m),
 * compared with r, the one msp-report made.
 */
static void
same_in_module(PGconn *m, const struct release_counts *k,
	       const struct release *r)
{
	struct json_object *o, *back = NULL;
	struct release r4;
	struct msp_error err;
	const char *params[2];
	const char *text;
	char threshold[16];
	PGresult *res;

	o = release_counts_to_json(k, &err);
	ck_assert_msg(o != NULL, "%s", err.message);
	params[0] = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	ck_assert_ptr_nonnull(params[0]);
	snprintf(threshold, sizeof(threshold), "%u", r->threshold);
	params[1] = threshold;
	/* $1: the counts; $2: the report's threshold (0 or the policy's) */
	res = PQexecParams(m, "SELECT msp.sdc_release($1::jsonb,"
			   " $2::integer)::text", 2, NULL, params, NULL, NULL,
			   0);
	ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%s",
		      PQresultErrorMessage(res));
	json_object_put(o);
	text = PQgetvalue(res, 0, 0);
	ck_assert_msg(jsonin_parse(text, strlen(text), &back, &err) == MSP_OK,
		      "%s", err.message);
	PQclear(res);
	ck_assert_msg(release_from_json(back, &r4, &err) == MSP_OK, "%s",
		      err.message);
	json_object_put(back);
	same_release(r, &r4);
	release_clear(&r4);
}

static void
round_trip(void *arg, const struct release_counts *k,
	   const struct release *r)
{
	struct seen *seen = arg;
	struct release_counts k2;
	struct release r2, r3;
	struct json_object *o;
	struct msp_error err;
	size_t i;

	o = release_counts_to_json(k, &err);
	ck_assert_msg(o != NULL, "%s", err.message);
	o = through_text(o);
	ck_assert_msg(release_counts_from_json(o, &k2, &err) == MSP_OK, "%s",
		      err.message);
	json_object_put(o);
	same_counts(k, &k2);
	/* the counts read back make the same release */
	ck_assert_msg(release_make(&k2, r->threshold, &r2, &err) == MSP_OK,
		      "%s", err.message);
	same_release(r, &r2);
	release_clear(&r2);
	release_counts_free(&k2);

	o = release_to_json(r, &err);
	ck_assert_msg(o != NULL, "%s", err.message);
	o = through_text(o);
	ck_assert_msg(release_from_json(o, &r3, &err) == MSP_OK, "%s",
		      err.message);
	json_object_put(o);
	same_release(r, &r3);
	release_clear(&r3);
	if (seen->module != NULL) {
		same_in_module(seen->module, k, r);
		seen->decided++;
	}

	seen->blocks++;
	seen->kinds[r->kind]++;
	for (i = 0; i < r->nrows * r->ncols; i++) {
		seen->primary += r->why[i] == RELEASE_PRIMARY;
		seen->complementary += r->why[i] == RELEASE_COMPLEMENTARY;
	}
}

/* The hand-made single choice of single_by_hand, through JSON: the
 * absent figures keep their reasons, and nothing else changes. */
START_TEST(hand_release_through_json)
{
	static const unsigned long n[4] = { 12, 3, 20, 0 }, head[1] = { 35 },
				   denom[1] = { 35 };
	static const int is_total[1] = { 0 }, printed[4] = { 1, 1, 1, 0 },
			 included[4] = { 1, 1, 1, 0 };
	struct release_counts k = { 0 };
	struct release r;
	struct seen seen;
	struct msp_error err;
	struct json_object *o;
	const char *text;

	memset(&seen, 0, sizeof(seen));
	k.kind = RELEASE_SINGLE;
	k.nrows = 4;
	k.ncols = 1;
	k.n = n;
	k.head = head;
	k.is_total = is_total;
	k.printed = printed;
	k.included = included;
	k.denom = denom;
	ck_assert_int_eq(release_make(&k, 5, &r, &err), MSP_OK);
	round_trip(&seen, &k, &r);
	ck_assert_uint_eq(seen.primary, 1);
	ck_assert_uint_eq(seen.complementary, 1);
	/* the document docs/report.md shows */
	o = release_to_json(&r, &err);
	ck_assert_ptr_nonnull(o);
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	ck_assert_ptr_nonnull(strstr(text, "\"n\":[\"complementary\","
				     "\"primary\",20,0]"));
	json_object_put(o);
	release_clear(&r);
}
END_TEST

static PGresult *
query(const char *sql, int nparams, const char *const *params)
{
	struct msp_error err;
	PGresult *res = NULL;

	ck_assert_msg(db_exec(conn, "test", sql, nparams, params,
			      PGRES_TUPLES_OK, &res, &err) == MSP_OK, "%s",
		      err.message);
	return res;
}

/* A second connection with c's parameters (the owner's). */
static PGconn *
connect_again(PGconn *c)
{
	PQconninfoOption *opts = PQconninfo(c), *o;
	const char *keys[64], *values[64];
	size_t n = 0;
	PGconn *again;

	ck_assert_ptr_nonnull(opts);
	for (o = opts; o->keyword != NULL && n < 63; o++)
		if (o->val != NULL && o->val[0] != '\0') {
			keys[n] = o->keyword;
			values[n++] = o->val;
		}
	keys[n] = values[n] = NULL;
	again = PQconnectdbParams(keys, values, 0);
	PQconninfoFree(opts);
	ck_assert_msg(PQstatus(again) == CONNECTION_OK, "%s",
		      PQerrorMessage(again));
	return again;
}

/* The SQLSTATE of sql on conn, which must fail. */
static const char *
fails_with(const char *sql)
{
	static char state[6];
	PGresult *res = PQexec(conn, sql);

	ck_assert_msg(PQresultStatus(res) == PGRES_FATAL_ERROR,
		      "succeeded: %s", sql);
	snprintf(state, sizeof(state), "%s",
		 PQresultErrorField(res, PG_DIAG_SQLSTATE));
	PQclear(res);
	return state;
}

#define HAND_BLOCK "{\"kind\":\"single\",\"rows\":4,\"cols\":1," \
	"\"n\":[12,3,20,0],\"head\":[35],\"is_total\":[false]," \
	"\"printed\":[true,true,true,false]," \
	"\"included\":[true,true,true,false],\"denom\":[35]}"

/*
 * single_by_hand's block through the module: at 5, the 3 is primary
 * and the 12 complementary (12 + 3 = 35 - 20); at 0 all is published;
 * an array of blocks gives the array of their releases, in order.
 * Malformed input, a threshold out of range and a scalar raise 22023;
 * a federation may not call it (only the definer functions do).
 */
START_TEST(module_by_hand)
{
	ck_assert_str_eq(testdb_value(conn, "SELECT msp.sdc_release('"
		HAND_BLOCK "', 5)->'n' = '[\"complementary\", \"primary\","
		" 20, 0]'::jsonb"), "t");
	ck_assert_str_eq(testdb_value(conn, "SELECT (msp.sdc_release('"
		HAND_BLOCK "', 5)->'denom')::text"), "[35]");
	ck_assert_str_eq(testdb_value(conn, "SELECT msp.sdc_release('"
		HAND_BLOCK "', 0)->'n' = '[12, 3, 20, 0]'::jsonb"), "t");
	ck_assert_str_eq(testdb_value(conn, "SELECT msp.sdc_release('["
		HAND_BLOCK "," HAND_BLOCK "]', 5) = jsonb_build_array("
		"msp.sdc_release('" HAND_BLOCK "', 5),"
		" msp.sdc_release('" HAND_BLOCK "', 5))"), "t");
	ck_assert_str_eq(testdb_value(conn, "SELECT msp.sdc_release('[]', 5)"
		"::text"), "[]");
	ck_assert_str_eq(fails_with("SELECT msp.sdc_release("
		"'{\"kind\":1}', 5)"), "22023");
	ck_assert_str_eq(fails_with("SELECT msp.sdc_release('" HAND_BLOCK
		"', 1001)"), "22023");
	ck_assert_str_eq(fails_with("SELECT msp.sdc_release('" HAND_BLOCK
		"', -1)"), "22023");
	ck_assert_str_eq(fails_with("SELECT msp.sdc_release('5', 5)"),
		"22023");
	ck_assert_str_eq(fails_with("SELECT msp.sdc_release('[1]', 5)"),
		"22023");
	ck_assert_str_eq(testdb_value(conn, "SELECT has_function_privilege("
		"'msp_federation', 'msp.sdc_release(jsonb, integer)',"
		" 'EXECUTE')"), "f");
}
END_TEST

/* Builds o under token; "fed-REGION" is the federation's report as
 * the analyst previews it (a federation's own token reads published
 * releases only, and these studies are open: report_stored.c). */
static void
build(struct report_options *o, const char *token, struct seen *seen)
{
	struct msp_error err;
	struct rdoc *doc = NULL;

	o->preview = strncmp(token, "fed-", 4) == 0;
	o->token = o->preview ? "analyst-release" : token;
	o->release_seen = round_trip;
	o->release_arg = seen;
	ck_assert_msg(report_build(conn, o, &doc, &err) == MSP_OK, "%s",
		      err.message);
	rdoc_free(doc);
}

START_TEST(every_block_survives_json)
{
	static const char *const who[] = { "fed", "analyst-release" };
	struct report_options o;
	struct seen seen;
	PGresult *regions, *vars;
	char compare[256] = "", token[64];
	int i, k, rule;
	size_t w;

	memset(&seen, 0, sizeof(seen));
	seen.module = connect_again(conn);
	testdb_make_token(conn, "analyst-release", "analyst", NULL);
	regions = query("SELECT r.slug FROM msp.region r WHERE EXISTS ("
			"SELECT 1 FROM msp.study s WHERE s.region_id ="
			" r.region_id) ORDER BY 1", 0, NULL);
	ck_assert_int_ge(PQntuples(regions), 2);
	for (i = 0; i < PQntuples(regions); i++) {
		const char *region = PQgetvalue(regions, i, 0);
		const char *params[1] = { region };

		snprintf(compare + strlen(compare),
			 sizeof(compare) - strlen(compare), "%s%s",
			 i ? "," : "", region);
		snprintf(token, sizeof(token), "fed-%s", region);
		vars = query("SELECT ii.item_key FROM msp.instrument_item ii"
			     " JOIN msp.study s USING (instrument_id)"
			     " JOIN msp.region r USING (region_id)"
			     " WHERE r.slug = $1 AND ii.item_type IN"
			     " ('single_choice', 'boolean') ORDER BY 1", 1,
			     params);
		/* every report of the federation; the analyst's (threshold
		 * 0, nothing absent) once per kind of report */
		for (w = 0; w < 2; w++) {
			const char *t = w == 0 ? token : who[w];

			for (rule = 0; rule < (w == 0 ? 4 : 1); rule++) {
				report_options_init(&o);
				o.region = region;
				o.dont_know = rule & 1 ? REPORT_EXCLUDE :
					      REPORT_KEEP;
				o.missing = rule & 2 ? REPORT_KEEP :
					    REPORT_EXCLUDE;
				build(&o, t, &seen);
			}
			report_options_init(&o);
			o.region = region;
			o.nonresponse = 1;
			build(&o, t, &seen);
			for (k = 0; k < (w == 0 ? PQntuples(vars) : 1); k++) {
				report_options_init(&o);
				o.region = region;
				o.by = PQgetvalue(vars, k, 0);
				build(&o, t, &seen);
			}
		}
		PQclear(vars);
	}
	report_options_init(&o);
	o.compare = compare;
	build(&o, "fed-occitanie", &seen);
	build(&o, "analyst-release", &seen);
	PQclear(regions);
	/* every kind went through, absent figures of both reasons too */
	for (k = 0; k <= RELEASE_TEXT; k++)
		ck_assert_msg(seen.kinds[k] > 0, "no block of kind %d", k);
	ck_assert_uint_gt(seen.primary, 50);
	ck_assert_uint_gt(seen.complementary, 50);
	/* and the module decided every one of them the same */
	ck_assert_uint_eq(seen.decided, seen.blocks);
	PQfinish(seen.module);
	printf("release: %zu blocks through JSON and back (%zu primary, %zu "
	       "complementary absent figures), each decided the same by "
	       "msp.sdc_release\n", seen.blocks, seen.primary,
	       seen.complementary);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("release");
	TCase *unit = tcase_create("unit");
	TCase *ref = tcase_create("reference");

	tcase_add_test(unit, headcount_by_hand);
	tcase_add_test(unit, single_by_hand);
	tcase_add_test(unit, term_and_primary_rules);
	tcase_add_test(unit, cell_out_of_range_is_an_error);
	tcase_add_test(unit, malformed_documents);
	tcase_add_test(unit, hand_release_through_json);
	suite_add_tcase(s, unit);

	tcase_add_unchecked_fixture(ref, load_shared, drop_shared);
	tcase_add_checked_fixture(ref, connect_case, disconnect_case);
	tcase_set_timeout(ref, 600);
	tcase_add_test(ref, module_by_hand);
	tcase_add_test(ref, every_block_survives_json);
	suite_add_tcase(s, ref);
	return testdb_run(s);
}
