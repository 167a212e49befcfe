/*
 * msp-report [report] --region NAME [OPTION]... — the study's tables.
 *
 * Options are validated here, once; lib/report/report.c builds the document
 * and lib/report/format.c renders it.  Identity comes from the environment
 * (MSP_TOKEN) and the disclosure threshold from the database
 * (msp.disclosure_policy), never from an option: the person disclosure
 * control protects against is the one typing the command.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "report/format.h"
#include "report/report.h"

static const char usage_text[] =
"Usage: msp-report --region NAME [OPTION]...\n"
"       msp-report --compare REGION,REGION [OPTION]...\n"
"       msp-report --compare STUDY,STUDY [OPTION]...   (two waves)\n"
"       msp-report --has [--region NAME] [--matrix ATTRIBUTE]\n"
"                  [--cooccurrence]\n"
"The tables of a study: targeted population and response rate,\n"
"structure characteristics, involvement, priority and intention, freins\n"
"and leviers, every proportion with its Wilson 95% interval.\n"
"\n"
"  --region NAME      region, by slug or name (case and accents ignored)\n"
"  --study SLUG       one of the region's studies (default: the latest)\n"
"  --by VARIABLE      compare groups (e.g. usagers): counts per group\n"
"                     and the p-value of each characteristic\n"
"  --nonresponse      participants vs the rest of the targeted population\n"
"  --compare A,B      compare regions on harmonised variables; or, when\n"
"                     A and B are studies of one region (pdl-2019,\n"
"                     pdl-2025), two waves on the items they share,\n"
"                     matched by name, with the differences listed\n"
"  --has              freins and leviers by HAS category, region, stage,\n"
"                     from the resolved codings of open answers and\n"
"                     interviews; how many codings began as suggestions\n"
"  --matrix ATTRIBUTE with --has: codes x region, stage, profession,\n"
"                     structure_type, or item:KEY (the team's answer to\n"
"                     questionnaire item KEY, e.g. item:coconstruct:\n"
"                     interview codes crossed with the questionnaire)\n"
"  --cooccurrence     with --has: codes found together in one open answer\n"
"                     or one interview passage\n"
"  --terms ITEM       most frequent terms of an open item\n"
"  --top N            how many terms (default 10)\n"
"  --nsp keep|exclude     'ne sait pas' answers: a category of their own\n"
"                         (default) or left out of percentages and tests\n"
"  --missing exclude|keep no answer: left out (default) or a category\n"
"  --format FORMAT    text (default), csv, json, markdown, html\n"
"  --adjust holm|bh|none  p-values of a table with several tests,\n"
"                     adjusted as R's p.adjust(): Holm (default), or\n"
"                     Benjamini-Hochberg, or not at all\n"
"  --weights frame|VAR[,VAR]...\n"
"                     respondents weighted back to the frame: on every\n"
"                     frame characteristic known for all targeted\n"
"                     structures (frame: post-stratification on their\n"
"                     cells), on one (post-stratification) or on\n"
"                     several (raking on their margins), e.g.\n"
"                     federation_member; adds the weighted percentages\n"
"                     with standard errors and logit 95% intervals (as\n"
"                     R's survey package), the weights' range and\n"
"                     Kish's effective sample size\n"
"  --recount          count from the answers themselves, not from the\n"
"                     running totals and the cache that make the owner's\n"
"                     and analysts' reports fast (slow on a large study;\n"
"                     a check of those totals)\n"
"  --as-federation    the owner or an analyst: the report a federation\n"
"                     of the region would get, counted live with its\n"
"                     disclosure control (the study's protection plan\n"
"                     when it holds, block by block otherwise), even for\n"
"                     a study not yet published; no small-study minimum\n"
"                     for --by\n"
"  -d, --database URL PostgreSQL connection string\n"
"  -h, --help         show this help and exit\n"
"\n"
"Tests: Pearson's chi-squared without continuity correction when every\n"
"expected count is >= 5, else Fisher's exact test; each row names\n"
"its test and Cramer's V (without continuity correction).\n"
"\n"
"Environment:\n"
"  MSP_TOKEN                 bearer token: the report sees what the\n"
"                            token's role sees; without one, the\n"
"                            connection's own role (everything)\n"
"  MSP_REPORT_DATABASE_URL   the database reports read, unless\n"
"                            --database: it may be a streaming-\n"
"                            replication hot standby of the primary\n"
"                            (nothing is written there; the owner's and\n"
"                            analysts' cache is kept by their reports on\n"
"                            the primary); default MSP_DATABASE_URL\n"
"\n"
"For a federation token, counts from 1 to the threshold minus 1 are\n"
"suppressed; the threshold is set in the database (5 unless the owner\n"
"changed it: msp-report disclosure threshold).  MSP_DISCLOSURE_THRESHOLD\n"
"is no longer read: set, it is an error.  A federation reads a study's\n"
"published release only: an open study is published when it closes\n"
"(its fieldwork: msp-report fieldwork), a closed one once protected\n"
"(msp-report study close, or disclosure-protect).\n"
"\n"
"Exit status: 0 on success, 1 on failure, 2 on a usage error.\n";

/* "msp-report report: WHAT 'ARG'" (ARG may be NULL) and the hint, in
 * French like the other commands; returns 2. */
