/*
 * msp-report test — a test of independence on a table typed on the
 * command line: the test the reports would choose, and why, with its
 * statistic, degrees of freedom and p-value, as R 4.2 computes them.
 */
#include "config.h"

#include <getopt.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "buf.h"
#include "report/format.h"
#include "report/report_doc.h"
#include "stats.h"

static const char test_usage[] =
"Usage: msp-report test --table TABLE [--fisher | --chisq]\n"
"                       [--alternative two.sided|less|greater]\n"
"                       [--simulate N [--seed S]]\n"
"                       [--format text|csv|json|markdown|html]\n"
"Tests the independence of the rows and columns of a contingency table\n"
"and prints the test used and why, its statistic, degrees of freedom\n"
"and p-value, the table's dimensions and total.\n"
"\n"
"  -t, --table TABLE  the counts, rows separated by ';' and cells by\n"
"                     blanks or commas: \"2 3; 2 3; 5 9; 1 6; 0 6\" is 5\n"
"                     rows of 2 columns; at least 2 rows and 2 columns,\n"
"                     at most 16 of each, whole numbers >= 0\n"
"      --fisher       Fisher's exact test, whatever the expected counts\n"
"      --chisq        Pearson's chi-squared test, whatever the expected\n"
"                     counts\n"
"      --alternative ALT  for a 2x2 table: two.sided (default), less\n"
"                     (odds ratio below 1) or greater (above 1); the\n"
"                     p-value is then Fisher's one-sided one\n"
"      --simulate N   Fisher's p-value by Monte Carlo from N random\n"
"                     tables with the same margins (1 to 10^9), with its\n"
"                     standard error, as R's fisher.test(x,\n"
"                     simulate.p.value = TRUE, B = N): for the tables\n"
"                     the exact test gives up on\n"
"      --seed S       the seed of the random tables (default 1): the\n"
"                     same seed gives the same p-value\n"
"      --format FMT   text (default), csv, json, markdown or html; csv,\n"
"                     markdown and html are the reports' renderings of\n"
"                     one test cell (the method named in each: in the\n"
"                     CSV note, as the reports' tidy CSV does)\n"
"  -h, --help         show this help and exit\n"
"\n"
"Without --fisher or --chisq the test is chosen as the source studies\n"
"chose it (\"Chi-2 ou Fisher selon les effectifs\"): Pearson's\n"
"chi-squared test without continuity correction when every expected\n"
"count (row total x column total / n) is at least 5, else Fisher's\n"
"exact test (Freeman-Halton's extension for tables larger than 2x2).\n"
"\n"
"The p-values are those of R 4.2: chisq.test(x, correct = FALSE) and\n"
"fisher.test(x), both two-sided.  Fisher's test leaves out a row or\n"
"column of zeros, as fisher.test() does (the p-value is the same); the\n"
"chi-squared test refuses one (an expected count would be 0).  Fisher's\n"
"test gives up, with an error that says so, on the rare table too\n"
"large for its network algorithm within its memory and work budget;\n"
"--simulate N then gives a Monte Carlo p-value (never silently).\n"
"\n"
"Every table also gets Cramer's V, sqrt(X2 / (n (min(r, c) - 1))), X2\n"
"without continuity correction (Cramer 1946), on the table without its\n"
"empty rows and columns.  A 2x2 table gets, as R's fisher.test() gives\n"
"them, the conditional maximum-likelihood odds ratio and its exact 95%\n"
"confidence interval (Cornfield 1956), for the alternative asked.\n"
"\n"
"Examples:\n"
"  msp-report test --table \"2 3; 2 3; 5 9; 1 6; 0 6\"\n"
"  msp-report test --chisq --table \"25 12; 18 28\" --format json\n"
"\n"
"Exit status: 0 on success, 1 if the table is invalid or cannot be\n"
"tested (the message says why), 2 on a usage error.\n";


/* What the output says besides the result. */
struct test_report {
	const struct stats_table *table;
	unsigned long n;
	size_t empty_rows, empty_cols;
	enum stats_method asked;
	const struct stats_result *r;
	/* 2×2 only (has_or): fisher.test()'s estimate and interval */
	int has_or;
	enum stats_alternative alt;
	struct stats_odds_ratio or;
	/* --simulate: Fisher's p-value by Monte Carlo */
	int simulated;
	struct stats_simulation sim;
};

