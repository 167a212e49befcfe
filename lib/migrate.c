#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "file.h"
#include "migrate.h"

/*
 * The SQL of one ledger.  Table names are compile-time constants: no
 * part of a statement ever comes from input.  Every "applied" query
 * returns version, file, sha256 and at; "record" takes the version,
 * the file and its SHA-256 ($1 is 0 for a repeatable file).
 */
struct ledger {
	const char *table;	/* for to_regclass() */
	const char *create;
	const char *applied;
	const char *record;
	const char *lock_key;	/* advisory lock serialising runs */
	int repeatable;		/* re-applied when its file changes */
	int per_file;		/* a transaction per file, not per run */
};

#define LEDGER(table, lock_key, per_file) { \
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
	lock_key, 0, per_file }

/*
 * The repeatable files (sql/functions/NAME.sql) are keyed by their
 * name: a changed file replaces its row.  They take the schema
 * migrations' lock, so that no migration runs between two of them.
 */
#define FUNCTION_LEDGER { \
	"msp_meta.function_loads", \
	"CREATE TABLE IF NOT EXISTS msp_meta.function_loads (" \
	" file text PRIMARY KEY CHECK (file ~ '^[a-z0-9_.]+\\.sql$')," \
	" sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$')," \
	" applied_at timestamptz NOT NULL DEFAULT pg_catalog.now()," \
	" applied_by text NOT NULL DEFAULT CURRENT_USER)", \
	"SELECT 0 AS version, file, sha256," \
	" pg_catalog.to_char(applied_at, 'YYYY-MM-DD HH24:MI:SS') AS at" \
	" FROM msp_meta.function_loads ORDER BY file", \
	"INSERT INTO msp_meta.function_loads AS l (file, sha256)" \
	" SELECT $2, $3 WHERE $1::integer = 0" \
	" ON CONFLICT (file) DO UPDATE SET sha256 = EXCLUDED.sha256," \
	" applied_at = pg_catalog.now(), applied_by = CURRENT_USER", \
	"7235100001", 1, 0 }

/*
 * The schema migrations and the function files run in one transaction
 * per run (migrate_schema()): a migration's new trigger must not be
 * seen before the file that defines its function, nor a failed upgrade
 * leave half a schema.  The reference loads keep a transaction per
 * file: each creates temporary tables and views of its own, and a
 * study's data loaded is worth keeping when the next one fails.
 */
static const struct ledger ledgers[] = {
	[MIGRATE_SCHEMA] = LEDGER("schema_migrations", "7235100001", 0),
	[MIGRATE_REFERENCE] = LEDGER("reference_loads", "7235100002", 1),
	[MIGRATE_FUNCTIONS] = FUNCTION_LEDGER,
};

/*
 * Schema migrations rewritten after databases had applied them: when
 * every function moved to sql/functions/ (issue 17), their function
 * bodies were taken out.  A database made before holds these SHA-256s
 * in its ledger; it already has every table, policy and trigger the
 * rewritten files make, and the function files then replace its
 * functions, so the old checksum is accepted once and the ledger row
 * updated to the file's new one.  Only a database that had applied
 * them all (up to MIGRATE_BASELINE, main's 85bc216) is upgraded so: the
 * rewritten files, which no longer backfill what the functions used to,
 * run only on an empty database.  docs/schema.md says why.
 */
#define MIGRATE_BASELINE 26

