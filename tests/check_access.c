/*
 * Row-Level Security, tried the way an attacker with a SQL prompt would:
 * hand-written statements under each tenant role, with a real token, a
 * forged one, a revoked one, and a token used under the wrong role.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "testdb.h"

static struct testdb db;

static void
setup(void)
{
	testdb_open(&db);
	testdb_load(&db, "tests/data/access-fixture.sql");
}

static void
teardown(void)
{
	testdb_close(&db);
}

/* Becomes role with token for the rest of the test (session-wide). */
static void
act_as(const char *role, const char *token)
{
	const char *params[1] = { token };
	struct msp_error err;
	char sql[64];

	snprintf(sql, sizeof(sql), "SET ROLE %s", role);
	ck_assert_msg(db_exec(db.conn, "set role", sql, 0, NULL,
			      PGRES_COMMAND_OK, NULL, &err) == MSP_OK, "%s",
		      err.message);
	ck_assert_msg(db_exec(db.conn, "set token",
			      "SELECT pg_catalog.set_config('msp.token', $1,"
			      " false)", 1, params, PGRES_TUPLES_OK, NULL,
			      &err) == MSP_OK, "%s", err.message);
}

static const char *
value(const char *sql)
{
	return testdb_value(db.conn, sql);
}

/* Runs sql expecting failure with SQLSTATE state. */
static void
denied(const char *sql, const char *state)
{
	struct msp_error err;
	enum msp_status st;

	st = db_exec(db.conn, "attempt", sql, 0, NULL, PGRES_COMMAND_OK, NULL,
		     &err);
	if (st == MSP_OK)
		st = db_exec(db.conn, "attempt", sql, 0, NULL,
			     PGRES_TUPLES_OK, NULL, &err);
	ck_assert_msg(st == MSP_EDB, "allowed: %s", sql);
	ck_assert_msg(strcmp(err.sqlstate, state) == 0, "%s: want %s, got %s"
		      " (%s)", sql, state, err.sqlstate, err.message);
}

#define INSUFFICIENT_PRIVILEGE "42501"

#define VISIBLE_STRUCTURES \
	"SELECT coalesce(string_agg(structure_id::text, ',' ORDER BY 1), '')" \
	" FROM msp.structure"
#define VISIBLE_ANSWERS \
	"SELECT coalesce(string_agg(num_value::text, ',' ORDER BY 1), '')" \
	" FROM msp.answer"

START_TEST(team_sees_only_itself)
{
	act_as("msp_team", "tok-team1");
	ck_assert_str_eq(value(VISIBLE_STRUCTURES), "1");
	ck_assert_str_eq(value("SELECT count(*) FROM msp.response"), "1");
	ck_assert_str_eq(value(VISIBLE_ANSWERS), "1");
	/* Asking by id does not help. */
	ck_assert_str_eq(value("SELECT count(*) FROM msp.answer"
			       " WHERE response_id = 2"), "0");
	/* Reference data is shared. */
	ck_assert_str_eq(value("SELECT count(*) FROM msp.study"), "2");
}
END_TEST

START_TEST(team_cannot_write_for_another)
{
	act_as("msp_team", "tok-team1");
	denied("INSERT INTO msp.response (study_id, instrument_id,"
	       " structure_id, idempotency_key) VALUES (1, 1, 2, 'x')",
	       INSUFFICIENT_PRIVILEGE);
	/* Its own structure, but another region's study. */
	denied("INSERT INTO msp.response (study_id, instrument_id,"
	       " structure_id, idempotency_key) VALUES (2, 1, 1, 'x')",
	       INSUFFICIENT_PRIVILEGE);
	denied("INSERT INTO msp.answer (response_id, instrument_id,"
	       " item_key, num_value) VALUES (2, 1, 'n_mg', 9)",
	       INSUFFICIENT_PRIVILEGE);
	ck_assert_str_eq(value("WITH u AS (UPDATE msp.answer SET num_value = 9"
			       " WHERE response_id = 2 RETURNING 1)"
			       " SELECT count(*) FROM u"), "0");
	ck_assert_str_eq(value("WITH d AS (DELETE FROM msp.answer"
			       " WHERE response_id = 2 RETURNING 1)"
			       " SELECT count(*) FROM d"), "0");
	/* Moving its own response to another structure is refused. */
	denied("UPDATE msp.response SET structure_id = 2 WHERE response_id = 1",
	       INSUFFICIENT_PRIVILEGE);
	/* What it may do, it can. */
	ck_assert_str_eq(value("WITH i AS (INSERT INTO msp.response (study_id,"
			       " instrument_id, structure_id, idempotency_key)"
			       " VALUES (1, 1, 1, 'mine') RETURNING 1)"
			       " SELECT count(*) FROM i"), "1");
	ck_assert_int_eq(db_exec(db.conn, "reset", "RESET ROLE", 0, NULL,
				 PGRES_COMMAND_OK, NULL, NULL), MSP_OK);
	ck_assert_str_eq(value("SELECT num_value FROM msp.answer"
			       " WHERE response_id = 2"), "2");
}
END_TEST

