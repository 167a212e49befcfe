/*
 * msp-report region|federation — the regions studies belong to and the
 * federations of each (issue 18, item 1).
 *
 * Writes msp.region and msp.federation in one transaction, through
 * msp.region_add / msp.federation_add, as the database owner or under
 * an analyst token (MSP_TOKEN); any other login or token is refused
 * here with a message and by those functions in any case (migration
 * 0034).  Input is checked before the database
 * sees it (slugs, names, INSEE codes); what the database refuses
 * (a slug or a name already taken) is said in French, nothing stored.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <getopt.h>

#include "cli.h"
#include "db.h"

/* Longest region or federation name, in characters: the longest
 * French region name is 26; a federation's name, under 100. */
#define NAME_MAX_CHARS 200

static const char region_usage[] =
"Usage: msp-report region add SLUG --name NAME [--insee CODE]\n"
"       msp-report region list\n"
"\n"
"add   records a region: SLUG is its short key (lower-case letters,\n"
"      digits and hyphens: bretagne), NAME its name (« Bretagne »),\n"
"      CODE its two-digit INSEE region code (53).\n"
"list  shows every region with its federations and studies.\n"
"\n"
"Only the database owner or an analyst token (MSP_TOKEN) may add.\n"
"Exit status: 0 on success, 1 on failure (nothing stored), 2 on a usage\n"
"error.\n";

static const char federation_usage[] =
"Usage: msp-report federation add SLUG --region REGION --name NAME\n"
"       msp-report federation list [--region REGION]\n"
"\n"
"add   records a regional federation of the region REGION (a slug of\n"
"      'msp-report region list'): SLUG is its short key, NAME its name.\n"
"list  shows the federations, of one region with --region.\n"
"\n"
"Only the database owner or an analyst token (MSP_TOKEN) may add.\n"
"Exit status: 0 on success, 1 on failure (nothing stored), 2 on a usage\n"
"error.\n";

/*
 * Parses "add SLUG --name N [--region R] [--insee C]" (argv from
 * "add").  Returns 0, or 2 after a usage message.
 */
