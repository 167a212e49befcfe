/*
 * stats — Wilson intervals, Pearson's χ² and Fisher's exact test, each
 * computed the way R 4.2 computes it, so that a report's p-value is the
 * one a statistician gets by retyping the table into R.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* --- Wilson score interval ------------------------------------------- */

/*
 * R's prop.test(k, n, correct = FALSE)$conf.int, term for term, so that
 * the bounds agree to the last bits and are exactly 0 or 1 where R's
 * are.
 */
enum msp_status
stats_wilson(unsigned long k, unsigned long n, double z,
	     struct stats_interval *out, struct msp_error *err)
{
	double p, z22n, half;

	if (n == 0)
		return msp_error_set(err, MSP_EINVAL,
				     "Wilson interval of an empty sample");
	if (k > n)
		return msp_error_set(err, MSP_EINVAL,
				     "Wilson interval: %lu successes out of %lu",
				     k, n);
	if (!(z > 0 && isfinite(z)))
		return msp_error_set(err, MSP_EINVAL,
				     "Wilson interval: z must be positive");
	p = (double)k / (double)n;
	z22n = z * z / (2 * (double)n);
	half = z * sqrt(p * (1 - p) / (double)n + z22n / (2 * (double)n));
	out->lo = k == 0 ? 0 : (p + z22n - half) / (1 + 2 * z22n);
	out->hi = k == n ? 1 : (p + z22n + half) / (1 + 2 * z22n);
	return MSP_OK;
}

/* --- the χ² distribution ---------------------------------------------- */

/* Series for the lower regularized gamma P(a, x), for x < a + 1. */
static double
gamma_p_series(double a, double x, double prefactor)
{
	double term = 1 / a, sum = term, ap = a;
	int i;

	for (i = 0; i < 100000; i++) {
		ap += 1;
		term *= x / ap;
		sum += term;
		if (fabs(term) < fabs(sum) * DBL_EPSILON / 4)
			break;
	}
	return sum * prefactor;
}

/*
 * Continued fraction for the upper regularized gamma Q(a, x), for
 * x >= a + 1, by the modified Lentz method (Numerical Recipes §6.2):
 * Q = prefactor / (x + 1 - a - 1·(1 - a) / (x + 3 - a - ...)).
 */
static double
gamma_q_fraction(double a, double x, double prefactor)
{
	const double tiny = DBL_MIN / DBL_EPSILON;
	double b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
	double an, delta;
	int i;

	for (i = 1; i < 100000; i++) {
		an = -i * (i - a);
		b += 2;
		d = an * d + b;
		if (fabs(d) < tiny)
			d = tiny;
		c = b + an / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1 / d;
		delta = d * c;
		h *= delta;
		if (fabs(delta - 1) < DBL_EPSILON / 4)
			break;
	}
	return h * prefactor;
}

/*
 * log(n!) - log(sqrt(2πn) (n/e)^n), Stirling's error (Loader 2000, as in
 * R's stirlerr()): directly for small n, where little cancels, else by
 * its asymptotic series.  In long double, as is deviance_term(): for a
 * large x, e^-x and x^a are computed from logs of a few hundred, whose
 * rounding in double alone would cost 1e-14 of relative precision.
 */
static long double
stirling_error(long double n)
{
	const long double s0 = 1.0L / 12, s1 = 1.0L / 360;
	const long double s2 = 1.0L / 1260, s3 = 1.0L / 1680;
	const long double s4 = 1.0L / 1188;
	long double nn = n * n;

	if (n <= 15)
		return lgammal(n + 1) - (n + 0.5L) * logl(n) + n -
		       0.918938533204672741780329736406L;	/* log √(2π) */
	if (n > 500)
		return (s0 - s1 / nn) / n;
	if (n > 80)
		return (s0 - (s1 - s2 / nn) / nn) / n;
	if (n > 35)
		return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n;
	return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n;
}

/*
 * x log(x/m) + m - x, without the cancellation of its terms when x is
 * near m (Loader 2000, R's bd0()).
 */
