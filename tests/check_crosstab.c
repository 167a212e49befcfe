/*
 * The maintained cross-tabulations of closed studies (migration 0047,
 * msp.study_crosstab; issue 19 item 4): a closed study's frequency
 * tables, by every split, are counted when it closes, and the report
 * reads them.  What must hold:
 *   - every report they give (the owner's, an analyst's, a
 *     federation's, unsplit and split by every variable) is the one
 *     counted from the answers (--recount), line by line, on both
 *     reference studies and a generated one;
 *   - the stored rows equal counts this test asks of the answers in SQL
 *     of its own (a bug the two report paths shared would pass the
 *     comparison above; not this);
 *   - closing builds them, reopening drops them, and an erasure, a
 *     corrected answer or a structure moved to another region keeps
 *     them exact in its own transaction.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "report/format.h"
#include "report/report.h"
#include "report/report_doc.h"
#include "synth.h"
#include "testdb.h"

static PGconn *conn;
static struct testdb db;

/* The reference data and a generated PdL study "gen" of 300 responses,
 * closed: a database of its own, since the cases write. */
static void
load(void)
{
	struct synth_options opt = {
		.region = "pays-de-la-loire", .seed = 7, .responses = 300,
		.year = 2024, .study_slug = "gen",
	};
	struct synth_result res;
	struct msp_error err;

	testdb_open(&db);
	testdb_load(&db, NULL);
	testdb_load_reference(&db);
	ck_assert_msg(synth_generate(db.conn, &opt, &res, &err) == MSP_OK,
		      "%s", err.message);
	/* testdb_load_reference() opens the reference studies for the
	 * other suites: closed again, as a fresh load leaves them */
	testdb_value(db.conn, "WITH c AS (UPDATE msp.study SET state ="
		     " 'closed' WHERE slug IN ('pdl-2019', 'occitanie-2024')"
		     " RETURNING 1) SELECT count(*) FROM c");
	testdb_value(db.conn, "SELECT msp.study_transition('gen', 'close',"
		     " NULL)");
	testdb_value(db.conn, "INSERT INTO msp.access_token (token_sha256,"
		     " kind, region_id) SELECT sha256(convert_to(x.t, 'UTF8')),"
		     " x.k::msp.access_kind, (SELECT region_id FROM msp.region"
		     " WHERE slug = x.r) FROM (VALUES"
		     " ('analyst', 'analyst', NULL)) x (t, k, r)"
		     " RETURNING 1");
	/* a federation's own token counts nothing (msp.report_scope):
	 * the federation's counting functions, which these tests read
	 * from the tables, serve a protection run's token, as
	 * disclosure-protect's audit reads them */
	testdb_run_token(db.conn, "pdl-2019", "fed-pdl");
	testdb_run_token(db.conn, "occitanie-2024", "fed-occ");
}

static void
drop(void)
{
	testdb_close(&db);
}

static void
connect_case(void)
{
	conn = testdb_connect(&db);
}

static void
disconnect_case(void)
{
	PQfinish(conn);
	conn = NULL;
}

static void
exec_ok(const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(res);

	ck_assert_msg(st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK,
		      "%s: %s", sql, PQerrorMessage(conn));
	PQclear(res);
}

static long
sql_count(const char *sql)
{
	return strtol(testdb_value(conn, sql), NULL, 10);
}

/* The report as CSV: region, study, split (NULL: none), --recount,
 * token (NULL: the owner). */
static char *
report_csv(const char *region, const char *study, const char *by,
	   int recount, const char *token)
{
	struct report_options o;
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	struct msp_error err;
	struct rdoc *doc = NULL;

	report_options_init(&o);
	o.region = region;
	o.study = study;
	o.by = by;
	o.recount = recount;
	o.token = token;
	ck_assert_msg(report_build(conn, &o, &doc, &err) == MSP_OK,
		      "%s --by %s: %s", study, by ? by : "-", err.message);
	ck_assert_msg(format_render(doc, FORMAT_CSV, &out, &err) == MSP_OK,
		      "%s", err.message);
	rdoc_free(doc);
	return buf_steal(&out);
}

