/*
 * Migrations against a real PostgreSQL: they apply in order, re-apply as
 * a no-op, fail cleanly (the whole run rolled back, file and error
 * named) and refuse a database that disagrees with the checkout; a
 * migration's trigger and its function file go live together.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "migrate.h"
#include "settings.h"
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
	/* One run, one transaction: 0001 went with it, and the ledger
	 * itself, made by the same run. */
	ck_assert_int_eq(n, 0);
	ck_assert(!table_exists("public.t_first"));
	ck_assert(!table_exists("public.t_half"));
	ck_assert(!table_exists("public.t_never"));
	ck_assert(!table_exists("msp_meta.schema_migrations"));
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


/* --- function files ------------------------------------------------ */

/* migrate_apply() of function files, with the message when it surprises. */
#define expect_functions(conn, dir, n, err, want) do { \
	enum msp_status got_ = migrate_apply(conn, MIGRATE_FUNCTIONS, dir, \
					     NULL, n, err); \
	ck_assert_msg(got_ == (want), "migrate_apply: got %s, want %s: %s", \
		      msp_strerror(got_), msp_strerror(want), \
		      got_ == MSP_OK ? "" : (err)->message); \
} while (0)

/* The applied_at of a function file, as text (microseconds). */
static char *
loaded_at(const char *file)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT applied_at::text FROM"
		 " msp_meta.function_loads WHERE file = '%s'", file);
	return strdup(testdb_value(db.conn, sql));
}

START_TEST(fresh_database_gets_every_function)
{
	struct migration_set set;
	struct msp_error err;
	char sql[512];
	size_t i, len;
	int n = -1;

	testdb_load(&db, NULL);
	ck_assert_int_eq(migrate_scan_functions(settings_functions_dir(),
						&set, &err), MSP_OK);
	ck_assert_uint_gt(set.n, 30);
	/* One file per function of the project's schemas, and back. */
	ck_assert_int_eq(count("SELECT count(*) FROM pg_catalog.pg_proc"
			       " WHERE pronamespace IN ('msp'::regnamespace,"
			       " 'msp_audit'::regnamespace)"), (int)set.n);
	for (i = 0; i < set.n; i++) {
		len = strlen(set.items[i].file) - 4;
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM"
			 " pg_catalog.pg_proc p WHERE p.pronamespace::"
			 "regnamespace::text || '.' || p.proname = '%.*s'",
			 (int)len, set.items[i].file);
		ck_assert_msg(count(sql) == 1, "%s defines no function %.*s",
			      set.items[i].file, (int)len, set.items[i].file);
		snprintf(sql, sizeof(sql), "SELECT sha256 FROM"
			 " msp_meta.function_loads WHERE file = '%s'",
			 set.items[i].file);
		ck_assert_str_eq(testdb_value(db.conn, sql),
				 set.items[i].sha256);
	}
	ck_assert_int_eq(count("SELECT count(*) FROM msp_meta.function_loads"),
			 (int)set.n);
	/* The migrations' declarations were all replaced. */
	ck_assert_int_eq(count("SELECT count(*) FROM pg_catalog.pg_proc"
			       " WHERE prosrc LIKE '%declared only%'"), 0);
	expect_functions(db.conn, settings_functions_dir(), &n, &err, MSP_OK);
	ck_assert_int_eq(n, 0);
	migrate_set_free(&set);
}
END_TEST

