/*
 * The library's small modules: msp_error, crypto, file, db helpers.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "db.h"
#include "file.h"
#include "msp_error.h"
#include "settings.h"
#include "testdb.h"

/* --- msp_error ----------------------------------------------------- */

START_TEST(error_set_and_prefix)
{
	struct msp_error err;

	ck_assert_int_eq(msp_error_set(&err, MSP_EINVAL, "bad %d", 7),
			 MSP_EINVAL);
	ck_assert_str_eq(err.message, "bad 7");
	msp_error_prefix(&err, "%s:%d", "f.sql", 3);
	ck_assert_str_eq(err.message, "f.sql:3: bad 7");
	ck_assert_int_eq(err.status, MSP_EINVAL);
	/* NULL is allowed everywhere and changes nothing. */
	ck_assert_int_eq(msp_error_set(NULL, MSP_EIO, "x"), MSP_EIO);
	msp_error_prefix(NULL, "ctx");
	msp_error_clear(&err);
	ck_assert_int_eq(err.status, MSP_OK);
	ck_assert_str_eq(err.message, "");
}
END_TEST

START_TEST(error_prefix_truncates_safely)
{
	struct msp_error err;
	char big[2 * MSP_ERROR_MAX];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	msp_error_set(&err, MSP_EDB, "%s", big);
	ck_assert_uint_eq(strlen(err.message), MSP_ERROR_MAX - 1);
	msp_error_prefix(&err, "ctx");
	ck_assert_uint_eq(strlen(err.message), MSP_ERROR_MAX - 1);
	ck_assert(strncmp(err.message, "ctx: aaa", 8) == 0);
	/* A prefix longer than the buffer keeps only the prefix. */
	msp_error_prefix(&err, "%s", big);
	ck_assert_uint_eq(strlen(err.message), MSP_ERROR_MAX - 1);
	ck_assert(strchr(err.message, ':') == NULL);
}
END_TEST

START_TEST(strerror_covers_every_status)
{
	enum msp_status s;

	for (s = MSP_OK; s <= MSP_ECONFLICT; s++)
		ck_assert_str_ne(msp_strerror(s), "unknown error");
	ck_assert_str_eq(msp_strerror((enum msp_status)999), "unknown error");
}
END_TEST

/* --- crypto -------------------------------------------------------- */

START_TEST(sha256_known_vectors)
{
	char hex[CRYPTO_SHA256_HEX];
	struct msp_error err;

	/* FIPS 180-2 test vectors. */
	ck_assert_int_eq(crypto_sha256_hex("abc", 3, hex, &err), MSP_OK);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223"
			      "b00361a396177a9cb410ff61f20015ad");
	ck_assert_int_eq(crypto_sha256_hex("", 0, hex, &err), MSP_OK);
	ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb924"
			      "27ae41e4649b934ca495991b7852b855");
}
END_TEST

START_TEST(hmac_sha256_rfc4231)
{
	char hex[CRYPTO_SHA256_HEX];
	unsigned char key[20];
	struct msp_error err;

	/* RFC 4231 test cases 1 and 2. */
	memset(key, 0x0b, sizeof(key));
	ck_assert_int_eq(crypto_hmac_sha256_hex(key, sizeof(key), "Hi There",
						8, hex, &err), MSP_OK);
	ck_assert_str_eq(hex, "b0344c61d8db38535ca8afceaf0bf12b"
			      "881dc200c9833da726e9376c2e32cff7");
	ck_assert_int_eq(crypto_hmac_sha256_hex("Jefe", 4,
		"what do ya want for nothing?", 28, hex, &err), MSP_OK);
	ck_assert_str_eq(hex, "5bdcc146bf60754e6a042426089575c7"
			      "5a003f089d2739839dec58b964ec3843");
}
END_TEST

/* --- file ---------------------------------------------------------- */

START_TEST(file_read_limits)
{
	char path[] = "/tmp/msp-file-XXXXXX";
	struct msp_error err;
	char *buf = (char *)1;
	size_t len;
	int fd = mkstemp(path);
	FILE *f;

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	fputs("0123456789", f);
	fclose(f);
	ck_assert_int_eq(file_read(path, 10, &buf, &len, &err), MSP_OK);
	ck_assert_uint_eq(len, 10);
	ck_assert_str_eq(buf, "0123456789");
	free(buf);
	ck_assert_int_eq(file_read(path, 9, &buf, &len, &err), MSP_EINVAL);
	ck_assert_ptr_null(buf);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(file_read(path, 9, &buf, &len, &err), MSP_EIO);
	ck_assert_ptr_null(buf);
	ck_assert_msg(strstr(err.message, path) != NULL, "%s", err.message);
}
END_TEST

/* --- db ------------------------------------------------------------ */

static struct testdb db;

static void
db_setup(void)
{
	testdb_open(&db);
}

static void
db_teardown(void)
{
	testdb_close(&db);
}

