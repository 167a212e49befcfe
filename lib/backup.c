/*
 * backup — the manifest's state, and pg_dump/pg_restore run with the
 * connection in their environment (backup.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "backup.h"
#include "db.h"
#include "jsonin.h"

/*
 * The statements build their JSON in the server: one round trip each,
 * and no value of a row passes through C on its way to the manifest.
 * The search_path is empty (db_connect): pg_catalog is searched first
 * anyway, every other name is qualified.
 */
static const char sql_schema_ledger[] =
	"SELECT coalesce(pg_catalog.json_agg("
	"pg_catalog.json_build_object('version', version, 'file', file,"
	" 'sha256', sha256) ORDER BY version), '[]')::text AS j"
	" FROM msp_meta.schema_migrations";
static const char sql_reference_ledger[] =
	"SELECT coalesce(pg_catalog.json_agg("
	"pg_catalog.json_build_object('version', version, 'file', file,"
	" 'sha256', sha256) ORDER BY version), '[]')::text AS j"
	" FROM msp_meta.reference_loads";
static const char sql_function_ledger[] =
	"SELECT coalesce(pg_catalog.json_agg("
	"pg_catalog.json_build_object('file', file, 'sha256', sha256)"
	" ORDER BY file COLLATE \"C\"), '[]')::text AS j"
	" FROM msp_meta.function_loads";

/* Every table's exact count, in one statement: the table names are
 * quoted by the server (format %I), never by us, and query_to_xml runs
 * each count inside this statement's snapshot. */
static const char sql_counts[] =
	"SELECT coalesce(pg_catalog.json_object_agg(name, n"
	" ORDER BY name), '{}')::text AS j FROM ("
	"SELECT n.nspname || '.' || c.relname AS name,"
	" ((pg_catalog.xpath('/row/n/text()', pg_catalog.query_to_xml("
	"pg_catalog.format('SELECT count(*) AS n FROM %I.%I',"
	" n.nspname, c.relname), false, true, '')))[1])::text::bigint AS n"
	" FROM pg_catalog.pg_class c"
	" JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	" WHERE c.relkind IN ('r', 'p')"
	" AND n.nspname <> 'information_schema'"
	" AND n.nspname !~ '^pg_') t";

static const char sql_regclass[] =
	"SELECT pg_catalog.to_regclass($1) IS NOT NULL AS present";

/*
 * The roles the database names.  pg_shdepend holds the owners, the
 * grantees and the policies' roles of this database's objects (not
 * those of the bootstrap superuser, which is pinned); then, to a fixed
 * point, the roles those are members of or have as members: msp_worker
 * holds no grant of its own, it reaches the tables through msp_app.
 * In the order they were created (oid), so that restore creates them
 * in that order: pg_dump lists a policy's roles in oid order, and the
 * restored schema then dumps as the original did.
 */
static const char sql_roles[] =
	"WITH RECURSIVE used(oid) AS ("
	" SELECT refobjid FROM pg_catalog.pg_shdepend"
	" WHERE refclassid = 'pg_catalog.pg_authid'::pg_catalog.regclass"
	" AND dbid = (SELECT oid FROM pg_catalog.pg_database"
	"  WHERE datname = pg_catalog.current_database())"
	" UNION SELECT setrole FROM pg_catalog.pg_db_role_setting"
	" WHERE setrole <> 0 AND setdatabase = (SELECT oid FROM"
	"  pg_catalog.pg_database"
	"  WHERE datname = pg_catalog.current_database())"
	" UNION SELECT v.x FROM pg_catalog.pg_auth_members m"
	" JOIN used u ON u.oid IN (m.member, m.roleid)"
	" CROSS JOIN LATERAL (VALUES (m.member), (m.roleid)) v(x))"
	"SELECT coalesce(pg_catalog.json_agg("
	"pg_catalog.json_build_object('name', r.rolname,"
	" 'login', r.rolcanlogin, 'inherit', r.rolinherit,"
	" 'bypassrls', r.rolbypassrls,"
	" 'member_of', ARRAY(SELECT g.rolname"
	"  FROM pg_catalog.pg_auth_members m"
	"  JOIN pg_catalog.pg_roles g ON g.oid = m.roleid"
	"  WHERE m.member = r.oid AND NOT g.rolsuper"
	"  AND g.rolname !~ '^pg_' ORDER BY 1),"
	" 'settings', coalesce((SELECT s.setconfig"
	"  FROM pg_catalog.pg_db_role_setting s"
	"  WHERE s.setrole = r.oid AND s.setdatabase = (SELECT oid FROM"
	"  pg_catalog.pg_database"
	"  WHERE datname = pg_catalog.current_database())), '{}'))"
	" ORDER BY r.oid), '[]')::text AS j"
	" FROM pg_catalog.pg_roles r"
	" WHERE r.oid IN (SELECT oid FROM used)"
	" AND NOT r.rolsuper AND r.rolname !~ '^pg_'";

