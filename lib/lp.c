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
 * Bland's rule: the entering variable is the eligible one of smallest
 * index, the leaving one, among ties of the ratio test, the basic one
 * of smallest index; the simplex then never cycles, so the iteration
 * limit only guards against rounding gone wrong.
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
	double *t;		/* m x nt: B^-1 [A I] */
	double *beta;		/* m: the basic variables' values */
	double *d;		/* nt: reduced costs */
	double *cost;		/* nt: the phase's costs */
	double *u;		/* nt: upper bounds (LP_INF: none) */
	size_t *basis;		/* m: the basic variable of each row */
	unsigned char *is_basic;	/* nt */
	unsigned char *at_upper;	/* nt: nonbasic at its upper bound */
	unsigned long iter, max_iter;
};

#define T(tb, i, j) ((tb)->t[(i) * (tb)->nt + (j)])

/* d = cost - cost_B' T, after a change of phase. */
static void
reduced_costs(struct tableau *tb)
{
	size_t i, j;

	for (j = 0; j < tb->nt; j++) {
		double s = tb->cost[j];

		for (i = 0; i < tb->m; i++)
			s -= tb->cost[tb->basis[i]] * T(tb, i, j);
		tb->d[j] = s;
	}
}

/* Pivots the tableau on (r, q): q enters the basis in row r. */
static void
pivot(struct tableau *tb, size_t r, size_t q)
{
	double piv = T(tb, r, q), f;
	size_t i, j;

	for (j = 0; j < tb->nt; j++)
		T(tb, r, j) /= piv;
	for (i = 0; i < tb->m; i++) {
		if (i == r || (f = T(tb, i, q)) == 0)
			continue;
		for (j = 0; j < tb->nt; j++)
			T(tb, i, j) -= f * T(tb, r, j);
		T(tb, i, q) = 0;	/* exactly, not by rounding */
	}
	f = tb->d[q];
	if (f != 0) {
		for (j = 0; j < tb->nt; j++)
			tb->d[j] -= f * T(tb, r, j);
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
	for (;;) {
		size_t q, i, leave = SIZE_MAX;
		double s, tmax, enter_val, leave_delta = 0;

		/* Bland: the first improving variable enters */
		for (q = 0; q < ncand; q++) {
			if (tb->is_basic[q] || tb->u[q] <= 0)
				continue;
			if (!tb->at_upper[q] && tb->d[q] < -LP_EPS_COST)
				break;
			if (tb->at_upper[q] && tb->d[q] > LP_EPS_COST)
				break;
		}
		if (q == ncand)
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

enum msp_status
lp_solve(const struct lp_problem *p, enum lp_result *result, double *obj,
	 double *x, struct msp_error *err)
{
	struct tableau tb;
	enum msp_status rc = MSP_OK;
	double rmax = 1, infeas, z;
	size_t i, j;
	int r;

	memset(&tb, 0, sizeof(tb));
	tb.m = p->m;
	tb.n = p->n;
	tb.nt = p->n + p->m;
	if (tb.nt < p->n || (tb.m > 0 && tb.nt > SIZE_MAX / sizeof(double) /
			     tb.m))
		return msp_error_set(err, MSP_EINVAL, "lp: too large");
	for (j = 0; j < p->n; j++)
		if (!isfinite(p->lo[j]) || isnan(p->hi[j]) ||
		    p->hi[j] < p->lo[j])
			return msp_error_set(err, MSP_EINVAL, "lp: variable "
					     "%zu has bounds [%g, %g]", j,
					     p->lo[j], p->hi[j]);
	tb.t = msp_calloc(tb.m * tb.nt + 1, sizeof(double));
	tb.beta = msp_calloc(tb.m + 1, sizeof(double));
	tb.d = msp_calloc(tb.nt + 1, sizeof(double));
	tb.cost = msp_calloc(tb.nt + 1, sizeof(double));
	tb.u = msp_calloc(tb.nt + 1, sizeof(double));
	tb.basis = msp_calloc(tb.m + 1, sizeof(size_t));
	tb.is_basic = msp_calloc(tb.nt + 1, 1);
	tb.at_upper = msp_calloc(tb.nt + 1, 1);
	if (tb.t == NULL || tb.beta == NULL || tb.d == NULL ||
	    tb.cost == NULL || tb.u == NULL || tb.basis == NULL ||
	    tb.is_basic == NULL || tb.at_upper == NULL) {
		rc = msp_error_set(err, MSP_ENOMEM, "lp: out of memory");
		goto out;
	}
	/* enough for any problem Bland's rule finishes in practice */
	tb.max_iter = 100000 + 50UL * (unsigned long)(tb.m + tb.nt);
	for (j = 0; j < p->n; j++)
		tb.u[j] = p->hi[j] >= LP_INF ? LP_INF : p->hi[j] - p->lo[j];
	for (i = 0; i < tb.m; i++) {
		double rhs = p->b[i], sign;

		for (j = 0; j < p->n; j++)
			rhs -= p->a[i * p->n + j] * p->lo[j];
		sign = rhs < 0 ? -1 : 1;
		for (j = 0; j < p->n; j++)
			T(&tb, i, j) = sign * p->a[i * p->n + j];
		T(&tb, i, p->n + i) = 1;
		tb.beta[i] = sign * rhs;
		if (tb.beta[i] > rmax)
			rmax = tb.beta[i];
		tb.basis[i] = p->n + i;
		tb.is_basic[p->n + i] = 1;
		tb.u[p->n + i] = LP_INF;
		tb.cost[p->n + i] = 1;
	}
	/* phase 1: the artificials' sum down to 0 */
	reduced_costs(&tb);
	if (simplex(&tb, tb.nt) < 0)
		goto limit;
	infeas = 0;
	for (i = 0; i < tb.m; i++)
		if (tb.basis[i] >= p->n)
			infeas += tb.beta[i];
	if (infeas > LP_EPS_FEAS * rmax) {
		*result = LP_INFEASIBLE;
		goto out;
	}
	/* phase 2: artificials held at 0, the real costs */
	for (i = 0; i < tb.m; i++) {
		tb.u[p->n + i] = 0;
		tb.cost[p->n + i] = 0;
		if (tb.basis[i] >= p->n)
			tb.beta[i] = 0;
	}
	for (j = 0; j < p->n; j++)
		tb.cost[j] = p->c[j];
	reduced_costs(&tb);
	r = simplex(&tb, p->n);
	if (r < 0)
		goto limit;
	if (r > 0) {
		*result = LP_UNBOUNDED;
		goto out;
	}
	z = 0;
	for (j = 0; j < p->n; j++) {
		double v = p->lo[j] + value_of(&tb, j);

		if (x != NULL)
			x[j] = v;
		z += p->c[j] * v;
	}
	*obj = z;
	*result = LP_OPTIMAL;
	goto out;
limit:
	rc = msp_error_set(err, MSP_EINVAL, "lp: no end after %lu "
			   "iterations (%zu x %zu): rounding", tb.iter, tb.m,
			   p->n);
out:
	tableau_free(&tb);
	return rc;
}
