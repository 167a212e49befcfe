/*
 * stats — the statistics the reports print: Wilson intervals and the
 * tests of independence of a contingency table (Pearson's χ² without
 * continuity correction, Fisher's exact test for r×c tables), with the
 * rule the source studies used to choose between them.
 *
 * Every p-value matches R 4.2 (chisq.test(correct = FALSE),
 * fisher.test()); tests/check_stats.c carries R's values.
 */
#ifndef MSP_STATS_H
#define MSP_STATS_H

#include <stddef.h>

#include "msp_error.h"

/* z for a two-sided 95% interval: qnorm(0.975). */
#define STATS_Z95 1.959963984540054

/* The largest table the exact test accepts (rows and columns). */
#define STATS_MAX_DIM 16

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
};

/*
 * Tests independence of rows and columns of t with method; AUTO applies
 * the source studies' rule.  Fails with MSP_EINVAL (and a message a
 * user can act on) for a table R would refuse: fewer than 2 rows or
 * columns, an empty row or column, a zero total.
 */
enum msp_status stats_test(const struct stats_table *t,
			   enum stats_method method,
			   struct stats_result *out, struct msp_error *err);

/* "chi-squared", "fisher": the name of a method for reports. */
const char *stats_method_name(enum stats_method method);

/*
 * Parses "2 3; 2 3; 5 9" (rows separated by ';', cells by blanks or
 * commas) into *out, whose cells the caller frees with
 * stats_table_free().  Fails with MSP_EINVAL naming the row and cell for
 * a negative or non-integer count, ragged or empty rows, one row only.
 */
enum msp_status stats_table_parse(const char *text, struct stats_table *out,
				  struct msp_error *err);

void stats_table_free(struct stats_table *t);

#endif
