/*
 * msp-report disclosure-audit — what a federation's reader can still say
 * about every figure its reports hide (issue 19, item 2).
 *
 * The work is lib/report/audit.c's: fetch every report the token may
 * ask for about the region's study, rebuild the relations from the
 * published figures, and bound each hidden figure by linear programming
 * (lib/lp.c).  This file parses the options and prints the result, for
 * people (French) or programs (--format json).
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"
#include "report/audit.h"

static const char usage_text[] =
"Usage: msp-report disclosure-audit --region NOM [--study SLUG]\n"
"                                   [--compare R1,R2] [--format text|json]\n"
"\n"
"Audit du secret statistique, sous le jeton d'une fédération (MSP_TOKEN) :\n"
"demande tous les rapports qu'une fédération peut obtenir sur l'étude de\n"
"la région (le rapport de région et --by chaque variable que le rapport\n"
"accepte, sous les quatre règles de données manquantes, --nonresponse,\n"
"la comparaison des régions, --has, --terms de chaque question ouverte,\n"
"et les « équipes comme la vôtre » de la restitution d'une équipe),\n"
"en JSON ; reconstruit à partir des seuls chiffres publiés les relations\n"
"qu'un lecteur voit (les cases font leurs totaux, les pourcentages donnent\n"
"leur dénominateur, un même chiffre dans plusieurs tableaux est une seule\n"
"inconnue) ; puis, pour chaque chiffre masqué, cherche son minimum et son\n"
"maximum par programmation linéaire (valeurs >= 0, non supposées entières ;\n"
"une case « < 5 » est entre 1 et 4).\n"
"\n"
"Critère : une case « < t » (secret primaire) échoue si le lecteur peut la\n"
"placer dans un intervalle plus étroit que [1, t - 1] ; une case « s »\n"
"(secret complémentaire) échoue si, pour un lecteur qui connaît les chiffres\n"
"publiés mais ignore les mentions « < t », son intervalle est plus étroit\n"
"que t (max - min < t) ; le verdict strict (les « s » jugées avec les\n"
"mentions) est compté aussi.\n"
"\n"
"  --region NOM       la région (slug ou nom)\n"
"  --study SLUG       l'étude (défaut : la plus récente de la région)\n"
"  --compare R1,R2    les régions de la comparaison (défaut : toutes celles\n"
"                     qui ont une étude)\n"
"  --format FORMAT    text (défaut) ou json\n"
"  -d, --database URL chaîne de connexion PostgreSQL\n"
"  -h, --help         affiche cette aide\n"
"\n"
"Environnement :\n"
"  MSP_TOKEN          le jeton de la fédération (obligatoire)\n"
"\n"
"Code de sortie : 0 si aucun chiffre masqué n'échoue, 1 si l'un échoue ou\n"
"en cas d'erreur, 2 pour une erreur d'utilisation.\n";

static int
usage_error(const char *what, const char *arg)
{
	return cli_usage_error("disclosure-audit", what, arg);
}

/* "[3, 4]", "[0, ∞)". */
static void
print_bounds(double lo, double hi)
{
	/* + 0.0: a bound that rounds to -0 prints 0 */
	if (hi >= LP_INF)
		printf("[%.6g, ∞)", lo + 0.0);
	else
		printf("[%.6g, %.6g]", fabs(lo) < 5e-7 ? 0 : lo,
		       fabs(hi) < 5e-7 ? 0 : hi);
}

/* The interval the criterion judges: an "s"'s without the labels,
 * followed by its labelled one when they differ. */
static void
print_interval(const struct audit_figure *f)
{
	if (f->below > 1) {
		print_bounds(f->lo, f->hi);
		return;
	}
	print_bounds(f->free_lo, f->free_hi);
	if (fabs(f->free_lo - f->lo) > 5e-7 ||
	    fabs(f->free_hi - f->hi) > 5e-7) {
		printf(" (avec les « < t » : ");
		print_bounds(f->lo, f->hi);
		putchar(')');
	}
}

