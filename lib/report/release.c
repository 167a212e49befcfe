/*
 * release — a block's counts to its release (see release.h).
 *
 * The figure model was report_xtab.c's until December 2026 (the
 * *_protect() functions and the xblock); it moved here unchanged, so
 * that what a report hides stays exactly what it hid (tests/
 * check_disclosure's counts, and every report of both reference
 * studies compared byte for byte before and after the move).
 */
#include "config.h"

#include <string.h>

#include "alloc.h"
#include "release.h"
#include "report_disclosure.h"

/* --- one block's figures ------------------------------------------------ */

/*
 * The elementary counts of one block, for report_disclosure's system:
 * nparts per group column (its categories and missing answers, say),
 * and, when the block has a total column, a remainder column: the
 * responses in no group (no answer to the --by variable), which the
 * total counts and no group does.  A figure is a sum of some parts in
 * one column; in the total column, the sum over every group and the
 * remainder.
 */
struct xblock {
	struct dsys *sys;
	const struct release_counts *k;
	size_t nparts;
	size_t ngroups;		/* group columns, remainder included */
	size_t *group;		/* per column; NONE for the total */
	int has_total;
	size_t *cells;		/* scratch: nparts * ngroups */
};

#define XB_NONE ((size_t)-1)

static void
xb_free(struct xblock *b)
{
	dsys_free(b->sys);
	msp_free(b->group);
	msp_free(b->cells);
	memset(b, 0, sizeof(*b));
}

/* 0, or -1 when out of memory (b is then freed). */
static int
xb_init(struct xblock *b, const struct release_counts *k, size_t nparts)
{
	size_t j, g = 0;

	memset(b, 0, sizeof(*b));
	b->k = k;
	b->nparts = nparts;
	b->group = msp_calloc(k->ncols + 1, sizeof(*b->group));
	if (b->group == NULL)
		goto fail;
	for (j = 0; j < k->ncols; j++) {
		if (k->is_total[j]) {
			b->group[j] = XB_NONE;
			b->has_total = 1;
		} else
			b->group[j] = g++;
	}
	b->ngroups = g + (b->has_total ? 1 : 0);
	b->cells = msp_calloc(nparts * b->ngroups + 1, sizeof(*b->cells));
	b->sys = dsys_new(nparts * b->ngroups);
	if (b->cells == NULL || b->sys == NULL)
		goto fail;
	return 0;
fail:
	xb_free(b);
	return -1;
}

/*
 * Adds the figure of value n: the sum of parts[0..np) in column j, or
 * in the remainder when j is XB_NONE.  The figure's number, or -1 when
 * out of memory.
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
	size_t *parts = msp_calloc(np + 1, sizeof(*parts)), p;
	long fig;

	if (parts == NULL)
		return -1;
	for (p = 0; p < np; p++)
		parts[p] = p;
	fig = xb_add(b, kind, n, j, parts, np);
	msp_free(parts);
	return fig;
}

/* The remainder of a part: the total column's count less the groups'
 * (m: the part's counts, one per column). */
static unsigned long
xb_remainder(const struct xblock *b, const unsigned long *m)
{
	unsigned long total = 0, groups = 0;
	size_t j;

	for (j = 0; j < b->k->ncols; j++) {
		if (b->group[j] == XB_NONE)
			total = m[j];
		else
			groups += m[j];
	}
	return total > groups ? total - groups : 0;
}

/* The kind of the printed figure of row i, column j: kind, or secret
 * when the study's plan forces it hidden (release.h). */
static enum dfig_kind
forced_kind(const struct release_counts *k, size_t i, size_t j,
	    enum dfig_kind kind)
{
	return k->forced != NULL && k->forced[i * k->ncols + j] ?
	       DFIG_SECRET : kind;
}

/* Whether column j's head count was hidden by an earlier block. */
static int
head_secret(const struct release_counts *k, size_t j)
{
	return k->head_secret != NULL && k->head_secret[j];
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
	for (j = 0; j < b->k->ncols; j++)
		if (head_secret(b->k, j))
			return 0;
	return xb_add_first(b, DFIG_PUBLIC, xb_remainder(b, N), XB_NONE,
			    b->nparts) < 0 ? -1 : 0;
}