START_TEST(changed_function_file_reapplies_only_it)
{
	struct msp_error err;
	char *a_at, *b_at, *a_now, *b_now, *out = NULL;
	size_t outlen = 0;
	FILE *f;
	int n = -1, pending = -1;

	/* f_a calls f_b, whose file sorts after it: bodies are checked
	 * once all files are in. */
	write_file(tmpdir, "public.f_a.sql",
		   "CREATE OR REPLACE FUNCTION public.f_a() RETURNS integer\n"
		   "LANGUAGE sql AS $$ SELECT public.f_b() + 1 $$;\n");
	write_file(tmpdir, "public.f_b.sql",
		   "CREATE OR REPLACE FUNCTION public.f_b() RETURNS integer\n"
		   "LANGUAGE sql AS $$ SELECT 1 $$;\n");
	write_file(tmpdir, "README", "not a function file\n");
	expect_functions(db.conn, tmpdir, &n, &err, MSP_OK);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(testdb_value(db.conn, "SELECT public.f_a()"), "2");
	ck_assert_str_eq(testdb_value(db.conn, "SELECT string_agg(file, ','"
		" ORDER BY file) FROM msp_meta.function_loads"),
		"public.f_a.sql,public.f_b.sql");
	a_at = loaded_at("public.f_a.sql");
	b_at = loaded_at("public.f_b.sql");

	write_file(tmpdir, "public.f_b.sql",
		   "CREATE OR REPLACE FUNCTION public.f_b() RETURNS integer\n"
		   "LANGUAGE sql AS $$ SELECT 41 $$;\n");
	f = open_memstream(&out, &outlen);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(migrate_status(db.conn, MIGRATE_FUNCTIONS, tmpdir,
					f, &pending, &err), MSP_OK);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(pending, 1);
	ck_assert_msg(strstr(out, "public.f_b.sql  (file changed since: "
			     "pending)") != NULL, "%s", out);
	free(out);
	expect_functions(db.conn, tmpdir, &n, &err, MSP_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(testdb_value(db.conn, "SELECT public.f_a()"), "42");
	a_now = loaded_at("public.f_a.sql");
	b_now = loaded_at("public.f_b.sql");
	ck_assert_str_eq(a_now, a_at);
	ck_assert_str_ne(b_now, b_at);
	ck_assert_int_eq(count("SELECT count(*) FROM msp_meta.function_loads"),
			 2);
	ck_assert_int_eq(migrate_status(db.conn, MIGRATE_FUNCTIONS, tmpdir,
					NULL, &pending, &err), MSP_OK);
	ck_assert_int_eq(pending, 0);
	free(a_at);
	free(b_at);
	free(a_now);
	free(b_now);
}
END_TEST

START_TEST(function_file_errors)
{
	struct msp_error err;
	int n = -1;

	/* A syntax error: the run's transaction is rolled back, ledger
	 * and all. */
	write_file(tmpdir, "public.f_bad.sql",
		   "CREATE OR REPLACE FUNCTION public.f_bad() RETURNS integer\n"
		   "LANGUAGE sql AS $$ SELECT 1 $$ BROKEN;\n");
	expect_functions(db.conn, tmpdir, &n, &err, MSP_EDB);
	ck_assert_msg(strstr(err.message, "public.f_bad.sql") != NULL, "%s",
		      err.message);
	ck_assert(!table_exists("msp_meta.function_loads"));
	/* A body naming a function that no file defines: found by the
	 * check after the loads, before COMMIT, naming the file, its line
	 * and the missing function. */
	write_file(tmpdir, "public.f_bad.sql",
		   "CREATE OR REPLACE FUNCTION public.f_bad() RETURNS integer\n"
		   "LANGUAGE sql AS $$\n"
		   "    SELECT 1 + public.f_nowhere()\n"
		   "$$;\n");
	expect_functions(db.conn, tmpdir, &n, &err, MSP_EDB);
	ck_assert_msg(strstr(err.message, "f_nowhere") != NULL &&
		      strstr(err.message, "public.f_bad.sql:3: function "
			     "public.f_bad()") != NULL, "%s", err.message);
	ck_assert_int_eq(n, 0);
	/* Never recorded, never left in place: refused again. */
	ck_assert(!table_exists("msp_meta.function_loads"));
	ck_assert_str_eq(testdb_value(db.conn, "SELECT count(*) FROM"
		" pg_catalog.pg_proc WHERE proname = 'f_bad'"), "0");
	expect_functions(db.conn, tmpdir, &n, &err, MSP_EDB);
	ck_assert_int_eq(n, 0);
	/* Fixed: applied again, since its checksum changed. */
	write_file(tmpdir, "public.f_bad.sql",
		   "CREATE OR REPLACE FUNCTION public.f_bad() RETURNS integer\n"
		   "LANGUAGE sql AS $$ SELECT 7 $$;\n");
	expect_functions(db.conn, tmpdir, &n, &err, MSP_OK);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(testdb_value(db.conn, "SELECT public.f_bad()"), "7");
	/* Badly named. */
	write_file(tmpdir, "Public.F.sql", "SELECT 1;\n");
	expect_functions(db.conn, tmpdir, &n, &err, MSP_EINVAL);
	ck_assert_msg(strstr(err.message, "Public.F.sql") != NULL, "%s",
		      err.message);
}
END_TEST

/* --- one run, one transaction (review finding 5) ------------------ */

/* migrate_schema() with the message when it surprises. */
#define expect_schema(conn, dir, fdir, n, err, want) do { \
	enum msp_status got_ = migrate_schema(conn, dir, fdir, NULL, n, err); \
	ck_assert_msg(got_ == (want), "migrate_schema: got %s, want %s: %s", \
		      msp_strerror(got_), msp_strerror(want), \
		      got_ == MSP_OK ? "" : (err)->message); \
} while (0)

