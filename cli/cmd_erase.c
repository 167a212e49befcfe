/*
 * msp-report erase — removes one structure's data everywhere (RGPD
 * right to erasure).
 *
 * The database does the work (msp.erase_structure, sql/migrations/0016)
 * in one transaction.  Without --yes the same transaction is rolled
 * back, so the counts shown are exactly what --yes would remove.  Runs
 * as the database owner: no tenant role may call the function.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db.h"

static const char erase_usage[] =
"Usage: msp-report erase --identifier TEXT [--yes]\n"
"       msp-report erase --pseudonym HEX [--yes]\n"
"       msp-report erase --structure ID [--yes]\n"
"Removes everything the database holds about one structure (team): its\n"
"responses and answers, coded answers, interviews and coded segments,\n"
"population and contact rows, staff counts, the tokens bound to it, the\n"
"cached report counts of its studies, the structure itself, and the\n"
"audit trail's rows about all of these.  One record that an erasure\n"
"happened (when, by whom, how many rows of each table) is written to\n"
"the audit trail; it names neither the structure nor its pseudonym.\n"
"\n"
"  -i, --identifier TEXT  the identifier the team types in the form\n"
"                         (FINESS number, or name and town), turned\n"
"                         into its pseudonym under MSP_SECRET_FILE as\n"
"                         the forms and the API do\n"
"  -p, --pseudonym HEX    the structure's pseudonym (64 hex digits)\n"
"  -s, --structure ID     the structure's number ('token list' shows it)\n"
"  -y, --yes              erase; without it, only show what would go\n"
"  -h, --help             show this help and exit\n"
"\n"
"Without --yes nothing changes: the erasure runs and is rolled back, so\n"
"the counts printed are those --yes would remove.  With --yes it is\n"
"committed in one transaction: all of it, or nothing.  A later\n"
"submission under the same identifier makes a new structure, with a\n"
"new number and none of the old rows.  Needs the database owner's\n"
"rights.\n"
"\n"
"Examples:\n"
"  msp-report erase --identifier \"MSP des Lilas, Albi\"\n"
"  msp-report erase --identifier \"MSP des Lilas, Albi\" --yes\n"
"\n"
"Exit status: 0 on success (with or without --yes), 1 if no structure\n"
"matches or the erasure failed (nothing changed), 2 on a usage error.\n";

/* Whether s is 64 lower-case hex digits, the form of a pseudonym. */
static int
is_pseudonym(const char *s)
{
	size_t i;

	for (i = 0; i < CRYPTO_SHA256_HEX - 1; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[i] == '\0';
}

/*
 * The number of the structure with pseudonym into id; 0, or 1 after
 * printing why.  The message does not repeat the identifier.
 */
static int
structure_of_pseudonym(PGconn *conn, const char *pseudonym, char id[16])
{
	const char *params[1] = { pseudonym };
	struct msp_error err;
	PGresult *res = NULL;

	if (db_exec(conn, "find structure",
		    "SELECT structure_id FROM msp.structure"
		    " WHERE pseudonym = $1",
		    1, params, PGRES_TUPLES_OK, &res, &err) != MSP_OK)
		return cli_fail(&err);
	if (PQntuples(res) == 0) {
		PQclear(res);
		fputs("msp-report erase: no structure has this identifier or "
		      "pseudonym; nothing changed\n", stderr);
		return 1;
	}
	snprintf(id, 16, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/*
 * Runs the erasure of structure id in a transaction, prints the counts,
 * and commits only if yes.  Returns the exit status.
 */
static int
erase(PGconn *conn, const char *id, int yes)
{
	const char *params[1] = { id };
	struct msp_error err;
	PGresult *res = NULL;
	int i, rc = 1;

	if (db_exec(conn, "begin", "BEGIN", 0, NULL, PGRES_COMMAND_OK, NULL,
		    &err) != MSP_OK)
		return cli_fail(&err);
	/* the erasure record's "who", beside the database role */
	if (db_exec(conn, "actor", "SELECT pg_catalog.set_config('msp.actor',"
		    " 'msp-report erase', true)", 0, NULL, PGRES_TUPLES_OK,
		    NULL, &err) != MSP_OK ||
	    db_exec(conn, "erase",
		    "SELECT table_name, removed"
		    "  FROM msp.erase_structure($1::integer)",
		    1, params, PGRES_TUPLES_OK, &res, &err) != MSP_OK) {
		if (db_classify(err.sqlstate) == DB_NOT_FOUND)
			fprintf(stderr, "msp-report erase: no structure %s; "
				"nothing changed\n", id);
		else
			cli_fail(&err);
		goto out;
	}
	printf("structure %s: %s\n", id, yes ? "erased" : "would remove");
	for (i = 0; i < PQntuples(res); i++)
		printf("  %-16s %10s\n",
		       PQgetvalue(res, i, db_column(res, "table_name")),
		       PQgetvalue(res, i, db_column(res, "removed")));
	if (!yes) {
		printf("nothing removed: run again with --yes to erase\n");
		rc = 0;
		goto out;
	}
	if (db_exec(conn, "commit", "COMMIT", 0, NULL, PGRES_COMMAND_OK, NULL,
		    &err) != MSP_OK) {
		cli_fail(&err);
		goto out;
	}
	printf("one erasure record written to the audit trail\n");
	rc = 0;
out:
	PQclear(res);
	if (rc != 0 || !yes)
		db_exec(conn, "rollback", "ROLLBACK", 0, NULL,
			PGRES_COMMAND_OK, NULL, NULL);
	return rc;
}

int
cmd_erase(const struct cli_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "identifier", required_argument, NULL, 'i' },
		{ "pseudonym", required_argument, NULL, 'p' },
		{ "structure", required_argument, NULL, 's' },
		{ "yes", no_argument, NULL, 'y' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *identifier = NULL, *pseudonym = NULL, *structure = NULL;
	char computed[CRYPTO_SHA256_HEX], id[16];
	PGconn *conn = NULL;
	int c, yes = 0, rc;
	char *end;

	optind = 1;
	while ((c = getopt_long(argc, argv, "i:p:s:yh", longopts, NULL))
	       != -1) {
		switch (c) {
		case 'i': identifier = optarg; break;
		case 'p': pseudonym = optarg; break;
		case 's': structure = optarg; break;
		case 'y': yes = 1; break;
		case 'h': fputs(erase_usage, stdout); return 0;
		default:
			return cli_usage_error("erase", "bad option", NULL);
		}
	}
	if (optind < argc)
		return cli_usage_error("erase", "unexpected argument",
				       argv[optind]);
	if ((identifier != NULL) + (pseudonym != NULL) + (structure != NULL)
	    != 1)
		return cli_usage_error("erase", "give one of --identifier, "
				       "--pseudonym or --structure", NULL);
	if (pseudonym != NULL && !is_pseudonym(pseudonym))
		return cli_usage_error("erase", "a pseudonym is 64 lower-case"
				       " hex digits:", pseudonym);
	if (structure != NULL &&
	    (strtol(structure, &end, 10) <= 0 || *end != '\0' ||
	     strtol(structure, NULL, 10) > 2147483647))
		return cli_usage_error("erase", "not a structure number:",
				       structure);
	if ((conn = cli_connect(ctx)) == NULL)
		return 1;
	if (identifier != NULL) {
		if (cli_pseudonym(conn, identifier, computed) != 0) {
			PQfinish(conn);
			return 1;
		}
		pseudonym = computed;
	}
	if (structure != NULL) {
		snprintf(id, sizeof(id), "%s", structure);
		rc = 0;
	} else {
		rc = structure_of_pseudonym(conn, pseudonym, id);
	}
	if (rc == 0)
		rc = erase(conn, id, yes);
	PQfinish(conn);
	return rc;
}
