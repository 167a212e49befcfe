/*
 * weights — post-stratification, raking and weighted proportions, in
 * the order of operations of R's survey package 4.1 (see weights.h), so
 * that the doubles are R's to rounding.
 */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "weights.h"

/* svyrecvar() projects the raking margins out of the estimating
 * functions in a fixed ten sweeps, converged or not: so do we. */
#define RAKE_VARIANCE_SWEEPS 10

const char *
weights_method_name(enum weights_method m)
{
	return m == WEIGHTS_RAKE ? "raking" : "post-stratification";
}

/* --- fitting ------------------------------------------------------------- */

/*
 * One postStratify() step on margin j: each category's weighted sample
 * count is brought to its population.  pop and smp are scratch arrays
 * of d->ncats[j] entries.  Fails when a category has population but no
 * respondent, or respondents but no population.
 */
static enum msp_status
poststratify_step(struct weights_design *d, size_t j, double *pop,
		  double *smp, struct weights_empty *empty,
		  struct msp_error *err)
{
	size_t h, c;

	memset(pop, 0, d->ncats[j] * sizeof(*pop));
	memset(smp, 0, d->ncats[j] * sizeof(*smp));
	for (h = 0; h < d->ncells; h++) {
		pop[d->cells[h].cat[j]] += (double)d->cells[h].pop;
		smp[d->cells[h].cat[j]] += (double)d->cells[h].n *
					   d->cells[h].w;
	}
	for (c = 0; c < d->ncats[j]; c++) {
		if (pop[c] > 0 && smp[c] == 0) {
			empty->margin = (int)j;
			empty->cat = (int)c;
			/* the first cell of that category, for the message */
			for (h = 0; h < d->ncells; h++)
				if (d->cells[h].cat[j] == c)
					break;
			empty->cell = (int)h;
			return msp_error_set(err, MSP_EINVAL,
					     "aucune répondante");
		}
		if (pop[c] == 0 && smp[c] > 0)
			return msp_error_set(err, MSP_EINVAL,
				"des répondantes hors de la base de sondage "
				"(marge %zu, catégorie %zu)", j + 1, c + 1);
	}
	for (h = 0; h < d->ncells; h++) {
		c = d->cells[h].cat[j];
		if (smp[c] > 0)
			d->cells[h].w *= pop[c] / smp[c];
		d->cells[h].psw[j] = d->cells[h].w;
	}
	return MSP_OK;
}

enum msp_status
weights_fit(struct weights_design *d, struct weights_empty *empty,
	    struct msp_error *err)
{
	enum msp_status rc = MSP_OK;
	double *pop = NULL, *smp = NULL, *old = NULL;
	double eps, delta, sw2;
	size_t h, j, maxcats = 0;
	int iter;

	empty->cell = empty->margin = empty->cat = -1;
	if (d->nmargins == 0 || d->nmargins > WEIGHTS_MAX_MARGINS ||
	    d->ncells == 0 || d->ncells > WEIGHTS_MAX_CELLS)
		return msp_error_set(err, MSP_EINVAL,
				     "pondération : %zu marges, %zu cellules",
				     d->nmargins, d->ncells);
	for (j = 0; j < d->nmargins; j++) {
		if (d->ncats[j] == 0 || d->ncats[j] > WEIGHTS_MAX_CATS)
			return msp_error_set(err, MSP_EINVAL,
					     "pondération : %zu catégories",
					     d->ncats[j]);
		if (d->ncats[j] > maxcats)
			maxcats = d->ncats[j];
	}
	d->nresp = 0;
	for (h = 0; h < d->ncells; h++) {
		for (j = 0; j < d->nmargins; j++)
			if (d->cells[h].cat[j] >= d->ncats[j])
				return msp_error_set(err, MSP_EINVAL,
					"pondération : catégorie hors limites");
		d->cells[h].w = 1.0;	/* svydesign(weights = ~1) */
		d->nresp += d->cells[h].n;
	}
	if (d->nresp == 0)
		return msp_error_set(err, MSP_EINVAL,
				     "aucune répondante à pondérer");
	pop = msp_malloc(maxcats * sizeof(*pop));
	smp = msp_malloc(maxcats * sizeof(*smp));
	old = msp_malloc(d->ncells * sizeof(*old));
	if (pop == NULL || smp == NULL || old == NULL) {
		rc = msp_error_set(err, MSP_ENOMEM, "pondération");
		goto out;
	}