static int
usage_error(const char *what, const char *arg)
{
	return cli_usage_error("report", what, arg);
}

static int
parse_keep(const char *s, enum report_keep *out)
{
	if (strcmp(s, "keep") == 0)
		*out = REPORT_KEEP;
	else if (strcmp(s, "exclude") == 0)
		*out = REPORT_EXCLUDE;
	else
		return -1;
	return 0;
}

/* Whether s is an attribute --matrix takes: region, stage, profession,
 * structure_type, or item:KEY with an item key ([a-z0-9_], 1-63). */
static int
valid_matrix(const char *s)
{
	static const char *const attrs[] = {
		"region", "stage", "profession", "structure_type",
	};
	size_t i, n;

	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		if (strcmp(s, attrs[i]) == 0)
			return 1;
	if (strncmp(s, "item:", 5) != 0)
		return 0;
	n = strlen(s + 5);
	if (n == 0 || n > 63)
		return 0;
	for (i = 5; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/* Writes all of buf to stdout; -1 on a write error. */
static int
write_out(const struct buf *b)
{
	if (b->len > 0 && fwrite(b->data, 1, b->len, stdout) != b->len)
		return -1;
	return fflush(stdout) == 0 ? 0 : -1;
}

int
cmd_report(const struct cli_context *ctx, int argc, char **argv)
{
	enum {
		OPT_REGION = 256, OPT_STUDY, OPT_BY, OPT_COMPARE,
		OPT_NONRESPONSE, OPT_HAS, OPT_TERMS, OPT_TOP, OPT_NSP,
		OPT_MISSING, OPT_FORMAT, OPT_RECOUNT, OPT_ADJUST,
		OPT_WEIGHTS, OPT_MATRIX, OPT_COOCCURRENCE, OPT_AS_FEDERATION,
	};
	static const struct option longopts[] = {
		{ "region", required_argument, NULL, OPT_REGION },
		{ "study", required_argument, NULL, OPT_STUDY },
		{ "by", required_argument, NULL, OPT_BY },
		{ "compare", required_argument, NULL, OPT_COMPARE },
		{ "nonresponse", no_argument, NULL, OPT_NONRESPONSE },
		{ "has", no_argument, NULL, OPT_HAS },
		{ "terms", required_argument, NULL, OPT_TERMS },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "nsp", required_argument, NULL, OPT_NSP },
		{ "missing", required_argument, NULL, OPT_MISSING },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "recount", no_argument, NULL, OPT_RECOUNT },
		{ "adjust", required_argument, NULL, OPT_ADJUST },
		{ "weights", required_argument, NULL, OPT_WEIGHTS },
		{ "matrix", required_argument, NULL, OPT_MATRIX },
		{ "cooccurrence", no_argument, NULL, OPT_COOCCURRENCE },
		{ "as-federation", no_argument, NULL, OPT_AS_FEDERATION },
		{ "database", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_context local = *ctx;
	struct report_options opt;
	struct report_source source;
	struct msp_error err;
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	struct rdoc *doc = NULL;
	PGconn *conn = NULL;
	enum format_kind format = FORMAT_TEXT;
	int c, status = 1, f;
	unsigned long top;
	char *end;

	report_options_init(&opt);
	/* main() may have stopped getopt mid-way: start afresh; its
	 * English messages stay silenced, usage_error() says it */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_REGION:
			opt.region = optarg;
			break;
		case OPT_STUDY:
			opt.study = optarg;
			break;
		case OPT_BY:
			opt.by = optarg;
			break;
		case OPT_COMPARE:
			opt.compare = optarg;
			break;
		case OPT_NONRESPONSE:
			opt.nonresponse = 1;
			break;
		case OPT_HAS:
			opt.has = 1;
			break;
		case OPT_ADJUST:
			if (stats_adjust_parse(optarg, &opt.adjust) != 0)
				return usage_error("--adjust invalide (holm, "
						   "bh ou none)", optarg);
			break;
		case OPT_WEIGHTS:
			if (*optarg == '\0')
				return usage_error("--weights vide (frame, ou "
						   "des variables du cadre "
						   "séparées par des virgules)",
						   NULL);
			opt.weights = optarg;
			break;
		case OPT_AS_FEDERATION:
			opt.preview = 1;
			break;
		case OPT_RECOUNT:
			opt.recount = 1;
			break;
		case OPT_MATRIX:
			if (!valid_matrix(optarg))
				return usage_error("--matrix invalide (region, "
						   "stage, profession, "
						   "structure_type ou "
						   "item:CLE)", optarg);
			opt.matrix = optarg;
			break;
		case OPT_COOCCURRENCE:
			opt.cooccurrence = 1;
			break;
		case OPT_TERMS:
			opt.terms = optarg;
			break;
		case OPT_TOP:
			errno = 0;
			top = strtoul(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    optarg[0] == '-' || top < 1 ||
			    top > REPORT_MAX_TOP)
				return usage_error("--top invalide (un nombre "
						   "de 1 à 1000)", optarg);
			opt.top = (unsigned)top;
			break;
		case OPT_NSP:
			if (parse_keep(optarg, &opt.dont_know) != 0)
				return usage_error("--nsp invalide (keep ou "
						   "exclude)", optarg);
			break;
		case OPT_MISSING:
			if (parse_keep(optarg, &opt.missing) != 0)
				return usage_error("--missing invalide (keep "
						   "ou exclude)", optarg);
			break;
		case OPT_FORMAT:
			f = format_parse(optarg);
			if (f < 0)
				return usage_error("format inconnu (text, csv, "
						   "json, markdown ou html)",
						   optarg);
			format = (enum format_kind)f;
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
	if (opt.region == NULL && opt.compare == NULL && !opt.has)
		return usage_error("--region NOM est obligatoire (ou "
				   "--compare, ou --has)", NULL);
	if (opt.compare != NULL && (opt.region != NULL || opt.by != NULL ||
				    opt.nonresponse || opt.terms != NULL))
		return usage_error("--compare ne va pas avec --region, "
				   "--by, --nonresponse ni --terms", NULL);
	if ((opt.matrix != NULL || opt.cooccurrence) && !opt.has)
		return usage_error("--matrix et --cooccurrence complètent "
				   "--has", NULL);
	if (opt.study != NULL && opt.region == NULL)
		return usage_error("--study demande --region", NULL);
	opt.token = cli_token();
	conn = cli_connect_reports(&local);
	if (conn == NULL)
		goto out;
	opt.source = &source;
	if (report_build(conn, &opt, &doc, &err) != MSP_OK ||
	    format_render(doc, format, &out, &err) != MSP_OK) {
		cli_fail(&err);
		goto out;
	}
	/* the report stands; the next one will be slower */
	if (source.cache_failed)
		fprintf(stderr, "msp-report: avertissement : le cache du "
			"rapport n'a pas été écrit : %s\n",
			source.cache_err.message);
	if (write_out(&out) != 0) {
		fprintf(stderr, "msp-report: écriture du rapport : %s\n",
			strerror(errno));
		goto out;
	}
	status = 0;
out:
	rdoc_free(doc);
	buf_free(&out);
	PQfinish(conn);
	return status;
}
