/*
 * lp — two-phase bounded-variable primal simplex on a dense tableau.
 *
 * The variables are shifted to y = x - lo, so each lies in [0, u] with
 * u = hi - lo (or none).  Each equation gets an artificial variable,
 * rows signed so that the right side is >= 0: the artificials are a
 * first feasible basis.  Phase 1 minimises their sum; 0 means the
 * problem is feasible.  Phase 2 fixes them at 0 (upper bound 0, never
 * entering: an artificial still basic sits on a redundant row) and
 * minimises c'x.  A nonbasic variable sits at its lower or its upper
 * bound; the ratio test of an entering variable includes its own bound
 * (a "bound flip" without a pivot), as in Chvátal, Linear Programming
 * (1983), ch. 8.
 *
 * Pricing: Dantzig's rule (the largest reduced cost enters) for the
 * first 10 (m + n) pivots of a phase, then Bland's rule: the entering
 * variable is the eligible one of smallest index, the leaving one,
 * among ties of the ratio test, the basic one of smallest index; the
 * simplex then never cycles, so the iteration limit only guards against
 * rounding gone wrong.  Dantzig's rule alone may cycle on degenerate
 * problems (Beale's example, tests/check_lp); Bland's alone took
 * minutes on the audit's largest components (1,480 unknowns, Pays de
 * la Loire 2019 under its protection plan).
 *
 * Many objectives over one set of constraints (the audit: min and max
 * of each hidden figure) share phase 1 (lp_feasible), and each phase 2
 * starts from the basis the previous one ended on (lp_optimise).
 *
 * Tolerances, for the audit's problems (coefficients 0 and +-1 or small
 * integers, right sides counts up to about 10^6):
 *   LP_EPS_PIVOT  1e-9   a tableau entry smaller than this is no pivot
 *   LP_EPS_COST   1e-9   a reduced cost must pass this to improve
 *   LP_EPS_TIE    1e-12  ratios this close are a tie (Bland decides)
 *   LP_EPS_FEAS   1e-7   phase 1 ends feasible below this, relative to
 *                        the largest right side (and 1)
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "alloc.h"
#include "lp.h"

#define LP_EPS_PIVOT 1e-9
#define LP_EPS_COST 1e-9
#define LP_EPS_TIE 1e-12
#define LP_EPS_FEAS 1e-7

/* One solve's state: m rows, nt = n + m columns (artificials last). */
struct tableau {
	size_t m, n, nt;
	/* columns kept up to date: nt in phase 1, n in phase 2, where the
	 * artificials may no longer enter and nothing reads theirs */
	size_t live;
	double *t;		/* m x nt: B^-1 [A I] */
	double *beta;		/* m: the basic variables' values */
	double *d;		/* nt: reduced costs */
	double *cost;		/* nt: the phase's costs */
	double *u;		/* nt: upper bounds (LP_INF: none) */
	size_t *basis;		/* m: the basic variable of each row */
	size_t *nz;		/* nt: scratch, a pivot row's nonzeros */
	unsigned char *is_basic;	/* nt */
	unsigned char *at_upper;	/* nt: nonbasic at its upper bound */
	unsigned long iter, max_iter;
};

#define T(tb, i, j) ((tb)->t[(i) * (tb)->nt + (j)])

/* d = cost - cost_B' T, after a change of phase or of objective; row by
 * row, so that the rows of basic variables without cost (most, for the
 * audit's objectives, one figure each) cost nothing. */
static void
reduced_costs(struct tableau *tb)
{
	size_t i, j;

	for (j = 0; j < tb->live; j++)
		tb->d[j] = tb->cost[j];
	for (i = 0; i < tb->m; i++) {
		double cb = tb->cost[tb->basis[i]];

		if (cb == 0)
			continue;
		for (j = 0; j < tb->live; j++)
			tb->d[j] -= cb * T(tb, i, j);
	}
}

