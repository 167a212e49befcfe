/*
 * msp-report token — bearer tokens for the API and the reports.
 *
 * A token is 32 bytes from the CSPRNG, shown once in hex; the database
 * keeps only its SHA-256 (sql/migrations/0006).  Runs as the database
 * owner: only the owner can write msp.access_token.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "crypto.h"
#include "db.h"
#include "tenant.h"

static const char token_usage[] =
"Usage: msp-report token create --kind team --structure ID [--label TEXT]\n"
"       msp-report token create --kind team --identifier TEXT\n"
"                               --region SLUG [--label TEXT]\n"
"       msp-report token create --kind federation --region SLUG\n"
"                               [--label TEXT]\n"
"       msp-report token create --kind analyst [--label TEXT]\n"
"       msp-report token list\n"
"       msp-report token revoke TOKEN_ID\n"
"\n"
"create  makes a 256-bit random token bound to a kind and a scope and\n"
"        prints it once on standard output; only its SHA-256 is stored.\n"
"        A team token belongs to one structure: give its number\n"
"        (--structure), or the identifier the team types in the form\n"
"        (--identifier, with --region: the structure is found or\n"
"        created under its pseudonym, which needs MSP_SECRET_FILE).\n"
"        A federation token sees one region; an analyst token sees\n"
"        everything.\n"
"list    shows every token's number, kind, scope, label and dates\n"
"        (never the token).\n"
"revoke  stops a token at once, and ends its web sessions.\n"
"\n"
"Use the token as 'Authorization: Bearer TOKEN' with the API, or as\n"
"MSP_TOKEN with msp-report.\n";

/* Prints "msp-report token: WHAT 'ARG'" (ARG may be NULL); returns 2. */
static int
usage_error(const char *what, const char *arg)
{
	return cli_usage_error("token", what, arg);
}

