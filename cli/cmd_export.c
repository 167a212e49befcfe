/*
 * msp-report export --study SLUG [-o PATH] — a study's responses as
 * CSV, with an R script, SPSS syntax and a mapping to import it again
 * (lib/export.c does the work).  Identity as for the reports: MSP_TOKEN,
 * or the connection's own role.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "cli.h"
#include "export.h"

static const char usage_text[] =
"Usage: msp-report export --study SLUG [-o PATH]\n"
"Write a study's responses as CSV, with what reads them back.\n"
"\n"
"Four files, PATH being a prefix (default: ./SLUG) or a directory\n"
"(files DIR/SLUG.*):\n"
"  PREFIX.csv  one row per response, one column per item (RFC 4180,\n"
"              UTF-8): response_id, structure (pseudonym; identifiers\n"
"              are never stored), respondent_role, status, submitted_at\n"
"              (UTC), then the items in the questionnaire's order: a\n"
"              choice as its option code, a multiple choice as one 0/1\n"
"              column per option named ITEM.OPTION, oui/non as 1/0,\n"
"              numbers with a point; no answer: -1 when the item was\n"
"              not asked (« non posée »), -9 when it was (« sans\n"
"              réponse »); a text that a spreadsheet would run as a\n"
"              formula (= + - @ ...) gets a leading '\n"
"  PREFIX.R    base R: reads the CSV with factors (levels: option codes,\n"
"              labels: the French labels), each question in\n"
"              attr(x, \"label\"), missing answers NA and why in\n"
"              attr(x, \"manquant\")\n"
"  PREFIX.sps  SPSS syntax: GET DATA, MISSING VALUES, VARIABLE LABELS,\n"
"              VALUE LABELS\n"
"  PREFIX.map  the mapping with which 'msp-report import' reads the CSV\n"
"              back (into another database: importing it where it came\n"
"              from would add copies)\n"
"\n"
"  --study SLUG          the study (e.g. occitanie-2024)\n"
"  -o, --output PATH     prefix of the files, or an existing directory\n"
"  -d, --database URL    PostgreSQL connection string\n"
"  -h, --help            show this help and exit\n"
"\n"
"Environment:\n"
"  MSP_TOKEN   bearer token: the export holds what the token's role sees\n"
"              (a team its own responses, an analyst every one); a\n"
"              federation's is refused: it reads aggregates (msp-report\n"
"              --region); without one, the connection's own role\n"
"  MSP_REPORT_DATABASE_URL  the database the export reads (it may be a\n"
"              streaming-replication hot standby), unless --database;\n"
"              default MSP_DATABASE_URL\n"
"\n"
"Exit status: 0 on success, 1 on failure, 2 on a usage error.\n";

static int
usage_error(const char *what, const char *arg)
{
	return cli_usage_error("export", what, arg);
}

/* Writes b to path; prints why not and returns -1. */
static int
write_file(const char *path, const struct buf *b)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || (b->len > 0 && fwrite(b->data, 1, b->len, f) !=
			  b->len) || fclose(f) != 0) {
		fprintf(stderr, "msp-report: %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	return 0;
}

int
cmd_export(const struct cli_context *ctx, int argc, char **argv)
{
	enum { OPT_STUDY = 256 };
	static const struct option longopts[] = {
		{ "study", required_argument, NULL, OPT_STUDY },
		{ "output", required_argument, NULL, 'o' },
		{ "database", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_context local = *ctx;
	struct export_options o = { .study = NULL };
	struct buf prefix = BUF_INIT(BUF_MAX_TEXT);
	struct buf path = BUF_INIT(BUF_MAX_TEXT);
	struct buf r = BUF_INIT(BUF_MAX_DOCUMENT);
	struct buf sps = BUF_INIT(BUF_MAX_DOCUMENT);
	struct buf map = BUF_INIT(BUF_MAX_DOCUMENT);
	struct msp_error err;
	const char *output = NULL, *base;
	struct stat sb;
	FILE *csv = NULL;
	PGconn *conn = NULL;
	const struct {
		const char *ext;
		const struct buf *b;
	} beside[3] = { { "R", &r }, { "sps", &sps }, { "map", &map } };
	size_t n, i;
	int c, status = 1;

	optind = 0;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "o:d:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_STUDY:
			o.study = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'd':
			local.database = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs("Try 'msp-report export --help'.\n", stderr);
			return 2;
		}
	}
	if (o.study == NULL)
		return usage_error("--study SLUG is required", NULL);
	if (optind < argc)
		return usage_error("unexpected argument", argv[optind]);
	if (output == NULL)
		buf_puts(&prefix, o.study);
	else if (stat(output, &sb) == 0 && S_ISDIR(sb.st_mode))
		buf_printf(&prefix, "%s/%s", output, o.study);
	else
		buf_puts(&prefix, output);
	o.token = cli_token();
	buf_printf(&path, "%s.csv", buf_str(&prefix));
	if (buf_status(&prefix, &err) != MSP_OK ||
	    buf_status(&path, &err) != MSP_OK) {
		cli_fail(&err);
		goto out;
	}
	base = strrchr(buf_str(&path), '/');
	o.csv_name = base != NULL ? base + 1 : buf_str(&path);
	conn = cli_connect_reports(&local);
	if (conn == NULL)
		goto out;
	csv = fopen(buf_str(&path), "w");
	if (csv == NULL) {
		fprintf(stderr, "msp-report: %s: %s\n", buf_str(&path),
			strerror(errno));
		goto out;
	}
	if (export_study(conn, &o, csv, &r, &sps, &map, &n, &err) !=
	    MSP_OK) {
		cli_fail(&err);
		/* a refused or failed export leaves no file behind */
		fclose(csv);
		csv = NULL;
		remove(buf_str(&path));
		goto out;
	}
	if (fclose(csv) != 0) {
		csv = NULL;
		fprintf(stderr, "msp-report: %s: %s\n", buf_str(&path),
			strerror(errno));
		goto out;
	}
	csv = NULL;
	printf("%zu response%s: %s\n", n, n == 1 ? "" : "s",
	       buf_str(&path));
	for (i = 0; i < 3; i++) {
		buf_reset(&path);
		buf_printf(&path, "%s.%s", buf_str(&prefix), beside[i].ext);
		if (buf_status(&path, &err) != MSP_OK) {
			cli_fail(&err);
			goto out;
		}
		if (write_file(buf_str(&path), beside[i].b) != 0)
			goto out;
		printf("%s\n", buf_str(&path));
	}
	status = fflush(stdout) == 0 ? 0 : 1;
out:
	if (csv != NULL)
		fclose(csv);
	buf_free(&prefix);
	buf_free(&path);
	buf_free(&r);
	buf_free(&sps);
	buf_free(&map);
	PQfinish(conn);
	return status;
}
