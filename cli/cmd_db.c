/*
 * msp-report db — schema migrations.
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
"\n"
"migrate  applies, in version order, each migration NNNN_name.sql of DIR\n"
"         that the database lacks, each in its own transaction, and\n"
"         records it in msp_meta.schema_migrations.  Re-running is a\n"
"         no-op.  A failing migration is rolled back and named with the\n"
"         PostgreSQL error; migrations before it stay applied.  A file\n"
"         edited after it was applied is refused.\n"
"status   lists applied migrations (with their time) and pending ones;\n"
"         exits 0 when none is pending, 3 otherwise.\n"
"\n"
"  --dir DIR   the migrations (default: $MSP_MIGRATIONS_DIR, else\n"
"              the installed " MSP_MIGRATIONS_DIR ")\n"
"  -q, --quiet  print nothing on success\n";

int
cmd_db(const struct cli_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'D' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = settings_migrations_dir();
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
	if (strcmp(action, "migrate") != 0 && strcmp(action, "status") != 0) {
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
	if (strcmp(action, "migrate") == 0) {
		if (migrate_apply(conn, dir, quiet ? NULL : stdout, &n,
				  &err) != MSP_OK) {
			rc = cli_fail(&err);
			goto out;
		}
		if (!quiet && n == 0)
			puts("database is up to date");
		rc = 0;
	} else {
		if (migrate_status(conn, dir, stdout, &n, &err) != MSP_OK) {
			rc = cli_fail(&err);
			goto out;
		}
		rc = n == 0 ? 0 : 3;
	}
out:
	PQfinish(conn);
	return rc;
}
