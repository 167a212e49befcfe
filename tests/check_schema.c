/*
 * The schema's own guarantees, tried with hand-written SQL: what the C
 * validation should never let through, the database refuses anyway.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "testdb.h"

static struct testdb db;

static void
setup(void)
{
	testdb_open(&db);
	testdb_load(&db, "tests/data/schema-fixture.sql");
}

static void
teardown(void)
{
	testdb_close(&db);
}

/* sql must fail with SQLSTATE state; the message must contain hint. */
static void
refused(const char *sql, const char *state, const char *hint)
{
	struct msp_error err;

	ck_assert_msg(db_exec(db.conn, "test", sql, 0, NULL, PGRES_COMMAND_OK,
			      NULL, &err) == MSP_EDB, "accepted: %s", sql);
	ck_assert_msg(strcmp(err.sqlstate, state) == 0,
		      "%s: want SQLSTATE %s, got %s (%s)", sql, state,
		      err.sqlstate, err.message);
	if (hint != NULL)
		ck_assert_msg(strstr(err.message, hint) != NULL, "%s: %s", sql,
			      err.message);
}

static void
accepted(const char *sql)
{
	struct msp_error err;

	ck_assert_msg(db_exec(db.conn, "test", sql, 0, NULL, PGRES_COMMAND_OK,
			      NULL, &err) == MSP_OK, "%s: %s", sql,
		      err.message);
}

#define CHECK_VIOLATION "23514"
#define FK_VIOLATION "23503"
#define UNIQUE_VIOLATION "23505"

#define ANSWER "INSERT INTO msp.answer (response_id, instrument_id, " \
	"item_key, choice_code, num_value, text_value, bool_value) VALUES "

START_TEST(answers_of_the_right_type_are_stored)
{
	accepted(ANSWER "(1, 1, 'n_mg', NULL, 12, NULL, NULL)");
	accepted(ANSWER "(1, 1, 'works', 'oui', NULL, NULL, NULL)");
	accepted(ANSWER "(1, 1, 'tools', 'affiche', NULL, NULL, NULL),"
			"(1, 1, 'tools', 'site', NULL, NULL, NULL)");
	accepted(ANSWER "(1, 1, 'note', NULL, NULL, 'é''; DROP', NULL)");
	accepted(ANSWER "(1, 1, 'aci', NULL, NULL, NULL, true)");
	ck_assert_str_eq(testdb_value(db.conn,
		"SELECT text_value FROM msp.answer WHERE item_key = 'note'"),
		"é'; DROP");
}
END_TEST

START_TEST(answers_are_checked_against_their_item)
{
	refused(ANSWER "(1, 1, 'n_mg', NULL, 101, NULL, NULL)",
		CHECK_VIOLATION, "out of range");
	refused(ANSWER "(1, 1, 'n_mg', NULL, 2.5, NULL, NULL)",
		CHECK_VIOLATION, "out of range");
	refused(ANSWER "(1, 1, 'n_mg', NULL, NULL, '12', NULL)",
		CHECK_VIOLATION, "takes a number");
	refused(ANSWER "(1, 1, 'note', NULL, NULL, '12345678901', NULL)",
		CHECK_VIOLATION, "longer than 10");
	refused(ANSWER "(1, 1, 'aci', NULL, 1, NULL, NULL)",
		CHECK_VIOLATION, "takes oui/non");
	/* No option of a yes/no item matches a choice: the foreign key
	 * refuses it before the check runs (0022). */
	refused(ANSWER "(1, 1, 'aci', 'oui', NULL, NULL, NULL)",
		FK_VIOLATION, "aci");
	/* The check runs once over all the rows of a statement: one wrong
	 * row among right ones is found, and an update is checked too. */
	refused(ANSWER "(1, 1, 'aci', NULL, NULL, NULL, true),"
		"(1, 1, 'note', NULL, NULL, 'x', NULL),"
		"(1, 1, 'tools', 'affiche', NULL, NULL, NULL),"
		"(1, 1, 'n_mg', NULL, 101, NULL, NULL)",
		CHECK_VIOLATION, "n_mg: 101 is out of range");
	accepted(ANSWER "(1, 1, 'n_mg', NULL, 12, NULL, NULL)");
	refused("UPDATE msp.answer SET num_value = 500 WHERE item_key = 'n_mg'",
		CHECK_VIOLATION, "n_mg: 500 is out of range");
	refused("UPDATE msp.answer SET num_value = NULL, text_value = 'x'"
		" WHERE item_key = 'n_mg'", CHECK_VIOLATION, "takes a number");
	ck_assert_str_eq(testdb_value(db.conn,
		"SELECT num_value FROM msp.answer WHERE item_key = 'n_mg'"),
		"12");
	refused(ANSWER "(1, 1, 'works', 'peut_etre', NULL, NULL, NULL)",
		FK_VIOLATION, NULL);
	refused(ANSWER "(1, 1, 'works', 'oui', 1, NULL, NULL)",
		CHECK_VIOLATION, NULL);	/* two values */
	refused(ANSWER "(1, 1, 'nope', NULL, 1, NULL, NULL)",
		FK_VIOLATION, NULL);
}
END_TEST

