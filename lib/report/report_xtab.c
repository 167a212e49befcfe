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

/* --- disclosure: one variable's figures ----------------------------------- */

/*
 * The elementary counts of one variable in a layout, for
 * report_disclosure's system: nparts per group column (its categories
 * and missing answers, say), and, when the layout has a total column, a
 * remainder column: the responses in no group (no answer to the --by
 * variable), which the total counts and no group does.  A figure is a
 * sum of some parts in one column; in the total column, the sum over
 * every group and the remainder.
 */
struct xblock {
	struct dsys *sys;
	const struct rlayout *lay;
	size_t nparts;
	size_t ngroups;		/* group columns, remainder included */
	size_t *group;		/* per layout column; NONE for the total */
	int has_total;
	size_t *cells;		/* scratch: nparts * ngroups */
};

#define XB_NONE ((size_t)-1)

static void
xb_free(struct xblock *b)
{
	dsys_free(b->sys);
	free(b->group);
	free(b->cells);
	memset(b, 0, sizeof(*b));
}

/* 0, or -1 when out of memory (b is then freed). */
static int
xb_init(struct xblock *b, const struct rlayout *lay, size_t nparts)
{
	size_t j, g = 0;

	memset(b, 0, sizeof(*b));
	b->lay = lay;
	b->nparts = nparts;
	b->group = calloc(lay->ncols + 1, sizeof(*b->group));
	if (b->group == NULL)
		goto fail;
	for (j = 0; j < lay->ncols; j++) {
		if (lay->cols[j].is_total) {
			b->group[j] = XB_NONE;
			b->has_total = 1;
		} else
			b->group[j] = g++;
	}
	b->ngroups = g + (b->has_total ? 1 : 0);
	b->cells = calloc(nparts * b->ngroups + 1, sizeof(*b->cells));
	b->sys = dsys_new(nparts * b->ngroups);
	if (b->cells == NULL || b->sys == NULL)
		goto fail;
	return 0;
fail:
	xb_free(b);
	return -1;
}

/*
 * Adds the figure of value n: the sum of parts[0..np) in layout column
 * j, or in the remainder when j is XB_NONE.  The figure's number, or -1
 * when out of memory.
 */
static long
xb_add(struct xblock *b, enum dfig_kind kind, unsigned long n, size_t j,
       const size_t *parts, size_t np)
{
	size_t k = 0, g, p, g0, g1;

	if (j == XB_NONE) {
		g0 = b->ngroups - 1;
		g1 = b->ngroups;
	} else if (b->group[j] == XB_NONE) {
		g0 = 0;
		g1 = b->ngroups;
	} else {
		g0 = b->group[j];
		g1 = g0 + 1;
	}
	for (g = g0; g < g1; g++)
		for (p = 0; p < np; p++)
			b->cells[k++] = g * b->nparts + parts[p];
	return dsys_add(b->sys, kind, n, b->cells, k);
}

/* The same for the parts from 0 to np - 1. */
static long
xb_add_first(struct xblock *b, enum dfig_kind kind, unsigned long n,
	     size_t j, size_t np)
{
	size_t *parts = malloc((np + 1) * sizeof(*parts)), p;
	long fig;

	if (parts == NULL)
		return -1;
	for (p = 0; p < np; p++)
		parts[p] = p;
	fig = xb_add(b, kind, n, j, parts, np);
	free(parts);
	return fig;
}

/* The remainder of a part: the total column's count less the groups'
 * (m: the part's counts, one per layout column). */
static unsigned long
xb_remainder(const struct xblock *b, const unsigned long *m)
{
	unsigned long total = 0, groups = 0;
	size_t j;

	for (j = 0; j < b->lay->ncols; j++) {
		if (b->group[j] == XB_NONE)
			total = m[j];
		else
			groups += m[j];
	}
	return total > groups ? total - groups : 0;
}

