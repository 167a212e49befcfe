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
#include <strings.h>

#include "rng.h"
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
		return msp_error_set(err, MSP_EINVAL, "Wilson interval: "
				     "%lu successes out of %lu", k, n);
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

/*
 * The p-value is the probability, under independence and given the
 * margins, of the tables no more probable than the observed one.  With
 * P(X) = Π r_i! Π c_j! / (n! Π x_ij!), a table is counted when its
 * "value" -Σ log x_ij! is at most the observed table's plus a
 * tolerance, so that tables tied with the observed one in exact
 * arithmetic are counted whatever the rounding.  R's tolerance depends
 * on the path it takes, and we take the same:
 *
 *   2×2: fisher.test() sums dhyper() over d <= d_obs * (1 + 1e-7),
 *        a tolerance of log1p(1e-7) on the value;
 *   r×c: FEXACT (Mehta & Patel's network algorithm, ACM TOMS 643)
 *        counts a table when its value is at most the observed one
 *        plus TOL = 3.45254e-7 (f2xact: "obs = tol + ...").
 *
 * The dimension is the one given, before empty rows and columns are
 * left out (R's choice of path does not look at them either).
 */
#define FISHER_REL_ERR_2X2 1e-7
#define FISHER_TOL_RXC 3.45254e-7

/*
 * Bounds are compared with values a few hundred roundings apart at
 * most (sums of at most 256 terms); this slack is far above that and
 * far below the gap between two tables' values.
 */
#define FISHER_SLACK 1e-9

/*
 * How much the enumeration may hold and do before it gives up, as
 * FEXACT gives up when its workspace is full: the largest n (its table
 * of log k!, 8 MB), past values held at once (16 bytes each, those
 * of two stages: 64 MB at most), nodes (about 100 bytes each), runs
 * (32 bytes each, 128 MB at most; below) and steps: arcs followed,
 * rows filled in the last two columns and past values passed on, 20 to
 * 60 ns each, so about 1.5 s at most on a plain build: over the
 * issue's target of one second, so that a table just over it still
 * gets its exact p-value, and a table beyond it is refused in seconds,
 * not minutes (the message names --simulate).  The 4×5 table with
 * n = 149 of bench/stats.sh takes 1.7·10^7 steps; its 5×5 with n = 120
 * and 6×6 with n = 100 are refused (without a budget, the 5×5 takes
 * 6.3 s of CPU, 2.7·10^8 steps; the 6×6 had not finished its bounds
 * after 100 s).  A node's merge holds its distinct values in a table
 * (24 bytes a slot, at most four slots per past value of the budget:
 * 400 MB), not the values passed on to it.  Besides, the children of each
 * node's arcs are kept (4 bytes each, 128 MB at most; past the budget
 * a node finds its children by hashing instead).
 */
#define FISHER_MAX_N 1000000UL
#define FISHER_MAX_PASTS (1UL << 22)
#define FISHER_MAX_NODES (1UL << 21)
#define FISHER_MAX_STEPS 30000000ULL
#define FISHER_MAX_ARCS (1UL << 25)
#define FISHER_MAX_RUNS (1UL << 22)

/*
 * The algorithm is a network algorithm in Mehta & Patel's sense, our
 * own: columns are filled one at a time; after k columns a node is the
 * multiset of what remains of the row sums (what remains to do depends
 * on nothing else), and each path to it carries its past value, the sum
 * of -log x! over the cells filled.  Paths reaching a node with the
 * same past value are merged, their weights (numbers of partial
 * tables) added.  Each node knows
 *
 *   hi   the largest future value (-Σ log x! over the cells left),
 *   lo   the smallest,
 *   lsum log Σ exp(future value) over every completion, which is
 *        log(T! / (Π s_i! Π c_j!)) for T left in rows s, columns c
 *        (Vandermonde's identity),
 *
 * so a past value a with a + hi <= obs counts all its completions at
 * once (exp(a + lsum)), one with a + lo > obs counts none, and only the
 * others go on to the next column.  The past values of a node are kept
 * sorted with running sums of their probabilities, so each arc settles
 * the first two kinds with two binary searches, however many there
 * are; those that go on are merged by value (runs_merge(), below),
 * which matters: on small counts, tens of paths
 * share each value.
 *
 * hi and lo are exact: with one column left there is one completion;
 * with two columns, or two rows, the value is separable under one sum:
 * hi is a concave maximisation (solved by exchanges) and lo a convex
 * one (at a vertex, found among few); otherwise both come from the
 * nodes of the next column by dynamic programming over the network.
 * The last two columns are filled by rows with a branch and bound
 * (expand_last()), the two largest last, and the shorter side of the
 * table is the rows: fewer rows, fewer nodes.
 */

/* One past value of a node and the number of paths that carry it. */
struct fisher_past {
	double value;
	double weight;
};

struct fisher_run;
struct past_slot;

struct fisher_node {
	size_t key;		/* offset of its row sums in stage.keys */
	double hi, lo, lsum;	/* see above */
	struct fisher_past *past;	/* sorted, merged (runs_merge()) */
	size_t npast;
	struct fisher_run *runs;	/* what the parents pass on */
	size_t nruns, runcap;
	/* The child of each arc, in the order walk_column() visits them,
	 * kept by node_bounds() so that expanding the node finds its
	 * children without hashing their row sums again; NULL when not
	 * kept (the last stages, or past FISHER_MAX_ARCS). */
	uint32_t *arcs;
	size_t narcs;
};

/* The nodes after k columns, found by their row sums. */
struct fisher_stage {
	struct fisher_node *nodes;
	size_t len, cap;
	uint32_t *keys;		/* rows per node, sorted descending */
	size_t *slots;		/* open addressing: node index + 1, or 0 */
	size_t nslots;
};

struct fisher {
	size_t rows, cols;	/* rows: the shorter side */
	uint32_t col[STATS_MAX_DIM];	/* column sums in filling order */
	uint32_t left[STATS_MAX_DIM + 1];	/* Σ col[k..] */
	double col_lf[STATS_MAX_DIM + 1];	/* Σ log col[k..]! */
	double *lf;		/* log k!, k = 0..n */
	double obs;		/* observed value plus R's tolerance */
	double logk;		/* log(Π r_i! Π c_j! / n!) */
	long double p;
	size_t pasts;		/* past values held */
	size_t runs;		/* runs held (room for them) */
	size_t arcs;		/* arcs kept */
	size_t nodes;
	unsigned long long steps;	/* arcs followed, values passed on */
	enum msp_status st;	/* the first failure, recorded by walks */
	struct msp_error *err;
	struct fisher_stage stage[STATS_MAX_DIM];
	/* Scratch for the node being expanded. */
	double *cumul;
	size_t scratch_cap;
	/* Scratch for the last two columns: rows × (n + 1) bounds, and
	 * two lists of n + 1 gains. */
	double *gain;
	double *gain_list;
	/* Scratch for runs_merge(): past values by key, empty between
	 * nodes. */
	struct past_slot *table;
	size_t table_cap;
};

static void
stage_free(struct fisher_stage *st)
{
	size_t i;

	for (i = 0; i < st->len; i++) {
		free(st->nodes[i].past);
		free(st->nodes[i].runs);
		free(st->nodes[i].arcs);
	}
	free(st->nodes);
	free(st->keys);
	free(st->slots);
	memset(st, 0, sizeof(*st));
}

/* Frees the past values of st's nodes, once the next stage's lists
 * are built from them. */
static void
stage_free_pasts(struct fisher *f, struct fisher_stage *st)
{
	size_t i;

	for (i = 0; i < st->len; i++) {
		f->pasts -= st->nodes[i].npast;
		free(st->nodes[i].past);
		st->nodes[i].past = NULL;
		st->nodes[i].npast = 0;
	}
}

static size_t
key_hash(const uint32_t *s, size_t rows)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL;
	size_t i;

	for (i = 0; i < rows; i++) {
		h ^= s[i];
		h *= 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	return (size_t)h;
}

