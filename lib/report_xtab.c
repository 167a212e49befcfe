/*
 * report_xtab — one variable's counts as table rows: categories with
 * their percentages and Wilson intervals, numbers with their median,
 * the test of independence across the columns, and disclosure control
 * (see report_int.h).
 *
 * Missing answers and "ne sait pas" follow the options: an excluded
 * answer is still counted on its own row, but it is in neither the
 * percentages' denominators nor the test, so the printed percentages
 * and the p-value always describe the same table.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_disclosure.h"
#include "report_int.h"

/* Label of the row of answers that are missing; for an item asked
 * under a condition, most of them were not asked. */
#define MISSING_LABEL "Sans réponse"
#define MISSING_LABEL_COND "Non concerné ou sans réponse"
#define missing_label(v) ((v)->conditional ? MISSING_LABEL_COND : \
			  MISSING_LABEL)

unsigned long
rx_column_n(const struct rcolsrc *src, const char *var)
{
	const struct rcount *r;
	unsigned long sum = 0;
	size_t i, n;

	if (src->total_kind != 0)
		return rcounts_get(src->counts, src->total_kind, NULL, NULL,
				   src->grp);
	/* the frame: one row per structure and variable, unknown or not,
	 * so any variable counts the structures */
	r = rcounts_range(src->counts, src->value_kind,
			  var != NULL ? var : src->n_var, src->grp, &n);
	for (i = 0; i < n; i++)
		sum += r[i].n;
	return sum;
}

struct rtable *
rx_table(struct rctx *c, const char *key, const char *title,
	 const struct rlayout *lay)
{
	struct rtable *t;
	size_t j;

	t = rdoc_table(c->doc, key, title, lay->ncols + (lay->test ? 1 : 0));
	if (t == NULL)
		return NULL;
	for (j = 0; j < lay->ncols; j++)
		rtable_column(c->doc, t, j, lay->cols[j].key,
			      lay->cols[j].label);
	if (lay->test)
		rtable_column(c->doc, t, lay->ncols, "p", "p (test)");
	return t;
}

enum msp_status
rx_headcount(struct rctx *c, struct rtable *t, const struct rlayout *lay,
	     const char *label, int *hidden)
{
	unsigned long *n = NULL;
	struct rrow *row;
	size_t j;

	memset(hidden, 0, lay->ncols * sizeof(*hidden));
	row = rtable_row(c->doc, t, "n", label, NULL, NULL);
	if (row == NULL)
		return rctx_check(c);
	n = calloc(lay->ncols + 1, sizeof(*n));
	if (n == NULL)
		return msp_error_set(c->err, MSP_ENOMEM,
				     "report: out of memory");
	for (j = 0; j < lay->ncols; j++) {
		n[j] = rx_column_n(&lay->cols[j], NULL);
		rcell_count(&row->cells[j], n[j]);
	}
	if (c->suppress) {
		c->nsuppressed += disclosure_protect(n, 1, lay->ncols,
						     c->opt->threshold,
						     hidden);
		for (j = 0; j < lay->ncols; j++)
			row->cells[j].suppressed = hidden[j];
	}
	free(n);
	return rctx_check(c);
}

/* Where v's values are: the frame's, a derived variable's, an item's. */
static char
value_kind(const struct rcolsrc *src, const struct rvar *v)
{
	if (src->value_kind != 0)
		return src->value_kind;
	return v->derived ? 'd' : 'i';
}

/* --- categories ---------------------------------------------------------- */

/* The categories shown for a variable: its own, then any other value
 * met in the data (a frame's départements, say), sorted. */
struct catlist {
	struct rctx *c;
	struct rcat *cats;
	size_t n, cap;
	int oom;
};

static int
catlist_has(const struct catlist *l, const char *code)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->cats[i].code, code) == 0)
			return 1;
	return 0;
}