/* tmpdir/m and tmpdir/f: a run's migrations and function files. */
static void
make_dirs(char *mdir, char *fdir, size_t size)
{
	snprintf(mdir, size, "%s/m", tmpdir);
	snprintf(fdir, size, "%s/f", tmpdir);
	ck_assert_int_eq(mkdir(mdir, 0700), 0);
	ck_assert_int_eq(mkdir(fdir, 0700), 0);
}

/* A table, and a function file the second run changes. */
static void
first_run(const char *mdir, const char *fdir)
{
	struct msp_error err;
	int n = -1;

	write_file(mdir, "0001_t.sql",
		   "CREATE TABLE public.t (x integer, checked boolean);\n");
	write_file(fdir, "public.f_keep.sql",
		   "CREATE OR REPLACE FUNCTION public.f_keep()\n"
		   "RETURNS integer\n"
		   "LANGUAGE sql AS $$ SELECT 1 $$;\n");
	expect_schema(db.conn, mdir, fdir, &n, &err, MSP_OK);
	ck_assert_int_eq(n, 2);
}

/* As the project's migrations do (0028): a trigger on a live table,
 * whose function is declared only; its body is its function file. */
static void
trigger_with_declared_function(const char *mdir, const char *fdir)
{
	write_file(mdir, "0002_guard.sql",
		   "CREATE FUNCTION public.t_guard() RETURNS trigger\n"
		   "    LANGUAGE plpgsql AS $$BEGIN RAISE 'declared only'; "
		   "END$$;\n"
		   "CREATE TRIGGER guard BEFORE INSERT OR UPDATE ON public.t\n"
		   "    FOR EACH ROW EXECUTE FUNCTION public.t_guard();\n");
	if (fdir != NULL)
		write_file(fdir, "public.t_guard.sql",
			   "CREATE OR REPLACE FUNCTION public.t_guard()\n"
			   "RETURNS trigger LANGUAGE plpgsql AS $$\n"
			   "BEGIN NEW.checked := true; RETURN NEW; END$$;\n");
}

/* The ledgers and the schema as first_run() left them. */
static void
assert_first_run_state(void)
{
	ck_assert_int_eq(count("SELECT count(*) FROM pg_catalog.pg_trigger"
			       " WHERE tgname = 'guard'"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM pg_catalog.pg_proc"
			       " WHERE proname = 't_guard'"), 0);
	ck_assert_str_eq(testdb_value(db.conn,
		"SELECT string_agg(file, ',' ORDER BY version)"
		" FROM msp_meta.schema_migrations"), "0001_t.sql");
	ck_assert_str_eq(testdb_value(db.conn,
		"SELECT string_agg(file, ',' ORDER BY file)"
		" FROM msp_meta.function_loads"), "public.f_keep.sql");
	ck_assert_str_eq(testdb_value(db.conn, "SELECT public.f_keep()"),
			 "1");
	/* No trigger: a row goes in as it did. */
	ck_assert_str_eq(testdb_value(db.conn, "INSERT INTO public.t (x)"
		" VALUES (1) RETURNING coalesce(checked, false)::text"),
		"false");
	ck_assert_int_eq(PQtransactionStatus(db.conn), PQTRANS_IDLE);
}

/*
 * A function file whose body its validator refuses, after the
 * migration that adds the trigger: the migrations of the same run go
 * back too, and both ledgers stay as they were.
 */
