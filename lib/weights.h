/*
 * weights — non-response weighting from the frame: post-stratification
 * and raking, weighted proportions with their design-based standard
 * errors and logit intervals, as R's survey package computes them
 * (Lumley 2004, 2010; survey 4.1: postStratify(), rake(), svymean(),
 * svyciprop(method = "logit")).
 *
 * The design is R's
 *	d <- svydesign(ids = ~1, weights = ~1, data = respondents)
 * (each respondent its own cluster, base weight 1, no finite population
 * correction), then postStratify(d, ~cell, population) for one margin
 * or rake(d, margins, populations, control = list(maxit =
 * WEIGHTS_RAKE_MAXIT, epsilon = WEIGHTS_RAKE_EPSILON)) for several.
 *
 * Respondents enter grouped: every respondent of one cell (a
 * combination of one category of each margin) gets the same weight, so
 * a design is a list of cells with their population and respondent
 * counts, and an estimate needs only counts per cell.  Nothing here
 * sees a respondent's row.
 */
#ifndef MSP_WEIGHTS_H
#define MSP_WEIGHTS_H

#include <stddef.h>

#include "msp_error.h"

/* The most margins (weighting variables) and categories per margin. */
#define WEIGHTS_MAX_MARGINS 8
#define WEIGHTS_MAX_CATS 256
/* The most cells of a design (combinations seen in the frame). */
#define WEIGHTS_MAX_CELLS 65536

/* rake()'s control: R's default maxit = 10, epsilon = 1 (one unit of
 * weighted count) stops too early to be reproducible to 1e-6; these
 * are passed to R by the tests, and an unconverged raking is refused. */
#define WEIGHTS_RAKE_MAXIT 100
#define WEIGHTS_RAKE_EPSILON 1e-10

enum weights_method {
	WEIGHTS_POSTSTRATIFY,	/* one margin: N_h / n_h */
	WEIGHTS_RAKE,		/* several margins: iterative fitting */
};

struct weights_cell {
	/* the category (0 .. ncats[j] - 1) of each margin j */
	unsigned short cat[WEIGHTS_MAX_MARGINS];
	unsigned long pop;	/* frame structures in the cell */
	unsigned long n;	/* respondents in the cell */
	double w;		/* weight, after weights_fit() */
	/* raking: the weight right after margin j's step in the last
	 * iteration (R keeps it as attr(margin, "weights") and the
	 * variance projects on it) */
	double psw[WEIGHTS_MAX_MARGINS];
};

struct weights_design {
	size_t nmargins;
	size_t ncats[WEIGHTS_MAX_MARGINS];
	struct weights_cell *cells;	/* the caller's */
	size_t ncells;
	/* set by weights_fit() */
	enum weights_method method;
	int iterations;		/* raking: iterations run */
	unsigned long nresp;	/* respondents weighted */
	double wmin, wmax;	/* range of the weights */
	double wsum;		/* sum of the weights */
	double neff;		/* Kish: (sum w)^2 / sum w^2 */
};

/* Where the fit failed: the margin and category (or the cell) with
 * population but no respondent. */
struct weights_empty {
	int cell;		/* post-stratification: index of the cell */
	int margin, cat;	/* raking: margin and category */
};

/*
 * Computes the weights of d's cells: post-stratification when d has
 * one margin, raking otherwise; fills d's diagnostics.  Fails with
 * MSP_EINVAL when a cell (post-stratification) or a category of a
 * margin (raking) has population but no respondent (*empty says which;
 * the message is completed by the caller, who knows the labels), when
 * respondents fall where the frame has nobody, when there is no
 * respondent, or when raking does not converge.
 */
enum msp_status weights_fit(struct weights_design *d,
			    struct weights_empty *empty,
			    struct msp_error *err);

struct weights_estimate {
	double p;		/* weighted proportion, 0..1 */
	double se;		/* its design-based standard error */
	int has_ci;		/* lo, hi set (0 < p < 1) */
	double lo, hi;		/* svyciprop(method = "logit"), 95 % */
	double df;		/* degrees of freedom of the interval */
	unsigned long ndomain;	/* respondents in the domain */
};

/*
 * The weighted proportion of respondents in a category among those in
 * the domain (those who gave a counted answer), for a fitted d:
 * in_cat[h] and in_domain[h] count cell h's respondents in the
 * category and in the domain (in_cat[h] <= in_domain[h] <= cells[h].n).
 * R: svymean(~I(y == k), subset(d, domain), na.rm = TRUE) and
 * svyciprop(~I(y == k), subset(d, domain), method = "logit").  Fails
 * with MSP_EINVAL on inconsistent counts or an empty domain, MSP_ENOMEM.
 */
enum msp_status weights_proportion(const struct weights_design *d,
				   const unsigned long *in_cat,
				   const unsigned long *in_domain,
				   struct weights_estimate *out,
				   struct msp_error *err);

/* One value of a number and how many respondents of a cell gave it. */
struct weights_value {
	double y;
	unsigned long n;
};

/*
 * The weighted mean of a number over the respondents who gave one, for
 * a fitted d: cell h's respondents gave the nvals[h] values vals[h]
 * (with their counts; at most cells[h].n in all).  out->p is the mean,
 * out->se its design-based standard error, out->ndomain the
 * respondents with a value; no interval (has_ci 0).  R:
 * svymean(~y, subset(d, !is.na(y))).  Fails with MSP_EINVAL on
 * inconsistent counts, a value that is not finite or no value at all,
 * MSP_ENOMEM.
 */
enum msp_status weights_mean(const struct weights_design *d,
			     const struct weights_value *const *vals,
			     const size_t *nvals,
			     struct weights_estimate *out,
			     struct msp_error *err);

/* Student's t quantile qt(p, df) for 0 < p < 1, df > 0 (NAN otherwise). */
double weights_qt(double p, double df);

/* "post-stratification", "raking" */
const char *weights_method_name(enum weights_method m);

#endif