static const char sql_user_objects[] =
	"SELECT (SELECT count(*) FROM pg_catalog.pg_namespace"
	"  WHERE nspname NOT IN ('public', 'information_schema')"
	"  AND nspname !~ '^pg_') AS schemas,"
	" (SELECT count(*) FROM pg_catalog.pg_class c"
	"  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
	"  WHERE n.nspname = 'public') AS relations,"
	" (SELECT count(*) FROM pg_catalog.pg_proc p"
	"  JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
	"  WHERE n.nspname = 'public') AS functions";

static const char sql_role_exists[] =
	"SELECT count(*) AS n FROM pg_catalog.pg_roles WHERE rolname = $1";
/* The statements are built by the server's format(): %I and %L quote
 * the manifest's names and values; only our own keywords are %s. */
static const char sql_create_role[] =
	"SELECT pg_catalog.format('CREATE ROLE %I %s %s %s', $1::text,"
	" CASE WHEN $2::boolean THEN 'LOGIN' ELSE 'NOLOGIN' END,"
	" CASE WHEN $3::boolean THEN 'INHERIT' ELSE 'NOINHERIT' END,"
	" CASE WHEN $4::boolean THEN 'BYPASSRLS' ELSE 'NOBYPASSRLS' END)"
	" AS s";
static const char sql_grant_role[] =
	"SELECT pg_catalog.format('GRANT %I TO %I', $1::text, $2::text) AS s";
/* A role's setting: the value is never written into SQL text.
 * pg_db_role_setting holds "name=value", value as SHOW prints it; a
 * list (search_path: "$user", public) is one string whose elements
 * are quoted already, and SET name = %L would make it one element.
 * So the value is set in the restoring session as the server reads a
 * setting's text (set_config, local to a transaction), and ALTER ROLE
 * ... SET name FROM CURRENT stores what the session then holds: the
 * same text for every setting, list or not.  Every setting a role can
 * hold can be set so: one read only at a session's start
 * (log_connections) is refused by ALTER ROLE as by set_config
 * ("cannot be set after connection start", PostgreSQL 15), and one
 * for superusers needs the same rights either way. */
static const char sql_setting_local[] =
	"SELECT pg_catalog.set_config($1::text, $2::text, true)";
static const char sql_role_setting[] =
	"SELECT pg_catalog.format('ALTER ROLE %I IN DATABASE %I SET %I"
	" FROM CURRENT', $1::text, pg_catalog.current_database(), $2::text)"
	" AS s";

/* Runs a statement returning one text column j, parsed into *out. */
static enum msp_status
query_json(PGconn *conn, const char *what, const char *sql,
	   json_object **out, struct msp_error *err)
{
	PGresult *res = NULL;
	const char *j;
	enum msp_status st;

	*out = NULL;
	st = db_exec(conn, what, sql, 0, NULL, PGRES_TUPLES_OK, &res, err);
	if (st != MSP_OK)
		return st;
	j = db_text(res, 0, "j");
	st = jsonin_parse(j, strlen(j), out, err);
	if (st != MSP_OK)
		msp_error_prefix(err, "%s", what);
	PQclear(res);
	return st;
}

/* Whether the table named exists: 1, 0, or -1 on error. */
static int
table_present(PGconn *conn, const char *table, struct msp_error *err)
{
	PGresult *res = NULL;
	int present;

	if (db_exec(conn, "backup table present", sql_regclass, 1, &table,
		    PGRES_TUPLES_OK, &res, err) != MSP_OK)
		return -1;
	present = strcmp(db_text(res, 0, "present"), "t") == 0;
	PQclear(res);
	return present;
}