	d->iterations = 0;
	if (d->nmargins == 1) {
		/* postStratify(): N_h / n_h in one step */
		d->method = WEIGHTS_POSTSTRATIFY;
		rc = poststratify_step(d, 0, pop, smp, empty, err);
		if (rc != MSP_OK)
			goto out;
	} else {
		/*
		 * rake(): every margin post-stratified in turn until the
		 * weighted table over all margins moves by less than
		 * epsilon (relative to the sum of the base weights when
		 * below 1, as R reads control$epsilon).
		 */
		d->method = WEIGHTS_RAKE;
		eps = WEIGHTS_RAKE_EPSILON < 1 ?
		      WEIGHTS_RAKE_EPSILON * (double)d->nresp :
		      WEIGHTS_RAKE_EPSILON;
		for (h = 0; h < d->ncells; h++)
			old[h] = (double)d->cells[h].n;
		for (iter = 0; iter < WEIGHTS_RAKE_MAXIT; ) {
			for (j = 0; j < d->nmargins; j++) {
				rc = poststratify_step(d, j, pop, smp, empty,
						       err);
				if (rc != MSP_OK)
					goto out;
			}
			delta = 0;
			for (h = 0; h < d->ncells; h++) {
				double t = (double)d->cells[h].n *
					   d->cells[h].w;

				if (fabs(t - old[h]) > delta)
					delta = fabs(t - old[h]);
				old[h] = t;
			}
			d->iterations = iter + 1;
			if (delta < eps)
				break;
			iter++;
		}
		if (iter >= WEIGHTS_RAKE_MAXIT) {
			rc = msp_error_set(err, MSP_EINVAL,
				"le calage (raking) ne converge pas en %d "
				"itérations", WEIGHTS_RAKE_MAXIT);
			goto out;
		}
	}

	/* diagnostics over the respondents */
	d->wmin = INFINITY;
	d->wmax = 0;
	d->wsum = 0;
	sw2 = 0;
	for (h = 0; h < d->ncells; h++) {
		const struct weights_cell *k = &d->cells[h];

		if (k->n == 0)
			continue;
		if (k->w < d->wmin)
			d->wmin = k->w;
		if (k->w > d->wmax)
			d->wmax = k->w;
		d->wsum += (double)k->n * k->w;
		sw2 += (double)k->n * k->w * k->w;
	}
	d->neff = d->wsum * d->wsum / sw2;
out:
	msp_free(pop);
	msp_free(smp);
	msp_free(old);
	return rc;
}

/* --- estimates ----------------------------------------------------------- */

/* Respondents of a cell fall in three groups for one proportion: in the
 * category, in the domain but not the category, out of the domain. */
enum { G_CAT, G_OTHER, G_OUT, NGROUPS };

/*
 * svyrecvar()'s projection of the estimating functions x on margin j's
 * categories: x -= psw * (mean of x / psw over the category's
 * respondents).  Post-stratification projects once on the final
 * weights; raking on the weights each margin had after its step.
 */
static void
project(const struct weights_design *d, size_t j, double (*x)[NGROUPS],
	const double (*cnt)[NGROUPS], double *num, double *den)
{
	size_t h, c;
	int g;

	memset(num, 0, d->ncats[j] * sizeof(*num));
	memset(den, 0, d->ncats[j] * sizeof(*den));
	for (h = 0; h < d->ncells; h++) {
		const struct weights_cell *k = &d->cells[h];
		double psw = d->method == WEIGHTS_RAKE ? k->psw[j] : k->w;

		if (k->n == 0)
			continue;
		for (g = 0; g < NGROUPS; g++)
			num[k->cat[j]] += cnt[h][g] * x[h][g] / psw;
		den[k->cat[j]] += (double)k->n;
	}
	for (h = 0; h < d->ncells; h++) {
		const struct weights_cell *k = &d->cells[h];
		double psw = d->method == WEIGHTS_RAKE ? k->psw[j] : k->w;

		c = k->cat[j];
		if (k->n == 0 || den[c] == 0)
			continue;
		for (g = 0; g < NGROUPS; g++)
			x[h][g] -= psw * (num[c] / den[c]);
	}
}