START_TEST(exec_reports_failure_without_err)
{
	/* A caller that wants no message still learns of the failure. */
	ck_assert_int_eq(db_exec(db.conn, "bad", "SELECT * FROM nowhere", 0,
				 NULL, PGRES_TUPLES_OK, NULL, NULL), MSP_EDB);
}
END_TEST

START_TEST(exec_names_statement_and_error)
{
	struct msp_error err;
	PGresult *res = (PGresult *)1;

	ck_assert_int_eq(db_exec(db.conn, "read widgets",
				 "SELECT * FROM public.widgets", 0, NULL,
				 PGRES_TUPLES_OK, &res, &err), MSP_EDB);
	ck_assert_ptr_null(res);
	ck_assert_msg(strncmp(err.message, "read widgets: ERROR: ", 21) == 0,
		      "%s", err.message);
	ck_assert_msg(strstr(err.message, "widgets") != NULL, "%s",
		      err.message);
	ck_assert_str_eq(err.sqlstate, "42P01");	/* undefined_table */
}
END_TEST

START_TEST(exec_passes_parameters_verbatim)
{
	const char *params[1] = { "'; DROP TABLE x; --" };
	struct msp_error err;
	PGresult *res = NULL;

	ck_assert_int_eq(db_exec(db.conn, "echo", "SELECT $1::text AS v", 1,
				 params, PGRES_TUPLES_OK, &res, &err), MSP_OK);
	ck_assert_str_eq(PQgetvalue(res, 0, db_column(res, "v")), params[0]);
	ck_assert_int_eq(db_column(res, "nope"), -1);
	PQclear(res);
}
END_TEST

START_TEST(db_int_reads_by_name)
{
	PGresult *res = NULL;

	ck_assert_int_eq(db_exec(db.conn, "ints",
				 "SELECT 9007199254740993::bigint AS big,"
				 "       -7 AS neg, NULL::int AS missing",
				 0, NULL, PGRES_TUPLES_OK, &res, NULL), MSP_OK);
	ck_assert(db_int(res, 0, "big") == 9007199254740993LL);
	ck_assert(db_int(res, 0, "neg") == -7);
	ck_assert(db_int(res, 0, "missing") == 0);
	ck_assert(db_int(res, 0, "nope") == 0);
	PQclear(res);
}
END_TEST

START_TEST(connect_sets_empty_search_path)
{
	ck_assert_str_eq(testdb_value(db.conn, "SHOW search_path"), "");
}
END_TEST

START_TEST(connect_failure_is_reported)
{
	struct msp_error err;
	PGconn *conn = (PGconn *)1;

	ck_assert_int_eq(db_connect("host=/nonexistent port=1", NULL, &conn,
				    &err), MSP_EDB);
	ck_assert_ptr_null(conn);
	ck_assert_msg(strncmp(err.message, "connecting: ", 12) == 0, "%s",
		      err.message);
}
END_TEST

/*
 * The class of the SQLSTATE the server gives for a condition it names:
 * PostgreSQL maps the names of Appendix A to codes (and MSPFn are
 * raised as such), so the table in db_classify() is checked against the
 * server, not against itself.
 */
static enum db_class
server_class(const char *condition)
{
	char sql[256];
	struct msp_error err;

	snprintf(sql, sizeof(sql), "DO $$ BEGIN RAISE EXCEPTION 'x' USING "
		 "ERRCODE = '%s'; END $$", condition);
	ck_assert_int_eq(db_exec(db.conn, "raise", sql, 0, NULL,
				 PGRES_COMMAND_OK, NULL, &err), MSP_EDB);
	return db_classify(err.sqlstate);
}