/*
 * The remainder's head count, the total's less the groups' (N: the head
 * counts, one per column), is as public as they are: a figure, so that
 * a remainder of 0 says that each of its parts is 0.  0, or -1 when out
 * of memory.
 */
static int
xb_remainder_head(struct xblock *b, const unsigned long *N)
{
	size_t j;

	if (!b->has_total)
		return 0;
	for (j = 0; j < b->lay->ncols; j++)
		if (b->lay->hidden_n != NULL && b->lay->hidden_n[j])
			return 0;
	return xb_add_first(b, DFIG_PUBLIC, xb_remainder(b, N), XB_NONE,
			    b->nparts) < 0 ? -1 : 0;
}

/* The head count of column j as a figure of b: public (printed in the
 * head count row, or the response table), or hidden there already. */
static enum dfig_kind
xb_head_kind(const struct rlayout *lay, size_t j)
{
	return lay->hidden_n != NULL && lay->hidden_n[j] ? DFIG_SECRET :
	       DFIG_PUBLIC;
}

/*
 * The head counts n (one per column) as a system: each group's count is
 * a part; the total column, the sum of all; a total of every response
 * ('t') is printed in the response table, so it is public.  Sets
 * hidden[j].  0, or -1 when out of memory.
 */
static int
headcount_protect(struct rctx *c, const struct rlayout *lay,
		  const unsigned long *n, int *hidden)
{
	struct xblock b;
	long *fig = calloc(lay->ncols + 1, sizeof(*fig));
	size_t j;

	if (fig == NULL)
		return -1;
	if (xb_init(&b, lay, 1) != 0) {
		free(fig);
		return -1;
	}
	for (j = 0; j < lay->ncols; j++) {
		const struct rcolsrc *s = &lay->cols[j];

		fig[j] = xb_add_first(&b, s->is_total && s->total_kind == 't' ?
				      DFIG_PUBLIC : DFIG_CELL, n[j], j, 1);
		if (fig[j] < 0)
			goto fail;
	}
	if (b.has_total &&
	    xb_add_first(&b, DFIG_UNPRINTED, xb_remainder(&b, n), XB_NONE,
			 1) < 0)
		goto fail;
	if (dsys_solve(b.sys, c->threshold) != 0)
		goto fail;
	for (j = 0; j < lay->ncols; j++)
		hidden[j] = dsys_hidden(b.sys, fig[j]);
	xb_free(&b);
	free(fig);
	return 0;
fail:
	xb_free(&b);
	free(fig);
	return -1;
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
	if (c->suppress && headcount_protect(c, lay, n, hidden) != 0) {
		free(n);
		return msp_error_set(c->err, MSP_ENOMEM,
				     "report: out of memory");
	}
	for (j = 0; j < lay->ncols; j++)
		row->cells[j].suppressed = hidden[j];
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
 * an empty category carries no information about independence).  A
 * 2×2 table also gets fisher.test()'s odds ratio and exact interval,
 * unless one of the nhide cells of the printed block is hidden: the
 * estimate, with the margins printed, gives a hidden cell back (it is
 * the root of an equation in that one cell).  An odds ratio that cannot
 * be computed (a support too large) is left out; the test stays.
 */
static void
test_cell(struct rctx *c, struct rcell *cell, const unsigned long *m,
	  size_t rows, size_t cols, const int *in_row, const int *in_col,
	  const int *hide, size_t nhide)
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
	if (stats_test(&t, STATS_AUTO, &cell->test, &err) != MSP_OK) {
		cell->text = rdoc_strdup(c->doc, err.message);
		return;
	}
	if (nr != 2 || nc != 2)
		return;
	for (i = 0; i < nhide; i++)
		if (hide[i])
			return;
	cell->alt = STATS_TWO_SIDED;
	cell->has_or = stats_odds_ratio(&t, STATS_TWO_SIDED, &cell->odds,
					&err) == MSP_OK;
}

