/*
 * format_csv — a report as tidy long CSV (RFC 4180): one statistic per
 * row, with the table, variable, category and column it belongs to.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "format_int.h"

struct csv_ctx {
	struct buf *out;
	const struct rtable *t;
	const struct rrow *r;
	size_t col;
};

/* One line: the cell's coordinates, then statistic, value, note. */
static void
csv_stat(const struct csv_ctx *x, const char *stat, const char *value,
	 const char *note)
{
	struct buf *out = x->out;

	csv_write_field(out, x->t->key);
	buf_putc(out, ',');
	csv_write_field(out, x->r->var_key);
	buf_putc(out, ',');
	csv_write_field(out, x->r->var_label);
	buf_putc(out, ',');
	csv_write_field(out, x->r->cat_key);
	buf_putc(out, ',');
	csv_write_field(out, x->r->cat_label);
	buf_putc(out, ',');
	csv_write_field(out, x->t->cols[x->col].key);
	buf_putc(out, ',');
	csv_write_field(out, x->t->cols[x->col].label);
	buf_putc(out, ',');
	csv_write_field(out, stat);
	buf_putc(out, ',');
	/* computed figures (a negative statistic stays a number); any
	 * other text in this column is neutralised as everywhere */
	csv_write_number(out, value);
	buf_putc(out, ',');
	csv_write_field(out, note);
	buf_puts(out, "\r\n");
}

static void
csv_num(const struct csv_ctx *x, const char *stat, double v)
{
	char s[64];

	if (isnan(v))
		return;
	snprintf(s, sizeof(s), "%.10g", v);
	csv_stat(x, stat, s, NULL);
}

/* A weighted percentage: note "weighted" on each statistic, so that a
 * reader of the long CSV never takes it for a count's percentage. */
static void
csv_weighted(const struct csv_ctx *x, const struct rcell *c)
{
	char s[64];

	snprintf(s, sizeof(s), "%lu", c->n);
	csv_stat(x, "n", s, "weighted: respondents in the domain");
	snprintf(s, sizeof(s), "%.10g", c->pct);
	csv_stat(x, c->is_mean ? "mean" : "percent", s, "weighted");
	snprintf(s, sizeof(s), "%.10g", c->se);
	csv_stat(x, "std_error", s, "weighted");
	if (c->has_ci) {
		snprintf(s, sizeof(s), "%.10g", c->lo);
		csv_stat(x, "ci95_low", s, "weighted, logit");
		snprintf(s, sizeof(s), "%.10g", c->hi);
		csv_stat(x, "ci95_high", s, "weighted, logit");
	}
}

/* A ratio or bound as R writes it: Inf for an unbounded one. */
static void
csv_ratio(const struct csv_ctx *x, const char *stat, double v,
	  const char *note)
{
	char s[64];

	if (isinf(v))
		snprintf(s, sizeof(s), "%s", v > 0 ? "Inf" : "-Inf");
	else
		snprintf(s, sizeof(s), "%.10g", v);
	csv_stat(x, stat, s, note);
}

/* A 2×2 table's odds ratio and its exact interval, the alternative in
 * the note (read.csv reads Inf as a number). */
static void
csv_odds(const struct csv_ctx *x, const struct rcell *c)
{
	char note[64];

	snprintf(note, sizeof(note), "conditional MLE, alternative %s",
		 stats_alternative_name(c->alt));
	csv_ratio(x, "odds_ratio", c->odds.estimate, note);
	snprintf(note, sizeof(note), "exact 95%%, alternative %s",
		 stats_alternative_name(c->alt));
	csv_ratio(x, "or_ci95_low", c->odds.lo, note);
	csv_ratio(x, "or_ci95_high", c->odds.hi, note);
}

/* A Monte Carlo p-value's standard error, replicates and seed. */
static void
csv_simulation(const struct csv_ctx *x, const struct rcell *c)
{
	char s[64];

	snprintf(s, sizeof(s), "%.10g", c->sim_se);
	csv_stat(x, "p_std_error", s, "fisher, Monte Carlo");
	snprintf(s, sizeof(s), "%lu", c->sim_b);
	csv_stat(x, "replicates", s, "fisher, Monte Carlo");
	snprintf(s, sizeof(s), "%llu", c->sim_seed);
	csv_stat(x, "seed", s, "fisher, Monte Carlo");
}