START_TEST(single_choice_takes_one_choice)
{
	/* Two choices in one statement, then one after another. */
	refused(ANSWER "(1, 1, 'works', 'oui', NULL, NULL, NULL),"
		"(1, 1, 'works', 'non', NULL, NULL, NULL)",
		CHECK_VIOLATION, "works takes one choice");
	accepted(ANSWER "(1, 1, 'works', 'oui', NULL, NULL, NULL)");
	refused(ANSWER "(1, 1, 'works', 'non', NULL, NULL, NULL)",
		CHECK_VIOLATION, "one choice");
	refused(ANSWER "(1, 1, 'works', 'oui', NULL, NULL, NULL)",
		UNIQUE_VIOLATION, NULL);
	accepted(ANSWER "(1, 1, 'n_mg', NULL, 3, NULL, NULL)");
	refused(ANSWER "(1, 1, 'n_mg', NULL, 4, NULL, NULL)",
		UNIQUE_VIOLATION, NULL);
	/* A single choice can be changed: the trigger must not count the
	 * row's own old value as a second choice (0013). */
	accepted("UPDATE msp.answer SET choice_code = 'non'"
		 " WHERE item_key = 'works'");
	ck_assert_str_eq(testdb_value(db.conn, "SELECT choice_code FROM "
				      "msp.answer WHERE item_key = 'works'"),
			 "non");
}
END_TEST

START_TEST(answers_belong_to_the_study_instrument)
{
	/* Instrument 2 has an n_mg item too, but response 1's study uses
	 * instrument 1. */
	refused(ANSWER "(1, 2, 'n_mg', NULL, 3, NULL, NULL)",
		FK_VIOLATION, NULL);
	refused("INSERT INTO msp.response (study_id, instrument_id,"
		" structure_id, idempotency_key) VALUES (1, 2, 1, 'k2')",
		FK_VIOLATION, NULL);
}
END_TEST

START_TEST(responses_are_consistent)
{
	refused("INSERT INTO msp.response (study_id, instrument_id,"
		" structure_id, idempotency_key) VALUES (1, 1, 1, 'k1')",
		UNIQUE_VIOLATION, "idempotency_key");
	refused("INSERT INTO msp.response (study_id, instrument_id,"
		" structure_id, idempotency_key, status) VALUES"
		" (1, 1, 1, 'k3', 'complete')", CHECK_VIOLATION, NULL);
	accepted("INSERT INTO msp.response (study_id, instrument_id,"
		 " structure_id, idempotency_key, status, submitted_at) VALUES"
		 " (1, 1, 1, 'k3', 'complete', now())");
	refused("INSERT INTO msp.response (study_id, instrument_id,"
		" structure_id, idempotency_key) VALUES (1, 1, 1, '')",
		CHECK_VIOLATION, NULL);
}
END_TEST

START_TEST(structures_hold_no_identifiers)
{
	refused("INSERT INTO msp.structure (pseudonym, region_id)"
		" VALUES ('MSP des Lilas', 1)", CHECK_VIOLATION, NULL);
	refused("INSERT INTO msp.structure (pseudonym, region_id,"
		" departement) VALUES (repeat('cd', 32), 1, '4')",
		CHECK_VIOLATION, NULL);
	refused("INSERT INTO msp.structure_staff VALUES (1, 'mg', -1)",
		CHECK_VIOLATION, NULL);
	accepted("INSERT INTO msp.structure (pseudonym, region_id,"
		 " departement, cpts)"
		 " VALUES (repeat('cd', 32), 1, '2A', 'nsp')");
}
END_TEST

