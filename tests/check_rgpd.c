/*
 * RGPD in the database: msp.erase_structure removes one structure's
 * rows from every table and from the audit trail, leaves one record
 * that names nobody, touches no other structure, and leaves RLS as it
 * was; msp.team_export gives a team its own rows and nobody else's.
 * Checked by reading every table of the schema and the pg_dump of the
 * database, not only the tables the function knows about.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "testdb.h"

static struct testdb db;

static void
setup(void)
{
	testdb_open(&db);
	testdb_load(&db, "tests/data/rgpd-fixture.sql");
}

static void
teardown(void)
{
	testdb_close(&db);
}

static const char *
value(const char *sql)
{
	return testdb_value(db.conn, sql);
}

/* Runs a statement that returns no rows (SET, RESET). */
static void
command(const char *sql)
{
	struct msp_error err;

	ck_assert_msg(db_exec(db.conn, "test", sql, 0, NULL, PGRES_COMMAND_OK,
			      NULL, &err) == MSP_OK, "%s: %s", sql,
		      err.message);
}

/* Runs sql expecting failure with SQLSTATE state. */
static void
refused(const char *sql, const char *state)
{
	struct msp_error err;

	ck_assert_msg(db_exec(db.conn, "attempt", sql, 0, NULL,
			      PGRES_TUPLES_OK, NULL, &err) == MSP_EDB,
		      "allowed: %s", sql);
	ck_assert_msg(strcmp(err.sqlstate, state) == 0, "%s: want %s, got %s"
		      " (%s)", sql, state, err.sqlstate, err.message);
}

/* Every table of the project's schemas: "schema.table", quoted. */
static PGresult *
all_tables(void)
{
	struct msp_error err;
	PGresult *res = NULL;

	ck_assert_msg(db_exec(db.conn, "tables",
		"SELECT pg_catalog.format('%I.%I', n.nspname, c.relname)"
		"  FROM pg_catalog.pg_class c"
		"  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
		" WHERE n.nspname IN ('msp', 'msp_audit', 'msp_meta')"
		"   AND c.relkind IN ('r', 'p') ORDER BY 1",
		0, NULL, PGRES_TUPLES_OK, &res, &err) == MSP_OK, "%s",
		err.message);
	ck_assert_int_gt(PQntuples(res), 20);
	return res;
}

/*
 * Rows of any table whose text form contains marker, as
 * "table:count,..." (empty when none).  Table names come from the
 * catalog, quoted by format(); the marker is a parameter.
 */