static long double
deviance_term(long double x, long double m)
{
	long double v, s, s1, ej;
	int j;

	if (fabsl(x - m) >= 0.1L * (x + m))
		return x * logl(x / m) + m - x;
	v = (x - m) / (x + m);
	s = (x - m) * v;
	ej = 2 * x * v;
	v *= v;
	for (j = 1; j < 1000; j++) {
		ej *= v;
		s1 = s + ej / (2 * j + 1);
		if (s1 == s)
			break;
		s = s1;
	}
	return s;
}

double
stats_gamma_q(double a, double x)
{
	double prefactor;

	if (!(a > 0) || isnan(x) || isinf(a))
		return NAN;
	if (x <= 0)
		return 1;
	if (isinf(x))
		return 0;
	/*
	 * x^a e^-x / Γ(a), which each branch's series multiplies, as
	 * a · x^a e^-x / a! in Loader's saddle-point form, which keeps
	 * its precision where a log x and x nearly cancel.
	 */
	prefactor = (double)(a * expl(-stirling_error(a) -
				      deviance_term(a, x)) /
			     sqrtl(2 * 3.14159265358979323846264338328L * a));
	if (x < a + 1)
		return 1 - gamma_p_series(a, x, prefactor);
	return gamma_q_fraction(a, x, prefactor);
}

double
stats_chisq_upper(double x, double df)
{
	return stats_gamma_q(df / 2, x / 2);
}

/* --- tables ---------------------------------------------------------- */

/* Margins of a table that stats_check() accepted. */
struct margins {
	unsigned long row[STATS_MAX_DIM], col[STATS_MAX_DIM], n;
};

/*
 * Checks t's shape and counts; fills m.  A table with an empty row or
 * column is accepted here (R's fisher.test accepts it too); the caller
 * decides what an empty line means for its test.
 */
static enum msp_status
table_check(const struct stats_table *t, struct margins *m,
	    struct msp_error *err)
{
	size_t i, j;
	unsigned long v;

	if (t == NULL || t->cells == NULL)
		return msp_error_set(err, MSP_EINVAL, "no table");
	if (t->rows < 2 || t->cols < 2)
		return msp_error_set(err, MSP_EINVAL,
				     "a %zu×%zu table: a test needs at least "
				     "2 rows and 2 columns", t->rows, t->cols);
	if (t->rows > STATS_MAX_DIM || t->cols > STATS_MAX_DIM)
		return msp_error_set(err, MSP_EINVAL,
				     "a %zu×%zu table: at most %d rows and "
				     "%d columns", t->rows, t->cols,
				     STATS_MAX_DIM, STATS_MAX_DIM);
	memset(m, 0, sizeof(*m));
	for (i = 0; i < t->rows; i++) {
		for (j = 0; j < t->cols; j++) {
			v = t->cells[i * t->cols + j];
			/* Each sum stays below the cap, so none overflows. */
			if (v > STATS_MAX_COUNT - m->n)
				return msp_error_set(err, MSP_EINVAL,
						     "the counts add up to "
						     "more than %lu",
						     STATS_MAX_COUNT);
			m->row[i] += v;
			m->col[j] += v;
			m->n += v;
		}
	}
	if (m->n == 0)
		return msp_error_set(err, MSP_EINVAL,
				     "every count of the table is zero");
	return MSP_OK;
}

/* The smallest expected count row[i]·col[j]/n under independence. */
static double
min_expected(const struct stats_table *t, const struct margins *m)
{
	unsigned long rmin = m->row[0], cmin = m->col[0];
	size_t i;

	for (i = 1; i < t->rows; i++)
		if (m->row[i] < rmin)
			rmin = m->row[i];
	for (i = 1; i < t->cols; i++)
		if (m->col[i] < cmin)
			cmin = m->col[i];
	return (double)rmin * (double)cmin / (double)m->n;
}

/* --- Pearson's χ² ---------------------------------------------------- */

/*
 * chisq.test(x, correct = FALSE): X² = Σ (O - E)² / E with
 * E = outer(rowSums, colSums) / n, summed in long double as R's sum()
 * does, and p = pchisq(X², (r-1)(c-1), lower.tail = FALSE).  With an
 * empty row or column some E is 0 and R answers NaN; we refuse instead,
 * naming the line.
 */
static enum msp_status
chisq_test(const struct stats_table *t, const struct margins *m,
	   struct stats_result *out, struct msp_error *err)
{
	long double sum = 0;
	double e, d;
	size_t i, j;