START_TEST(classify_server_conditions)
{
	static const struct {
		const char *condition;
		enum db_class want;
	} cases[] = {
		/* RAISE knows no name for class 02: the code itself */
		{ "02000", DB_NO_DATA },
		{ "connection_failure", DB_CONN },
		{ "protocol_violation", DB_CONN },
		{ "division_by_zero", DB_DATA },
		{ "invalid_datetime_format", DB_DATA },
		{ "invalid_parameter_value", DB_INVALID_PARAMETER },
		{ "not_null_violation", DB_INTEGRITY },
		{ "foreign_key_violation", DB_FOREIGN_KEY },
		{ "unique_violation", DB_UNIQUE },
		{ "check_violation", DB_CHECK },
		{ "invalid_authorization_specification", DB_AUTH },
		{ "insufficient_privilege", DB_DENIED },
		{ "lock_not_available", DB_BUSY },
		{ "query_canceled", DB_BUSY },
		{ "no_data_found", DB_NOT_FOUND },
		{ "MSPF1", DB_FORM_OTHER_STUDY },
		{ "MSPF2", DB_FORM_UNKNOWN_CODE },
		{ "MSPF3", DB_FORM_SENT },
		{ "MSPF4", DB_FORM_OTHER_CODE },
		{ "undefined_table", DB_OTHER },
		/* a hot standby's recovery-conflict cancel, and a write
		 * that reached it */
		{ "serialization_failure", DB_BUSY },
		{ "read_only_sql_transaction", DB_BUSY },
		{ "deadlock_detected", DB_OTHER },
		{ "MSPF5", DB_OTHER },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(server_class(cases[i].condition) ==
			      cases[i].want, "%s", cases[i].condition);
}
END_TEST

START_TEST(classify_real_failures)
{
	struct msp_error err;

	/* the statement timeout the worker sets, firing for real */
	ck_assert_int_eq(db_exec(db.conn, "timeout",
				 "SET statement_timeout = '50ms'", 0, NULL,
				 PGRES_COMMAND_OK, NULL, &err), MSP_OK);
	ck_assert_int_eq(db_exec(db.conn, "sleep", "SELECT pg_sleep(5)", 0,
				 NULL, PGRES_TUPLES_OK, NULL, &err), MSP_EDB);
	ck_assert_int_eq(db_classify(err.sqlstate), DB_BUSY);
	ck_assert_int_eq(db_exec(db.conn, "timeout",
				 "RESET statement_timeout", 0, NULL,
				 PGRES_COMMAND_OK, NULL, &err), MSP_OK);
	/* a write where writing is refused, as on a hot standby */
	ck_assert_int_eq(db_exec(db.conn, "read only", "BEGIN READ ONLY", 0,
				 NULL, PGRES_COMMAND_OK, NULL, &err), MSP_OK);
	ck_assert_int_eq(db_exec(db.conn, "write", "CREATE TEMP TABLE t ()",
				 0, NULL, PGRES_COMMAND_OK, NULL, &err),
			 MSP_EDB);
	ck_assert_str_eq(err.sqlstate, "25006");
	ck_assert_int_eq(db_classify(err.sqlstate), DB_BUSY);
	ck_assert_int_eq(db_exec(db.conn, "rollback", "ROLLBACK", 0, NULL,
				 PGRES_COMMAND_OK, NULL, &err), MSP_OK);
	ck_assert_int_eq(db_exec(db.conn, "divide", "SELECT 1 / 0", 0, NULL,
				 PGRES_TUPLES_OK, NULL, &err), MSP_EDB);
	ck_assert_int_eq(db_classify(err.sqlstate), DB_DATA);
	ck_assert(db_refused_answers(db_classify(err.sqlstate)));
	ck_assert(db_class_is_input(db_classify(err.sqlstate)));
}
END_TEST

START_TEST(classify_without_server)
{
	/* no SQLSTATE: a client-side failure, for PQstatus to explain */
	ck_assert_int_eq(db_classify(NULL), DB_OTHER);
	ck_assert_int_eq(db_classify(""), DB_OTHER);
	ck_assert_int_eq(db_classify("00000"), DB_OK);
	ck_assert_int_eq(db_classify("22"), DB_OTHER);	/* not a code */
	ck_assert_int_eq(db_classify("2350"), DB_OTHER);
	ck_assert_int_eq(db_classify("235050"), DB_OTHER);
	/* the groups the front ends decide by */
	ck_assert(db_class_is_data(DB_INVALID_PARAMETER));
	ck_assert(!db_class_is_data(DB_INTEGRITY));
	ck_assert(db_refused_answers(DB_UNIQUE));
	ck_assert(!db_refused_answers(DB_NO_DATA));
	ck_assert(db_class_is_input(DB_NO_DATA));
	ck_assert(!db_class_is_input(DB_DENIED));
	ck_assert(!db_class_is_input(DB_BUSY));
	ck_assert(!db_class_is_input(DB_OTHER));
}
END_TEST

static Suite *
core_suite(void)
{
	Suite *s = suite_create("core");
	TCase *errors = tcase_create("msp_error");
	TCase *crypto = tcase_create("crypto");
	TCase *file = tcase_create("file");
	TCase *dbc = tcase_create("db");

	tcase_add_test(errors, error_set_and_prefix);
	tcase_add_test(errors, error_prefix_truncates_safely);
	tcase_add_test(errors, strerror_covers_every_status);
	suite_add_tcase(s, errors);
	tcase_add_test(crypto, sha256_known_vectors);
	tcase_add_test(crypto, hmac_sha256_rfc4231);
	suite_add_tcase(s, crypto);
	tcase_add_test(file, file_read_limits);
	suite_add_tcase(s, file);
	tcase_add_checked_fixture(dbc, db_setup, db_teardown);
	tcase_add_test(dbc, exec_reports_failure_without_err);
	tcase_add_test(dbc, exec_names_statement_and_error);
	tcase_add_test(dbc, exec_passes_parameters_verbatim);
	tcase_add_test(dbc, db_int_reads_by_name);
	tcase_add_test(dbc, connect_sets_empty_search_path);
	tcase_add_test(dbc, connect_failure_is_reported);
	tcase_add_test(dbc, classify_server_conditions);
	tcase_add_test(dbc, classify_real_failures);
	tcase_add_test(dbc, classify_without_server);
	suite_add_tcase(s, dbc);
	return s;
}

int
main(void)
{
	return testdb_run(core_suite());
}