/* Fails unless a and b are the same text, naming the first line that
 * differs (Check's own message cuts long strings short). */
static void
assert_same_lines(const char *a, const char *b, const char *what,
		  const char *by)
{
	size_t line = 1;
	const char *pa = a, *pb = b;

	while (*pa != '\0' && *pb != '\0') {
		size_t la = strcspn(pa, "\n"), lb = strcspn(pb, "\n");

		if (la != lb || memcmp(pa, pb, la) != 0)
			ck_abort_msg("%s --by %s: line %zu differs:\n< %.*s\n"
				     "> %.*s", what, by ? by : "-", line,
				     (int)(la > 300 ? 300 : la), pa,
				     (int)(lb > 300 ? 300 : lb), pb);
		pa += la + (pa[la] == '\n');
		pb += lb + (pb[lb] == '\n');
		line++;
	}
	ck_assert_msg(*pa == '\0' && *pb == '\0', "%s --by %s: line %zu: "
		      "one text ends, the other goes on", what,
		      by ? by : "-", line);
}

/* One report from the tables and recounted: the same lines. */
static void
assert_report_recount(const char *region, const char *study,
		      const char *by, const char *token)
{
	char *fast = report_csv(region, study, by, 0, token);
	char *slow = report_csv(region, study, by, 1, token);

	assert_same_lines(fast, slow, study, by);
	free(fast);
	free(slow);
}

/* Every split study has tables for, and none: the owner's, an
 * analyst's and the region's federation's reports equal the recount;
 * returns how many splits. */
static int
assert_study_recount(const char *region, const char *study,
		     const char *fed)
{
	static const char sql[] =
		"SELECT b.split FROM msp.study_crosstab_split b"
		"  JOIN msp.study s USING (study_id)"
		" WHERE s.slug = $1 AND b.split <> ''"
		"   AND NOT (NOT b.derived AND EXISTS (SELECT 1"
		"       FROM msp.report_variable v WHERE v.var_key = b.split"
		"        AND EXISTS (SELECT 1 FROM msp.report_rule ru"
		"             JOIN msp.instrument i ON i.slug ="
		"                  ru.instrument_slug"
		"            WHERE ru.var_key = v.var_key"
		"              AND i.instrument_id = s.instrument_id)))"
		" ORDER BY 1";
	const char *params[1] = { study };
	struct msp_error err;
	PGresult *res;
	int i, n;

	/* (an item whose key a report variable also has: --by names the
	 * variable, which wins, so the item's split is never asked) */
	ck_assert_msg(db_exec(conn, "splits", sql, 1, params,
			      PGRES_TUPLES_OK, &res, &err) == MSP_OK, "%s",
		      err.message);
	n = PQntuples(res);
	ck_assert_int_gt(n, 10);
	assert_report_recount(region, study, NULL, NULL);
	assert_report_recount(region, study, NULL, "analyst");
	assert_report_recount(region, study, NULL, fed);
	for (i = 0; i < n; i++) {
		const char *by = PQgetvalue(res, i, 0);

		assert_report_recount(region, study, by, NULL);
		assert_report_recount(region, study, by, fed);
	}
	PQclear(res);
	return n;
}

/* The reports of both reference studies and of the generated one,
 * from the tables, equal a count from the answers. */
START_TEST(reports_equal_recount)
{
	ck_assert_int_gt(assert_study_recount("pays-de-la-loire",
					      "pdl-2019", "fed-pdl"), 10);
	ck_assert_int_gt(assert_study_recount("occitanie", "occitanie-2024",
					      "fed-occ"), 10);
	ck_assert_int_gt(assert_study_recount("pays-de-la-loire", "gen",
					      "fed-pdl"), 10);
}
END_TEST

/* The reports do read the tables: a row changed by hand shows in the
 * owner's and the federation's reports, not in the recount. */
