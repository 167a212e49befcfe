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

/*
 * The same constraints under many objectives (the audit bounds every
 * hidden figure of a component: two objectives each): lp_feasible()
 * runs phase 1 once; each lp_optimise() runs phase 2 from the basis the
 * previous one ended on, which is feasible, so that a new objective
 * costs a few pivots rather than a solve.  lp_solve() is the two in a
 * row.
 *
 * lp_feasible: p (borrowed until lp_state_free) as lp_solve; on MSP_OK
 * *result is LP_INFEASIBLE (and *out NULL) or LP_OPTIMAL (*out the
 * caller's).  Fails as lp_solve, *out then NULL.
 * lp_optimise: minimises c'x (n costs) over s's constraints; *result,
 * *obj and x as lp_solve's.  Fails with MSP_EINVAL (the iteration limit
 * hit); s is then unusable but still to be freed.
 */
struct lp_state;

enum msp_status lp_feasible(const struct lp_problem *p, struct lp_state **out,
			    enum lp_result *result, struct msp_error *err);
enum msp_status lp_optimise(struct lp_state *s, const double *c,
			    enum lp_result *result, double *obj, double *x,
			    struct msp_error *err);
void lp_state_free(struct lp_state *s);

#endif