static void
print_text(const struct audit *a, const char *region)
{
	size_t i, hidden = 0;

	printf("Audit du secret statistique : région %s, seuil %u\n", region,
	       a->threshold);
	printf("Critère : une case « < %u » échoue si les chiffres publiés, "
	       "avec toutes les mentions « < %u », la placent dans un "
	       "intervalle plus étroit que [1, %u] ; une case « s » si, pour "
	       "qui connaît les chiffres publiés mais pas les mentions "
	       "« < %u », son intervalle est plus étroit que %u.\n"
	       "Intervalles par programmation linéaire (valeurs >= 0, non "
	       "supposées entières).\n\n", a->threshold, a->threshold,
	       a->threshold - 1, a->threshold, a->threshold);
	if (a->fails > 0)
		printf("Chiffres masqués qu'on peut trop bien encadrer :\n");
	for (i = 0; i < a->nfigs; i++) {
		const struct audit_figure *f = &a->figs[i];

		if (!f->hidden)
			continue;
		hidden++;
		if (!f->fails)
			continue;
		if (f->below > 1)
			printf("  %s  « < %u »  ", f->where, f->below);
		else
			printf("  %s  « s »  ", f->where);
		print_interval(f);
		if (f->known)
			printf("  (publié ailleurs)");
		putchar('\n');
	}
	printf("\nPar partie du rapport :\n");
	printf("  %-50s %9s %9s %9s\n", "partie", "masquées", "dont < t",
	       "échouent");
	for (i = 0; i < a->nparts; i++) {
		const struct audit_part *p = &a->parts[i];

		if (p->refused)
			printf("  %-50.50s  (refusé par le serveur)\n",
			       p->name);
		else
			printf("  %-50.50s %9zu %9zu %9zu\n", p->name,
			       p->hidden, p->primary, p->fails);
	}
	printf("\n%zu chiffres masqués distincts, %zu échouent (%zu "
	       "retrouvés exactement, %zu « < %u » resserrés, %zu « s » "
	       "d'intervalle < %u) ; %zu programmes linéaires résolus.\n",
	       hidden, a->fails, a->exact, a->primary_narrowed, a->threshold,
	       a->complementary_narrow, a->threshold, a->lps);
	printf("Verdict strict (une case « s » jugée avec les mentions "
	       "« < %u ») : %zu échouent, dont %zu « s ».\n", a->threshold,
	       a->strict_fails, a->strict_complementary);
	if (a->conflicts || a->relations_off || a->infeasible)
		printf("Modèle incohérent : %zu chiffres publiés avec deux "
		       "valeurs, %zu relations fausses, %zu programmes sans "
		       "solution.\n", a->conflicts, a->relations_off,
		       a->infeasible);
}

/* Adds v under key; nonzero when json-c could not. */
static int
add(json_object *o, const char *key, json_object *v)
{
	if (v == NULL)
		return 1;
	if (json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		return 1;
	}
	return 0;
}

/* A bound under key: null when there is none (json-c's null is a NULL
 * value). */
static int
add_bound(json_object *o, const char *key, double v)
{
	if (v >= LP_INF)
		return json_object_object_add(o, key, NULL) != 0;
	return add(o, key, json_object_new_double(v));
}