static void
catlist_add(void *arg, const char *code)
{
	struct catlist *l = arg;
	struct rcat *cats;

	if (l->oom || catlist_has(l, code))
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;

		cats = realloc(l->cats, cap * sizeof(*cats));
		if (cats == NULL) {
			l->oom = 1;
			return;
		}
		l->cats = cats;
		l->cap = cap;
	}
	l->cats[l->n].code = code;
	l->cats[l->n].label = code;
	l->cats[l->n].dont_know = 0;
	l->n++;
}

static int
catlist_fill(struct catlist *l, const struct rlayout *lay,
	     const struct rvar *v)
{
	size_t i;

	for (i = 0; i < v->ncats && !l->oom; i++) {
		catlist_add(l, v->cats[i].code);
		if (!l->oom) {
			l->cats[l->n - 1].label = v->cats[i].label;
			l->cats[l->n - 1].dont_know = v->cats[i].dont_know;
		}
	}
	for (i = 0; i < lay->ncols && !l->oom; i++)
		if (rcounts_values(lay->cols[i].counts,
				   value_kind(&lay->cols[i], v), v->key,
				   catlist_add, l) != 0)
			l->oom = 1;
	return l->oom ? -1 : 0;
}

/*
 * Tests independence over the included rows and the group columns (not
 * the total), without rows or columns that are all zero (R refuses them;
 * an empty category carries no information about independence).
 */
static void
test_cell(struct rctx *c, struct rcell *cell, const unsigned long *m,
	  size_t rows, size_t cols, const int *in_row, const int *in_col)
{
	unsigned long cells[STATS_MAX_DIM * STATS_MAX_DIM];
	size_t keep_r[STATS_MAX_DIM], keep_c[STATS_MAX_DIM];
	size_t i, j, nr = 0, nc = 0;
	struct stats_table t;
	struct msp_error err;

	for (i = 0; i < rows; i++) {
		unsigned long s = 0;

		for (j = 0; j < cols; j++)
			if (in_col[j])
				s += m[i * cols + j];
		if (in_row[i] && s > 0) {
			if (nr == STATS_MAX_DIM) {
				rcell_text(c->doc, cell, "trop de modalités");
				return;
			}
			keep_r[nr++] = i;
		}
	}
	for (j = 0; j < cols; j++) {
		unsigned long s = 0;
		size_t k;

		if (!in_col[j])
			continue;
		for (k = 0; k < nr; k++)
			s += m[keep_r[k] * cols + j];
		if (s > 0) {
			if (nc == STATS_MAX_DIM) {
				rcell_text(c->doc, cell, "trop de groupes");
				return;
			}
			keep_c[nc++] = j;
		}
	}
	if (nr < 2 || nc < 2) {
		rcell_text(c->doc, cell, nr < 2 ? "une seule modalité" :
			   "un seul groupe");
		return;
	}
	for (i = 0; i < nr; i++)
		for (j = 0; j < nc; j++)
			cells[i * nc + j] = m[keep_r[i] * cols + keep_c[j]];
	t.rows = nr;
	t.cols = nc;
	t.cells = cells;
	cell->kind = RCELL_TEST;
	if (stats_test(&t, STATS_AUTO, &cell->test, &err) != MSP_OK)
		cell->text = rdoc_strdup(c->doc, err.message);
}