/* The structure of a team identifier, created if new; into id. */
static int
structure_of_identifier(PGconn *conn, const char *identifier,
			const char *region, char id[16])
{
	char pseudonym[CRYPTO_SHA256_HEX];
	struct msp_error err;
	const char *params[2];
	PGresult *res = NULL;
	enum msp_status st;

	if (cli_pseudonym(conn, identifier, pseudonym) != 0)
		return 1;
	params[0] = pseudonym;
	params[1] = region;
	st = db_exec(conn, "structure",
		     "WITH reg AS (SELECT region_id FROM msp.region"
		     "              WHERE slug = $2),"
		     " ins AS (INSERT INTO msp.structure (pseudonym, region_id)"
		     "         SELECT $1, region_id FROM reg"
		     "         ON CONFLICT (pseudonym) DO NOTHING"
		     "         RETURNING structure_id)"
		     "SELECT structure_id FROM ins UNION ALL"
		     " SELECT structure_id FROM msp.structure"
		     "  WHERE pseudonym = $1",
		     2, params, PGRES_TUPLES_OK, &res, &err);
	if (st != MSP_OK)
		return cli_fail(&err);
	if (PQntuples(res) == 0) {
		PQclear(res);
		return usage_error("région inconnue :", region);
	}
	snprintf(id, 16, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

static int
token_create(PGconn *conn, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kind", required_argument, NULL, 'k' },
		{ "structure", required_argument, NULL, 's' },
		{ "identifier", required_argument, NULL, 'i' },
		{ "region", required_argument, NULL, 'r' },
		{ "label", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	const char *kind_s = NULL, *structure = NULL, *identifier = NULL,
		   *region = NULL, *label = "", *params[5];
	char token[TENANT_TOKEN_HEX + 1], id[16];
	char hash[CRYPTO_SHA256_HEX];
	enum tenant_kind kind;
	struct msp_error err;
	PGresult *res = NULL;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'k': kind_s = optarg; break;
		case 's': structure = optarg; break;
		case 'i': identifier = optarg; break;
		case 'r': region = optarg; break;
		case 'l': label = optarg; break;
		default:
			return usage_error("option inconnue ou sans valeur",
					   NULL);
		}
	}
	if (kind_s == NULL)
		return usage_error("--kind est obligatoire", NULL);
	kind = tenant_kind_parse(kind_s);
	if (kind == TENANT_NONE)
		return usage_error("type inconnu (team, federation ou "
				   "analyst) :", kind_s);
	if (kind == TENANT_TEAM && (structure == NULL) == (identifier == NULL))
		return usage_error("un jeton d'équipe demande --structure ou "
				   "--identifier", NULL);
	if (kind == TENANT_TEAM && identifier != NULL && region == NULL)
		return usage_error("--identifier demande --region", NULL);
	if (kind == TENANT_FEDERATION && region == NULL)
		return usage_error("un jeton de fédération demande --region",
				   NULL);
	if (kind == TENANT_ANALYST &&
	    (structure || identifier || region))
		return usage_error("un jeton d'analyste n'a pas de périmètre",
				   NULL);
	if (kind == TENANT_TEAM && identifier != NULL) {
		rc = structure_of_identifier(conn, identifier, region, id);
		if (rc != 0)
			return rc;
		structure = id;
	}

	if (crypto_random_hex(TENANT_TOKEN_BYTES, token, &err) != MSP_OK ||
	    crypto_sha256_hex(token, TENANT_TOKEN_HEX, hash, &err) != MSP_OK)
		return cli_fail(&err);
	params[0] = hash;
	params[1] = tenant_kind_name(kind);
	params[2] = kind == TENANT_TEAM ? structure : NULL;
	params[3] = kind == TENANT_FEDERATION ? region : NULL;
	params[4] = label;
	if (db_exec(conn, "create token",
		    "INSERT INTO msp.access_token (token_sha256, kind,"
		    "       structure_id, region_id, label)"
		    "SELECT pg_catalog.decode($1, 'hex'), $2::msp.access_kind,"
		    "       $3::integer,"
		    "       (SELECT region_id FROM msp.region WHERE slug = $4),"
		    "       $5"
		    " WHERE $4::text IS NULL OR EXISTS"
		    "       (SELECT 1 FROM msp.region WHERE slug = $4)"
		    " RETURNING token_id",
		    5, params, PGRES_TUPLES_OK, &res, &err) != MSP_OK) {
		crypto_cleanse(token, sizeof(token));
		return cli_fail(&err);
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		crypto_cleanse(token, sizeof(token));
		return usage_error("région inconnue :", region);
	}
	fprintf(stderr, "token %s created (%s); it is shown only now:\n",
		PQgetvalue(res, 0, 0), tenant_kind_name(kind));
	PQclear(res);
	printf("%s\n", token);
	crypto_cleanse(token, sizeof(token));
	return 0;
}

static int
token_list(PGconn *conn)
{
	struct msp_error err;
	PGresult *res = NULL;
	int i;

	if (db_exec(conn, "list tokens",
		    "SELECT t.token_id, t.kind, coalesce('structure ' ||"
		    "   t.structure_id, 'region ' || r.slug, 'all') AS scope,"
		    "   t.label, to_char(t.created_at, 'YYYY-MM-DD HH24:MI')"
		    "     AS created,"
		    "   coalesce(to_char(t.revoked_at, 'YYYY-MM-DD HH24:MI'),"
		    "                '') AS revoked"
		    "  FROM msp.access_token t"
		    "  LEFT JOIN msp.region r USING (region_id)"
		    " ORDER BY t.token_id",
		    0, NULL, PGRES_TUPLES_OK, &res, &err) != MSP_OK)
		return cli_fail(&err);
	printf("%-6s %-10s %-24s %-16s %-16s %s\n", "id", "kind", "scope",
	       "created", "revoked", "label");
	for (i = 0; i < PQntuples(res); i++)
		printf("%-6s %-10s %-24s %-16s %-16s %s\n",
		       PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
		       PQgetvalue(res, i, 2), PQgetvalue(res, i, 4),
		       PQgetvalue(res, i, 5), PQgetvalue(res, i, 3));
	PQclear(res);
	return 0;
}

static int
token_revoke(PGconn *conn, const char *id)
{
	const char *params[1] = { id };
	struct msp_error err;
	PGresult *res = NULL;
	char *end;
	int n;

	if (strtol(id, &end, 10) <= 0 || *end != '\0')
		return usage_error("pas un numéro de jeton :", id);
	/* its web sessions end with it (migration 0040); a revoked
	 * token's session would be refused anyway, this says so */
	if (db_exec(conn, "revoke token",
		    "WITH revoked AS ("
		    "  UPDATE msp.access_token SET revoked_at = now()"
		    "   WHERE token_id = $1 AND revoked_at IS NULL"
		    "  RETURNING token_id),"
		    " ended AS ("
		    "  UPDATE msp.web_session s SET ended_at = now()"
		    "    FROM revoked r"
		    "   WHERE s.token_id = r.token_id AND s.ended_at IS NULL)"
		    " SELECT token_id FROM revoked",
		    1, params, PGRES_TUPLES_OK, &res, &err) != MSP_OK)
		return cli_fail(&err);
	n = PQntuples(res);
	PQclear(res);
	if (n == 0) {
		fprintf(stderr, "msp-report token: no live token %s\n", id);
		return 1;
	}
	printf("token %s revoked\n", id);
	return 0;
}

int
cmd_token(const struct cli_context *ctx, int argc, char **argv)
{
	PGconn *conn;
	int rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(token_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	/* ACTION --help: the help, without a database */
	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			fputs(token_usage, stdout);
			return 0;
		}
	if (strcmp(argv[1], "create") != 0 && strcmp(argv[1], "list") != 0 &&
	    strcmp(argv[1], "revoke") != 0)
		return usage_error("action inconnue", argv[1]);
	if (strcmp(argv[1], "revoke") == 0 && argc != 3)
		return usage_error("revoke prend un seul numéro de jeton",
				   NULL);
	if ((conn = cli_connect(ctx)) == NULL)
		return 1;
	if (strcmp(argv[1], "create") == 0)
		rc = token_create(conn, argc - 1, argv + 1);
	else if (strcmp(argv[1], "list") == 0)
		rc = token_list(conn);
	else
		rc = token_revoke(conn, argv[2]);
	PQfinish(conn);
	return rc;
}
