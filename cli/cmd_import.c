/*
 * msp-report import --study SLUG --mapping FILE FILE.csv — a survey
 * tool's CSV export into a study (lib/import.c does the work).
 *
 * Identity comes from the environment, as for the reports: MSP_TOKEN
 * (a team writes only for its own structure, an analyst for any), or
 * the connection's own role.  Refusals go to stderr, one line each;
 * stdout gets the summary only, so that scripts can read it.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "file.h"
#include "import.h"
#include "settings.h"

/* The file itself has no limit: it is read a record at a time. */
#define IMPORT_MAP_MAX (1u << 20)

/* Seconds between two progress lines. */
#define PROGRESS_EVERY 3

static const char usage_text[] =
"Usage: msp-report import --study SLUG --mapping MAP [OPTION]... FILE.csv\n"
"Load a Microsoft Forms or LimeSurvey CSV export into a study.\n"
"\n"
"Every row is checked against the study's questionnaire with the API's\n"
"rules (options, bounds, lengths, questions asked given the other\n"
"answers, required items).  If any row is refused, nothing is stored\n"
"and every refusal is listed on stderr: line, column, item and reason.\n"
"Otherwise all rows are stored in one transaction, read again from the\n"
"file a thousand at a time (so FILE must be a file, not a pipe; its\n"
"size does not matter: memory holds one batch).  A row imported\n"
"before (same @id column value, or the same line of the same file) is\n"
"not stored again.  Team identifiers are never stored: only their\n"
"pseudonym, as the forms do.  docs/import-export.md describes MAP.\n"
"\n"
"  --study SLUG          the study to load into (e.g. occitanie-2024)\n"
"  -m, --mapping MAP     the column-to-item mapping file\n"
"  --delimiter C         ',' ';' or 'tab' (default: detected from the\n"
"                        header line)\n"
"  --progress            a progress line every few seconds on stderr, even\n"
"                        when it is not a terminal\n"
"  -q, --quiet           no progress lines, no warning for unmapped\n"
"                        columns\n"
"  -d, --database URL    PostgreSQL connection string\n"
"  -h, --help            show this help and exit\n"
"\n"
"Output: on stdout, one line 'N rows: S stored, R already imported';\n"
"on stderr, warnings, refusals (the first 1000 listed, all counted)\n"
"and, when stderr is a terminal or with --progress, a line every few\n"
"seconds: rows checked, then rows stored and the rate.\n"
"\n"
"Environment:\n"
"  MSP_TOKEN        bearer token whose rights the rows are written with:\n"
"                   a team token, its own structure only; an analyst\n"
"                   token, any structure; a federation token, none.\n"
"                   Without one, the connection's own role.\n"
"  MSP_SECRET_FILE  the server secret, needed when the mapping has an\n"
"                   @structure column (identifiers to pseudonymise)\n"
"\n"
"Exit status: 0 on success, 1 on failure (nothing stored), 2 on a usage\n"
"error.\n";

static int
usage_error(const char *what, const char *arg)
{
	return cli_usage_error("import", what, arg);
}

/* Progress lines: one every PROGRESS_EVERY seconds, and one at the end
 * of each reading. */
struct progress {
	struct timespec start, last;
};

static double
seconds_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void
show_progress(void *arg, enum import_phase phase, size_t done,
	      size_t total)
{
	struct progress *p = arg;
	struct timespec now;
	double elapsed;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (phase == IMPORT_STORING && done == total && total > 0)
		;	/* the last line of storing: always */
	else if (seconds_between(&p->last, &now) < PROGRESS_EVERY)
		return;
	p->last = now;
	elapsed = seconds_between(&p->start, &now);
	if (phase == IMPORT_CHECKING)
		fprintf(stderr, "msp-report: import: %zu rows checked "
			"(%.0f s)\n", done, elapsed);
	else
		fprintf(stderr, "msp-report: import: %zu of %zu rows stored "
			"(%.0f s, %.0f rows/s overall)\n", done, total,
			elapsed, elapsed > 0 ? (double)done / elapsed : 0.0);
	fflush(stderr);
}

static void
print_refusals(const char *path, const struct import_result *res)
{
	size_t i;

	for (i = 0; i < res->n_rejects; i++) {
		const struct import_reject *r = &res->rejects[i];

		fprintf(stderr, "msp-report: %s line %zu", path, r->line);
		if (r->column != NULL)
			fprintf(stderr, ", column \"%s\"", r->column);
		fprintf(stderr, " (%s): %s\n", r->field, r->message);
	}
	if (res->n_more_rejects > 0)
		fprintf(stderr, "msp-report: %s: %zu more refusal%s, not "
			"listed\n", path, res->n_more_rejects,
			res->n_more_rejects > 1 ? "s" : "");
}