START_TEST(reports_read_the_tables)
{
	char *before, *after, *fed_before, *fed_after;

	before = report_csv("pays-de-la-loire", "gen", "usagers", 0, NULL);
	fed_before = report_csv("pays-de-la-loire", "gen", "usagers", 0,
				"fed-pdl");
	exec_ok("UPDATE msp.study_crosstab c SET n = n + 1000"
		"  FROM msp.study s WHERE s.study_id = c.study_id"
		"   AND s.slug = 'gen' AND c.split = 'usagers'"
		"   AND c.kind = 'i' AND c.var = 'aci_signatory'");
	after = report_csv("pays-de-la-loire", "gen", "usagers", 0, NULL);
	fed_after = report_csv("pays-de-la-loire", "gen", "usagers", 0,
			       "fed-pdl");
	ck_assert_str_ne(before, after);
	ck_assert_str_ne(fed_before, fed_after);
	free(after);
	after = report_csv("pays-de-la-loire", "gen", "usagers", 1, NULL);
	ck_assert_str_eq(before, after);
	exec_ok("UPDATE msp.study_crosstab c SET n = n - 1000"
		"  FROM msp.study s WHERE s.study_id = c.study_id"
		"   AND s.slug = 'gen' AND c.split = 'usagers'"
		"   AND c.kind = 'i' AND c.var = 'aci_signatory'");
	free(before);
	free(after);
	free(fed_before);
	free(fed_after);
}
END_TEST

/*
 * The stored rows of study slug against SQL of this test's own over the
 * answers: split by yes/no item aci_signatory, the responses per group
 * ('g'), the answers of every single-choice and yes/no item per group
 * and value ('i'), and unsplit, the responses ('t').  Returns how many
 * rows differ (none expected) after checking that there were rows.
 */
static long
stored_vs_answers(const char *slug)
{
	char sql[4096];

	snprintf(sql, sizeof(sql),
		"WITH resp AS (SELECT r.response_id FROM msp.response r"
		"   JOIN msp.study s USING (study_id)"
		"  WHERE s.slug = '%s' AND r.status = 'complete'"
		"    AND NOT r.test),"
		" grp AS (SELECT a.response_id, CASE WHEN a.bool_value"
		"   THEN 'oui' ELSE 'non' END AS g"
		"   FROM msp.answer a JOIN resp USING (response_id)"
		"  WHERE a.item_key = 'aci_signatory'),"
		" mine AS ("
		"  SELECT 'g' AS kind, NULL::text AS var, NULL::text AS val,"
		"         g AS grp, count(*) AS n FROM grp GROUP BY g"
		"  UNION ALL"
		"  SELECT 'i', a.item_key, coalesce(a.choice_code,"
		"         CASE WHEN a.bool_value THEN 'oui'"
		"              WHEN NOT a.bool_value THEN 'non' END), grp.g,"
		"         count(*)"
		"    FROM msp.answer a JOIN grp USING (response_id)"
		"    JOIN msp.instrument_item it USING (instrument_id,"
		"         item_key)"
		"   WHERE it.item_type IN ('single_choice', 'boolean')"
		"   GROUP BY 1, 2, 3, 4"
		"  UNION ALL"
		"  SELECT 't', NULL, NULL, NULL, count(*) FROM resp),"
		" stored AS ("
		"  SELECT c.kind, c.var, c.val, c.grp, sum(c.n) AS n"
		"    FROM msp.study_crosstab c JOIN msp.study s"
		"   USING (study_id)"
		"    LEFT JOIN msp.instrument_item it"
		"      ON it.instrument_id = s.instrument_id"
		"     AND it.item_key = c.var"
		"   WHERE s.slug = '%s' AND ((c.split = 'aci_signatory'"
		"     AND NOT c.derived AND (c.kind = 'g' OR (c.kind = 'i'"
		"     AND it.item_type IN ('single_choice', 'boolean'))))"
		"      OR (c.split = '' AND c.kind = 't'))"
		"   GROUP BY 1, 2, 3, 4)"
		"SELECT CASE WHEN (SELECT count(*) FROM mine) < 20"
		"  THEN -1 ELSE (SELECT count(*) FROM ("
		"  (SELECT * FROM mine EXCEPT SELECT * FROM stored)"
		"  UNION ALL"
		"  (SELECT * FROM stored EXCEPT SELECT * FROM mine)) d) END",
		slug, slug);
	return sql_count(sql);
}

