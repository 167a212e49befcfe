#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "file.h"
#include "migrate.h"

/*
 * The SQL of one ledger.  Table names are compile-time constants: no
 * part of a statement ever comes from input.
 */
struct ledger {
	const char *table;	/* for to_regclass() */
	const char *create;
	const char *applied;
	const char *record;
	const char *lock_key;	/* advisory lock serialising runs */
};

#define LEDGER(table, lock_key) { \
	"msp_meta." table, \
	"CREATE TABLE IF NOT EXISTS msp_meta." table " (" \
	" version integer PRIMARY KEY CHECK (version > 0)," \
	" file text NOT NULL," \
	" sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$')," \
	" applied_at timestamptz NOT NULL DEFAULT pg_catalog.now()," \
	" applied_by text NOT NULL DEFAULT CURRENT_USER)", \
	"SELECT version, file, sha256," \
	" pg_catalog.to_char(applied_at, 'YYYY-MM-DD HH24:MI:SS') AS at" \
	" FROM msp_meta." table " ORDER BY version", \
	"INSERT INTO msp_meta." table " (version, file, sha256)" \
	" VALUES ($1::integer, $2, $3)", \
	lock_key }

static const struct ledger ledgers[] = {
	[MIGRATE_SCHEMA] = LEDGER("schema_migrations", "7235100001"),
	[MIGRATE_REFERENCE] = LEDGER("reference_loads", "7235100002"),
};

static const char sql_create_schema[] = "CREATE SCHEMA IF NOT EXISTS msp_meta";

enum msp_status
migrate_parse_name(const char *file, int *version, struct msp_error *err)
{
	size_t len = strlen(file), i;
	int v = 0;

	/* NNNN _ name(1+) .sql */
	if (len < 4 + 1 + 1 + 4 || strcmp(file + len - 4, ".sql") != 0 ||
	    file[4] != '_')
		goto bad;
	for (i = 0; i < 4; i++) {
		if (file[i] < '0' || file[i] > '9')
			goto bad;
		v = v * 10 + (file[i] - '0');
	}
	for (i = 5; i < len - 4; i++) {
		char c = file[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			goto bad;
	}
	if (v == 0)
		goto bad;
	*version = v;
	return MSP_OK;
bad:
	return msp_error_set(err, MSP_EINVAL,
			     "%s: a migration is named NNNN_name.sql "
			     "(NNNN from 0001, name of a-z, 0-9 and _)", file);
}

static void
migration_free(struct migration *m)
{
	free(m->file);
	free(m->path);
	free(m->sql);
}

void
migrate_set_free(struct migration_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		migration_free(&set->items[i]);
	free(set->items);
	set->items = NULL;
	set->n = 0;
}

static int
by_version(const void *a, const void *b)
{
	const struct migration *x = a, *y = b;

	return (x->version > y->version) - (x->version < y->version);
}

static enum msp_status
load_one(const char *dir, const char *file, struct migration *m,
	 struct msp_error *err)
{
	size_t len, plen = strlen(dir) + 1 + strlen(file) + 1;
	enum msp_status st;

	memset(m, 0, sizeof(*m));
	st = migrate_parse_name(file, &m->version, err);
	if (st != MSP_OK)
		return st;
	m->file = strdup(file);
	m->path = malloc(plen);
	if (m->file == NULL || m->path == NULL)
		return msp_error_set(err, MSP_ENOMEM, "%s: out of memory",
				     file);
	snprintf(m->path, plen, "%s/%s", dir, file);
	st = file_read(m->path, MIGRATE_MAX_FILE, &m->sql, &len, err);
	if (st != MSP_OK)
		return st;
	/* PQexec() would silently stop at a NUL byte. */
	if (strlen(m->sql) != len)
		return msp_error_set(err, MSP_EINVAL, "%s: contains a NUL byte",
				     m->path);
	if (strspn(m->sql, " \t\r\n") == len)
		return msp_error_set(err, MSP_EINVAL, "%s: is empty", m->path);
	return crypto_sha256_hex(m->sql, len, m->sha256, err);
}

enum msp_status
migrate_scan(const char *dir, struct migration_set *set, struct msp_error *err)
{
	DIR *d = NULL;
	struct dirent *de;
	struct migration *grown;
	size_t cap = 0, i, len;
	enum msp_status st = MSP_OK;

	set->items = NULL;
	set->n = 0;
	d = opendir(dir);
	if (d == NULL) {
		st = msp_error_set(err, MSP_EIO, "%s: %s", dir,
				   strerror(errno));
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 4 || strcmp(de->d_name + len - 4, ".sql") != 0)
			continue;	/* READMEs and editor files */
		if (set->n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			grown = realloc(set->items, cap * sizeof(*grown));
			if (grown == NULL) {
				st = msp_error_set(err, MSP_ENOMEM,
						   "%s: out of memory", dir);
				goto out;
			}
			set->items = grown;
		}
		st = load_one(dir, de->d_name, &set->items[set->n], err);
		set->n++;	/* so that a half-loaded item is freed too */
		if (st != MSP_OK)
			goto out;
	}
	qsort(set->items, set->n, sizeof(*set->items), by_version);
	for (i = 1; i < set->n; i++) {
		if (set->items[i].version == set->items[i - 1].version) {
			st = msp_error_set(err, MSP_EINVAL,
					   "%s and %s have the same version",
					   set->items[i - 1].path,
					   set->items[i].path);
			goto out;
		}
	}
out:
	if (d != NULL)
		closedir(d);
	if (st != MSP_OK)
		migrate_set_free(set);
	return st;
}