START_TEST(items_are_well_formed)
{
	refused("INSERT INTO msp.instrument_item (instrument_id, item_key,"
		" position, item_type, label_fr, show_if_item, show_if_values)"
		" VALUES (1, 'x', 9, 'text', 'X', 'missing', '{a}')",
		FK_VIOLATION, NULL);
	refused("INSERT INTO msp.instrument_item (instrument_id, item_key,"
		" position, item_type, label_fr, show_if_item) VALUES"
		" (1, 'x', 9, 'text', 'X', 'works')", CHECK_VIOLATION, NULL);
	refused("INSERT INTO msp.instrument_item (instrument_id, item_key,"
		" position, item_type, label_fr, min_value) VALUES"
		" (1, 'x', 9, 'text', 'X', 1)", CHECK_VIOLATION, NULL);
	refused("INSERT INTO msp.instrument_item (instrument_id, item_key,"
		" position, item_type, label_fr) VALUES"
		" (1, 'Bad Key', 9, 'text', 'X')", CHECK_VIOLATION, NULL);
	/* well formed, but instrument 1 has responses: it is frozen
	 * (sql/migrations/0029); a version without any still grows */
	refused("INSERT INTO msp.instrument_item (instrument_id, item_key,"
		" position, item_type, label_fr, show_if_item, show_if_values)"
		" VALUES (1, 'why_not', 9, 'text', 'Pourquoi ?', 'works',"
		" '{non}')", "55000", "a des réponses");
	accepted("INSERT INTO msp.instrument (slug, version, title_fr)"
		 " VALUES ('schema-neuf', 1, 'Neuf')");
	accepted("INSERT INTO msp.instrument_item (instrument_id, item_key,"
		 " position, item_type, label_fr) SELECT instrument_id,"
		 " 'why_not', 1, 'text', 'Pourquoi ?' FROM msp.instrument"
		 " WHERE slug = 'schema-neuf'");
}
END_TEST

START_TEST(codebook_and_interviews)
{
	ck_assert_str_eq(testdb_value(db.conn,
		"SELECT string_agg(stage, ',' ORDER BY rank)"
		" FROM msp.continuum_stage"),
		"information,consultation,collaboration,partenariat");
	ck_assert_str_eq(testdb_value(db.conn,
		"SELECT count(*) FROM msp.has_category"), "11");
	accepted("INSERT INTO msp.crosswalk VALUES"
		 " (1, 'manque_temps', 'frein', 'H-F1')");
	/* A frein cannot map onto a HAS levier, nor lie about its kind. */
	refused("INSERT INTO msp.crosswalk VALUES"
		" (1, 'manque_temps', 'frein', 'H-L1')", FK_VIOLATION, NULL);
	refused("INSERT INTO msp.crosswalk VALUES"
		" (1, 'manque_temps', 'levier', 'H-L1')", FK_VIOLATION, NULL);
	refused("INSERT INTO msp.interview (study_id, participant_no,"
		" consent_recorded) VALUES (1, 2, false)", CHECK_VIOLATION,
		NULL);
	refused("INSERT INTO msp.interview (study_id, participant_no,"
		" consent_recorded) VALUES (1, 1, true)", UNIQUE_VIOLATION,
		NULL);
	refused("INSERT INTO msp.interview (study_id, participant_no,"
		" stage, consent_recorded) VALUES (1, 3, 'expert', true)",
		FK_VIOLATION, NULL);
	accepted("INSERT INTO msp.segment (interview_id, study_id, code,"
		 " verbatim_fr) VALUES (1, 1, 'manque_temps', 'On n''a pas"
		 " le temps')");
	refused("INSERT INTO msp.segment (interview_id, study_id, code)"
		" VALUES (1, 1, 'not_a_code')", FK_VIOLATION, NULL);
	refused("INSERT INTO msp.segment (interview_id, study_id, code,"
		" verbatim_fr) VALUES (1, 1, 'formation', '')",
		CHECK_VIOLATION, NULL);
}
END_TEST

