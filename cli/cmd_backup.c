/*
 * msp-report backup / restore — a consistent dump of the database with
 * a manifest that says what it must give back (lib/backup.h,
 * docs/operations.md).
 *
 * backup: one REPEATABLE READ transaction exports its snapshot; the
 * ledgers, the row counts and the roles are read in it, and pg_dump
 * dumps that same snapshot (--snapshot), so the manifest describes the
 * dump exactly, whatever the workers write meanwhile.
 *
 * restore: nothing touches the target before the dump's SHA-256 matched
 * the manifest and the schema is one these programs know; the target
 * must be empty; pg_restore runs in one transaction; then the ledgers
 * and every table's count are read back and compared with the
 * manifest.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "backup.h"
#include "cli.h"
#include "db.h"
#include "file.h"
#include "jsonin.h"
#include "schema_version.h"
#include "settings.h"

static const char backup_usage[] =
"Usage: msp-report backup -o DIR\n"
"Backs the database up into DIR (created, mode 0700; it must not exist\n"
"or be empty): DIR/msp.dump, a pg_dump archive (-Fc) made by the\n"
"pg_dump of the server's major version, and DIR/manifest.json: the\n"
"schema, function and reference ledgers, every table's row count, the\n"
"roles the database names, the pg_dump and server versions, the time,\n"
"and the dump's SHA-256.  The counts and the dump come from one\n"
"snapshot: the service may keep writing meanwhile.\n"
"\n"
"  -o, --output DIR   the backup's directory\n"
"  -h, --help         show this help and exit\n"
"\n"
"The connection is MSP_DATABASE_URL's (or --database), as the owner of\n"
"the schema or a superuser: the dump must see every row (row security\n"
"off).  It reaches pg_dump through its environment and a passfile of\n"
"mode 0600, never its command line.  MSP_PG_BINDIR names another\n"
"directory of PostgreSQL programs.  Progress goes to stderr.\n"
"\n"
"Exit status: 0 when the backup is complete, 1 on failure (DIR may\n"
"then hold a partial dump and no manifest), 2 on a usage error.\n";

static const char restore_usage[] =
"Usage: msp-report restore DIR\n"
"Restores a backup made by 'msp-report backup' into an EMPTY database\n"
"(MSP_DATABASE_URL, or --database; make it with createdb).  In order:\n"
"the dump's SHA-256 is checked against DIR/manifest.json (a corrupted\n"
"backup is refused, nothing restored); a backup from a newer schema\n"
"than these programs know is refused; a target that is not empty is\n"
"refused; the roles the backup names are created where missing\n"
"(logins without password: give them theirs); pg_restore runs in one\n"
"transaction; then the ledgers and every table's row count are read\n"
"back and compared with the manifest.\n"
"\n"
"  -h, --help   show this help and exit\n"
"\n"
"Erasures (msp-report erase) made after the backup was taken are not\n"
"in it and cannot be found again from it: apply them again (see\n"
"docs/operations.md).  Needs a superuser (the disclosure module's C\n"
"functions, the roles).  Progress goes to stderr.\n"
"\n"
"Exit status: 0 when the database is restored and matches the\n"
"manifest, 1 on failure, 2 on a usage error.\n";

static int
fail(const char *command, const struct msp_error *err)
{
	fprintf(stderr, "msp-report %s: %s\n", command, err->message);
	return 1;
}

/* The server's version number (150020) into *num; MSP_EDB. */
static enum msp_status
server_version(PGconn *conn, int *num, struct msp_error *err)
{
	PGresult *res = NULL;

	if (db_exec(conn, "server version",
		    "SELECT pg_catalog.current_setting('server_version_num')"
		    "::integer AS v", 0, NULL, PGRES_TUPLES_OK, &res,
		    err) != MSP_OK)
		return MSP_EDB;
	*num = (int)db_int(res, 0, "v");
	PQclear(res);
	return MSP_OK;
}

/* DIR made (0700) or found empty: 0, or 1 after saying why. */
static int
make_backup_dir(const char *dir)
{
	struct dirent *e;
	DIR *d;
	int empty = 1;

	if (mkdir(dir, 0700) == 0)
		return 0;
	if (errno != EEXIST || (d = opendir(dir)) == NULL) {
		fprintf(stderr, "msp-report backup: impossible de créer %s : "
			"%s\n", dir, strerror(errno));
		return 1;
	}
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	if (!empty) {
		fprintf(stderr, "msp-report backup: %s n'est pas vide : une "
			"sauvegarde va dans un répertoire neuf\n", dir);
		return 1;
	}
	return 0;
}

