#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db.h"
#include "pseudonym.h"
#include "secret.h"
#include "settings.h"
#include "slug.h"
#include "utf8.h"

PGconn *
cli_connect(const struct cli_context *ctx)
{
	struct msp_error err;
	PGconn *conn = NULL;
	const char *url = ctx->database != NULL ? ctx->database :
			  settings_database_url();

	if (db_connect(url, NULL, &conn, &err) != MSP_OK)
		cli_fail(&err);
	return conn;
}

PGconn *
cli_connect_reports(const struct cli_context *ctx)
{
	struct cli_context reports = *ctx;

	if (reports.database == NULL)
		reports.database = settings_report_database_url();
	return cli_connect(&reports);
}

/*
 * For a database that only reads (25006) or was busy (db_classify's
 * DB_BUSY: a timeout, a hot standby's conflict with recovery, 40001):
 * the French sentence after "msp-report[ COMMAND]: ", the server's
 * message under it; returns 1.  0, printing nothing, for any other
 * error.
 */
static int
say_unavailable(const char *command, const struct msp_error *err)
{
	const char *sep = command != NULL ? " " : "";

	if (err->status != MSP_EDB)
		return 0;
	if (command == NULL)
		command = "";
	if (strcmp(err->sqlstate, "25006") == 0) {
		/* a write that reached a read-only server: not busy,
		 * another server's work */
		fprintf(stderr, "msp-report%s%s: ce serveur n'accepte que des "
			"lectures (un serveur secondaire ?) : rien n'a été "
			"écrit ; ce qui écrit va au serveur principal "
			"(MSP_DATABASE_URL)\n(%s)\n", sep, command,
			err->message);
		return 1;
	}
	if (db_classify(err->sqlstate) != DB_BUSY)
		return 0;
	/* 40001 on a hot standby: the primary's cleaning or a lock
	 * needed what the statement was reading; the same command a
	 * moment later reads a newer copy */
	fprintf(stderr, "msp-report%s%s: la base de données est occupée%s : "
		"rien n'a été fait, relancez la commande dans un moment\n"
		"(%s)\n", sep, command, strcmp(err->sqlstate, "40001") == 0 ?
		" (conflit avec la réplication sur le serveur secondaire)" :
		"", err->message);
	return 1;
}

int
cli_fail(const struct msp_error *err)
{
	if (say_unavailable(NULL, err))
		return 1;
	fprintf(stderr, "msp-report: %s\n", err->message);
	return 1;
}

int
cli_usage_error(const char *command, const char *what, const char *arg)
{
	fprintf(stderr, "msp-report %s: %s", command, what);
	if (arg != NULL)
		fprintf(stderr, " '%s'", arg);
	fprintf(stderr, "\nVoir « msp-report %s --help ».\n", command);
	return 2;
}

static int
is_help(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

int
cli_action_help(int argc, char **argv, const char *usage)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (is_help(argv[1]) || (argc >= 3 && is_help(argv[2]))) {
		fputs(usage, stdout);
		return 0;
	}
	return -1;
}

const char *
cli_token(void)
{
	const char *token = getenv("MSP_TOKEN");

	return token != NULL && token[0] != '\0' ? token : NULL;
}

int
cli_pseudonym(PGconn *conn, const char *identifier,
	      char out[CRYPTO_SHA256_HEX])
{
	struct secret secret;
	struct msp_error err;
	enum msp_status st;

	st = secret_load(settings_secret_file(), &secret, &err);
	if (st == MSP_OK) {
		st = pseudonym_find(conn, &secret, identifier, out, &err);
		secret_clear(&secret);
	}
	return st == MSP_OK ? 0 : cli_fail(&err);
}

int
cli_begin(PGconn *conn, const char *command, enum tenant_kind *kind)
{
	const char *token = cli_token();
	struct msp_error err;

	*kind = TENANT_NONE;
	if (db_exec(conn, "begin", "BEGIN", 0, NULL, PGRES_COMMAND_OK, NULL,
		    &err) != MSP_OK)
		return cli_fail(&err);
	if (token != NULL && tenant_enter(conn, token, kind, &err) != MSP_OK) {
		cli_rollback(conn);
		fprintf(stderr, "msp-report %s: %s\n", command,
			err.status == MSP_EACCESS ?
			"jeton MSP_TOKEN inconnu ou révoqué" : err.message);
		return 1;
	}
	return 0;
}

