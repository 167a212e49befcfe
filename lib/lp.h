/*
 * lp — a small dense linear-programming solver for the disclosure audit
 * (issue 19, item 2): the interval a reader can still give a hidden
 * figure is min and max of that figure over every table consistent
 * with what was published, an LP.
 *
 *   minimise    c'x
 *   subject to  A x = b          (m equations, A dense, row-major)
 *               lo <= x <= hi    (hi[j] may be LP_INF)
 *
 * A two-phase primal simplex on a dense tableau with bounded variables
 * (Chvátal 1983, ch. 8), Bland's rule against cycling.  Sized for the
 * audit's problems (tens to a few hundred unknowns); no global state,
 * no stdio: every call owns its memory, so calls may run side by side.
 */
#ifndef MSP_LP_H
#define MSP_LP_H

#include <stddef.h>

#include "msp_error.h"

/* An upper bound that is none. */
#define LP_INF (1e300)

enum lp_result {
	LP_OPTIMAL,
	LP_INFEASIBLE,		/* no x satisfies the constraints */
	LP_UNBOUNDED,		/* the objective decreases without end */
};

/* The problem: borrowed arrays, none of them changed. */
struct lp_problem {
	size_t m, n;
	const double *a;	/* m x n */
	const double *b;	/* m */
	const double *c;	/* n */
	const double *lo;	/* n, finite */
	const double *hi;	/* n, >= lo, or LP_INF */
};

/*
 * Solves p.  On MSP_OK, *result says which; when LP_OPTIMAL, *obj is
 * the minimum and x (n, may be NULL) a point that reaches it.  Fails
 * with MSP_EINVAL (a bound lo > hi or not finite, a size that
 * overflows, or the iteration limit hit, which Bland's rule makes
 * unreachable but for rounding), or MSP_ENOMEM; x and *obj are then
 * unspecified.
 */
enum msp_status lp_solve(const struct lp_problem *p, enum lp_result *result,
			 double *obj, double *x, struct msp_error *err);

#endif