static void
csv_cell(const struct csv_ctx *x, const struct rcell *c)
{
	const char *m;
	char s[64];

	if (c->suppressed) {
		/* the note begins with "suppressed" as before, and says
		 * why: "suppressed primary <5" (1 <= n < 5) or
		 * "suppressed complementary" */
		if (c->below > 0) {
			snprintf(s, sizeof(s), "suppressed primary <%u",
				 c->below);
			csv_stat(x, "n", "", s);
		} else {
			csv_stat(x, "n", "", "suppressed complementary");
		}
		return;
	}
	switch (c->kind) {
	case RCELL_NONE:
		break;
	case RCELL_TEXT:
		csv_stat(x, "text", "", c->text);
		break;
	case RCELL_COUNT:
		csv_num(x, "n", (double)c->n);
		break;
	case RCELL_PROP:
		csv_num(x, "n", (double)c->n);
		csv_num(x, "total", (double)c->total);
		csv_num(x, "percent", c->pct);
		if (c->has_ci) {
			csv_num(x, "ci95_low", c->lo);
			csv_num(x, "ci95_high", c->hi);
		}
		break;
	case RCELL_SUMMARY:
		csv_num(x, "n", (double)c->n);
		if (c->n == 0)
			break;
		csv_num(x, "median", c->median);
		if (!c->hide_range) {
			csv_num(x, "min", c->min);
			csv_num(x, "max", c->max);
		}
		csv_num(x, "mean", c->mean);
		break;
	case RCELL_WEIGHTED:
		csv_weighted(x, c);
		break;
	case RCELL_NUMBER:
		csv_num(x, "value", c->value);
		break;
	case RCELL_TEST:
		if (c->text != NULL) {
			/* no test, and why */
			csv_stat(x, "p", "", c->text);
			break;
		}
		/* the method rides in the note, so value stays numeric */
		m = c->test.method == STATS_CHISQ ? "chisq" :
		    c->has_sim ? "fisher, Monte Carlo" :
		    c->has_or && c->alt != STATS_TWO_SIDED ?
		    (c->alt == STATS_LESS ? "fisher, less" :
		     "fisher, greater") : "fisher";
		snprintf(s, sizeof(s), "%.10g", c->test.p);
		csv_stat(x, "p", s, m);
		if (c->has_sim)
			csv_simulation(x, c);
		if (!isnan(c->test.statistic)) {
			snprintf(s, sizeof(s), "%.10g", c->test.statistic);
			csv_stat(x, "statistic", s, m);
			snprintf(s, sizeof(s), "%d", c->test.df);
			csv_stat(x, "df", s, m);
		}
		if (!isnan(c->test.cramers_v)) {
			snprintf(s, sizeof(s), "%.10g", c->test.cramers_v);
			csv_stat(x, "cramers_v", s, "no continuity correction");
		}
		if (c->has_or)
			csv_odds(x, c);
		if (c->has_p_adj) {
			snprintf(s, sizeof(s), "%.10g", c->p_adj);
			csv_stat(x, "p_adjusted", s,
				 stats_adjust_name(c->adjust));
		}
		break;
	}
}

static void
render_csv(const struct rdoc *doc, struct buf *out)
{
	size_t i, j, k;

	buf_puts(out, "table,variable,variable_label,category,category_label,"
		 "column,column_label,statistic,value,note\r\n");
	for (i = 0; i < doc->ntables; i++) {
		const struct rtable *t = doc->tables[i];

		for (j = 0; j < t->nrows; j++)
			for (k = 0; k < t->ncols; k++) {
				struct csv_ctx x = { out, t, &t->rows[j], k };

				csv_cell(&x, &t->rows[j].cells[k]);
			}
	}
}

const struct format_renderer format_renderer_csv = {
	"csv", render_csv
};