/* The head count of column j as a figure of b: public (printed in the
 * head count row, or the response table), or hidden there already. */
static enum dfig_kind
xb_head_kind(const struct release_counts *k, size_t j)
{
	return head_secret(k, j) ? DFIG_SECRET : DFIG_PUBLIC;
}

/*
 * The head counts (one per column) as a system: each group's count is
 * a part; the total column, the sum of all; a total of every response
 * is printed in the response table, so it is public.  Sets hide[j].
 * 0, or -1 when out of memory.
 */
static int
headcount_protect(const struct release_counts *k, unsigned threshold,
		  int *hide)
{
	const unsigned long *n = k->n;
	struct xblock b;
	long *fig = msp_calloc(k->ncols + 1, sizeof(*fig));
	size_t j;

	if (fig == NULL)
		return -1;
	if (xb_init(&b, k, 1) != 0) {
		msp_free(fig);
		return -1;
	}
	for (j = 0; j < k->ncols; j++) {
		fig[j] = xb_add_first(&b, k->is_total[j] && k->head_public[j] ?
				      DFIG_PUBLIC : forced_kind(k, 0, j,
				      DFIG_CELL), n[j], j, 1);
		if (fig[j] < 0)
			goto fail;
	}
	if (b.has_total &&
	    xb_add_first(&b, DFIG_UNPRINTED, xb_remainder(&b, n), XB_NONE,
			 1) < 0)
		goto fail;
	if (dsys_solve(b.sys, threshold) != 0)
		goto fail;
	for (j = 0; j < k->ncols; j++)
		hide[j] = dsys_hidden(b.sys, fig[j]);
	xb_free(&b);
	msp_free(fig);
	return 0;
fail:
	xb_free(&b);
	msp_free(fig);
	return -1;
}

/*
 * A single choice: each category and the missing answers of each group
 * are parts; the figures are the cells printed (rows nr: the
 * categories, then the missing; m row-major, nr x nc), the head counts,
 * and each column's denominator when its percentages are printed (the
 * included rows: a percentage gives it back).  Sets hide (nr x nc) and
 * pct_off (nc: the column's percentages and intervals withheld).  0, or
 * -1 when out of memory.
 */
