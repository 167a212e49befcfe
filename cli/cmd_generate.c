/*
 * msp-report generate — a synthetic study, for load and report tests.
 *
 * Only the command line is here; lib/synth.c generates and loads.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "synth.h"

static const char generate_usage[] =
"Usage: msp-report generate --region SLUG [OPTION]...\n"
"\n"
"Creates a synthetic study in region SLUG and loads it: its targeted\n"
"population of made-up structures (pseudonyms, type, département, sites,\n"
"years, ACI, CPTS, CLS, federation, staff counts), their contact log,\n"
"responses and answers.  Answers are drawn from the instrument's own\n"
"definition: only options it lists, numbers within its bounds (whole\n"
"where it says so), texts within max_length, one code for a single\n"
"choice, an item only when its \"show if\" holds, every required item in\n"
"a complete response.  Where real or reconstructed studies of the same\n"
"instrument have answers, choices, numbers, skip rates, roles and the\n"
"share of partial responses follow their distribution.\n"
"\n"
"The study is marked synthetic (study.synthetic, and a source_note that\n"
"gives the seed); reports can leave it out.  The same seed and options\n"
"on the same reference data give the same rows.  Everything is loaded\n"
"with COPY in one transaction: all of it is stored, or nothing.\n"
"\n"
"A structure may answer several times: responses go to the\n"
"participating structures in turn (each answers once before any answers\n"
"twice), as several respondents of one team would.  About 58 % of the\n"
"federation's members and 30 % of the others participate, as in PdL\n"
"2019; the others stay in the population as non-participants.\n"
"\n"
"Options:\n"
"  --region SLUG          the region of the study (required)\n"
"  --responses N          responses to generate (default 1000)\n"
"  --structures M         size of the targeted population (default:\n"
"                         twice N, at most 1000)\n"
"  --seed S               seed, 0 to 2^64-1 (default 1)\n"
"  --instrument SLUG[:V]  the instrument, version V or the latest\n"
"  --like STUDY           the instrument of study STUDY; with neither, that\n"
"                         of the region's latest study not synthetic\n"
"  --study-slug SLUG      the new study's slug (default\n"
"                         synthetic-REGION-SEED)\n"
"  --year Y               year of the fieldwork, 1 March to 31 May\n"
"                         (default 2024)\n"
"  --checked              load through the answer trigger, the foreign\n"
"                         keys and the audit triggers, as any client\n"
"                         does: needs no superuser, but is much slower\n"
"  --indexes WHEN         auto (default), rebuild or keep: whether the\n"
"                         fast load drops the indexes of msp.response and\n"
"                         msp.answer that no foreign key needs and builds\n"
"                         them again after the COPY.  auto does for loads\n"
"                         of 100000 responses or more into a response\n"
"                         table that holds fewer.  A rebuild is faster,\n"
"                         but locks both tables against every other\n"
"                         session, readers included, until COMMIT\n"
"  -q, --quiet            print only the final line\n"
"  -h, --help             show this help and exit\n"
"\n"
"By default the load runs with session_replication_role = replica, which\n"
"only a superuser may set: it switches off the answer trigger, the audit\n"
"triggers and the foreign keys for this transaction alone.  The rows are\n"
"then checked by SQL before COMMIT (every answer against its item; \"show\n"
"if\", single choice and required items on every response up to 20000,\n"
"on an evenly spaced sample of 20000 beyond) and one audit row per table\n"
"records the load.  It also writes the running totals of the answers\n"
"that the report reads (migration 0014), which the triggers it switched\n"
"off would have kept.  docs/generator.md gives the reasons and the\n"
"measurements.\n"
"\n"
"Progress goes to standard error; the last line, on standard output,\n"
"gives the study and the counts of rows loaded and the time taken.\n"
"\n"
"Exit status: 0 on success, 1 on failure (nothing stored), 2 on a usage\n"
"error.\n";

/* A whole number in [min, max] from text, or -1 with a message. */
static int
parse_count(const char *name, const char *text, long min, long max,
	    long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "msp-report generate: --%s: a whole number"
			" from %ld to %ld\n", name, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static int
parse_seed(const char *text, uint64_t *out)
{
	char *end;
	uintmax_t v;

	errno = 0;
	v = strtoumax(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || text[0] == '-' ||
	    v > UINT64_MAX) {
		fputs("msp-report generate: --seed: a whole number from 0 to"
		      " 18446744073709551615\n", stderr);
		return -1;
	}
	*out = (uint64_t)v;
	return 0;
}

static int
parse_indexes(const char *text, enum synth_indexes *out)
{
	if (strcmp(text, "auto") == 0)
		*out = SYNTH_INDEXES_AUTO;
	else if (strcmp(text, "rebuild") == 0)
		*out = SYNTH_INDEXES_REBUILD;
	else if (strcmp(text, "keep") == 0)
		*out = SYNTH_INDEXES_KEEP;
	else {
		fputs("msp-report generate: --indexes: auto, rebuild or"
		      " keep\n", stderr);
		return -1;
	}
	return 0;
}

int
cmd_generate(const struct cli_context *ctx, int argc, char **argv)
{
	enum {
		OPT_REGION = 256, OPT_RESPONSES, OPT_STRUCTURES, OPT_SEED,
		OPT_INSTRUMENT, OPT_LIKE, OPT_SLUG, OPT_YEAR, OPT_CHECKED,
		OPT_INDEXES,
	};
	static const struct option longopts[] = {
		{ "region", required_argument, NULL, OPT_REGION },
		{ "responses", required_argument, NULL, OPT_RESPONSES },
		{ "structures", required_argument, NULL, OPT_STRUCTURES },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "instrument", required_argument, NULL, OPT_INSTRUMENT },
		{ "like", required_argument, NULL, OPT_LIKE },
		{ "study-slug", required_argument, NULL, OPT_SLUG },
		{ "year", required_argument, NULL, OPT_YEAR },
		{ "checked", no_argument, NULL, OPT_CHECKED },
		{ "indexes", required_argument, NULL, OPT_INDEXES },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct synth_options opt = {
		.responses = 1000, .seed = 1, .year = 2024,
		.progress = stderr,
	};
	struct synth_result res;
	struct msp_error err;
	PGconn *conn = NULL;
	long year = 0;
	int c, rc = 2;

	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_REGION:
			opt.region = optarg;
			break;
		case OPT_RESPONSES:
			if (parse_count("responses", optarg, 0,
					SYNTH_RESPONSES_MAX,
					&opt.responses) != 0)
				return 2;
			break;
		case OPT_STRUCTURES:
			if (parse_count("structures", optarg, 1,
					SYNTH_STRUCTURES_MAX,
					&opt.structures) != 0)
				return 2;
			break;
		case OPT_SEED:
			if (parse_seed(optarg, &opt.seed) != 0)
				return 2;
			break;
		case OPT_INSTRUMENT:
			opt.instrument = optarg;
			break;
		case OPT_LIKE:
			opt.like = optarg;
			break;
		case OPT_SLUG:
			opt.study_slug = optarg;
			break;
		case OPT_YEAR:
			if (parse_count("year", optarg, 2000, 2100, &year) != 0)
				return 2;
			opt.year = (int)year;
			break;
		case OPT_CHECKED:
			opt.checked = 1;
			break;
		case OPT_INDEXES:
			if (parse_indexes(optarg, &opt.indexes) != 0)
				return 2;
			break;
		case 'q':
			opt.progress = NULL;
			break;
		case 'h':
			fputs(generate_usage, stdout);
			return 0;
		default:
			fputs("Try 'msp-report generate --help'.\n", stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "msp-report generate: unexpected argument"
			" '%s'\n", argv[optind]);
		return 2;
	}
	if (opt.region == NULL) {
		fputs("msp-report generate: --region is required\n"
		      "Try 'msp-report generate --help'.\n", stderr);
		return 2;
	}
	if (opt.instrument != NULL && opt.like != NULL) {
		fputs("msp-report generate: --instrument and --like exclude"
		      " each other\n", stderr);
		return 2;
	}
	rc = 1;
	conn = cli_connect(ctx);
	if (conn == NULL)
		goto out;
	if (synth_generate(conn, &opt, &res, &err) != MSP_OK) {
		cli_fail(&err);
		goto out;
	}
	printf("%s: %ld structures, %ld staff rows, %ld contacts,"
	       " %ld responses, %ld answers in %.1f s (load %.1f s of which"
	       " responses %.1f s and answers %.1f s, ", res.study_slug,
	       res.structures, res.staff, res.contacts, res.responses,
	       res.answers, res.total_seconds, res.load_seconds,
	       res.responses_seconds, res.answers_seconds);
	if (res.rebuilt_indexes)
		printf("indexes rebuilt %.1f s, ", res.index_seconds);
	printf("check %.1f s)\n", res.check_seconds);
	rc = 0;
out:
	PQfinish(conn);
	return rc;
}
