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
#include "block.h"
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

/* The columns of lay as block.c's: is_total (lay->ncols, the
 * caller's) is filled, *cols borrows it and lay->hidden_n. */
static void
rx_cols(const struct rlayout *lay, int *is_total, struct block_cols *cols)
{
	size_t j;

	for (j = 0; j < lay->ncols; j++)
		is_total[j] = lay->cols[j].is_total;
	cols->ncols = lay->ncols;
	cols->is_total = is_total;
	cols->hidden_n = lay->hidden_n;
}

/* A row of a block that no report prints (a number's zeros, an open
 * item's unanswered): never in a plan. */
static const char RX_UNPRINTED[] = "(not printed)";

/*
 * Whether plan hides the figure (var, cat, col), into *hides: its
 * identity in id (size bytes) when it fits, else in memory of its own
 * (figure_id.h: never cut, or two figures would read as one).  -1
 * when out of memory.
 */
static int
rx_plan_hides(const struct plan *plan, const char *var, const char *cat,
	      int splits, const struct figure_col *col, char *id,
	      size_t size, int *hides)
{
	char *whole;

	if (figure_id(id, size, var, cat, splits, col) < size) {
		*hides = plan_hides(plan, id);
		return 0;
	}
	if ((whole = figure_id_new(var, cat, splits, col)) == NULL)
		return -1;
	*hides = plan_hides(plan, whole);
	msp_free(whole);
	return 0;
}

/*
 * The figures of block b that the protection plans of its columns'
 * studies hide (release.h: forced), into *forced (nrows x ncols, the
 * caller's to free), or NULL when no column has a plan.  var is the
 * block's variable, splits whether a report may split by it, cats[i]
 * row i's category (NULL: the row without one; RX_UNPRINTED: never
 * printed).  -1 when out of memory.
 */
static int
rx_forced(const struct rctx *c, const struct rlayout *lay,
	  const struct block *b, const char *var, int splits,
	  const char *const *cats, int **forced)
{
	char id[FIGURE_ID_MAX];
	size_t i, j, nr = b->k.nrows, nc = b->k.ncols;
	int *f;

	*forced = NULL;
	if (!c->suppress)
		return 0;
	for (j = 0; j < nc && lay->cols[j].plan == NULL; j++)
		;
	if (j == nc)
		return 0;
	if ((f = msp_calloc(nr * nc + 1, sizeof(*f))) == NULL)
		return -1;
	for (i = 0; i < nr; i++) {
		if (cats[i] == RX_UNPRINTED)
			continue;
		for (j = 0; j < nc; j++) {
			if (lay->cols[j].plan == NULL)
				continue;
			if (rx_plan_hides(lay->cols[j].plan, var, cats[i],
					  splits, &lay->cols[j].fig, id,
					  sizeof(id), &f[i * nc + j]) != 0) {
				msp_free(f);
				return -1;
			}
		}
	}
	*forced = f;
	return 0;
}

/* The release of block b at c's threshold into *rel, with what the
 * plans of lay's columns force hidden (rx_forced()'s arguments). */
static enum msp_status
rx_decide(struct rctx *c, const struct rlayout *lay, const struct block *b,
	  const char *var, int splits, const char *const *cats,
	  struct release *rel)
{
	struct release_counts k = b->k;
	int *forced = NULL;

	if (rx_forced(c, lay, b, var, splits, cats, &forced) != 0)
		return msp_error_set(c->err, MSP_ENOMEM,
				     "report: out of memory");
	k.forced = forced;
	if (release_make(&k, rx_threshold(c), rel, c->err) != MSP_OK) {
		msp_free(forced);
		return c->err->status;
	}
	rx_seen(c, &k, rel);
	msp_free(forced);
	return MSP_OK;
}