enum msp_status
backup_state(PGconn *conn, json_object **out, struct msp_error *err)
{
	static const struct {
		const char *key, *table, *sql;
	} ledgers[] = {
		{ "schema_migrations", "msp_meta.schema_migrations",
		  sql_schema_ledger },
		{ "function_loads", "msp_meta.function_loads",
		  sql_function_ledger },
		{ "reference_loads", "msp_meta.reference_loads",
		  sql_reference_ledger },
	};
	json_object *state = json_object_new_object();
	json_object *lg = json_object_new_object(), *v = NULL;
	enum msp_status st = MSP_OK;
	size_t i;
	int present;

	*out = NULL;
	json_object_object_add(state, "ledgers", lg);
	for (i = 0; i < sizeof(ledgers) / sizeof(ledgers[0]); i++) {
		present = table_present(conn, ledgers[i].table, err);
		if (present < 0) {
			st = MSP_EDB;
			goto out;
		}
		if (!present) {
			json_object_object_add(lg, ledgers[i].key,
					       json_object_new_array());
			continue;
		}
		st = query_json(conn, ledgers[i].table, ledgers[i].sql, &v,
				err);
		if (st != MSP_OK)
			goto out;
		json_object_object_add(lg, ledgers[i].key, v);
	}
	st = query_json(conn, "backup row counts", sql_counts, &v, err);
	if (st != MSP_OK)
		goto out;
	json_object_object_add(state, "tables", v);
	*out = state;
	state = NULL;
out:
	json_object_put(state);
	return st;
}

enum msp_status
backup_roles(PGconn *conn, json_object **out, struct msp_error *err)
{
	return query_json(conn, "backup roles", sql_roles, out, err);
}

int
backup_schema_version(json_object *state)
{
	json_object *lg, *list, *last, *v;
	size_t n;

	if (!json_object_object_get_ex(state, "ledgers", &lg) ||
	    !json_object_object_get_ex(lg, "schema_migrations", &list) ||
	    !json_object_is_type(list, json_type_array))
		return 0;
	n = json_object_array_length(list);
	if (n == 0)
		return 0;
	last = json_object_array_get_idx(list, n - 1);	/* by version */
	if (!json_object_object_get_ex(last, "version", &v))
		return 0;
	return json_object_get_int(v);
}

enum msp_status
backup_check_empty(PGconn *conn, struct msp_error *err)
{
	PGresult *res = NULL;
	long long schemas, relations, functions;

	if (db_exec(conn, "backup target empty", sql_user_objects, 0, NULL,
		    PGRES_TUPLES_OK, &res, err) != MSP_OK)
		return MSP_EDB;
	schemas = db_int(res, 0, "schemas");
	relations = db_int(res, 0, "relations");
	functions = db_int(res, 0, "functions");
	PQclear(res);
	if (schemas + relations + functions == 0)
		return MSP_OK;
	return msp_error_set(err, MSP_ECONFLICT,
			     "la base cible n'est pas vide (%lld schéma(s), "
			     "%lld relation(s) et %lld fonction(s) dans "
			     "public) : une restauration se fait dans une "
			     "base neuve (createdb)", schemas, relations,
			     functions);
}

/* Runs the statement text a format() query returned. */
static enum msp_status
exec_formatted(PGconn *conn, const char *what, const char *sql,
	       int n, const char *const *params, struct msp_error *err)
{
	PGresult *res = NULL;
	enum msp_status st;

	st = db_exec(conn, what, sql, n, params, PGRES_TUPLES_OK, &res, err);
	if (st != MSP_OK)
		return st;
	st = db_exec(conn, what, db_text(res, 0, "s"), 0, NULL,
		     PGRES_COMMAND_OK, NULL, err);
	PQclear(res);
	return st;
}

static const char *
bool_text(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) &&
	       json_object_get_boolean(v) ? "true" : "false";
}

static enum msp_status
create_role(PGconn *conn, json_object *role, FILE *progress,
	    struct msp_error *err)
{
	json_object *v;
	const char *name, *p[4];
	PGresult *res = NULL;
	int exists;