static int
parse_add(const char *command, int argc, char **argv, const char **slug,
	  const char **name, const char **region, const char **insee)
{
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "region", required_argument, NULL, 'r' },
		{ "insee", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 0;	/* 0: GNU getopt starts afresh (main used "+") */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': *name = optarg; break;
		case 'r': *region = optarg; break;
		case 'i': *insee = optarg; break;
		default:
			return cli_usage_error(command, "option inconnue ou "
					       "sans valeur", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error(command, "add prend un seul SLUG",
				       NULL);
	*slug = argv[optind];
	if (!cli_valid_slug(*slug))
		return cli_usage_error(command, "SLUG invalide (lettres "
				       "minuscules, chiffres et tirets)",
				       *slug);
	if (*name == NULL)
		return cli_usage_error(command, "--name est obligatoire", NULL);
	if (!cli_valid_name(*name, NAME_MAX_CHARS))
		return cli_usage_error(command, "nom invalide (vide, trop "
				       "long ou caractères de contrôle)",
				       NULL);
	return 0;
}

/* "la région « X » existe déjà" and the like, for a refused INSERT. */
static int
insert_refused(const char *command, const char *what, const char *slug,
	       const struct msp_error *err)
{
	if (db_classify(err->sqlstate) == DB_UNIQUE) {
		fprintf(stderr, "msp-report %s: %s « %s » ou de ce nom existe "
			"déjà ; rien n'a été enregistré\n", command, what,
			slug);
		return 1;
	}
	return cli_db_refusal(command, err);
}

static int
region_add(PGconn *conn, int argc, char **argv)
{
	const char *slug = NULL, *name = NULL, *region = NULL, *insee = NULL;
	const char *params[3];
	enum tenant_kind kind;
	struct msp_error err;
	int rc;

	rc = parse_add("region", argc, argv, &slug, &name, &region, &insee);
	if (rc != 0)
		return rc;
	if (region != NULL)
		return cli_usage_error("region", "--region est pour "
				       "'federation add'", NULL);
	if (insee != NULL && (strlen(insee) != 2 ||
			      insee[0] < '0' || insee[0] > '9' ||
			      insee[1] < '0' || insee[1] > '9'))
		return cli_usage_error("region", "code INSEE de région "
				       "invalide (deux chiffres)", insee);
	if ((rc = cli_begin(conn, "region", &kind)) != 0)
		return rc;
	if ((rc = cli_require_manager(conn, "region", kind)) != 0)
		goto out;
	params[0] = slug;	/* $1 the key */
	params[1] = name;	/* $2 the name people read */
	params[2] = insee;	/* $3 INSEE code, or NULL */
	/* a door, not an INSERT: nobody but the owner writes msp.region
	 * (migration 0034) */
	if (db_exec(conn, "add region",
		    "SELECT msp.region_add($1, $2, $3)",
		    3, params, PGRES_TUPLES_OK, NULL, &err) != MSP_OK) {
		rc = insert_refused("region", "une région", slug, &err);
		goto out;
	}
	if ((rc = cli_commit(conn)) == 0)
		printf("région %s ajoutée\n", slug);
out:
	if (rc != 0)
		cli_rollback(conn);
	return rc;
}

/* What 'region list' and 'federation list' show, in French. */
static const struct cli_column region_columns[] = {
	{ "région", "slug", 0 },
	{ "insee", "insee", 0 },
	{ "fédérations", "federations", 1 },
	{ "études", "studies", 1 },
	{ "nom", "name", 0 },
};

static const struct cli_column federation_columns[] = {
	{ "fédération", "slug", 0 },
	{ "région", "region", 0 },
	{ "nom", "name", 0 },
};

static int
region_list(PGconn *conn)
{
	struct msp_error err;
	PGresult *res = NULL;

	if (db_exec(conn, "list regions",
		    "SELECT r.slug, r.name,"
		    "       coalesce(r.insee_code, '') AS insee,"
		    "       (SELECT count(*) FROM msp.federation f"
		    "         WHERE f.region_id = r.region_id) AS federations,"
		    "       (SELECT count(*) FROM msp.study s"
		    "         WHERE s.region_id = r.region_id) AS studies"
		    "  FROM msp.region r ORDER BY r.slug",
		    0, NULL, PGRES_TUPLES_OK, &res, &err) != MSP_OK)
		return cli_db_refusal("region", &err);
	cli_print_table(res, region_columns,
			sizeof(region_columns) / sizeof(region_columns[0]));
	PQclear(res);
	return 0;
}

static int
federation_add(PGconn *conn, int argc, char **argv)
{
	const char *slug = NULL, *name = NULL, *region = NULL, *insee = NULL;
	const char *params[3];
	enum tenant_kind kind;
	struct msp_error err;
	PGresult *res = NULL;
	int rc;

	rc = parse_add("federation", argc, argv, &slug, &name, &region,
		       &insee);
	if (rc != 0)
		return rc;
	if (insee != NULL)
		return cli_usage_error("federation", "--insee est pour "
				       "'region add'", NULL);
	if (region == NULL)
		return cli_usage_error("federation", "--region est "
				       "obligatoire", NULL);
	if ((rc = cli_begin(conn, "federation", &kind)) != 0)
		return rc;
	if ((rc = cli_require_manager(conn, "federation", kind)) != 0)
		goto out;
	params[0] = slug;	/* $1 the key */
	params[1] = name;	/* $2 the name people read */
	params[2] = region;	/* $3 the region's slug */
	if (db_exec(conn, "add federation",
		    "SELECT msp.federation_add($1, $2, $3) AS federation_id",
		    3, params, PGRES_TUPLES_OK, &res, &err) != MSP_OK) {
		rc = insert_refused("federation", "une fédération", slug,
				    &err);
		goto out;
	}
	if (PQgetisnull(res, 0, PQfnumber(res, "federation_id"))) {
		fprintf(stderr, "msp-report federation: aucune région « %s » "
			"(voir 'msp-report region list') ; rien n'a été "
			"enregistré\n", region);
		rc = 1;
		goto out;
	}
	if ((rc = cli_commit(conn)) == 0)
		printf("fédération %s ajoutée (région %s)\n", slug, region);
out:
	PQclear(res);
	if (rc != 0)
		cli_rollback(conn);
	return rc;
}

static int
federation_list(PGconn *conn, int argc, char **argv)
{
	const char *params[1] = { NULL };
	struct msp_error err;
	PGresult *res = NULL;

	if (argc == 3 && strcmp(argv[1], "--region") == 0)
		params[0] = argv[2];	/* $1 a region's slug, or NULL */
	else if (argc != 1)
		return cli_usage_error("federation", "list prend au plus "
				       "--region REGION", NULL);
	if (db_exec(conn, "list federations",
		    "SELECT f.slug, r.slug AS region, f.name"
		    "  FROM msp.federation f"
		    "  JOIN msp.region r ON r.region_id = f.region_id"
		    " WHERE $1::text IS NULL OR r.slug = $1"
		    " ORDER BY r.slug, f.slug",
		    1, params, PGRES_TUPLES_OK, &res, &err) != MSP_OK)
		return cli_db_refusal("federation", &err);
	cli_print_table(res, federation_columns,
			sizeof(federation_columns) /
			sizeof(federation_columns[0]));
	PQclear(res);
	return 0;
}

/* "region" and "federation" share their shape: ACTION [ARG]... */
static int
run(const struct cli_context *ctx, const char *command, const char *usage,
    int argc, char **argv)
{
	PGconn *conn;
	int rc;

	if ((rc = cli_action_help(argc, argv, usage)) >= 0)
		return rc;
	if (strcmp(argv[1], "add") != 0 && strcmp(argv[1], "list") != 0)
		return cli_usage_error(command, "action inconnue", argv[1]);
	if (strcmp(command, "region") == 0 && strcmp(argv[1], "list") == 0 &&
	    argc != 2)
		return cli_usage_error(command, "list ne prend pas "
				       "d'argument", NULL);
	if ((conn = cli_connect(ctx)) == NULL)
		return 1;
	if (strcmp(argv[1], "add") == 0)
		rc = strcmp(command, "region") == 0 ?
		     region_add(conn, argc - 1, argv + 1) :
		     federation_add(conn, argc - 1, argv + 1);
	else
		rc = strcmp(command, "region") == 0 ? region_list(conn) :
		     federation_list(conn, argc - 1, argv + 1);
	PQfinish(conn);
	return rc;
}

int
cmd_region(const struct cli_context *ctx, int argc, char **argv)
{
	return run(ctx, "region", region_usage, argc, argv);
}

int
cmd_federation(const struct cli_context *ctx, int argc, char **argv)
{
	return run(ctx, "federation", federation_usage, argc, argv);
}
