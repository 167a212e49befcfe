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

#include "alloc.h"
#include "release.h"
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

/* The threshold the release of c's blocks applies: 0 (publish every
 * figure) unless a federation reads. */
static unsigned
rx_threshold(const struct rctx *c)
{
	return c->suppress ? c->threshold : 0;
}

/* Hides cell, figure (i, j) of release r, saying why: "< t" for a
 * count below the threshold, the secret marker for a complement. */
static void
rx_hide(struct rcell *cell, const struct release *r, size_t i, size_t j)
{
	rcell_hide(cell, r->why[i * r->ncols + j] == RELEASE_PRIMARY ?
		   r->threshold : 0);
}

/* Hands block k and its release r to whoever asked to see them. */
static void
rx_seen(const struct rctx *c, const struct release_counts *k,
	const struct release *r)
{
	if (c->opt->release_seen != NULL)
		c->opt->release_seen(c->opt->release_arg, k, r);
}

/* The columns of lay as a release's arrays: which is the total, and
 * which head counts an earlier block hid.  is_total and secret have
 * lay->ncols entries. */
static void
rx_columns(const struct rlayout *lay, int *is_total, int *secret)
{
	size_t j;

	for (j = 0; j < lay->ncols; j++) {
		is_total[j] = lay->cols[j].is_total;
		secret[j] = lay->hidden_n != NULL && lay->hidden_n[j];
	}
}

