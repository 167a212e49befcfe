/*
 * msp-report fieldwork — the fieldwork monitor (issue 18, item 7).
 *
 * The document is built by lib/report/fieldwork.c (what it counts, who
 * sees what), the same builder the page /fieldwork/{study} uses, and
 * printed by the report's renderers, so every format of the reports is
 * there, the HTML one with its inline SVG bar chart.  This file reads
 * the options, enters the token's identity and says failures in French.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report/fieldwork.h"
#include "report/format.h"

static const char usage_text[] =
"Usage: msp-report fieldwork --study SLUG [--format FORMAT]\n"
"\n"
"The fieldwork monitor of a study: of its frame's structures, how many\n"
"were invited (msp-report invite), opened their link, saved answers\n"
"without sending them (partial), sent them (complete), and the\n"
"response rate, complete / frame size; overall, per département,\n"
"structure type and federation membership, and day by day since the\n"
"opening (with a bar chart in HTML).\n"
"\n"
"  --format FORMAT   text (default), csv, json, markdown, html\n"
"\n"
"As the owner or an analyst (MSP_TOKEN): every figure.  As a federation:\n"
"the studies of its region, counts below the database's threshold\n"
"(msp-report disclosure threshold; 5 unless the owner changed it)\n"
"suppressed with the ones that would give them back, no day-by-day\n"
"table.\n"
"\n"
"Read from MSP_REPORT_DATABASE_URL (it may be a streaming-replication\n"
"hot standby, seconds behind at most; default MSP_DATABASE_URL).\n"
"Exit status: 0 on success, 1 on a failure, 2 on a usage error.\n";

int
cmd_fieldwork(const struct cli_context *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "study", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *study = NULL;
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	struct rdoc *doc = NULL;
	enum tenant_kind kind;
	struct msp_error err;
	PGconn *conn = NULL;
	int c, format = FORMAT_TEXT, rc = 1;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': study = optarg; break;
		case 'f':
			if ((format = format_parse(optarg)) < 0)
				return cli_usage_error("fieldwork",
						       "format inconnu",
						       optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cli_usage_error("fieldwork", "option inconnue "
					       "ou sans valeur",
					       argv[optind - 1]);
		}
	}
	if (study == NULL)
		return cli_usage_error("fieldwork", "--study est obligatoire",
				       NULL);
	if (optind < argc)
		return cli_usage_error("fieldwork", "argument en trop",
				       argv[optind]);
	if ((conn = cli_connect_reports(ctx)) == NULL)
		return 1;
	if (cli_begin(conn, "fieldwork", &kind) != 0)
		goto out;
	if (fieldwork_build(conn, study, kind, &doc, &err) != MSP_OK) {
		if (err.status == MSP_EDB)
			cli_db_refusal("fieldwork", &err);
		else if (err.status == MSP_EINVAL ||
			 err.status == MSP_EACCESS)
			fprintf(stderr, "msp-report fieldwork: %s\n",
				err.message);
		else
			cli_fail(&err);
		goto out;
	}
	if (format_render(doc, (enum format_kind)format, &out, &err)
	    != MSP_OK || buf_status(&out, &err) != MSP_OK) {
		cli_fail(&err);
		goto out;
	}
	fwrite(out.data, 1, out.len, stdout);
	rc = fflush(stdout) != 0;
out:
	if (conn != NULL) {
		cli_rollback(conn);
		PQfinish(conn);
	}
	rdoc_free(doc);
	buf_free(&out);
	return rc;
}