/* 1 / (1 + exp(-x)), R's plogis */
static double
expit(double x)
{
	return 1.0 / (1.0 + exp(-x));
}

enum msp_status
weights_proportion(const struct weights_design *d,
		   const unsigned long *in_cat, const unsigned long *in_domain,
		   struct weights_estimate *out, struct msp_error *err)
{
	enum msp_status rc = MSP_OK;
	double (*x)[NGROUPS] = NULL, (*cnt)[NGROUPS] = NULL;
	double *num = NULL, *den = NULL;
	double psum = 0, pcat = 0, n, xbar, ss, t, l, sl;
	size_t h, j, maxcats = 0;
	int g, sweep, sweeps;

	memset(out, 0, sizeof(*out));
	out->lo = out->hi = NAN;
	for (h = 0; h < d->ncells; h++) {
		if (in_cat[h] > in_domain[h] || in_domain[h] > d->cells[h].n)
			return msp_error_set(err, MSP_EINVAL,
				"pondération : effectifs incohérents "
				"(cellule %zu)", h + 1);
		psum += d->cells[h].w * (double)in_domain[h];
		pcat += d->cells[h].w * (double)in_cat[h];
		out->ndomain += in_domain[h];
	}
	if (out->ndomain == 0 || psum <= 0)
		return msp_error_set(err, MSP_EINVAL,
				     "pondération : aucune réponse comptée");
	for (j = 0; j < d->nmargins; j++)
		if (d->ncats[j] > maxcats)
			maxcats = d->ncats[j];
	x = msp_calloc(d->ncells, sizeof(*x));
	cnt = msp_calloc(d->ncells, sizeof(*cnt));
	num = msp_malloc(maxcats * sizeof(*num));
	den = msp_malloc(maxcats * sizeof(*den));
	if (x == NULL || cnt == NULL || num == NULL || den == NULL) {
		rc = msp_error_set(err, MSP_ENOMEM, "pondération");
		goto out;
	}

	/* svymean(): the weighted mean over the domain, then each
	 * respondent's estimating function (y - p) w / sum(w), 0 out of
	 * the domain (subset() gives those weight 0, keeping them) */
	out->p = pcat / psum;
	for (h = 0; h < d->ncells; h++) {
		double w = d->cells[h].w;

		cnt[h][G_CAT] = (double)in_cat[h];
		cnt[h][G_OTHER] = (double)(in_domain[h] - in_cat[h]);
		cnt[h][G_OUT] = (double)(d->cells[h].n - in_domain[h]);
		x[h][G_CAT] = (1.0 - out->p) * w / psum;
		x[h][G_OTHER] = (0.0 - out->p) * w / psum;
		x[h][G_OUT] = 0;
	}
	sweeps = d->method == WEIGHTS_RAKE ? RAKE_VARIANCE_SWEEPS : 1;
	for (sweep = 0; sweep < sweeps; sweep++)
		for (j = 0; j < d->nmargins; j++)
			project(d, j, x, (const double (*)[NGROUPS])cnt, num,
				den);

	/* one stage, each respondent its own cluster, no strata, no fpc:
	 * n / (n - 1) times the centred sum of squares */
	n = (double)d->nresp;
	xbar = 0;
	for (h = 0; h < d->ncells; h++)
		for (g = 0; g < NGROUPS; g++)
			xbar += cnt[h][g] * x[h][g];
	xbar /= n;
	ss = 0;
	for (h = 0; h < d->ncells; h++)
		for (g = 0; g < NGROUPS; g++)
			ss += cnt[h][g] * (x[h][g] - xbar) * (x[h][g] - xbar);
	out->se = n > 1 ? sqrt(ss * n / (n - 1)) : NAN;

