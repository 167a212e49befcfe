/*
 * msp-report study — studies and their life cycle (issue 18, item 3).
 *
 * A study is created as a draft (a test mode: what it receives is
 * marked test and deleted when it opens), then opened, closed, reopened
 * or extended.  The rules of those moves live in the database
 * (msp.study_create, msp.study_transition: sql/functions/; migration
 * 0034 takes the direct writes away), so that they hold whoever
 * calls; this file checks the command line, calls it and says what
 * happened.  The refusal of submissions to a study that is not open is
 * the trigger msp.study_accepts_response's, not this file's.
 *
 * As the database owner or under an analyst token (MSP_TOKEN) only.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "db.h"
#include "instrument_version.h"

#define TITLE_MAX_CHARS 300

static const char usage_text[] =
"Usage: msp-report study create SLUG --region REGION\n"
"                  --instrument NAME[@VERSION] --year YEAR --title TITLE\n"
"                  [--opens DATE] [--closes DATE] [--follows STUDY]\n"
"       msp-report study list\n"
"       msp-report study open SLUG\n"
"       msp-report study close SLUG [--no-protect]\n"
"       msp-report study reopen SLUG [--closes DATE]\n"
"       msp-report study extend SLUG --closes DATE\n"
"\n"
"create  records a study as a draft: its form, the API and the import\n"
"        work, but what they store is test data that no report reads\n"
"        and that 'open' deletes.  NAME@VERSION is an instrument\n"
"        (without @VERSION, its latest version); --opens and --closes\n"
"        (YYYY-MM-DD, Paris time) bound the days it accepts answers\n"
"        once open; --follows names the study of the previous wave.\n"
"list    shows every study: state, region, year, instrument, dates,\n"
"        complete responses.\n"
"open    draft -> open: deletes the draft's test responses.\n"
"close   open -> closed: the form and the API refuse answers; then\n"
"        the study is protected as msp-report disclosure-protect does\n"
"        (its joint protection plan, and the reports a federation may\n"
"        read, stored), unless --no-protect: its federation reports\n"
"        are then counted block by block until disclosure-protect.\n"
"reopen  closed -> open (a closing date already past needs --closes).\n"
"extend  sets a new closing date; a closed study whose new date is to\n"
"        come opens again.\n"
"\n"
"Only the database owner or an analyst token (MSP_TOKEN) may list or\n"
"change the studies.  Exit status: 0 on success, 1 on failure (nothing\n"
"changed), 2 on a usage error.\n";

static int
usage_error(const char *what, const char *arg)
{
	return cli_usage_error("study", what, arg);
}

/* The id of what sql finds for param, into id; 0 found, 1 not (after
 * printing "aucun(e) WHAT « PARAM »"), or 1 on a database failure. */