/* Categories, multiple choices: see the file's comment. */
static enum msp_status
categorical(struct rctx *c, struct rtable *t, const struct rlayout *lay,
	    const struct rvar *v)
{
	struct catlist l = { c, NULL, 0, 0, 0 };
	const size_t nc = lay->ncols;
	unsigned long *m = NULL, *colN = NULL, *denom = NULL, *mc = NULL;
	int *in_row = NULL, *in_col = NULL, *hide = NULL, *mhide = NULL;
	size_t i, j, nr, rows;
	int multi = v->type == RV_MULTI, any_missing = 0;
	struct rrow *head;
	enum msp_status rc = MSP_OK;

	if (catlist_fill(&l, lay, v) != 0)
		goto nomem;
	nr = l.n + 1;		/* the categories, then the missing */
	rows = nr + 1;		/* and the margin: the column's count */
	m = calloc(rows * nc, sizeof(*m));
	hide = calloc(rows * nc, sizeof(*hide));
	colN = calloc(nc, sizeof(*colN));
	denom = calloc(nc, sizeof(*denom));
	in_row = calloc(nr, sizeof(*in_row));
	in_col = calloc(nc, sizeof(*in_col));
	mc = calloc(3 * nc, sizeof(*mc));
	mhide = calloc(3 * nc, sizeof(*mhide));
	if (!m || !hide || !colN || !denom || !in_row || !in_col || !mc ||
	    !mhide)
		goto nomem;
	for (j = 0; j < nc; j++) {
		const struct rcolsrc *s = &lay->cols[j];
		unsigned long answered = 0;

		in_col[j] = !s->is_total;
		colN[j] = rx_column_n(s, v->key);
		for (i = 0; i < l.n; i++) {
			m[i * nc + j] = rcounts_get(s->counts,
						    value_kind(s, v), v->key,
						    l.cats[i].code, s->grp);
			answered += m[i * nc + j];
		}
		if (multi)
			answered = rcounts_get(s->counts, 'a', v->key, NULL,
					       s->grp);
		m[l.n * nc + j] = colN[j] > answered ? colN[j] - answered : 0;
		m[nr * nc + j] = colN[j];
		any_missing |= m[l.n * nc + j] > 0;
	}
	for (i = 0; i < l.n; i++)
		in_row[i] = multi || !l.cats[i].dont_know ||
			    c->opt->dont_know == REPORT_KEEP;
	in_row[l.n] = c->opt->missing == REPORT_KEEP;
	for (j = 0; j < nc; j++) {
		if (multi) {
			/* respondents of the item (or everyone, when the
			 * missing are kept) */
			denom[j] = in_row[l.n] ? colN[j] :
				   colN[j] - m[l.n * nc + j];
			continue;
		}
		for (i = 0; i < nr; i++)
			if (in_row[i])
				denom[j] += m[i * nc + j];
	}
	if (c->suppress) {
		if (lay->hidden_n != NULL)
			for (j = 0; j < nc; j++)
				hide[nr * nc + j] = lay->hidden_n[j];
		if (!multi) {
			c->nsuppressed += disclosure_protect(
				m, rows, nc, c->opt->threshold, hide);
		} else {
			/* each option is its own line: chosen, not chosen,
			 * respondents */
			for (i = 0; i < l.n; i++) {
				for (j = 0; j < nc; j++) {
					unsigned long resp = colN[j] -
						m[l.n * nc + j];

					mc[j] = m[i * nc + j];
					mc[nc + j] = resp > mc[j] ?
						     resp - mc[j] : 0;
					mc[2 * nc + j] = resp;
					mhide[j] = mhide[nc + j] = 0;
					mhide[2 * nc + j] = hide[nr * nc + j];
				}
				c->nsuppressed += disclosure_protect(
					mc, 3, nc, c->opt->threshold, mhide);
				for (j = 0; j < nc; j++)
					hide[i * nc + j] = mhide[j] ||
							   mhide[nc + j];
			}
			for (j = 0; j < nc; j++)
				if (m[l.n * nc + j] > 0 &&
				    m[l.n * nc + j] < c->opt->threshold)
					hide[l.n * nc + j] = 1;
		}
	}
	head = rtable_row(c->doc, t, v->key, v->label, NULL, NULL);
	if (head == NULL)
		goto nomem;
	if (lay->test && !multi)
		test_cell(c, &head->cells[nc], m, nr, nc, in_row, in_col);
	else if (lay->test)
		rcell_text(c->doc, &head->cells[nc],
			   "choix multiples : non testé");
	for (i = 0; i < nr; i++) {
		struct rrow *row;
		const char *label;

		if (i == l.n && !any_missing)
			break;
		/* the frame's unused categories (no CDS in a study of
		 * MSPs) say nothing */
		if (i < l.n && value_kind(&lay->cols[0], v) == 'f') {
			unsigned long s = 0;

			for (j = 0; j < nc; j++)
				s += m[i * nc + j];
			if (s == 0)
				continue;
		}
		if (i < l.n)
			label = in_row[i] ? l.cats[i].label :
				rdoc_printf(c->doc, "%s (exclu)",
					    l.cats[i].label);
		else
			label = in_row[i] ? missing_label(v) :
				rdoc_printf(c->doc, "%s (exclu)",
					    missing_label(v));
		row = rtable_row(c->doc, t, v->key, v->label,
				 i < l.n ? l.cats[i].code : "",
				 label);
		if (row == NULL)
			goto nomem;
		for (j = 0; j < nc; j++) {
			struct rcell *cell = &row->cells[j];

			if (in_row[i] && denom[j] > 0)
				rcell_prop(cell, m[i * nc + j], denom[j]);
			else
				rcell_count(cell, m[i * nc + j]);
			cell->suppressed = hide[i * nc + j];
		}
	}
	rc = rctx_check(c);
	goto out;
nomem:
	rc = msp_error_set(c->err, MSP_ENOMEM, "report: out of memory");
out:
	free(l.cats);
	free(m);
	free(hide);
	free(colN);
	free(denom);
	free(in_row);
	free(in_col);
	free(mc);
	free(mhide);
	return rc;
}