/*
 * Disclosure control of a single choice: each category and the missing
 * answers of each group are parts; the figures are the cells printed
 * (rows nr: the categories, then the missing; m row-major, nr x nc),
 * the head counts, and each column's denominator when its percentages
 * are printed (the included rows: a percentage gives it back).  Sets
 * hide (nr x nc) and pct_off (nc: the column's percentages and
 * intervals withheld).  0, or -1 when out of memory.
 */
static int
single_protect(struct rctx *c, const struct rlayout *lay,
	       const unsigned long *m, size_t nr, const int *printed,
	       const int *in_row, const unsigned long *denom,
	       const unsigned long *colN, int *hide, int *pct_off)
{
	const size_t nc = lay->ncols;
	struct xblock b;
	long *fig = NULL, *dfig = NULL;
	size_t *parts = NULL, i, j, np;
	unsigned long *row = NULL;
	int rc = -1;

	if (xb_init(&b, lay, nr) != 0)
		return -1;
	fig = calloc(nr * nc + 1, sizeof(*fig));
	dfig = calloc(nc + 1, sizeof(*dfig));
	parts = calloc(nr + 1, sizeof(*parts));
	row = calloc(nc + 1, sizeof(*row));
	if (fig == NULL || dfig == NULL || parts == NULL || row == NULL)
		goto out;
	for (i = 0; i < nr; i++)
		parts[i] = i;
	for (j = 0; j < nc; j++) {
		/* a row not printed (all zero) is known all the same */
		for (i = 0; i < nr; i++)
			if ((fig[i * nc + j] = xb_add(&b, printed[i] ?
			     DFIG_CELL : DFIG_PUBLIC, m[i * nc + j], j,
			     &parts[i], 1)) < 0)
				goto out;
		if (xb_add(&b, xb_head_kind(lay, j), colN[j], j, parts,
			   nr) < 0)
			goto out;
		dfig[j] = -1;
		for (i = 0, np = 0; i < nr; i++)
			if (in_row[i] && printed[i])
				parts[np++] = i;
		if (denom[j] > 0 && np > 0 &&
		    (dfig[j] = xb_add(&b, DFIG_TOTAL, denom[j], j, parts,
				      np)) < 0)
			goto out;
		for (i = 0; i < nr; i++)
			parts[i] = i;
	}
	if (xb_remainder_head(&b, colN) != 0)
		goto out;
	if (b.has_total)
		for (i = 0; i < nr; i++) {
			for (j = 0; j < nc; j++)
				row[j] = m[i * nc + j];
			if (xb_add(&b, DFIG_UNPRINTED, xb_remainder(&b, row),
				   XB_NONE, &parts[i], 1) < 0)
				goto out;
		}
	if (dsys_solve(b.sys, c->threshold) != 0)
		goto out;
	for (i = 0; i < nr * nc; i++)
		hide[i] = dsys_hidden(b.sys, fig[i]);
	for (j = 0; j < nc; j++)
		pct_off[j] = dfig[j] >= 0 && dsys_hidden(b.sys, dfig[j]);
	rc = 0;
out:
	xb_free(&b);
	free(fig);
	free(dfig);
	free(parts);
	free(row);
	return rc;
}

/* Parts of a multiple choice's respondents (R) and missing (M); of an
 * option's chosen (C), not chosen (N) and missing (M). */
enum { MR_R, MR_M, MR_PARTS };
enum { MO_C, MO_N, MO_M, MO_PARTS };

/*
 * Disclosure control of a multiple choice.  First the missing answers
 * and the respondents of each column, whose hidden state every option
 * shares (the missing row is printed once; the respondents are the
 * percentages' denominator when the missing are excluded); then each
 * option on its own, with them as public or secret: chosen (printed),
 * not chosen (never printed, protected when small).  Sets hide (rows
 * l.n options then the missing, x nc) and pct_off (nc).  0, or -1 when
 * out of memory.
 */