static int
lookup(PGconn *conn, const char *what, const char *sql, int nparams,
       const char *const *params, const char *shown, char id[16])
{
	struct msp_error err;
	PGresult *res = NULL;

	if (db_exec(conn, what, sql, nparams, params, PGRES_TUPLES_OK, &res,
		    &err) != MSP_OK)
		return cli_db_refusal("study", &err);
	if (PQntuples(res) == 0) {
		fprintf(stderr, "msp-report study: %s « %s » introuvable ; "
			"rien n'a été enregistré\n", what, shown);
		PQclear(res);
		return 1;
	}
	snprintf(id, 16, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

static int
study_create(PGconn *conn, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "region", required_argument, NULL, 'r' },
		{ "instrument", required_argument, NULL, 'i' },
		{ "year", required_argument, NULL, 'y' },
		{ "title", required_argument, NULL, 't' },
		{ "opens", required_argument, NULL, 'o' },
		{ "closes", required_argument, NULL, 'c' },
		{ "follows", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *region = NULL, *instrument = NULL, *year = NULL,
		   *title = NULL, *opens = NULL, *closes = NULL,
		   *follows = NULL, *slug, *params[9];
	char iname[64], opens_d[11], closes_d[11];
	char region_id[16], instrument_id[16], follows_id[16];
	int iversion, iid;
	enum tenant_kind kind;
	struct msp_error err;
	char *end;
	long y;
	int c, rc;

	optind = 0;	/* 0: GNU getopt starts afresh (main used "+") */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': region = optarg; break;
		case 'i': instrument = optarg; break;
		case 'y': year = optarg; break;
		case 't': title = optarg; break;
		case 'o': opens = optarg; break;
		case 'c': closes = optarg; break;
		case 'f': follows = optarg; break;
		default:
			return usage_error("option inconnue ou sans valeur",
					   argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return usage_error("create prend un seul SLUG", NULL);
	slug = argv[optind];
	if (!cli_valid_slug(slug))
		return usage_error("SLUG invalide (lettres minuscules, "
				   "chiffres et tirets)", slug);
	if (region == NULL || instrument == NULL || year == NULL ||
	    title == NULL)
		return usage_error("--region, --instrument, --year et "
				   "--title sont obligatoires", NULL);
	if (instrument_spec_parse(instrument, iname, sizeof(iname),
				  &iversion) != 0)
		return usage_error("instrument invalide (NOM ou NOM@VERSION, "
				   "VERSION entier positif)", instrument);
	if (!cli_valid_slug(iname))
		return usage_error("nom d'instrument invalide", instrument);
	errno = 0;
	y = strtol(year, &end, 10);
	if (*year == '\0' || *end != '\0' || errno != 0 || y < 2000 ||
	    y > 2100)
		return usage_error("année invalide (2000 à 2100)", year);
	if (!cli_valid_name(title, TITLE_MAX_CHARS))
		return usage_error("titre invalide (vide, trop long ou "
				   "caractères de contrôle)", NULL);
	if (opens != NULL && !cli_parse_date(opens, opens_d))
		return usage_error("date d'ouverture invalide (AAAA-MM-JJ)",
				   opens);
	if (closes != NULL && !cli_parse_date(closes, closes_d))
		return usage_error("date de clôture invalide (AAAA-MM-JJ)",
				   closes);
	if (opens != NULL && closes != NULL && strcmp(opens_d, closes_d) > 0)
		return usage_error("la clôture précède l'ouverture", closes);
	if (follows != NULL && strcmp(follows, slug) == 0)
		return usage_error("une étude ne peut pas se suivre "
				   "elle-même", follows);

	if ((rc = cli_begin(conn, "study", &kind)) != 0)
		return rc;
	if ((rc = cli_require_manager(conn, "study", kind)) != 0)
		goto out;
	params[0] = region;
	if ((rc = lookup(conn, "région", "SELECT region_id FROM msp.region"
			 " WHERE slug = $1", 1, params, region,
			 region_id)) != 0)
		goto out;
	if (instrument_lookup(conn, iname, iversion, &iid, &err) != MSP_OK) {
		if (err.status == MSP_EINVAL)
			fprintf(stderr, "msp-report study: instrument « %s » "
				"introuvable ; rien n'a été enregistré\n",
				instrument);
		else
			cli_db_refusal("study", &err);
		rc = 1;
		goto out;
	}
	snprintf(instrument_id, sizeof(instrument_id), "%d", iid);
	if (follows != NULL) {
		params[0] = follows;
		if ((rc = lookup(conn, "étude", "SELECT study_id FROM"
				 " msp.study WHERE slug = $1", 1, params,
				 follows, follows_id)) != 0)
			goto out;
	}
	params[0] = slug;
	params[1] = region_id;
	params[2] = year;
	params[3] = title;
	params[4] = instrument_id;
	params[5] = opens != NULL ? opens_d : NULL;
	params[6] = closes != NULL ? closes_d : NULL;
	params[7] = follows != NULL ? follows_id : NULL;
	/* a door, not an INSERT: nobody but the owner writes msp.study
	 * (migration 0034); it makes a draft */
	if (db_exec(conn, "create study",
		    "SELECT msp.study_create($1, $2::smallint, $3::smallint,"
		    "       $4, $5::integer, $6::date, $7::date, $8::integer)",
		    8, params, PGRES_TUPLES_OK, NULL, &err) != MSP_OK) {
		if (db_classify(err.sqlstate) == DB_UNIQUE) {
			fprintf(stderr, "msp-report study: l'étude « %s » "
				"existe déjà ; rien n'a été enregistré\n",
				slug);
			rc = 1;
		} else {
			rc = cli_db_refusal("study", &err);
		}
		goto out;
	}
	if ((rc = cli_commit(conn)) == 0)
		printf("étude %s créée (brouillon : les réponses reçues sont "
		       "des tests jusqu'à 'msp-report study open %s')\n",
		       slug, slug);
out:
	if (rc != 0)
		cli_rollback(conn);
	return rc;
}

/* What 'study list' shows, in French: the state as the usage text
 * names it (the SQL says it so), the responses counted complete, and
 * whether a closed study's federation releases are published
 * (msp.disclosure_plan_status: a study closed before migration 0053,
 * or changed since its protection, waits for disclosure-protect). */
static const struct cli_column study_columns[] = {
	{ "étude", "slug", 0 },
	{ "état", "state_fr", 0 },
	{ "région", "region", 0 },
	{ "année", "year", 1 },
	{ "questionnaire", "instrument", 0 },
	{ "ouverture", "opens", 0 },
	{ "clôture", "closes", 0 },
	{ "complètes", "complete", 1 },
	{ "suit", "follows", 0 },
	{ "diffusion", "release", 0 },
	{ "titre", "title_fr", 0 },
};

static int
study_list(PGconn *conn)
{
	enum tenant_kind kind;
	struct msp_error err;
	PGresult *res = NULL;
	int rc;

	/* counts from msp.response directly: the owner or an analyst sees
	 * every row; under another token they would be that token's rows,
	 * so, like the other actions, the owner or an analyst only */
	if ((rc = cli_begin(conn, "study", &kind)) != 0)
		return rc;
	if ((rc = cli_require_manager(conn, "study", kind)) != 0)
		goto out;
	if (db_exec(conn, "list studies",
		    "SELECT s.slug, r.slug AS region, s.year,"
		    "       CASE s.state WHEN 'draft' THEN 'brouillon'"
		    "                    WHEN 'open' THEN 'ouverte'"
		    "                    ELSE 'close' END AS state_fr,"
		    "       i.slug || '@' || i.version AS instrument,"
		    "       coalesce(to_char(s.opens_on, 'YYYY-MM-DD'), '-')"
		    "         AS opens,"
		    "       coalesce(to_char(s.closes_on, 'YYYY-MM-DD'), '-')"
		    "         AS closes,"
		    "       (SELECT count(*) FROM msp.response x"
		    "         WHERE x.study_id = s.study_id"
		    "           AND x.status = 'complete') AS complete,"
		    "       coalesce(f.slug, '-') AS follows,"
		    "       CASE msp.disclosure_plan_status(s.study_id)"
		    "         WHEN 'fresh' THEN 'publiée'"
		    "         WHEN 'missing' THEN 'à protéger'"
		    "         WHEN 'stale' THEN 'à recalculer'"
		    "         WHEN 'incomplete' THEN 'inachevée'"
		    "         ELSE '-' END AS release,"
		    "       s.title_fr"
		    "  FROM msp.study s"
		    "  JOIN msp.region r ON r.region_id = s.region_id"
		    "  JOIN msp.instrument i"
		    "    ON i.instrument_id = s.instrument_id"
		    "  LEFT JOIN msp.study f ON f.study_id = s.follows_study_id"
		    " ORDER BY r.slug, s.year, s.slug",
		    0, NULL, PGRES_TUPLES_OK, &res, &err) != MSP_OK) {
		rc = cli_db_refusal("study", &err);
		goto out;
	}
	cli_print_table(res, study_columns,
			sizeof(study_columns) / sizeof(study_columns[0]));
	rc = cli_commit(conn);
out:
	PQclear(res);
	if (rc != 0)
		cli_rollback(conn);
	return rc;
}

/* open, close, reopen, extend: msp.study_transition says what may
 * happen. */
static int
study_move(PGconn *conn, const char *action, int argc, char **argv)
{
	enum { OPT_NO_PROTECT = 256 };
	static const struct option longopts[] = {
		{ "closes", required_argument, NULL, 'c' },
		{ "no-protect", no_argument, NULL, OPT_NO_PROTECT },
		{ NULL, 0, NULL, 0 },
	};
	const char *closes = NULL, *slug, *params[3];
	char closes_d[11];
	enum tenant_kind kind;
	struct msp_error err;
	PGresult *res = NULL;
	long removed;
	int c, rc, prc = 0, protect = strcmp(action, "close") == 0;

	optind = 0;	/* 0: GNU getopt starts afresh (main used "+") */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == OPT_NO_PROTECT && strcmp(action, "close") == 0) {
			protect = 0;
			continue;
		}
		if (c != 'c')
			return usage_error("option inconnue ou sans valeur",
					   argv[optind - 1]);
		closes = optarg;
	}
	if (optind != argc - 1)
		return usage_error("il faut un seul SLUG", NULL);
	slug = argv[optind];
	if (closes != NULL && (strcmp(action, "open") == 0 ||
			       strcmp(action, "close") == 0))
		return usage_error("--closes va avec reopen ou extend",
				   NULL);
	if (closes == NULL && strcmp(action, "extend") == 0)
		return usage_error("extend demande --closes DATE", NULL);
	if (closes != NULL && !cli_parse_date(closes, closes_d))
		return usage_error("date de clôture invalide (AAAA-MM-JJ)",
				   closes);

	if ((rc = cli_begin(conn, "study", &kind)) != 0)
		return rc;
	if ((rc = cli_require_manager(conn, "study", kind)) != 0)
		goto out;
	params[0] = slug;				/* $1 the study */
	params[1] = action;				/* $2 the move */
	params[2] = closes != NULL ? closes_d : NULL;	/* $3 or NULL */
	if (db_exec(conn, "study transition",
		    /* the states as 'study list' says them, in French */
		    "SELECT CASE old_state WHEN 'draft' THEN 'brouillon'"
		    "         WHEN 'open' THEN 'ouverte' ELSE 'close' END"
		    "         AS old_state,"
		    "       CASE new_state WHEN 'draft' THEN 'brouillon'"
		    "         WHEN 'open' THEN 'ouverte' ELSE 'close' END"
		    "         AS new_state, removed"
		    "  FROM msp.study_transition($1, $2, $3::date)",
		    3, params, PGRES_TUPLES_OK, &res, &err) != MSP_OK) {
		rc = cli_db_refusal("study", &err);
		goto out;
	}
	if ((rc = cli_commit(conn)) != 0)
		goto out;
	removed = (long)db_int(res, 0, "removed");
	printf("étude %s : %s -> %s", slug, db_text(res, 0, "old_state"),
	       db_text(res, 0, "new_state"));
	if (closes != NULL)
		printf(", clôture le %s", closes_d);
	if (strcmp(action, "open") == 0)
		printf(" (%ld réponse%s de test supprimée%s)", removed,
		       removed > 1 ? "s" : "", removed > 1 ? "s" : "");
	putchar('\n');
	PQclear(res);
	res = NULL;
	/* closed: what a federation may read is decided now, once
	 * (docs/report.md, "Stored releases"); the close stands if the
	 * protection fails, whose message says how to run it again */
	if (protect) {
		fflush(stdout);
		prc = cli_protect(conn, "study close", slug, 0, 0, 0);
	}
out:
	PQclear(res);
	if (rc != 0)
		cli_rollback(conn);
	return rc != 0 ? rc : prc;
}

int
cmd_study(const struct cli_context *ctx, int argc, char **argv)
{
	static const char *const moves[] = { "open", "close", "reopen",
					     "extend" };
	const char *action;
	PGconn *conn;
	size_t i;
	int rc, move = 0;

	if ((rc = cli_action_help(argc, argv, usage_text)) >= 0)
		return rc;
	action = argv[1];
	for (i = 0; i < sizeof(moves) / sizeof(moves[0]); i++)
		if (strcmp(action, moves[i]) == 0)
			move = 1;
	if (!move && strcmp(action, "create") != 0 &&
	    strcmp(action, "list") != 0)
		return usage_error("action inconnue", action);
	if (strcmp(action, "list") == 0 && argc != 2)
		return usage_error("list ne prend pas d'argument", NULL);
	if ((conn = cli_connect(ctx)) == NULL)
		return 1;
	if (strcmp(action, "create") == 0)
		rc = study_create(conn, argc - 1, argv + 1);
	else if (strcmp(action, "list") == 0)
		rc = study_list(conn);
	else
		rc = study_move(conn, action, argc - 1, argv + 1);
	PQfinish(conn);
	return rc;
}