	/*
	 * svyciprop(method = "logit"): a Wald interval on the logit
	 * scale, Student's t with degf() of the domain's design (its
	 * respondents - 1), the logit's standard error by the delta
	 * method (svyglm's sandwich for an intercept: se / (p (1 - p))).
	 * At p = 0 or 1 the logit has no interval.
	 */
	out->df = (double)out->ndomain - 1;
	if (out->p > 0 && out->p < 1 && out->df > 0 && isfinite(out->se)) {
		t = weights_qt(0.975, out->df);
		l = log(out->p / (1 - out->p));
		sl = out->se / (out->p * (1 - out->p));
		out->lo = expit(l - t * sl);
		out->hi = expit(l + t * sl);
		out->has_ci = 1;
	}
out:
	msp_free(x);
	msp_free(cnt);
	msp_free(num);
	msp_free(den);
	return rc;
}

/* --- the weighted mean of a number ------------------------------------- */

/*
 * The estimating functions of a mean differ from respondent to
 * respondent within a cell, but svyrecvar()'s projections only ever
 * subtract a constant per cell (psw times a mean over a margin's
 * category), and the variance needs only sums and sums of squares: so
 * each cell carries the count, sum and sum of squares of its
 * respondents' x (n_h, s1[h], s2[h]), and subtracting a from every x of
 * cell h is s2 -= 2 a s1 - n a², s1 -= n a.
 */
static void
project_moments(const struct weights_design *d, size_t j, double *s1,
		double *s2, double *num, double *den)
{
	size_t h, c;

	memset(num, 0, d->ncats[j] * sizeof(*num));
	memset(den, 0, d->ncats[j] * sizeof(*den));
	for (h = 0; h < d->ncells; h++) {
		const struct weights_cell *k = &d->cells[h];
		double psw = d->method == WEIGHTS_RAKE ? k->psw[j] : k->w;

		if (k->n == 0)
			continue;
		num[k->cat[j]] += s1[h] / psw;
		den[k->cat[j]] += (double)k->n;
	}
	for (h = 0; h < d->ncells; h++) {
		const struct weights_cell *k = &d->cells[h];
		double psw = d->method == WEIGHTS_RAKE ? k->psw[j] : k->w;
		double a, n = (double)k->n;

		c = k->cat[j];
		if (k->n == 0 || den[c] == 0)
			continue;
		a = psw * (num[c] / den[c]);
		s2[h] += -2 * a * s1[h] + n * a * a;
		s1[h] -= n * a;
	}
}

enum msp_status
weights_mean(const struct weights_design *d,
	     const struct weights_value *const *vals, const size_t *nvals,
	     struct weights_estimate *out, struct msp_error *err)
{
	enum msp_status rc = MSP_OK;
	double *s1 = NULL, *s2 = NULL, *num = NULL, *den = NULL;
	double wsum = 0, wy = 0, n, xbar, ss;
	size_t h, i, j, maxcats = 0;
	unsigned long m;
	int sweep, sweeps;