START_TEST(failed_function_rolls_back_the_run)
{
	char mdir[128], fdir[128], args[512];
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	struct msp_error err;
	int n = -1;

	make_dirs(mdir, fdir, sizeof(mdir));
	first_run(mdir, fdir);
	trigger_with_declared_function(mdir, fdir);
	write_file(fdir, "public.f_keep.sql",
		   "CREATE OR REPLACE FUNCTION public.f_keep()\n"
		   "RETURNS integer\n"
		   "LANGUAGE sql AS $$ SELECT 2 $$;\n");
	/* Loaded with body checks off; its validator finds the error,
	 * on the body's third line, the file's fourth. */
	write_file(fdir, "public.z_bad.sql",
		   "CREATE OR REPLACE FUNCTION public.z_bad() RETURNS integer\n"
		   "LANGUAGE plpgsql AS $$\n"
		   "BEGIN\n"
		   "    RETURN 1 +;\n"
		   "END$$;\n");
	expect_schema(db.conn, mdir, fdir, &n, &err, MSP_EDB);
	ck_assert_int_eq(n, 0);
	ck_assert_msg(strstr(err.message, "/f/public.z_bad.sql:4: function "
			     "public.z_bad(): ERROR: syntax error") != NULL,
		      "%s", err.message);
	assert_first_run_state();
	/* The same through msp-report db migrate: exit 1, the file and
	 * line, and the person told that nothing changed. */
	snprintf(args, sizeof(args), "db migrate --dir '%s' --functions '%s'",
		 mdir, fdir);
	ck_assert_int_eq(testdb_cli(db.conn, NULL, "", args, &out), 1);
	ck_assert_msg(strstr(buf_str(&out), "public.z_bad.sql:4: ") != NULL &&
		      strstr(buf_str(&out), "rien n'a été appliqué") != NULL &&
		      strstr(buf_str(&out), "applied") == NULL, "%s",
		      buf_str(&out));
	buf_free(&out);
	assert_first_run_state();
	ck_assert_int_eq(count("SELECT count(*) FROM pg_catalog.pg_proc"
			       " WHERE proname = 'z_bad'"), 0);

	/* Fixed: the whole run goes in. */
	write_file(fdir, "public.z_bad.sql",
		   "CREATE OR REPLACE FUNCTION public.z_bad() RETURNS integer\n"
		   "LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;\n");
	expect_schema(db.conn, mdir, fdir, &n, &err, MSP_OK);
	ck_assert_int_eq(n, 4);
	ck_assert_str_eq(testdb_value(db.conn, "INSERT INTO public.t (x)"
		" VALUES (2) RETURNING checked::text"), "true");
	ck_assert_str_eq(testdb_value(db.conn, "SELECT public.f_keep()"),
			 "2");
}
END_TEST

/* A declared function that no file replaces: its trigger would raise
 * on every row, so the run is refused. */
START_TEST(declared_function_without_file_is_refused)
{
	char mdir[128], fdir[128];
	struct msp_error err;
	int n = -1;

	make_dirs(mdir, fdir, sizeof(mdir));
	first_run(mdir, fdir);
	trigger_with_declared_function(mdir, NULL);
	expect_schema(db.conn, mdir, fdir, &n, &err, MSP_EDB);
	ck_assert_msg(strstr(err.message, "function public.t_guard() is still "
			     "the declaration") != NULL &&
		      strstr(err.message, "public.t_guard.sql") != NULL, "%s",
		      err.message);
	assert_first_run_state();
}
END_TEST

/* Runs a script of several statements on db (PQexec), failing the test
 * when it does not complete. */
static void
script(const char *sql)
{
	PGresult *res = PQexec(db.conn, sql);

	ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK, "%s: %s", sql,
		      PQresultErrorMessage(res));
	PQclear(res);
}

/*
 * The disclosure module (pg/msp_sdc.so) answering another version than
 * its SQL declarations expect (a stale .so in the server's $libdir) is
 * refused at the end of the run, in French, naming the file and both
 * versions; the run is rolled back.  The database's declaration is
 * made stale here, the module being the build's.
 */