/* --- numbers ------------------------------------------------------------- */

struct hist {
	double v;
	unsigned long n;
};

static int
cmp_hist(const void *a, const void *b)
{
	double x = ((const struct hist *)a)->v, y = ((const struct hist *)b)->v;

	return (x > y) - (x < y);
}

/* The value of rank r (0-based) in the sorted histogram h. */
static double
rank_value(const struct hist *h, size_t n, unsigned long r)
{
	unsigned long cum = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		cum += h[i].n;
		if (r < cum)
			return h[i].v;
	}
	return n > 0 ? h[n - 1].v : NAN;
}

/*
 * Describes column src's numbers for v into cell (SUMMARY) and returns
 * how many are >= 1 in *ge1; R's median (quantile type 7, as
 * percentile_cont), from the frequency table.  -1 when out of memory.
 */
static int
summarise(const struct rcolsrc *src, const struct rvar *v,
	  struct rcell *cell, unsigned long *ge1)
{
	const struct rcount *r;
	struct hist *h;
	size_t i, n, k = 0;
	unsigned long total = 0;
	double sum = 0;

	*ge1 = 0;
	cell->kind = RCELL_SUMMARY;
	cell->n = 0;
	r = rcounts_range(src->counts, value_kind(src, v), v->key, src->grp,
			  &n);
	if (n == 0)
		return 0;
	h = malloc(n * sizeof(*h));
	if (h == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		char *end;

		if (r[i].val == NULL)
			continue;
		h[k].v = strtod(r[i].val, &end);
		if (*end != '\0')
			continue;	/* not a number: not described */
		h[k].n = r[i].n;
		total += r[i].n;
		sum += h[k].v * (double)r[i].n;
		if (h[k].v >= 1)
			*ge1 += r[i].n;
		k++;
	}
	qsort(h, k, sizeof(*h), cmp_hist);
	cell->n = total;
	if (total > 0) {
		unsigned long lo = (total - 1) / 2, hi = total / 2;

		cell->median = (rank_value(h, k, lo) +
				rank_value(h, k, hi)) / 2;
		cell->min = h[0].v;
		cell->max = h[k - 1].v;
		cell->mean = sum / (double)total;
	}
	free(h);
	return 0;
}

