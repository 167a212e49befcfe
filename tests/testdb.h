/*
 * testdb — a fresh, empty database per test, on the server the harness
 * names in MSP_DATABASE_URL (tests/with-pg starts a private one).
 */
#ifndef MSP_TESTDB_H
#define MSP_TESTDB_H

#include <libpq-fe.h>

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

/* Source-tree path of a test data file, in a static buffer. */
const char *testdb_srcpath(const char *relative);

#endif
