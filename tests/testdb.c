#include "config.h"

#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "db.h"
#include "file.h"
#include "migrate.h"
#include "settings.h"
#include "testdb.h"

static PGconn *
admin_connect(void)
{
	struct msp_error err;
	PGconn *conn = NULL;

	if (db_connect(settings_database_url(), NULL, &conn, &err) != MSP_OK)
		ck_abort_msg("test server: %s", err.message);
	return conn;
}

/* CREATE/DROP DATABASE take no parameters: the name is ours, quoted. */
static void
admin_exec(const char *verb, const char *name, const char *suffix)
{
	PGconn *admin = admin_connect();
	char *quoted = PQescapeIdentifier(admin, name, strlen(name));
	char sql[256];
	struct msp_error err;
	enum msp_status st;

	ck_assert_ptr_nonnull(quoted);
	snprintf(sql, sizeof(sql), "%s %s%s", verb, quoted, suffix);
	PQfreemem(quoted);
	st = db_exec(admin, verb, sql, 0, NULL, PGRES_COMMAND_OK, NULL, &err);
	PQfinish(admin);
	ck_assert_msg(st == MSP_OK, "%s", err.message);
}

void
testdb_open(struct testdb *db)
{
	static unsigned counter;

	snprintf(db->name, sizeof(db->name), "msp_test_%ld_%u",
		 (long)getpid(), counter++);
	admin_exec("CREATE DATABASE", db->name, " TEMPLATE template0");
	db->conn = testdb_connect(db);
}

PGconn *
testdb_connect(const struct testdb *db)
{
	struct msp_error err;
	PGconn *conn = NULL;

	if (db_connect(settings_database_url(), db->name, &conn, &err) !=
	    MSP_OK)
		ck_abort_msg("%s", err.message);
	return conn;
}

void
testdb_close(struct testdb *db)
{
	if (db->conn == NULL)
		return;
	PQfinish(db->conn);
	db->conn = NULL;
	admin_exec("DROP DATABASE", db->name, " WITH (FORCE)");
}

const char *
testdb_value(PGconn *conn, const char *sql)
{
	static char value[1024];
	struct msp_error err;
	PGresult *res = NULL;

	if (db_exec(conn, "test query", sql, 0, NULL, PGRES_TUPLES_OK, &res,
		    &err) != MSP_OK)
		ck_abort_msg("%s: %s", sql, err.message);
	ck_assert_int_ge(PQntuples(res), 1);
	snprintf(value, sizeof(value), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return value;
}

const char *
testdb_srcpath(const char *relative)
{
	static char path[4096];
	const char *src = getenv("MSP_SRCDIR");

	snprintf(path, sizeof(path), "%s/%s", src != NULL ? src : ".",
		 relative);
	return path;
}

int
testdb_shell(const char *cmd, struct buf *out)
{
	char chunk[4096];
	struct msp_error err;
	FILE *p;
	size_t n;
	int status;

	p = popen(cmd, "r");
	ck_assert_msg(p != NULL, "cannot run %s", cmd);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		buf_append(out, chunk, n);
	status = pclose(p);
	ck_assert_msg(WIFEXITED(status), "%s did not exit", cmd);
	ck_assert_int_eq(buf_status(out, &err), MSP_OK);
	return WEXITSTATUS(status);
}

int
testdb_cli(PGconn *conn, const char *dir, const char *env, const char *args,
	   struct buf *out)
{
	const char *builddir = getenv("MSP_BUILDDIR");
	char cmd[4096];
	int len;

	len = snprintf(cmd, sizeof(cmd),
		       "cd '%s' && env -u MSP_TOKEN "
		       "-u MSP_DISCLOSURE_THRESHOLD "
		       "MSP_DATABASE_URL='host=%s port=%s user=%s dbname=%s' "
		       "%s '%s/cli/msp-report' %s 2>&1",
		       dir != NULL ? dir : ".", PQhost(conn), PQport(conn),
		       PQuser(conn), PQdb(conn), env,
		       builddir != NULL ? builddir : ".", args);
	ck_assert_msg(len > 0 && (size_t)len < sizeof(cmd),
		      "command too long: %s", args);
	return testdb_shell(cmd, out);
}

void
testdb_load(struct testdb *db, const char *relative)
{
	struct msp_error err;
	char *sql = NULL;
	size_t len;
	PGresult *res;

	ck_assert_msg(migrate_schema(db->conn, settings_migrations_dir(),
				     settings_functions_dir(), NULL, NULL,
				     &err) == MSP_OK, "%s", err.message);
	if (relative == NULL)
		return;
	ck_assert_msg(file_read(testdb_srcpath(relative), 1 << 24, &sql, &len,
				&err) == MSP_OK, "%s", err.message);
	/* Test fixtures are scripts of several statements. */
	res = PQexec(db->conn, sql);
	free(sql);
	ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK, "%s: %s",
		      relative, PQresultErrorMessage(res));
	PQclear(res);
}

