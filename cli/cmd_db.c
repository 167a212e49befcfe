/*
 * msp-report db — schema migrations and reference data.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "db.h"
#include "migrate.h"
#include "settings.h"

static const char db_usage[] =
"Usage: msp-report db migrate [--dir DIR] [--functions FDIR] [--quiet]\n"
"       msp-report db status [--dir DIR] [--functions FDIR]\n"
"       msp-report db load-reference [--dir DIR] [--quiet]\n"
"\n"
"migrate  applies, in version order, each migration NNNN_name.sql of DIR\n"
"         that the database lacks, then each function file NAME.sql of\n"
"         FDIR that is new or changed since it was applied, in name\n"
"         order, and checks the bodies of all functions: all in ONE\n"
"         transaction, recorded in msp_meta.schema_migrations and\n"
"         msp_meta.function_loads (docs/schema.md).  Re-running is a\n"
"         no-op.  On any failure, named with the file, its line and\n"
"         the PostgreSQL error, everything is rolled back: the database\n"
"         stays as it was.  A migration edited after it was applied is\n"
"         refused.\n"
"status   lists applied migrations and function files (with their\n"
"         time) and pending ones; exits 0 when none is pending, 3\n"
"         otherwise.\n"
"load-reference\n"
"         loads the reference data (regions, federations, instruments,\n"
"         the source studies) the same way: each file NNNN_name.sql of\n"
"         DIR once, in order, in its own transaction, recorded in\n"
"         msp_meta.reference_loads.  Refused while migrations or\n"
"         function files are pending.  Then protects each closed\n"
"         source study that has no protection plan that holds, as\n"
"         msp-report disclosure-protect does: what a federation reads\n"
"         of it is its stored release (a few seconds each).\n"
"\n"
"  --dir DIR   the files (default: $MSP_MIGRATIONS_DIR or\n"
"              $MSP_REFERENCE_DIR, else the installed\n"
"              " MSP_MIGRATIONS_DIR "\n"
"              or " MSP_REFERENCE_DIR ")\n"
"  --functions FDIR  the function files (default: $MSP_FUNCTIONS_DIR,\n"
"              else DIR/../functions when DIR is given or\n"
"              $MSP_MIGRATIONS_DIR is set, else the installed\n"
"              " MSP_FUNCTIONS_DIR ")\n"
"  -q, --quiet  print nothing on success\n";

/*
 * Applies the pending files of dir to ledger, adding their number to
 * *n; returns the exit status.
 */
static int
apply(PGconn *conn, enum migrate_ledger ledger, const char *dir, int quiet,
      int *n)
{
	struct msp_error err;
	int applied = 0;

	if (migrate_apply(conn, ledger, dir, quiet ? NULL : stdout, &applied,
			  &err) != MSP_OK)
		return cli_fail(&err);
	*n += applied;
	return 0;
}

/*
 * Protects each closed source study (reference data 0009) whose plan
 * does not hold (msp.disclosure_plan_status 'missing' or 'stale'), as
 * msp-report study close does: a federation reads a study's stored
 * releases only (docs/report.md, "Stored releases").  A study already
 * protected, or reopened by a test, is left alone, so that loading
 * again stays a no-op.  Returns 0, or 1 after printing why.
 */
static int
protect_reference(PGconn *conn, int quiet)
{
	PGresult *res = NULL;
	struct msp_error err;
	int i, rc = 0;

	if (db_exec(conn, "db load-reference: studies to protect",
		    "SELECT slug FROM msp.study"
		    " WHERE slug IN ('pdl-2019', 'occitanie-2024')"
		    "   AND msp.disclosure_plan_status(study_id)"
		    "       IN ('missing', 'stale')"
		    " ORDER BY slug",
		    0, NULL, PGRES_TUPLES_OK, &res, &err) != MSP_OK)
		return cli_fail(&err);
	for (i = 0; i < PQntuples(res) && rc == 0; i++) {
		fflush(stdout);
		rc = cli_protect(conn, "db load-reference",
				 PQgetvalue(res, i, 0), 0, quiet, 0);
	}
	PQclear(res);
	return rc;
}

