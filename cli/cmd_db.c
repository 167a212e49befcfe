/*
 * msp-report db — schema migrations and reference data.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "migrate.h"
#include "settings.h"

static const char db_usage[] =
"Usage: msp-report db migrate [--dir DIR] [--quiet]\n"
"       msp-report db status [--dir DIR]\n"
"       msp-report db load-reference [--dir DIR] [--quiet]\n"
"\n"
"migrate  applies, in version order, each migration NNNN_name.sql of DIR\n"
"         that the database lacks, each in its own transaction, and\n"
"         records it in msp_meta.schema_migrations.  Re-running is a\n"
"         no-op.  A failing migration is rolled back and named with the\n"
"         PostgreSQL error; migrations before it stay applied.  A file\n"
"         edited after it was applied is refused.\n"
"status   lists applied migrations (with their time) and pending ones;\n"
"         exits 0 when none is pending, 3 otherwise.\n"
"load-reference\n"
"         loads the reference data (regions, federations, instruments,\n"
"         the source studies) the same way: each file NNNN_name.sql of\n"
"         DIR once, in order, in its own transaction, recorded in\n"
"         msp_meta.reference_loads.  Refused while migrations are\n"
"         pending.\n"
"\n"
"  --dir DIR   the files (default: $MSP_MIGRATIONS_DIR or\n"
"              $MSP_REFERENCE_DIR, else the installed\n"
"              " MSP_MIGRATIONS_DIR "\n"
"              or " MSP_REFERENCE_DIR ")\n"
"  -q, --quiet  print nothing on success\n";

/* Applies the pending files of dir to ledger; returns the exit status. */
static int
apply(PGconn *conn, enum migrate_ledger ledger, const char *dir, int quiet)
{
	struct msp_error err;
	int n = 0;

	if (migrate_apply(conn, ledger, dir, quiet ? NULL : stdout, &n,
			  &err) != MSP_OK)
		return cli_fail(&err);
	if (!quiet && n == 0)
		puts(ledger == MIGRATE_SCHEMA ? "database is up to date" :
		     "reference data is up to date");
	return 0;
}

int
cmd_db(const struct cli_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'D' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL;
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
	conn = cli_connect(ctx);
	if (conn == NULL)
		goto out;
	if (strcmp(action, "status") == 0) {
		if (migrate_status(conn, MIGRATE_SCHEMA, dir != NULL ? dir :
				   settings_migrations_dir(), stdout, &n,
				   &err) != MSP_OK) {
			rc = cli_fail(&err);
			goto out;
		}
		rc = n == 0 ? 0 : 3;
	} else if (strcmp(action, "migrate") == 0) {
		rc = apply(conn, MIGRATE_SCHEMA, dir != NULL ? dir :
			   settings_migrations_dir(), quiet);
	} else {
		/* Reference data is written for the current schema. */
		if (migrate_status(conn, MIGRATE_SCHEMA,
				   settings_migrations_dir(), NULL, &n,
				   &err) != MSP_OK) {
			rc = cli_fail(&err);
			goto out;
		}
		if (n > 0) {
			fprintf(stderr, "msp-report: %d schema migration%s "
				"pending; run 'msp-report db migrate' first\n",
				n, n == 1 ? " is" : "s are");
			goto out;
		}
		rc = apply(conn, MIGRATE_REFERENCE,
			   dir != NULL ? dir : settings_reference_dir(), quiet);
	}
out:
	PQfinish(conn);
	return rc;
}
