/*
 * format_cell — a cell as the text renderings show it (text, Markdown,
 * HTML): "4 (40.00%) [16.8–68.7]", "0.383 Fisher", "s".  Shared by the
 * renderers through format.h; calls none of them.
 */
#include "config.h"

#include <math.h>

#include "format.h"

static void
put_number(struct buf *out, double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		buf_printf(out, "%.0f", v);
	else if (v * 10 == floor(v * 10))
		buf_printf(out, "%.1f", v);	/* a median of two: 5.5 */
	else
		buf_printf(out, "%.2f", v);
}

void
format_p(double p, struct buf *out)
{
	if (p < 0.001)
		buf_puts(out, "<0.001");
	else
		buf_printf(out, "%.3f", p);
}

static const char *
method_label(enum stats_method m)
{
	return m == STATS_FISHER ? "Fisher" : "χ²";
}

/* An odds ratio or a bound: 0 and R's Inf possible (a zero cell). */
static void
put_ratio(struct buf *out, double v)
{
	if (isinf(v))
		buf_puts(out, "Inf");
	else
		buf_printf(out, "%.2f", v);
}

/* ", OR = 3.10 [1.21–8.40]": a 2×2 table's odds ratio (conditional
 * MLE) and exact interval, with the alternative when one-sided. */
static void
format_odds(const struct rcell *c, struct buf *out)
{
	buf_puts(out, ", OR = ");
	put_ratio(out, c->odds.estimate);
	buf_puts(out, " [");
	put_ratio(out, c->odds.lo);
	buf_puts(out, "–");
	put_ratio(out, c->odds.hi);
	buf_putc(out, ']');
	if (c->alt != STATS_TWO_SIDED)
		buf_printf(out, " (%s)", stats_alternative_name(c->alt));
}

/* "27.03% (ET 7.39) [14.8–44.1]": a weighted percentage (--weights). */
static void
format_weighted(const struct rcell *c, struct buf *out)
{
	if (c->is_mean) {
		/* "12.35 (ET 1.20)": a weighted mean */
		buf_printf(out, "%.2f (ET %.2f)", c->pct, c->se);
		return;
	}
	buf_printf(out, "%.2f%% (ET %.2f)", c->pct, c->se);
	if (c->has_ci)
		buf_printf(out, " [%.1f–%.1f]", c->lo, c->hi);
}

void
format_hidden(const struct rcell *c, struct buf *out)
{
	/* "< 5" only where it is true, a count hidden for itself; "s",
	 * as INSEE prints a secret cell, for a complement, which is
	 * often large */
	if (c->below > 0)
		buf_printf(out, "< %u", c->below);
	else
		buf_putc(out, 's');
}

int
format_hidden_legend(const struct rtable *t, struct buf *out)
{
	unsigned below = 0;
	int secret = 0;
	size_t i, j;

	for (i = 0; i < t->nrows; i++)
		for (j = 0; j < t->ncols; j++) {
			const struct rcell *c = &t->rows[i].cells[j];

			if (!c->suppressed)
				continue;
			if (c->below > below)
				below = c->below;
			secret |= c->below == 0;
		}
	if (below == 0 && !secret)
		return 0;
	/* each mark explained where it is printed, and only there */
	if (below > 1)
		buf_printf(out, "« < %u » : effectif de 1 à %u, masqué "
			   "(secret primaire) ; ", below, below - 1);
	if (secret)
		buf_puts(out, "« s » : masqué sans rien dire de sa valeur, "
			 "pour qu'on ne retrouve pas un effectif sous le "
			 "seuil par différence (secret complémentaire ; la "
			 "valeur peut être grande ou petite) ; ");
	buf_puts(out, "les pourcentages et intervalles des cases masquées "
		 "ne sont pas publiés.");
	return 1;
}

void
format_cell(const struct rcell *c, struct buf *out)
{
	if (c->suppressed) {
		format_hidden(c, out);
		return;
	}
	switch (c->kind) {
	case RCELL_NONE:
		break;
	case RCELL_TEXT:
		if (c->text != NULL)
			buf_puts(out, c->text);
		break;
	case RCELL_COUNT:
		buf_printf(out, "%lu", c->n);
		break;
	case RCELL_PROP:
		buf_printf(out, "%lu (%.2f%%)", c->n, c->pct);
		if (c->has_ci)
			buf_printf(out, " [%.1f–%.1f]", c->lo, c->hi);
		break;
	case RCELL_SUMMARY:
		if (c->n == 0) {
			buf_puts(out, "—");
			break;
		}
		put_number(out, c->median);
		if (!c->hide_range) {
			buf_puts(out, " (");
			put_number(out, c->min);
			buf_puts(out, "–");
			put_number(out, c->max);
			buf_putc(out, ')');
		}
		buf_printf(out, ", moy. %.1f, n = %lu", c->mean, c->n);
		break;
	case RCELL_WEIGHTED:
		format_weighted(c, out);
		break;
	case RCELL_NUMBER:
		buf_printf(out, "%.4f", c->value);
		break;
	case RCELL_TEST:
		if (c->text != NULL) {
			buf_puts(out, c->text);
			break;
		}
		format_p(c->test.p, out);
		buf_printf(out, " %s", method_label(c->test.method));
		if (c->has_sim)
			buf_printf(out, " Monte Carlo (ET %.2g, %lu tables, "
				   "graine %llu)", c->sim_se, c->sim_b,
				   c->sim_seed);
		if (!isnan(c->test.cramers_v))
			buf_printf(out, ", V = %.2f", c->test.cramers_v);
		if (c->has_or)
			format_odds(c, out);
		if (c->has_p_adj) {
			buf_printf(out, ", p %s ",
				   stats_adjust_name(c->adjust));
			format_p(c->p_adj, out);
		}
		break;
	}
}
