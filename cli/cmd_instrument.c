/*
 * msp-report instrument — questionnaires as XLSForm files.
 *
 * import reads an .xlsx (or a folder of survey.csv, choices.csv,
 * settings.csv) and stores it as a version of its form_id; export
 * writes a stored version back; list and diff show the versions.  The
 * file format is lib/xlsform.c's; versions are lib/instrument_version.c's.
 * Runs with the identity of the connection (the database owner): the
 * instruments are the project's definitions, not a tenant's data.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "db.h"
#include "instrument.h"
#include "instrument_version.h"
#include "xlsform.h"

static const char instrument_usage[] =
"Usage: msp-report instrument import [--check] FILE.xlsx|FOLDER\n"
"       msp-report instrument export NAME[@VERSION] -o FILE.xlsx\n"
"       msp-report instrument list\n"
"       msp-report instrument diff A B\n"
"\n"
"Questionnaires (instruments) as XLSForm, the format of ODK, KoboToolbox\n"
"and SurveyCTO, written in any spreadsheet.\n"
"\n"
"import  reads the sheets survey, choices and settings of FILE.xlsx, or\n"
"        survey.csv, choices.csv and settings.csv in FOLDER, and stores\n"
"        the questionnaire under its form_id.  Every mistake is listed as\n"
"        'sheet, row, column: reason' and then nothing is stored.  A\n"
"        file identical to the stored version changes nothing; a changed\n"
"        one becomes a new version (a version with responses never\n"
"        changes).  --check reads and checks only, without a database.\n"
"export  writes version VERSION (default: the latest) of instrument NAME\n"
"        as an .xlsx XLSForm that import reads back identically.\n"
"list    every version: name, version, items, responses, title.\n"
"diff    the items and choices added (+), removed (-) and changed (~)\n"
"        from A to B; each is NAME[@VERSION] or an XLSForm file/folder.\n"
"\n"
"docs/instruments.md lists the XLSForm subset and the project's columns.\n";

static int
usage_error(const char *what, const char *arg)
{
	return cli_usage_error("instrument", what, arg);
}

/* Reads path; prints its problems.  NULL after printing why. */
static struct instrument *
read_form(const char *path)
{
	struct xlsform_problems problems = { BUF_INIT(BUF_MAX_DOCUMENT), 0 };
	struct instrument *ins = NULL;
	struct msp_error err;

	if (xlsform_read(path, &ins, &problems, &err) != MSP_OK) {
		if (problems.n > 0)
			fputs(buf_str(&problems.text), stderr);
		cli_fail(&err);
	}
	xlsform_problems_free(&problems);
	return ins;
}

/* Loads NAME[@VERSION]; NULL after printing why. */
static struct instrument *
load_spec(PGconn *conn, const char *spec)
{
	struct instrument *ins = NULL;
	struct msp_error err;
	char slug[128];
	int version, id;

	if (instrument_spec_parse(spec, slug, sizeof(slug), &version) != 0) {
		usage_error("ni NOM ni NOM@VERSION :", spec);
		return NULL;
	}
	if (instrument_lookup(conn, slug, version, &id, &err) != MSP_OK ||
	    instrument_load(conn, id, &ins, &err) != MSP_OK)
		cli_fail(&err);
	return ins;
}

static int
instrument_import(const struct cli_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "check", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct instrument_stored stored;
	struct instrument *ins;
	struct msp_error err;
	PGconn *conn;
	int c, check = 0, rc = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c != 'c')
			return usage_error("option inconnue", NULL);
		check = 1;
	}
	if (optind != argc - 1)
		return usage_error("import prend un fichier ou un dossier",
				   NULL);
	if ((ins = read_form(argv[optind])) == NULL)
		return 1;
	if (check) {
		printf("%s : %zu questions, aucune erreur\n", ins->slug,
		       ins->n_items);
		instrument_free(ins);
		return 0;
	}
	if ((conn = cli_connect(ctx)) == NULL) {
		instrument_free(ins);
		return 1;
	}
	if (instrument_store(conn, ins, &stored, &err) != MSP_OK) {
		rc = cli_fail(&err);
	} else if (!stored.created) {
		printf("%s@%d inchangé\n", ins->slug, stored.version);
	} else {
		if (stored.replaced_from)
			printf("%s@%d existe et diffère : ", ins->slug,
			       stored.replaced_from);
		printf("%s@%d enregistré (%zu questions)\n", ins->slug,
		       stored.version, ins->n_items);
	}
	PQfinish(conn);
	instrument_free(ins);
	return rc;
}

