/*
 * msp-report disclosure threshold [N] — the disclosure threshold that
 * federations' reports apply, as the database holds it
 * (msp.disclosure_policy, migration 0038; lib/disclosure_policy.h).
 *
 * Anyone may read it; only the owner of the database, with no token,
 * changes it.  A token is refused here with a message, and the database
 * refuses any other login (no write is granted on the table): this is
 * the clear message, not the guard.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "disclosure_policy.h"
#include "report/report_disclosure.h"

static const char usage_text[] =
"Usage: msp-report disclosure threshold [N]\n"
"\n"
"The disclosure threshold of the reports a federation reads: counts\n"
"from 1 to N - 1 are suppressed, with the figures that would give them\n"
"back.  Without N, prints it; with N (1 to 1000), sets it.  It is kept\n"
"in the database (msp.disclosure_policy), 5 until changed, and applies\n"
"to every report and fieldwork monitor made from then on.\n"
"\n"
"Anyone may read it; only the database owner, without a token\n"
"(MSP_TOKEN unset), may set it.  MSP_DISCLOSURE_THRESHOLD is no longer\n"
"read: set, it is an error.\n"
"\n"
"  -h, --help   show this help and exit\n"
"\n"
"Exit status: 0 on success, 1 on failure (nothing changed), 2 on a usage\n"
"error.\n";

static int
show(PGconn *conn)
{
	struct msp_error err;
	unsigned threshold;

	if (disclosure_policy_threshold(conn, &threshold, &err) != MSP_OK)
		return cli_fail(&err);
	printf("%u\n", threshold);
	return 0;
}

static int
set(PGconn *conn, unsigned n)
{
	enum tenant_kind kind;
	struct msp_error err;
	unsigned before;
	int rc;

	if (cli_token() != NULL) {
		fprintf(stderr, "msp-report disclosure: refusé : seul le "
			"propriétaire de la base change le seuil, sans jeton "
			"(retirez MSP_TOKEN)\n");
		return 1;
	}
	if ((rc = cli_begin(conn, "disclosure", &kind)) != 0)
		return rc;
	if (disclosure_policy_threshold(conn, &before, &err) != MSP_OK) {
		rc = cli_fail(&err);
		goto out;
	}
	if (disclosure_policy_set(conn, n, &err) != MSP_OK) {
		rc = cli_db_refusal("disclosure", &err);
		goto out;
	}
	if ((rc = cli_commit(conn)) == 0)
		printf("seuil du secret statistique : %u (avant : %u)\n", n,
		       before);
out:
	if (rc != 0)
		cli_rollback(conn);
	return rc;
}

int
cmd_disclosure(const struct cli_context *ctx, int argc, char **argv)
{
	unsigned long n = 0;
	PGconn *conn;
	char *end;
	int i, rc;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			fputs(usage_text, stdout);
			return 0;
		}
	if (argc < 2 || strcmp(argv[1], "threshold") != 0)
		return cli_usage_error("disclosure", "sous-commande attendue : "
				       "threshold", argc < 2 ? NULL : argv[1]);
	if (argc > 3)
		return cli_usage_error("disclosure", "argument en trop",
				       argv[3]);
	if (argc == 3) {
		errno = 0;
		n = strtoul(argv[2], &end, 10);
		if (errno != 0 || end == argv[2] || *end != '\0' ||
		    argv[2][0] == '-' || n < 1 ||
		    n > DISCLOSURE_MAX_THRESHOLD)
			return cli_usage_error("disclosure", "le seuil est un "
					       "entier de 1 à 1000, pas",
					       argv[2]);
	}
	conn = cli_connect(ctx);
	if (conn == NULL)
		return 1;
	rc = argc == 3 ? set(conn, (unsigned)n) : show(conn);
	PQfinish(conn);
	return rc;
}
