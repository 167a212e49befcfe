/*
 * stats — the statistics the reports print: Wilson intervals and the
 * tests of independence of a contingency table (Pearson's χ² without
 * continuity correction, Fisher's exact test for r×c tables), with the
 * rule the source studies used to choose between them.
 *
 * Every p-value matches R 4.2 (chisq.test(correct = FALSE),
 * fisher.test()); tests/check_stats.c carries R's values.  On very
 * large tables, where R's FEXACT must be given a larger workspace and
 * its approximations show (up to 2e-9 relative in our trials, and once
 * a factor of 3), Fisher's p-value here is the exact one.
 */
#ifndef MSP_STATS_H
#define MSP_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "msp_error.h"

/* z for a two-sided 95% interval: qnorm(0.975). */
#define STATS_Z95 1.959963984540054

/* The largest table the tests accept (rows and columns). */
#define STATS_MAX_DIM 16

/* The largest total count of a table (and so of any cell): sums and
 * products of margins stay exact in a double. */
#define STATS_MAX_COUNT 1000000000UL

struct stats_interval {
	double lo, hi;
};

/*
 * Wilson score interval of k successes out of n at normal quantile z.
 * Fails with MSP_EINVAL when n == 0 or k > n.
 */
enum msp_status stats_wilson(unsigned long k, unsigned long n, double z,
			     struct stats_interval *out,
			     struct msp_error *err);

/* A contingency table of counts, row-major: cell (i, j) is
 * cells[i * cols + j]. */
struct stats_table {
	size_t rows, cols;
	unsigned long *cells;
};

enum stats_method {
	STATS_AUTO,	/* χ² when every expected count is >= 5, else Fisher */
	STATS_CHISQ,	/* Pearson's χ², no continuity correction */
	STATS_FISHER,	/* Fisher's exact test (Freeman–Halton for r×c) */
};

struct stats_result {
	enum stats_method method;	/* the test used: never STATS_AUTO */
	double statistic;	/* X² for χ²; NAN for Fisher */
	int df;			/* (r-1)(c-1) for χ²; 0 for Fisher */
	double p;		/* two-sided p-value */
	double min_expected;	/* smallest expected count under H0 */
	/* Cramér's V = sqrt(X² / (n (min(r, c) - 1))), X² without
	 * continuity correction, on the table without its empty rows and
	 * columns (r, c counted after leaving them out): whatever the
	 * test, so that the strength of an association is read beside
	 * its p-value. */
	double cramers_v;
};

/*
 * Tests independence of rows and columns of t with method; AUTO applies
 * the source studies' rule.  *out is filled only on success.
 *
 * Fails with MSP_EINVAL (and a message a user can act on) for fewer
 * than 2 rows or columns, more than STATS_MAX_DIM, a zero total or one
 * above STATS_MAX_COUNT.  An empty row or column (all zeros) is
 * allowed where R allows it: Fisher's test leaves it out, as
 * fisher.test() does (same p-value), and since its expected counts are
 * 0, AUTO picks Fisher; the χ² test refuses it (chisq.test() returns
 * NaN).  A table with fewer than 2 non-empty rows or columns has
 * nothing to test and fails (fisher.test() returns 1).  Fisher's test
 * fails with MSP_EINVAL when the table is too large to enumerate within
 * a fixed memory and work budget (R's FEXACT fails on such tables too),
 * saying so and pointing to stats_fisher_simulate() (never falling back
 * to it silently), and with MSP_ENOMEM when memory runs out.
 */
enum msp_status stats_test(const struct stats_table *t,
			   enum stats_method method,
			   struct stats_result *out, struct msp_error *err);

/* The most replicates stats_fisher_simulate() accepts (10^9 draws of a
 * table of n = 300: minutes, not hours). */
#define STATS_SIM_MAX_B 1000000000UL

/* A Monte Carlo p-value of Fisher's test. */
struct stats_simulation {
	unsigned long b;	/* replicates drawn */
	uint64_t seed;		/* the seed they were drawn from */
	unsigned long hits;	/* tables no more probable than observed */
	double p;		/* (1 + hits) / (b + 1), as R's */
	double se;		/* sqrt(p̂ (1 - p̂) / b), p̂ = hits / b */
	/* The result as stats_test() gives it, p the simulated one. */
	struct stats_result r;
};