/* "msp-report test: WHAT 'ARG'" (ARG may be NULL) and the hint; 2. */
static int
usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "msp-report test: %s", what);
	if (arg != NULL)
		fprintf(stderr, " '%s'", arg);
	fputs("\nTry 'msp-report test --help'.\n", stderr);
	return 2;
}

/* Why this test: the rule and the smallest expected count, in words. */
static void
reason(const struct test_report *t, char *out, size_t size)
{
	const double e = t->r->min_expected;

	if (t->simulated)
		snprintf(out, size, "--simulate %lu was given: Fisher's "
			 "p-value by Monte Carlo (smallest expected count "
			 "%.4g)", t->sim.b, e);
	else if (t->has_or && t->alt != STATS_TWO_SIDED &&
		 t->asked == STATS_AUTO)
		snprintf(out, size, "--alternative %s was given: a one-sided "
			 "test is Fisher's (smallest expected count %.4g)",
			 stats_alternative_name(t->alt), e);
	else if (t->asked == STATS_FISHER)
		snprintf(out, size, "--fisher was given (smallest expected "
			 "count %.4g: the rule would choose %s)", e,
			 e >= 5 ? "chi-squared" : "Fisher");
	else if (t->asked == STATS_CHISQ)
		snprintf(out, size, "--chisq was given (smallest expected "
			 "count %.4g: the rule would choose %s)", e,
			 e >= 5 ? "chi-squared" : "Fisher");
	else if (t->r->method == STATS_CHISQ)
		snprintf(out, size, "every expected count is >= 5 "
			 "(smallest %.4g)", e);
	else
		snprintf(out, size, "an expected count is below 5 "
			 "(smallest %.4g)", e);
}

static const char *
method_title(const struct test_report *t)
{
	if (t->r->method == STATS_CHISQ)
		return "Pearson's chi-squared test, no continuity correction";
	if (t->simulated)
		return "Fisher's exact test, Monte Carlo p-value";
	if (t->table->rows - t->empty_rows == 2 &&
	    t->table->cols - t->empty_cols == 2)
		return "Fisher's exact test";
	return "Fisher's exact test (Freeman-Halton, r x c)";
}