static const struct former_checksum {
	int version;
	const char *file;
	const char *sha256;
} former_checksums[] = {
	{ 3, "0003_responses.sql",
	  "f49087c177b50c61a697127fb6bcfebf6bdf7d8d499a8b0a708df7af2b2d2fb7" },
	{ 5, "0005_audit.sql",
	  "18d290ec642d2871991a678db98e33905a9f3a3bfa413a21e0d60085999731b0" },
	{ 6, "0006_access.sql",
	  "32a4243a6d38c6b03593aae607114d74838f6040a21acb7ed5451a5cf40bd1cc" },
	{ 8, "0008_enter.sql",
	  "e2a68bf8995d678fa572330e77dd72ce681449d53c12741c120f9c0c81caca45" },
	{ 10, "0010_report.sql",
	  "afae74539bf257993dc5ced844a5e9e57cdd8d9da0e8486587b3931cf26968e0" },
	{ 11, "0011_submit.sql",
	  "789d682d30a44a10b8cc543e5709e78472953c34c7ea49663bd8276f65385f70" },
	{ 13, "0013_single_choice_update.sql",
	  "a463ec664d306a3fe0aa04e043d4c002e3abcfdaf38d7b87f9a796101ec3498b" },
	{ 14, "0014_report_tally.sql",
	  "6679bb462f28990fb68d51349a65490c8126680e0ddcffd8fb148f31d132c1dd" },
	{ 15, "0015_import.sql",
	  "bfd3aeec9454d55753f6e4707edc882c8ba0931193395806933ed0b13614c3be" },
	{ 16, "0016_rgpd.sql",
	  "284d4cdce3431846f2280af4ecaf89b57f3ba3a389ef5380625b35aff63acd09" },
	{ 18, "0018_plpgsql_lookups.sql",
	  "d544563cc2362e22c45425dafa429520e1ab802ffd60345bcdbf8469369e8914" },
	{ 19, "0019_tally_static.sql",
	  "e9251eaa334bcee91fcec99902f5e5e6c0e929bec2204a5f173bf938c9639180" },
	{ 20, "0020_federation_totals.sql",
	  "7c141a38a0cd7a6f54db942140c36ad5db6e4e21eb92cbb565e0911d8ae31b51" },
	{ 21, "0021_submit_many.sql",
	  "f8d1cdb45ac73d7c68cc25eb12894c0dad475cefe51e278a06450ba362de8718" },
	{ 22, "0022_answer_check_per_statement.sql",
	  "d0c5bbd224d582208bc913cd2b4b90fb13140ede6c724a5f984993682b870c62" },
	{ 23, "0023_audit_row_once.sql",
	  "e6420342f56552ee5625d106dccb72fc6c462a2e021db2e410a063903977750f" },
	{ 24, "0024_tally_choice_first.sql",
	  "24801ef93846c538813854f5b4b0d1a54e8cc340745ab674e8b56fd9ec591257" },
	{ 25, "0025_form_keys.sql",
	  "42a4da0b9c6f9c4c2cba45577bcd60de72c4ceff91d142654a645c85c49e321a" },
	{ 26, "0026_api_isolation_timeouts.sql",
	  "91532e5fbeeae47e843b497670c0beeb2ca8d69a5cce53e62205139a93aae1cd" },
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

enum msp_status
migrate_parse_function_name(const char *file, struct msp_error *err)
{
	size_t len = strlen(file);

	if (len < 1 + 4 || strcmp(file + len - 4, ".sql") != 0 ||
	    strspn(file, "abcdefghijklmnopqrstuvwxyz0123456789_.") < len - 4)
		return msp_error_set(err, MSP_EINVAL,
				     "%s: a function file is named NAME.sql "
				     "(NAME of a-z, 0-9, _ and .)", file);
	return MSP_OK;
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

static int
by_file(const void *a, const void *b)
{
	const struct migration *x = a, *y = b;

	return strcmp(x->file, y->file);
}

static enum msp_status
load_one(const char *dir, const char *file, int repeatable,
	 struct migration *m, struct msp_error *err)
{
	size_t len, plen = strlen(dir) + 1 + strlen(file) + 1;
	enum msp_status st;

	memset(m, 0, sizeof(*m));
	st = repeatable ? migrate_parse_function_name(file, err) :
	     migrate_parse_name(file, &m->version, err);
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

static enum msp_status
scan(const char *dir, int repeatable, struct migration_set *set,
     struct msp_error *err)
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
		st = load_one(dir, de->d_name, repeatable,
			      &set->items[set->n], err);
		set->n++;	/* so that a half-loaded item is freed too */
		if (st != MSP_OK)
			goto out;
	}
	/* Byte order of names: the same on every machine and locale. */
	qsort(set->items, set->n, sizeof(*set->items),
	      repeatable ? by_file : by_version);
	for (i = 1; i < set->n && !repeatable; i++) {
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

enum msp_status
migrate_scan(const char *dir, struct migration_set *set, struct msp_error *err)
{
	return scan(dir, 0, set, err);
}

enum msp_status
migrate_scan_functions(const char *dir, struct migration_set *set,
		       struct msp_error *err)
{
	return scan(dir, 1, set, err);
}

/*
 * The line of text holding the 1-based character (not byte) position
 * pos (PostgreSQL's error position, as text), or 0 if pos is NULL.
 */
static int
position_line(const char *pos, const char *text)
{
	long want, chars = 0;
	int line = 1;
	const char *p;

	if (pos == NULL)
		return 0;
	want = strtol(pos, NULL, 10);
	for (p = text; *p != '\0'; p++) {
		if (((unsigned char)*p & 0xc0) != 0x80 && ++chars >= want)
			break;
		if (*p == '\n')
			line++;
	}
	return line;
}

/* The line of sql where PostgreSQL's syntax error is, or 0. */
static int
error_line(const PGresult *res, const char *sql)
{
	return position_line(PQresultErrorField(res,
						PG_DIAG_STATEMENT_POSITION),
			     sql);
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
static struct migration *
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

/* Whether sha256 is what file (version) held before its rewrite. */
static int
is_former(int version, const char *file, const char *sha256)
{
	size_t i;

	for (i = 0; i < sizeof(former_checksums) /
		    sizeof(former_checksums[0]); i++)
		if (former_checksums[i].version == version &&
		    strcmp(former_checksums[i].file, file) == 0 &&
		    strcmp(former_checksums[i].sha256, sha256) == 0)
			return 1;
	return 0;
}

/*
 * Refuses to go on if an applied migration's file changed or is gone:
 * either means this checkout and the database disagree on the schema.
 * A file that holds one of its former_checksums is accepted, if the
 * database went up to MIGRATE_BASELINE; *rewritten (may be NULL)
 * receives how many such rows the ledger has.
 */
static enum msp_status
check_applied(const PGresult *applied, const struct migration_set *set,
	      const char *dir, int *rewritten, struct msp_error *err)
{
	int cv, cf, cs, i, last = 0, former = 0;
	const struct migration *m;

	if (rewritten != NULL)
		*rewritten = 0;
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
		if (m->version > last)
			last = m->version;
		if (strcmp(m->sha256, PQgetvalue(applied, i, cs)) == 0)
			continue;
		if (is_former(m->version, m->file,
			      PQgetvalue(applied, i, cs))) {
			former++;
			continue;
		}
		return msp_error_set(err, MSP_ECONFLICT,
			"%s was changed after it was applied; add a "
			"new migration instead of editing it", m->path);
	}
	if (former > 0 && last < MIGRATE_BASELINE)
		return msp_error_set(err, MSP_ECONFLICT,
			"this database was made by migrations older than "
			"%04d, written before the functions moved to "
			"sql/functions/: migrate it first with commit 85bc216, "
			"then with this one (docs/schema.md)",
			MIGRATE_BASELINE);
	if (rewritten != NULL)
		*rewritten = former;
	return MSP_OK;
}

/*
 * Records the present SHA-256 of the rewritten migrations whose ledger
 * rows hold a former one (check_applied() accepted them), so that the
 * ledger says what this checkout's files are, and marks them
 * rewritten for the progress lines written after COMMIT.
 */
static enum msp_status
rebaseline(PGconn *conn, const PGresult *applied, struct migration_set *set,
	   struct msp_error *err)
{
	const char *params[2];
	struct migration *m;
	char version[16];
	enum msp_status st;
	int cv, cs, i;

	cv = db_column(applied, "version");
	cs = db_column(applied, "sha256");
	for (i = 0; i < PQntuples(applied); i++) {
		m = find_version(set, row_int(applied, i, cv));
		if (m == NULL ||
		    strcmp(m->sha256, PQgetvalue(applied, i, cs)) == 0)
			continue;
		snprintf(version, sizeof(version), "%d", m->version);
		params[0] = version;
		params[1] = m->sha256;
		st = db_exec(conn, "rebaseline migration",
			     "UPDATE msp_meta.schema_migrations"
			     " SET sha256 = $2 WHERE version = $1::integer",
			     2, params, PGRES_COMMAND_OK, NULL, err);
		if (st != MSP_OK)
			return st;
		m->rewritten = 1;
	}
	return MSP_OK;
}

/* The ledger row of a repeatable file, or -1. */
static int
find_file_row(const PGresult *applied, const char *file)
{
	int i, cf;

	if (applied == NULL)
		return -1;
	cf = db_column(applied, "file");
	for (i = 0; i < PQntuples(applied); i++)
		if (strcmp(PQgetvalue(applied, i, cf), file) == 0)
			return i;
	return -1;
}

static int is_applied(const PGresult *applied, int version);

/* Whether m is to be applied: not yet, or (repeatable) changed since. */
static int
is_pending(const struct ledger *lg, const PGresult *applied,
	   const struct migration *m)
{
	int row;

	if (!lg->repeatable)
		return !is_applied(applied, m->version);
	row = find_file_row(applied, m->file);
	return row < 0 || strcmp(PQgetvalue(applied, row,
				 db_column(applied, "sha256")),
				 m->sha256) != 0;
}

/*
 * The function files are loaded with check_function_bodies off (as
 * pg_dump's output is), so that one may call a function whose file
 * sorts after it; validate_functions() then checks every SQL and
 * PL/pgSQL body of the database's own schemas with the language's
 * validator, which is what CREATE FUNCTION would have run, before the
 * run's COMMIT.  "stub" is a migration's declaration of a trigger's
 * function (docs/schema.md), which its function file must replace.
 */
static const char sql_functions[] =
	"SELECT p.oid::text AS oid,"
	" p.oid::pg_catalog.regprocedure::text AS fn,"
	" n.nspname || '.' || p.proname || '.sql' AS file,"
	" l.lanname AS lang, p.prosrc AS body,"
	" p.prosrc = 'BEGIN RAISE ''declared only''; END' AS stub"
	" FROM pg_catalog.pg_proc p"
	" JOIN pg_catalog.pg_language l ON l.oid = p.prolang"
	" JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
	" WHERE l.lanname IN ('sql', 'plpgsql')"
	"   AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
	"   AND n.nspname NOT LIKE 'pg\\_%'"
	" ORDER BY 2";

/* The function file of set named file, or NULL. */
static const struct migration *
find_file(const struct migration_set *set, const char *file)
{
	size_t i;

	for (i = 0; set != NULL && i < set->n; i++)
		if (strcmp(set->items[i].file, file) == 0)
			return &set->items[i];
	return NULL;
}

/*
 * The line of the function's body where a validator's error is: the
 * position PostgreSQL gives in a SQL body, or the "line N" of a
 * PL/pgSQL one's context; 0 if neither.  Line 1 is the line of $$.
 */
static int
body_line(const PGresult *res, const char *body)
{
	const char *ctx, *at;
	int line;

	line = position_line(PQresultErrorField(res,
						PG_DIAG_INTERNAL_POSITION),
			     body);
	if (line > 0)
		return line;
	ctx = PQresultErrorField(res, PG_DIAG_CONTEXT);
	if (ctx == NULL || (at = strstr(ctx, " line ")) == NULL)
		return 0;
	return (int)strtol(at + 6, NULL, 10);
}

/*
 * Fills err for a body that failed its validator (res): the function
 * file (fm, may be NULL) and line of the file where the error is, when
 * the body is found in it as written, else the line of the body.
 */
static enum msp_status
body_error(const PGresult *res, PGconn *conn, const struct migration *fm,
	   const char *fn, const char *body, struct msp_error *err)
{
	const char *at = fm != NULL ? strstr(fm->sql, body) : NULL;
	int line = res != NULL ? body_line(res, body) : 0, first = 1;
	const char *p;

	db_error_from_result(res, conn, err);
	if (fm == NULL)
		msp_error_prefix(err, "function %s", fn);
	else if (at != NULL && line > 0) {
		for (p = fm->sql; p < at; p++)
			first += *p == '\n';
		msp_error_prefix(err, "%s:%d: function %s", fm->path,
				 first + line - 1, fn);
	} else if (line > 0)
		msp_error_prefix(err, "%s: function %s, line %d of its body",
				 fm->path, fn, line);
	else
		msp_error_prefix(err, "%s: function %s", fm->path, fn);
	return MSP_EDB;
}

/*
 * Checks every body (see sql_functions), one function at a time, so
 * that the error names the function and its file among files (may be
 * NULL).  A migration's declaration that no file replaced fails too:
 * its trigger would raise on every row.  Fails with MSP_EDB, the
 * transaction then aborted.
 */
static enum msp_status
validate_functions(PGconn *conn, const struct migration_set *files,
		   struct msp_error *err)
{
	PGresult *fns = NULL, *res = NULL;
	const char *params[1];
	const char *fn, *file, *lang, *body;
	enum msp_status st;
	int i, co, cn, cf, cl, cb, cs;

	st = db_exec(conn, "list functions", sql_functions, 0, NULL,
		     PGRES_TUPLES_OK, &fns, err);
	if (st != MSP_OK)
		goto out;
	co = db_column(fns, "oid");
	cn = db_column(fns, "fn");
	cf = db_column(fns, "file");
	cl = db_column(fns, "lang");
	cb = db_column(fns, "body");
	cs = db_column(fns, "stub");
	for (i = 0; i < PQntuples(fns); i++) {
		fn = PQgetvalue(fns, i, cn);
		file = PQgetvalue(fns, i, cf);
		lang = PQgetvalue(fns, i, cl);
		body = PQgetvalue(fns, i, cb);
		if (strcmp(PQgetvalue(fns, i, cs), "t") == 0) {
			st = msp_error_set(err, MSP_EDB,
				"function %s is still the declaration a "
				"migration made for its trigger: no function "
				"file %s replaces it (docs/schema.md)", fn,
				file);
			goto out;
		}
		params[0] = PQgetvalue(fns, i, co);
		/* $1: the function's oid; the validator raises on a body
		 * that CREATE FUNCTION would have refused. */
		res = PQexecParams(conn, strcmp(lang, "plpgsql") == 0 ?
				   "SELECT pg_catalog.plpgsql_validator("
				   "$1::oid)" :
				   "SELECT pg_catalog.fmgr_sql_validator("
				   "$1::oid)",
				   1, NULL, params, NULL, NULL, 0);
		if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK) {
			st = body_error(res, conn, find_file(files, file), fn,
					body, err);
			goto out;
		}
		PQclear(res);
		res = NULL;
	}
out:
	PQclear(res);
	PQclear(fns);
	return st;
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

/*
 * Whether sql creates a function in LANGUAGE c (the disclosure module's,
 * sql/functions/msp.sdc_*.sql): "language", blanks, then c alone,
 * quoted or not, in any case.  A comment saying it counts too: a
 * needless refusal at worst, never a missed one.
 */
static int
declares_c_language(const char *sql)
{
	const char *p;

	for (p = sql; *p != '\0'; p++) {
		if (strncasecmp(p, "language", 8) != 0 ||
		    (p > sql && (isalnum((unsigned char)p[-1]) ||
				 p[-1] == '_')))
			continue;
		p += 8;
		if (!isspace((unsigned char)*p))
			continue;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\'' || *p == '"')
			p++;
		if ((*p == 'c' || *p == 'C') &&
		    !isalnum((unsigned char)p[1]) && p[1] != '_')
			return 1;
	}
	return 0;
}

/* Whether the session is a PostgreSQL superuser (reported by the
 * server at connection, no query). */
static int
is_superuser(PGconn *conn)
{
	const char *v = PQparameterStatus(conn, "is_superuser");

	return v != NULL && strcmp(v, "on") == 0;
}

/*
 * The disclosure module's version against the one its SQL declarations
 * expect (the COMMENT of msp.sdc_version(), sql/functions/
 * msp.sdc_version.sql), once the function files are in: a stale
 * msp_sdc.so left in the server's library directory would otherwise
 * decide with other rules than the SQL around it.  Nothing to check
 * in a database without the function.  Fails with MSP_EDB (the module
 * does not load) or MSP_ECONFIG (another version), in French: whoever
 * migrates must install the module.
 */
static enum msp_status
check_module_version(PGconn *conn, const struct migration_set *files,
		     struct msp_error *err)
{
	const struct migration *fm = find_file(files, "msp.sdc_version.sql");
	const char *file = fm != NULL ? fm->path : "msp.sdc_version.sql";
	PGresult *declared = NULL, *module = NULL;
	const char *want, *have;
	enum msp_status st;

	st = db_exec(conn, "module version declared",
		     "SELECT pg_catalog.obj_description(p, 'pg_proc')"
		     " AS declared"
		     " FROM pg_catalog.to_regprocedure('msp.sdc_version()') p"
		     " WHERE p IS NOT NULL",
		     0, NULL, PGRES_TUPLES_OK, &declared, err);
	if (st != MSP_OK || PQntuples(declared) == 0)
		goto out;
	st = db_exec(conn, "module version", "SELECT msp.sdc_version()"
		     " AS module", 0, NULL, PGRES_TUPLES_OK, &module, err);
	if (st != MSP_OK) {
		msp_error_prefix(err, "%s : le module msp_sdc de PostgreSQL "
				 "ne répond pas (installez-le dans le "
				 "$libdir du serveur : make install, ou "
				 "scripts/pgcluster --module-dir)", file);
		goto out;
	}
	want = PQgetvalue(declared, 0, db_column(declared, "declared"));
	have = PQgetvalue(module, 0, db_column(module, "module"));
	if (strcmp(want, have) != 0)
		st = msp_error_set(err, MSP_ECONFIG,
				   "%s : le module msp_sdc.so chargé par "
				   "PostgreSQL est en version « %s », ces "
				   "fonctions SQL attendent la version « %s » "
				   "(installez le module de cette version : "
				   "make install, ou scripts/pgcluster "
				   "--module-dir)", file, have, want);
out:
	PQclear(module);
	PQclear(declared);
	return st;
}

/*
 * Runs one file in the transaction open on conn and records it in lg's
 * ledger.  On failure the transaction is left to the caller to roll
 * back; the error names the file and, for a syntax error, its line.
 */
static enum msp_status
run_file(PGconn *conn, const struct ledger *lg, const struct migration *m,
	 struct msp_error *err)
{
	char version[16];
	const char *params[3];
	PGresult *res = NULL;
	enum msp_status st = MSP_OK;
	int line;

	/* Only a superuser may create a C function (the server would say
	 * "permission denied for language c"): say what to do instead. */
	if (declares_c_language(m->sql) && !is_superuser(conn)) {
		st = msp_error_set(err, MSP_EACCESS,
				   "%s : une fonction en LANGUAGE c ne peut "
				   "être créée que par un superutilisateur "
				   "PostgreSQL ; lancez « msp-report db "
				   "migrate » connecté comme tel (postgres, "
				   "par MSP_DATABASE_URL)", m->path);
		goto out;
	}
	/* A script of several statements: PQexec is the only way, and the
	 * text is our own file, never user input. */
	res = PQexec(conn, m->sql);
	/* PGRES_EMPTY_QUERY: comments only, as a migration whose function
	 * moved to sql/functions/ keeps its history. */
	if (res == NULL || (PQresultStatus(res) != PGRES_COMMAND_OK &&
			    PQresultStatus(res) != PGRES_TUPLES_OK &&
			    PQresultStatus(res) != PGRES_EMPTY_QUERY)) {
		st = db_error_from_result(res, conn, err);
		line = res != NULL ? error_line(res, m->sql) : 0;
		if (line > 0)
			msp_error_prefix(err, "%s:%d", m->path, line);
		else
			msp_error_prefix(err, "%s", m->path);
		goto out;
	}
	/* A COMMIT in the file has already made durable what came before
	 * it in this run; this at least stops the run there. */
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
out:
	PQclear(res);
	return st;
}

static enum msp_status
begin(PGconn *conn, struct msp_error *err)
{
	return db_exec(conn, "begin", "BEGIN", 0, NULL, PGRES_COMMAND_OK,
		       NULL, err);
}

static enum msp_status
commit(PGconn *conn, struct msp_error *err)
{
	return db_exec(conn, "commit", "COMMIT", 0, NULL, PGRES_COMMAND_OK,
		       NULL, err);
}

/*
 * One directory of files and its ledger, within a run: what the
 * directory holds and what the ledger says was applied.
 */
struct step {
	const struct ledger *lg;
	const char *dir;
	struct migration_set set;
	PGresult *done;		/* NULL until read, or no ledger yet */
};

/* The progress lines of what a run changed, once it is committed. */
static void
report(const struct step *steps, size_t nsteps, FILE *progress)
{
	size_t s, i;

	for (s = 0; progress != NULL && s < nsteps; s++)
		for (i = 0; i < steps[s].set.n; i++) {
			if (steps[s].set.items[i].rewritten)
				fprintf(progress, "rewritten %s (former "
					"checksum accepted)\n",
					steps[s].set.items[i].file);
			if (steps[s].set.items[i].applied)
				fprintf(progress, "applied %s\n",
					steps[s].set.items[i].file);
		}
}

/*
 * Applies the pending files of steps, in order, under the first step's
 * advisory lock.  For a per-file ledger (only ever alone in steps):
 * each file in its own transaction, earlier ones kept when one fails.
 * Otherwise the whole run is one transaction: ledger rows, the
 * migrations, the function files with check_function_bodies off, then
 * every body validated (stubs refused when a step holds the function
 * files) before COMMIT; any failure rolls it all back, and *applied is
 * then 0.
 */
static enum msp_status
run(PGconn *conn, struct step *steps, size_t nsteps, FILE *progress,
    int *applied, struct msp_error *err)
{
	const char *lock[1] = { steps[0].lg->lock_key };
	const struct migration_set *files = NULL;
	int per_file = steps[0].lg->per_file;
	int locked = 0, count = 0, rewritten = 0;
	struct migration *m;
	enum msp_status st = MSP_OK;
	size_t s, i;

	if (applied != NULL)
		*applied = 0;
	for (s = 0; s < nsteps; s++) {
		st = scan(steps[s].dir, steps[s].lg->repeatable,
			  &steps[s].set, err);
		if (st != MSP_OK)
			goto out;
		if (steps[s].lg->repeatable)
			files = &steps[s].set;
	}
	st = db_exec(conn, "lock migrations",
		     "SELECT pg_catalog.pg_advisory_lock($1::bigint)", 1, lock,
		     PGRES_TUPLES_OK, NULL, err);
	if (st != MSP_OK)
		goto out;
	locked = 1;
	if (!per_file && (st = begin(conn, err)) != MSP_OK)
		goto out;
	st = db_exec(conn, "create ledger schema", sql_create_schema, 0, NULL,
		     PGRES_COMMAND_OK, NULL, err);
	if (st != MSP_OK)
		goto out;
	for (s = 0; s < nsteps; s++) {
		st = db_exec(conn, "create ledger", steps[s].lg->create, 0,
			     NULL, PGRES_COMMAND_OK, NULL, err);
		if (st != MSP_OK)
			goto out;
		st = read_applied(conn, steps[s].lg, &steps[s].done, err);
		if (st != MSP_OK)
			goto out;
		if (steps[s].lg->repeatable)
			continue;
		st = check_applied(steps[s].done, &steps[s].set, steps[s].dir,
				   &rewritten, err);
		if (st == MSP_OK && rewritten > 0)
			st = rebaseline(conn, steps[s].done, &steps[s].set,
					err);
		if (st != MSP_OK)
			goto out;
	}
	for (s = 0; s < nsteps; s++) {
		if (steps[s].lg->repeatable && !per_file) {
			st = db_exec(conn, "defer body checks",
				     "SET LOCAL check_function_bodies = off",
				     0, NULL, PGRES_COMMAND_OK, NULL, err);
			if (st != MSP_OK)
				goto out;
		}
		for (i = 0; i < steps[s].set.n; i++) {
			m = &steps[s].set.items[i];
			if (!is_pending(steps[s].lg, steps[s].done, m))
				continue;
			if (per_file && (st = begin(conn, err)) != MSP_OK)
				goto out;
			st = run_file(conn, steps[s].lg, m, err);
			if (st == MSP_OK && per_file &&
			    (st = commit(conn, err)) != MSP_OK)
				msp_error_prefix(err, "%s", m->path);
			if (st != MSP_OK)
				goto out;
			count++;
			m->applied = 1;
			if (per_file && progress != NULL)
				fprintf(progress, "applied %s\n", m->file);
		}
	}
	if (per_file)
		goto out;
	/* Every run that holds the function files, not only one that
	 * applied something: the database's bodies are what is checked. */
	if (files != NULL) {
		/* The validators check nothing while it is off. */
		st = db_exec(conn, "check bodies",
			     "SET LOCAL check_function_bodies = on", 0, NULL,
			     PGRES_COMMAND_OK, NULL, err);
		if (st == MSP_OK)
			st = validate_functions(conn, files, err);
		if (st == MSP_OK)
			st = check_module_version(conn, files, err);
		if (st != MSP_OK)
			goto out;
	}
	st = commit(conn, err);
	if (st != MSP_OK)
		goto out;
	report(steps, nsteps, progress);
out:
	if (st != MSP_OK && PQtransactionStatus(conn) != PQTRANS_IDLE)
		PQclear(PQexec(conn, "ROLLBACK"));
	if (st != MSP_OK && !per_file)
		count = 0;
	if (locked)
		db_exec(conn, "unlock migrations",
			"SELECT pg_catalog.pg_advisory_unlock($1::bigint)",
			1, lock, PGRES_TUPLES_OK, NULL, NULL);
	if (applied != NULL)
		*applied = count;
	for (s = 0; s < nsteps; s++) {
		PQclear(steps[s].done);
		steps[s].done = NULL;
		migrate_set_free(&steps[s].set);
	}
	return st;
}

enum msp_status
migrate_apply(PGconn *conn, enum migrate_ledger ledger, const char *dir,
	      FILE *progress, int *applied, struct msp_error *err)
{
	struct step step = { &ledgers[ledger], dir, { NULL, 0 }, NULL };

	return run(conn, &step, 1, progress, applied, err);
}

enum msp_status
migrate_schema(PGconn *conn, const char *dir, const char *fdir,
	       FILE *progress, int *applied, struct msp_error *err)
{
	struct step steps[2] = {
		{ &ledgers[MIGRATE_SCHEMA], dir, { NULL, 0 }, NULL },
		{ &ledgers[MIGRATE_FUNCTIONS], fdir, { NULL, 0 }, NULL },
	};

	return run(conn, steps, 2, progress, applied, err);
}

enum msp_status
migrate_status(PGconn *conn, enum migrate_ledger ledger, const char *dir,
	       FILE *out, int *pending, struct msp_error *err)
{
	const struct ledger *lg = &ledgers[ledger];
	struct migration_set set = { NULL, 0 };
	PGresult *done = NULL;
	enum msp_status st;
	int i, cv, ca, cs, cf, count = 0;
	const struct migration *m;
	const char *note;
	size_t k;

	if (pending != NULL)
		*pending = 0;
	st = scan(dir, lg->repeatable, &set, err);
	if (st != MSP_OK)
		goto out;
	st = read_applied(conn, lg, &done, err);
	if (st != MSP_OK)
		goto out;
	if (done != NULL && out != NULL) {
		cv = db_column(done, "version");
		cf = db_column(done, "file");
		cs = db_column(done, "sha256");
		ca = db_column(done, "at");
		for (i = 0; i < PQntuples(done); i++) {
			m = lg->repeatable ? NULL :
			    find_version(&set, row_int(done, i, cv));
			for (k = 0; lg->repeatable && k < set.n; k++)
				if (strcmp(set.items[k].file,
					   PQgetvalue(done, i, cf)) == 0)
					m = &set.items[k];
			note = "";
			if (m == NULL)
				note = "  (not in this checkout)";
			else if (strcmp(m->sha256, PQgetvalue(done, i, cs)) &&
				 is_former(m->version, m->file,
					   PQgetvalue(done, i, cs)))
				note = "  (rewritten since: accepted)";
			else if (strcmp(m->sha256, PQgetvalue(done, i, cs)))
				note = lg->repeatable ?
				       "  (file changed since: pending)" :
				       "  (file changed since)";
			fprintf(out, "applied  %s  %s%s\n",
				PQgetvalue(done, i, ca),
				PQgetvalue(done, i, cf), note);
		}
	}
	for (k = 0; k < set.n; k++) {
		if (!is_pending(lg, done, &set.items[k]))
			continue;
		count++;
		if (out == NULL ||
		    (lg->repeatable &&
		     find_file_row(done, set.items[k].file) >= 0))
			continue;	/* shown above as changed */
		fprintf(out, "pending  %19s  %s\n", "", set.items[k].file);
	}
	if (pending != NULL)
		*pending = count;
out:
	PQclear(done);
	migrate_set_free(&set);
	return st;
}