START_TEST(module_of_another_version_is_refused)
{
	struct msp_error err;
	int n = -1;

	testdb_load(&db, NULL);
	ck_assert_str_eq(testdb_value(db.conn, "SELECT msp.sdc_version() ="
		" obj_description('msp.sdc_version()'::regprocedure,"
		" 'pg_proc')"), "t");
	script("COMMENT ON FUNCTION msp.sdc_version() IS 'stale'");
	expect_schema(db.conn, settings_migrations_dir(),
		      settings_functions_dir(), &n, &err, MSP_ECONFIG);
	ck_assert_msg(strstr(err.message, "msp.sdc_version.sql : le module "
			     "msp_sdc.so") != NULL &&
		      strstr(err.message, "attendent la version « stale »")
		      != NULL, "%s", err.message);
	ck_assert_int_eq(n, 0);
}
END_TEST

/*
 * A file that creates a LANGUAGE c function, applied without superuser:
 * refused before it runs, in French, naming the file (PostgreSQL alone
 * would say "permission denied for language c", MSP_EDB).
 */
START_TEST(c_language_needs_a_superuser)
{
	struct msp_error err;
	int n = -1;

	write_file(tmpdir, "0001_module.sql",
		   "CREATE FUNCTION public.v() RETURNS text\n"
		   "    LANGUAGE c AS 'msp_sdc', 'msp_sdc_version';\n");
	script("DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles"
	       " WHERE rolname = 'msp_test_owner') THEN"
	       " CREATE ROLE msp_test_owner; END IF; END$$;"
	       " DO $$BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I"
	       " TO msp_test_owner', current_database()); END$$;"
	       " GRANT CREATE ON SCHEMA public TO msp_test_owner;"
	       " SET SESSION AUTHORIZATION msp_test_owner");
	expect_apply(db.conn, tmpdir, NULL, &n, &err, MSP_EACCESS);
	ck_assert_msg(strstr(err.message, "0001_module.sql : une fonction en "
			     "LANGUAGE c") != NULL &&
		      strstr(err.message, "superutilisateur") != NULL, "%s",
		      err.message);
	script("RESET SESSION AUTHORIZATION");
	ck_assert_int_eq(count("SELECT count(*) FROM pg_proc"
			       " WHERE proname = 'v'"), 0);
}
END_TEST

/* A key for pg_advisory_lock(), below 2^32: pg_locks.objid is it. */
#define HOLD_KEY "7235199"

/* Whether some session waits for a lock: the advisory HOLD_KEY, or any
 * lock, for pid. */
static int
waiting(PGconn *conn, int pid)
{
	char sql[256];

	if (pid == 0)
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM pg_locks"
			 " WHERE locktype = 'advisory' AND NOT granted"
			 " AND objid = " HOLD_KEY);
	else
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM pg_locks"
			 " WHERE NOT granted AND pid = %d", pid);
	return (int)strtol(testdb_value(conn, sql), NULL, 10) > 0;
}

/*
 * While db migrate runs, a session that writes into the table never
 * meets the migration's declared-only function: it waits for the
 * run's COMMIT, then the function file's body runs.  The run is held
 * open after the migration and before the trigger's function file by a
 * function file that sorts first and waits for an advisory lock the
 * test holds: where a transaction per file had committed the stub.
 */