START_TEST(stored_rows_equal_sql)
{
	ck_assert_int_eq(stored_vs_answers("pdl-2019"), 0);
	ck_assert_int_eq(stored_vs_answers("occitanie-2024"), 0);
	ck_assert_int_eq(stored_vs_answers("gen"), 0);
}
END_TEST

#define GEN_ROWS \
	"SELECT count(*) FROM msp.study_crosstab c JOIN msp.study s" \
	" USING (study_id) WHERE s.slug = 'gen'"
#define GEN_RESPONSES \
	"SELECT count(*) FROM msp.response r JOIN msp.study s" \
	" USING (study_id) WHERE s.slug = 'gen' AND r.status = 'complete'"
#define GEN_STORED_T \
	"SELECT sum(c.n) FROM msp.study_crosstab c JOIN msp.study s" \
	" USING (study_id) WHERE s.slug = 'gen' AND c.split = ''" \
	"   AND c.kind = 't'"

/* Closing builds the tables, reopening drops them; an erasure, an
 * answer corrected and a structure moved keep them exact. */
START_TEST(tables_follow_the_study)
{
	long before;

	ck_assert_int_gt(sql_count(GEN_ROWS), 1000);
	/* reopen: gone (the study may take responses again) */
	exec_ok("UPDATE msp.study SET closes_on = NULL WHERE slug = 'gen'");
	exec_ok("SELECT msp.study_transition('gen', 'reopen', NULL)");
	ck_assert_int_eq(sql_count(GEN_ROWS), 0);
	ck_assert_int_eq(sql_count("SELECT count(*) FROM"
				   " msp.study_crosstab_split b JOIN"
				   " msp.study s USING (study_id)"
				   " WHERE s.slug = 'gen'"), 0);
	exec_ok("SELECT msp.study_transition('gen', 'close', NULL)");
	ck_assert_int_gt(sql_count(GEN_ROWS), 1000);
	ck_assert_int_eq(sql_count(GEN_STORED_T), sql_count(GEN_RESPONSES));

	/* an erasure (RGPD) of a structure that answered: its responses
	 * leave the tables in the erasure's transaction */
	before = sql_count(GEN_RESPONSES);
	exec_ok("SELECT count(*) FROM msp.erase_structure((SELECT"
		" r.structure_id FROM msp.response r JOIN msp.study s"
		" USING (study_id) WHERE s.slug = 'gen'"
		" AND r.status = 'complete' ORDER BY r.response_id LIMIT 1))");
	ck_assert_int_lt(sql_count(GEN_RESPONSES), before);
	ck_assert_int_eq(sql_count(GEN_STORED_T), sql_count(GEN_RESPONSES));
	ck_assert_int_eq(stored_vs_answers("gen"), 0);
	assert_report_recount("pays-de-la-loire", "gen", "usagers",
			      "fed-pdl");
	assert_report_recount("pays-de-la-loire", "gen", NULL, NULL);

	/* a response deleted by hand, an answer corrected */
	exec_ok("DELETE FROM msp.response WHERE response_id = (SELECT"
		" max(r.response_id) FROM msp.response r JOIN msp.study s"
		" USING (study_id) WHERE s.slug = 'gen')");
	exec_ok("UPDATE msp.answer a SET bool_value = NOT a.bool_value"
		"  FROM msp.response r JOIN msp.study s USING (study_id)"
		" WHERE r.response_id = a.response_id AND s.slug = 'gen'"
		"   AND a.item_key = 'aci_signatory'"
		"   AND r.response_id % 3 = 0");
	ck_assert_int_eq(sql_count(GEN_STORED_T), sql_count(GEN_RESPONSES));
	ck_assert_int_eq(stored_vs_answers("gen"), 0);
	assert_report_recount("pays-de-la-loire", "gen", "aci_signatory",
			      "fed-pdl");
	assert_report_recount("pays-de-la-loire", "gen", "usagers", NULL);

	/* a structure that answered moves to Occitanie: the PdL
	 * federation no longer counts it, the owner still does */
	exec_ok("UPDATE msp.structure SET region_id = (SELECT region_id"
		"  FROM msp.region WHERE slug = 'occitanie')"
		" WHERE structure_id = (SELECT min(r.structure_id)"
		"  FROM msp.response r JOIN msp.study s USING (study_id)"
		" WHERE s.slug = 'gen' AND r.status = 'complete')");
	ck_assert_int_eq(sql_count("SELECT count(*) FROM"
				   " msp.study_crosstab_region x JOIN"
				   " msp.study s USING (study_id)"
				   " WHERE s.slug = 'gen'"), 2);
	assert_report_recount("pays-de-la-loire", "gen", "usagers",
			      "fed-pdl");
	assert_report_recount("pays-de-la-loire", "gen", NULL, "fed-pdl");
	assert_report_recount("pays-de-la-loire", "gen", NULL, NULL);
	assert_report_recount("pays-de-la-loire", "gen", "usagers",
			      "analyst");
}
END_TEST