/* Pivots the tableau on (r, q): q enters the basis in row r. */
static void
pivot(struct tableau *tb, size_t r, size_t q)
{
	double piv = T(tb, r, q), f;
	size_t i, j, k, nnz = 0;

	/* the pivot row's nonzero columns: the audit's tableaux stay
	 * sparse, and only those columns change in the other rows */
	for (j = 0; j < tb->live; j++)
		if (T(tb, r, j) != 0) {
			T(tb, r, j) /= piv;
			tb->nz[nnz++] = j;
		}
	for (i = 0; i < tb->m; i++) {
		if (i == r || (f = T(tb, i, q)) == 0)
			continue;
		for (k = 0; k < nnz; k++)
			T(tb, i, tb->nz[k]) -= f * T(tb, r, tb->nz[k]);
		T(tb, i, q) = 0;	/* exactly, not by rounding */
	}
	f = tb->d[q];
	if (f != 0) {
		for (k = 0; k < nnz; k++)
			tb->d[tb->nz[k]] -= f * T(tb, r, tb->nz[k]);
		tb->d[q] = 0;
	}
	tb->is_basic[tb->basis[r]] = 0;
	tb->basis[r] = q;
	tb->is_basic[q] = 1;
	tb->at_upper[q] = 0;
}

/*
 * Runs the simplex until no variable improves the phase's objective
 * (0), the objective is unbounded (1), or the iteration limit (-1).
 * ncand: only variables below it may enter (phase 2: no artificial).
 */
static int
simplex(struct tableau *tb, size_t ncand)
{
	/* Dantzig's rule (the steepest reduced cost) for the first
	 * pivots, far fewer of them; then Bland's, which cannot cycle,
	 * so that every run ends */
	const unsigned long dantzig = tb->iter + 10UL * (tb->m + ncand);

	for (;;) {
		size_t q, i, leave = SIZE_MAX, best = SIZE_MAX;
		double s, tmax, enter_val, leave_delta = 0, gain = 0;

		for (q = 0; q < ncand; q++) {
			double g;

			if (tb->is_basic[q] || tb->u[q] <= 0)
				continue;
			g = tb->at_upper[q] ? tb->d[q] : -tb->d[q];
			if (g <= LP_EPS_COST)
				continue;
			if (tb->iter >= dantzig)
				break;	/* Bland: the first improving */
			if (g > gain) {
				gain = g;
				best = q;
			}
		}
		if (q == ncand)
			q = best;
		if (q == SIZE_MAX)
			return 0;
		if (++tb->iter > tb->max_iter)
			return -1;
		/* s: +1 when q rises from its lower bound, -1 when it
		 * falls from its upper one */
		s = tb->at_upper[q] ? -1 : 1;
		tmax = tb->u[q];
		for (i = 0; i < tb->m; i++) {
			double delta = -s * T(tb, i, q), lim;
			size_t bi = tb->basis[i];

			if (delta < -LP_EPS_PIVOT)
				lim = tb->beta[i] / -delta;
			else if (delta > LP_EPS_PIVOT && tb->u[bi] < LP_INF)
				lim = (tb->u[bi] - tb->beta[i]) / delta;
			else
				continue;
			if (lim < 0)
				lim = 0;	/* a basic value rounded out */
			if (lim < tmax - LP_EPS_TIE ||
			    (lim <= tmax + LP_EPS_TIE && leave != SIZE_MAX &&
			     bi < tb->basis[leave])) {
				tmax = lim;
				leave = i;
				leave_delta = delta;
			}
		}
		if (tmax >= LP_INF)
			return 1;
		for (i = 0; i < tb->m; i++)
			tb->beta[i] += tmax * -s * T(tb, i, q);
		if (leave == SIZE_MAX) {
			/* q reaches its other bound first: no pivot */
			tb->at_upper[q] = !tb->at_upper[q];
			continue;
		}
		enter_val = tb->at_upper[q] ? tb->u[q] - tmax : tmax;
		/* the leaving variable stops at the bound it reached */
		tb->at_upper[tb->basis[leave]] = leave_delta > 0;
		pivot(tb, leave, q);
		tb->beta[leave] = enter_val;
	}
}

