/*
 * report_disclosure — suppression of small counts (see
 * report_disclosure.h).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_disclosure.h"

/* --- the system of figures ----------------------------------------------- */

/* A figure: its kind, its value, its vector over the elementary counts
 * (dense: the systems of one variable have tens of counts). */
struct dfig {
	enum dfig_kind kind;
	unsigned long n;
	double *v;
	int hidden;
	int sensitive;		/* must stay out of the published span */
	int lost;		/* disclosed by the public figures alone */
};

struct dsys {
	size_t ncells;
	struct dfig *figs;
	size_t nfigs, cap;
	/* the published span: orthonormal rows, nbasis of them */
	double *basis;
	size_t nbasis;
	double *work, *work2;	/* two scratch vectors of ncells */
};

/*
 * Below this squared norm a residual is zero.  The vectors hold small
 * integers and the spans have at most a few hundred dimensions, so the
 * rounding of Gram-Schmidt stays many orders of magnitude below it,
 * while a true residual's squared norm is at least 1/ncells.
 */
#define DSYS_EPS 1e-9

struct dsys *
dsys_new(size_t ncells)
{
	struct dsys *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->ncells = ncells;
	/* calloc(0) may return NULL: keep one cell of room */
	s->basis = calloc((ncells + 1) * (ncells + 1), sizeof(double));
	s->work = calloc(ncells + 1, sizeof(double));
	s->work2 = calloc(ncells + 1, sizeof(double));
	if (s->basis == NULL || s->work == NULL || s->work2 == NULL) {
		dsys_free(s);
		return NULL;
	}
	return s;
}

void
dsys_free(struct dsys *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nfigs; i++)
		free(s->figs[i].v);
	free(s->figs);
	free(s->basis);
	free(s->work);
	free(s->work2);
	free(s);
}

long
dsys_add(struct dsys *s, enum dfig_kind kind, unsigned long n,
	 const size_t *cells, size_t ncells)
{
	struct dfig *f;
	size_t i;

	if (s->nfigs == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		struct dfig *figs = realloc(s->figs, cap * sizeof(*figs));

		if (figs == NULL)
			return -1;
		s->figs = figs;
		s->cap = cap;
	}
	/*
	 * A cell out of range is the caller's bug.  It is refused, not
	 * asserted: this file also runs inside the PostgreSQL backend
	 * (pg/msp_sdc.so), where a failed assert() would abort the
	 * server process and so restart every session of the cluster.
	 * The caller's failure path hides everything.
	 */
	for (i = 0; i < ncells; i++)
		if (cells[i] >= s->ncells)
			return -1;
	f = &s->figs[s->nfigs];
	memset(f, 0, sizeof(*f));
	f->v = calloc(s->ncells + 1, sizeof(double));
	if (f->v == NULL)
		return -1;
	f->kind = kind;
	f->n = n;
	for (i = 0; i < ncells; i++)
		f->v[cells[i]] += 1;
	return (long)s->nfigs++;
}

static double
dot(const double *a, const double *b, size_t n)
{
	double d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d += a[i] * b[i];
	return d;
}

/* out = v minus its projection on the published span. */
static void
residual(const struct dsys *s, const double *v, double *out)
{
	size_t i, k;

	memcpy(out, v, s->ncells * sizeof(double));
	for (k = 0; k < s->nbasis; k++) {
		const double *b = s->basis + k * s->ncells;
		double d = dot(out, b, s->ncells);

		for (i = 0; i < s->ncells; i++)
			out[i] -= d * b[i];
	}
}

/* Adds residual r (not zero) to the span, normalised. */
static void
publish(struct dsys *s, const double *r)
{
	double *b = s->basis + s->nbasis * s->ncells;
	double norm = sqrt(dot(r, r, s->ncells));
	size_t i;

	for (i = 0; i < s->ncells; i++)
		b[i] = r[i] / norm;
	s->nbasis++;
}

/*
 * Publishes figure f: its vector, or, when its value is 0, each
 * elementary count it sums (counts are never negative, so a sum of 0
 * says that every one of them is 0: the "problem of zeros").
 */
static void
publish_figure(struct dsys *s, const struct dfig *f)
{
	double *r = s->work;
	size_t k;

	if (f->n > 0) {
		residual(s, f->v, r);
		if (dot(r, r, s->ncells) >= DSYS_EPS)
			publish(s, r);
		return;
	}
	for (k = 0; k < s->ncells; k++) {
		if (f->v[k] == 0)
			continue;
		memset(s->work2, 0, s->ncells * sizeof(double));
		s->work2[k] = 1;
		residual(s, s->work2, r);
		if (dot(r, r, s->ncells) >= DSYS_EPS)
			publish(s, r);
	}
}

/* Whether figure f is in the published span. */
static int
in_span(struct dsys *s, const struct dfig *f)
{
	residual(s, f->v, s->work);
	return dot(s->work, s->work, s->ncells) < DSYS_EPS;
}

/* Whether some sensitive figure, not lost to the public figures
 * already, is in the published span. */