/* Runs sql, which the database must refuse with SQLSTATE state. */
static void
exec_refused(const char *sql, const char *state)
{
	PGresult *res = PQexec(conn, sql);
	const char *got = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	ck_assert_msg(PQresultStatus(res) == PGRES_FATAL_ERROR &&
		      got != NULL && strcmp(got, state) == 0,
		      "%s: expected %s, got %s (%s)", sql, state,
		      got != NULL ? got : "success", PQerrorMessage(conn));
	PQclear(res);
}

#define GEN_GENERATION \
	"SELECT g.generation FROM msp.study_generation g JOIN msp.study s" \
	" USING (study_id) WHERE s.slug = 'gen'"
#define GEN_FIRST_COMPLETE \
	"(SELECT min(r.response_id) FROM msp.response r JOIN msp.study s" \
	" USING (study_id) WHERE s.slug = 'gen' AND r.status = 'complete')"

/*
 * A response of a closed study cannot be moved out of it by an UPDATE
 * (its study, its structure or its instrument), nor one moved into it:
 * the closed study's counts, and so its tables and its generation,
 * stay what they were.  Moving a response out of a closed study once
 * passed (msp.study_accepts_response looked at the new study only),
 * and the tables went on counting a response the study no longer had.
 */
START_TEST(responses_do_not_move_across_a_closed_study)
{
	long gen_before = sql_count(GEN_GENERATION);
	long stored = sql_count(GEN_STORED_T);

	ck_assert_int_gt(stored, 100);
	ck_assert_int_eq(stored, sql_count(GEN_RESPONSES));
	/* an open study of the same instrument, region and year */
	exec_ok("INSERT INTO msp.study (slug, region_id, year, title_fr,"
		" instrument_id, state) SELECT 'gen-open', s.region_id,"
		" s.year, 'Ouverte', s.instrument_id, 'open'"
		" FROM msp.study s WHERE s.slug = 'gen'");
	exec_ok("INSERT INTO msp.response (study_id, instrument_id,"
		" structure_id, status, started_at, submitted_at,"
		" idempotency_key) SELECT o.study_id, o.instrument_id,"
		" r.structure_id, 'complete', r.started_at, r.submitted_at,"
		" 'crosstab-move-in' FROM msp.study o, msp.response r"
		" WHERE o.slug = 'gen-open' AND r.response_id = "
		GEN_FIRST_COMPLETE);

	/* out of the closed study: to the open one */
	exec_refused("UPDATE msp.response SET study_id = (SELECT study_id"
		     " FROM msp.study WHERE slug = 'gen-open')"
		     " WHERE response_id = " GEN_FIRST_COMPLETE, "MSPS1");
	/* its structure changed (refused before the fix as well) */
	exec_refused("UPDATE msp.response SET structure_id = (SELECT"
		     " max(structure_id) FROM msp.structure)"
		     " WHERE response_id = " GEN_FIRST_COMPLETE, "MSPS1");
	/* into it from the open study */
	exec_refused("UPDATE msp.response SET study_id = (SELECT study_id"
		     " FROM msp.study WHERE slug = 'gen')"
		     " WHERE idempotency_key = 'crosstab-move-in'", "MSPS1");
	/* several at once, in one statement, out of it */
	exec_refused("UPDATE msp.response r SET study_id = (SELECT study_id"
		     " FROM msp.study WHERE slug = 'gen-open')"
		     " FROM msp.study s WHERE s.study_id = r.study_id"
		     " AND s.slug = 'gen' AND r.response_id % 7 = 0", "MSPS1");

	ck_assert_int_eq(sql_count(GEN_RESPONSES), stored);
	ck_assert_int_eq(sql_count(GEN_STORED_T), stored);
	ck_assert_int_eq(sql_count(GEN_GENERATION), gen_before);
	ck_assert_int_eq(stored_vs_answers("gen"), 0);
	/* the other cases find their database as it was */
	exec_ok("DELETE FROM msp.response"
		" WHERE idempotency_key = 'crosstab-move-in'");
	exec_ok("DELETE FROM msp.study WHERE slug = 'gen-open'");
}
END_TEST