static void
tableau_free(struct tableau *tb)
{
	msp_free(tb->t);
	msp_free(tb->beta);
	msp_free(tb->d);
	msp_free(tb->cost);
	msp_free(tb->u);
	msp_free(tb->basis);
	msp_free(tb->nz);
	msp_free(tb->is_basic);
	msp_free(tb->at_upper);
}

/* The value of variable j (shifted) at the current basis. */
static double
value_of(const struct tableau *tb, size_t j)
{
	size_t i;

	if (!tb->is_basic[j])
		return tb->at_upper[j] ? tb->u[j] : 0;
	for (i = 0; i < tb->m; i++)
		if (tb->basis[i] == j)
			return tb->beta[i];
	return 0;
}

/* A feasible tableau kept between objectives (lp.h: lp_feasible). */
struct lp_state {
	struct tableau tb;
	const struct lp_problem *p;
};

void
lp_state_free(struct lp_state *s)
{
	if (s == NULL)
		return;
	tableau_free(&s->tb);
	msp_free(s);
}

enum msp_status
lp_feasible(const struct lp_problem *p, struct lp_state **out,
	    enum lp_result *result, struct msp_error *err)
{
	struct lp_state *s;
	struct tableau *tb;
	double rmax = 1, infeas;
	size_t i, j;

	*out = NULL;
	if (p->n + p->m < p->n || (p->m > 0 && p->n + p->m >
				   SIZE_MAX / sizeof(double) / p->m))
		return msp_error_set(err, MSP_EINVAL, "lp: too large");
	for (j = 0; j < p->n; j++)
		if (!isfinite(p->lo[j]) || isnan(p->hi[j]) ||
		    p->hi[j] < p->lo[j])
			return msp_error_set(err, MSP_EINVAL, "lp: variable "
					     "%zu has bounds [%g, %g]", j,
					     p->lo[j], p->hi[j]);
	if ((s = msp_calloc(1, sizeof(*s))) == NULL)
		return msp_error_set(err, MSP_ENOMEM, "lp: out of memory");
	s->p = p;
	tb = &s->tb;
	tb->m = p->m;
	tb->n = p->n;
	tb->nt = p->n + p->m;
	tb->live = tb->nt;
	tb->t = msp_calloc(tb->m * tb->nt + 1, sizeof(double));
	tb->beta = msp_calloc(tb->m + 1, sizeof(double));
	tb->d = msp_calloc(tb->nt + 1, sizeof(double));
	tb->cost = msp_calloc(tb->nt + 1, sizeof(double));
	tb->u = msp_calloc(tb->nt + 1, sizeof(double));
	tb->basis = msp_calloc(tb->m + 1, sizeof(size_t));
	tb->nz = msp_calloc(tb->nt + 1, sizeof(size_t));
	tb->is_basic = msp_calloc(tb->nt + 1, 1);
	tb->at_upper = msp_calloc(tb->nt + 1, 1);
	if (tb->t == NULL || tb->beta == NULL || tb->d == NULL ||
	    tb->cost == NULL || tb->u == NULL || tb->basis == NULL ||
	    tb->is_basic == NULL || tb->at_upper == NULL || tb->nz == NULL) {
		lp_state_free(s);
		return msp_error_set(err, MSP_ENOMEM, "lp: out of memory");
	}
	/* enough for any problem Bland's rule finishes in practice */
	tb->max_iter = 100000 + 50UL * (unsigned long)(tb->m + tb->nt);
	for (j = 0; j < p->n; j++)
		tb->u[j] = p->hi[j] >= LP_INF ? LP_INF : p->hi[j] - p->lo[j];
	for (i = 0; i < tb->m; i++) {
		double rhs = p->b[i], sign;

		for (j = 0; j < p->n; j++)
			rhs -= p->a[i * p->n + j] * p->lo[j];
		sign = rhs < 0 ? -1 : 1;
		for (j = 0; j < p->n; j++)
			T(tb, i, j) = sign * p->a[i * p->n + j];
		T(tb, i, p->n + i) = 1;
		tb->beta[i] = sign * rhs;
		if (tb->beta[i] > rmax)
			rmax = tb->beta[i];
		tb->basis[i] = p->n + i;
		tb->is_basic[p->n + i] = 1;
		tb->u[p->n + i] = LP_INF;
		tb->cost[p->n + i] = 1;
	}
	/* phase 1: the artificials' sum down to 0 */
	reduced_costs(tb);
	if (simplex(tb, tb->nt) < 0) {
		msp_error_set(err, MSP_EINVAL, "lp: no end after %lu "
			      "iterations (%zu x %zu): rounding", tb->iter,
			      tb->m, p->n);
		lp_state_free(s);
		return MSP_EINVAL;
	}
	infeas = 0;
	for (i = 0; i < tb->m; i++)
		if (tb->basis[i] >= p->n)
			infeas += tb->beta[i];
	if (infeas > LP_EPS_FEAS * rmax) {
		*result = LP_INFEASIBLE;
		lp_state_free(s);
		return MSP_OK;
	}
	/* from here on the artificials are held at 0, and never enter */
	tb->live = p->n;
	for (i = 0; i < tb->m; i++) {
		tb->u[p->n + i] = 0;
		tb->cost[p->n + i] = 0;
		if (tb->basis[i] >= p->n)
			tb->beta[i] = 0;
	}
	*result = LP_OPTIMAL;
	*out = s;
	return MSP_OK;
}

