/*
 * Migrations against a real PostgreSQL: they apply in order, re-apply as
 * a no-op, fail cleanly (rolled back, file and error named) and refuse a
 * database that disagrees with the checkout.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "migrate.h"
#include "settings.h"
#include "testdb.h"

static struct testdb db;
static char tmpdir[64];

static void
setup(void)
{
	testdb_open(&db);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/msp-migrate-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
teardown(void)
{
	char cmd[128];

	testdb_close(&db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* migrate_apply() with the error message shown when it surprises. */
#define expect_apply(conn, dir, out, n, err, want) do { \
	enum msp_status got_ = \
		migrate_apply(conn, MIGRATE_SCHEMA, dir, out, n, err); \
	ck_assert_msg(got_ == (want), "migrate_apply: got %s, want %s: %s", \
		      msp_strerror(got_), msp_strerror(want), \
		      got_ == MSP_OK ? "" : (err)->message); \
} while (0)

static void
remove_file(const char *dir, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(unlink(path), 0);
}

static int
count(const char *sql)
{
	return (int)strtol(testdb_value(db.conn, sql), NULL, 10);
}

static int
table_exists(const char *name)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
		 "SELECT pg_catalog.to_regclass('%s') IS NOT NULL", name);
	return strcmp(testdb_value(db.conn, sql), "t") == 0;
}

/* --- core ---------------------------------------------------------- */

START_TEST(applies_in_order_and_records)
{
	struct msp_error err;
	int n = -1;

	expect_apply(db.conn, testdb_srcpath("tests/data/migrations-ok"),
		NULL, &n, &err, MSP_OK);
	ck_assert_int_eq(n, 2);
	/* 0002 references 0001's table, so order mattered. */
	ck_assert(table_exists("public.t_second"));
	ck_assert_int_eq(count("SELECT count(*) FROM public.t_first"), 2);
	ck_assert_str_eq(testdb_value(db.conn,
		"SELECT string_agg(file, ',' ORDER BY version)"
		" FROM msp_meta.schema_migrations"),
		"0001_first.sql,0002_second.sql");
	ck_assert_int_eq(count("SELECT count(*) FROM msp_meta.schema_migrations"
			       " WHERE sha256 ~ '^[0-9a-f]{64}$'"), 2);
}
END_TEST

START_TEST(reapply_is_a_noop)
{
	const char *dir = testdb_srcpath("tests/data/migrations-ok");
	struct msp_error err;
	char before[128];
	int n = -1;

	expect_apply(db.conn, dir, NULL, &n, &err, MSP_OK);
	snprintf(before, sizeof(before), "%s", testdb_value(db.conn,
		"SELECT max(applied_at)::text"
		"  FROM msp_meta.schema_migrations"));
	expect_apply(db.conn, dir, NULL, &n, &err, MSP_OK);
	ck_assert_int_eq(n, 0);
	/* Had 0002 run again, its INSERT would have doubled the rows. */
	ck_assert_int_eq(count("SELECT count(*) FROM public.t_first"), 2);
	ck_assert_str_eq(testdb_value(db.conn,
		"SELECT max(applied_at)::text FROM msp_meta.schema_migrations"),
		before);
}
END_TEST