static int
discloses(struct dsys *s)
{
	size_t f;

	for (f = 0; f < s->nfigs; f++)
		if (s->figs[f].sensitive && !s->figs[f].lost &&
		    in_span(s, &s->figs[f]))
			return 1;
	return 0;
}

/* A candidate for publication, with its sort key. */
struct dcand {
	int rank;
	unsigned long n;
	size_t fig;
};

/* The order in which candidates are offered for publication: the
 * denominators (percentages are worth keeping), then zeros (they hide
 * nobody), then the counts from the largest (the smallest are the
 * cheapest to hide); ties in the order added. */
static int
cmp_candidates(const void *a, const void *b)
{
	const struct dcand *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank - y->rank;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return (x->fig > y->fig) - (x->fig < y->fig);
}

int
dsys_solve(struct dsys *s, unsigned threshold)
{
	struct dcand *cand = NULL;
	size_t ncand = 0, i;

	for (i = 0; i < s->nfigs; i++) {
		struct dfig *f = &s->figs[i];
		int small = f->n > 0 && f->n < threshold;

		f->hidden = f->kind == DFIG_SECRET ||
			    (small && f->kind != DFIG_PUBLIC);
		f->sensitive = f->kind != DFIG_PUBLIC && f->hidden;
		if (f->kind == DFIG_UNPRINTED)
			f->sensitive = small;
	}
	s->nbasis = 0;
	for (i = 0; i < s->nfigs; i++)
		if (s->figs[i].kind == DFIG_PUBLIC)
			publish_figure(s, &s->figs[i]);
	/* what the public figures give away is past helping here */
	for (i = 0; i < s->nfigs; i++)
		s->figs[i].lost = s->figs[i].sensitive &&
				  in_span(s, &s->figs[i]);
	cand = malloc((s->nfigs + 1) * sizeof(*cand));
	if (cand == NULL) {
		for (i = 0; i < s->nfigs; i++)
			s->figs[i].hidden = s->figs[i].kind != DFIG_PUBLIC;
		return -1;
	}
	for (i = 0; i < s->nfigs; i++)
		if ((s->figs[i].kind == DFIG_CELL ||
		     s->figs[i].kind == DFIG_TOTAL) && !s->figs[i].hidden) {
			cand[ncand].rank = s->figs[i].kind == DFIG_TOTAL ? 0 :
					   s->figs[i].n == 0 ? 1 : 2;
			cand[ncand].n = s->figs[i].n;
			cand[ncand].fig = i;
			ncand++;
		}
	qsort(cand, ncand, sizeof(*cand), cmp_candidates);
	for (i = 0; i < ncand; i++) {
		struct dfig *f = &s->figs[cand[i].fig];
		size_t before = s->nbasis;

		publish_figure(s, f);
		if (s->nbasis == before)
			continue;	/* already known: costs nothing */
		if (discloses(s)) {
			s->nbasis = before;	/* take it back */
			f->hidden = 1;
			f->sensitive = 1;
			f->lost = in_span(s, f);
		}
	}
	free(cand);
	return 0;
}

int
dsys_hidden(const struct dsys *s, long i)
{
	return i >= 0 && (size_t)i < s->nfigs && s->figs[i].hidden;
}

/* --- a table with margins ------------------------------------------------ */

size_t
disclosure_protect(const unsigned long *counts, size_t rows, size_t cols,
		   unsigned threshold, int *suppressed)
{
	size_t ir = rows - 1, ic = cols - 1, i, j, k, total = 0;
	size_t *cells = NULL;
	long *fig = NULL;
	struct dsys *s = NULL;
	int failed = 1;

	if (rows < 2 || cols < 2) {
		/* no margins: nothing sums, only the small counts go */
		for (k = 0; k < rows * cols; k++) {
			suppressed[k] = suppressed[k] ||
				(counts[k] > 0 && counts[k] < threshold);
			total += suppressed[k] != 0;
		}
		return total;
	}
	s = dsys_new(ir * ic);
	cells = malloc((ir * ic + 1) * sizeof(*cells));
	fig = malloc(rows * cols * sizeof(*fig));
	if (s == NULL || cells == NULL || fig == NULL)
		goto out;
	for (i = 0; i < rows; i++)
		for (j = 0; j < cols; j++) {
			size_t n = 0, a, b;

			/* the cells this one sums: itself, a row, a
			 * column, or all of them */
			for (a = 0; a < ir; a++)
				for (b = 0; b < ic; b++)
					if ((i == ir || a == i) &&
					    (j == ic || b == j))
						cells[n++] = a * ic + b;
			k = i * cols + j;
			fig[k] = dsys_add(s, suppressed[k] ? DFIG_SECRET :
					  DFIG_CELL, counts[k], cells, n);
			if (fig[k] < 0)
				goto out;
		}
	if (dsys_solve(s, threshold) != 0)
		goto out;
	failed = 0;
out:
	for (k = 0; k < rows * cols; k++) {
		if (failed)
			suppressed[k] = 1;	/* out of memory: all */
		else
			suppressed[k] = dsys_hidden(s, fig[k]);
		total += suppressed[k] != 0;
	}
	dsys_free(s);
	free(cells);
	free(fig);
	return total;
}