static void
print_unmapped(const struct import_result *res)
{
	size_t i;

	if (res->n_unmapped == 0)
		return;
	fprintf(stderr, "msp-report: warning: %zu column%s not mapped, "
		"not imported (map %s or mark %s @ignore):",
		res->n_unmapped, res->n_unmapped > 1 ? "s" : "",
		res->n_unmapped > 1 ? "them" : "it",
		res->n_unmapped > 1 ? "them" : "it");
	for (i = 0; i < res->n_unmapped; i++)
		fprintf(stderr, "%s \"%s\"", i ? "," : "", res->unmapped[i]);
	fputc('\n', stderr);
}

int
cmd_import(const struct cli_context *ctx, int argc, char **argv)
{
	enum { OPT_STUDY = 256, OPT_DELIMITER, OPT_PROGRESS };
	static const struct option longopts[] = {
		{ "study", required_argument, NULL, OPT_STUDY },
		{ "mapping", required_argument, NULL, 'm' },
		{ "delimiter", required_argument, NULL, OPT_DELIMITER },
		{ "progress", no_argument, NULL, OPT_PROGRESS },
		{ "quiet", no_argument, NULL, 'q' },
		{ "database", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_context local = *ctx;
	struct import_options o = { .study = NULL };
	struct import_result res = { .n_rows = 0 };
	struct progress bar;
	struct secret secret = { NULL, 0 };
	struct msp_error err;
	const char *mapping = NULL, *path;
	char *map = NULL;
	FILE *csv = NULL;
	size_t map_len, i;
	PGconn *conn = NULL;
	int c, quiet = 0, progress = 0, status = 1;
	enum msp_status st;

	optind = 0;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "m:qd:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_STUDY:
			o.study = optarg;
			break;
		case 'm':
			mapping = optarg;
			break;
		case OPT_DELIMITER:
			if (strcmp(optarg, "tab") == 0)
				o.delimiter = '\t';
			else if (strcmp(optarg, ",") == 0 ||
				 strcmp(optarg, ";") == 0)
				o.delimiter = optarg[0];
			else
				return usage_error("--delimiter takes ',', "
						   "';' or 'tab', not",
						   optarg);
			break;
		case OPT_PROGRESS:
			progress = 1;
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
			fputs("Try 'msp-report import --help'.\n", stderr);
			return 2;
		}
	}
	if (o.study == NULL)
		return usage_error("--study SLUG is required", NULL);
	if (mapping == NULL)
		return usage_error("--mapping MAP is required", NULL);
	if (optind != argc - 1)
		return usage_error(optind < argc ? "one file only, not also"
				   : "the CSV file is missing",
				   optind < argc ? argv[optind + 1] : NULL);
	path = argv[optind];
	o.token = cli_token();
	if (progress || (!quiet && isatty(STDERR_FILENO))) {
		clock_gettime(CLOCK_MONOTONIC, &bar.start);
		bar.last = bar.start;
		o.progress = show_progress;
		o.progress_arg = &bar;
	}
	if (settings_secret_file()[0] != '\0') {
		if (secret_load(settings_secret_file(), &secret, &err) !=
		    MSP_OK)
			return cli_fail(&err);
		o.secret = &secret;
	}
	if ((st = file_read(mapping, IMPORT_MAP_MAX, &map, &map_len, &err)) !=
	    MSP_OK) {
		cli_fail(&err);
		goto out;
	}
	if ((csv = fopen(path, "r")) == NULL) {
		fprintf(stderr, "msp-report: %s: %s\n", path,
			strerror(errno));
		goto out;
	}
	conn = cli_connect(&local);
	if (conn == NULL)
		goto out;
	st = import_file(conn, &o, csv, map, map_len, &res, &err);
	if (!quiet)
		print_unmapped(&res);
	print_refusals(path, &res);
	if (st != MSP_OK) {
		if (strncmp(err.message, "mapping: ", 9) == 0)
			fprintf(stderr, "msp-report: %s: %s\n", mapping,
				err.message + 9);
		else
			fprintf(stderr, "msp-report: %s: %s\n", path,
				err.message);
		goto out;
	}
	for (i = 0; i < res.n_changed; i++)
		fprintf(stderr, "msp-report: warning: %s line %zu was "
			"imported before with other answers; the stored "
			"response is kept as it was\n", path,
			res.changed[i]);
	if (res.n_more_changed > 0)
		fprintf(stderr, "msp-report: warning: %zu more lines of %s "
			"were imported before with other answers\n",
			res.n_more_changed, path);
	printf("%zu row%s: %zu stored, %zu already imported\n", res.n_rows,
	       res.n_rows == 1 ? "" : "s", res.n_stored, res.n_replayed);
	status = fflush(stdout) == 0 ? 0 : 1;
out:
	import_result_clear(&res);
	secret_clear(&secret);
	if (csv != NULL)
		fclose(csv);
	free(map);
	PQfinish(conn);
	return status;
}