START_TEST(project_migrations_apply_twice)
{
	const char *dir = settings_migrations_dir();
	struct msp_error err;
	int n = -1, pending = -1;

	ck_assert_int_eq(migrate_status(db.conn, MIGRATE_SCHEMA, dir, NULL,
					&pending, &err), MSP_OK);
	ck_assert_int_gt(pending, 0);
	expect_apply(db.conn, dir, NULL, &n, &err, MSP_OK);
	ck_assert_int_eq(n, pending);
	ck_assert(table_exists("msp.region"));
	expect_apply(db.conn, dir, NULL, &n, &err, MSP_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(migrate_status(db.conn, MIGRATE_SCHEMA, dir, NULL,
					&pending, &err), MSP_OK);
	ck_assert_int_eq(pending, 0);
}
END_TEST

/* The reference ledger is its own: its versions are not the schema's. */
START_TEST(ledgers_are_independent)
{
	const char *dir = testdb_srcpath("tests/data/migrations-ok");
	struct msp_error err;
	int n = -1;

	write_file(tmpdir, "0001_data.sql",
		   "INSERT INTO public.t_first VALUES (3);\n");
	expect_apply(db.conn, dir, NULL, &n, &err, MSP_OK);
	ck_assert_int_eq(migrate_apply(db.conn, MIGRATE_REFERENCE, tmpdir,
				       NULL, &n, &err), MSP_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(migrate_apply(db.conn, MIGRATE_REFERENCE, tmpdir,
				       NULL, &n, &err), MSP_OK);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(count("SELECT count(*) FROM public.t_first"), 3);
	ck_assert_str_eq(testdb_value(db.conn,
		"SELECT file FROM msp_meta.reference_loads"), "0001_data.sql");
	ck_assert_int_eq(count("SELECT count(*) FROM"
			       " msp_meta.schema_migrations"), 2);
}
END_TEST

/* Two migrators at once: the advisory lock lets exactly one apply. */
START_TEST(concurrent_runs_apply_once)
{
	const char *dir = testdb_srcpath("tests/data/migrations-ok");
	struct msp_error err;
	PGconn *other;
	pid_t child;
	int n = -1, status;

	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		other = testdb_connect(&db);
		if (migrate_apply(other, MIGRATE_SCHEMA, dir, NULL, &n,
				  &err) != MSP_OK)
			_exit(100);
		PQfinish(other);
		_exit(n);
	}
	expect_apply(db.conn, dir, NULL, &n, &err, MSP_OK);
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(n + WEXITSTATUS(status), 2);
	ck_assert_int_eq(count("SELECT count(*) FROM public.t_first"), 2);
}
END_TEST

/* --- errors -------------------------------------------------------- */

START_TEST(failure_rolls_back_and_names_file)
{
	struct msp_error err;
	int n = -1;

	expect_apply(db.conn, testdb_srcpath("tests/data/migrations-bad"),
		NULL, &n, &err, MSP_EDB);
	/* The file, the line (after a multi-byte comment), the error. */
	ck_assert_msg(strstr(err.message, "migrations-bad/0002_broken.sql:4:")
		      != NULL, "%s", err.message);
	ck_assert_msg(strstr(err.message, "no_such_table") != NULL, "%s",
		      err.message);
	ck_assert_int_eq(n, 1);
	ck_assert(table_exists("public.t_first"));
	ck_assert(!table_exists("public.t_half"));
	ck_assert(!table_exists("public.t_never"));
	ck_assert_str_eq(testdb_value(db.conn,
		"SELECT string_agg(version::text, ',')"
		" FROM msp_meta.schema_migrations"), "1");
	/* The connection is usable, outside any transaction. */
	ck_assert_int_eq(PQtransactionStatus(db.conn), PQTRANS_IDLE);
}
END_TEST

START_TEST(edited_migration_is_refused)
{
	struct msp_error err;
	int n;

	write_file(tmpdir, "0001_a.sql", "CREATE TABLE public.a (x int);\n");
	expect_apply(db.conn, tmpdir, NULL, &n, &err, MSP_OK);
	write_file(tmpdir, "0001_a.sql", "CREATE TABLE public.a (y int);\n");
	write_file(tmpdir, "0002_b.sql", "CREATE TABLE public.b (x int);\n");
	expect_apply(db.conn, tmpdir, NULL, &n, &err, MSP_ECONFLICT);
	ck_assert_msg(strstr(err.message, "0001_a.sql was changed") != NULL,
		      "%s", err.message);
	ck_assert(!table_exists("public.b"));
}
END_TEST

START_TEST(database_newer_than_checkout_is_refused)
{
	struct msp_error err;
	int n;

	write_file(tmpdir, "0001_a.sql", "CREATE TABLE public.a (x int);\n");
	write_file(tmpdir, "0002_b.sql", "CREATE TABLE public.b (x int);\n");
	expect_apply(db.conn, tmpdir, NULL, &n, &err, MSP_OK);
	remove_file(tmpdir, "0002_b.sql");
	expect_apply(db.conn, tmpdir, NULL, &n, &err, MSP_ECONFLICT);
	ck_assert_msg(strstr(err.message, "newer than this checkout") != NULL,
		      "%s", err.message);
}
END_TEST

START_TEST(migration_may_not_commit)
{
	struct msp_error err;
	int n;

	write_file(tmpdir, "0001_a.sql",
		   "CREATE TABLE public.a (x int);\nCOMMIT;\n");
	expect_apply(db.conn, tmpdir, NULL, &n, &err, MSP_EINVAL);
	ck_assert_msg(strstr(err.message, "must not COMMIT") != NULL, "%s",
		      err.message);
	ck_assert_int_eq(count("SELECT count(*) FROM"
			       " msp_meta.schema_migrations"), 0);
}
END_TEST

/* --- names and files (no database needed) -------------------------- */

START_TEST(names)
{
	static const char *const good[] = { "0001_a.sql", "0042_has_codes.sql",
					    "9999_x9.sql" };
	static const char *const bad[] = { "1_a.sql", "0001-a.sql",
		"0000_a.sql", "0001_.sql", "0001_A.sql", "0001_a.sql.bak",
		"abcd_x.sql", "00001_a.sql", "0001_a b.sql", ".sql", "" };
	struct msp_error err;
	size_t i;
	int v;

	for (i = 0; i < sizeof(good) / sizeof(*good); i++)
		ck_assert_msg(migrate_parse_name(good[i], &v, &err) == MSP_OK,
			      "%s", good[i]);
	ck_assert_int_eq(migrate_parse_name("0042_x.sql", &v, &err), MSP_OK);
	ck_assert_int_eq(v, 42);
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		ck_assert_msg(migrate_parse_name(bad[i], &v, &err) ==
			      MSP_EINVAL, "'%s' accepted", bad[i]);
}
END_TEST

START_TEST(scan_errors)
{
	struct migration_set set;
	struct msp_error err;

	ck_assert_int_eq(migrate_scan("/nonexistent/dir", &set, &err), MSP_EIO);
	ck_assert_ptr_null(set.items);

	write_file(tmpdir, "0001_a.sql", "SELECT 1;\n");
	write_file(tmpdir, "0001_b.sql", "SELECT 2;\n");
	ck_assert_int_eq(migrate_scan(tmpdir, &set, &err), MSP_EINVAL);
	ck_assert_msg(strstr(err.message, "same version") != NULL, "%s",
		      err.message);
	ck_assert_uint_eq(set.n, 0);

	write_file(tmpdir, "0001_b.sql", "");
	remove_file(tmpdir, "0001_a.sql");
	ck_assert_int_eq(migrate_scan(tmpdir, &set, &err), MSP_EINVAL);
	ck_assert_msg(strstr(err.message, "is empty") != NULL, "%s",
		      err.message);

	write_file(tmpdir, "0001_b.sql", "SELECT 1;\n");
	write_file(tmpdir, "2_typo.sql", "SELECT 1;\n");
	ck_assert_int_eq(migrate_scan(tmpdir, &set, &err), MSP_EINVAL);
	ck_assert_msg(strstr(err.message, "2_typo.sql") != NULL, "%s",
		      err.message);
}
END_TEST

static Suite *
migrate_suite(void)
{
	Suite *s = suite_create("migrate");
	TCase *core = tcase_create("core");
	TCase *errors = tcase_create("errors");
	TCase *files = tcase_create("files");

	tcase_add_checked_fixture(core, setup, teardown);
	tcase_add_test(core, applies_in_order_and_records);
	tcase_add_test(core, reapply_is_a_noop);
	tcase_add_test(core, project_migrations_apply_twice);
	tcase_add_test(core, concurrent_runs_apply_once);
	tcase_add_test(core, ledgers_are_independent);
	suite_add_tcase(s, core);

	tcase_add_checked_fixture(errors, setup, teardown);
	tcase_add_test(errors, failure_rolls_back_and_names_file);
	tcase_add_test(errors, edited_migration_is_refused);
	tcase_add_test(errors, database_newer_than_checkout_is_refused);
	tcase_add_test(errors, migration_may_not_commit);
	suite_add_tcase(s, errors);

	tcase_add_checked_fixture(files, setup, teardown);
	tcase_add_test(files, names);
	tcase_add_test(files, scan_errors);
	suite_add_tcase(s, files);
	return s;
}

int
main(void)
{
	return testdb_run(migrate_suite());
}