START_TEST(audit_records_every_change)
{
	ck_assert_str_eq(testdb_value(db.conn,
		"SELECT pg_catalog.set_config('msp.actor', 'team:7', false)"),
		"team:7");
	accepted(ANSWER "(1, 1, 'n_mg', NULL, 12, NULL, NULL),"
			"(1, 1, 'aci', NULL, NULL, NULL, true)");
	accepted("UPDATE msp.answer SET num_value = 13"
		 " WHERE item_key = 'n_mg'");
	accepted("DELETE FROM msp.answer WHERE item_key = 'aci'");
	/* The fixture's response insert, its two codes (the codebook
	 * is audited since 0039) and interview were audited too. */
	ck_assert_str_eq(testdb_value(db.conn,
		"SELECT string_agg(table_name || ':' || operation, ','"
		" ORDER BY audit_id) FROM msp_audit.log"),
		"response:INSERT,study_code:INSERT,study_code:INSERT,"
		"interview:INSERT,answer:INSERT,answer:INSERT,"
		"answer:UPDATE,answer:DELETE");
	ck_assert_str_eq(testdb_value(db.conn,
		"SELECT (old_row ->> 'num_value') || '->' ||"
		" (new_row ->> 'num_value') || ' by ' || actor"
		" FROM msp_audit.log WHERE operation = 'UPDATE'"),
		"12->13 by team:7");
	ck_assert_str_eq(testdb_value(db.conn,
		"SELECT structure_id FROM msp_audit.log"
		" WHERE table_name = 'response'"), "1");
}
END_TEST

/*
 * An analyst moves a response to another structure (a team entered
 * under the wrong one).  The audit row of that UPDATE must be found
 * under the structure the response now belongs to, and keep the one
 * it left in old_row: an erasure or an access request looks rows up by
 * structure_id.  A trigger that kept the old structure, or none, passed
 * audit_records_every_change, whose rows never change structure.
 */
START_TEST(audit_of_a_move_records_the_new_structure)
{
	accepted("INSERT INTO msp.structure (pseudonym, region_id,"
		 " structure_type, departement)"
		 " VALUES (repeat('cd', 32), 1, 'esp', '31')");
	ck_assert_str_eq(testdb_value(db.conn,
		"SELECT pg_catalog.set_config('msp.actor', 'analyst:3',"
		" false)"), "analyst:3");
	accepted("UPDATE msp.response SET structure_id = ("
		 "SELECT structure_id FROM msp.structure"
		 " WHERE pseudonym = repeat('cd', 32)) WHERE response_id = 1");
	/* computed here from the tables, not from the trigger's logic */
	ck_assert_str_eq(testdb_value(db.conn,
		"SELECT l.structure_id = s.structure_id"
		"   AND (l.old_row ->> 'structure_id')::integer = 1"
		"   AND (l.new_row ->> 'structure_id')::integer"
		"       = s.structure_id"
		"   AND l.actor = 'analyst:3' AND l.row_id = 1"
		"  FROM msp_audit.log l, msp.structure s"
		" WHERE l.table_name = 'response' AND l.operation = 'UPDATE'"
		"   AND s.pseudonym = repeat('cd', 32)"), "t");
	ck_assert_str_eq(testdb_value(db.conn,
		"SELECT count(*) FROM msp_audit.log"
		" WHERE table_name = 'response' AND operation = 'UPDATE'"),
		"1");
}
END_TEST

static Suite *
schema_suite(void)
{
	Suite *s = suite_create("schema");
	TCase *tc = tcase_create("constraints");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, answers_of_the_right_type_are_stored);
	tcase_add_test(tc, answers_are_checked_against_their_item);
	tcase_add_test(tc, single_choice_takes_one_choice);
	tcase_add_test(tc, answers_belong_to_the_study_instrument);
	tcase_add_test(tc, responses_are_consistent);
	tcase_add_test(tc, structures_hold_no_identifiers);
	tcase_add_test(tc, items_are_well_formed);
	tcase_add_test(tc, codebook_and_interviews);
	tcase_add_test(tc, audit_records_every_change);
	tcase_add_test(tc, audit_of_a_move_records_the_new_structure);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testdb_run(schema_suite());
}