static int
multi_protect(struct rctx *c, const struct rlayout *lay,
	      const unsigned long *m, size_t nopt, int any_missing,
	      const unsigned long *colN, int *hide, int *pct_off)
{
	const size_t nc = lay->ncols;
	const int kept = c->opt->missing == REPORT_KEEP;
	struct xblock b;
	long *fig = NULL;
	unsigned long *v = NULL;
	int *hideR = NULL, *hideN = NULL;
	size_t i, j, p;
	int rc = -1;

	memset(&b, 0, sizeof(b));	/* xb_free() is safe on it */
	fig = calloc(3 * nc + 1, sizeof(*fig));
	v = calloc(3 * nc + 1, sizeof(*v));
	hideR = calloc(nc + 1, sizeof(*hideR));
	hideN = calloc(nc + 1, sizeof(*hideN));
	if (fig == NULL || v == NULL || hideR == NULL || hideN == NULL ||
	    xb_init(&b, lay, MR_PARTS) != 0)
		goto fail;
	for (j = 0; j < nc; j++) {
		static const size_t both[] = { MR_R, MR_M }, r[] = { MR_R },
				    mm[] = { MR_M };

		v[j] = colN[j] - m[nopt * nc + j];	/* respondents */
		v[nc + j] = m[nopt * nc + j];		/* missing */
		hideN[j] = xb_head_kind(lay, j) == DFIG_SECRET;
		if (xb_add(&b, xb_head_kind(lay, j), colN[j], j, both, 2) < 0 ||
		    (fig[j] = xb_add(&b, any_missing ? DFIG_CELL :
				     DFIG_PUBLIC, v[nc + j], j, mm, 1)) < 0 ||
		    (fig[nc + j] = xb_add(&b, DFIG_UNPRINTED, v[j], j, r,
					  1)) < 0 ||
		    (fig[2 * nc + j] = xb_add(&b, DFIG_TOTAL,
					      kept ? colN[j] : v[j], j,
					      kept ? both : r,
					      kept ? 2 : 1)) < 0)
			goto fail;
	}
	if (xb_remainder_head(&b, colN) != 0)
		goto fail;
	if (b.has_total)
		for (p = 0; p < MR_PARTS; p++) {
			size_t one[1] = { p };

			if (xb_add(&b, DFIG_UNPRINTED, xb_remainder(&b,
				   v + p * nc), XB_NONE, one, 1) < 0)
				goto fail;
		}
	if (dsys_solve(b.sys, c->threshold) != 0)
		goto fail;
	for (j = 0; j < nc; j++) {
		hide[nopt * nc + j] = dsys_hidden(b.sys, fig[j]);
		hideR[j] = hide[nopt * nc + j] ||
			   dsys_hidden(b.sys, fig[nc + j]);
		pct_off[j] = dsys_hidden(b.sys, fig[2 * nc + j]);
	}
	xb_free(&b);

	for (i = 0; i < nopt; i++) {
		if (xb_init(&b, lay, MO_PARTS) != 0)
			goto fail;
		for (j = 0; j < nc; j++) {
			static const size_t all[] = { MO_C, MO_N, MO_M },
					    cn[] = { MO_C, MO_N },
					    oc[] = { MO_C }, on[] = { MO_N },
					    om[] = { MO_M };
			unsigned long resp = colN[j] - m[nopt * nc + j];

			v[j] = m[i * nc + j];
			v[nc + j] = resp > v[j] ? resp - v[j] : 0;
			v[2 * nc + j] = m[nopt * nc + j];
			if (xb_add(&b, hideN[j] ? DFIG_SECRET : DFIG_PUBLIC,
				   colN[j], j, all, 3) < 0 ||
			    xb_add(&b, hide[nopt * nc + j] ? DFIG_SECRET :
				   DFIG_PUBLIC, v[2 * nc + j], j, om, 1) < 0 ||
			    xb_add(&b, hideR[j] ? DFIG_SECRET : DFIG_PUBLIC,
				   resp, j, cn, 2) < 0 ||
			    (fig[j] = xb_add(&b, DFIG_CELL, v[j], j, oc,
					     1)) < 0 ||
			    xb_add(&b, DFIG_UNPRINTED, v[nc + j], j, on,
				   1) < 0)
				goto fail;
		}
		if (xb_remainder_head(&b, colN) != 0)
			goto fail;
		if (b.has_total)
			for (p = 0; p < MO_PARTS; p++) {
				size_t one[1] = { p };

				if (xb_add(&b, DFIG_UNPRINTED,
					   xb_remainder(&b, v + p * nc),
					   XB_NONE, one, 1) < 0)
					goto fail;
			}
		if (dsys_solve(b.sys, c->threshold) != 0)
			goto fail;
		for (j = 0; j < nc; j++)
			hide[i * nc + j] = dsys_hidden(b.sys, fig[j]);
		xb_free(&b);
	}
	rc = 0;
fail:
	xb_free(&b);
	free(fig);
	free(v);
	free(hideR);
	free(hideN);
	return rc;
}