static int
instrument_export(const struct cli_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *output = NULL;
	struct instrument *ins;
	struct msp_error err;
	PGconn *conn;
	int c, rc = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		if (c != 'o')
			return usage_error("option inconnue", NULL);
		output = optarg;
	}
	if (optind != argc - 1)
		return usage_error("export prend un NOM[@VERSION]", NULL);
	if (output == NULL)
		return usage_error("-o FICHIER.xlsx est obligatoire", NULL);
	if ((conn = cli_connect(ctx)) == NULL)
		return 1;
	if ((ins = load_spec(conn, argv[optind])) == NULL) {
		PQfinish(conn);
		return 1;
	}
	if (xlsform_write(ins, output, &err) != MSP_OK)
		rc = cli_fail(&err);
	else
		printf("%s@%d -> %s\n", ins->slug, ins->version, output);
	instrument_free(ins);
	PQfinish(conn);
	return rc;
}

/* What 'instrument list' shows, in French. */
static const struct cli_column instrument_columns[] = {
	{ "questionnaire", "slug", 0 },
	{ "version", "version", 1 },
	{ "questions", "items", 1 },
	{ "réponses", "responses", 1 },
	{ "titre", "title_fr", 0 },
};

static int
instrument_list(PGconn *conn)
{
	struct msp_error err;
	PGresult *res = NULL;

	/* responses counted by the owner's connection: every row */
	if (db_exec(conn, "instrument list",
		    "SELECT i.slug, i.version, i.title_fr,"
		    "       (SELECT count(*) FROM msp.instrument_item it"
		    "         WHERE it.instrument_id = i.instrument_id)"
		    "         AS items,"
		    "       (SELECT count(*) FROM msp.response r"
		    "         WHERE r.instrument_id = i.instrument_id)"
		    "         AS responses"
		    "  FROM msp.instrument i ORDER BY i.slug, i.version",
		    0, NULL, PGRES_TUPLES_OK, &res, &err) != MSP_OK)
		return cli_fail(&err);
	cli_print_table(res, instrument_columns,
			sizeof(instrument_columns) /
			sizeof(instrument_columns[0]));
	PQclear(res);
	return 0;
}

/* A file when arg names one, else a stored version (connecting to the
 * database the first time one is needed: two files need none). */
static struct instrument *
operand(const struct cli_context *ctx, PGconn **conn, const char *arg)
{
	struct stat sb;

	if (stat(arg, &sb) == 0)
		return read_form(arg);
	if (*conn == NULL && (*conn = cli_connect(ctx)) == NULL)
		return NULL;
	return load_spec(*conn, arg);
}

static int
instrument_diff_cmd(const struct cli_context *ctx, const char *a,
		    const char *b)
{
	struct instrument *ia = NULL, *ib = NULL;
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	PGconn *conn = NULL;
	int rc = 1;
	size_t n;

	if ((ia = operand(ctx, &conn, a)) == NULL ||
	    (ib = operand(ctx, &conn, b)) == NULL)
		goto out;
	n = instrument_diff(ia, ib, &out);
	if (out.failed) {
		fputs("msp-report: out of memory\n", stderr);
		goto out;
	}
	if (n == 0)
		printf("%s et %s : définitions identiques\n", a, b);
	else
		fputs(buf_str(&out), stdout);
	rc = 0;
out:
	PQfinish(conn);
	buf_free(&out);
	instrument_free(ia);
	instrument_free(ib);
	return rc;
}

int
cmd_instrument(const struct cli_context *ctx, int argc, char **argv)
{
	PGconn *conn;
	int rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		fputs(instrument_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (argc >= 3 && (strcmp(argv[2], "--help") == 0 ||
			  strcmp(argv[2], "-h") == 0)) {
		fputs(instrument_usage, stdout);
		return 0;
	}
	if (strcmp(argv[1], "import") == 0)
		return instrument_import(ctx, argc - 1, argv + 1);
	if (strcmp(argv[1], "export") == 0)
		return instrument_export(ctx, argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0) {
		if (argc != 2)
			return usage_error("list ne prend pas d'argument",
					   NULL);
	} else if (strcmp(argv[1], "diff") == 0) {
		if (argc != 4)
			return usage_error("diff prend deux questionnaires",
					   NULL);
		return instrument_diff_cmd(ctx, argv[2], argv[3]);
	} else {
		return usage_error("action inconnue", argv[1]);
	}
	if ((conn = cli_connect(ctx)) == NULL)
		return 1;
	rc = instrument_list(conn);
	PQfinish(conn);
	return rc;
}