START_TEST(concurrent_insert_never_sees_the_stub)
{
	char mdir[128], fdir[128];
	struct msp_error err;
	PGconn *hold, *writer, *other;
	PGresult *res;
	pid_t child;
	int n = -1, i, status;

	make_dirs(mdir, fdir, sizeof(mdir));
	first_run(mdir, fdir);
	trigger_with_declared_function(mdir, fdir);
	write_file(fdir, "public.a_wait.sql",
		   "SELECT pg_catalog.pg_advisory_xact_lock(" HOLD_KEY ");\n"
		   "CREATE OR REPLACE FUNCTION public.a_wait()\n"
		   "RETURNS integer\n"
		   "LANGUAGE sql AS $$ SELECT 1 $$;\n");
	hold = testdb_connect(&db);
	writer = testdb_connect(&db);
	testdb_value(hold, "SELECT pg_advisory_lock(" HOLD_KEY ")");

	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		other = testdb_connect(&db);
		if (migrate_schema(other, mdir, fdir, NULL, &n,
				   &err) != MSP_OK) {
			fprintf(stderr, "%s\n", err.message);
			_exit(100);
		}
		PQfinish(other);
		_exit(n);
	}
	for (i = 0; i < 2000 && !waiting(hold, 0); i++)
		usleep(10000);
	ck_assert_msg(i < 2000, "the run never reached public.a_wait.sql");

	/* Refused at once by a stub already committed, or waiting for
	 * the run's lock on the table. */
	ck_assert_int_eq(PQsendQuery(writer, "INSERT INTO public.t (x)"
				     " VALUES (3) RETURNING checked"), 1);
	for (i = 0; i < 2000; i++) {
		ck_assert_int_eq(PQconsumeInput(writer), 1);
		if (!PQisBusy(writer) ||
		    waiting(hold, PQbackendPID(writer)))
			break;
		usleep(10000);
	}
	ck_assert_msg(i < 2000, "the insert neither ended nor waited");
	testdb_value(hold, "SELECT pg_advisory_unlock(" HOLD_KEY ")");

	res = PQgetResult(writer);
	ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK,
		      "the insert met: %s", PQresultErrorMessage(res));
	ck_assert_str_eq(PQgetvalue(res, 0, 0), "t");
	PQclear(res);
	ck_assert_ptr_null(PQgetResult(writer));
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFEXITED(status));
	/* 0002, public.a_wait.sql and public.t_guard.sql */
	ck_assert_int_eq(WEXITSTATUS(status), 3);
	PQfinish(writer);
	PQfinish(hold);
}
END_TEST

/* --- upgrade of a database made by main's 85bc216 ------------------ */

/* The old migrations, as 85bc216 shipped them, in tmpdir; their dir. */
static const char *
old_migrations(void)
{
	static char dir[128];
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "tar -xzf '%s' -C '%s'",
		 testdb_srcpath("tests/data/migrations-85bc216.tar.gz"),
		 tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(dir, sizeof(dir), "%s/migrations-85bc216", tmpdir);
	return dir;
}

/*
 * What a database's schema is made of: every function of the project's
 * schemas (its full definition and rights), every trigger (and whether
 * it is enabled), policy, column and table right, as text; returns its
 * length and MD5 (testdb_value() keeps 1 kB).
 */
static char *
catalogue(PGconn *conn)
{
	return strdup(testdb_value(conn,
		"SELECT length(c) || ' ' || md5(c) FROM ("
		"SELECT string_agg(x, E'\\n' ORDER BY x) AS c FROM ("
		" SELECT pg_catalog.pg_get_functiondef(p.oid)"
		"        || coalesce(p.proacl::text, '') AS x"
		"   FROM pg_catalog.pg_proc p"
		"  WHERE p.pronamespace IN ('msp'::regnamespace,"
		"                           'msp_audit'::regnamespace)"
		" UNION ALL"
		" SELECT pg_catalog.pg_get_triggerdef(t.oid) || ' '"
		"        || t.tgenabled::text"
		"   FROM pg_catalog.pg_trigger t"
		"   JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid"
		"  WHERE c.relnamespace IN ('msp'::regnamespace,"
		"                           'msp_audit'::regnamespace)"
		"    AND NOT t.tgisinternal"
		" UNION ALL"
		" SELECT concat_ws(' ', schemaname, tablename, policyname,"
		"        roles::text, cmd, qual, with_check)"
		"   FROM pg_catalog.pg_policies"
		" UNION ALL"
		" SELECT concat_ws(' ', table_schema, table_name, column_name,"
		"        data_type, column_default, is_nullable)"
		"   FROM information_schema.columns"
		"  WHERE table_schema IN ('msp', 'msp_audit')"
		" UNION ALL"
		" SELECT concat_ws(' ', c.relname, c.relacl::text)"
		"   FROM pg_catalog.pg_class c"
		"  WHERE c.relnamespace = 'msp'::regnamespace) s) a"));
}