	for (i = 0; i < t->rows; i++)
		if (m->row[i] == 0)
			return msp_error_set(err, MSP_EINVAL,
					     "row %zu is empty: the χ² test "
					     "is undefined (an expected count "
					     "is 0); use Fisher's test", i + 1);
	for (j = 0; j < t->cols; j++)
		if (m->col[j] == 0)
			return msp_error_set(err, MSP_EINVAL,
					     "column %zu is empty: the χ² "
					     "test is undefined (an expected "
					     "count is 0); use Fisher's test",
					     j + 1);
	for (i = 0; i < t->rows; i++) {
		for (j = 0; j < t->cols; j++) {
			e = (double)m->row[i] * (double)m->col[j] /
			    (double)m->n;
			d = (double)t->cells[i * t->cols + j] - e;
			sum += d * d / e;
		}
	}
	out->method = STATS_CHISQ;
	out->statistic = (double)sum;
	out->df = (int)((t->rows - 1) * (t->cols - 1));
	out->p = stats_chisq_upper(out->statistic, out->df);
	return MSP_OK;
}

/* --- Fisher's exact test --------------------------------------------- */

static enum msp_status
fisher_test(const struct stats_table *t, const struct margins *m,
	    struct stats_result *out, struct msp_error *err)
{
	(void)t; (void)m; (void)out;
	return msp_error_set(err, MSP_EINVAL,
			     "Fisher's exact test is not implemented yet");
}

/* --- the test of independence ---------------------------------------- */

enum msp_status
stats_test(const struct stats_table *t, enum stats_method method,
	   struct stats_result *out, struct msp_error *err)
{
	struct stats_result r;
	struct margins m;
	enum msp_status st;

	st = table_check(t, &m, err);
	if (st != MSP_OK)
		return st;
	memset(&r, 0, sizeof(r));
	r.min_expected = min_expected(t, &m);
	if (method == STATS_AUTO)
		method = r.min_expected >= 5 ? STATS_CHISQ : STATS_FISHER;
	switch (method) {
	case STATS_CHISQ:
		st = chisq_test(t, &m, &r, err);
		break;
	case STATS_FISHER:
		st = fisher_test(t, &m, &r, err);
		break;
	default:
		return msp_error_set(err, MSP_EINVAL, "unknown test %d",
				     (int)method);
	}
	if (st == MSP_OK)
		*out = r;
	return st;
}

const char *
stats_method_name(enum stats_method method)
{
	switch (method) {
	case STATS_AUTO:	return "auto";
	case STATS_CHISQ:	return "chi-squared";
	case STATS_FISHER:	return "fisher";
	}
	return "unknown";
}

/* --- parsing "2 3; 2 3; 5 9" ------------------------------------------ */

/* A cell's text quoted in an error, cut so a long one cannot flood it. */
#define TOKEN_SHOWN 24

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Reads one count from s[0..len) into *v; fails naming row and cell
 * (1-based).
 */
static enum msp_status
parse_count(const char *s, size_t len, size_t row, size_t cell,
	    unsigned long *v, struct msp_error *err)
{
	const int shown = len > TOKEN_SHOWN ? TOKEN_SHOWN : (int)len;
	const char *more = len > TOKEN_SHOWN ? "..." : "";
	unsigned long x = 0;
	size_t i;

	if (s[0] == '-' && len > 1 && isdigit((unsigned char)s[1]))
		return msp_error_set(err, MSP_EINVAL,
				     "row %zu, cell %zu: '%.*s%s' is negative; "
				     "counts are whole numbers >= 0",
				     row, cell, shown, s, more);
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return msp_error_set(err, MSP_EINVAL,
					     "row %zu, cell %zu: '%.*s%s' is "
					     "not a whole number", row, cell,
					     shown, s, more);
		if (x > (STATS_MAX_COUNT - (unsigned long)(s[i] - '0')) / 10)
			return msp_error_set(err, MSP_EINVAL,
					     "row %zu, cell %zu: '%.*s%s' is "
					     "too large (at most %lu)", row,
					     cell, shown, s, more,
					     STATS_MAX_COUNT);
		x = x * 10 + (unsigned long)(s[i] - '0');
	}
	*v = x;
	return MSP_OK;
}