enum msp_status
rx_headcount(struct rctx *c, struct rtable *t, const struct rlayout *lay,
	     const char *label, int *hidden)
{
	const size_t nc = lay->ncols;
	struct release_counts k;
	struct release rel;
	unsigned long *n = NULL;
	int *is_total = NULL, *public = NULL;
	struct rrow *row;
	enum msp_status rc;
	size_t j;

	memset(hidden, 0, nc * sizeof(*hidden));
	memset(&rel, 0, sizeof(rel));
	row = rtable_row(c->doc, t, "n", label, NULL, NULL);
	if (row == NULL)
		return rctx_check(c);
	n = msp_calloc(nc + 1, sizeof(*n));
	is_total = msp_calloc(nc + 1, sizeof(*is_total));
	public = msp_calloc(nc + 1, sizeof(*public));
	if (n == NULL || is_total == NULL || public == NULL) {
		rc = msp_error_set(c->err, MSP_ENOMEM,
				   "report: out of memory");
		goto out;
	}
	for (j = 0; j < nc; j++) {
		const struct rcolsrc *s = &lay->cols[j];

		n[j] = rx_column_n(s, NULL);
		is_total[j] = s->is_total;
		/* the total of every response is printed in the response
		 * table */
		public[j] = s->is_total && s->total_kind == 't';
	}
	memset(&k, 0, sizeof(k));
	k.kind = RELEASE_HEADCOUNT;
	k.nrows = 1;
	k.ncols = nc;
	k.n = n;
	k.head = n;
	k.is_total = is_total;
	k.head_public = public;
	if ((rc = release_make(&k, rx_threshold(c), &rel, c->err)) != MSP_OK)
		goto out;
	rx_seen(c, &k, &rel);
	for (j = 0; j < nc; j++) {
		rcell_count(&row->cells[j], rel.n[j]);
		hidden[j] = !release_published(&rel, 0, j);
		if (hidden[j])
			rx_hide(&row->cells[j], &rel, 0, j);
	}
	rc = rctx_check(c);
out:
	release_clear(&rel);
	msp_free(n);
	msp_free(is_total);
	msp_free(public);
	return rc;
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

		cats = msp_realloc(l->cats, cap * sizeof(*cats));
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

/* Categories, multiple choices: see the file's comment. */
static enum msp_status
categorical(struct rctx *c, struct rtable *t, const struct rlayout *lay,
	    const struct rvar *v)
{
	struct catlist l = { c, NULL, 0, 0, 0 };
	const size_t nc = lay->ncols;
	unsigned long *m = NULL, *colN = NULL, *denom = NULL;
	int *in_row = NULL, *in_col = NULL, *hide = NULL, *is_total = NULL;
	int *printed = NULL, *secret = NULL;
	struct release_counts k;
	struct release rel;
	size_t i, j, nr, rows;
	int multi = v->type == RV_MULTI, any_missing = 0;
	struct rrow *head;
	enum msp_status rc = MSP_OK;

	memset(&rel, 0, sizeof(rel));
	if (catlist_fill(&l, lay, v) != 0)
		goto nomem;
	nr = l.n + 1;		/* the categories, then the missing */
	rows = nr + 1;		/* and the margin: the column's count */
	m = msp_calloc(rows * nc, sizeof(*m));
	hide = msp_calloc(rows * nc, sizeof(*hide));
	colN = msp_calloc(nc, sizeof(*colN));
	denom = msp_calloc(nc, sizeof(*denom));
	in_row = msp_calloc(nr, sizeof(*in_row));
	in_col = msp_calloc(nc, sizeof(*in_col));
	is_total = msp_calloc(nc, sizeof(*is_total));
	secret = msp_calloc(nc, sizeof(*secret));
	printed = msp_calloc(nr, sizeof(*printed));
	if (!m || !hide || !colN || !denom || !in_row || !in_col ||
	    !is_total || !secret || !printed)
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
	memset(&k, 0, sizeof(k));
	k.kind = multi ? RELEASE_MULTI : RELEASE_SINGLE;
	k.nrows = nr;
	k.ncols = nc;
	k.n = m;
	k.head = colN;
	k.is_total = is_total;
	k.head_secret = secret;
	k.printed = printed;
	k.included = in_row;
	k.denom = denom;
	k.any_missing = any_missing;
	k.missing_kept = c->opt->missing == REPORT_KEEP;
	rx_columns(lay, is_total, secret);
	if ((rc = release_make(&k, rx_threshold(c), &rel, c->err)) != MSP_OK)
		goto out;
	rx_seen(c, &k, &rel);
	for (i = 0; i < nr * nc; i++)
		hide[i] = rel.why[i] != RELEASE_PUBLISHED;
	head = rtable_row(c->doc, t, v->key, v->label, NULL, NULL);
	if (head == NULL)
		goto nomem;
	/* The test still reads the true counts, not the release: for a
	 * federation the p-value of a table with hidden cells says
	 * something of them (docs/report.md, "what is not protected
	 * yet"); tests on released tables only come with the linked
	 * release of issue 19. */
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

			/* from the release: what is hidden has no value
			 * here, and a withheld denominator no percentage */
			if (in_row[i] && rel.denom[j] > 0 &&
			    rel.denom_why[j] == RELEASE_PUBLISHED)
				rcell_prop(cell, rel.n[i * nc + j],
					   rel.denom[j]);
			else
				rcell_count(cell, rel.n[i * nc + j]);
			if (hide[i * nc + j])
				rx_hide(cell, &rel, i, j);
		}
	}
	rc = rctx_check(c);
	goto out;
nomem:
	rc = msp_error_set(c->err, MSP_ENOMEM, "report: out of memory");
out:
	msp_free(l.cats);
	msp_free(m);
	msp_free(hide);
	msp_free(colN);
	msp_free(denom);
	msp_free(in_row);
	msp_free(in_col);
	msp_free(is_total);
	msp_free(secret);
	msp_free(printed);
	release_clear(&rel);
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
	h = msp_malloc(n * sizeof(*h));
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
	msp_free(h);
	return 0;
}

/* The release of block k of lay at c's threshold into *rel; the
 * column arrays is_total and secret (lay->ncols) are filled here. */
static enum msp_status
rx_release(struct rctx *c, const struct rlayout *lay,
	   struct release_counts *k, int *is_total, int *secret,
	   struct release *rel)
{
	rx_columns(lay, is_total, secret);
	k->ncols = lay->ncols;
	k->is_total = is_total;
	k->head_secret = secret;
	if (release_make(k, rx_threshold(c), rel, c->err) != MSP_OK)
		return c->err->status;
	rx_seen(c, k, rel);
	return MSP_OK;
}