	memset(out, 0, sizeof(*out));
	out->lo = out->hi = NAN;
	for (h = 0; h < d->ncells; h++) {
		for (m = 0, i = 0; i < nvals[h]; i++) {
			if (!isfinite(vals[h][i].y))
				return msp_error_set(err, MSP_EINVAL,
					"pondération : valeur non finie "
					"(cellule %zu)", h + 1);
			m += vals[h][i].n;
			wy += d->cells[h].w * vals[h][i].y *
			      (double)vals[h][i].n;
		}
		if (m > d->cells[h].n)
			return msp_error_set(err, MSP_EINVAL,
				"pondération : effectifs incohérents "
				"(cellule %zu)", h + 1);
		wsum += d->cells[h].w * (double)m;
		out->ndomain += m;
	}
	if (out->ndomain == 0 || wsum <= 0)
		return msp_error_set(err, MSP_EINVAL,
				     "pondération : aucune réponse comptée");
	for (j = 0; j < d->nmargins; j++)
		if (d->ncats[j] > maxcats)
			maxcats = d->ncats[j];
	s1 = msp_calloc(d->ncells, sizeof(*s1));
	s2 = msp_calloc(d->ncells, sizeof(*s2));
	num = msp_malloc(maxcats * sizeof(*num));
	den = msp_malloc(maxcats * sizeof(*den));
	if (s1 == NULL || s2 == NULL || num == NULL || den == NULL) {
		rc = msp_error_set(err, MSP_ENOMEM, "pondération");
		goto out;
	}
	/* svymean(~y, subset(design, !is.na(y))): the weighted mean, and
	 * each respondent's estimating function (y - mean) w / sum(w),
	 * 0 out of the domain (weight 0, kept) */
	out->p = wy / wsum;
	for (h = 0; h < d->ncells; h++) {
		double f = d->cells[h].w / wsum;

		for (i = 0; i < nvals[h]; i++) {
			double x = (vals[h][i].y - out->p) * f;

			s1[h] += (double)vals[h][i].n * x;
			s2[h] += (double)vals[h][i].n * x * x;
		}
	}
	sweeps = d->method == WEIGHTS_RAKE ? RAKE_VARIANCE_SWEEPS : 1;
	for (sweep = 0; sweep < sweeps; sweep++)
		for (j = 0; j < d->nmargins; j++)
			project_moments(d, j, s1, s2, num, den);
	/* one stage, each respondent its own cluster: n / (n - 1) times
	 * the centred sum of squares */
	n = (double)d->nresp;
	xbar = 0;
	for (h = 0; h < d->ncells; h++)
		xbar += s1[h];
	xbar /= n;
	ss = 0;
	for (h = 0; h < d->ncells; h++)
		ss += s2[h] - 2 * xbar * s1[h] +
		      (double)d->cells[h].n * xbar * xbar;
	out->se = n > 1 && ss >= 0 ? sqrt(ss * n / (n - 1)) : NAN;
	out->df = (double)out->ndomain - 1;
out:
	msp_free(s1);
	msp_free(s2);
	msp_free(num);
	msp_free(den);
	return rc;
}

/* --- Student's t quantile ---------------------------------------------- */

/* The continued fraction of the regularised incomplete beta function
 * (modified Lentz; Press et al., Numerical Recipes, §6.4). */
static double
beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double c = 1, dd = 1 - (a + b) * x / (a + 1), h, del, aa;
	int m;

	if (fabs(dd) < tiny)
		dd = tiny;
	dd = 1 / dd;
	h = dd;
	for (m = 1; m <= 1000; m++) {
		aa = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
		dd = 1 + aa * dd;
		if (fabs(dd) < tiny)
			dd = tiny;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		dd = 1 / dd;
		h *= dd * c;
		aa = -(a + m) * (a + b + m) * x /
		     ((a + 2 * m) * (a + 2 * m + 1));
		dd = 1 + aa * dd;
		if (fabs(dd) < tiny)
			dd = tiny;
		c = 1 + aa / c;
		if (fabs(c) < tiny)
			c = tiny;
		dd = 1 / dd;
		del = dd * c;
		h *= del;
		if (fabs(del - 1) < 1e-16)
			break;
	}
	return h;
}

/* I_x(a, b), the regularised incomplete beta function. */
static double
beta_inc(double a, double b, double x)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) +
		    b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return front * beta_cf(a, b, x) / a;
	return 1 - front * beta_cf(b, a, 1 - x) / b;
}

/* P(T > t) for t >= 0 with df degrees of freedom. */
static double
t_upper(double t, double df)
{
	return 0.5 * beta_inc(df / 2, 0.5, df / (df + t * t));
}

double
weights_qt(double p, double df)
{
	double target, lo = 0, hi = 1, mid;
	int i;

	if (!(p > 0 && p < 1) || !(df > 0))
		return NAN;
	if (p == 0.5)
		return 0;
	target = p > 0.5 ? 1 - p : p;
	while (t_upper(hi, df) > target && hi < 1e300)
		hi *= 2;
	/* bisection to the last bit: the tail is monotone in t */
	for (i = 0; i < 2000; i++) {
		mid = lo + (hi - lo) / 2;
		if (mid <= lo || mid >= hi)
			break;
		if (t_upper(mid, df) > target)
			lo = mid;
		else
			hi = mid;
	}
	mid = lo + (hi - lo) / 2;
	return p > 0.5 ? mid : -mid;
}