	if (!json_object_object_get_ex(role, "name", &v) ||
	    !json_object_is_type(v, json_type_string))
		return msp_error_set(err, MSP_EINVAL,
				     "manifest : rôle sans nom");
	name = json_object_get_string(v);
	if (db_exec(conn, "backup role exists", sql_role_exists, 1, &name,
		    PGRES_TUPLES_OK, &res, err) != MSP_OK)
		return MSP_EDB;
	exists = db_int(res, 0, "n") > 0;
	PQclear(res);
	if (exists)
		return MSP_OK;	/* the operator's, as it is */
	p[0] = name;
	p[1] = bool_text(role, "login");
	p[2] = bool_text(role, "inherit");
	p[3] = bool_text(role, "bypassrls");
	if (exec_formatted(conn, "backup create role", sql_create_role, 4, p,
			   err) != MSP_OK)
		return MSP_EDB;
	if (progress != NULL)
		fprintf(progress, "rôle %s créé%s\n", name,
			strcmp(p[1], "true") == 0 ?
			" (connexion sans mot de passe : à lui donner)" : "");
	return MSP_OK;
}

/*
 * ALTER ROLE role IN DATABASE (this one) SET name to value, value as
 * pg_db_role_setting holds it (sql_setting_local says how), in a
 * transaction of its own: the restoring session's own setting is
 * changed only until its COMMIT.  Called outside a transaction.  Fails
 * (MSP_EDB, err) when the server refuses the value or the setting
 * (one this login may not set), and then rolls back.
 */
static enum msp_status
role_setting(PGconn *conn, const char *role, const char *name,
	     const char *value, struct msp_error *err)
{
	const char *local[2] = { name, value }, *alter[2] = { role, name };
	enum msp_status st;

	st = db_exec(conn, "backup role setting: begin", "BEGIN", 0, NULL,
		     PGRES_COMMAND_OK, NULL, err);
	if (st != MSP_OK)
		return st;
	st = db_exec(conn, "backup role setting: value", sql_setting_local,
		     2, local, PGRES_TUPLES_OK, NULL, err);
	if (st == MSP_OK)
		st = exec_formatted(conn, "backup role setting",
				    sql_role_setting, 2, alter, err);
	if (st == MSP_OK)
		return db_exec(conn, "backup role setting: commit", "COMMIT",
			       0, NULL, PGRES_COMMAND_OK, NULL, err);
	db_exec(conn, "backup role setting: rollback", "ROLLBACK", 0, NULL,
		PGRES_COMMAND_OK, NULL, NULL);
	return st;
}

/* The memberships and settings of one role (all roles exist now). */
static enum msp_status
role_links(PGconn *conn, json_object *role, struct msp_error *err)
{
	json_object *name, *list;
	const char *grant[2], *rolname, *s, *eq;
	size_t i, n;
	char key[128];

	json_object_object_get_ex(role, "name", &name);
	grant[1] = rolname = json_object_get_string(name);
	if (json_object_object_get_ex(role, "member_of", &list) &&
	    json_object_is_type(list, json_type_array)) {
		n = json_object_array_length(list);
		for (i = 0; i < n; i++) {
			grant[0] = json_object_get_string(
				json_object_array_get_idx(list, i));
			if (exec_formatted(conn, "backup grant role",
					   sql_grant_role, 2, grant, err) !=
			    MSP_OK)
				return MSP_EDB;
		}
	}
	if (!json_object_object_get_ex(role, "settings", &list) ||
	    !json_object_is_type(list, json_type_array))
		return MSP_OK;
	n = json_object_array_length(list);
	for (i = 0; i < n; i++) {
		/* pg_db_role_setting's "name=value" */
		s = json_object_get_string(json_object_array_get_idx(list, i));
		eq = s != NULL ? strchr(s, '=') : NULL;
		if (eq == NULL || (size_t)(eq - s) >= sizeof(key))
			return msp_error_set(err, MSP_EINVAL,
					     "manifest : réglage de rôle "
					     "illisible");
		memcpy(key, s, (size_t)(eq - s));
		key[eq - s] = '\0';
		if (role_setting(conn, rolname, key, eq + 1, err) != MSP_OK)
			return MSP_EDB;
	}
	return MSP_OK;
}

enum msp_status
backup_create_roles(PGconn *conn, json_object *roles, FILE *progress,
		    struct msp_error *err)
{
	size_t i, n;
	enum msp_status st;