/* Writes o to DIR/manifest.json through a temporary file, synced, so
 * that a manifest exists only whole.  0, or 1 after saying why. */
static int
write_manifest(const char *dir, json_object *o)
{
	char path[4096], tmp[4200] = "";
	const char *text = json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t len = strlen(text), off = 0;
	ssize_t n;
	int fd = -1, rc = 1;

	if (snprintf(path, sizeof(path), "%s/%s", dir, BACKUP_MANIFEST) >=
	    (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		goto out;
	while (off < len) {
		n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto out;
		off += (size_t)n;
	}
	if (write(fd, "\n", 1) != 1 || fsync(fd) != 0)
		goto out;
	if (close(fd) != 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0) {
		fprintf(stderr, "msp-report backup: écriture de %s : %s\n",
			path, strerror(errno));
		unlink(tmp);
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

/* pg_dump's --version line, without its newline, into out. */
static enum msp_status
dump_version(const char *url, int major, char *out, size_t size,
	     struct msp_error *err)
{
	char *argv[] = { "pg_dump", "--version", NULL };
	struct buf b = BUF_INIT(4096);
	enum msp_status st;

	st = backup_run_tool(url, major, "pg_dump", argv, &b, err);
	if (st == MSP_OK)
		snprintf(out, size, "%.*s", (int)strcspn(buf_str(&b), "\n"),
			 buf_str(&b));
	buf_free(&b);
	return st;
}

static int
backup(const struct cli_context *ctx, const char *dir)
{
	const char *url = ctx->database != NULL ? ctx->database :
			  settings_database_url();
	json_object *manifest = NULL, *state = NULL, *roles = NULL, *dump;
	char dumppath[4096], snapopt[128], hex[CRYPTO_SHA256_HEX];
	char pgdump[256] = "", when[32];
	struct msp_error err;
	PGresult *res = NULL;
	PGconn *conn = NULL;
	long long bytes = 0;
	int rc = 1, vnum = 0;
	time_t now = time(NULL);
	struct tm tm;

	/* The dump holds every response: the operator's alone, whatever
	 * the directory it is later moved to. */
	umask(077);
	if (make_backup_dir(dir) != 0)
		return 1;
	conn = cli_connect(ctx);
	if (conn == NULL)
		return 1;
	if (server_version(conn, &vnum, &err) != MSP_OK ||
	    dump_version(url, vnum / 10000, pgdump, sizeof(pgdump),
			 &err) != MSP_OK)
		goto fail;
	/* The snapshot pg_dump will dump; row_security off: a count (and
	 * pg_dump, which sets it off too) fails rather than miss rows a
	 * policy would hide. */
	if (db_exec(conn, "begin", "BEGIN ISOLATION LEVEL REPEATABLE READ,"
		    " READ ONLY", 0, NULL, PGRES_COMMAND_OK, NULL,
		    &err) != MSP_OK ||
	    db_exec(conn, "row security", "SET LOCAL row_security = off", 0,
		    NULL, PGRES_COMMAND_OK, NULL, &err) != MSP_OK ||
	    db_exec(conn, "export snapshot",
		    "SELECT pg_catalog.pg_export_snapshot() AS s", 0, NULL,
		    PGRES_TUPLES_OK, &res, &err) != MSP_OK)
		goto fail;
	snprintf(snapopt, sizeof(snapopt), "--snapshot=%s",
		 db_text(res, 0, "s"));
	PQclear(res);
	res = NULL;
	fprintf(stderr, "msp-report backup: instantané %s, comptage des "
		"tables\n", snapopt + 11);
	if (backup_state(conn, &state, &err) != MSP_OK ||
	    backup_roles(conn, &roles, &err) != MSP_OK)
		goto fail;
	snprintf(dumppath, sizeof(dumppath), "%s/%s", dir, BACKUP_DUMP);
	fprintf(stderr, "msp-report backup: %s → %s\n", pgdump, dumppath);
	{
		char fileopt[4200];
		char *argv[] = { "pg_dump", "-Fc", "-w", snapopt, fileopt,
				 NULL };

		snprintf(fileopt, sizeof(fileopt), "--file=%s", dumppath);
		if (backup_run_tool(url, vnum / 10000, "pg_dump", argv, NULL,
				    &err) != MSP_OK)
			goto fail;
	}
	cli_rollback(conn);	/* read only: the snapshot is let go */
	if (backup_sha256_file(dumppath, hex, &bytes, &err) != MSP_OK)
		goto fail;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	manifest = json_object_new_object();
	json_object_object_add(manifest, "format",
			       json_object_new_string(BACKUP_FORMAT));
	json_object_object_add(manifest, "created",
			       json_object_new_string(when));
	json_object_object_add(manifest, "msp_version",
			       json_object_new_string(PACKAGE_VERSION));
	json_object_object_add(manifest, "schema_version",
			       json_object_new_int(
				       backup_schema_version(state)));
	json_object_object_add(manifest, "database",
			       json_object_new_string(PQdb(conn)));
	json_object_object_add(manifest, "server_version",
			       json_object_new_string(PQparameterStatus(
				       conn, "server_version")));
	json_object_object_add(manifest, "server_version_num",
			       json_object_new_int(vnum));
	json_object_object_add(manifest, "pg_dump_version",
			       json_object_new_string(pgdump));
	dump = json_object_new_object();
	json_object_object_add(dump, "file",
			       json_object_new_string(BACKUP_DUMP));
	json_object_object_add(dump, "bytes", json_object_new_int64(bytes));
	json_object_object_add(dump, "sha256", json_object_new_string(hex));
	json_object_object_add(manifest, "dump", dump);
	json_object_object_add(manifest, "ledgers",
			       json_object_get(json_object_object_get(
				       state, "ledgers")));
	json_object_object_add(manifest, "tables",
			       json_object_get(json_object_object_get(
				       state, "tables")));
	json_object_object_add(manifest, "roles", roles);
	roles = NULL;
	if (write_manifest(dir, manifest) != 0)
		goto out;
	fprintf(stderr, "msp-report backup: %d table(s), %lld octets, "
		"SHA-256 %s\n",
		json_object_object_length(json_object_object_get(state,
								 "tables")),
		bytes, hex);
	rc = 0;
	goto out;
fail:
	rc = fail("backup", &err);
out:
	PQclear(res);
	json_object_put(manifest);
	json_object_put(state);
	json_object_put(roles);
	PQfinish(conn);
	return rc;
}

/* The manifest of DIR into *out: 0, or 1 after saying why. */
static int
read_manifest(const char *dir, json_object **out)
{
	char path[4096], *text = NULL;
	struct msp_error err;
	json_object *format;
	size_t len;

	*out = NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, BACKUP_MANIFEST);
	if (file_read(path, BACKUP_MANIFEST_MAX, &text, &len, &err) !=
	    MSP_OK ||
	    jsonin_parse(text, len, out, &err) != MSP_OK) {
		free(text);
		fprintf(stderr, "msp-report restore: manifeste %s illisible : "
			"%s\n", path, err.message);
		return 1;
	}
	free(text);
	if (!json_object_object_get_ex(*out, "format", &format) ||
	    strcmp(json_object_get_string(format), BACKUP_FORMAT) != 0) {
		fprintf(stderr, "msp-report restore: %s n'est pas un manifeste "
			"de « %s »\n", path, BACKUP_FORMAT);
		json_object_put(*out);
		*out = NULL;
		return 1;
	}
	return 0;
}

/* The dump's SHA-256 against the manifest's: 0, or 1 after saying
 * why. */
static int
verify_dump(const char *dir, json_object *manifest, char *path,
	    size_t size)
{
	char hex[CRYPTO_SHA256_HEX];
	struct msp_error err;
	json_object *dump, *want;
	long long bytes;

	snprintf(path, size, "%s/%s", dir, BACKUP_DUMP);
	if (!json_object_object_get_ex(manifest, "dump", &dump) ||
	    !json_object_object_get_ex(dump, "sha256", &want)) {
		fputs("msp-report restore: le manifeste ne donne pas le "
		      "SHA-256 de la sauvegarde\n", stderr);
		return 1;
	}
	fprintf(stderr, "msp-report restore: vérification du SHA-256 de "
		"%s\n", path);
	if (backup_sha256_file(path, hex, &bytes, &err) != MSP_OK)
		return fail("restore", &err);
	if (strcmp(hex, json_object_get_string(want)) != 0) {
		fprintf(stderr, "msp-report restore: la sauvegarde est "
			"corrompue : le SHA-256 de %s (%s) n'est pas celui du "
			"manifeste (%s) ; rien n'a été restauré\n", path, hex,
			json_object_get_string(want));
		return 1;
	}
	return 0;
}

static int
restore(const struct cli_context *ctx, const char *dir)
{
	const char *url = ctx->database != NULL ? ctx->database :
			  settings_database_url();
	json_object *manifest = NULL, *state = NULL, *roles, *v;
	char dumppath[4096], dbopt[512];
	struct msp_error err;
	PGresult *res = NULL;
	PGconn *conn = NULL;
	int rc = 1, vnum = 0, version;

	if (read_manifest(dir, &manifest) != 0 ||
	    verify_dump(dir, manifest, dumppath, sizeof(dumppath)) != 0)
		goto out;
	version = json_object_object_get_ex(manifest, "schema_version", &v) ?
		  json_object_get_int(v) : 0;
	if (version > MSP_SCHEMA_VERSION) {
		fprintf(stderr, "msp-report restore: la sauvegarde vient d'un "
			"schéma plus récent (migration %04d) que celui de ces "
			"programmes (%04d) : restaurez-la avec la version qui "
			"l'a faite ; rien n'a été restauré\n", version,
			MSP_SCHEMA_VERSION);
		goto out;
	}
	conn = cli_connect(ctx);
	if (conn == NULL)
		goto out;
	if (backup_check_empty(conn, &err) != MSP_OK ||
	    server_version(conn, &vnum, &err) != MSP_OK)
		goto fail;
	if (!json_object_object_get_ex(manifest, "roles", &roles)) {
		fputs("msp-report restore: le manifeste n'a pas de « roles »\n",
		      stderr);
		goto out;
	}
	if (backup_create_roles(conn, roles, stderr, &err) != MSP_OK)
		goto fail;
	/* The database by name only: the rest of the connection, the
	 * password above all, goes through the environment. */
	if (strchr(PQdb(conn), '=') != NULL) {
		fputs("msp-report restore: nom de base inattendu\n", stderr);
		goto out;
	}
	snprintf(dbopt, sizeof(dbopt), "--dbname=%s", PQdb(conn));
	fprintf(stderr, "msp-report restore: pg_restore de %s dans %s\n",
		dumppath, PQdb(conn));
	{
		char *argv[] = { "pg_restore", "-w", "--exit-on-error",
				 "--single-transaction", dbopt, dumppath,
				 NULL };

		if (backup_run_tool(url, vnum / 10000, "pg_restore", argv,
				    NULL, &err) != MSP_OK)
			goto fail;
	}
	/* pg_restore leaves the planner without statistics */
	if (db_exec(conn, "analyze", "ANALYZE", 0, NULL, PGRES_COMMAND_OK,
		    NULL, &err) != MSP_OK ||
	    db_exec(conn, "begin", "BEGIN ISOLATION LEVEL REPEATABLE READ",
		    0, NULL, PGRES_COMMAND_OK, NULL, &err) != MSP_OK ||
	    db_exec(conn, "row security", "SET LOCAL row_security = off", 0,
		    NULL, PGRES_COMMAND_OK, NULL, &err) != MSP_OK ||
	    backup_state(conn, &state, &err) != MSP_OK)
		goto fail;
	cli_rollback(conn);
	if (backup_compare(manifest, state, &err) != MSP_OK)
		goto fail;
	fprintf(stderr, "msp-report restore: %d table(s) et les registres "
		"conformes au manifeste (sauvegarde du %s)\n",
		json_object_object_length(json_object_object_get(state,
								 "tables")),
		json_object_get_string(json_object_object_get(manifest,
							      "created")));
	fputs("msp-report restore: les effacements (msp-report erase) faits "
	      "après cette date ne sont pas dans la sauvegarde : refaites-les "
	      "(docs/operations.md)\n", stderr);
	rc = 0;
	goto out;
fail:
	rc = fail("restore", &err);
out:
	PQclear(res);
	json_object_put(manifest);
	json_object_put(state);
	PQfinish(conn);
	return rc;
}

/* -o DIR / DIR and --help, shared: returns -1 to go on, else the exit
 * status.  *dir gets the directory. */
static int
parse(int argc, char **argv, const char *command, const char *usage,
      int want_output, const char **dir)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*dir = NULL;
	optind = 1;
	while ((c = getopt_long(argc, argv, want_output ? "o:h" : "h",
				longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (!want_output)
				return cli_usage_error(command, "option",
						       "--output");
			*dir = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return cli_usage_error(command, "bad option", NULL);
		}
	}
	if (!want_output && optind + 1 == argc)
		*dir = argv[optind++];
	if (optind < argc)
		return cli_usage_error(command, "unexpected argument",
				       argv[optind]);
	if (*dir == NULL || **dir == '\0')
		return cli_usage_error(command, want_output ?
				       "missing -o DIR" : "missing DIR", NULL);
	return -1;
}

int
cmd_backup(const struct cli_context *ctx, int argc, char **argv)
{
	const char *dir;
	int rc = parse(argc, argv, "backup", backup_usage, 1, &dir);

	return rc >= 0 ? rc : backup(ctx, dir);
}

int
cmd_restore(const struct cli_context *ctx, int argc, char **argv)
{
	const char *dir;
	int rc = parse(argc, argv, "restore", restore_usage, 0, &dir);

	return rc >= 0 ? rc : restore(ctx, dir);
}