/*
 * Reads one row, s[0..len), into cells[]; *ncells receives its length.
 * A comma with blanks around it is one separator; two commas with
 * nothing between them are an empty cell, not a typo to forgive.
 */
static enum msp_status
parse_row(const char *s, size_t len, size_t row, unsigned long *cells,
	  size_t *ncells, struct msp_error *err)
{
	size_t i = 0, start, n = 0;
	int after_comma = 0;
	enum msp_status st;

	for (;;) {
		while (i < len && is_blank(s[i]))
			i++;
		if (i == len)
			break;
		if (s[i] == ',') {
			if (n == 0 || after_comma)
				return msp_error_set(err, MSP_EINVAL,
						     "row %zu, cell %zu is "
						     "empty", row, n + 1);
			after_comma = 1;
			i++;
			continue;
		}
		if (n == STATS_MAX_DIM)
			return msp_error_set(err, MSP_EINVAL,
					     "row %zu has more than %d cells",
					     row, STATS_MAX_DIM);
		start = i;
		while (i < len && !is_blank(s[i]) && s[i] != ',')
			i++;
		st = parse_count(s + start, i - start, row, n + 1,
				 &cells[n], err);
		if (st != MSP_OK)
			return st;
		n++;
		after_comma = 0;
	}
	if (after_comma)
		return msp_error_set(err, MSP_EINVAL,
				     "row %zu, cell %zu is empty", row, n + 1);
	if (n == 0)
		return msp_error_set(err, MSP_EINVAL, "row %zu is empty", row);
	*ncells = n;
	return MSP_OK;
}

enum msp_status
stats_table_parse(const char *text, struct stats_table *out,
		  struct msp_error *err)
{
	unsigned long cells[STATS_MAX_DIM * STATS_MAX_DIM];
	unsigned long total = 0;
	size_t rows = 0, cols = 0, n, i, len;
	const char *p, *end;
	enum msp_status st;

	if (text == NULL)
		return msp_error_set(err, MSP_EINVAL, "no table given");
	for (p = text; is_blank(*p); p++)
		;
	if (*p == '\0')
		return msp_error_set(err, MSP_EINVAL,
				     "the table is empty; write rows of "
				     "counts separated by ';', e.g. "
				     "\"2 3; 5 9\"");
	for (p = text;; p = end + 1) {
		end = strchr(p, ';');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		if (rows == STATS_MAX_DIM)
			return msp_error_set(err, MSP_EINVAL,
					     "the table has more than %d rows",
					     STATS_MAX_DIM);
		st = parse_row(p, len, rows + 1, cells + rows * STATS_MAX_DIM,
			       &n, err);
		if (st != MSP_OK)
			return st;
		if (rows > 0 && n != cols)
			return msp_error_set(err, MSP_EINVAL,
					     "row %zu has %zu cell%s, row 1 "
					     "has %zu", rows + 1, n,
					     n == 1 ? "" : "s", cols);
		cols = n;
		for (i = 0; i < n; i++) {
			if (cells[rows * STATS_MAX_DIM + i] >
			    STATS_MAX_COUNT - total)
				return msp_error_set(err, MSP_EINVAL,
						     "the counts add up to "
						     "more than %lu",
						     STATS_MAX_COUNT);
			total += cells[rows * STATS_MAX_DIM + i];
		}
		rows++;
		if (end == NULL)
			break;
	}
	if (rows == 1)
		return msp_error_set(err, MSP_EINVAL,
				     "the table has one row; separate rows "
				     "with ';', e.g. \"2 3; 5 9\"");
	out->cells = malloc(rows * cols * sizeof(*out->cells));
	if (out->cells == NULL)
		return msp_error_set(err, MSP_ENOMEM, "out of memory");
	for (i = 0; i < rows; i++)
		memcpy(out->cells + i * cols, cells + i * STATS_MAX_DIM,
		       cols * sizeof(*out->cells));
	out->rows = rows;
	out->cols = cols;
	return MSP_OK;
}

void
stats_table_free(struct stats_table *t)
{
	if (t == NULL)
		return;
	free(t->cells);
	t->cells = NULL;
	t->rows = t->cols = 0;
}
