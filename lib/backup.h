/*
 * backup — what a backup holds besides pg_dump's archive, and the
 * PostgreSQL client programs that make and restore it.
 *
 * A backup is a directory: msp.dump (pg_dump -Fc) and manifest.json,
 * which says what the dump must give back once restored: the three
 * ledgers (docs/schema.md), the row count of every table, the roles
 * the database's objects name (pg_dump leaves roles to pg_dumpall),
 * and the dump's SHA-256.  backup_state() reads the ledgers and counts
 * in the caller's transaction, so that they describe the snapshot
 * pg_dump dumps (pg_export_snapshot, cli/cmd_backup.c).
 */
#ifndef MSP_BACKUP_H
#define MSP_BACKUP_H

#include <stddef.h>

#include <json-c/json.h>
#include <libpq-fe.h>

#include "buf.h"
#include "crypto.h"
#include "msp_error.h"

#define BACKUP_FORMAT "msp-survey backup 1"
#define BACKUP_DUMP "msp.dump"
#define BACKUP_MANIFEST "manifest.json"
/* A manifest is a few kilobytes per hundred tables. */
#define BACKUP_MANIFEST_MAX (16u * 1024 * 1024)

/*
 * The ledgers and row counts of conn's database, as seen by conn's
 * current transaction, into *out (the caller json_object_put()s it):
 * {"ledgers": {"schema_migrations": [{"version", "file", "sha256"}],
 * "function_loads": [{"file", "sha256"}], "reference_loads": [...]},
 * "tables": {"schema.table": rows, ...}}, every ordinary or partitioned
 * table of every schema but the system's.  A ledger table that does not
 * exist gives an empty list.  Counts are exact only with row_security
 * off (a table whose policies would hide rows then fails the count):
 * the caller sets it.  Fails with MSP_EDB or MSP_EINVAL (*out NULL).
 */
enum msp_status backup_state(PGconn *conn, json_object **out,
			     struct msp_error *err);

/*
 * The roles conn's database names (owners, grants, policies, settings,
 * and the roles those are members of or have as members), superusers
 * and PostgreSQL's own excepted, into *out: [{"name", "login",
 * "inherit", "bypassrls", "member_of": [...], "settings": ["k=v"]}],
 * settings being ALTER ROLE ... IN DATABASE ones.  MSP_EDB on failure.
 */
enum msp_status backup_roles(PGconn *conn, json_object **out,
			     struct msp_error *err);

/* The highest schema migration version in a state (0: none). */
int backup_schema_version(json_object *state);

/*
 * MSP_OK when conn's database holds nothing of a user: no schema but
 * public's and the system's, nothing in public.  MSP_ECONFLICT with a
 * French message saying what it holds; MSP_EDB.
 */
enum msp_status backup_check_empty(PGconn *conn, struct msp_error *err);

/*
 * Creates the roles of backup_roles()'s list that conn's cluster lacks
 * (without password: the operator gives a login its password), grants
 * the memberships, and sets the per-database settings in conn's
 * database, each as the server reads its text (a list setting such as
 * search_path stays a list), each in a transaction of its own: conn
 * must not be in one.  A line per role created goes to progress (may
 * be NULL).
 * MSP_EDB (what was done stays: roles are the cluster's), MSP_EINVAL on
 * a malformed list.
 */
enum msp_status backup_create_roles(PGconn *conn, json_object *roles,
				    FILE *progress, struct msp_error *err);

/*
 * MSP_OK when state (read after a restore) has the ledgers and the
 * tables with their counts of want (the manifest's); else MSP_ECONFLICT
 * naming the first difference in French.
 */
enum msp_status backup_compare(json_object *want, json_object *state,
			       struct msp_error *err);

/* The SHA-256 of a file, read in pieces, and its size.  MSP_EIO. */
enum msp_status backup_sha256_file(const char *path,
				   char hex[CRYPTO_SHA256_HEX],
				   long long *bytes, struct msp_error *err);

/*
 * Runs a PostgreSQL client program (pg_dump, pg_restore) of the
 * server's major version: $MSP_PG_BINDIR/tool, else
 * /usr/lib/postgresql/MAJOR/bin/tool, else tool from PATH.  argv[0] is
 * ignored; argv is NULL-terminated.  The connection is conninfo's,
 * passed in the program's environment (each parameter's PG* variable),
 * never on its command line, which every local user sees in ps; a
 * password goes into a passfile of mode 0600 (PGPASSFILE), removed
 * when the program ends.  stdout goes to capture when not NULL (at most
 * its maximum), else stays ours; stderr stays ours.  MSP_EIO when the
 * program could not run or exited other than 0, naming it;
 * MSP_EINVAL on a conninfo libpq cannot parse.
 */
enum msp_status backup_run_tool(const char *conninfo, int server_major,
				const char *tool, char *const argv[],
				struct buf *capture, struct msp_error *err);

#endif