START_TEST(secrets_and_audit_are_out_of_reach)
{
	act_as("msp_team", "tok-team1");
	denied("SELECT * FROM msp.access_token", INSUFFICIENT_PRIVILEGE);
	denied("SELECT * FROM msp_audit.log", INSUFFICIENT_PRIVILEGE);
	denied("SELECT msp.current_token()", INSUFFICIENT_PRIVILEGE);
	denied("UPDATE msp.study SET title_fr = 'x'", INSUFFICIENT_PRIVILEGE);
	/* (SET ROLE is checked against the session user, a superuser here;
	 * what a role switch could give is what the token allows, which
	 * token_under_wrong_role_sees_nothing shows is nothing.) */
}
END_TEST

START_TEST(forged_or_revoked_tokens_see_nothing)
{
	act_as("msp_team", "tok-team2-guess");
	ck_assert_str_eq(value(VISIBLE_STRUCTURES), "");
	ck_assert_str_eq(value(VISIBLE_ANSWERS), "");
	act_as("msp_team", "tok-revoked");
	ck_assert_str_eq(value(VISIBLE_STRUCTURES), "");
	act_as("msp_team", "");
	ck_assert_str_eq(value(VISIBLE_STRUCTURES), "");
}
END_TEST

START_TEST(token_under_wrong_role_sees_nothing)
{
	act_as("msp_analyst", "tok-team1");
	ck_assert_str_eq(value(VISIBLE_STRUCTURES), "");
	act_as("msp_federation", "tok-team1");
	ck_assert_str_eq(value(VISIBLE_STRUCTURES), "");
	act_as("msp_team", "tok-fed1");
	ck_assert_str_eq(value(VISIBLE_STRUCTURES), "");
}
END_TEST

/* Runs sql as the database owner (the test's own role). */
static void
as_owner(const char *sql)
{
	struct msp_error err;

	ck_assert_int_eq(db_exec(db.conn, "reset", "RESET ROLE", 0, NULL,
				 PGRES_COMMAND_OK, NULL, NULL), MSP_OK);
	ck_assert_msg(db_exec(db.conn, "as owner", sql, 0, NULL,
			      PGRES_COMMAND_OK, NULL, &err) == MSP_OK, "%s: %s",
		      sql, err.message);
}

/* Issue 19: a federation keeps its region's frame and the invitation
 * log (it runs the fieldwork), and reads not one row of what a team
 * answered, whatever SQL it writes (migration 0037). */