static int
key_equal(const uint32_t *a, const uint32_t *b, size_t rows)
{
	size_t i;

	for (i = 0; i < rows; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

/* Records the first failure of a walk; later ones add nothing. */
static void
fisher_fail(struct fisher *f, enum msp_status st, unsigned long long limit,
	    const char *what)
{
	if (f->st != MSP_OK)
		return;
	if (st == MSP_ENOMEM)
		f->st = msp_error_set(f->err, st, "out of memory");
	else
		f->st = msp_error_set(f->err, st, "Fisher's exact test: the "
				      "table is too large to enumerate (more "
				      "than %llu %s); use a simulated p-value "
				      "(msp-report test --simulate N) or the "
				      "χ² test", limit, what);
}

/* Doubles the slots of st and places every node again; 0 on success. */
static int
stage_rehash(struct fisher_stage *st, size_t rows)
{
	size_t n = st->nslots ? st->nslots * 2 : 64, i, h;
	size_t *slots;

	slots = calloc(n, sizeof(*slots));
	if (slots == NULL)
		return -1;
	for (i = 0; i < st->len; i++) {
		h = key_hash(st->keys + st->nodes[i].key, rows) & (n - 1);
		while (slots[h] != 0)
			h = (h + 1) & (n - 1);
		slots[h] = i + 1;
	}
	free(st->slots);
	st->slots = slots;
	st->nslots = n;
	return 0;
}

static void node_bounds(struct fisher *f, size_t k, const uint32_t *s,
			struct fisher_node *node);

/*
 * The index in stage k of the node with row sums s (sorted
 * descending), added with its bounds if new; (size_t)-1 after a
 * failure, recorded in f.  An index, not a pointer: adding a node
 * moves the others.
 */
static size_t
stage_find(struct fisher *f, size_t k, const uint32_t *s)
{
	struct fisher_stage *st = &f->stage[k];
	const size_t rows = f->rows;
	struct fisher_node node, *nodes;
	uint32_t *keys;
	size_t h, i, cap;

	if (st->nslots > 0) {
		/* Node i's row sums are at keys + i·rows: no need to
		 * read the node itself, one cache miss fewer. */
		h = key_hash(s, rows) & (st->nslots - 1);
		while ((i = st->slots[h]) != 0) {
			if (key_equal(st->keys + (i - 1) * rows, s, rows))
				return i - 1;
			h = (h + 1) & (st->nslots - 1);
		}
	}
	if (f->nodes >= FISHER_MAX_NODES) {
		fisher_fail(f, MSP_EINVAL, FISHER_MAX_NODES, "nodes");
		return (size_t)-1;
	}
	/* The bounds first: they add nodes to later stages only. */
	memset(&node, 0, sizeof(node));
	node_bounds(f, k, s, &node);
	if (f->st != MSP_OK)
		goto fail;
	if (st->len == st->cap) {
		cap = st->cap ? st->cap * 2 : 64;
		nodes = realloc(st->nodes, cap * sizeof(*nodes));
		if (nodes == NULL)
			goto nomem;
		st->nodes = nodes;
		keys = realloc(st->keys, cap * rows * sizeof(*keys));
		if (keys == NULL)
			goto nomem;
		st->keys = keys;
		st->cap = cap;
	}
	if (2 * (st->len + 1) > st->nslots && stage_rehash(st, rows) != 0)
		goto nomem;
	node.key = st->len * rows;
	memcpy(st->keys + node.key, s, rows * sizeof(*s));
	st->nodes[st->len] = node;
	h = key_hash(s, rows) & (st->nslots - 1);
	while (st->slots[h] != 0)
		h = (h + 1) & (st->nslots - 1);
	st->slots[h] = ++st->len;
	f->nodes++;
	return st->len - 1;
nomem:
	fisher_fail(f, MSP_ENOMEM, 0, NULL);
fail:
	f->arcs -= node.narcs;
	free(node.arcs);
	return (size_t)-1;
}

/* --- walking the columns a node can receive --------------------------- */

static void
sort_desc(uint32_t *v, size_t n)
{
	size_t i, j;
	uint32_t x;

	for (i = 1; i < n; i++) {
		x = v[i];
		for (j = i; j > 0 && v[j - 1] < x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static const double small_factorial[STATS_MAX_DIM + 1] = {
	1, 1, 2, 6, 24, 120, 720, 5040, 40320, 362880, 3628800, 39916800,
	479001600, 6227020800.0, 87178291200.0, 1307674368000.0,
	20922789888000.0,
};

/*
 * Every way x to put a column's total into rows whose sums are s
 * (sorted descending): rows with equal sums get non-increasing counts,
 * and each such column stands for its mult distinct permutations.  For
 * each, visit() gets the column, its value delta = -Σ log x_i!, and
 * the next node's row sums (sorted); walks stop when f->st is set.
 */
struct column_walk {
	struct fisher *f;
	size_t k;		/* the column being filled */
	const uint32_t *s;
	size_t group[STATS_MAX_DIM];	/* first row with the same sum */
	uint32_t x[STATS_MAX_DIM];
	void (*visit)(struct column_walk *w, double delta,
		      const uint32_t *next, double mult);
};

static void
walk_rows(struct column_walk *w, size_t i, uint32_t left, uint64_t room)
{
	struct fisher *f = w->f;
	const size_t rows = f->rows;
	uint32_t next[STATS_MAX_DIM], hi, lo, v;
	double mult, delta;
	size_t j, g, t, run;

	if (f->st != MSP_OK)
		return;
	if (i == rows) {
		if (++f->steps > FISHER_MAX_STEPS) {
			fisher_fail(f, MSP_EINVAL, FISHER_MAX_STEPS, "steps");
			return;
		}
		/* size! / Π (runs of equal counts)! per group of equal
		 * rows, exact in a double. */
		mult = 1;
		for (j = 0; j < rows; j = g) {
			for (g = j + 1; g < rows && w->group[g] == j; g++)
				;
			mult *= small_factorial[g - j];
			run = 1;
			for (t = j + 1; t < g; t++) {
				if (w->x[t] == w->x[t - 1]) {
					run++;
					continue;
				}
				mult /= small_factorial[run];
				run = 1;
			}
			mult /= small_factorial[run];
		}
		delta = 0;
		for (j = 0; j < rows; j++) {
			delta -= f->lf[w->x[j]];
			next[j] = w->s[j] - w->x[j];
		}
		sort_desc(next, rows);
		w->visit(w, delta, next, mult);
		return;
	}
	room -= w->s[i];
	hi = w->s[i] < left ? w->s[i] : left;
	if (w->group[i] != i && w->x[i - 1] < hi)
		hi = w->x[i - 1];
	lo = room >= left ? 0 : (uint32_t)(left - room);
	for (v = hi + 1; v-- > lo;) {
		w->x[i] = v;
		walk_rows(w, i + 1, left - v, room);
	}
}

static void
walk_column(struct column_walk *w, struct fisher *f, size_t k,
	    const uint32_t *s)
{
	uint64_t room = 0;
	size_t i;

	w->f = f;
	w->k = k;
	w->s = s;
	for (i = 0; i < f->rows; i++) {
		w->group[i] = i > 0 && s[i] == s[i - 1] ? w->group[i - 1] : i;
		room += s[i];
	}
	walk_rows(w, 0, f->col[k], room);
}

/* --- bounds ---------------------------------------------------------- */

/*
 * What is left is a table with two lines (two columns, or two rows) and
 * m lines across them with sums v[0..m) adding up to total; a of the
 * total goes to the first of the two lines: x_i <= v[i] in it, v_i - x_i
 * in the other.  Its value is Σ g_i(x_i), g_i(x) = -log x! - log(v_i-x)!.
 *
 * The largest: each g_i is concave, so it is the split no move of a unit
 * from one line to another improves.  Start from the proportional
 * split; the gains are differences of log k!.
 */
static double
two_lines_hi(const struct fisher *f, const uint32_t *v, size_t m,
	     uint32_t a, uint32_t total)
{
	const double *lf = f->lf;
	uint32_t x[STATS_MAX_DIM], given = 0;
	double up, down, best_up, best_down, value = 0;
	size_t i, iu, id;

	for (i = 0; i < m; i++) {
		x[i] = (uint32_t)((uint64_t)v[i] * a / total);
		given += x[i];
	}
	for (;;) {
		/* The best gain of one x_i + 1 and of one x_i - 1. */
		best_up = best_down = -HUGE_VAL;
		iu = id = m;
		for (i = 0; i < m; i++) {
			if (x[i] < v[i]) {
				up = (lf[v[i] - x[i]] - lf[v[i] - x[i] - 1]) -
				     (lf[x[i] + 1] - lf[x[i]]);
				if (up > best_up) {
					best_up = up;
					iu = i;
				}
			}
			if (x[i] > 0) {
				down = (lf[x[i]] - lf[x[i] - 1]) -
				       (lf[v[i] - x[i] + 1] - lf[v[i] - x[i]]);
				if (down > best_down) {
					best_down = down;
					id = i;
				}
			}
		}
		if (given < a) {
			x[iu]++;
			given++;
		} else if (iu != id && iu < m && id < m &&
			   best_up + best_down > 1e-12) {
			x[iu]++;
			x[id]--;
		} else {
			break;
		}
	}
	for (i = 0; i < m; i++)
		value -= lf[x[i]] + lf[v[i] - x[i]];
	return value;
}

/*
 * The smallest: -g_i is convex, so the least probable split is at a
 * vertex, where every x_i is 0 or v_i (worth log v_i! either way) but
 * one, x_p = a - Σ(full lines), the further from v_p / 2 the better.
 * Tries each subset of full lines: 2^m of them, so for small m only.
 */
#define TWO_LINES_MAX 8

static double
two_lines_lo(const struct fisher *f, const uint32_t *v, size_t m,
	     uint32_t a)
{
	const double *lf = f->lf;
	double all = 0, best = -HUGE_VAL, value;
	uint32_t mask, full = (uint32_t)1 << m, xp;
	uint64_t sum;
	size_t i, p;

	for (i = 0; i < m; i++)
		all += lf[v[i]];
	for (mask = 0; mask < full; mask++) {
		sum = 0;
		for (i = 0; i < m; i++)
			if (mask & ((uint32_t)1 << i))
				sum += v[i];
		if (sum > a)
			continue;
		for (p = 0; p < m; p++) {
			if ((mask & ((uint32_t)1 << p)) || a - sum > v[p])
				continue;
			xp = (uint32_t)(a - sum);
			value = all - lf[v[p]] + lf[xp] + lf[v[p] - xp];
			if (value > best)
				best = value;
		}
	}
	return -best;
}

struct bounds_walk {
	struct column_walk w;
	double hi, lo;
	struct fisher_node *node;	/* whose arcs are kept, or NULL */
	size_t cap;
};

/* Appends child c to the arcs b->node keeps; on failure to grow, or
 * past the budget, keeps none. */
static void
arc_keep(struct fisher *f, struct bounds_walk *b, size_t c)
{
	struct fisher_node *node = b->node;
	uint32_t *arcs;
	size_t cap;

	if (node->narcs == b->cap) {
		cap = b->cap ? 2 * b->cap : 256;
		arcs = f->arcs + cap > FISHER_MAX_ARCS ? NULL :
		       realloc(node->arcs, cap * sizeof(*arcs));
		if (arcs == NULL) {
			f->arcs -= node->narcs;
			free(node->arcs);
			node->arcs = NULL;
			node->narcs = 0;
			b->node = NULL;
			return;
		}
		node->arcs = arcs;
		b->cap = cap;
	}
	node->arcs[node->narcs++] = (uint32_t)c;
	f->arcs++;
}

static void
bounds_visit(struct column_walk *w, double delta, const uint32_t *next,
	     double mult)
{
	struct bounds_walk *b = (struct bounds_walk *)w;
	struct fisher_node *child;
	size_t c;

	(void)mult;
	c = stage_find(w->f, w->k + 1, next);
	if (c == (size_t)-1)
		return;
	if (b->node != NULL)
		arc_keep(w->f, b, c);
	child = &w->f->stage[w->k + 1].nodes[c];
	if (delta + child->hi > b->hi)
		b->hi = delta + child->hi;
	if (delta + child->lo < b->lo)
		b->lo = delta + child->lo;
}

static void
node_bounds(struct fisher *f, size_t k, const uint32_t *s,
	    struct fisher_node *node)
{
	struct bounds_walk b;
	double rows_lf = 0;
	size_t i;

	for (i = 0; i < f->rows; i++)
		rows_lf += f->lf[s[i]];
	node->lsum = f->lf[f->left[k]] - rows_lf - f->col_lf[k];
	if (k + 1 == f->cols) {
		node->hi = node->lo = -rows_lf;
		return;
	}
	if (k + 2 == f->cols && f->rows <= TWO_LINES_MAX) {
		node->hi = two_lines_hi(f, s, f->rows, f->col[k], f->left[k]);
		node->lo = two_lines_lo(f, s, f->rows, f->col[k]);
		return;
	}
	if (f->rows == 2 && f->cols - k <= TWO_LINES_MAX) {
		node->hi = two_lines_hi(f, f->col + k, f->cols - k, s[0],
					f->left[k]);
		node->lo = two_lines_lo(f, f->col + k, f->cols - k, s[0]);
		return;
	}
	/* Else from the next column's nodes, by dynamic programming. */
	memset(&b, 0, sizeof(b));
	b.hi = -HUGE_VAL;
	b.lo = HUGE_VAL;
	b.w.visit = bounds_visit;
	b.node = node;
	walk_column(&b.w, f, k, s);
	node->hi = b.hi;
	node->lo = b.lo;
}

/* --- the network ----------------------------------------------------- */

/* How many of the n sorted past values are <= bound. */
static size_t
count_upto(const struct fisher_past *past, size_t n, double bound)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (past[mid].value <= bound)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Values equal in exact arithmetic but summed in different orders
 * differ by a few roundings: PAST_SAME relative to their size, at most
 * 1e-13 for the sizes of tables R can do.  Neighbours in sorted order
 * that close are merged (the first one's value kept).  Two values that
 * differ in exact arithmetic by so little would be merged too, an
 * error of 3e-14 relative on their share of p.  FEXACT merges within
 * its TOL, 3.45254e-7 (f5xact: past values within tol of a stored one
 * are added to it), a million times wider.
 */
#define PAST_SAME 3e-14

/*
 * How a node receives its past values: not one by one, but as runs.
 * An arc from a parent passes on a slice of the parent's sorted past
 * values, each plus the arc's delta, its weight times the arc's mult:
 * the arc appends one run (a pointer into the parent's array) to the
 * child, and the child's list is built in one go when it is expanded
 * (runs_merge()), equal values merged in a table of the node's own.
 *
 * Measured on a plain build (CPU time, loaded machine): the 4×5 table
 * of bench/stats.sh 0.92 s with one hash of the values' bins for all
 * nodes (every value pushed by every arc, each push about one cache
 * miss), 0.87 s with a binary heap of the runs' heads (the heap was
 * 43 % of the time), 0.79 s with a bottom-up merge sort of the runs,
 * 0.59 s with a table per node (runs_merge()); its 3×6 0.20, 0.11,
 * 0.15 and 0.13 s; its 5×5, without a budget, 17 s with the heap, 10 s
 * with the merge sort, 6.3 s with a table per node.
 *
 * The parents' arrays must outlive the children's merge: a stage's
 * past values are freed when the next stage has been expanded.
 */
struct fisher_run {
	const struct fisher_past *past;	/* a parent's, sorted */
	size_t n;
	double delta, mult;
};

/* Appends a run of n past values to node; on failure records it. */
static void
run_add(struct fisher *f, struct fisher_node *node,
	const struct fisher_past *past, size_t n, double delta, double mult)
{
	struct fisher_run *runs;
	size_t cap;

	f->steps += n;
	if (f->steps > FISHER_MAX_STEPS) {
		fisher_fail(f, MSP_EINVAL, FISHER_MAX_STEPS, "steps");
		return;
	}
	if (node->nruns == node->runcap) {
		if (f->runs >= FISHER_MAX_RUNS) {
			fisher_fail(f, MSP_EINVAL, FISHER_MAX_RUNS, "runs");
			return;
		}
		cap = node->runcap ? 2 * node->runcap : 8;
		runs = realloc(node->runs, cap * sizeof(*runs));
		if (runs == NULL) {
			fisher_fail(f, MSP_ENOMEM, 0, NULL);
			return;
		}
		node->runs = runs;
		f->runs += cap - node->runcap;
		node->runcap = cap;
	}
	runs = &node->runs[node->nruns++];
	runs->past = past;
	runs->n = n;
	runs->delta = delta;
	runs->mult = mult;
}

/* Appends (value, weight) to out[*n], adding it to the last one
 * instead when the two are equal but for rounding (start: the first
 * index of the list being built). */
static inline void
past_put(struct fisher_past *out, size_t start, size_t *n, double value,
	 double weight)
{
	if (*n > start && value - out[*n - 1].value <=
	    PAST_SAME * (1 + fabs(value))) {
		out[*n - 1].weight += weight;
		return;
	}
	out[*n].value = value;
	out[(*n)++].weight = weight;
}

/*
 * Past values equal but for rounding share a key: the value in units
 * of 2^-36 (1.5e-11), rounded.  Values up to FISHER_MAX_N·log n (1.4e7)
 * fit in an int64 at that scale.  Two values that round to different
 * keys are kept apart (a merge missed costs time, not accuracy); two
 * that differ in exact arithmetic but share a key are merged, an error
 * of 1.5e-11 relative at most on their share of p, as with PAST_SAME.
 */
#define PAST_KEY_SCALE 68719476736.0	/* 2^36 */

struct past_slot {
	int64_t key;
	double value, weight;	/* weight 0: empty */
};

static size_t
past_hash(int64_t key)
{
	uint64_t h = (uint64_t)key * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h ^ (h >> 29));
}

static int
past_cmp(const void *a, const void *b)
{
	double x = ((const struct fisher_past *)a)->value;
	double y = ((const struct fisher_past *)b)->value;

	return (x > y) - (x < y);
}

/* Makes f's table of past slots n slots (a power of 2, at least as
 * many as it holds), placing its entries again; 0 on success. */
static int
past_table_resize(struct fisher *f, size_t n)
{
	size_t i, h;
	struct past_slot *t, *old = f->table;

	t = calloc(n, sizeof(*t));
	if (t == NULL)
		return -1;
	for (i = 0; i < f->table_cap; i++) {
		if (old[i].weight == 0)
			continue;
		h = past_hash(old[i].key) & (n - 1);
		while (t[h].weight != 0)
			h = (h + 1) & (n - 1);
		t[h] = old[i];
	}
	free(old);
	f->table = t;
	f->table_cap = n;
	return 0;
}

/*
 * Builds node's sorted, merged past values from its runs, then frees
 * the runs.  Every value the runs carry (delta and mult applied) goes
 * into one open-addressing table keyed by PAST_KEY_SCALE, equal values
 * adding their weights; the distinct ones are then sorted.  The table
 * is per node and small (a few thousand distinct values, tens of
 * kilobytes: in cache), while the values passed on are many: on the
 * 5×5 table of bench/stats.sh, 197 million for 2.4 million distinct
 * (80 to one), which a merge sort copied and moved log2(runs) times
 * (5.6 s of its 10 s), the table once (see docs/report.md).  On
 * failure (out of memory, past the budget of past values) records it
 * in f.
 */
static void
runs_merge(struct fisher *f, struct fisher_node *node)
{
	const struct fisher_run *runs = node->runs;
	struct fisher_past *a = NULL, *t;
	struct past_slot *slot;
	size_t nr = node->nruns, r, i, o, used = 0, h, mask;
	double value, weight;
	int64_t key;

	/* Room for twice the values passed on, up to 1024 slots (24 kB)
	 * to begin with: a table is cleared for every node, and most
	 * nodes of a small table receive a handful of values. */
	for (r = 0, i = 0; r < nr; r++)
		i += runs[r].n;
	for (h = 16; h < 1024 && h < 2 * i; h *= 2)
		;
	if ((f->table_cap < h || f->table_cap > 8 * h) &&
	    past_table_resize(f, h) != 0)
		goto nomem;
	mask = f->table_cap - 1;
	for (r = 0; r < nr; r++) {
		for (i = 0; i < runs[r].n; i++) {
			value = runs[r].past[i].value + runs[r].delta;
			weight = runs[r].past[i].weight * runs[r].mult;
			key = llround(value * PAST_KEY_SCALE);
			h = past_hash(key) & mask;
			for (slot = &f->table[h]; slot->weight != 0 &&
			     slot->key != key; slot = &f->table[h])
				h = (h + 1) & mask;
			if (slot->weight != 0) {
				slot->weight += weight;
				continue;
			}
			slot->key = key;
			slot->value = value;
			slot->weight = weight;
			if (f->pasts + ++used > FISHER_MAX_PASTS) {
				fisher_fail(f, MSP_EINVAL, FISHER_MAX_PASTS,
					    "partial tables");
				goto clear;
			}
			if (2 * used > f->table_cap) {
				if (past_table_resize(f, 2 * f->table_cap) !=
				    0)
					goto nomem;
				mask = f->table_cap - 1;
			}
		}
	}
	a = malloc((used ? used : 1) * sizeof(*a));
	if (a == NULL)
		goto nomem;
	for (i = 0, o = 0; i < f->table_cap; i++) {
		if (f->table[i].weight == 0)
			continue;
		a[o].value = f->table[i].value;
		a[o++].weight = f->table[i].weight;
	}
	qsort(a, o, sizeof(*a), past_cmp);
	/* Neighbours whose keys differ only by the rounding of a value
	 * on a key's edge. */
	for (i = 0, used = 0; i < o; i++)
		past_put(a, 0, &used, a[i].value, a[i].weight);
	t = realloc(a, (used ? used : 1) * sizeof(*a));
	node->past = t != NULL ? t : a;
	a = NULL;
	node->npast = used;
	f->pasts += used;
	f->runs -= node->runcap;
	free(node->runs);
	node->runs = NULL;
	node->nruns = node->runcap = 0;
	goto clear;
nomem:
	fisher_fail(f, MSP_ENOMEM, 0, NULL);
clear:
	/* Empty the table for the next node (which resizes it to its
	 * own values if need be). */
	if (f->table != NULL)
		memset(f->table, 0, f->table_cap * sizeof(*f->table));
	free(a);
}

/* The node being expanded and what its arcs need. */
struct expand_walk {
	struct column_walk w;
	const struct fisher_past *past;	/* sorted, merged */
	size_t npast;
	double top;			/* past[npast-1].value */
	const double *cumul;	/* Σ weight·exp(value - top), running */
	const uint32_t *arcs;	/* the node's children, or NULL */
	size_t arc;		/* the next arc */
};

static void
expand_visit(struct column_walk *w, double delta, const uint32_t *next,
	     double mult)
{
	struct expand_walk *e = (struct expand_walk *)w;
	struct fisher *f = w->f;
	struct fisher_node *child;
	double rest;
	size_t i, c, all, some;

	if (w->k + 2 == f->cols) {
		/* The last column is what is left: one completion. */
		rest = 0;
		for (i = 0; i < f->rows; i++)
			rest -= f->lf[next[i]];
		all = count_upto(e->past, e->npast, f->obs - delta - rest);
		if (all > 0)
			f->p += mult * e->cumul[all - 1] *
				exp(f->logk + e->top + delta + rest);
		return;
	}
	if (e->arcs != NULL)
		c = e->arcs[e->arc++];
	else if ((c = stage_find(f, w->k + 1, next)) == (size_t)-1)
		return;
	child = &f->stage[w->k + 1].nodes[c];
	all = count_upto(e->past, e->npast,
			 f->obs - delta - (child->hi + FISHER_SLACK));
	some = count_upto(e->past, e->npast,
			  f->obs - delta - (child->lo - FISHER_SLACK));
	if (all > 0)
		f->p += mult * e->cumul[all - 1] *
			exp(f->logk + e->top + delta + child->lsum);
	if (some > all)
		run_add(f, child, e->past + all, some - all, delta, mult);
}

/*
 * The last two columns of a node, with the node's past values sorted:
 * each way x to fill the first of them (x_i <= s_i, Σ x_i = col) fixes
 * the other (s_i - x_i), so the future value is
 *
 *   g(x) = Σ g_i(x_i),  g_i(x) = -log x! - log (s_i - x)!,
 *
 * and the pasts a with a + g(x) <= obs count.  Rather than visit every
 * x (thousands per node, and the bulk of the work on 4×5 tables), the
 * rows are filled one at a time with a branch and bound: with rows
 * 0..i-1 filled (value part, c left for rows i..), the rest is at most
 * hi_i(c) and at least -Σ_{j>=i} log s_j!, so
 *
 *   part + hi_i(c) <= obs - top: every past counts with every way to
 *       fill the rest, whose total is C(S_i, c) / Π_{j>=i} s_j! in
 *       closed form (Vandermonde's identity), S_i = Σ_{j>=i} s_j;
 *   part - Σ_{j>=i} log s_j! > obs - bottom: no past counts with any.
 *
 * Each g_i is concave (its gains log(s_i - t) - log(t + 1) decrease),
 * so hi_i(c) is Σ g_j(0) plus the c largest gains of rows j >= i
 * (greedy allocation of a separable concave sum): the gains of each
 * suffix of rows merged in decreasing order, prefix-summed.  Rows are
 * not folded by symmetry here (every x is its own arc, weight 1), so
 * that a pruned subtree is one closed form.
 */
struct last_walk {
	struct fisher *f;
	const uint32_t *s;
	const struct fisher_past *past;	/* sorted, merged */
	size_t npast;
	const double *cumul;	/* Σ weight·exp(value - top), running */
	double top;		/* past[npast - 1].value */
	double all_below;	/* future <= this: every past counts */
	double none_above;	/* future > this: none does */
	uint32_t tail_sum[STATS_MAX_DIM + 1];	/* S_i */
	double tail_lf[STATS_MAX_DIM + 1];	/* Σ_{j>=i} log s_j! */
	const double *hi[STATS_MAX_DIM];	/* hi_i(0..S_i) */
};

static void
last_rows(struct last_walk *lw, size_t i, uint32_t c, double part)
{
	struct fisher *f = lw->f;
	const double *lf = f->lf;
	const size_t rows = f->rows;
	uint32_t s = lw->s[i], x, lo, hi, rest_room;
	double value;
	size_t all;

	if (f->st != MSP_OK)
		return;
	if (part + lw->hi[i][c] <= lw->all_below) {
		value = part + lf[lw->tail_sum[i]] - lf[c] -
			lf[lw->tail_sum[i] - c] - lw->tail_lf[i];
		f->p += lw->cumul[lw->npast - 1] *
			exp(f->logk + lw->top + value);
		return;
	}
	if (part - lw->tail_lf[i] > lw->none_above)
		return;
	if (++f->steps > FISHER_MAX_STEPS) {
		fisher_fail(f, MSP_EINVAL, FISHER_MAX_STEPS, "steps");
		return;
	}
	if (i + 1 == rows) {
		/* c <= s: the bounds above kept c within S_i = s. */
		value = part - lf[c] - lf[s - c];
		all = count_upto(lw->past, lw->npast, f->obs - value);
		if (all > 0)
			f->p += lw->cumul[all - 1] *
				exp(f->logk + lw->top + value);
		return;
	}
	rest_room = lw->tail_sum[i + 1];
	hi = s < c ? s : c;
	lo = c > rest_room ? c - rest_room : 0;
	for (x = lo; x <= hi; x++)
		last_rows(lw, i + 1, c - x, part - lf[x] - lf[s - x]);
}

/* Fills gain (rows × (n + 1) doubles, f->gain) with each suffix's
 * hi_i and points lw->hi at them. */
static void
last_bounds(struct fisher *f, struct last_walk *lw)
{
	const double *lf = f->lf;
	const size_t rows = f->rows, stride = (size_t)f->left[0] + 1;
	double *g, *prev, *h, d, acc;
	uint32_t s, t, a, b, S;
	size_t i;

	lw->tail_sum[rows] = 0;
	lw->tail_lf[rows] = 0;
	for (i = rows; i-- > 0;) {
		lw->tail_sum[i] = lw->tail_sum[i + 1] + lw->s[i];
		lw->tail_lf[i] = lw->tail_lf[i + 1] + lf[lw->s[i]];
	}
	/*
	 * Row i's gains, merged with those of rows i+1.. (kept in
	 * f->merge_gain as a decreasing list), then prefix-summed into
	 * hi_i.  f->gain holds the hi tables, f->gain_tmp two lists.
	 */
	prev = NULL;
	for (i = rows; i-- > 0;) {
		s = lw->s[i];
		S = lw->tail_sum[i];
		g = f->gain_list + (i % 2) * stride;
		a = 0;
		b = 0;
		for (t = 0; t < S; t++) {
			d = s > a ? (lf[s - a] - lf[s - a - 1]) -
			    (lf[a + 1] - lf[a]) : -HUGE_VAL;
			if (prev != NULL && b < lw->tail_sum[i + 1] &&
			    (a >= s || prev[b] > d)) {
				g[t] = prev[b++];
			} else {
				g[t] = d;
				a++;
			}
		}
		h = f->gain + i * stride;
		acc = -lw->tail_lf[i];
		h[0] = acc;
		for (t = 0; t < S; t++) {
			acc += g[t];
			h[t + 1] = acc;
		}
		lw->hi[i] = h;
		prev = g;
	}
}

static void
expand_last(struct fisher *f, size_t k, struct fisher_node *node,
	    const double *cumul)
{
	struct last_walk lw;

	memset(&lw, 0, sizeof(lw));
	lw.f = f;
	lw.s = f->stage[k].keys + node->key;
	lw.past = node->past;
	lw.npast = node->npast;
	lw.cumul = cumul;
	lw.top = node->past[node->npast - 1].value;
	lw.all_below = f->obs - lw.top - FISHER_SLACK;
	lw.none_above = f->obs - node->past[0].value + FISHER_SLACK;
	last_bounds(f, &lw);
	last_rows(&lw, 0, f->col[k], 0);
}

static void
expand_node(struct fisher *f, size_t k, size_t index)
{
	struct fisher_node *node = &f->stage[k].nodes[index];
	struct expand_walk e;
	void *p;
	double sum = 0;
	size_t i, n;

	if (node->nruns > 0) {
		runs_merge(f, node);
		if (f->st != MSP_OK)
			return;
	}
	n = node->npast;
	if (n > f->scratch_cap) {
		p = realloc(f->cumul, n * sizeof(*f->cumul));
		if (p == NULL)
			goto nomem;
		f->cumul = p;
		f->scratch_cap = n;
	}
	memset(&e, 0, sizeof(e));
	e.past = node->past;
	e.npast = n;
	e.top = node->past[n - 1].value;
	for (i = 0; i < n; i++) {
		sum += node->past[i].weight * exp(node->past[i].value - e.top);
		f->cumul[i] = sum;
	}
	e.cumul = f->cumul;
	if (k + 2 == f->cols) {
		expand_last(f, k, node, f->cumul);
		return;
	}
	e.arcs = node->arcs;
	e.w.visit = expand_visit;
	/* Arcs add nodes to stage k + 1 only: node stays where it is. */
	walk_column(&e.w, f, k, f->stage[k].keys + node->key);
	return;
nomem:
	fisher_fail(f, MSP_ENOMEM, 0, NULL);
}

static int
u32_cmp_asc(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/*
 * The p-value of the table x (rows × cols, row-major, no empty row or
 * column, rows <= cols) with margins row[], col[], total n, counting
 * tables within tol of the observed value.
 */
static enum msp_status
fisher_network(const uint32_t *x, size_t rows, size_t cols,
	       const uint32_t *row, const uint32_t *col, uint32_t n,
	       double tol, double *p, struct msp_error *err)
{
	struct fisher f;
	struct fisher_node *node;
	uint32_t s[STATS_MAX_DIM];
	double obs = 0, sum, term, carry = 0;
	size_t i, j, k, root;

	memset(&f, 0, sizeof(f));
	f.rows = rows;
	f.cols = cols;
	f.err = err;
	f.lf = malloc(((size_t)n + 1) * sizeof(*f.lf));
	if (f.lf == NULL) {
		fisher_fail(&f, MSP_ENOMEM, 0, NULL);
		goto out;
	}
	/* Compensated sums: each log k! is off by about one rounding, not
	 * by k of them. */
	f.lf[0] = 0;
	for (i = 1; i <= n; i++) {
		term = log((double)i) - carry;
		sum = f.lf[i - 1] + term;
		carry = (sum - f.lf[i - 1]) - term;
		f.lf[i] = sum;
	}
	f.gain = malloc((size_t)rows * ((size_t)n + 1) * sizeof(*f.gain));
	f.gain_list = malloc(2 * ((size_t)n + 1) * sizeof(*f.gain_list));
	if (f.gain == NULL || f.gain_list == NULL) {
		fisher_fail(&f, MSP_ENOMEM, 0, NULL);
		goto out;
	}
	/*
	 * The two largest columns last, the others first from the largest
	 * down.  The last two are filled by rows with a branch and bound
	 * (expand_last()), whose work grows with their spread of values,
	 * not their number of arcs; what costs is passing past values on
	 * into the nodes before them, and starting with the larger of the
	 * rest leaves fewer to pass.  On the 4×5 table of bench/stats.sh:
	 * 17 million steps against 26 million smallest first (and 39
	 * million for the worst of the eight orders tried), on its 3×6:
	 * 3.1 against 3.5 million.
	 */
	memcpy(f.col, col, cols * sizeof(*col));
	qsort(f.col, cols, sizeof(*f.col), u32_cmp_asc);
	for (i = 0, j = cols - 2; cols > 3 && i + 1 < j; i++, j--) {
		uint32_t swap = f.col[i];

		f.col[i] = f.col[j - 1];
		f.col[j - 1] = swap;
	}
	f.left[cols] = 0;
	f.col_lf[cols] = 0;
	for (k = cols; k > 0; k--) {
		f.left[k - 1] = f.left[k] + f.col[k - 1];
		f.col_lf[k - 1] = f.col_lf[k] + f.lf[f.col[k - 1]];
	}
	for (i = 0; i < rows; i++)
		for (j = 0; j < cols; j++)
			obs -= f.lf[x[i * cols + j]];
	f.obs = obs + tol;
	f.logk = f.col_lf[0] - f.lf[n];
	for (i = 0; i < rows; i++)
		f.logk += f.lf[row[i]];
	memcpy(s, row, rows * sizeof(*s));
	sort_desc(s, rows);
	root = stage_find(&f, 0, s);
	if (root == (size_t)-1)
		goto out;
	node = &f.stage[0].nodes[root];
	node->past = malloc(sizeof(*node->past));
	if (node->past == NULL) {
		fisher_fail(&f, MSP_ENOMEM, 0, NULL);
		goto out;
	}
	node->past[0].value = 0;
	node->past[0].weight = 1;
	node->npast = 1;
	f.pasts = 1;
	for (k = 0; f.st == MSP_OK && k + 1 < cols; k++) {
		for (i = 0; f.st == MSP_OK && i < f.stage[k].len; i++) {
			node = &f.stage[k].nodes[i];
			if (node->npast == 0 && node->nruns == 0)
				continue;
			expand_node(&f, k, i);
			node = &f.stage[k].nodes[i];
			f.arcs -= node->narcs;
			free(node->arcs);
			node->arcs = NULL;
			node->narcs = 0;
		}
		/* Stage k's lists are built: its parents' are not needed
		 * any more. */
		if (k > 0)
			stage_free_pasts(&f, &f.stage[k - 1]);
	}
	if (f.st == MSP_OK)
		*p = (double)f.p;
out:
	for (k = 0; k < cols; k++)
		stage_free(&f.stage[k]);
	free(f.cumul);
	free(f.gain);
	free(f.gain_list);
	free(f.table);
	free(f.lf);
	return f.st;
}

/*
 * fisher.test(x)$p.value.  Empty rows and columns are left out (they
 * change no table's probability), the shorter side becomes the rows,
 * and the tolerance is R's for the dimension given.
 */
static enum msp_status
fisher_test(const struct stats_table *t, const struct margins *m,
	    struct stats_result *out, struct msp_error *err)
{
	uint32_t x[STATS_MAX_DIM * STATS_MAX_DIM];
	uint32_t row[STATS_MAX_DIM], col[STATS_MAX_DIM], v;
	size_t keep_r[STATS_MAX_DIM], keep_c[STATS_MAX_DIM];
	size_t nr = 0, nc = 0, i, j;
	double tol, p = NAN;
	enum msp_status st;

	for (i = 0; i < t->rows; i++)
		if (m->row[i] > 0)
			keep_r[nr++] = i;
	for (j = 0; j < t->cols; j++)
		if (m->col[j] > 0)
			keep_c[nc++] = j;
	if (nr < 2 || nc < 2)
		return msp_error_set(err, MSP_EINVAL,
				     "only %zu non-empty %s: nothing to test",
				     nr < 2 ? nr : nc,
				     nr < 2 ? (nr == 1 ? "row" : "rows") :
				     (nc == 1 ? "column" : "columns"));
	if (m->n > FISHER_MAX_N)
		return msp_error_set(err, MSP_EINVAL,
				     "Fisher's exact test: n = %lu is above "
				     "%lu; use the χ² test", m->n,
				     FISHER_MAX_N);
	/* The shorter side as rows: fewer rows, fewer nodes (the 3×6
	 * table of bench/stats.sh as 6 rows of 3 columns: 1.8 s against
	 * 0.15 s; its 4×5 as 5 rows of 4: refused at 3·10^7 steps). */
	for (i = 0; i < nr; i++) {
		for (j = 0; j < nc; j++) {
			v = (uint32_t)t->cells[keep_r[i] * t->cols +
					       keep_c[j]];
			if (nr > nc)
				x[j * nr + i] = v;
			else
				x[i * nc + j] = v;
		}
	}
	for (i = 0; i < nr; i++)
		row[i] = (uint32_t)m->row[keep_r[i]];
	for (j = 0; j < nc; j++)
		col[j] = (uint32_t)m->col[keep_c[j]];
	tol = t->rows == 2 && t->cols == 2 ?
	      log1p(FISHER_REL_ERR_2X2) : FISHER_TOL_RXC;
	if (nr > nc)
		st = fisher_network(x, nc, nr, col, row, (uint32_t)m->n, tol,
				    &p, err);
	else
		st = fisher_network(x, nr, nc, row, col, (uint32_t)m->n, tol,
				    &p, err);
	if (st != MSP_OK)
		return st;
	out->method = STATS_FISHER;
	out->statistic = NAN;
	out->df = 0;
	out->p = p < 0 ? 0 : p > 1 ? 1 : p;
	return MSP_OK;
}

static double cramers_v(const struct stats_table *t,
			const struct margins *m);

/* --- Fisher's test by simulation (R's simulate.p.value) --------------- */

/*
 * Where the network gives up, fisher.test(x, simulate.p.value = TRUE,
 * B = B): B tables drawn at random with the observed margins, under
 * independence, and p = (1 + #{tables no more probable}) / (B + 1),
 * a table counted when its statistic -Σ log x! is at most the observed
 * one divided by 1 + 64ε (R's "almost.1"; the statistic is negative).
 *
 * A table with given margins is drawn by placing the n observations of
 * a random permutation of the column labels row after row: every
 * arrangement of the n labelled observations is equally likely, so
 * the table has the multiple hypergeometric distribution of Fisher's
 * test (R draws the same distribution with Patefield's AS 159; the
 * tables differ, the distribution does not).  O(n) per table.
 *
 * The standard error is the binomial one of the proportion counted,
 * sqrt(p (1 - p) / B).  The generator is lib/rng.c's, seeded by seed,
 * so a p-value is reproduced from its seed.
 */
#define FISHER_SIM_ALMOST_1 (1 + 64 * DBL_EPSILON)

enum msp_status
stats_fisher_simulate(const struct stats_table *t, unsigned long b,
		      uint64_t seed, struct stats_simulation *out,
		      struct msp_error *err)
{
	uint32_t *label = NULL;
	double *lf = NULL, obs = 0, v, ph;
	unsigned long x[STATS_MAX_DIM * STATS_MAX_DIM];
	unsigned long rep, hits = 0, k;
	struct margins m;
	struct rng g;
	size_t i, j, at, cell;
	uint32_t tmp;
	enum msp_status st;

	st = table_check(t, &m, err);
	if (st != MSP_OK)
		return st;
	if (b == 0 || b > STATS_SIM_MAX_B)
		return msp_error_set(err, MSP_EINVAL, "--simulate: between 1 "
				     "and %lu replicates", STATS_SIM_MAX_B);
	if (m.n > FISHER_MAX_N)
		return msp_error_set(err, MSP_EINVAL,
				     "Fisher's test: n = %lu is above %lu; "
				     "use the χ² test", m.n, FISHER_MAX_N);
	label = malloc(m.n * sizeof(*label));
	lf = malloc((m.n + 1) * sizeof(*lf));
	if (label == NULL || lf == NULL) {
		st = msp_error_set(err, MSP_ENOMEM, "out of memory");
		goto out;
	}
	lf[0] = 0;
	for (k = 1; k <= m.n; k++)
		lf[k] = lf[k - 1] + log((double)k);
	for (at = 0, j = 0; j < t->cols; j++)
		for (k = 0; k < m.col[j]; k++)
			label[at++] = (uint32_t)j;
	for (i = 0; i < t->rows * t->cols; i++)
		obs -= lf[t->cells[i]];
	/* obs < 0: dividing widens the bound, so that tables tied with
	 * the observed one count whatever the order of their sums. */
	obs /= FISHER_SIM_ALMOST_1;
	rng_stream(&g, seed, 0x66697368 /* "fish" */, 0);
	for (rep = 0; rep < b; rep++) {
		/* Fisher–Yates shuffle of the column labels. */
		for (k = m.n - 1; k > 0; k--) {
			at = (size_t)rng_below(&g, k + 1);
			tmp = label[k];
			label[k] = label[at];
			label[at] = tmp;
		}
		memset(x, 0, sizeof(x));
		for (at = 0, i = 0; i < t->rows; i++)
			for (k = 0; k < m.row[i]; k++)
				x[i * t->cols + label[at++]]++;
		for (v = 0, cell = 0; cell < t->rows * t->cols; cell++)
			v -= lf[x[cell]];
		hits += v <= obs;
	}
	ph = (double)hits / (double)b;
	out->b = b;
	out->seed = seed;
	out->hits = hits;
	out->p = (1.0 + (double)hits) / ((double)b + 1.0);
	out->se = sqrt(ph * (1 - ph) / (double)b);
	memset(&out->r, 0, sizeof(out->r));
	out->r.method = STATS_FISHER;
	out->r.statistic = NAN;
	out->r.p = out->p;
	out->r.min_expected = min_expected(t, &m);
	out->r.cramers_v = cramers_v(t, &m);
	st = MSP_OK;
out:
	free(label);
	free(lf);
	return st;
}

/* --- the test of independence ---------------------------------------- */

/*
 * Cramér's V (Cramér 1946, §21.9): sqrt(X² / (n (k - 1))), k the
 * smaller dimension, X² Pearson's without continuity correction, both
 * on the table without its empty rows and columns (their expected
 * counts are 0: R's chisq.test() would answer NaN).  NAN when fewer
 * than 2 rows or columns are left.
 */
static double
cramers_v(const struct stats_table *t, const struct margins *m)
{
	long double sum = 0;
	size_t i, j, nr = 0, nc = 0, k;
	double e, d;

	for (i = 0; i < t->rows; i++)
		nr += m->row[i] > 0;
	for (j = 0; j < t->cols; j++)
		nc += m->col[j] > 0;
	if (nr < 2 || nc < 2)
		return NAN;
	for (i = 0; i < t->rows; i++) {
		if (m->row[i] == 0)
			continue;
		for (j = 0; j < t->cols; j++) {
			if (m->col[j] == 0)
				continue;
			e = (double)m->row[i] * (double)m->col[j] /
			    (double)m->n;
			d = (double)t->cells[i * t->cols + j] - e;
			sum += d * d / e;
		}
	}
	k = nr < nc ? nr : nc;
	return sqrt((double)sum / ((double)m->n * (double)(k - 1)));
}

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
	if (st != MSP_OK)
		return st;
	r.cramers_v = cramers_v(t, &m);
	*out = r;
	return MSP_OK;
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
	size_t rows = 0, cols = 0, n = 0, i, len;
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

/* --- adjusted p-values (R's p.adjust) ----------------------------------- */

const char *
stats_adjust_name(enum stats_adjust how)
{
	switch (how) {
	case STATS_ADJUST_HOLM:	return "holm";
	case STATS_ADJUST_BH:	return "BH";
	case STATS_ADJUST_NONE:	return "none";
	}
	return "unknown";
}

int
stats_adjust_parse(const char *s, enum stats_adjust *out)
{
	if (strcasecmp(s, "holm") == 0)
		*out = STATS_ADJUST_HOLM;
	else if (strcasecmp(s, "bh") == 0 || strcasecmp(s, "fdr") == 0)
		*out = STATS_ADJUST_BH;
	else if (strcasecmp(s, "none") == 0)
		*out = STATS_ADJUST_NONE;
	else
		return -1;
	return 0;
}

struct p_rank {
	double p;
	size_t at;	/* index in the caller's array: ties stay in order */
};

static int
p_rank_asc(const void *a, const void *b)
{
	const struct p_rank *x = a, *y = b;

	if (x->p != y->p)
		return x->p < y->p ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

/*
 * R 4.2, p.adjust():
 *   holm: i <- seq_len(lp); o <- order(p)
 *         pmin(1, cummax((n - i + 1L) * p[o]))[ro]
 *   BH:   i <- lp:1L; o <- order(p, decreasing = TRUE)
 *         pmin(1, cummin(n / i * p[o]))[ro]
 * with n = lp, the number of p-values that are not NA.  The products
 * are written in R's order ((n / i) * p for BH), so each result is the
 * double R prints.  Ties: either order gives the same values.
 */
enum msp_status
stats_p_adjust(const double *p, size_t n, enum stats_adjust how,
	       double *out, struct msp_error *err)
{
	struct p_rank *r = NULL;
	size_t lp = 0, i;
	double acc, v;

	if (n == 0)
		return MSP_OK;
	r = calloc(n, sizeof(*r));
	if (r == NULL)
		return msp_error_set(err, MSP_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		if (isnan(p[i]))
			continue;
		r[lp].p = p[i];
		r[lp].at = i;
		lp++;
	}
	for (i = 0; i < n; i++)
		out[i] = isnan(p[i]) ? NAN : p[i];
	if (how == STATS_ADJUST_NONE || lp == 0)
		goto out;
	qsort(r, lp, sizeof(*r), p_rank_asc);
	if (how == STATS_ADJUST_HOLM) {
		acc = -INFINITY;
		for (i = 0; i < lp; i++) {
			v = (double)(lp - i) * r[i].p;
			if (v > acc)
				acc = v;
			out[r[i].at] = acc < 1 ? acc : 1;
		}
	} else {
		/* decreasing p: the rank i runs from lp down to 1 */
		acc = INFINITY;
		for (i = lp; i-- > 0;) {
			v = (double)lp / (double)(i + 1) * r[i].p;
			if (v < acc)
				acc = v;
			out[r[i].at] = acc < 1 ? acc : 1;
		}
	}
out:
	free(r);
	return MSP_OK;
}

/* --- the 2×2 odds ratio (R's fisher.test) ------------------------------ */

const char *
stats_alternative_name(enum stats_alternative alt)
{
	switch (alt) {
	case STATS_TWO_SIDED:	return "two.sided";
	case STATS_LESS:	return "less";
	case STATS_GREATER:	return "greater";
	}
	return "unknown";
}

/*
 * The distribution of the first cell x given the margins: support
 * lo..hi, logdc[s - lo] = dhyper(s, m, n, k, log = TRUE) up to a
 * constant (dnhyper() takes out the maximum, so the constant goes).
 *
 * Over a large table (a --by page of a million responses: a support of
 * hundreds of thousands of values, and a few hundred evaluations per
 * table while uniroot() looks for the estimate and the interval) R's
 * way of computing every term of the support took seconds, most of
 * them in exp() underflowing to 0.  The density is log-concave, so the
 * terms exp(d - max) that are not 0 lie in one window around the mode:
 * dnhyper() finds the mode by bisection, computes the window's terms
 * only (logdc too is computed when first needed, have[] says which),
 * and keeps every other term of d at 0, which is what exp() gives
 * below -745.  The sums over the window are therefore the sums over
 * the whole support, term for term and in the same order: the same
 * doubles as before (check_stats compares them with R).
 */
struct nhyper {
	long lo, hi, x;
	long m, n, k;	/* the margins, for logdc */
	double *logdc;
	unsigned char *have;	/* logdc[i] computed */
	double *d;	/* scratch: dnhyper(ncp); 0 outside a..b */
	size_t a, b;	/* the window of d's terms that may not be 0 */
};

/* Below this, exp(d - max) is 0 in double precision (-745.13). */
#define NHYPER_ZERO (-800.0)

/* logdc[i]: log C(m, s) + log C(n, k - s), s = lo + i. */
static double
nhyper_logdc(struct nhyper *h, size_t i)
{
	const long s = h->lo + (long)i;

	if (!h->have[i]) {
		h->logdc[i] = lgamma((double)h->m + 1) -
			      lgamma((double)s + 1) -
			      lgamma((double)(h->m - s) + 1) +
			      lgamma((double)h->n + 1) -
			      lgamma((double)(h->k - s) + 1) -
			      lgamma((double)(h->n - h->k + s) + 1);
		h->have[i] = 1;
	}
	return h->logdc[i];
}

/* The term d[i] before exp: the same expression as R's. */
static double
nhyper_log_term(struct nhyper *h, size_t i, double lncp)
{
	return nhyper_logdc(h, i) + lncp * (double)(h->lo + (long)i);
}

/* dnhyper(ncp) into h->d, R's way: exp(d - max(d)), then d / sum(d),
 * over the window a..b outside which every term is 0. */
static void
dnhyper(struct nhyper *h, double ncp)
{
	const size_t len = (size_t)(h->hi - h->lo + 1);
	const double lncp = log(ncp);
	double max = -INFINITY, top;
	long double sum = 0;
	size_t i, a = 0, b = len - 1, lo = 0, hi = len - 1;

	/* the mode: the first term not below the next (concave) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (nhyper_log_term(h, mid + 1, lncp) >
		    nhyper_log_term(h, mid, lncp))
			lo = mid + 1;
		else
			hi = mid;
	}
	top = nhyper_log_term(h, lo, lncp);
	for (a = lo; a > 0 &&
	     nhyper_log_term(h, a - 1, lncp) - top >= NHYPER_ZERO; a--)
		;
	for (b = lo; b + 1 < len &&
	     nhyper_log_term(h, b + 1, lncp) - top >= NHYPER_ZERO; b++)
		;
	/* the previous window's terms outside this one go back to 0 */
	for (i = h->a; i <= h->b && i < len; i++)
		if (i < a || i > b)
			h->d[i] = 0;
	h->a = a;
	h->b = b;
	for (i = a; i <= b; i++) {
		h->d[i] = nhyper_log_term(h, i, lncp);
		if (h->d[i] > max)
			max = h->d[i];
	}
	for (i = a; i <= b; i++) {
		h->d[i] = exp(h->d[i] - max);
		sum += h->d[i];
	}
	for (i = a; i <= b; i++)
		h->d[i] /= (double)sum;
}

/* mnhyper(ncp): the mean of x under odds ratio ncp. */
static double
mnhyper(struct nhyper *h, double ncp)
{
	const size_t len = (size_t)(h->hi - h->lo + 1);
	long double sum = 0;
	size_t i;

	if (ncp == 0)
		return (double)h->lo;
	if (isinf(ncp))
		return (double)h->hi;
	dnhyper(h, ncp);
	for (i = h->a; i <= h->b && i < len; i++)
		sum += (long double)(h->lo + (long)i) * h->d[i];
	return (double)sum;
}

/* pnhyper(q, ncp, upper.tail): P(x <= q), or P(x >= q) when upper. */
static double
pnhyper(struct nhyper *h, long q, double ncp, int upper)
{
	const size_t len = (size_t)(h->hi - h->lo + 1);
	long double sum = 0;
	size_t i;
	long s;

	if (ncp == 0)
		return upper ? q <= h->lo : q >= h->lo;
	if (isinf(ncp))
		return upper ? q <= h->hi : q >= h->hi;
	dnhyper(h, ncp);
	for (i = h->a; i <= h->b && i < len; i++) {
		s = h->lo + (long)i;
		if (upper ? s >= q : s <= q)
			sum += h->d[i];
	}
	return (double)sum;
}

/* The functions whose roots uniroot() looks for. */
enum root_fn { ROOT_MEAN, ROOT_LOWER, ROOT_UPPER };

struct root_problem {
	struct nhyper *h;
	enum root_fn fn;
	int invert;	/* evaluate at 1/t, as R's second branch does */
	double target;	/* x for the mean, alpha for the tails */
};

static double
root_eval(const struct root_problem *rp, double t)
{
	const double ncp = rp->invert ? 1 / t : t;

	switch (rp->fn) {
	case ROOT_MEAN:
		return mnhyper(rp->h, ncp) - rp->target;
	case ROOT_LOWER:
		return pnhyper(rp->h, rp->h->x, ncp, 0) - rp->target;
	case ROOT_UPPER:
		return pnhyper(rp->h, rp->h->x, ncp, 1) - rp->target;
	}
	return NAN;
}

/*
 * R's uniroot(f, c(a, b)) with its defaults (tol = DBL_EPSILON^0.25,
 * maxiter = 1000): R_zeroin2() of src/library/stats/src/zeroin.c, the
 * Brent (1973) / Forsythe, Malcolm & Moler (1977) algorithm, written
 * again here so that the same steps give the same root.  R's default
 * tolerance is 1.2e-4 on t: a more precise root would not be R's.
 */
static double
uniroot(const struct root_problem *rp, double a, double b)
{
	const double tol = pow(DBL_EPSILON, 0.25);
	double fa = root_eval(rp, a), fb = root_eval(rp, b);
	double c = a, fc = fa;
	int maxit = 1000 + 1;

	if (fa == 0)
		return a;
	if (fb == 0)
		return b;
	while (maxit--) {
		double prev_step = b - a, tol_act, p, q, new_step;

		if (fabs(fc) < fabs(fb)) {
			a = b; b = c; c = a;
			fa = fb; fb = fc; fc = fa;
		}
		tol_act = 2 * DBL_EPSILON * fabs(b) + tol / 2;
		new_step = (c - b) / 2;
		if (fabs(new_step) <= tol_act || fb == 0)
			return b;
		if (fabs(prev_step) >= tol_act && fabs(fa) > fabs(fb)) {
			double t1, cb, t2;

			cb = c - b;
			if (a == c) {	/* linear interpolation */
				t1 = fb / fa;
				p = cb * t1;
				q = 1.0 - t1;
			} else {	/* inverse quadratic */
				q = fa / fc;
				t1 = fb / fc;
				t2 = fb / fa;
				p = t2 * (cb * q * (q - t1) -
					  (b - a) * (t1 - 1.0));
				q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0);
			}
			if (p > 0)
				q = -q;
			else
				p = -p;
			if (p < (0.75 * cb * q - fabs(tol_act * q) / 2) &&
			    p < fabs(prev_step * q / 2))
				new_step = p / q;
		}
		if (fabs(new_step) < tol_act)
			new_step = new_step > 0 ? tol_act : -tol_act;
		a = b;
		fa = fb;
		b += new_step;
		fb = root_eval(rp, b);
		if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
			c = a;
			fc = fa;
		}
	}
	return b;	/* R warns and returns the last b too */
}

/*
 * R's "if (f(1) is on one side of target) uniroot on (0, 1) else if on
 * the other 1 / uniroot on (eps, 1) at 1/t else 1", shared by mle(),
 * ncp.U() and ncp.L().
 */
static double
solve_ncp(struct nhyper *h, enum root_fn fn, double target)
{
	struct root_problem rp = { h, fn, 0, target };
	/* f(1) - target: its sign says on which side of 1 the root is
	 * (the mean and the upper tail grow with ncp, the lower falls) */
	const double at1 = root_eval(&rp, 1);

	if (at1 == 0)
		return 1;
	if (fn == ROOT_LOWER ? at1 < 0 : at1 > 0)
		return uniroot(&rp, 0, 1);
	rp.invert = 1;
	return 1 / uniroot(&rp, DBL_EPSILON, 1);
}

enum msp_status
stats_odds_ratio(const struct stats_table *t, enum stats_alternative alt,
		 struct stats_odds_ratio *out, struct msp_error *err)
{
	struct nhyper h = { 0 };
	struct stats_odds_ratio r;
	struct margins mg;
	long m, n, k;
	size_t len, i;
	double alpha, dobs;
	long double sum = 0;
	enum msp_status st;

	st = table_check(t, &mg, err);
	if (st != MSP_OK)
		return st;
	if (t->rows != 2 || t->cols != 2)
		return msp_error_set(err, MSP_EINVAL, "a %zu×%zu table: the "
				     "odds ratio needs a 2×2 table",
				     t->rows, t->cols);
	if (mg.row[0] == 0 || mg.row[1] == 0 || mg.col[0] == 0 ||
	    mg.col[1] == 0)
		return msp_error_set(err, MSP_EINVAL, "a row or column is "
				     "empty: nothing to test");
	/* R: m, n the column totals, k the first row's, x the first cell */
	m = (long)mg.col[0];
	n = (long)mg.col[1];
	k = (long)mg.row[0];
	h.x = (long)t->cells[0];
	h.lo = k - n > 0 ? k - n : 0;
	h.hi = k < m ? k : m;
	len = (size_t)(h.hi - h.lo + 1);
	if (len > STATS_OR_MAX_SUPPORT)
		return msp_error_set(err, MSP_EINVAL, "the first cell can take "
				     "%zu values (more than %lu): the odds "
				     "ratio is not computed", len,
				     STATS_OR_MAX_SUPPORT);
	/* calloc: the pages of a large support that no window reaches
	 * are never touched */
	h.logdc = calloc(len, sizeof(double));
	h.have = calloc(len, 1);
	h.d = calloc(len, sizeof(double));
	if (h.logdc == NULL || h.have == NULL || h.d == NULL) {
		st = msp_error_set(err, MSP_ENOMEM, "out of memory");
		goto out;
	}
	/* log C(m, s) + log C(n, k - s), up to a constant, as needed */
	h.m = m;
	h.n = n;
	h.k = k;
	switch (alt) {
	case STATS_LESS:
		r.p = pnhyper(&h, h.x, 1, 0);
		break;
	case STATS_GREATER:
		r.p = pnhyper(&h, h.x, 1, 1);
		break;
	default:
		/* sum(d[d <= d[x - lo + 1] * relErr]), relErr = 1 + 1e-7 */
		dnhyper(&h, 1);
		dobs = h.d[h.x - h.lo] * (1 + 1e-7);
		/* outside the window every term is 0, which adds 0 */
		for (i = h.a; i <= h.b; i++)
			if (h.d[i] <= dobs)
				sum += h.d[i];
		r.p = (double)sum;
		break;
	}
	if (r.p > 1)
		r.p = 1;
	/* mle(): the odds ratio whose mean of x is the observed x */
	if (h.x == h.lo)
		r.estimate = 0;
	else if (h.x == h.hi)
		r.estimate = INFINITY;
	else
		r.estimate = solve_ncp(&h, ROOT_MEAN, (double)h.x);
	/* ncp.L(x, alpha) and ncp.U(x, alpha), at 95 % */
	alpha = alt == STATS_TWO_SIDED ? (1 - 0.95) / 2 : 1 - 0.95;
	r.lo = 0;
	r.hi = INFINITY;
	if (alt != STATS_LESS && h.x != h.lo)
		r.lo = solve_ncp(&h, ROOT_UPPER, alpha);
	if (alt != STATS_GREATER && h.x != h.hi)
		r.hi = solve_ncp(&h, ROOT_LOWER, alpha);
	*out = r;
	st = MSP_OK;
out:
	free(h.logdc);
	free(h.have);
	free(h.d);
	return st;
}
