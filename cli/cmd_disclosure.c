/*
 * msp-report disclosure threshold [N] — the disclosure threshold that
 * federations' reports apply, as the database holds it
 * (msp.disclosure_policy, migration 0038; lib/disclosure_policy.h);
 * msp-report disclosure by-minimum [N] — the small-study rule (0052).
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
"       msp-report disclosure by-minimum [N]\n"
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
"by-minimum: the small-study rule.  A federation's report split by a\n"
"variable (--by) is refused for a study with fewer than N complete\n"
"responses in the region (50 until changed; 0: no minimum).  Without\n"
"N, prints it; with N (0 to 100000), sets it, as the threshold.\n"
"Lowering it makes the protection plans made under a higher one stale\n"
"(msp-report disclosure-protect).\n"
"\n"
"  -h, --help   show this help and exit\n"
"\n"
"Exit status: 0 on success, 1 on failure (nothing changed), 2 on a usage\n"
"error.\n";

/* The setting a subcommand reads and writes. */
struct setting {
	const char *name;	/* the subcommand */
	const char *label;	/* French, for the line set() prints */
	unsigned min, max;
	enum msp_status (*get)(PGconn *, unsigned *, struct msp_error *);
	enum msp_status (*put)(PGconn *, unsigned, struct msp_error *);
};

static const struct setting settings[] = {
	{ "threshold", "seuil du secret statistique", 1,
	  DISCLOSURE_MAX_THRESHOLD, disclosure_policy_threshold,
	  disclosure_policy_set },
	{ "by-minimum", "minimum de réponses d'une étude pour ses tableaux "
	  "répartis (--by)", 0, DISCLOSURE_MAX_BY_MINIMUM,
	  disclosure_policy_by_minimum, disclosure_policy_set_by_minimum },
};

static int
show(PGconn *conn, const struct setting *st)
{
	struct msp_error err;
	unsigned v;

	if (st->get(conn, &v, &err) != MSP_OK)
		return cli_fail(&err);
	printf("%u\n", v);
	return 0;
}

static int
set(PGconn *conn, const struct setting *st, unsigned n)
{
	enum tenant_kind kind;
	struct msp_error err;
	unsigned before;
	int rc;

	if (cli_token() != NULL) {
		fprintf(stderr, "msp-report disclosure: refusé : seul le "
			"propriétaire de la base change ce réglage, sans jeton "
			"(retirez MSP_TOKEN)\n");
		return 1;
	}
	if ((rc = cli_begin(conn, "disclosure", &kind)) != 0)
		return rc;
	if (st->get(conn, &before, &err) != MSP_OK) {
		rc = cli_fail(&err);
		goto out;
	}
	if (st->put(conn, n, &err) != MSP_OK) {
		rc = cli_db_refusal("disclosure", &err);
		goto out;
	}
	if ((rc = cli_commit(conn)) == 0)
		printf("%s : %u (avant : %u)\n", st->label, n, before);
out:
	if (rc != 0)
		cli_rollback(conn);
	return rc;
}

int
cmd_disclosure(const struct cli_context *ctx, int argc, char **argv)
{
	const struct setting *st = NULL;
	unsigned long n = 0;
	PGconn *conn;
	char *end;
	size_t k;
	int i, rc;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			fputs(usage_text, stdout);
			return 0;
		}
	for (k = 0; argc >= 2 && k < sizeof(settings) / sizeof(*settings);
	     k++)
		if (strcmp(argv[1], settings[k].name) == 0)
			st = &settings[k];
	if (st == NULL)
		return cli_usage_error("disclosure", "sous-commande attendue : "
				       "threshold ou by-minimum",
				       argc < 2 ? NULL : argv[1]);
	if (argc > 3)
		return cli_usage_error("disclosure", "argument en trop",
				       argv[3]);
	if (argc == 3) {
		errno = 0;
		n = strtoul(argv[2], &end, 10);
		if (errno != 0 || end == argv[2] || *end != '\0' ||
		    argv[2][0] == '-' || n < st->min || n > st->max) {
			char what[80];

			snprintf(what, sizeof(what), "la valeur est un entier "
				 "de %u à %u, pas", st->min, st->max);
			return cli_usage_error("disclosure", what, argv[2]);
		}
	}
	conn = cli_connect(ctx);
	if (conn == NULL)
		return 1;
	rc = argc == 3 ? set(conn, st, (unsigned)n) : show(conn, st);
	PQfinish(conn);
	return rc;
}
