/*
 * msp-report disclosure-protect — a closed study's protection plan
 * (issue 19, item 2; docs/report.md, "The protection plan").
 *
 * The work is lib/report/protect.c's: audit every report a federation
 * of the study's region may ask, as that federation, under a token the
 * run creates and revokes; hide more until the audit passes.  This file
 * parses the options, checks who asks, and prints the result.  It is
 * run by hand: `study close` does not run it (docs/report.md says what
 * a plan costs).
 */
#include "config.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report/protect.h"

static const char usage_text[] =
"Usage: msp-report disclosure-protect --study SLUG [--max-rounds N]\n"
"                                     [--quiet]\n"
"\n"
"Plan de protection d'une étude close (secret statistique, diffusion\n"
"conjointe) : audite, comme le ferait la fédération de la région, tous\n"
"les rapports qu'elle peut obtenir sur l'étude (disclosure-audit), sous\n"
"un jeton de fédération créé pour l'occasion et révoqué à la fin ; tant\n"
"qu'un chiffre masqué peut être trop bien encadré, masque en plus, dans\n"
"tous les rapports où il figure :\n"
"  - le chiffre lui-même s'il est imprimé ailleurs ;\n"
"  - sinon le plus petit chiffre publié qui partage une relation avec\n"
"    lui (jamais le nombre de réponses) ; à défaut, le plus petit de sa\n"
"    variable (« élargi »).\n"
"Chaque tour est enregistré (msp.disclosure_plan).  Les rapports d'une\n"
"fédération sur une étude close appliquent le plan ; sans plan à jour\n"
"(données ou seuil changés depuis), ils sont refusés.\n"
"\n"
"  --study SLUG       l'étude (close)\n"
"  --max-rounds N     nombre maximal de tours (défaut : 100)\n"
"  -q, --quiet        sans l'avancement sur la sortie d'erreur\n"
"  -d, --database URL chaîne de connexion PostgreSQL\n"
"  -h, --help         affiche cette aide\n"
"\n"
"Environnement :\n"
"  MSP_TOKEN          un jeton d'analyste, ou rien : le propriétaire\n"
"\n"
"La boucle s'arrête quand l'audit passe, ou quand plus aucun chiffre\n"
"publié ne peut être masqué pour les chiffres en défaut : le plan est\n"
"alors appliqué et les chiffres encore en défaut sont comptés.\n"
"\n"
"Code de sortie : 0 si l'audit passe ; 1 si des chiffres restent en\n"
"défaut (le plan est appliqué) ou en cas d'erreur (le plan reste alors\n"
"inachevé et les rapports de fédération de l'étude sont refusés) ; 2\n"
"pour une erreur d'utilisation.\n";

static void
progress(void *arg, const char *line)
{
	fprintf(stderr, "msp-report %s : %s\n", (const char *)arg, line);
}

/* cli.h */
int
cli_protect(PGconn *conn, const char *command, const char *slug,
	    unsigned max_rounds, int quiet, int strict)
{
	struct protect_options o;
	struct protect_result r;
	struct msp_error err;

	memset(&o, 0, sizeof(o));
	o.token = cli_token();
	o.study = slug;
	o.max_rounds = max_rounds;
	if (!quiet) {
		o.progress = progress;
		o.arg = (void *)(uintptr_t)command;
	}
	if (protect_study(conn, &o, &r, &err) != MSP_OK) {
		fprintf(stderr, "msp-report %s : %s ; les rapports de "
			"fédération de l'étude restent refusés\n", command,
			err.message);
		return 1;
	}
	printf("étude %s : plan de protection en %u tour%s, %zu chiffre%s "
	       "au plan ; chiffres masqués %zu avant (%zu en défaut), %zu "
	       "après, %zu encore en défaut (dont %zu « < t » qu'aucun "
	       "masquage n'élargit)%s ; %zu « < t » affichés « s » (les "
	       "autres étiquettes les resserraient)\n", slug,
	       r.rounds, r.rounds > 1 ? "s" : "", r.planned,
	       r.planned > 1 ? "s" : "", r.hidden_before, r.fails_before,
	       r.hidden_after, r.fails_after, r.inherent_after,
	       r.widened > 0 ? " (certains élargis à leur variable)" : "",
	       r.relabelled);
	/* what a federation will read (docs/report.md, "Stored
	 * releases") */
	printf("étude %s : %zu rapport%s enregistré%s comme diffusion%s de "
	       "fédération\n", slug, r.released, r.released > 1 ? "s" : "",
	       r.released > 1 ? "s" : "", r.released > 1 ? "s" : "");
	if (r.fails_after > 0) {
		fprintf(stderr, "msp-report %s : %s le plan est appliqué, mais "
			"%zu chiffres masqués restent trop bien encadrés et "
			"aucun masquage de plus ne les protège (liste : "
			"msp-report disclosure-audit sous un jeton de la "
			"fédération)\n", command, strict ? "" : "attention :",
			r.fails_after);
		return strict ? 1 : 0;
	}
	return 0;
}

int
cmd_disclosure_protect(const struct cli_context *ctx, int argc, char **argv)
{
	enum { OPT_STUDY = 256, OPT_ROUNDS };
	static const struct option longopts[] = {
		{ "study", required_argument, NULL, OPT_STUDY },
		{ "max-rounds", required_argument, NULL, OPT_ROUNDS },
		{ "quiet", no_argument, NULL, 'q' },
		{ "database", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_context local = *ctx;
	const char *study = NULL;
	enum tenant_kind kind;
	unsigned long rounds = 0;
	PGconn *conn = NULL;
	char *end;
	int c, quiet = 0, status = 1;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "qd:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_STUDY:
			study = optarg;
			break;
		case OPT_ROUNDS:
			rounds = strtoul(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end != '\0' ||
			    rounds < 1 || rounds > 1000)
				return cli_usage_error("disclosure-protect",
					"--max-rounds : un entier de 1 à 1000",
					optarg);
			break;
		case 'q':
			quiet = 1;
			break;
		case 'd':
			local.database = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cli_usage_error("disclosure-protect",
					       "option inconnue ou sans valeur",
					       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("disclosure-protect",
				       "argument inattendu", argv[optind]);
	if (study == NULL)
		return cli_usage_error("disclosure-protect",
				       "--study SLUG est obligatoire", NULL);
	if ((conn = cli_connect(&local)) == NULL)
		return 1;
	/* who asks: an analyst or the owner, said in French before the
	 * run (the database refuses anyone else all the same) */
	if (cli_begin(conn, "disclosure-protect", &kind) != 0)
		goto out;
	if (cli_require_manager(conn, "disclosure-protect", kind) != 0) {
		cli_rollback(conn);
		goto out;
	}
	cli_rollback(conn);
	status = cli_protect(conn, "disclosure-protect", study,
			     (unsigned)rounds, quiet, 1);
out:
	PQfinish(conn);
	return status;
}
