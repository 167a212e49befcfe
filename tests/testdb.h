/*
 * testdb — a fresh, empty database per test, on the server the harness
 * names in MSP_DATABASE_URL (tests/with-pg starts a private one).
 */
#ifndef MSP_TESTDB_H
#define MSP_TESTDB_H

#include <check.h>
#include <libpq-fe.h>

#include "buf.h"

#define TESTDB_NAME_MAX 64

struct testdb {
	char name[TESTDB_NAME_MAX];
	PGconn *conn;		/* connected to the new database */
};

/* Creates and connects; fails the current test on any error. */
void testdb_open(struct testdb *db);

/* Disconnects and drops the database; safe on a never-opened testdb. */
void testdb_close(struct testdb *db);

/* The conninfo of the server plus dbname override, for a new conn. */
PGconn *testdb_connect(const struct testdb *db);

/* Runs sql and returns the first column of the first row (static). */
const char *testdb_value(PGconn *conn, const char *sql);

/*
 * Applies the project's migrations to db, then runs the SQL file at
 * relative (to the source tree) if it is not NULL; fails the test on any
 * error.
 */
void testdb_load(struct testdb *db, const char *relative);

/*
 * Loads the project's reference data (after testdb_load()).  The
 * reference studies are left OPEN, as the suites always had them (they
 * submit and import into them), so not protected: a federation's own
 * token gets no report of them (report_stored.c); the suites preview
 * (report_options.preview) or use testdb_run_token().
 */
void testdb_load_reference(struct testdb *db);

/*
 * Makes token (new) a protection run's transient federation token of
 * study's region, as msp-report disclosure-protect does
 * (msp.disclosure_plan_begin): the only federation token whose reports
 * are counted (msp.report_scope), through the same SECURITY DEFINER
 * functions and the same disclosure control.  The study is closed for
 * the begin, then put back in its state (its plan and releases are
 * forgotten).  For the suites that test the federation's counting
 * functions themselves; a token that is already a run's is left as it
 * is.  Fails the test on any error.
 */
void testdb_run_token(PGconn *conn, const char *study, const char *token);

/*
 * Makes token (by its SHA-256, as token create stores it) a token of
 * kind for region (a slug; NULL: none, an analyst's); one that exists
 * already is left as it is.  Fails the test on any error.
 */
void testdb_make_token(PGconn *conn, const char *token, const char *kind,
		       const char *region);

/* Runs every test of s; returns main()'s exit status. */
int testdb_run(Suite *s);

/* Source-tree path of a test data file, in a static buffer. */
const char *testdb_srcpath(const char *relative);

/*
 * Runs the shell command cmd, appends its standard output to out and
 * returns its exit status; fails the test if it could not run or did
 * not exit.
 */
int testdb_shell(const char *cmd, struct buf *out);

/*
 * Runs the built msp-report with args (shell-quoted by the caller)
 * against conn's database, in directory dir (NULL: the current one),
 * with the environment assignments env ("" for none) and without the
 * caller's MSP_TOKEN or MSP_DISCLOSURE_THRESHOLD.  Its output and
 * errors are appended to out; returns its exit status.
 */
int testdb_cli(PGconn *conn, const char *dir, const char *env,
	       const char *args, struct buf *out);

/*
 * Runs the R program script with Rscript and reads the n numbers it
 * prints, one a line, as sprintf("%.17g") writes them ("Inf"; "NA" is
 * read as NaN).  Fails the test when R is missing, fails or prints
 * fewer numbers: an R-referenced test is never skipped.
 */
void testdb_r_values(const char *script, double *out, size_t n);

/* Appends printf-style text to *s (length *len), growing it. */
void testdb_script_add(char **s, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