/*
 * The line of sql holding the 1-based character (not byte) position
 * PostgreSQL reports for a syntax error, or 0 if there is none.
 */
static int
error_line(const PGresult *res, const char *sql)
{
	const char *pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
	long want, chars = 0;
	int line = 1;
	const char *p;

	if (pos == NULL)
		return 0;
	want = strtol(pos, NULL, 10);
	for (p = sql; *p != '\0'; p++) {
		if (((unsigned char)*p & 0xc0) != 0x80 && ++chars >= want)
			break;
		if (*p == '\n')
			line++;
	}
	return line;
}

/* The applied rows, or an empty result if the table does not exist. */
static enum msp_status
read_applied(PGconn *conn, const struct ledger *lg, PGresult **res,
	     struct msp_error *err)
{
	const char *params[1] = { lg->table };
	PGresult *r = NULL;
	enum msp_status st;
	int exists;

	*res = NULL;
	st = db_exec(conn, "find ledger",
		     "SELECT pg_catalog.to_regclass($1) IS NOT NULL AS present",
		     1, params, PGRES_TUPLES_OK, &r, err);
	if (st != MSP_OK)
		return st;
	exists = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	if (!exists)
		return MSP_OK;
	return db_exec(conn, "read ledger", lg->applied, 0, NULL,
		       PGRES_TUPLES_OK, res, err);
}

/* The migration of set with that version, or NULL. */
static const struct migration *
find_version(const struct migration_set *set, int version)
{
	struct migration key = { .version = version };

	return bsearch(&key, set->items, set->n, sizeof(key), by_version);
}

static int
row_int(const PGresult *res, int row, int col)
{
	return (int)strtol(PQgetvalue(res, row, col), NULL, 10);
}

/*
 * Refuses to go on if an applied migration's file changed or is gone:
 * either means this checkout and the database disagree on the schema.
 */
static enum msp_status
check_applied(const PGresult *applied, const struct migration_set *set,
	      const char *dir, struct msp_error *err)
{
	int cv, cf, cs, i;
	const struct migration *m;

	if (applied == NULL)
		return MSP_OK;
	cv = db_column(applied, "version");
	cf = db_column(applied, "file");
	cs = db_column(applied, "sha256");
	for (i = 0; i < PQntuples(applied); i++) {
		m = find_version(set, row_int(applied, i, cv));
		if (m == NULL)
			return msp_error_set(err, MSP_ECONFLICT,
				"the database has migration %s, which %s "
				"does not: it is newer than this checkout",
				PQgetvalue(applied, i, cf), dir);
		if (strcmp(m->sha256, PQgetvalue(applied, i, cs)) != 0)
			return msp_error_set(err, MSP_ECONFLICT,
				"%s was changed after it was applied; add a "
				"new migration instead of editing it", m->path);
	}
	return MSP_OK;
}

static int
is_applied(const PGresult *applied, int version)
{
	int i, cv;

	if (applied == NULL)
		return 0;
	cv = db_column(applied, "version");
	for (i = 0; i < PQntuples(applied); i++)
		if (row_int(applied, i, cv) == version)
			return 1;
	return 0;
}

/* Runs one migration in its own transaction; rolls back on failure. */
static enum msp_status
apply_one(PGconn *conn, const struct ledger *lg, const struct migration *m,
	  struct msp_error *err)
{
	char version[16];
	const char *params[3];
	PGresult *res = NULL;
	enum msp_status st;
	int line;