enum msp_status
lp_optimise(struct lp_state *s, const double *c, enum lp_result *result,
	    double *obj, double *x, struct msp_error *err)
{
	struct tableau *tb = &s->tb;
	const struct lp_problem *p = s->p;
	double z = 0;
	size_t j;
	int r;

	/* phase 2 from wherever the last one stopped: a feasible basis */
	for (j = 0; j < p->n; j++)
		tb->cost[j] = c[j];
	reduced_costs(tb);
	tb->iter = 0;
	r = simplex(tb, p->n);
	if (r < 0)
		return msp_error_set(err, MSP_EINVAL, "lp: no end after %lu "
				     "iterations (%zu x %zu): rounding",
				     tb->iter, tb->m, p->n);
	if (r > 0) {
		/* simplex() stopped before moving: still feasible */
		*result = LP_UNBOUNDED;
		return MSP_OK;
	}
	for (j = 0; j < p->n; j++)
		if (c[j] != 0)
			z += c[j] * (p->lo[j] + value_of(tb, j));
	if (x != NULL) {
		/* every value at once: value_of() searches the basis */
		for (j = 0; j < p->n; j++)
			x[j] = p->lo[j] + (tb->is_basic[j] ? 0 :
					   tb->at_upper[j] ? tb->u[j] : 0);
		for (j = 0; j < tb->m; j++)
			if (tb->basis[j] < p->n)
				x[tb->basis[j]] = p->lo[tb->basis[j]] +
						  tb->beta[j];
	}
	*obj = z;
	*result = LP_OPTIMAL;
	return MSP_OK;
}

enum msp_status
lp_solve(const struct lp_problem *p, enum lp_result *result, double *obj,
	 double *x, struct msp_error *err)
{
	struct lp_state *s = NULL;
	enum msp_status rc;

	rc = lp_feasible(p, &s, result, err);
	if (rc != MSP_OK || s == NULL)
		return rc;
	rc = lp_optimise(s, p->c, result, obj, x, err);
	lp_state_free(s);
	return rc;
}