static const char *
rows_mentioning(const char *marker)
{
	static char found[1024];
	const char *params[1] = { marker };
	PGresult *tables = all_tables(), *res = NULL;
	struct msp_error err;
	char sql[256];
	int i;

	found[0] = '\0';
	for (i = 0; i < PQntuples(tables); i++) {
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s t WHERE"
			 " strpos(t::text, $1) > 0", PQgetvalue(tables, i, 0));
		ck_assert_msg(db_exec(db.conn, "scan", sql, 1, params,
				      PGRES_TUPLES_OK, &res, &err) == MSP_OK,
			      "%s", err.message);
		if (strcmp(PQgetvalue(res, 0, 0), "0") != 0)
			snprintf(found + strlen(found),
				 sizeof(found) - strlen(found), "%s:%s,",
				 PQgetvalue(tables, i, 0),
				 PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	PQclear(tables);
	return found;
}

/* Rows of a structure_id column anywhere that hold id, as above. */
static const char *
rows_of_structure(const char *id)
{
	static char found[1024];
	const char *params[1] = { id };
	PGresult *cols = NULL, *res = NULL;
	struct msp_error err;
	char sql[256];
	int i;

	ck_assert(db_exec(db.conn, "columns",
		"SELECT pg_catalog.format('%I.%I', table_schema, table_name)"
		"  FROM information_schema.columns"
		" WHERE table_schema IN ('msp', 'msp_audit')"
		"   AND column_name = 'structure_id'"
		"   AND table_name IN (SELECT table_name"
		"        FROM information_schema.tables"
		"       WHERE table_type = 'BASE TABLE')", 0, NULL,
		PGRES_TUPLES_OK, &cols, &err) == MSP_OK);
	/* structure, staff, population, contact, response, interview,
	 * access_token, audit log */
	ck_assert_int_ge(PQntuples(cols), 8);
	found[0] = '\0';
	for (i = 0; i < PQntuples(cols); i++) {
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s"
			 " WHERE structure_id = $1::integer",
			 PQgetvalue(cols, i, 0));
		ck_assert(db_exec(db.conn, "scan", sql, 1, params,
				  PGRES_TUPLES_OK, &res, &err) == MSP_OK);
		if (strcmp(PQgetvalue(res, 0, 0), "0") != 0)
			snprintf(found + strlen(found),
				 sizeof(found) - strlen(found), "%s:%s,",
				 PQgetvalue(cols, i, 0), PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	PQclear(cols);
	return found;
}

/* A fingerprint of every row of every table, into b. */
static void
everything(struct buf *b)
{
	PGresult *tables = all_tables();
	char sql[256];
	int i;

	buf_reset(b);
	for (i = 0; i < PQntuples(tables); i++) {
		snprintf(sql, sizeof(sql), "SELECT coalesce(md5(string_agg("
			 "t::text, '|' ORDER BY t::text)), '-') FROM %s t",
			 PQgetvalue(tables, i, 0));
		buf_printf(b, "%s=%s\n", PQgetvalue(tables, i, 0), value(sql));
	}
	PQclear(tables);
}

/* The pg_dump of the test database (data and schema), into b. */
static void
dump(struct buf *b)
{
	const char *bindir = getenv("PG_BINDIR");
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "'%s/pg_dump' -h '%s' -p '%s' -U '%s'"
		 " -d '%s'", bindir != NULL && *bindir ? bindir : "/usr/bin",
		 PQhost(db.conn), PQport(db.conn), PQuser(db.conn),
		 PQdb(db.conn));
	buf_reset(b);
	ck_assert_int_eq(testdb_shell(cmd, b), 0);
	/* the dump has the data in it */
	ck_assert_ptr_nonnull(strstr(buf_str(b), "texte-equipe-deux"));
}

/* What structures 2 and 3 have, everywhere, audit trail included. */
#define OTHERS \
	"SELECT md5(string_agg(x, '|' ORDER BY x)) FROM (" \
	" SELECT s::text AS x FROM msp.structure s WHERE structure_id <> 1" \
	" UNION ALL SELECT f::text FROM msp.structure_staff f" \
	"  WHERE structure_id <> 1" \
	" UNION ALL SELECT p::text FROM msp.population p" \
	"  WHERE structure_id <> 1" \
	" UNION ALL SELECT c::text FROM msp.contact c WHERE structure_id <> 1" \
	" UNION ALL SELECT r::text FROM msp.response r" \
	"  WHERE structure_id <> 1" \
	" UNION ALL SELECT a::text FROM msp.answer a WHERE response_id IN" \
	"  (SELECT response_id FROM msp.response WHERE structure_id <> 1)" \
	" UNION ALL SELECT k::text FROM msp.answer_code k" \
	"  WHERE response_id IN" \
	"  (SELECT response_id FROM msp.response WHERE structure_id <> 1)" \
	" UNION ALL SELECT i::text FROM msp.interview i" \
	"  WHERE structure_id <> 1" \
	" UNION ALL SELECT g::text FROM msp.segment g WHERE interview_id IN" \
	"  (SELECT interview_id FROM msp.interview WHERE structure_id <> 1)" \
	" UNION ALL SELECT t::text FROM msp.access_token t" \
	"  WHERE structure_id IS DISTINCT FROM 1" \
	" UNION ALL SELECT c::text FROM msp.report_cache c WHERE study_id = 2" \
	" UNION ALL SELECT l::text FROM msp_audit.log l" \
	"  WHERE l.structure_id IN (2, 3)" \
	"     OR coalesce(l.new_row, l.old_row) ->> 'response_id'" \
	"        IN ('2', '3')" \
	"     OR (l.table_name = 'segment' AND" \
	"         coalesce(l.new_row, l.old_row) ->> 'interview_id'" \
	"         IN ('2', '3'))) AS o"

#define ERASE_1 "SELECT count(*) FROM msp.erase_structure(1)"

START_TEST(erasure_removes_the_structure_everywhere)
{
	struct buf before = BUF_INIT(BUF_MAX_DOCUMENT);
	char others[64];

	/* The fixture put team 1 everywhere, the audit trail included. */
	ck_assert_str_ne(rows_of_structure("1"), "");
	ck_assert_str_ne(rows_mentioning("texte-equipe-un"), "");
	ck_assert_str_ne(rows_mentioning("ancien-texte-un"), "");
	snprintf(others, sizeof(others), "%s", value(OTHERS));
	ck_assert_str_eq(value(ERASE_1), "12");

	ck_assert_str_eq(rows_of_structure("1"), "");
	ck_assert_str_eq(rows_mentioning(
		"a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"), "");
	ck_assert_str_eq(rows_mentioning("texte-equipe-un"), "");
	ck_assert_str_eq(rows_mentioning("ancien-texte-un"), "");
	ck_assert_str_eq(rows_mentioning("verbatim-equipe-un"), "");
	ck_assert_str_eq(rows_mentioning("equipe-un"), "");
	/* audit rows of its answers and segments name only their parent */
	ck_assert_str_eq(value("SELECT count(*) FROM msp_audit.log"
		" WHERE (table_name = 'answer' AND coalesce(new_row, old_row)"
		"        ->> 'response_id' IN ('1', '4'))"
		"    OR (table_name = 'segment' AND coalesce(new_row, old_row)"
		"        ->> 'interview_id' = '1')"
		"    OR (table_name = 'response' AND row_id IN (1, 4))"
		"    OR (table_name = 'interview' AND row_id = 1)"), "0");
	ck_assert_str_eq(value(OTHERS), others);

	dump(&before);
	ck_assert_ptr_null(strstr(buf_str(&before), "texte-equipe-un"));
	ck_assert_ptr_null(strstr(buf_str(&before), "verbatim-equipe-un"));
	ck_assert_ptr_null(strstr(buf_str(&before), "a1a1a1a1a1a1a1a1"));
	ck_assert_ptr_null(strstr(buf_str(&before), "equipe-un"));
	buf_free(&before);
}
END_TEST

START_TEST(erasure_leaves_one_record_naming_nobody)
{
	value(ERASE_1);
	ck_assert_str_eq(value("SELECT count(*) FROM msp_audit.log"
			       " WHERE operation = 'ERASE'"), "1");
	ck_assert_str_eq(value("SELECT (row_id IS NULL AND structure_id IS"
			       " NULL AND old_row IS NULL)::text"
			       " FROM msp_audit.log WHERE operation = 'ERASE'"),
			 "true");
	/* how many of each: 2 responses (one deleted earlier), their 3
	 * answers, and the audit rows that were there before (11 since
	 * 0039 audits the coded answer too) */
	ck_assert_str_eq(value("SELECT concat_ws(',', r ->> 'response',"
		" r ->> 'answer', r ->> 'answer_code', r ->> 'interview',"
		" r ->> 'segment', r ->> 'contact', r ->> 'population',"
		" r ->> 'structure_staff', r ->> 'access_token',"
		" r ->> 'report_cache', r ->> 'structure', r ->> 'audit_log')"
		" FROM (SELECT new_row -> 'removed' AS r FROM msp_audit.log"
		"        WHERE operation = 'ERASE') e"),
		"1,2,1,1,1,1,1,1,1,1,1,11");
	ck_assert_str_eq(value("SELECT db_role = session_user"
			       " FROM msp_audit.log WHERE operation = 'ERASE'"),
			 "t");
}
END_TEST

START_TEST(unknown_structure_changes_nothing)
{
	struct buf before = BUF_INIT(BUF_MAX_DOCUMENT);
	struct buf after = BUF_INIT(BUF_MAX_DOCUMENT);

	everything(&before);
	refused("SELECT * FROM msp.erase_structure(99)", "P0002");
	refused("SELECT * FROM msp.erase_structure(NULL)", "P0002");
	everything(&after);
	ck_assert_str_eq(buf_str(&after), buf_str(&before));
	buf_free(&before);
	buf_free(&after);
}
END_TEST

/* Becomes role with token for the rest of the session. */
static void
act_as(const char *role, const char *token)
{
	const char *params[2] = { role, token };
	struct msp_error err;

	ck_assert_msg(db_exec(db.conn, "act as",
			      "SELECT pg_catalog.set_config('role', $1, false),"
			      " pg_catalog.set_config('msp.token', $2, false)",
			      2, params, PGRES_TUPLES_OK, NULL, &err) ==
		      MSP_OK, "%s", err.message);
}

#define VISIBLE_STRUCTURES \
	"SELECT coalesce(string_agg(structure_id::text, ',' ORDER BY 1), '')" \
	" FROM msp.structure"

START_TEST(rls_still_holds_after_erasure)
{
	value(ERASE_1);
	act_as("msp_team", "tok-team2");
	ck_assert_str_eq(value(VISIBLE_STRUCTURES), "2");
	ck_assert_str_eq(value("SELECT count(*) FROM msp.answer"), "2");
	act_as("msp_federation", "tok-fed1");
	ck_assert_str_eq(value(VISIBLE_STRUCTURES), "2");
	act_as("msp_analyst", "tok-analyst");
	ck_assert_str_eq(value(VISIBLE_STRUCTURES), "2,3");
	/* the erased team's token is gone with it */
	act_as("msp_team", "tok-team1");
	ck_assert_str_eq(value(VISIBLE_STRUCTURES), "");
	command("RESET ROLE");
	refused("SELECT msp.enter('tok-team1')", "28000");
}
END_TEST

START_TEST(only_the_owner_erases)
{
	act_as("msp_analyst", "tok-analyst");
	refused(ERASE_1, "42501");
	act_as("msp_app", "");
	refused(ERASE_1, "42501");
	command("RESET ROLE");
	ck_assert_str_eq(value("SELECT count(*) FROM msp.structure"), "3");
}
END_TEST

START_TEST(a_later_submission_starts_fresh)
{
	value(ERASE_1);
	value("SELECT msp.form_submit(1, repeat('a1', 32), 'again', NULL,"
	    " NULL, true, '[{\"k\": \"n_mg\", \"n\": \"7\"}]')");
	ck_assert_str_eq(value("SELECT structure_id > 3 FROM msp.structure"
			       " WHERE pseudonym = repeat('a1', 32)"), "t");
	ck_assert_str_eq(value("SELECT count(*) FROM msp.response r"
			       " JOIN msp.structure s USING (structure_id)"
			       " WHERE s.pseudonym = repeat('a1', 32)"), "1");
	ck_assert_str_eq(value("SELECT count(*) FROM msp.population p"
			       " JOIN msp.structure s USING (structure_id)"
			       " WHERE s.pseudonym = repeat('a1', 32)"), "0");
}
END_TEST

#define EXPORT(token) \
	"SELECT msp.team_export('" token "') #>> '{}'"

START_TEST(a_team_exports_its_own_data)
{
	const char *e;

	e = value("SELECT concat_ws(',', x #>> '{structure,structure_id}',"
		  " x #>> '{structure,region}',"
		  " jsonb_array_length(x -> 'staff'),"
		  " jsonb_array_length(x -> 'population'),"
		  " jsonb_array_length(x -> 'contacts'),"
		  " jsonb_array_length(x -> 'responses'),"
		  " jsonb_array_length(x #> '{responses,0,answers}'),"
		  " x #>> '{responses,0,answers,1,text_value}',"
		  " x #>> '{responses,0,codes,0,code}',"
		  " jsonb_array_length(x -> 'interviews'),"
		  " x #>> '{interviews,0,segments,0,verbatim_fr}')"
		  " FROM (SELECT msp.team_export('tok-team1') AS x) e");
	ck_assert_str_eq(e, "1,nord,1,1,1,1,2,texte-equipe-un,manque_temps,"
			 "1,verbatim-equipe-un");
	/* nothing of the other team of its region */
	ck_assert_str_eq(value("SELECT strpos(msp.team_export('tok-team1')"
			       "::text, 'deux')"), "0");
	/* a secret of the response is not part of the export */
	ck_assert_str_eq(value("SELECT msp.team_export('tok-team1')"
			       " #> '{responses,0}' ? 'resume_sha256'"), "f");
	refused(EXPORT("tok-fed1"), "42501");
	refused(EXPORT("tok-analyst"), "42501");
	refused(EXPORT("tok-forged"), "28000");
	refused(EXPORT(""), "28000");
}
END_TEST

static Suite *
rgpd_suite(void)
{
	Suite *s = suite_create("rgpd");
	TCase *tc = tcase_create("erase");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, erasure_removes_the_structure_everywhere);
	tcase_add_test(tc, erasure_leaves_one_record_naming_nobody);
	tcase_add_test(tc, unknown_structure_changes_nothing);
	tcase_add_test(tc, rls_still_holds_after_erasure);
	tcase_add_test(tc, only_the_owner_erases);
	tcase_add_test(tc, a_later_submission_starts_fresh);
	tcase_add_test(tc, a_team_exports_its_own_data);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testdb_run(rgpd_suite());
}