static int
print_json(const struct audit *a, const char *region)
{
	json_object *o = json_object_new_object(), *figs, *parts;
	size_t i;
	int bad = 0;

	if (o == NULL)
		return -1;
	bad |= add(o, "region", json_object_new_string(region));
	bad |= add(o, "threshold", json_object_new_int((int)a->threshold));
	bad |= add(o, "criterion", json_object_new_string(
		"primary: fails when narrower than [1, threshold - 1] "
		"with every primary's label; complementary: fails when "
		"free_high - free_low < threshold, its interval for a "
		"reader who ignores the labels (strict_fails: high - low "
		"< threshold, with them); LP bounds, values >= 0, not "
		"assumed integer"));
	bad |= add(o, "figures", figs = json_object_new_array());
	bad |= add(o, "parts", parts = json_object_new_array());
	for (i = 0; !bad && i < a->nfigs; i++) {
		const struct audit_figure *f = &a->figs[i];
		json_object *x;

		if (!f->hidden)
			continue;
		if ((x = json_object_new_object()) == NULL ||
		    json_object_array_add(figs, x) != 0) {
			json_object_put(x);
			bad = 1;
			break;
		}
		bad |= add(x, "key", json_object_new_string(f->key));
		bad |= add(x, "where", json_object_new_string(f->where));
		bad |= add(x, "suppression", json_object_new_string(
			f->below > 1 ? "primary" : "complementary"));
		bad |= add_bound(x, "low", f->lo);
		bad |= add_bound(x, "high", f->hi);
		if (f->below <= 1) {
			bad |= add_bound(x, "free_low", f->free_lo);
			bad |= add_bound(x, "free_high", f->free_hi);
			bad |= add(x, "strict_fails", json_object_new_boolean(
				f->strict_fails));
		}
		bad |= add(x, "published_elsewhere",
			   json_object_new_boolean(f->known));
		bad |= add(x, "fails", json_object_new_boolean(f->fails));
	}
	for (i = 0; !bad && i < a->nparts; i++) {
		const struct audit_part *p = &a->parts[i];
		json_object *x;

		if ((x = json_object_new_object()) == NULL ||
		    json_object_array_add(parts, x) != 0) {
			json_object_put(x);
			bad = 1;
			break;
		}
		bad |= add(x, "name", json_object_new_string(p->name));
		bad |= add(x, "refused", json_object_new_boolean(p->refused));
		bad |= add(x, "hidden", json_object_new_uint64(p->hidden));
		bad |= add(x, "primary", json_object_new_uint64(p->primary));
		bad |= add(x, "fails", json_object_new_uint64(p->fails));
	}
	bad |= add(o, "fails", json_object_new_uint64(a->fails));
	bad |= add(o, "exact", json_object_new_uint64(a->exact));
	bad |= add(o, "primary_narrowed",
		   json_object_new_uint64(a->primary_narrowed));
	bad |= add(o, "complementary_narrow",
		   json_object_new_uint64(a->complementary_narrow));
	bad |= add(o, "strict_fails",
		   json_object_new_uint64(a->strict_fails));
	bad |= add(o, "strict_complementary",
		   json_object_new_uint64(a->strict_complementary));
	bad |= add(o, "linear_programs", json_object_new_uint64(a->lps));
	bad |= add(o, "model_conflicts",
		   json_object_new_uint64(a->conflicts + a->relations_off +
					  a->infeasible));
	if (!bad)
		puts(json_object_to_json_string_ext(o,
			JSON_C_TO_STRING_PRETTY |
			JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return bad ? -1 : 0;
}

int
cmd_disclosure_audit(const struct cli_context *ctx, int argc, char **argv)
{
	enum { OPT_REGION = 256, OPT_STUDY, OPT_COMPARE, OPT_FORMAT };
	static const struct option longopts[] = {
		{ "region", required_argument, NULL, OPT_REGION },
		{ "study", required_argument, NULL, OPT_STUDY },
		{ "compare", required_argument, NULL, OPT_COMPARE },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "database", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_context local = *ctx;
	struct audit_options o;
	struct audit *a = NULL;
	struct msp_error err;
	PGconn *conn = NULL;
	int c, json = 0, status = 1;

	memset(&o, 0, sizeof(o));
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_REGION:
			o.region = optarg;
			break;
		case OPT_STUDY:
			o.study = optarg;
			break;
		case OPT_COMPARE:
			o.compare = optarg;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "json") == 0)
				json = 1;
			else if (strcmp(optarg, "text") != 0)
				return usage_error("format inconnu (text ou "
						   "json)", optarg);
			break;
		case 'd':
			local.database = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return usage_error("option inconnue ou sans valeur",
					   argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("argument inattendu", argv[optind]);
	if (o.region == NULL)
		return usage_error("--region NOM est obligatoire", NULL);
	o.token = cli_token();
	if (o.token == NULL) {
		fprintf(stderr, "msp-report disclosure-audit : MSP_TOKEN doit "
			"être le jeton d'une fédération (l'audit lit ce "
			"qu'elle lit)\n");
		return 2;
	}
	conn = cli_connect(&local);
	if (conn == NULL)
		goto out;
	if (audit_run(conn, &o, &a, &err) != MSP_OK) {
		cli_fail(&err);
		goto out;
	}
	if (json ? print_json(a, o.region) != 0 :
	    (print_text(a, o.region), 0)) {
		fprintf(stderr, "msp-report disclosure-audit : mémoire "
			"épuisée\n");
		goto out;
	}
	if (fflush(stdout) != 0)
		goto out;
	status = a->fails > 0 || a->conflicts || a->relations_off ||
		 a->infeasible ? 1 : 0;
out:
	audit_free(a);
	PQfinish(conn);
	return status;
}