static int
single_protect(const struct release_counts *k, unsigned threshold,
	       int *hide, int *pct_off)
{
	const size_t nc = k->ncols, nr = k->nrows;
	const unsigned long *m = k->n, *colN = k->head, *denom = k->denom;
	struct xblock b;
	long *fig = NULL, *dfig = NULL;
	size_t *parts = NULL, i, j, np;
	unsigned long *row = NULL;
	int rc = -1;

	if (xb_init(&b, k, nr) != 0)
		return -1;
	fig = msp_calloc(nr * nc + 1, sizeof(*fig));
	dfig = msp_calloc(nc + 1, sizeof(*dfig));
	parts = msp_calloc(nr + 1, sizeof(*parts));
	row = msp_calloc(nc + 1, sizeof(*row));
	if (fig == NULL || dfig == NULL || parts == NULL || row == NULL)
		goto out;
	for (i = 0; i < nr; i++)
		parts[i] = i;
	for (j = 0; j < nc; j++) {
		/* a row not printed (all zero) is known all the same */
		for (i = 0; i < nr; i++)
			if ((fig[i * nc + j] = xb_add(&b, k->printed[i] ?
			     forced_kind(k, i, j, DFIG_CELL) : DFIG_PUBLIC,
			     m[i * nc + j], j, &parts[i], 1)) < 0)
				goto out;
		if (xb_add(&b, xb_head_kind(k, j), colN[j], j, parts,
			   nr) < 0)
			goto out;
		dfig[j] = -1;
		for (i = 0, np = 0; i < nr; i++)
			if (k->included[i] && k->printed[i])
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
	if (dsys_solve(b.sys, threshold) != 0)
		goto out;
	for (i = 0; i < nr * nc; i++)
		hide[i] = dsys_hidden(b.sys, fig[i]);
	for (j = 0; j < nc; j++)
		pct_off[j] = dfig[j] >= 0 && dsys_hidden(b.sys, dfig[j]);
	rc = 0;
out:
	xb_free(&b);
	msp_free(fig);
	msp_free(dfig);
	msp_free(parts);
	msp_free(row);
	return rc;
}

/* Parts of a multiple choice's respondents (R) and missing (M); of an
 * option's chosen (C), not chosen (N) and missing (M). */
enum { MR_R, MR_M, MR_PARTS };
enum { MO_C, MO_N, MO_M, MO_PARTS };

/*
 * A multiple choice.  First the missing answers and the respondents of
 * each column, whose hidden state every option shares (the missing row
 * is printed once; the respondents are the percentages' denominator
 * when the missing are excluded); then each option on its own, with
 * them as public or secret: chosen (printed), not chosen (never
 * printed, protected when small).  Sets hide (rows: the options then
 * the missing, x nc) and pct_off (nc).  0, or -1 when out of memory.
 */
static int
multi_protect(const struct release_counts *k, unsigned threshold,
	      int *hide, int *pct_off)
{
	const size_t nc = k->ncols, nopt = k->nrows - 1;
	const unsigned long *m = k->n, *colN = k->head;
	const int kept = k->missing_kept;
	struct xblock b;
	long *fig = NULL;
	unsigned long *v = NULL;
	int *hideR = NULL, *hideN = NULL;
	size_t i, j, p;
	int rc = -1;

	memset(&b, 0, sizeof(b));	/* xb_free() is safe on it */
	fig = msp_calloc(3 * nc + 1, sizeof(*fig));
	v = msp_calloc(3 * nc + 1, sizeof(*v));
	hideR = msp_calloc(nc + 1, sizeof(*hideR));
	hideN = msp_calloc(nc + 1, sizeof(*hideN));
	if (fig == NULL || v == NULL || hideR == NULL || hideN == NULL ||
	    xb_init(&b, k, MR_PARTS) != 0)
		goto fail;
	for (j = 0; j < nc; j++) {
		static const size_t both[] = { MR_R, MR_M }, r[] = { MR_R },
				    mm[] = { MR_M };

		v[j] = colN[j] - m[nopt * nc + j];	/* respondents */
		v[nc + j] = m[nopt * nc + j];		/* missing */
		hideN[j] = xb_head_kind(k, j) == DFIG_SECRET;
		if (xb_add(&b, xb_head_kind(k, j), colN[j], j, both, 2) < 0 ||
		    (fig[j] = xb_add(&b, k->any_missing ?
				     forced_kind(k, nopt, j, DFIG_CELL) :
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
	if (dsys_solve(b.sys, threshold) != 0)
		goto fail;
	for (j = 0; j < nc; j++) {
		hide[nopt * nc + j] = dsys_hidden(b.sys, fig[j]);
		hideR[j] = hide[nopt * nc + j] ||
			   dsys_hidden(b.sys, fig[nc + j]);
		pct_off[j] = dsys_hidden(b.sys, fig[2 * nc + j]);
	}
	xb_free(&b);

	for (i = 0; i < nopt; i++) {
		if (xb_init(&b, k, MO_PARTS) != 0)
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
			    (fig[j] = xb_add(&b, forced_kind(k, i, j,
					     DFIG_CELL), v[j], j, oc, 1)) < 0 ||
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
		if (dsys_solve(b.sys, threshold) != 0)
			goto fail;
		for (j = 0; j < nc; j++)
			hide[i * nc + j] = dsys_hidden(b.sys, fig[j]);
		xb_free(&b);
	}
	rc = 0;
fail:
	xb_free(&b);
	msp_free(fig);
	msp_free(v);
	msp_free(hideR);
	msp_free(hideN);
	return rc;
}

/* Parts of a number: at least one (G), zero (Z), missing (M). */
enum { NB_G, NB_Z, NB_M, NB_PARTS };

/*
 * A number: the figures are how many answered (the summary's n, and
 * the denominator of "at least one"), "at least one" when printed, the
 * missing answers, the head count; zero is never printed but protected
 * when small.  Sets hide (RELEASE_NB_ROWS x nc; the zero row: hidden
 * unless "at least one" and the answered are both published, since it
 * is their difference).  0, or -1 when out of memory.
 */
static int
number_protect(const struct release_counts *k, unsigned threshold,
	       int *hide)
{
	static const size_t all[] = { NB_G, NB_Z, NB_M }, gz[] = { NB_G, NB_Z },
			    g[] = { NB_G }, z[] = { NB_Z }, mm[] = { NB_M };
	const size_t nc = k->ncols;
	const unsigned long *m = k->n;
	const int presence = k->presence;
	struct xblock b;
	long *fig = msp_calloc(3 * nc + 1, sizeof(*fig));
	unsigned long *v = msp_calloc(3 * nc + 1, sizeof(*v));
	size_t j, p;
	int rc = -1;

	if (fig == NULL || v == NULL || xb_init(&b, k, NB_PARTS) != 0) {
		msp_free(fig);
		msp_free(v);
		return -1;
	}
	for (j = 0; j < nc; j++) {
		v[j] = m[j];
		v[nc + j] = m[nc + j];
		v[2 * nc + j] = m[3 * nc + j];
		fig[j] = -1;
		if (xb_add(&b, xb_head_kind(k, j), m[2 * nc + j] +
			   m[3 * nc + j], j, all, 3) < 0 ||
		    (fig[nc + j] = xb_add(&b, forced_kind(k,
					  RELEASE_NB_ANSWERED, j, DFIG_CELL),
					  m[2 * nc + j], j, gz, 2)) < 0 ||
		    (fig[2 * nc + j] = xb_add(&b, k->any_missing ?
					      forced_kind(k,
					      RELEASE_NB_MISSING, j,
					      DFIG_CELL) : DFIG_PUBLIC,
					      m[3 * nc + j], j, mm, 1)) < 0)
			goto out;
		/* without "at least one", >= 1 and 0 are one part: zero
		 * stays 0 and is never small */
		if (presence &&
		    ((fig[j] = xb_add(&b, forced_kind(k, RELEASE_NB_GE1, j,
				      DFIG_CELL), m[j], j, g, 1)) < 0 ||
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
	if (dsys_solve(b.sys, threshold) != 0)
		goto out;
	for (j = 0; j < nc; j++) {
		hide[RELEASE_NB_GE1 * nc + j] = dsys_hidden(b.sys, fig[j]);
		hide[RELEASE_NB_ANSWERED * nc + j] =
			dsys_hidden(b.sys, fig[nc + j]);
		hide[RELEASE_NB_MISSING * nc + j] =
			dsys_hidden(b.sys, fig[2 * nc + j]);
		hide[RELEASE_NB_ZERO * nc + j] =
			!presence || hide[RELEASE_NB_GE1 * nc + j] ||
			hide[RELEASE_NB_ANSWERED * nc + j];
	}
	rc = 0;
out:
	xb_free(&b);
	msp_free(fig);
	msp_free(v);
	return rc;
}

/* Parts of an open item: answered (A), not answered (U). */
enum { TX_A, TX_U, TX_PARTS };

/*
 * An open item: how many answered (printed, with the head count as
 * denominator) and how many did not (never printed, protected when
 * small).  Sets hide (RELEASE_TX_ROWS x nc; not answered: hidden
 * unless the answered and the head count are both published).  0, or
 * -1 when out of memory.
 */
static int
text_protect(const struct release_counts *k, unsigned threshold,
	     int *hide)
{
	static const size_t all[] = { TX_A, TX_U }, a[] = { TX_A },
			    u[] = { TX_U };
	const size_t nc = k->ncols;
	const unsigned long *n = k->n;
	struct xblock b;
	long *fig = msp_calloc(nc + 1, sizeof(*fig));
	unsigned long *N = msp_calloc(nc + 1, sizeof(*N));
	size_t j, p;
	int rc = -1;

	if (fig == NULL || N == NULL || xb_init(&b, k, TX_PARTS) != 0) {
		msp_free(fig);
		msp_free(N);
		return -1;
	}
	for (j = 0; j < nc; j++) {
		if (xb_add(&b, xb_head_kind(k, j), n[j] + n[nc + j], j,
			   all, 2) < 0 ||
		    (fig[j] = xb_add(&b, forced_kind(k, RELEASE_TX_ANSWERED,
				     j, DFIG_CELL), n[j], j, a, 1)) < 0 ||
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
	if (dsys_solve(b.sys, threshold) != 0)
		goto out;
	for (j = 0; j < nc; j++) {
		hide[j] = dsys_hidden(b.sys, fig[j]);
		hide[nc + j] = hide[j] || head_secret(k, j);
	}
	rc = 0;
out:
	xb_free(&b);
	msp_free(fig);
	msp_free(N);
	return rc;
}

/* --- the release -------------------------------------------------------- */

/* Why figure n is absent when hidden: a count below the threshold is
 * the primary reason; anything else was hidden for another's sake. */
static enum release_why
why_hidden(int hidden, unsigned long n, unsigned threshold)
{
	if (!hidden)
		return RELEASE_PUBLISHED;
	return n > 0 && n < threshold ? RELEASE_PRIMARY :
	       RELEASE_COMPLEMENTARY;
}

/* MSP_OK when k has what its kind needs. */
static enum msp_status
check_counts(const struct release_counts *k, struct msp_error *err)
{
	int ok = k->n != NULL && k->head != NULL && k->is_total != NULL &&
		 k->ncols > 0;

	switch (k->kind) {
	case RELEASE_HEADCOUNT:
		ok = ok && k->nrows == 1 && k->head_public != NULL;
		break;
	case RELEASE_SINGLE:
		ok = ok && k->nrows > 0 && k->printed != NULL &&
		     k->included != NULL && k->denom != NULL;
		break;
	case RELEASE_MULTI:
		ok = ok && k->nrows > 0;
		break;
	case RELEASE_NUMBER:
		ok = ok && k->nrows == RELEASE_NB_ROWS && k->summary != NULL;
		break;
	case RELEASE_TEXT:
		ok = ok && k->nrows == RELEASE_TX_ROWS;
		break;
	default:
		ok = 0;
	}
	if (!ok)
		return msp_error_set(err, MSP_EINVAL, "release: counts of "
				     "kind %d incomplete", (int)k->kind);
	return MSP_OK;
}

/* The denominators of k's percentages, true, one per column. */
static unsigned long
true_denominator(const struct release_counts *k, size_t j)
{
	const size_t nc = k->ncols;

	switch (k->kind) {
	case RELEASE_SINGLE:
		return k->denom[j];
	case RELEASE_MULTI:
		return k->missing_kept ? k->head[j] :
		       k->head[j] - k->n[(k->nrows - 1) * nc + j];
	case RELEASE_NUMBER:
		return k->n[RELEASE_NB_ANSWERED * nc + j];
	case RELEASE_TEXT:
	case RELEASE_HEADCOUNT:
	default:
		return k->head[j];
	}
}

enum msp_status
release_make(const struct release_counts *k, unsigned threshold,
	     struct release *out, struct msp_error *err)
{
	const size_t nc = k->ncols;
	int *hide = NULL, *pct_off = NULL;
	size_t i, j, cells;
	enum msp_status rc;
	int failed = 0;

	memset(out, 0, sizeof(*out));
	if ((rc = check_counts(k, err)) != MSP_OK)
		return rc;
	if (k->nrows > ((size_t)-1 / sizeof(*hide) - 1) / nc)
		return msp_error_set(err, MSP_EINVAL, "release: block too "
				     "large");
	cells = k->nrows * nc;
	out->kind = k->kind;
	out->nrows = k->nrows;
	out->ncols = nc;
	out->threshold = threshold;
	out->range = threshold == 0;
	out->n = msp_calloc(cells + 1, sizeof(*out->n));
	out->why = msp_calloc(cells + 1, sizeof(*out->why));
	out->denom = msp_calloc(nc + 1, sizeof(*out->denom));
	out->denom_why = msp_calloc(nc + 1, sizeof(*out->denom_why));
	hide = msp_calloc(cells + 1, sizeof(*hide));
	pct_off = msp_calloc(nc + 1, sizeof(*pct_off));
	if (out->n == NULL || out->why == NULL || out->denom == NULL ||
	    out->denom_why == NULL || hide == NULL || pct_off == NULL)
		goto nomem;
	if (k->kind == RELEASE_NUMBER) {
		out->summary = msp_calloc(nc + 1, sizeof(*out->summary));
		if (out->summary == NULL)
			goto nomem;
	}
	if (threshold > 0) {
		switch (k->kind) {
		case RELEASE_HEADCOUNT:
			failed = headcount_protect(k, threshold, hide);
			break;
		case RELEASE_SINGLE:
			failed = single_protect(k, threshold, hide, pct_off);
			break;
		case RELEASE_MULTI:
			failed = multi_protect(k, threshold, hide, pct_off);
			break;
		case RELEASE_NUMBER:
			failed = number_protect(k, threshold, hide);
			break;
		case RELEASE_TEXT:
			failed = text_protect(k, threshold, hide);
			break;
		}
		if (failed)
			goto nomem;
	}
	for (i = 0; i < cells; i++) {
		/* a figure of the plan shows as a complement even when it
		 * is a count below the threshold: the plan names such a
		 * "< t" when the other labels alone narrow it (protect.h) */
		out->why[i] = k->forced != NULL && k->forced[i] && hide[i] ?
			      RELEASE_COMPLEMENTARY :
			      why_hidden(hide[i], k->n[i], threshold);
		out->n[i] = hide[i] ? 0 : k->n[i];
	}
	for (j = 0; j < nc; j++) {
		unsigned long d = true_denominator(k, j);
		int hidden;

		switch (k->kind) {
		case RELEASE_SINGLE:
		case RELEASE_MULTI:
			hidden = pct_off[j];
			break;
		case RELEASE_NUMBER:
			hidden = hide[RELEASE_NB_ANSWERED * nc + j];
			break;
		default:	/* the head count */
			hidden = head_secret(k, j) ||
				 (k->kind == RELEASE_HEADCOUNT && hide[j]);
		}
		out->denom_why[j] = why_hidden(hidden, d, threshold);
		out->denom[j] = hidden ? 0 : d;
		if (k->kind != RELEASE_NUMBER ||
		    hide[RELEASE_NB_ANSWERED * nc + j])
			continue;
		/* the median and mean go with their n; min and max are
		 * single teams' values */
		out->summary[j].median = k->summary[j].median;
		out->summary[j].mean = k->summary[j].mean;
		if (out->range) {
			out->summary[j].min = k->summary[j].min;
			out->summary[j].max = k->summary[j].max;
		}
	}
	msp_free(hide);
	msp_free(pct_off);
	return MSP_OK;
nomem:
	msp_free(hide);
	msp_free(pct_off);
	release_clear(out);
	return msp_error_set(err, MSP_ENOMEM, "release: out of memory");
}

void
release_clear(struct release *r)
{
	if (r == NULL)
		return;
	msp_free(r->n);
	msp_free(r->why);
	msp_free(r->denom);
	msp_free(r->denom_why);
	msp_free(r->summary);
	memset(r, 0, sizeof(*r));
}

int
release_published(const struct release *r, size_t i, size_t j)
{
	return i < r->nrows && j < r->ncols &&
	       r->why[i * r->ncols + j] == RELEASE_PUBLISHED;
}

int
release_primary(unsigned long n, unsigned threshold)
{
	return n > 0 && n < threshold;
}

int
release_term_published(unsigned long answers, unsigned threshold)
{
	return threshold == 0 || answers >= threshold;
}