START_TEST(federation_reads_no_rows)
{
	static const char *const revoked[] = {
		"msp.response", "msp.answer", "msp.interview", "msp.segment",
		"msp.answer_code", "msp.structure_staff", "msp.answer_tally",
		"msp.word_tally",
	};
	char sql[128];
	size_t i;

	act_as("msp_federation", "tok-fed1");
	ck_assert_str_eq(value(VISIBLE_STRUCTURES), "1,2");
	ck_assert_str_eq(value("SELECT count(*) FROM msp.population"), "0");
	ck_assert_str_eq(value("SELECT count(*) FROM msp.contact"), "0");
	for (i = 0; i < sizeof(revoked) / sizeof(revoked[0]); i++) {
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s",
			 revoked[i]);
		denied(sql, INSUFFICIENT_PRIVILEGE);
	}
	/* nor through the functions that return rows, nor the writer the
	 * report used to call on its read path */
	denied("SELECT count(*) FROM msp.report_frame(1)",
	       INSUFFICIENT_PRIVILEGE);
	denied("SELECT count(*) FROM msp.report_counts_answers(1, 't', 2024,"
	       " '{}', '{n_mg}', '{}', 1::smallint)", INSUFFICIENT_PRIVILEGE);
	denied("SELECT count(*) FROM msp.report_words_answers(1, 'n_mg',"
	       " 1::smallint)", INSUFFICIENT_PRIVILEGE);
	denied("SELECT count(*) FROM msp.report_has_mentions('{1}')",
	       INSUFFICIENT_PRIVILEGE);
	denied("SELECT msp.tally_compact(1)", INSUFFICIENT_PRIVILEGE);
	denied("SELECT msp.whole_studies()", "42883");	/* dropped */
	denied("INSERT INTO msp.response (study_id, instrument_id,"
	       " structure_id, idempotency_key) VALUES (1, 1, 1, 'x')",
	       INSUFFICIENT_PRIVILEGE);
}
END_TEST

/* A federation's counts as "kind:var:val:n" in one line. */
#define NORD_COUNTS "i:n_mg:1:1,i:n_mg:2:6,t:::7"
#define COUNTS(CALL) \
	"SELECT coalesce(string_agg(kind || ':' || coalesce(var, '') || ':'" \
	" || coalesce(val, '') || ':' || n, ',' ORDER BY kind, var, val), '')" \
	" FROM " CALL

/* What the SECURITY DEFINER functions give a federation: counts per
 * group, never a row per response, over the structures of the study's
 * region only; other regions' counts too (comparison), and nothing to
 * any other token.  Expected values are counted by hand from the
 * fixture and the rows added here. */
/* Makes the token of text tok a protection run's transient token (of
 * Sud's study, 2), as msp.disclosure_plan_begin records it: the only
 * federation token the counting functions serve (msp.report_scope). */
static void
protection_run_token(const char *tok)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "INSERT INTO msp.disclosure_plan_state"
		 " (study_id, threshold, data_version, protect_token)"
		 " VALUES (2, 5, 'test', sha256('%s'))", tok);
	as_owner(sql);
}

START_TEST(federation_reads_grouped_counts_in_scope)
{
	as_owner("UPDATE msp.response SET status = 'complete',"
		 " submitted_at = now()");
	/* five more answers "2" from team 2 in Nord's study */
	as_owner("INSERT INTO msp.response (study_id, instrument_id,"
		 " structure_id, status, submitted_at, idempotency_key)"
		 " SELECT 1, 1, 2, 'complete', now(), 'more' || g"
		 "   FROM generate_series(1, 5) g");
	as_owner("INSERT INTO msp.answer (response_id, instrument_id,"
		 " item_key, num_value) SELECT response_id, 1, 'n_mg', 2"
		 "   FROM msp.response WHERE idempotency_key LIKE 'more%'");
	/* a federation's own token counts nothing, whatever the study
	 * (step 2b: it reads published releases only) */
	act_as("msp_federation", "tok-fed1");
	denied("SELECT count(*) FROM msp.report_counts(1, NULL, false,"
	       " false)", INSUFFICIENT_PRIVILEGE);
	denied("SELECT count(*) FROM msp.report_population(2)",
	       INSUFFICIENT_PRIVILEGE);
	/* a protection run's token counts, in the scope below */
	protection_run_token("tok-fed1");
	act_as("msp_federation", "tok-fed1");
	/* from the running totals (the whole study is Nord's) and from
	 * the answers: the same groups, one row each */
	ck_assert_str_eq(value(COUNTS("msp.report_counts(1, NULL, false,"
				      " false)")), NORD_COUNTS);
	ck_assert_str_eq(value(COUNTS("msp.report_counts(1, NULL, false,"
				      " true)")), NORD_COUNTS);
	/* another region's study: its aggregates, for comparison */
	ck_assert_str_eq(value(COUNTS("msp.report_counts(2, NULL, false,"
				      " false)")), "i:n_mg:3:1,t:::1");
	ck_assert_str_eq(value("SELECT respondents FROM"
			       " msp.report_population(1)"), "2");
	/* a numeric item's groups would be single answers */
	denied("SELECT count(*) FROM msp.report_counts(1, 'n_mg', false,"
	       " false)", "22023");
	denied("SELECT count(*) FROM msp.report_counts(99, NULL, false,"
	       " false)", INSUFFICIENT_PRIVILEGE);

	/* a response an analyst filed in Nord's study for Sud's team 3:
	 * not a Nord structure, not counted for the Nord study */
	as_owner("INSERT INTO msp.response (study_id, instrument_id,"
		 " structure_id, status, submitted_at, idempotency_key)"
		 " VALUES (1, 1, 3, 'complete', now(), 'foreign')");
	as_owner("INSERT INTO msp.answer (response_id, instrument_id,"
		 " item_key, num_value) SELECT response_id, 1, 'n_mg', 1"
		 "   FROM msp.response WHERE idempotency_key = 'foreign'");
	act_as("msp_federation", "tok-fed1");
	ck_assert_str_eq(value(COUNTS("msp.report_counts(1, NULL, false,"
				      " false)")), NORD_COUNTS);
	ck_assert_str_eq(value("SELECT respondents FROM"
			       " msp.report_population(1)"), "2");

	/* the token decides, not the role: a team's or an analyst's token
	 * under msp_federation gets nothing from them */
	act_as("msp_federation", "tok-team1");
	denied("SELECT count(*) FROM msp.report_counts(1, NULL, false,"
	       " false)", INSUFFICIENT_PRIVILEGE);
	act_as("msp_federation", "tok-analyst");
	denied("SELECT count(*) FROM msp.report_population(1)",
	       INSUFFICIENT_PRIVILEGE);
}
END_TEST