/*
 * The pending migrations and function files; with out, their status
 * lines under a heading each.  Returns MSP_OK or the first error.
 */
static enum msp_status
schema_status(PGconn *conn, const char *dir, const char *fdir, FILE *out,
	      int *pending, struct msp_error *err)
{
	enum msp_status st;
	int n = 0, f = 0;

	if (out != NULL)
		fprintf(out, "migrations (%s)\n", dir);
	st = migrate_status(conn, MIGRATE_SCHEMA, dir, out, &n, err);
	if (st != MSP_OK)
		return st;
	if (out != NULL)
		fprintf(out, "functions (%s)\n", fdir);
	st = migrate_status(conn, MIGRATE_FUNCTIONS, fdir, out, &f, err);
	*pending = n + f;
	return st;
}

int
cmd_db(const struct cli_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'D' },
		{ "functions", required_argument, NULL, 'F' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *fdir = NULL;
	static char sibling[4096];
	const char *action;
	struct msp_error err;
	PGconn *conn = NULL;
	int c, quiet = 0, n = 0, rc = 1;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(db_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	action = argv[1];
	if (strcmp(action, "migrate") != 0 && strcmp(action, "status") != 0 &&
	    strcmp(action, "load-reference") != 0) {
		fprintf(stderr, "msp-report db: unknown action '%s'\n%s",
			action, db_usage);
		return 2;
	}
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "qh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'D':
			dir = optarg;
			break;
		case 'F':
			fdir = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			fputs(db_usage, stdout);
			return 0;
		default:
			fputs(db_usage, stderr);
			return 2;
		}
	}
	if (optind < argc - 1) {
		fprintf(stderr, "msp-report db %s: unexpected argument '%s'\n",
			action, argv[optind + 1]);
		return 2;
	}
	/* The functions that go with DIR's migrations are beside them. */
	if (fdir == NULL && dir != NULL && strcmp(action, "load-reference")) {
		int len = snprintf(sibling, sizeof(sibling),
				   "%s/../functions", dir);

		if (len < 0 || (size_t)len >= sizeof(sibling)) {
			fprintf(stderr, "msp-report db: --dir is too long\n");
			return 2;
		}
		fdir = sibling;
	}
	if (fdir == NULL)
		fdir = settings_functions_dir();
	conn = cli_connect(ctx);
	if (conn == NULL)
		goto out;
	if (strcmp(action, "status") == 0) {
		if (schema_status(conn,
				  dir != NULL ? dir : settings_migrations_dir(),
				  fdir, stdout, &n, &err) != MSP_OK) {
			rc = cli_fail(&err);
			goto out;
		}
		rc = n == 0 ? 0 : 3;
	} else if (strcmp(action, "migrate") == 0) {
		if (dir == NULL)
			dir = settings_migrations_dir();
		if (migrate_schema(conn, dir, fdir, quiet ? NULL : stdout, &n,
				   &err) != MSP_OK) {
			rc = cli_fail(&err);
			/* A file that COMMITs itself (MSP_EINVAL) made
			 * durable what came before it. */
			if (err.status != MSP_EINVAL)
				fputs("msp-report: rien n'a été appliqué, la "
				      "base est restée telle qu'elle était\n",
				      stderr);
			goto out;
		}
		rc = 0;
		if (!quiet && n == 0)
			puts("database is up to date");
	} else {
		/* Reference data is written for the current schema. */
		if (schema_status(conn, settings_migrations_dir(), fdir, NULL,
				  &n, &err) != MSP_OK) {
			rc = cli_fail(&err);
			goto out;
		}
		if (n > 0) {
			fprintf(stderr, "msp-report: %d schema migration%s or "
				"function file%s pending; run 'msp-report db "
				"migrate' first\n",
				n, n == 1 ? "" : "s", n == 1 ? " is" : "s are");
			goto out;
		}
		rc = apply(conn, MIGRATE_REFERENCE,
			   dir != NULL ? dir : settings_reference_dir(), quiet,
			   &n);
		if (rc == 0 && !quiet && n == 0)
			puts("reference data is up to date");
		if (rc == 0)
			rc = protect_reference(conn, quiet);
	}
out:
	PQfinish(conn);
	return rc;
}