START_TEST(database_of_85bc216_upgrades)
{
	const char *old = old_migrations();
	struct migration_set now;
	struct testdb fresh = { "", NULL };
	struct msp_error err;
	char *upgraded, *made;
	char sql[256];
	size_t i;
	int n = -1, rewritten = 0;

	expect_apply(db.conn, old, NULL, &n, &err, MSP_OK);
	ck_assert_int_eq(n, 26);
	/* Rows the old functions wrote stay. */
	ck_assert_str_eq(testdb_value(db.conn,
		"INSERT INTO msp.region (slug, name) VALUES ('x', 'X')"
		" RETURNING slug"), "x");

	ck_assert_int_eq(migrate_scan(settings_migrations_dir(), &now, &err),
			 MSP_OK);
	for (i = 0; i < now.n; i++) {
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM"
			 " msp_meta.schema_migrations WHERE version = %d"
			 " AND sha256 <> '%s'", now.items[i].version,
			 now.items[i].sha256);
		rewritten += count(sql);
	}
	/* The rewrite is real: the ledger holds other checksums. */
	ck_assert_int_gt(rewritten, 10);

	expect_apply(db.conn, settings_migrations_dir(), NULL, &n, &err,
		     MSP_OK);
	ck_assert_int_eq(n, (int)now.n - 26);
	/* The ledger now says what this checkout's files are. */
	for (i = 0; i < now.n; i++) {
		snprintf(sql, sizeof(sql), "SELECT sha256 FROM"
			 " msp_meta.schema_migrations WHERE version = %d",
			 now.items[i].version);
		ck_assert_str_eq(testdb_value(db.conn, sql),
				 now.items[i].sha256);
	}
	expect_functions(db.conn, settings_functions_dir(), &n, &err, MSP_OK);
	ck_assert_int_gt(n, 30);
	ck_assert_int_eq(count("SELECT count(*) FROM msp.region"
			       " WHERE slug = 'x'"), 1);

	/* The same schema as a database made from scratch. */
	testdb_open(&fresh);
	testdb_load(&fresh, NULL);
	upgraded = catalogue(db.conn);
	made = catalogue(fresh.conn);
	ck_assert_int_gt((int)strtol(made, NULL, 10), 50000);
	ck_assert_str_eq(upgraded, made);
	free(upgraded);
	free(made);
	testdb_close(&fresh);
	migrate_set_free(&now);
}
END_TEST

/* A database that stopped before 0026: its rewritten migrations would
 * run without the backfills they had. */
START_TEST(older_partial_database_is_refused)
{
	const char *old = old_migrations();
	struct msp_error err;
	char path[256];
	int n = -1, v;

	for (v = 11; v <= 26; v++) {
		snprintf(path, sizeof(path), "cd '%s' && rm %04d_*.sql", old,
			 v);
		ck_assert_int_eq(system(path), 0);
	}
	expect_apply(db.conn, old, NULL, &n, &err, MSP_OK);
	ck_assert_int_eq(n, 10);
	expect_apply(db.conn, settings_migrations_dir(), NULL, &n, &err,
		     MSP_ECONFLICT);
	ck_assert_msg(strstr(err.message, "85bc216") != NULL, "%s",
		      err.message);
	ck_assert_int_eq(count("SELECT count(*) FROM"
			       " msp_meta.schema_migrations"), 10);
}
END_TEST

static Suite *
migrate_suite(void)
{
	Suite *s = suite_create("migrate");
	TCase *core = tcase_create("core");
	TCase *errors = tcase_create("errors");
	TCase *files = tcase_create("files");
	TCase *functions = tcase_create("functions");
	TCase *upgrade = tcase_create("upgrade");

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

	tcase_add_checked_fixture(functions, setup, teardown);
	tcase_add_test(functions, fresh_database_gets_every_function);
	tcase_add_test(functions, changed_function_file_reapplies_only_it);
	tcase_add_test(functions, function_file_errors);
	tcase_add_test(functions, failed_function_rolls_back_the_run);
	tcase_add_test(functions, declared_function_without_file_is_refused);
	tcase_add_test(functions, module_of_another_version_is_refused);
	tcase_add_test(functions, c_language_needs_a_superuser);
	tcase_add_test(functions, concurrent_insert_never_sees_the_stub);
	suite_add_tcase(s, functions);

	tcase_add_checked_fixture(upgrade, setup, teardown);
	tcase_add_test(upgrade, database_of_85bc216_upgrades);
	tcase_add_test(upgrade, older_partial_database_is_refused);
	suite_add_tcase(s, upgrade);
	return s;
}

int
main(void)
{
	return testdb_run(migrate_suite());
}