	st = db_exec(conn, "begin", "BEGIN", 0, NULL, PGRES_COMMAND_OK, NULL,
		     err);
	if (st != MSP_OK)
		goto out;
	/* A script of several statements: PQexec is the only way, and the
	 * text is our own file, never user input. */
	res = PQexec(conn, m->sql);
	if (res == NULL || (PQresultStatus(res) != PGRES_COMMAND_OK &&
			    PQresultStatus(res) != PGRES_TUPLES_OK)) {
		st = db_error_from_result(res, conn, err);
		line = res != NULL ? error_line(res, m->sql) : 0;
		if (line > 0)
			msp_error_prefix(err, "%s:%d", m->path, line);
		else
			msp_error_prefix(err, "%s", m->path);
		goto out;
	}
	if (PQtransactionStatus(conn) != PQTRANS_INTRANS) {
		st = msp_error_set(err, MSP_EINVAL,
				   "%s: ends the transaction itself; a "
				   "migration must not COMMIT or ROLLBACK",
				   m->path);
		goto out;
	}
	snprintf(version, sizeof(version), "%d", m->version);
	params[0] = version;
	params[1] = m->file;
	params[2] = m->sha256;
	st = db_exec(conn, "record in ledger", lg->record, 3, params,
		     PGRES_COMMAND_OK, NULL, err);
	if (st != MSP_OK)
		goto out;
	st = db_exec(conn, "commit", "COMMIT", 0, NULL, PGRES_COMMAND_OK,
		     NULL, err);
	if (st != MSP_OK)
		msp_error_prefix(err, "%s", m->path);
out:
	PQclear(res);
	if (st != MSP_OK && PQtransactionStatus(conn) != PQTRANS_IDLE)
		PQclear(PQexec(conn, "ROLLBACK"));
	return st;
}

enum msp_status
migrate_apply(PGconn *conn, enum migrate_ledger ledger, const char *dir,
	      FILE *progress, int *applied, struct msp_error *err)
{
	const struct ledger *lg = &ledgers[ledger];
	struct migration_set set = { NULL, 0 };
	const char *lock[1] = { lg->lock_key };
	PGresult *done = NULL;
	enum msp_status st;
	int locked = 0, count = 0;
	size_t i;

	if (applied != NULL)
		*applied = 0;
	st = migrate_scan(dir, &set, err);
	if (st != MSP_OK)
		goto out;
	st = db_exec(conn, "lock migrations",
		     "SELECT pg_catalog.pg_advisory_lock($1::bigint)", 1, lock,
		     PGRES_TUPLES_OK, NULL, err);
	if (st != MSP_OK)
		goto out;
	locked = 1;
	st = db_exec(conn, "create ledger schema", sql_create_schema, 0, NULL,
		     PGRES_COMMAND_OK, NULL, err);
	if (st != MSP_OK)
		goto out;
	st = db_exec(conn, "create ledger", lg->create, 0, NULL,
		     PGRES_COMMAND_OK, NULL, err);
	if (st != MSP_OK)
		goto out;
	st = read_applied(conn, lg, &done, err);
	if (st != MSP_OK)
		goto out;
	st = check_applied(done, &set, dir, err);
	if (st != MSP_OK)
		goto out;
	for (i = 0; i < set.n; i++) {
		if (is_applied(done, set.items[i].version))
			continue;
		st = apply_one(conn, lg, &set.items[i], err);
		if (st != MSP_OK)
			goto out;
		count++;
		if (progress != NULL)
			fprintf(progress, "applied %s\n", set.items[i].file);
	}
out:
	if (locked)
		db_exec(conn, "unlock migrations",
			"SELECT pg_catalog.pg_advisory_unlock($1::bigint)",
			1, lock, PGRES_TUPLES_OK, NULL, NULL);
	if (applied != NULL)
		*applied = count;
	PQclear(done);
	migrate_set_free(&set);
	return st;
}

enum msp_status
migrate_status(PGconn *conn, enum migrate_ledger ledger, const char *dir,
	       FILE *out, int *pending, struct msp_error *err)
{
	struct migration_set set = { NULL, 0 };
	PGresult *done = NULL;
	enum msp_status st;
	int i, cv, ca, cs, cf, count = 0;
	const struct migration *m;
	size_t k;

	if (pending != NULL)
		*pending = 0;
	st = migrate_scan(dir, &set, err);
	if (st != MSP_OK)
		goto out;
	st = read_applied(conn, &ledgers[ledger], &done, err);
	if (st != MSP_OK)
		goto out;
	if (done != NULL && out != NULL) {
		cv = db_column(done, "version");
		cf = db_column(done, "file");
		cs = db_column(done, "sha256");
		ca = db_column(done, "at");
		for (i = 0; i < PQntuples(done); i++) {
			m = find_version(&set, row_int(done, i, cv));
			fprintf(out, "applied  %s  %s%s\n",
				PQgetvalue(done, i, ca),
				PQgetvalue(done, i, cf),
				m == NULL ? "  (not in this checkout)" :
				strcmp(m->sha256, PQgetvalue(done, i, cs)) ?
				"  (file changed since)" : "");
		}
	}
	for (k = 0; k < set.n; k++) {
		if (is_applied(done, set.items[k].version))
			continue;
		if (out != NULL)
			fprintf(out, "pending  %19s  %s\n", "",
				set.items[k].file);
		count++;
	}
	if (pending != NULL)
		*pending = count;
out:
	PQclear(done);
	migrate_set_free(&set);
	return st;
}