int
cli_require_manager(PGconn *conn, const char *command, enum tenant_kind kind)
{
	struct msp_error err;
	PGresult *res = NULL;
	int owner;

	if (kind == TENANT_ANALYST)
		return 0;
	if (kind != TENANT_NONE) {
		fprintf(stderr, "msp-report %s: refusé : un jeton « %s » ne "
			"peut pas faire cela ; il faut le propriétaire de la "
			"base ou un jeton d'analyste (MSP_TOKEN)\n", command,
			tenant_kind_name(kind));
		return 1;
	}
	/* No token: only the owner of schema msp (or a member of that
	 * role) speaks for itself; a login that merely has the analyst
	 * role, as msp_worker has through msp_app, does not. */
	if (db_exec(conn, "schema owner",
		    "SELECT pg_catalog.pg_has_role(session_user, n.nspowner,"
		    "       'MEMBER') AS owner"
		    "  FROM pg_catalog.pg_namespace n WHERE n.nspname = 'msp'",
		    0, NULL, PGRES_TUPLES_OK, &res, &err) != MSP_OK)
		return cli_fail(&err);
	owner = PQntuples(res) == 1 &&
		strcmp(db_text(res, 0, "owner"), "t") == 0;
	PQclear(res);
	if (owner)
		return 0;
	fprintf(stderr, "msp-report %s: refusé : sans jeton, il faut être "
		"le propriétaire de la base ; sinon, un jeton d'analyste "
		"(MSP_TOKEN)\n", command);
	return 1;
}

int
cli_commit(PGconn *conn)
{
	struct msp_error err;

	if (db_exec(conn, "commit", "COMMIT", 0, NULL, PGRES_COMMAND_OK, NULL,
		    &err) != MSP_OK)
		return cli_fail(&err);
	return 0;
}

void
cli_rollback(PGconn *conn)
{
	PGresult *res = PQexec(conn, "ROLLBACK");

	PQclear(res);
}

int
cli_db_refusal(const char *command, const struct msp_error *err)
{
	const char *own;

	if (say_unavailable(command, err))
		return 1;
	if (db_classify(err->sqlstate) == DB_DENIED) {
		fprintf(stderr, "msp-report %s: refusé par la base : ce jeton "
			"n'a pas le droit de faire cela\n", command);
		return 1;
	}
	/* The project's own refusals (SQLSTATE class MSP, raised by its
	 * functions in French for people): the sentence alone, without
	 * the statement's name and the severity before it. */
	own = strncmp(err->sqlstate, "MSP", 3) == 0 ?
	      strstr(err->message, "ERROR: ") : NULL;
	fprintf(stderr, "msp-report %s: %s\n", command,
		own != NULL ? own + strlen("ERROR: ") : err->message);
	return 1;
}

int
cli_valid_slug(const char *s)
{
	return slug_valid(s);
}

int
cli_valid_name(const char *s, size_t max_chars)
{
	size_t n = strlen(s), i;
	int blank = 1;

	if (utf8_valid_prefix(s, n) != n || utf8_length(s) > max_chars)
		return 0;
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
		if (s[i] != ' ')
			blank = 0;
	}
	return !blank;
}

int
cli_parse_date(const char *s, char out[11])
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
				     30, 31 };
	int y, m, d, i;

	/* digits and dashes where they belong, before sscanf: its %2d
	 * would take a sign or a blank ("2024-+1-01", "2024- 1-01") */
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return 0;
	if (sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return 0;
	if (y < 2000 || y > 2100 || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1])
		return 0;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) ||
				   y % 400 == 0))
		return 0;
	memcpy(out, s, 11);
	return 1;
}

/* The characters of a UTF-8 string: its bytes that do not continue
 * a sequence (db text is valid UTF-8: the server's encoding). */
static size_t
display_width(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static const char *
table_cell(const PGresult *res, int row, const struct cli_column *col)
{
	int c = PQfnumber(res, col->field);

	return c < 0 ? "" : PQgetvalue(res, row, c);
}

/* One line: each cell padded to its column's width. */
static void
table_line(const struct cli_column *cols, size_t n_cols,
	   const size_t *width, const PGresult *res, int row)
{
	size_t j, w, pad;

	for (j = 0; j < n_cols; j++) {
		const char *v = row < 0 ? cols[j].header :
				table_cell(res, row, &cols[j]);

		w = display_width(v);
		pad = w < width[j] ? width[j] - w : 0;
		if (j > 0)
			fputs("  ", stdout);
		if (cols[j].number)
			printf("%*s", (int)pad, "");
		fputs(v, stdout);
		if (!cols[j].number && j + 1 < n_cols)
			printf("%*s", (int)pad, "");
	}
	putchar('\n');
}

void
cli_print_table(const PGresult *res, const struct cli_column *cols,
		size_t n_cols)
{
	size_t width[16], j, w;
	int i, n = PQntuples(res);

	if (n_cols > sizeof(width) / sizeof(width[0]))
		n_cols = sizeof(width) / sizeof(width[0]);
	for (j = 0; j < n_cols; j++) {
		width[j] = display_width(cols[j].header);
		for (i = 0; i < n; i++) {
			w = display_width(table_cell(res, i, &cols[j]));
			if (w > width[j])
				width[j] = w;
		}
	}
	table_line(cols, n_cols, width, res, -1);
	for (i = 0; i < n; i++)
		table_line(cols, n_cols, width, res, i);
}