	if (!json_object_is_type(roles, json_type_array))
		return msp_error_set(err, MSP_EINVAL,
				     "manifest : « roles » n'est pas une "
				     "liste");
	n = json_object_array_length(roles);
	for (i = 0; i < n; i++) {
		st = create_role(conn, json_object_array_get_idx(roles, i),
				 progress, err);
		if (st != MSP_OK)
			return st;
	}
	for (i = 0; i < n; i++) {
		st = role_links(conn, json_object_array_get_idx(roles, i),
				err);
		if (st != MSP_OK)
			return st;
	}
	return MSP_OK;
}

enum msp_status
backup_compare(json_object *want, json_object *state, struct msp_error *err)
{
	json_object *wl, *sl, *wt, *st, *v;
	static const char *const keys[] = {
		"schema_migrations", "function_loads", "reference_loads",
	};
	size_t i;

	if (!json_object_object_get_ex(want, "ledgers", &wl) ||
	    !json_object_object_get_ex(want, "tables", &wt) ||
	    !json_object_is_type(wt, json_type_object))
		return msp_error_set(err, MSP_EINVAL, "manifest : ni "
				     "« ledgers » ni « tables »");
	json_object_object_get_ex(state, "ledgers", &sl);
	json_object_object_get_ex(state, "tables", &st);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_object *a = NULL, *b = NULL;

		json_object_object_get_ex(wl, keys[i], &a);
		json_object_object_get_ex(sl, keys[i], &b);
		if (!json_object_equal(a, b))
			return msp_error_set(err, MSP_ECONFLICT,
					     "le registre msp_meta.%s restauré "
					     "diffère de celui du manifeste",
					     keys[i]);
	}
	json_object_object_foreach(wt, name, count) {
		if (!json_object_object_get_ex(st, name, &v))
			return msp_error_set(err, MSP_ECONFLICT,
					     "la table %s manque après la "
					     "restauration", name);
		if (json_object_get_int64(v) != json_object_get_int64(count))
			return msp_error_set(err, MSP_ECONFLICT,
					     "la table %s a %lld ligne(s) "
					     "après la restauration, %lld "
					     "dans la sauvegarde", name,
					     (long long)json_object_get_int64(
						     v),
					     (long long)json_object_get_int64(
						     count));
	}
	if (json_object_object_length(st) != json_object_object_length(wt))
		return msp_error_set(err, MSP_ECONFLICT,
				     "la base restaurée a %d table(s), la "
				     "sauvegarde %d",
				     json_object_object_length(st),
				     json_object_object_length(wt));
	return MSP_OK;
}

enum msp_status
backup_sha256_file(const char *path, char hex[CRYPTO_SHA256_HEX],
		   long long *bytes, struct msp_error *err)
{
	unsigned char md[EVP_MAX_MD_SIZE], chunk[65536];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = NULL;
	enum msp_status st = MSP_EIO;
	long long total = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return msp_error_set(err, MSP_EIO, "%s : %s", path,
				     strerror(errno));
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		msp_error_set(err, MSP_ENOMEM, "SHA-256 : initialisation");
		st = MSP_ENOMEM;
		goto out;
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			msp_error_set(err, MSP_EIO, "%s : %s", path,
				      strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		total += n;
		if (EVP_DigestUpdate(ctx, chunk, (size_t)n) != 1) {
			msp_error_set(err, MSP_EIO, "SHA-256 de %s", path);
			goto out;
		}
	}
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 ||
	    mdlen != CRYPTO_SHA256_LEN) {
		msp_error_set(err, MSP_EIO, "SHA-256 de %s", path);
		goto out;
	}
	crypto_hex(md, mdlen, hex);
	if (bytes != NULL)
		*bytes = total;
	st = MSP_OK;
out:
	EVP_MD_CTX_free(ctx);
	close(fd);
	return st;
}

/* The program's path: see backup_run_tool(). */
static void
tool_path(const char *tool, int major, char *out, size_t size)
{
	const char *dir = getenv("MSP_PG_BINDIR");

	if (dir != NULL && *dir != '\0') {
		snprintf(out, size, "%s/%s", dir, tool);
		return;
	}
	snprintf(out, size, "/usr/lib/postgresql/%d/bin/%s", major, tool);
	if (access(out, X_OK) != 0)
		snprintf(out, size, "%s", tool);	/* PATH's */
}