/* Categories, multiple choices: see the file's comment. */
static enum msp_status
categorical(struct rctx *c, struct rtable *t, const struct rlayout *lay,
	    const struct rvar *v)
{
	struct catlist l = { c, NULL, 0, 0, 0 };
	const size_t nc = lay->ncols;
	unsigned long *m = NULL, *colN = NULL, *denom = NULL;
	int *in_row = NULL, *in_col = NULL, *hide = NULL, *pct_off = NULL;
	int *printed = NULL;
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
	pct_off = calloc(nc, sizeof(*pct_off));
	printed = calloc(nr, sizeof(*printed));
	if (!m || !hide || !colN || !denom || !in_row || !in_col ||
	    !pct_off || !printed)
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
	/* the rows printed: not the missing when there are none, nor
	 * the frame's unused categories (no CDS in a study of MSPs) */
	for (i = 0; i < nr; i++) {
		printed[i] = i < l.n || any_missing;
		if (i < l.n && value_kind(&lay->cols[0], v) == 'f') {
			unsigned long sum = 0;

			for (j = 0; j < nc; j++)
				sum += m[i * nc + j];
			printed[i] = sum > 0;
		}
	}
	if (c->suppress &&
	    (multi ? multi_protect(c, lay, m, l.n, any_missing, colN, hide,
				   pct_off) :
	     single_protect(c, lay, m, nr, printed, in_row, denom, colN,
			    hide, pct_off)) != 0)
		goto nomem;
	head = rtable_row(c->doc, t, v->key, v->label, NULL, NULL);
	if (head == NULL)
		goto nomem;
	if (lay->test && !multi)
		test_cell(c, &head->cells[nc], m, nr, nc, in_row, in_col,
			  hide, rows * nc);
	else if (lay->test)
		rcell_text(c->doc, &head->cells[nc],
			   "choix multiples : non testé");
	for (i = 0; i < nr; i++) {
		struct rrow *row;
		const char *label;

		if (!printed[i])
			continue;
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

			if (in_row[i] && denom[j] > 0 && !pct_off[j])
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
	free(pct_off);
	free(printed);
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

/* Parts of a number: at least one (G), zero (Z), missing (M). */
enum { NB_G, NB_Z, NB_M, NB_PARTS };

/*
 * Disclosure control of a number: the figures are how many answered
 * (the summary's n, and the denominator of "at least one"), "at least
 * one" when printed, the missing answers, the head count; zero is
 * never printed but protected when small.  m: rows >= 1, 0, answered,
 * missing (x nc).  Sets hide: rows "at least one", answered, missing
 * (x nc).  0, or -1 when out of memory.
 */
static int
number_protect(struct rctx *c, const struct rlayout *lay,
	       const unsigned long *m, int presence, int any_missing,
	       int *hide)
{
	static const size_t all[] = { NB_G, NB_Z, NB_M }, gz[] = { NB_G, NB_Z },
			    g[] = { NB_G }, z[] = { NB_Z }, mm[] = { NB_M };
	const size_t nc = lay->ncols;
	struct xblock b;
	long *fig = calloc(3 * nc + 1, sizeof(*fig));
	unsigned long *v = calloc(3 * nc + 1, sizeof(*v));
	size_t j, p;
	int rc = -1;

	if (fig == NULL || v == NULL || xb_init(&b, lay, NB_PARTS) != 0) {
		free(fig);
		free(v);
		return -1;
	}
	for (j = 0; j < nc; j++) {
		v[j] = m[j];
		v[nc + j] = m[nc + j];
		v[2 * nc + j] = m[3 * nc + j];
		fig[j] = -1;
		if (xb_add(&b, xb_head_kind(lay, j), m[2 * nc + j] +
			   m[3 * nc + j], j, all, 3) < 0 ||
		    (fig[nc + j] = xb_add(&b, DFIG_CELL, m[2 * nc + j], j, gz,
					  2)) < 0 ||
		    (fig[2 * nc + j] = xb_add(&b, any_missing ? DFIG_CELL :
					      DFIG_PUBLIC, m[3 * nc + j], j,
					      mm, 1)) < 0)
			goto out;
		/* without "at least one", >= 1 and 0 are one part: zero
		 * stays 0 and is never small */
		if (presence &&
		    ((fig[j] = xb_add(&b, DFIG_CELL, m[j], j, g, 1)) < 0 ||
		     xb_add(&b, DFIG_UNPRINTED, m[nc + j], j, z, 1) < 0))
			goto out;
	}
	for (j = 0; j < nc; j++)
		v[j] = m[2 * nc + j] + m[3 * nc + j];	/* head counts */
	if (xb_remainder_head(&b, v) != 0)
		goto out;
	for (j = 0; j < nc; j++)
		v[j] = m[j];
	if (b.has_total)
		for (p = 0; p < NB_PARTS; p++) {
			size_t one[1] = { p };

			if (xb_add(&b, DFIG_UNPRINTED, xb_remainder(&b,
				   v + p * nc), XB_NONE, one, 1) < 0)
				goto out;
		}
	if (dsys_solve(b.sys, c->threshold) != 0)
		goto out;
	for (j = 0; j < 3 * nc; j++)
		hide[j] = dsys_hidden(b.sys, fig[j]);
	rc = 0;
out:
	xb_free(&b);
	free(fig);
	free(v);
	return rc;
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
		if (number_protect(c, lay, m, ge1 != NULL, any_missing,
				   hide) != 0)
			goto nomem;
		for (j = 0; j < nc; j++) {
			struct rcell *s = &head->cells[j];

			/* min and max are single teams' values */
			s->hide_range = 1;
			s->suppressed = hide[nc + j];
			if (ge1 == NULL)
				continue;
			ge1->cells[j].suppressed = hide[j];
			/* its denominator is the n withheld above */
			if (s->suppressed && !ge1->cells[j].suppressed)
				rcell_count(&ge1->cells[j], m[j]);
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
				miss->cells[j].suppressed = hide[2 * nc + j];
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

/* Parts of an open item: answered (A), not answered (U). */
enum { TX_A, TX_U, TX_PARTS };

/*
 * Disclosure control of an open item: how many answered (printed, with
 * the head count as denominator) and how many did not (never printed,
 * protected when small).  n: answered, then not answered (x nc).  Sets
 * hide: answered, then whether the head count is secret (x nc).  0, or
 * -1 when out of memory.
 */
static int
text_protect(struct rctx *c, const struct rlayout *lay,
	     const unsigned long *n, int *hide)
{
	static const size_t all[] = { TX_A, TX_U }, a[] = { TX_A },
			    u[] = { TX_U };
	const size_t nc = lay->ncols;
	struct xblock b;
	long *fig = calloc(nc + 1, sizeof(*fig));
	unsigned long *N = calloc(nc + 1, sizeof(*N));
	size_t j, p;
	int rc = -1;

	if (fig == NULL || N == NULL || xb_init(&b, lay, TX_PARTS) != 0) {
		free(fig);
		free(N);
		return -1;
	}
	for (j = 0; j < nc; j++) {
		hide[nc + j] = xb_head_kind(lay, j) == DFIG_SECRET;
		if (xb_add(&b, xb_head_kind(lay, j), n[j] + n[nc + j], j,
			   all, 2) < 0 ||
		    (fig[j] = xb_add(&b, DFIG_CELL, n[j], j, a, 1)) < 0 ||
		    xb_add(&b, DFIG_UNPRINTED, n[nc + j], j, u, 1) < 0)
			goto out;
	}
	for (j = 0; j < nc; j++)
		N[j] = n[j] + n[nc + j];
	if (xb_remainder_head(&b, N) != 0)
		goto out;
	if (b.has_total)
		for (p = 0; p < TX_PARTS; p++) {
			size_t one[1] = { p };

			if (xb_add(&b, DFIG_UNPRINTED, xb_remainder(&b,
				   n + p * nc), XB_NONE, one, 1) < 0)
				goto out;
		}
	if (dsys_solve(b.sys, c->threshold) != 0)
		goto out;
	for (j = 0; j < nc; j++)
		hide[j] = dsys_hidden(b.sys, fig[j]);
	rc = 0;
out:
	xb_free(&b);
	free(fig);
	free(N);
	return rc;
}

/* An open item: how many answered it. */
static enum msp_status
open_text(struct rctx *c, struct rtable *t, const struct rlayout *lay,
	  const struct rvar *v)
{
	const size_t nc = lay->ncols;
	unsigned long *n = NULL;
	int *hide = NULL;
	struct rrow *row;
	size_t j;

	/* one line: the item, with how many answered it */
	row = rtable_row(c->doc, t, v->key, v->label, NULL, NULL);
	if (row == NULL)
		return msp_error_set(c->err, MSP_ENOMEM,
				     "report: out of memory");
	n = calloc(2 * nc + 1, sizeof(*n));
	hide = calloc(2 * nc + 1, sizeof(*hide));
	if (n == NULL || hide == NULL)
		goto nomem;
	for (j = 0; j < nc; j++) {
		const struct rcolsrc *s = &lay->cols[j];
		unsigned long colN = rx_column_n(s, v->key);

		n[j] = rcounts_get(s->counts, value_kind(s, v), v->key, NULL,
				   s->grp);
		n[nc + j] = colN > n[j] ? colN - n[j] : 0;
	}
	if (c->suppress && text_protect(c, lay, n, hide) != 0)
		goto nomem;
	for (j = 0; j < nc; j++) {
		unsigned long colN = n[j] + n[nc + j];

		/* the percentage's denominator is the head count: shown
		 * only when the head count is */
		if (colN > 0 && !hide[nc + j])
			rcell_prop(&row->cells[j], n[j], colN);
		else
			rcell_count(&row->cells[j], n[j]);
		row->cells[j].suppressed = hide[j];
	}
	free(n);
	free(hide);
	return rctx_check(c);
nomem:
	free(n);
	free(hide);
	return msp_error_set(c->err, MSP_ENOMEM, "report: out of memory");
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

/* --- what every comparison's note says ------------------------------------ */

const char rx_test_rule[] =
	"Test : χ² de Pearson sans correction de continuité quand tous "
	"les effectifs attendus sont ≥ 5, sinon test exact de Fisher "
	"(Freeman–Halton pour r×c), comme les études sources ; modalités "
	"et groupes vides retirés.  Nombres : décrits, non testés.";

const char *
rx_policy_text(struct rctx *c)
{
	return rdoc_printf(c->doc,
		"« Ne sait pas » %s ; sans réponse %s (--nsp, --missing).",
		c->opt->dont_know == REPORT_KEEP ?
		"gardé comme modalité" : "exclu des pourcentages et des tests",
		c->opt->missing == REPORT_KEEP ?
		"gardé comme modalité" : "exclu des pourcentages et des tests");
}