static enum msp_status
numeric(struct rctx *c, struct rtable *t, const struct rlayout *lay,
	const struct rvar *v)
{
	const size_t nc = lay->ncols;
	struct release_summary *sum = NULL;
	struct release_counts k;
	struct release rel;
	unsigned long *m = NULL, *N = NULL;
	int *is_total = NULL, *secret = NULL, any_missing = 0;
	struct rrow *head, *ge1 = NULL, *miss;
	enum msp_status rc;
	size_t j;

	memset(&rel, 0, sizeof(rel));
	head = rtable_row(c->doc, t, v->key, v->label, NULL, NULL);
	if (head == NULL)
		goto nomem;
	if (v->presence) {
		ge1 = rtable_row(c->doc, t, v->key, v->label, "ge1",
				 "Au moins un");
		if (ge1 == NULL)
			goto nomem;
	}
	/* rows RELEASE_NB_*: >= 1, 0, answered (the margin), missing */
	m = msp_calloc(RELEASE_NB_ROWS * nc + 1, sizeof(*m));
	N = msp_calloc(nc + 1, sizeof(*N));
	sum = msp_calloc(nc + 1, sizeof(*sum));
	is_total = msp_calloc(nc + 1, sizeof(*is_total));
	secret = msp_calloc(nc + 1, sizeof(*secret));
	if (m == NULL || N == NULL || sum == NULL || is_total == NULL ||
	    secret == NULL)
		goto nomem;
	for (j = 0; j < nc; j++) {
		struct rcell s;
		unsigned long n_ge1, colN;

		memset(&s, 0, sizeof(s));
		if (summarise(&lay->cols[j], v, &s, &n_ge1) != 0)
			goto nomem;
		m[RELEASE_NB_GE1 * nc + j] = n_ge1;
		m[RELEASE_NB_ZERO * nc + j] = s.n - n_ge1;
		m[RELEASE_NB_ANSWERED * nc + j] = s.n;
		colN = rx_column_n(&lay->cols[j], v->key);
		m[RELEASE_NB_MISSING * nc + j] = colN > s.n ? colN - s.n : 0;
		N[j] = s.n + m[RELEASE_NB_MISSING * nc + j];
		any_missing |= m[RELEASE_NB_MISSING * nc + j] > 0;
		sum[j].median = s.median;
		sum[j].mean = s.mean;
		sum[j].min = s.min;
		sum[j].max = s.max;
	}
	memset(&k, 0, sizeof(k));
	k.kind = RELEASE_NUMBER;
	k.nrows = RELEASE_NB_ROWS;
	k.n = m;
	k.head = N;
	k.summary = sum;
	k.any_missing = any_missing;
	k.presence = ge1 != NULL;
	if ((rc = rx_release(c, lay, &k, is_total, secret, &rel)) != MSP_OK)
		goto out;
	/* from here on, the release only */
	for (j = 0; j < nc; j++) {
		struct rcell *s = &head->cells[j];
		unsigned long answered = rel.n[RELEASE_NB_ANSWERED * nc + j];

		s->kind = RCELL_SUMMARY;
		s->n = answered;
		s->median = rel.summary[j].median;
		s->mean = rel.summary[j].mean;
		s->min = rel.summary[j].min;
		s->max = rel.summary[j].max;
		/* min and max are single teams' values */
		s->hide_range = !rel.range;
		if (!release_published(&rel, RELEASE_NB_ANSWERED, j))
			rx_hide(s, &rel, RELEASE_NB_ANSWERED, j);
		if (ge1 == NULL)
			continue;
		/* its denominator is the n: a count alone when withheld */
		if (rel.denom_why[j] == RELEASE_PUBLISHED && rel.denom[j] > 0)
			rcell_prop(&ge1->cells[j],
				   rel.n[RELEASE_NB_GE1 * nc + j],
				   rel.denom[j]);
		else
			rcell_count(&ge1->cells[j],
				    rel.n[RELEASE_NB_GE1 * nc + j]);
		if (!release_published(&rel, RELEASE_NB_GE1, j))
			rx_hide(&ge1->cells[j], &rel, RELEASE_NB_GE1, j);
	}
	if (any_missing) {
		miss = rtable_row(c->doc, t, v->key, v->label, "",
				  missing_label(v));
		if (miss == NULL)
			goto nomem;
		for (j = 0; j < nc; j++) {
			rcell_count(&miss->cells[j],
				    rel.n[RELEASE_NB_MISSING * nc + j]);
			if (!release_published(&rel, RELEASE_NB_MISSING, j))
				rx_hide(&miss->cells[j], &rel,
					RELEASE_NB_MISSING, j);
		}
	}
	rc = rctx_check(c);
	goto out;
nomem:
	rc = msp_error_set(c->err, MSP_ENOMEM, "report: out of memory");
out:
	release_clear(&rel);
	msp_free(m);
	msp_free(N);
	msp_free(sum);
	msp_free(is_total);
	msp_free(secret);
	return rc;
}