enum msp_status
rx_headcount(struct rctx *c, struct rtable *t, const struct rlayout *lay,
	     const char *label, int *hidden)
{
	const size_t nc = lay->ncols;
	struct block_cols cols;
	struct block b;
	struct release rel;
	unsigned long *n = NULL;
	int *is_total = NULL, *public = NULL;
	static const char *const headcats[1] = { NULL };
	struct rrow *row;
	enum msp_status rc;
	size_t j;

	memset(hidden, 0, nc * sizeof(*hidden));
	memset(&rel, 0, sizeof(rel));
	memset(&b, 0, sizeof(b));
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
	rx_cols(lay, is_total, &cols);
	for (j = 0; j < nc; j++) {
		const struct rcolsrc *s = &lay->cols[j];

		n[j] = rx_column_n(s, NULL);
		/* the total of every response is printed in the response
		 * table */
		public[j] = s->is_total && s->total_kind == 't';
	}
	if ((rc = block_headcount(&b, &cols, n, public, c->err)) != MSP_OK ||
	    (rc = rx_decide(c, lay, &b, "n", 0, headcats, &rel)) != MSP_OK)
		goto out;
	for (j = 0; j < nc; j++) {
		rcell_count(&row->cells[j], rel.n[j]);
		hidden[j] = !release_published(&rel, 0, j);
		if (hidden[j])
			rx_hide(&row->cells[j], &rel, 0, j);
	}
	rc = rctx_check(c);
out:
	release_clear(&rel);
	block_clear(&b);
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
 * met in the data (a frame's départements, say), sorted
 * (block_catlist). */
struct catlist {
	struct block_catlist list;
	int oom;
};

/* rcounts_values()'s callback: a value met in the data. */
static void
catlist_add(void *arg, const char *code)
{
	struct catlist *l = arg;

	if (!l->oom && block_catlist_add(&l->list, code, code, 0) != 0)
		l->oom = 1;
}

static int
catlist_fill(struct catlist *l, const struct rlayout *lay,
	     const struct rvar *v)
{
	size_t i;

	for (i = 0; i < v->ncats && !l->oom; i++)
		if (block_catlist_add(&l->list, v->cats[i].code,
				      v->cats[i].label,
				      v->cats[i].dont_know) != 0)
			l->oom = 1;
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

/* Categories, multiple choices: see the file's comment.  The counts
 * document is block.c's; this renders it and its release. */
static enum msp_status
categorical(struct rctx *c, struct rtable *t, const struct rlayout *lay,
	    const struct rvar *v)
{
	struct catlist l;
	const struct block_category *cats;
	const size_t nc = lay->ncols;
	unsigned long *cat = NULL, *colN = NULL, *answered = NULL;
	int *in_col = NULL, *hide = NULL, *is_total = NULL, *dk = NULL;
	const char **rowcat = NULL;
	struct block_cols cols;
	struct block_cat in;
	struct block b;
	struct release rel;
	size_t i, j, ncats, nr, rows;
	int multi = v->type == RV_MULTI;
	struct rrow *head;
	enum msp_status rc = MSP_OK;

	memset(&rel, 0, sizeof(rel));
	memset(&b, 0, sizeof(b));
	memset(&l, 0, sizeof(l));
	if (catlist_fill(&l, lay, v) != 0)
		goto nomem;
	cats = l.list.cats;
	ncats = l.list.n;
	nr = ncats + 1;		/* the categories, then the missing */
	rows = nr + 1;		/* and the margin: the column's count */
	cat = msp_calloc(ncats * nc + 1, sizeof(*cat));
	hide = msp_calloc(rows * nc, sizeof(*hide));
	colN = msp_calloc(nc, sizeof(*colN));
	answered = msp_calloc(nc, sizeof(*answered));
	in_col = msp_calloc(nc, sizeof(*in_col));
	is_total = msp_calloc(nc, sizeof(*is_total));
	dk = msp_calloc(ncats + 1, sizeof(*dk));
	if (!cat || !hide || !colN || !answered || !in_col || !is_total ||
	    !dk)
		goto nomem;
	rx_cols(lay, is_total, &cols);
	for (j = 0; j < nc; j++) {
		const struct rcolsrc *s = &lay->cols[j];

		in_col[j] = !s->is_total;
		colN[j] = rx_column_n(s, v->key);
		for (i = 0; i < ncats; i++)
			cat[i * nc + j] = rcounts_get(s->counts,
						      value_kind(s, v), v->key,
						      cats[i].code, s->grp);
		if (multi)
			answered[j] = rcounts_get(s->counts, 'a', v->key,
						  NULL, s->grp);
	}
	for (i = 0; i < ncats; i++)
		dk[i] = cats[i].dont_know;
	memset(&in, 0, sizeof(in));
	in.ncats = ncats;
	in.n = cat;
	in.col_n = colN;
	in.answered = multi ? answered : NULL;
	in.dont_know = dk;
	in.frame = value_kind(&lay->cols[0], v) == 'f';
	in.multi = multi;
	in.dont_know_kept = c->opt->dont_know == REPORT_KEEP;
	in.missing_kept = c->opt->missing == REPORT_KEEP;
	if ((rc = block_categorical(&b, &cols, &in, c->err)) != MSP_OK)
		goto out;
	/* the rows' categories, as the plan names them: the missing "" */
	if ((rowcat = msp_calloc(nr + 1, sizeof(*rowcat))) == NULL)
		goto nomem;
	for (i = 0; i < ncats; i++)
		rowcat[i] = cats[i].code;
	rowcat[ncats] = "";
	if ((rc = rx_decide(c, lay, &b, v->key, v->type == RV_CATEGORY,
			    rowcat, &rel)) != MSP_OK)
		goto out;
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
		test_cell(c, &head->cells[nc], b.n, nr, nc, b.included,
			  in_col, hide, rows * nc);
	else if (lay->test)
		rcell_text(c->doc, &head->cells[nc],
			   "choix multiples : non testé");
	for (i = 0; i < nr; i++) {
		const int included = b.included[i];
		struct rrow *row;
		const char *label;

		if (!b.printed[i])
			continue;
		if (i < ncats)
			label = included ? cats[i].label :
				rdoc_printf(c->doc, "%s (exclu)",
					    cats[i].label);
		else
			label = included ? missing_label(v) :
				rdoc_printf(c->doc, "%s (exclu)",
					    missing_label(v));
		row = rtable_row(c->doc, t, v->key, v->label,
				 i < ncats ? cats[i].code : "",
				 label);
		if (row == NULL)
			goto nomem;
		for (j = 0; j < nc; j++) {
			struct rcell *cell = &row->cells[j];

			/* from the release: what is hidden has no value
			 * here, and a withheld denominator no percentage */
			if (included && rel.denom[j] > 0 &&
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
	block_catlist_free(&l.list);
	msp_free(cat);
	msp_free(hide);
	msp_free(colN);
	msp_free(answered);
	msp_free(in_col);
	msp_free(is_total);
	msp_free(dk);
	msp_free(rowcat);
	block_clear(&b);
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

static enum msp_status
numeric(struct rctx *c, struct rtable *t, const struct rlayout *lay,
	const struct rvar *v)
{
	const size_t nc = lay->ncols;
	struct release_summary *sum = NULL;
	struct block_cols cols;
	struct block_num in;
	struct block b;
	struct release rel;
	unsigned long *n_ge1 = NULL, *answered = NULL, *colN = NULL;
	int *is_total = NULL;
	struct rrow *head, *ge1 = NULL, *miss;
	/* rows RELEASE_NB_*, as the plan names them (figure_id.h) */
	static const char *const numcats[RELEASE_NB_ROWS] = {
		"ge1", RX_UNPRINTED, NULL, "",
	};
	enum msp_status rc;
	size_t j;

	memset(&rel, 0, sizeof(rel));
	memset(&b, 0, sizeof(b));
	head = rtable_row(c->doc, t, v->key, v->label, NULL, NULL);
	if (head == NULL)
		goto nomem;
	if (v->presence) {
		ge1 = rtable_row(c->doc, t, v->key, v->label, "ge1",
				 "Au moins un");
		if (ge1 == NULL)
			goto nomem;
	}
	n_ge1 = msp_calloc(nc + 1, sizeof(*n_ge1));
	answered = msp_calloc(nc + 1, sizeof(*answered));
	colN = msp_calloc(nc + 1, sizeof(*colN));
	sum = msp_calloc(nc + 1, sizeof(*sum));
	is_total = msp_calloc(nc + 1, sizeof(*is_total));
	if (n_ge1 == NULL || answered == NULL || colN == NULL ||
	    sum == NULL || is_total == NULL)
		goto nomem;
	rx_cols(lay, is_total, &cols);
	for (j = 0; j < nc; j++) {
		struct rcell s;

		memset(&s, 0, sizeof(s));
		if (summarise(&lay->cols[j], v, &s, &n_ge1[j]) != 0)
			goto nomem;
		answered[j] = s.n;
		colN[j] = rx_column_n(&lay->cols[j], v->key);
		sum[j].median = s.median;
		sum[j].mean = s.mean;
		sum[j].min = s.min;
		sum[j].max = s.max;
	}
	memset(&in, 0, sizeof(in));
	in.ge1 = n_ge1;
	in.answered = answered;
	in.col_n = colN;
	in.summary = sum;
	in.presence = ge1 != NULL;
	/* rows RELEASE_NB_*: >= 1, 0, answered (the margin), missing */
	if ((rc = block_numeric(&b, &cols, &in, c->err)) != MSP_OK ||
	    (rc = rx_decide(c, lay, &b, v->key, 0, numcats, &rel)) != MSP_OK)
		goto out;
	/* from here on, the release only */
	for (j = 0; j < nc; j++) {
		struct rcell *s = &head->cells[j];
		s->kind = RCELL_SUMMARY;
		s->n = rel.n[RELEASE_NB_ANSWERED * nc + j];
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
	if (b.k.any_missing) {
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
	block_clear(&b);
	msp_free(n_ge1);
	msp_free(answered);
	msp_free(colN);
	msp_free(sum);
	msp_free(is_total);
	return rc;
}

/* An open item: how many answered it. */
static enum msp_status
open_text(struct rctx *c, struct rtable *t, const struct rlayout *lay,
	  const struct rvar *v)
{
	const size_t nc = lay->ncols;
	struct block_cols cols;
	struct block b;
	struct release rel;
	unsigned long *n = NULL, *colN = NULL;
	int *is_total = NULL;
	struct rrow *row;
	/* rows RELEASE_TX_*: answered (the item's line), unanswered */
	static const char *const textcats[RELEASE_TX_ROWS] = {
		NULL, RX_UNPRINTED,
	};
	enum msp_status rc;
	size_t j;

	memset(&rel, 0, sizeof(rel));
	memset(&b, 0, sizeof(b));
	/* one line: the item, with how many answered it */
	row = rtable_row(c->doc, t, v->key, v->label, NULL, NULL);
	if (row == NULL)
		return msp_error_set(c->err, MSP_ENOMEM,
				     "report: out of memory");
	n = msp_calloc(nc + 1, sizeof(*n));
	colN = msp_calloc(nc + 1, sizeof(*colN));
	is_total = msp_calloc(nc + 1, sizeof(*is_total));
	if (n == NULL || colN == NULL || is_total == NULL)
		goto nomem;
	rx_cols(lay, is_total, &cols);
	for (j = 0; j < nc; j++) {
		const struct rcolsrc *s = &lay->cols[j];

		colN[j] = rx_column_n(s, v->key);
		n[j] = rcounts_get(s->counts, value_kind(s, v), v->key, NULL,
				   s->grp);
	}
	if ((rc = block_text(&b, &cols, n, colN, c->err)) != MSP_OK ||
	    (rc = rx_decide(c, lay, &b, v->key, 0, textcats, &rel)) !=
	    MSP_OK)
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
	block_clear(&b);
	msp_free(n);
	msp_free(colN);
	msp_free(is_total);
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