/*
 * A closed study's year is part of what its tables count: the
 * structure's age (anciennete) is the study's year less its opening
 * year.  Correcting the year rebuilds them, and the generation moves
 * (a plan made before is stale); the crosstab_state trigger fired on
 * the state only, and the tables kept the old ages.
 */
START_TEST(a_closed_study_year_corrected_rebuilds)
{
	long gen_before = sql_count(GEN_GENERATION);
	char *before = report_csv("pays-de-la-loire", "gen", "anciennete",
				  0, NULL);
	char *after;

	exec_ok("UPDATE msp.study SET year = year + 8 WHERE slug = 'gen'");
	assert_report_recount("pays-de-la-loire", "gen", "anciennete", NULL);
	/* the correction does change the counts: the case can fail */
	after = report_csv("pays-de-la-loire", "gen", "anciennete", 1, NULL);
	ck_assert_msg(strcmp(before, after) != 0, "the year changed no age");
	free(after);
	assert_report_recount("pays-de-la-loire", "gen", "anciennete",
			      "fed-pdl");
	assert_report_recount("pays-de-la-loire", "gen", NULL, "fed-pdl");
	ck_assert_int_gt(sql_count(GEN_GENERATION), gen_before);
	gen_before = sql_count(GEN_GENERATION);
	/* a write to the study that changes no count: no rebuild */
	exec_ok("UPDATE msp.study SET title_fr = title_fr || ' (corrigé)'"
		" WHERE slug = 'gen'");
	ck_assert_int_eq(sql_count(GEN_GENERATION), gen_before);
	exec_ok("UPDATE msp.study SET year = year - 8 WHERE slug = 'gen'");
	after = report_csv("pays-de-la-loire", "gen", "anciennete", 0, NULL);
	assert_same_lines(before, after, "gen", "anciennete");
	free(before);
	free(after);
}
END_TEST

static Suite *
crosstab_suite(void)
{
	Suite *s = suite_create("crosstab");
	TCase *tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, load, drop);
	tcase_add_checked_fixture(tc, connect_case, disconnect_case);
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, reports_equal_recount);
	tcase_add_test(tc, reports_read_the_tables);
	tcase_add_test(tc, stored_rows_equal_sql);
	tcase_add_test(tc, tables_follow_the_study);
	tcase_add_test(tc, responses_do_not_move_across_a_closed_study);
	tcase_add_test(tc, a_closed_study_year_corrected_rebuilds);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testdb_run(crosstab_suite());
}