/* An open item: how many answered it. */
static enum msp_status
open_text(struct rctx *c, struct rtable *t, const struct rlayout *lay,
	  const struct rvar *v)
{
	const size_t nc = lay->ncols;
	struct release_counts k;
	struct release rel;
	unsigned long *n = NULL, *N = NULL;
	int *is_total = NULL, *secret = NULL;
	struct rrow *row;
	enum msp_status rc;
	size_t j;

	memset(&rel, 0, sizeof(rel));
	/* one line: the item, with how many answered it */
	row = rtable_row(c->doc, t, v->key, v->label, NULL, NULL);
	if (row == NULL)
		return msp_error_set(c->err, MSP_ENOMEM,
				     "report: out of memory");
	n = msp_calloc(RELEASE_TX_ROWS * nc + 1, sizeof(*n));
	N = msp_calloc(nc + 1, sizeof(*N));
	is_total = msp_calloc(nc + 1, sizeof(*is_total));
	secret = msp_calloc(nc + 1, sizeof(*secret));
	if (n == NULL || N == NULL || is_total == NULL || secret == NULL)
		goto nomem;
	for (j = 0; j < nc; j++) {
		const struct rcolsrc *s = &lay->cols[j];
		unsigned long colN = rx_column_n(s, v->key);

		n[j] = rcounts_get(s->counts, value_kind(s, v), v->key, NULL,
				   s->grp);
		n[nc + j] = colN > n[j] ? colN - n[j] : 0;
		N[j] = n[j] + n[nc + j];
	}
	memset(&k, 0, sizeof(k));
	k.kind = RELEASE_TEXT;
	k.nrows = RELEASE_TX_ROWS;
	k.n = n;
	k.head = N;
	if ((rc = rx_release(c, lay, &k, is_total, secret, &rel)) != MSP_OK)
		goto out;
	for (j = 0; j < nc; j++) {
		unsigned long answered = rel.n[RELEASE_TX_ANSWERED * nc + j];

		/* the percentage's denominator is the head count: shown
		 * only when the head count is */
		if (rel.denom[j] > 0 &&
		    rel.denom_why[j] == RELEASE_PUBLISHED)
			rcell_prop(&row->cells[j], answered, rel.denom[j]);
		else
			rcell_count(&row->cells[j], answered);
		if (!release_published(&rel, RELEASE_TX_ANSWERED, j))
			rx_hide(&row->cells[j], &rel, RELEASE_TX_ANSWERED, j);
	}
	rc = rctx_check(c);
	goto out;
nomem:
	rc = msp_error_set(c->err, MSP_ENOMEM, "report: out of memory");
out:
	release_clear(&rel);
	msp_free(n);
	msp_free(N);
	msp_free(is_total);
	msp_free(secret);
	return rc;
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