void
testdb_load_reference(struct testdb *db)
{
	struct msp_error err;

	PGresult *res;

	ck_assert_msg(migrate_apply(db->conn, MIGRATE_REFERENCE,
				    settings_reference_dir(), NULL, NULL,
				    &err) == MSP_OK, "%s", err.message);
	/* The reference studies are closed (migration 0028); the suites
	 * submit and import into them as they always did.
	 * tests/studies.test checks that they are closed once loaded. */
	res = PQexec(db->conn, "UPDATE msp.study SET state = 'open'"
			       " WHERE slug IN ('pdl-2019', 'occitanie-2024')");
	ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK, "%s",
		      PQresultErrorMessage(res));
	PQclear(res);
	/* The suites read Pays de la Loire 2019's splits (37 responses)
	 * as a federation, to test their disclosure control: the
	 * small-study rule (0052, 50 by default), which refuses them, is
	 * off here; check_lp tests it. */
	res = PQexec(db->conn, "UPDATE msp.disclosure_policy"
			       " SET by_min_responses = 0");
	ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK, "%s",
		      PQresultErrorMessage(res));
	PQclear(res);
}

void
testdb_make_token(PGconn *conn, const char *token, const char *kind,
		  const char *region)
{
	const char *params[3] = { token, kind, region };
	PGresult *res;
	int ok;

	res = PQexecParams(conn, "INSERT INTO msp.access_token"
			   " (token_sha256, kind, region_id)"
			   " SELECT sha256(convert_to($1, 'UTF8')),"
			   " $2::msp.access_kind, (SELECT region_id FROM"
			   " msp.region WHERE slug = $3)"
			   " ON CONFLICT (token_sha256) DO NOTHING", 3, NULL,
			   params, NULL, NULL, 0);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	ck_assert_msg(ok, "token %s: %s", token, PQerrorMessage(conn));
}

void
testdb_run_token(PGconn *conn, const char *study, const char *token)
{
	static const char *const steps[] = {
		"DELETE FROM run_token_state WHERE $1::text IS NOT NULL"
		"   AND $2::text IS NOT NULL",
		"INSERT INTO run_token_state SELECT slug, state"
		"  FROM msp.study WHERE slug = $1 AND $2::text IS NOT NULL",
		"UPDATE msp.study SET state = 'closed'"
		" WHERE slug = $1 AND $2::text IS NOT NULL",
		"SELECT msp.disclosure_plan_begin(s.study_id,"
		"       encode(sha256(convert_to($2, 'UTF8')), 'hex'))"
		"  FROM msp.study s WHERE s.slug = $1",
		"UPDATE msp.study s SET state = r.state"
		"  FROM run_token_state r"
		" WHERE s.slug = $1 AND r.study = s.slug"
		"   AND $2::text IS NOT NULL",
	};
	const char *params[2] = { study, token };
	PGresult *res;
	size_t i;

	/* already one (a case before, on the same database) */
	res = PQexecParams(conn, "SELECT 1 FROM msp.disclosure_plan_state d"
			   " JOIN msp.access_token t"
			   "   ON t.token_sha256 = d.protect_token"
			   " WHERE d.protect_token ="
			   "       sha256(convert_to($2, 'UTF8'))"
			   "   AND t.revoked_at IS NULL"
			   "   AND $1::text IS NOT NULL", 2, NULL, params,
			   NULL, NULL, 0);
	ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%s",
		      PQresultErrorMessage(res));
	i = (size_t)PQntuples(res);
	PQclear(res);
	if (i > 0)
		return;
	res = PQexec(conn, "CREATE TEMP TABLE IF NOT EXISTS run_token_state"
			   " (study text, state msp.study_state)");
	ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK, "%s",
		      PQresultErrorMessage(res));
	PQclear(res);
	for (i = 0; i < sizeof(steps) / sizeof(*steps); i++) {
		res = PQexecParams(conn, steps[i], 2, NULL, params, NULL,
				   NULL, 0);
		ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK ||
			      PQresultStatus(res) == PGRES_COMMAND_OK,
			      "%s: %s", study, PQresultErrorMessage(res));
		PQclear(res);
	}
}

int
testdb_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* --- R, run live ------------------------------------------------------- */

/*
 * Runs the R program script with Rscript and reads the n numbers it
 * prints, one a line, as sprintf("%.17g") writes them ("Inf", "NA").
 * Fails the test when R is missing or prints fewer numbers.
 */
void
testdb_r_values(const char *script, double *out, size_t n)
{
	char path[] = "/tmp/msp-check-stats-XXXXXX";
	char cmd[128], line[64];
	FILE *f, *r;
	size_t i = 0;
	int fd;

	fd = mkstemp(path);
	ck_assert_msg(fd >= 0, "mkstemp failed");
	f = fdopen(fd, "w");
	ck_assert(f != NULL);
	ck_assert(fputs(script, f) >= 0);
	ck_assert(fclose(f) == 0);
	snprintf(cmd, sizeof(cmd), "Rscript --vanilla %s", path);
	r = popen(cmd, "r");
	ck_assert_msg(r != NULL, "cannot run Rscript");
	while (i < n && fgets(line, sizeof(line), r) != NULL) {
		if (strncmp(line, "NA", 2) == 0 && line[2] != 'N')
			out[i++] = NAN;
		else
			out[i++] = strtod(line, NULL);
	}
	ck_assert_msg(pclose(r) == 0, "Rscript failed (installed? the "
		      "tests need r-base-core, which ./dev installs)");
	unlink(path);
	ck_assert_msg(i == n, "R printed %zu numbers, %zu expected", i, n);
}

void
testdb_script_add(char **s, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	ck_assert(k >= 0);
	*s = realloc(*s, *len + (size_t)k + 1);
	ck_assert(*s != NULL);
	va_start(ap, fmt);
	vsnprintf(*s + *len, (size_t)k + 1, fmt, ap);
	va_end(ap);
	*len += (size_t)k;
}