/* The words of open answers: a word fewer than 5 answers write (a
 * town, a name) never leaves the database; the groups kept back are
 * counted ('o'). */
START_TEST(federation_never_gets_a_rare_word)
{
	/* an open item added to the fixture's instrument, past the guard
	 * that freezes an instrument with responses (0029) */
	as_owner("SET session_replication_role = replica");
	as_owner("INSERT INTO msp.instrument_item (instrument_id, item_key,"
		 " position, item_type, label_fr)"
		 " VALUES (1, 'remarks', 2, 'text', 'Remarques')");
	as_owner("RESET session_replication_role");
	as_owner("UPDATE msp.response SET status = 'complete',"
		 " submitted_at = now()");
	as_owner("INSERT INTO msp.response (study_id, instrument_id,"
		 " structure_id, status, submitted_at, idempotency_key)"
		 " SELECT 1, 1, 1, 'complete', now(), 'w' || g"
		 "   FROM generate_series(1, 5) g");
	/* "Maisons" four times and "maison" once: one term, five
	 * answers; "Quimperlé" in one answer only */
	as_owner("INSERT INTO msp.answer (response_id, instrument_id,"
		 " item_key, text_value)"
		 " SELECT response_id, 1, 'remarks', CASE idempotency_key"
		 "   WHEN 'w1' THEN 'maison de Quimperlé' ELSE 'Maisons' END"
		 "   FROM msp.response WHERE idempotency_key LIKE 'w%'");
	act_as("msp_federation", "tok-fed1");
	denied("SELECT count(*) FROM msp.report_words(1, 'remarks', false)",
	       INSUFFICIENT_PRIVILEGE);
	protection_run_token("tok-fed1");	/* the only one that counts */
	act_as("msp_federation", "tok-fed1");
	ck_assert_str_eq(value(COUNTS("msp.report_words(1, 'remarks',"
				      " false)")),
			 "o:::2,v::Maisons:4,v::maison:1,w::Maisons:4,"
			 "w::maison:1");
	ck_assert_str_eq(value(COUNTS("msp.report_words(1, 'remarks',"
				      " true)")),
			 "o:::2,v::Maisons:4,v::maison:1,w::Maisons:4,"
			 "w::maison:1");
	denied("SELECT count(*) FROM msp.report_words(1, 'n_mg', false)",
	       "22023");
}
END_TEST

START_TEST(analyst_sees_everything)
{
	act_as("msp_analyst", "tok-analyst");
	ck_assert_str_eq(value(VISIBLE_STRUCTURES), "1,2,3");
	ck_assert_str_eq(value(VISIBLE_ANSWERS), "1,2,3");
	act_as("msp_team", "tok-team3");
	ck_assert_str_eq(value(VISIBLE_STRUCTURES), "3");
}
END_TEST