static enum msp_status
print_text(const struct test_report *t, struct msp_error *err)
{
	char why[200];

	reason(t, why, sizeof(why));
	printf("table          %zu x %zu, n = %lu\n", t->table->rows,
	       t->table->cols, t->n);
	if (t->r->method == STATS_FISHER && t->empty_rows + t->empty_cols > 0)
		printf("left out       %zu empty row%s, %zu empty column%s "
		       "(as fisher.test() does)\n", t->empty_rows,
		       t->empty_rows == 1 ? "" : "s", t->empty_cols,
		       t->empty_cols == 1 ? "" : "s");
	printf("test           %s\n", method_title(t));
	printf("why            %s\n", why);
	if (t->r->method == STATS_CHISQ) {
		printf("statistic      X-squared = %.10g\n", t->r->statistic);
		printf("df             %d\n", t->r->df);
	} else {
		printf("statistic      none (exact test)\n");
		printf("df             none\n");
	}
	if (t->has_or && t->alt != STATS_TWO_SIDED)
		printf("alternative    %s (one-sided, Fisher's exact test)\n",
		       stats_alternative_name(t->alt));
	printf("p-value        %.10g\n", t->has_or &&
	       t->alt != STATS_TWO_SIDED ? t->or.p : t->r->p);
	if (t->simulated) {
		printf("std. error     %.4g\n", t->sim.se);
		printf("replicates     %lu (seed %" PRIu64 "), %lu no more "
		       "probable than the table\n", t->sim.b, t->sim.seed,
		       t->sim.hits);
	}
	printf("Cramer's V     %.10g\n", t->r->cramers_v);
	if (t->has_or) {
		printf("odds ratio     %.10g (conditional MLE)\n",
		       t->or.estimate);
		printf("95%% CI         [%.10g, %.10g] (exact, %s)\n",
		       t->or.lo, t->or.hi, stats_alternative_name(t->alt));
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		return msp_error_set(err, MSP_EIO,
				     "writing the result failed");
	return MSP_OK;
}

/*
 * JSON has no infinity: an unbounded odds ratio (a zero cell) is the
 * string "Inf", as R's jsonlite writes it.  NULL when out of memory.
 */
static json_object *
json_number(double v)
{
	if (isinf(v))
		return json_object_new_string(v > 0 ? "Inf" : "-Inf");
	return json_object_new_double(v);
}

static enum msp_status
print_json(const struct test_report *t, struct msp_error *err)
{
	const int chisq = t->r->method == STATS_CHISQ;
	json_object *root = json_object_new_object(), *table = NULL;
	const char *text;
	char why[200];
	int bad = root == NULL;

	reason(t, why, sizeof(why));
	if (!bad) {
		table = json_object_new_object();
		bad |= format_json_add(root, "table", table);
	}
	if (!bad) {
		bad |= format_json_add(table, "rows",
			json_object_new_int64((int64_t)t->table->rows));
		bad |= format_json_add(table, "columns",
			json_object_new_int64((int64_t)t->table->cols));
		bad |= format_json_add(table, "n",
			json_object_new_int64((int64_t)t->n));
		bad |= format_json_add(table, "empty_rows",
			json_object_new_int64((int64_t)t->empty_rows));
		bad |= format_json_add(table, "empty_columns",
			json_object_new_int64((int64_t)t->empty_cols));
		bad |= format_json_add(root, "test", json_object_new_string(
			stats_method_name(t->r->method)));
		bad |= format_json_add(root, "title",
			json_object_new_string(method_title(t)));
		bad |= format_json_add(root, "requested",
			json_object_new_string(stats_method_name(t->asked)));
		bad |= format_json_add(root, "reason",
			json_object_new_string(why));
		bad |= format_json_add(root, "min_expected",
			json_object_new_double(t->r->min_expected));
		/* JSON has no NaN: null where the exact test has none. */
		bad |= json_object_object_add(root, "statistic", chisq ?
			json_object_new_double(t->r->statistic) : NULL) != 0;
		bad |= json_object_object_add(root, "df", chisq ?
			json_object_new_int(t->r->df) : NULL) != 0;
		bad |= format_json_add(root, "p_value",
			json_object_new_double(t->has_or &&
			t->alt != STATS_TWO_SIDED ? t->or.p : t->r->p));
		bad |= format_json_add(root, "cramers_v",
			json_object_new_double(t->r->cramers_v));
	}
	if (!bad && t->simulated) {
		bad |= format_json_add(root, "simulated",
			json_object_new_boolean(1));
		bad |= format_json_add(root, "std_error",
			json_object_new_double(t->sim.se));
		bad |= format_json_add(root, "replicates",
			json_object_new_int64((int64_t)t->sim.b));
		bad |= format_json_add(root, "seed",
			json_object_new_uint64(t->sim.seed));
	}
	if (!bad && t->has_or) {
		json_object *ci = json_object_new_array();

		bad |= format_json_add(root, "alternative",
			json_object_new_string(
				stats_alternative_name(t->alt)));
		bad |= format_json_add(root, "odds_ratio",
			json_number(t->or.estimate));
		bad |= format_json_add(root, "conf_int", ci);
		if (!bad) {
			bad |= json_object_array_add(ci,
				json_number(t->or.lo)) != 0;
			bad |= json_object_array_add(ci,
				json_number(t->or.hi)) != 0;
		}
	}
	text = bad ? NULL : json_object_to_json_string_ext(root,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text != NULL)
		printf("%s\n", text);
	json_object_put(root);
	if (text == NULL)
		return msp_error_set(err, MSP_ENOMEM, "out of memory");
	if (fflush(stdout) != 0 || ferror(stdout))
		return msp_error_set(err, MSP_EIO,
				     "writing the result failed");
	return MSP_OK;
}

/*
 * The test as a report document: the header says what was tested and
 * why, one table holds one test cell, so that csv, markdown and html
 * are the reports' own renderings of it.  Fails with MSP_ENOMEM.
 */
static enum msp_status
test_doc(const struct test_report *t, struct rdoc **out,
	 struct msp_error *err)
{
	struct rdoc *doc = rdoc_new();
	struct rtable *tb;
	struct rrow *row;
	struct rcell *c;
	char why[200];
	enum msp_status rc;

	if (doc == NULL)
		return msp_error_set(err, MSP_ENOMEM, "out of memory");
	reason(t, why, sizeof(why));
	doc->title = "msp-report test";
	rdoc_meta(doc, "table", "table", rdoc_printf(doc, "%zu x %zu, "
		  "n = %lu", t->table->rows, t->table->cols, t->n));
	if (t->r->method == STATS_FISHER && t->empty_rows + t->empty_cols > 0)
		rdoc_meta(doc, "left_out", "left out", rdoc_printf(doc,
			  "%zu empty row(s), %zu empty column(s) (as "
			  "fisher.test() does)", t->empty_rows,
			  t->empty_cols));
	rdoc_meta(doc, "test", "test", method_title(t));
	rdoc_meta(doc, "reason", "why", why);
	/* the cell prints the p-value only: the statistic goes here */
	if (t->r->method == STATS_CHISQ)
		rdoc_meta(doc, "statistic", "statistic", rdoc_printf(doc,
			  "X-squared = %.10g, df = %d", t->r->statistic,
			  t->r->df));
	if (t->has_or)
		rdoc_meta(doc, "alternative", "alternative",
			  stats_alternative_name(t->alt));
	if (t->simulated)
		rdoc_meta(doc, "simulation", "simulation", rdoc_printf(doc,
			  "%lu replicates, seed %" PRIu64 ", %lu no more "
			  "probable than the table", t->sim.b, t->sim.seed,
			  t->sim.hits));
	tb = rdoc_table(doc, "test", method_title(t), 1);
	row = tb == NULL ? NULL : rtable_row(doc, tb, "table", rdoc_printf(
		doc, "%zu x %zu, n = %lu", t->table->rows, t->table->cols,
		t->n), NULL, NULL);
	if (row != NULL) {
		rtable_column(doc, tb, 0, "test", "test");
		c = &row->cells[0];
		c->kind = RCELL_TEST;
		c->test = *t->r;
		if (t->has_or) {
			c->has_or = 1;
			c->alt = t->alt;
			c->odds = t->or;
			c->test.p = t->alt != STATS_TWO_SIDED ? t->or.p :
				    t->r->p;
		}
		if (t->simulated) {
			c->has_sim = 1;
			c->sim_b = t->sim.b;
			c->sim_seed = t->sim.seed;
			c->sim_se = t->sim.se;
		}
	}
	rc = rdoc_status(doc, err);
	if (rc != MSP_OK) {
		rdoc_free(doc);
		return rc;
	}
	*out = doc;
	return MSP_OK;
}

/* csv, markdown, html: the document's rendering, to stdout. */
static enum msp_status
print_doc(const struct test_report *t, enum format_kind kind,
	  struct msp_error *err)
{
	struct rdoc *doc = NULL;
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	enum msp_status rc;

	rc = test_doc(t, &doc, err);
	if (rc != MSP_OK)
		goto out;
	rc = format_render(doc, kind, &out, err);
	if (rc != MSP_OK)
		goto out;
	if (fwrite(buf_str(&out), 1, out.len, stdout) != out.len ||
	    fflush(stdout) != 0)
		rc = msp_error_set(err, MSP_EIO, "writing the result failed");
out:
	buf_free(&out);
	rdoc_free(doc);
	return rc;
}

int
cmd_test(const struct cli_context *ctx, int argc, char **argv)
{
	enum { OPT_FISHER = 256, OPT_CHISQ, OPT_FORMAT, OPT_ALT, OPT_SIM,
	       OPT_SEED };
	static const struct option longopts[] = {
		{ "table", required_argument, NULL, 't' },
		{ "fisher", no_argument, NULL, OPT_FISHER },
		{ "chisq", no_argument, NULL, OPT_CHISQ },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "alternative", required_argument, NULL, OPT_ALT },
		{ "simulate", required_argument, NULL, OPT_SIM },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct stats_table table = { 0, 0, NULL };
	struct stats_result r;
	struct test_report t;
	struct msp_error err;
	enum stats_method method = STATS_AUTO, chosen;
	int format = FORMAT_TEXT;
	enum stats_alternative alt = STATS_TWO_SIDED;
	int alt_given = 0, seed_given = 0;
	unsigned long sim_b = 0;
	uint64_t seed = 1;
	unsigned long long ull;
	char *end;
	const char *text = NULL;
	char short_opt[3] = "-?";
	unsigned long row, col;
	size_t i, j;
	int c, rc = 1;

	(void)ctx;	/* no database: the table is all there is */
	/* Start getopt afresh; ':' first: a missing argument is told
	 * from an unknown option, and the messages are ours. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			text = optarg;
			break;
		case OPT_FISHER:
		case OPT_CHISQ:
			chosen = c == OPT_FISHER ? STATS_FISHER : STATS_CHISQ;
			if (method != STATS_AUTO && method != chosen)
				return usage_error("--fisher and --chisq "
						   "exclude each other", NULL);
			method = chosen;
			break;
		case OPT_FORMAT:
			format = format_parse(optarg);
			if (format < 0)
				return usage_error("unknown format", optarg);
			break;
		case OPT_ALT:
			if (strcmp(optarg, "two.sided") == 0)
				alt = STATS_TWO_SIDED;
			else if (strcmp(optarg, "less") == 0)
				alt = STATS_LESS;
			else if (strcmp(optarg, "greater") == 0)
				alt = STATS_GREATER;
			else
				return usage_error("unknown alternative",
						   optarg);
			alt_given = 1;
			break;
		case OPT_SIM:
		case OPT_SEED:
			/* strtoull takes "-1" as a huge number: refuse signs */
			errno = 0;
			ull = strtoull(optarg, &end, 10);
			if (optarg[0] < '0' || optarg[0] > '9' ||
			    *end != '\0' || errno != 0 ||
			    (c == OPT_SIM && (ull == 0 ||
					      ull > STATS_SIM_MAX_B)))
				return usage_error(c == OPT_SIM ? "--simulate "
						   "needs 1 to 1000000000 "
						   "replicates, not" :
						   "--seed needs a whole "
						   "number >= 0, not",
						   optarg);
			if (c == OPT_SIM)
				sim_b = (unsigned long)ull;
			else {
				seed = (uint64_t)ull;
				seed_given = 1;
			}
			break;
		case 'h':
			fputs(test_usage, stdout);
			return 0;
		case ':':
			return usage_error("missing argument to",
					   argv[optind - 1]);
		default:
			if (optopt != 0) {
				short_opt[1] = (char)optopt;
				return usage_error("unknown option",
						   short_opt);
			}
			return usage_error("unknown option",
					   argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument", argv[optind]);
	if (text == NULL)
		return usage_error("--table TABLE is required", NULL);
	if (alt != STATS_TWO_SIDED && method == STATS_CHISQ)
		return usage_error("--alternative less|greater is Fisher's "
				   "one-sided test: not with --chisq", NULL);
	if (sim_b > 0 && (method == STATS_CHISQ || alt != STATS_TWO_SIDED))
		return usage_error("--simulate is Fisher's two-sided test: "
				   "not with --chisq or --alternative "
				   "less|greater", NULL);
	if (seed_given && sim_b == 0)
		return usage_error("--seed goes with --simulate N", NULL);
	memset(&t, 0, sizeof(t));
	if (stats_table_parse(text, &table, &err) != MSP_OK) {
		rc = cli_fail(&err);
		goto out;
	}
	if (sim_b > 0) {
		if (stats_fisher_simulate(&table, sim_b, seed, &t.sim,
					  &err) != MSP_OK) {
			rc = cli_fail(&err);
			goto out;
		}
		t.simulated = 1;
		r = t.sim.r;
	} else if (stats_test(&table, alt != STATS_TWO_SIDED ?
			      STATS_FISHER : method, &r, &err) != MSP_OK) {
		rc = cli_fail(&err);
		goto out;
	}
	if (table.rows == 2 && table.cols == 2) {
		if (stats_odds_ratio(&table, alt, &t.or, &err) != MSP_OK) {
			rc = cli_fail(&err);
			goto out;
		}
		t.has_or = 1;
	} else if (alt_given && alt != STATS_TWO_SIDED) {
		rc = usage_error("--alternative less|greater needs a 2x2 "
				 "table", NULL);
		goto out;
	}
	t.alt = alt;
	t.table = &table;
	t.asked = method;
	t.r = &r;
	for (i = 0; i < table.rows; i++) {
		for (row = 0, j = 0; j < table.cols; j++)
			row += table.cells[i * table.cols + j];
		t.n += row;
		t.empty_rows += row == 0;
	}
	for (j = 0; j < table.cols; j++) {
		for (col = 0, i = 0; i < table.rows; i++)
			col += table.cells[i * table.cols + j];
		t.empty_cols += col == 0;
	}
	if ((format == FORMAT_JSON ? print_json(&t, &err) :
	     format == FORMAT_TEXT ? print_text(&t, &err) :
	     print_doc(&t, (enum format_kind)format, &err)) != MSP_OK) {
		rc = cli_fail(&err);
		goto out;
	}
	rc = 0;
out:
	stats_table_free(&table);
	return rc;
}