static enum msp_status
numeric(struct rctx *c, struct rtable *t, const struct rlayout *lay,
	const struct rvar *v)
{
	const size_t nc = lay->ncols;
	unsigned long *m = NULL;
	int *hide = NULL, any_missing = 0;
	struct rrow *head, *ge1 = NULL, *miss;
	size_t j;

	head = rtable_row(c->doc, t, v->key, v->label, NULL, NULL);
	if (head == NULL)
		goto nomem;
	if (v->presence) {
		ge1 = rtable_row(c->doc, t, v->key, v->label, "ge1",
				 "Au moins un");
		if (ge1 == NULL)
			goto nomem;
	}
	/* rows: >= 1, 0, answered (the margin) */
	m = calloc(4 * nc, sizeof(*m));
	hide = calloc(3 * nc, sizeof(*hide));
	if (m == NULL || hide == NULL)
		goto nomem;
	for (j = 0; j < nc; j++) {
		struct rcell *s = &head->cells[j];
		unsigned long n_ge1, colN;

		if (summarise(&lay->cols[j], v, s, &n_ge1) != 0)
			goto nomem;
		m[j] = n_ge1;
		m[nc + j] = s->n - n_ge1;
		m[2 * nc + j] = s->n;
		colN = rx_column_n(&lay->cols[j], v->key);
		m[3 * nc + j] = colN > s->n ? colN - s->n : 0;
		any_missing |= m[3 * nc + j] > 0;
		if (ge1 != NULL && s->n > 0)
			rcell_prop(&ge1->cells[j], n_ge1, s->n);
		else if (ge1 != NULL)
			rcell_count(&ge1->cells[j], 0);
	}
	if (c->suppress) {
		if (ge1 != NULL)
			c->nsuppressed += disclosure_protect(
				m, 3, nc, c->opt->threshold, hide);
		for (j = 0; j < nc; j++) {
			struct rcell *s = &head->cells[j];

			/* min and max are single teams' values */
			s->hide_range = 1;
			s->suppressed = s->n > 0 && s->n < c->opt->threshold;
			if (ge1 != NULL)
				ge1->cells[j].suppressed = hide[j] ||
							   hide[nc + j];
		}
	}
	if (any_missing) {
		miss = rtable_row(c->doc, t, v->key, v->label, "",
				  missing_label(v));
		if (miss == NULL)
			goto nomem;
		for (j = 0; j < nc; j++) {
			rcell_count(&miss->cells[j], m[3 * nc + j]);
			if (c->suppress)
				miss->cells[j].suppressed =
					m[3 * nc + j] > 0 &&
					m[3 * nc + j] < c->opt->threshold;
		}
	}
	free(m);
	free(hide);
	return rctx_check(c);
nomem:
	free(m);
	free(hide);
	return msp_error_set(c->err, MSP_ENOMEM, "report: out of memory");
}

/* An open item: how many answered it. */
static enum msp_status
open_text(struct rctx *c, struct rtable *t, const struct rlayout *lay,
	  const struct rvar *v)
{
	const size_t nc = lay->ncols;
	struct rrow *row;
	size_t j;

	/* one line: the item, with how many answered it */
	row = rtable_row(c->doc, t, v->key, v->label, NULL, NULL);
	if (row == NULL)
		return msp_error_set(c->err, MSP_ENOMEM,
				     "report: out of memory");
	for (j = 0; j < nc; j++) {
		const struct rcolsrc *s = &lay->cols[j];
		unsigned long n = rcounts_get(s->counts, value_kind(s, v),
					      v->key, NULL, s->grp);
		unsigned long colN = rx_column_n(s, v->key);

		if (colN > 0)
			rcell_prop(&row->cells[j], n, colN);
		else
			rcell_count(&row->cells[j], n);
		if (c->suppress)
			row->cells[j].suppressed =
				(n > 0 && n < c->opt->threshold) ||
				(colN > n && colN - n < c->opt->threshold);
	}
	return rctx_check(c);
}

enum msp_status
rx_variable(struct rctx *c, struct rtable *t, const struct rlayout *lay,
	    const struct rvar *v)
{
	switch (v->type) {
	case RV_NUMBER:
		return numeric(c, t, lay, v);
	case RV_TEXT:
		return open_text(c, t, lay, v);
	default:
		return categorical(c, t, lay, v);
	}
}