/* A tenant cannot sign the audit trail with another name. */
START_TEST(audit_actor_comes_from_the_token)
{
	act_as("msp_team", "tok-team1");
	ck_assert_str_eq(value("SELECT pg_catalog.set_config('msp.actor',"
			       " 'analyst:4', false)"), "analyst:4");
	ck_assert_str_eq(value("WITH u AS (UPDATE msp.answer SET num_value = 5"
			       " WHERE response_id = 1 RETURNING 1)"
			       " SELECT count(*) FROM u"), "1");
	ck_assert_int_eq(db_exec(db.conn, "reset", "RESET ROLE", 0, NULL,
				 PGRES_COMMAND_OK, NULL, NULL), MSP_OK);
	ck_assert_str_eq(value("SELECT actor FROM msp_audit.log"
			       " WHERE operation = 'UPDATE'"), "team:1");
}
END_TEST

/*
 * The stored releases (0053): the table is the owner's alone; a
 * federation (and a team, for its feedback page) reads a release only
 * through msp.federation_release_get, which checks its scope and that
 * the release still holds; only an analyst (a protection run) or the
 * owner stores, through msp.federation_release_store, which checks
 * the run.  Who may call which, by role, and nothing for PUBLIC.
 */
START_TEST(federation_releases_by_function_only)
{
	static const struct {
		const char *role, *fn;
		const char *want;	/* "t": EXECUTE granted */
	} grants[] = {
		{ "msp_federation", "federation_release_get(integer, text)",
		  "t" },
		{ "msp_team", "federation_release_get(integer, text)", "t" },
		{ "msp_analyst", "federation_release_get(integer, text)",
		  "f" },
		{ "public", "federation_release_get(integer, text)", "f" },
		{ "msp_analyst", "federation_release_store(integer, text,"
		  " text[], jsonb[])", "t" },
		{ "msp_federation", "federation_release_store(integer, text,"
		  " text[], jsonb[])", "f" },
		{ "msp_team", "federation_release_store(integer, text,"
		  " text[], jsonb[])", "f" },
		{ "public", "federation_release_store(integer, text,"
		  " text[], jsonb[])", "f" },
	};
	static const char *const roles[] = {
		"msp_team", "msp_federation", "msp_analyst", "public",
	};
	char sql[256];
	size_t i;

	for (i = 0; i < sizeof(grants) / sizeof(grants[0]); i++) {
		snprintf(sql, sizeof(sql), "SELECT has_function_privilege("
			 "'%s', 'msp.%s', 'EXECUTE')", grants[i].role,
			 grants[i].fn);
		ck_assert_msg(strcmp(value(sql), grants[i].want) == 0,
			      "%s on %s: want %s", grants[i].role,
			      grants[i].fn, grants[i].want);
	}
	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		snprintf(sql, sizeof(sql), "SELECT has_table_privilege('%s',"
			 " 'msp.federation_release', 'SELECT, INSERT,"
			 " UPDATE, DELETE')", roles[i]);
		ck_assert_msg(strcmp(value(sql), "f") == 0, "%s reads "
			      "msp.federation_release", roles[i]);
	}
	act_as("msp_federation", "tok-fed1");
	denied("SELECT * FROM msp.federation_release", INSUFFICIENT_PRIVILEGE);
}
END_TEST

static Suite *
access_suite(void)
{
	Suite *s = suite_create("access");
	TCase *tc = tcase_create("rls");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, team_sees_only_itself);
	tcase_add_test(tc, team_cannot_write_for_another);
	tcase_add_test(tc, secrets_and_audit_are_out_of_reach);
	tcase_add_test(tc, forged_or_revoked_tokens_see_nothing);
	tcase_add_test(tc, token_under_wrong_role_sees_nothing);
	tcase_add_test(tc, federation_reads_no_rows);
	tcase_add_test(tc, federation_reads_grouped_counts_in_scope);
	tcase_add_test(tc, federation_never_gets_a_rare_word);
	tcase_add_test(tc, analyst_sees_everything);
	tcase_add_test(tc, audit_actor_comes_from_the_token);
	tcase_add_test(tc, federation_releases_by_function_only);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testdb_run(access_suite());
}