/*
 * A passfile line matching every host, port, database and user
 * (docs: libpq-pgpass): ':' and '\' in the password escaped.  Returns
 * the open descriptor's path in path (unlinked by the caller), or -1.
 */
static int
write_passfile(const char *password, char *path, size_t size,
	       struct msp_error *err)
{
	const char *tmp = getenv("TMPDIR");
	struct buf line = BUF_INIT_SECRET(BUF_MAX_TEXT);
	const char *p;
	ssize_t w;
	int fd;

	snprintf(path, size, "%s/msp-pgpass.XXXXXX",
		 tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	fd = mkstemp(path);	/* mode 0600 */
	if (fd < 0) {
		msp_error_set(err, MSP_EIO, "fichier de mot de passe : %s",
			      strerror(errno));
		return -1;
	}
	buf_puts(&line, "*:*:*:*:");
	for (p = password; *p != '\0'; p++) {
		if (*p == ':' || *p == '\\')
			buf_putc(&line, '\\');
		buf_putc(&line, *p);
	}
	buf_putc(&line, '\n');
	w = line.failed ? -1 : write(fd, line.data, line.len);
	buf_free(&line);	/* cleansed: a secret buffer */
	close(fd);
	if (w < 0) {
		unlink(path);
		msp_error_set(err, MSP_EIO, "fichier de mot de passe : %s",
			      strerror(errno));
		return -1;
	}
	return 0;
}

/* In the child: conninfo's parameters as their PG* variables. */
static void
set_connection_env(PQconninfoOption *opts, const char *passfile)
{
	PQconninfoOption *o;

	for (o = opts; o != NULL && o->keyword != NULL; o++) {
		if (o->val == NULL || o->envvar == NULL)
			continue;
		if (strcmp(o->keyword, "password") == 0)
			continue;	/* in the passfile */
		setenv(o->envvar, o->val, 1);
	}
	if (passfile != NULL)
		setenv("PGPASSFILE", passfile, 1);
}

enum msp_status
backup_run_tool(const char *conninfo, int server_major, const char *tool,
		char *const argv[], struct buf *capture,
		struct msp_error *err)
{
	PQconninfoOption *opts = NULL, *o;
	char path[4096], passfile[4096], chunk[4096], *errmsg = NULL;
	const char *password = NULL;
	int pipefd[2] = { -1, -1 }, status = 0, have_passfile = 0;
	enum msp_status st = MSP_EIO;
	ssize_t n;
	pid_t pid;

	opts = PQconninfoParse(conninfo, &errmsg);
	if (opts == NULL) {
		msp_error_set(err, MSP_EINVAL, "connexion illisible : %s",
			      errmsg != NULL ? errmsg : "mémoire épuisée");
		PQfreemem(errmsg);
		return MSP_EINVAL;
	}
	for (o = opts; o->keyword != NULL; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL)
			password = o->val;
	if (password != NULL) {
		if (write_passfile(password, passfile, sizeof(passfile),
				   err) != 0)
			goto out;
		have_passfile = 1;
	}
	tool_path(tool, server_major, path, sizeof(path));
	if (capture != NULL && pipe(pipefd) != 0) {
		msp_error_set(err, MSP_EIO, "pipe : %s", strerror(errno));
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		msp_error_set(err, MSP_EIO, "fork : %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		if (capture != NULL) {
			dup2(pipefd[1], STDOUT_FILENO);
			close(pipefd[0]);
			close(pipefd[1]);
		}
		set_connection_env(opts, have_passfile ? passfile : NULL);
		if (strchr(path, '/') != NULL)
			execv(path, argv);
		else
			execvp(path, argv);
		fprintf(stderr, "msp-report: %s : %s\n", path,
			strerror(errno));
		_exit(127);
	}
	if (capture != NULL) {
		close(pipefd[1]);
		pipefd[1] = -1;
		while ((n = read(pipefd[0], chunk, sizeof(chunk))) != 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				break;
			buf_append(capture, chunk, (size_t)n);
		}
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		continue;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		msp_error_set(err, MSP_EIO, "%s a échoué (statut %d)", path,
			      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		goto out;
	}
	st = MSP_OK;
out:
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	if (have_passfile)
		unlink(passfile);
	PQconninfoFree(opts);	/* the password: libpq's to free */
	return st;
}