/*
 * fisher.test(x, simulate.p.value = TRUE, B = b): Fisher's p-value
 * estimated from b random tables with t's margins drawn under
 * independence from lib/rng.c seeded by seed (the same seed, the same
 * p-value), with R's rule for "no more probable" (statistic at most
 * the observed one divided by 1 + 64 DBL_EPSILON).  *out is filled
 * only on success.  Fails with MSP_EINVAL as stats_test() does for a bad table,
 * for b == 0 or above STATS_SIM_MAX_B, or n above 10^6; MSP_ENOMEM when
 * memory runs out.
 */
enum msp_status stats_fisher_simulate(const struct stats_table *t,
				      unsigned long b, uint64_t seed,
				      struct stats_simulation *out,
				      struct msp_error *err);

/* "chi-squared", "fisher": the name of a method for reports. */
const char *stats_method_name(enum stats_method method);

/*
 * Parses "2 3; 2 3; 5 9" (rows separated by ';', cells by blanks or
 * commas) into *out, whose cells the caller frees with
 * stats_table_free(); *out is set only on success.  Fails with
 * MSP_EINVAL naming the row and cell for a negative or non-integer
 * count, a count or total above STATS_MAX_COUNT, an empty cell (",,"),
 * empty or ragged rows, one row only, more than STATS_MAX_DIM rows or
 * cells, empty input; with MSP_ENOMEM if memory runs out.
 */
enum msp_status stats_table_parse(const char *text, struct stats_table *out,
				  struct msp_error *err);

/* Frees t's cells and empties it; t may be NULL or already freed. */
void stats_table_free(struct stats_table *t);

/*
 * The regularized upper incomplete gamma function Q(a, x) =
 * Γ(a, x) / Γ(a), as R's pgamma(x, a, lower.tail = FALSE), to about
 * 1e-14 relative; NAN unless a > 0 and x is a number.
 */
double stats_gamma_q(double a, double x);

/* P(X > x) for X ~ χ²(df): pchisq(x, df, lower.tail = FALSE). */
double stats_chisq_upper(double x, double df);

/* How the p-values of several tests are adjusted, as R's p.adjust(). */
enum stats_adjust {
	STATS_ADJUST_HOLM,	/* Holm (1979): family-wise error, default */
	STATS_ADJUST_BH,	/* Benjamini & Hochberg (1995): FDR */
	STATS_ADJUST_NONE,	/* the p-values as they are */
};

/* "holm", "BH", "none": R's names of the methods. */
const char *stats_adjust_name(enum stats_adjust how);

/* Reads "holm", "bh" (any case) or "none" into *out; -1 if unknown. */
int stats_adjust_parse(const char *s, enum stats_adjust *out);

/*
 * out[i] = p.adjust(p, method)[i] for the n p-values of p, computed as
 * R 4.2 computes them (same order of operations, so the results are
 * the same doubles).  A NaN p-value is R's NA: left out of the count
 * and NaN in out.  out may be p.  Fails with MSP_ENOMEM only.
 */
/* The most p-values a report adjusts together (one per variable). */
#define STATS_ADJUST_MAX 1024

enum msp_status stats_p_adjust(const double *p, size_t n,
			       enum stats_adjust how, double *out,
			       struct msp_error *err);

enum stats_alternative {
	STATS_TWO_SIDED,
	STATS_LESS,	/* true odds ratio below 1 */
	STATS_GREATER,	/* true odds ratio above 1 */
};

/* "two.sided", "less", "greater": R's names. */
const char *stats_alternative_name(enum stats_alternative alt);

/* What fisher.test() reports on a 2×2 table besides its p-value. */
struct stats_odds_ratio {
	double estimate;	/* conditional MLE: 0 or INFINITY possible */
	double lo, hi;		/* exact 95 % interval (0 / INFINITY) */
	double p;		/* p-value for the alternative */
};

/*
 * fisher.test(x, alternative = alt): the conditional maximum-likelihood
 * estimate of the odds ratio, its exact 95 % confidence interval and
 * the p-value for alt, by R's own algorithm (the noncentral
 * hypergeometric distribution given the margins, and R's uniroot(),
 * Brent's zeroin with tol = DBL_EPSILON^0.25, step for step), so that
 * the results agree with R to about 1e-9.  Fails with MSP_EINVAL unless
 * t is 2×2 with two non-empty rows and columns, or when the support
 * (the possible values of the first cell) has more than
 * STATS_OR_MAX_SUPPORT values; MSP_ENOMEM when memory runs out.
 */
#define STATS_OR_MAX_SUPPORT 1000000UL
enum msp_status stats_odds_ratio(const struct stats_table *t,
				 enum stats_alternative alt,
				 struct stats_odds_ratio *out,
				 struct msp_error *err);

#endif
