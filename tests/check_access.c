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

START_TEST(federation_sees_its_region)
{
	act_as("msp_federation", "tok-fed1");
	ck_assert_str_eq(value(VISIBLE_STRUCTURES), "1,2");
	ck_assert_str_eq(value(VISIBLE_ANSWERS), "1,2");
	denied("INSERT INTO msp.response (study_id, instrument_id,"
	       " structure_id, idempotency_key) VALUES (1, 1, 1, 'x')",
	       INSUFFICIENT_PRIVILEGE);
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
	tcase_add_test(tc, federation_sees_its_region);
	tcase_add_test(tc, analyst_sees_everything);
	tcase_add_test(tc, audit_actor_comes_from_the_token);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testdb_run(access_suite());
}
