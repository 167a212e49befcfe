/*
 * What a federation's report hides stays hidden: every report a
 * federation can ask for on the reference studies (the region report
 * under each missing-data rule, --by every variable with categories,
 * --nonresponse, --compare) is read back as its JSON output, and every
 * cell it prints as secret is attacked with what the same report
 * publishes: the sums of the categories (the head counts), the
 * denominators the percentages give back (their "total"), a number's n
 * and its missing answers, the rows of the total column, and the zeros
 * (a sum of 0 makes each of its terms 0).  The relations are solved by
 * Gaussian elimination written here, not lib/report/report_disclosure's, and
 * any hidden cell they determine fails the test.
 *
 * So that the relations are not wishful, each one is also checked on
 * the analyst's report of the same study, where nothing is hidden: it
 * must hold there exactly; and a recovered value must be the analyst's.
 * The header's count of masked cells must be what the JSON and the CSV
 * of the same report hide.
 */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "db.h"
#include "report/format.h"
#include "report/report.h"
#include "report/report_doc.h"
#include "reportfix.h"
#include "testdb.h"

static PGresult *
query(const char *sql, int nparams, const char *const *params)
{
	struct msp_error err;
	PGresult *res = NULL;

	ck_assert_msg(db_exec(conn, "test", sql, nparams, params,
			      PGRES_TUPLES_OK, &res, &err) == MSP_OK, "%s",
		      err.message);
	return res;
}

/* The report o asks for, rendered as kind (malloc'd). */
static char *
render(const struct report_options *o, enum format_kind kind)
{
	struct msp_error err;
	struct rdoc *doc = NULL;
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);

	ck_assert_msg(report_build(conn, o, &doc, &err) == MSP_OK, "%s",
		      err.message);
	ck_assert_msg(format_render(doc, kind, &out, &err) == MSP_OK, "%s",
		      err.message);
	rdoc_free(doc);
	return buf_steal(&out);
}

/* --- the report as the attacker reads it --------------------------------- */

/* A number the report prints, or a hole where it prints "secret". */
struct q {
	int known;
	double v;
	long u;		/* the unknown, when not known */
};

static const struct q Q_ZERO = { 1, 0, -1 };

struct tab {
	json_object *t;		/* borrowed from the parsed report */
	const char *key;
	size_t nrows, ncols;
	long *unknown;		/* per cell: its unknown, or -1 */
};

/* The relations of one table, dense: at most MAXU unknowns. */
#define MAXU 600
#define MAXREL 1500

struct sys {
	size_t nu;
	char what[MAXU][200];	/* where each unknown is, for messages */
	size_t nrel;
	double *a;		/* MAXREL x MAXU */
	double b[MAXREL];
	char rwhat[MAXREL][120];
	size_t cur;		/* the relation being built */
};

static json_object *
get(json_object *o, const char *key)
{
	json_object *v = NULL;

	return json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *
str(json_object *o, const char *key)
{
	json_object *v = get(o, key);

	return v != NULL && json_object_is_type(v, json_type_string) ?
	       json_object_get_string(v) : NULL;
}

static json_object *
row_of(const struct tab *t, size_t r)
{
	return json_object_array_get_idx(get(t->t, "rows"), r);
}

static json_object *
cell_of(const struct tab *t, size_t r, size_t j)
{
	return json_object_array_get_idx(get(row_of(t, r), "cells"), j);
}

static const char *
col_key(const struct tab *t, size_t j)
{
	return str(json_object_array_get_idx(get(t->t, "columns"), j), "key");
}

static int
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static int
is_suppressed(json_object *c)
{
	json_object *s = get(c, "suppressed");

	return s != NULL && json_object_get_boolean(s);
}

static long
new_unknown(struct sys *s, const struct tab *t, size_t r, size_t j,
	    const char *what)
{
	json_object *row = row_of(t, r);
	const char *cat = str(row, "category");

	ck_assert_uint_lt(s->nu, MAXU);
	snprintf(s->what[s->nu], sizeof(s->what[0]), "%s: %s/%s [%s]%s",
		 t->key, str(row, "variable"), cat != NULL ? cat : "-",
		 j < t->ncols ? col_key(t, j) : "remainder", what);
	return (long)s->nu++;
}

/* The count printed in cell (r, j): n of a count, a proportion or a
 * number's summary; an unknown when secret. */
static struct q
cellq(struct sys *s, struct tab *t, size_t r, size_t j)
{
	json_object *c = cell_of(t, r, j);
	struct q q = { 0, 0, -1 };

	if (is_suppressed(c)) {
		long *u = &t->unknown[r * (t->ncols + 1) + j];

		if (*u < 0)
			*u = new_unknown(s, t, r, j, "");
		q.u = *u;
		return q;
	}
	q.known = 1;
	q.v = get(c, "n") != NULL ? json_object_get_double(get(c, "n")) :
	      NAN;
	return q;
}

/* The denominator a visible proportion gives back, or -1. */
static double
cell_total(const struct tab *t, size_t r, size_t j)
{
	json_object *c = cell_of(t, r, j);

	if (is_suppressed(c) || !same(str(c, "type"), "proportion"))
		return -1;
	return json_object_get_double(get(c, "total"));
}

/* --- relations ----------------------------------------------------------- */

static void
rel_begin(struct sys *s, const char *what)
{
	ck_assert_uint_lt(s->nrel, MAXREL);
	s->cur = s->nrel;
	memset(s->a + s->cur * MAXU, 0, MAXU * sizeof(double));
	s->b[s->cur] = 0;
	snprintf(s->rwhat[s->cur], sizeof(s->rwhat[0]), "%s", what);
}

/* Adds coef * q to the relation's left side. */
static void
rel_add(struct sys *s, struct q q, double coef)
{
	if (q.known)
		s->b[s->cur] -= coef * q.v;
	else
		s->a[s->cur * MAXU + q.u] += coef;
}

/* Ends the relation: left side = rhs. */
static void
rel_end(struct sys *s, double rhs)
{
	s->b[s->cur] += rhs;
	s->nrel++;
}

/* --- the relations a report's tables publish ----------------------------- */

/* Variables' kinds, from the database: 'c'ategory, 'm'ultiple,
 * 'n'umber, 't'ext. */
static char
var_kind(const char *var)
{
	const char *params[1] = { var };
	PGresult *res;
	char k = 'c';

	res = query("SELECT item_type::text FROM msp.instrument_item"
		    " WHERE item_key = $1 UNION ALL"
		    " SELECT value_type FROM msp.report_variable"
		    " WHERE var_key = $1 LIMIT 1", 1, params);
	if (PQntuples(res) > 0) {
		const char *t = PQgetvalue(res, 0, 0);

		k = same(t, "multiple_choice") ? 'm' :
		    same(t, "number") ? 'n' : same(t, "text") ? 't' : 'c';
	}
	PQclear(res);
	return k;
}

static int
ends_with(const char *s, const char *tail)
{
	size_t a = s != NULL ? strlen(s) : 0, b = strlen(tail);

	return a >= b && strcmp(s + a - b, tail) == 0;
}

/* The table called key in the report's tables, or NULL. */
static json_object *
find_table(json_object *tables, const char *key)
{
	size_t i;

	for (i = 0; i < json_object_array_length(tables); i++) {
		json_object *t = json_object_array_get_idx(tables, i);

		if (same(str(t, "key"), key))
			return t;
	}
	return NULL;
}

/* The row of t whose variable is var and category cat (NULL: none). */
static long
find_row(const struct tab *t, const char *var, const char *cat)
{
	size_t r;

	for (r = 0; r < t->nrows; r++) {
		json_object *row = row_of(t, r);
		const char *c = str(row, "category");

		if (same(str(row, "variable"), var) &&
		    (cat == NULL ? c == NULL : same(c, cat)))
			return (long)r;
	}
	return -1;
}

/*
 * The head count of column j: the table's "n" row; for a region's
 * continuum in --compare, the compare table's; for a single study
 * column, the responses of the response table.
 */
static struct q
head(struct sys *s, struct tab *t, json_object *tables, size_t j)
{
	long r = find_row(t, "n", NULL);
	struct q q = { 0, 0, -1 };

	if (r >= 0)
		return cellq(s, t, (size_t)r, j);
	if (same(t->key, "compare_continuum")) {
		struct tab c = { find_table(tables, "compare"), "compare", 0,
				 0, NULL };
		size_t k;

		ck_assert_ptr_nonnull(c.t);
		c.nrows = json_object_array_length(get(c.t, "rows"));
		c.ncols = json_object_array_length(get(c.t, "columns"));
		r = find_row(&c, "n", NULL);
		ck_assert_int_ge(r, 0);
		for (k = 0; k < c.ncols; k++)
			if (same(col_key(&c, k), col_key(t, j))) {
				json_object *cell = cell_of(&c, (size_t)r, k);

				if (is_suppressed(cell))
					break;	/* an unknown of its own */
				q.known = 1;
				q.v = json_object_get_double(get(cell, "n"));
				return q;
			}
		q.u = new_unknown(s, t, 0, j, " (head count)");
		return q;
	} else {
		struct tab c = { find_table(tables, "response"), "response",
				 0, 0, NULL };

		ck_assert_ptr_nonnull(c.t);
		c.nrows = json_object_array_length(get(c.t, "rows"));
		c.ncols = 1;
		r = find_row(&c, "responses", NULL);
		ck_assert_int_ge(r, 0);
		if (is_suppressed(cell_of(&c, (size_t)r, 0))) {
			q.u = new_unknown(s, t, 0, j, " (responses)");
			return q;
		}
		q.known = 1;
		q.v = json_object_get_double(get(cell_of(&c, (size_t)r, 0),
						 "n"));
		return q;
	}
}

/*
 * The remainder of row r: the total column less the group columns (the
 * responses in no group).  Known 0 when every head count is printed and
 * they add up; else an unknown of its own.
 */
static struct q
rem_of(struct sys *s, struct tab *t, int rem_zero, size_t r)
{
	long *u = &t->unknown[r * (t->ncols + 1) + t->ncols];
	struct q q = { 0, 0, -1 };

	if (rem_zero)
		return Q_ZERO;
	if (*u < 0)
		*u = new_unknown(s, t, r, t->ncols, "");
	q.u = *u;
	return q;
}

/* One variable's rows [r0, r1) in column j (j == ncols: the remainder),
 * with head count N. */
static void
block_relations(struct sys *s, struct tab *t, size_t r0, size_t r1,
		size_t j, struct q N, char kind, int rem_zero)
{
	const int virt = j == t->ncols;
	size_t r;
	long rh = -1, rge1 = -1, rmiss = -1;

#define Q(row) (virt ? rem_of(s, t, rem_zero, (row)) : \
		cellq(s, t, (row), j))
	for (r = r0; r < r1; r++) {
		const char *cat = str(row_of(t, r), "category");

		if (cat == NULL)
			rh = (long)r;
		else if (same(cat, "ge1"))
			rge1 = (long)r;
		else if (same(cat, ""))
			rmiss = (long)r;
	}
	switch (kind) {
	case 'n':
		/* answered + missing = N; "at least one" gives answered */
		if (rh < 0)
			return;
		rel_begin(s, "n + missing = N");
		rel_add(s, Q((size_t)rh), 1);
		if (rmiss >= 0)
			rel_add(s, Q((size_t)rmiss), 1);
		rel_add(s, N, -1);
		rel_end(s, 0);
		if (!virt && rge1 >= 0 && cell_total(t, (size_t)rge1, j) >= 0) {
			rel_begin(s, "at least one's total = n");
			rel_add(s, Q((size_t)rh), 1);
			rel_end(s, cell_total(t, (size_t)rge1, j));
		}
		return;
	case 't':
		/* the answered's total is the head count */
		if (!virt && rh >= 0 && cell_total(t, (size_t)rh, j) >= 0) {
			rel_begin(s, "open answers' total = N");
			rel_add(s, N, 1);
			rel_end(s, cell_total(t, (size_t)rh, j));
		}
		return;
	case 'm':
		/* the options' total: the respondents (N less the
		 * missing, when excluded) or N */
		for (r = r0; r < r1 && !virt; r++) {
			double tot;

			if (str(row_of(t, r), "category") == NULL ||
			    (long)r == rmiss ||
			    (tot = cell_total(t, r, j)) < 0)
				continue;
			rel_begin(s, "multiple choice's total");
			if (rmiss >= 0 &&
			    ends_with(str(row_of(t, (size_t)rmiss),
					  "category_label"), " (exclu)"))
				rel_add(s, Q((size_t)rmiss), 1);
			rel_add(s, N, -1);
			rel_end(s, -tot);
			break;
		}
		return;
	default:
		break;
	}
	/* categories: they and the missing add up to N (a line saying
	 * that the instrument does not ask has none) */
	for (r = r0; r < r1; r++)
		if (str(row_of(t, r), "category") != NULL)
			break;
	if (r == r1)
		return;
	rel_begin(s, "categories + missing = N");
	for (r = r0; r < r1; r++)
		if (str(row_of(t, r), "category") != NULL)
			rel_add(s, Q(r), 1);
	rel_add(s, N, -1);
	rel_end(s, 0);
	if (virt)
		return;
	/* a percentage gives back its denominator: the rows included */
	for (r = r0; r < r1; r++) {
		double tot = str(row_of(t, r), "category") != NULL ?
			     cell_total(t, r, j) : -1;
		size_t k;

		if (tot < 0)
			continue;
		rel_begin(s, "percentages' denominator");
		for (k = r0; k < r1; k++)
			if (str(row_of(t, k), "category") != NULL &&
			    !ends_with(str(row_of(t, k), "category_label"),
				       " (exclu)"))
				rel_add(s, Q(k), 1);
		rel_end(s, tot);
		break;
	}
#undef Q
}

/* Builds the relations of table t of the report (tables: all of its
 * tables). */
static void
table_relations(struct sys *s, struct tab *t, json_object *tables)
{
	long total = -1, rn = find_row(t, "n", NULL);
	int rem_zero = 1;
	size_t j, r, r0;

	for (j = 0; j < t->ncols; j++)
		if (same(col_key(t, j), "total"))
			total = (long)j;
	if (total >= 0) {
		/* the remainder is known to be 0 only when the head counts
		 * are printed and add up */
		double sum = 0;

		ck_assert_int_ge(rn, 0);
		for (j = 0; j < (size_t)total; j++) {
			struct q q = cellq(s, t, (size_t)rn, j);

			rem_zero &= q.known;
			sum += q.known ? q.v : 0;
		}
		if (rem_zero) {
			struct q q = cellq(s, t, (size_t)rn, (size_t)total);

			rem_zero = q.known && q.v == sum;
		}
		/* every counting row: the groups and the remainder add up
		 * to the total column */
		for (r = 0; r < t->nrows; r++) {
			json_object *c = cell_of(t, r, (size_t)total);
			const char *type = str(c, "type");

			if (!is_suppressed(c) && !same(type, "count") &&
			    !same(type, "proportion") && !same(type, "summary"))
				continue;
			rel_begin(s, "groups + remainder = total");
			for (j = 0; j < (size_t)total; j++)
				rel_add(s, cellq(s, t, r, j), 1);
			rel_add(s, rem_of(s, t, rem_zero, r), 1);
			rel_add(s, cellq(s, t, r, (size_t)total), -1);
			rel_end(s, 0);
		}
	}
	/* each variable's rows, column by column */
	for (r0 = 0; r0 < t->nrows; r0 = r) {
		const char *var = str(row_of(t, r0), "variable");
		char kind;

		for (r = r0; r < t->nrows &&
		     same(str(row_of(t, r), "variable"), var); r++)
			;
		if (same(var, "n"))
			continue;
		kind = var_kind(var);
		for (j = 0; j < t->ncols; j++) {
			if (same(col_key(t, j), "p"))
				continue;
			block_relations(s, t, r0, r, j, head(s, t, tables, j),
					kind, rem_zero);
		}
		if (total >= 0 && !rem_zero)
			block_relations(s, t, r0, r, t->ncols,
					rem_of(s, t, 0, (size_t)rn), kind, 0);
	}
}

/* --- solving ------------------------------------------------------------- */

#define EPS 1e-7

/*
 * Which unknowns the relations determine: Gaussian elimination with
 * partial pivoting to reduced row echelon form; an unknown is
 * determined when its pivot row has no other unknown.  Then the zeros:
 * a relation whose remaining unknowns all have the same sign and whose
 * right side is 0 makes each of them 0 (counts are not negative); that
 * is added and the whole is solved again.  value[u] is set for each
 * determined u; returns how many.
 */
static size_t
solve(const struct sys *s0, int *determined, double *value)
{
	struct sys *s = malloc(sizeof(*s));
	size_t nd = 0, pass;

	ck_assert_ptr_nonnull(s);
	memset(determined, 0, MAXU * sizeof(*determined));
	for (pass = 0; pass < 20; pass++) {
		size_t i, k, row = 0, n = s0->nrel, added = 0;
		double *a;

		*s = *s0;
		s->a = malloc((size_t)MAXREL * MAXU * sizeof(double));
		ck_assert_ptr_nonnull(s->a);
		memcpy(s->a, s0->a, (size_t)MAXREL * MAXU * sizeof(double));
		a = s->a;
		/* what is known so far, as relations u = value */
		for (k = 0; k < s->nu; k++)
			if (determined[k]) {
				ck_assert_uint_lt(n, MAXREL);
				memset(a + n * MAXU, 0, MAXU * sizeof(double));
				a[n * MAXU + k] = 1;
				s->b[n++] = value[k];
			}
		for (k = 0; k < s->nu && row < n; k++) {
			size_t p = row, r;
			double best = 0;

			for (r = row; r < n; r++)
				if (fabs(a[r * MAXU + k]) > best) {
					best = fabs(a[r * MAXU + k]);
					p = r;
				}
			if (best < EPS)
				continue;
			if (p != row) {
				double tb = s->b[p];

				for (i = 0; i < s->nu; i++) {
					double tmp = a[p * MAXU + i];

					a[p * MAXU + i] = a[row * MAXU + i];
					a[row * MAXU + i] = tmp;
				}
				s->b[p] = s->b[row];
				s->b[row] = tb;
			}
			best = a[row * MAXU + k];
			for (i = 0; i < s->nu; i++)
				a[row * MAXU + i] /= best;
			s->b[row] /= best;
			for (r = 0; r < n; r++) {
				double f = a[r * MAXU + k];

				if (r == row || fabs(f) < EPS)
					continue;
				for (i = 0; i < s->nu; i++)
					a[r * MAXU + i] -=
						f * a[row * MAXU + i];
				s->b[r] -= f * s->b[row];
			}
			row++;
		}
		for (i = 0; i < row; i++) {
			size_t nz = 0, at = 0;

			for (k = 0; k < s->nu; k++)
				if (fabs(a[i * MAXU + k]) > EPS) {
					nz++;
					at = k;
				}
			if (nz == 1 && !determined[at]) {
				determined[at] = 1;
				value[at] = s->b[i] / a[i * MAXU + at];
				added++;
			}
		}
		free(s->a);
		/* the zeros, on the relations as published */
		for (i = 0; i < s0->nrel; i++) {
			double rhs = s0->b[i];
			int pos = 0, neg = 0;

			for (k = 0; k < s0->nu; k++) {
				double c = s0->a[i * MAXU + k];

				if (fabs(c) < EPS)
					continue;
				if (determined[k])
					rhs -= c * value[k];
				else if (c > 0)
					pos++;
				else
					neg++;
			}
			if (fabs(rhs) > EPS || (pos > 0) == (neg > 0))
				continue;
			for (k = 0; k < s0->nu; k++)
				if (fabs(s0->a[i * MAXU + k]) > EPS &&
				    !determined[k]) {
					determined[k] = 1;
					value[k] = 0;
					added++;
				}
		}
		nd += added;
		if (added == 0)
			break;
	}
	free(s);
	return nd;
}

/* --- the attack ---------------------------------------------------------- */

/* The threshold the reports run with: msp.disclosure_policy's default
 * (migration 0038), which this test never changes. */
#define THRESHOLD 5

/*
 * Bounds without linear programming: a relation whose unknowns all add
 * (after the determined ones are put in) bounds each of them by its
 * right side, counts being positive.  Counts the hidden cells so
 * bounded below the threshold (each relation's): lib/report/report_disclosure
 * protects against exact recovery, not yet against such intervals, and
 * the test prints how many there are rather than failing on them.
 */
static size_t narrow;

static void
narrow_bounds(const struct sys *s, const int *det, const double *val)
{
	size_t i, k;

	for (i = 0; i < s->nrel; i++) {
		double rhs = s->b[i];
		int pos = 0, neg = 0;

		for (k = 0; k < s->nu; k++) {
			double c = s->a[i * MAXU + k];

			if (fabs(c) < EPS)
				continue;
			if (det[k])
				rhs -= c * val[k];
			else if (c > 0)
				pos++;
			else
				neg++;
		}
		if (pos > 0 && neg == 0 && rhs < THRESHOLD - 1 + EPS)
			for (k = 0; k < s->nu; k++)
				narrow += fabs(s->a[i * MAXU + k]) > EPS &&
					  !det[k] &&
					  strstr(s->what[k], "remainder") ==
					  NULL;
	}
}

/* The count the analyst's report prints at the same place, or NAN. */
static double
truth(json_object *tables, const char *table, size_t r, size_t j)
{
	json_object *t = find_table(tables, table), *c;

	if (t == NULL)
		return NAN;
	c = json_object_array_get_idx(get(json_object_array_get_idx(
		get(t, "rows"), r), "cells"), j);
	if (c == NULL || get(c, "n") == NULL)
		return NAN;
	return json_object_get_double(get(c, "n"));
}

/* Every relation holds on the analyst's report: the model of what a
 * report publishes is right. */
static void
relations_hold(json_object *tables, const char *what)
{
	size_t i, k;

	for (i = 0; i < json_object_array_length(tables); i++) {
		json_object *tj = json_object_array_get_idx(tables, i);
		struct sys *s = calloc(1, sizeof(*s));
		struct tab t;

		ck_assert_ptr_nonnull(s);
		t.t = tj;
		t.key = str(tj, "key");
		if (same(t.key, "response") || strncmp(t.key, "has_", 4) == 0) {
			free(s);
			continue;
		}
		t.nrows = json_object_array_length(get(tj, "rows"));
		t.ncols = json_object_array_length(get(tj, "columns"));
		t.unknown = malloc((t.nrows + 1) * (t.ncols + 1) *
				   sizeof(long));
		s->a = calloc((size_t)MAXREL * MAXU, sizeof(double));
		ck_assert(t.unknown != NULL && s->a != NULL);
		memset(t.unknown, 0xff, (t.nrows + 1) * (t.ncols + 1) *
		       sizeof(long));
		table_relations(s, &t, tables);
		for (k = 0; k < s->nrel; k++) {
			size_t u, any = 0;

			for (u = 0; u < s->nu; u++)
				any += fabs(s->a[k * MAXU + u]) > EPS;
			/* a remainder may stay unknown to the analyst too */
			if (any == 0)
				ck_assert_msg(fabs(s->b[k]) < 1e-6,
					      "%s: %s: relation \"%s\" is off "
					      "by %g on the analyst's report",
					      what, t.key, s->rwhat[k],
					      s->b[k]);
		}
		free(s->a);
		free(s);
		free(t.unknown);
	}
}

/*
 * Attacks the federation's report fed with its own published figures;
 * the analyst's report of the same (NULL: none to compare) gives the
 * true values.  Returns the number of hidden cells.
 */
static size_t
attack(json_object *fed, json_object *truth_tables, const char *what)
{
	json_object *tables = get(fed, "tables");
	size_t i, hidden = 0;
	int *det = malloc(MAXU * sizeof(int));
	double *val = malloc(MAXU * sizeof(double));

	ck_assert(det != NULL && val != NULL);
	for (i = 0; i < json_object_array_length(tables); i++) {
		json_object *tj = json_object_array_get_idx(tables, i);
		struct sys *s = calloc(1, sizeof(*s));
		struct tab t;
		size_t r, j, u;

		ck_assert_ptr_nonnull(s);
		t.t = tj;
		t.key = str(tj, "key");
		t.nrows = json_object_array_length(get(tj, "rows"));
		t.ncols = json_object_array_length(get(tj, "columns"));
		for (r = 0; r < t.nrows; r++)
			for (j = 0; j < t.ncols; j++)
				hidden += is_suppressed(cell_of(&t, r, j));
		if (same(t.key, "response") || strncmp(t.key, "has_", 4) == 0) {
			free(s);
			continue;
		}
		t.unknown = malloc((t.nrows + 1) * (t.ncols + 1) *
				   sizeof(long));
		s->a = calloc((size_t)MAXREL * MAXU, sizeof(double));
		ck_assert(t.unknown != NULL && s->a != NULL);
		memset(t.unknown, 0xff, (t.nrows + 1) * (t.ncols + 1) *
		       sizeof(long));
		table_relations(s, &t, tables);
		solve(s, det, val);
		narrow_bounds(s, det, val);
		for (r = 0; r < t.nrows; r++)
			for (j = 0; j < t.ncols; j++) {
				double tv;

				u = (size_t)t.unknown[r * (t.ncols + 1) + j];
				if (t.unknown[r * (t.ncols + 1) + j] < 0 ||
				    !det[u])
					continue;
				tv = truth_tables != NULL ?
				     truth(truth_tables, t.key, r, j) : NAN;
				ck_assert_msg(isnan(tv) ||
					      fabs(tv - val[u]) < 1e-6,
					      "%s: the attack's relations are "
					      "wrong: %s comes out %g, the "
					      "analyst sees %g", what,
					      s->what[u], val[u], tv);
				ck_abort_msg("%s: hidden %s comes back from "
					     "the published figures: %g",
					     what, s->what[u], val[u]);
			}
		free(s->a);
		free(s);
		free(t.unknown);
	}
	free(det);
	free(val);
	return hidden;
}

/* The count in the header: "(N cellules masquées". */
static size_t
header_count(json_object *doc)
{
	const char *d = str(get(doc, "meta"), "disclosure"), *p;

	ck_assert_ptr_nonnull(d);
	p = strstr(d, " cellules masquées");
	ck_assert_ptr_nonnull(p);
	while (p > d && p[-1] >= '0' && p[-1] <= '9')
		p--;
	return (size_t)strtoul(p, NULL, 10);
}

/* Rows of the CSV whose note is note (",suppressed..." to the end of
 * the line). */
static size_t
csv_count(const char *csv, const char *note)
{
	size_t n = 0;
	const char *p = csv;

	while ((p = strstr(p, note)) != NULL) {
		n++;
		p++;
	}
	return n;
}

/*
 * Each hidden cell says why, and it is true: a "primary" one is a count
 * from 1 to below - 1 in the analyst's report of the same (the text
 * formats print it "< 5"), a "complementary" one a count that is not
 * (0, or the threshold or more), which "< 5" would misstate.  Counts
 * the primary ones into *primary.
 */
static void
reasons_hold(json_object *fed, json_object *ana, const char *what,
	     size_t *primary)
{
	json_object *tables = get(fed, "tables");
	size_t i, r, j;

	for (i = 0; i < json_object_array_length(tables); i++) {
		json_object *tj = json_object_array_get_idx(tables, i);
		struct tab t = { tj, str(tj, "key"), 0, 0, NULL };

		t.nrows = json_object_array_length(get(tj, "rows"));
		t.ncols = json_object_array_length(get(tj, "columns"));
		for (r = 0; r < t.nrows; r++)
			for (j = 0; j < t.ncols; j++) {
				json_object *c = cell_of(&t, r, j);
				const char *why = str(c, "suppression");
				double v;

				if (!is_suppressed(c))
					continue;
				ck_assert_msg(same(why, "primary") ||
					      same(why, "complementary"),
					      "%s: %s: a hidden cell without "
					      "its reason", what, t.key);
				if (same(why, "primary")) {
					ck_assert_int_eq(json_object_get_int(
						get(c, "below")), THRESHOLD);
					(*primary)++;
				}
				v = ana != NULL ? truth(get(ana, "tables"),
							t.key, r, j) : NAN;
				if (isnan(v))
					continue;
				if (same(why, "primary"))
					ck_assert_msg(v >= 1 && v < THRESHOLD,
						      "%s: %s row %zu col %zu:"
						      " primary but %g", what,
						      t.key, r, j, v);
				else
					ck_assert_msg(v == 0 ||
						      v >= THRESHOLD,
						      "%s: %s row %zu col %zu:"
						      " complementary but %g",
						      what, t.key, r, j, v);
			}
	}
}

/* Runs report o as a federation of its region would read it (the
 * analyst's preview: a federation's own token reads published releases
 * only, and these studies are open) and as the analyst, and attacks
 * it; the totals of hidden cells go to *hidden. */
static void
attack_report(struct report_options *o, int compare_truth,
	      const char *what, size_t *hidden)
{
	char *fj, *aj, *csv, *txt;
	json_object *fed, *ana;
	size_t n, primary = 0;
	char mark[32];

	o->token = "analyst-disclosure";
	o->preview = 0;
	aj = render(o, FORMAT_JSON);
	o->preview = 1;
	fj = render(o, FORMAT_JSON);
	csv = render(o, FORMAT_CSV);
	txt = render(o, FORMAT_TEXT);
	fed = json_tokener_parse(fj);
	ana = json_tokener_parse(aj);
	ck_assert_msg(fed != NULL && ana != NULL, "%s: JSON", what);
	relations_hold(get(ana, "tables"), what);
	n = attack(fed, compare_truth ? get(ana, "tables") : NULL, what);
	ck_assert_msg(header_count(fed) == n, "%s: the header counts %zu "
		      "masked cells, the JSON has %zu", what,
		      header_count(fed), n);
	reasons_hold(fed, compare_truth ? ana : NULL, what, &primary);
	ck_assert_msg(csv_count(csv, ",suppressed") == n, "%s: the CSV has "
		      "%zu masked cells, the JSON %zu", what,
		      csv_count(csv, ",suppressed"), n);
	snprintf(mark, sizeof(mark), ",suppressed primary <%d\r\n",
		 THRESHOLD);
	ck_assert_msg(csv_count(csv, mark) == primary, "%s: the CSV has %zu "
		      "primary cells, the JSON %zu", what,
		      csv_count(csv, mark), primary);
	ck_assert_uint_eq(csv_count(csv, ",suppressed complementary\r\n"),
			  n - primary);
	/* the text prints "< 5" on the primary ones, with a legend */
	snprintf(mark, sizeof(mark), "  < %d", THRESHOLD);
	ck_assert_msg(csv_count(txt, mark) >= primary, "%s: the text "
		      "prints \"< 5\" %zu times for %zu primary cells",
		      what, csv_count(txt, mark), primary);
	/* each mark printed is explained (a legend names only those of
	 * its table) */
	if (primary > 0)
		ck_assert_ptr_nonnull(strstr(txt, "masqué (secret primaire)"));
	if (n > primary)
		ck_assert_ptr_nonnull(strstr(txt, "« s » : masqué sans rien "
					     "dire de sa valeur"));
	*hidden += n;
	json_object_put(fed);
	json_object_put(ana);
	free(fj);
	free(aj);
	free(csv);
	free(txt);
}

/* The variables a study can be split by: its single-choice and yes/no
 * items, and the report variables with categories its instrument has
 * rules for. */
static PGresult *
by_variables(const char *region)
{
	const char *params[1] = { region };

	return query("SELECT ii.item_key FROM msp.instrument_item ii"
		     " JOIN msp.study s USING (instrument_id)"
		     " JOIN msp.region r USING (region_id)"
		     " WHERE r.slug = $1"
		     "   AND ii.item_type IN ('single_choice', 'boolean')"
		     " UNION"
		     " SELECT DISTINCT rr.var_key FROM msp.report_rule rr"
		     " JOIN msp.report_variable v USING (var_key)"
		     " JOIN msp.instrument i ON i.slug = rr.instrument_slug"
		     " JOIN msp.study s ON s.instrument_id = i.instrument_id"
		     " JOIN msp.region r USING (region_id)"
		     " WHERE r.slug = $1 AND v.value_type = 'category'"
		     " ORDER BY 1", 1, params);
}

START_TEST(federation_reports_keep_their_secrets)
{
	PGresult *regions, *vars;
	struct report_options o;
	char compare[256] = "", what[300], token[64];
	size_t hidden = 0, reports = 0;
	int i, k, rule;

	testdb_make_token(conn, "analyst-disclosure", "analyst", NULL);
	regions = query("SELECT r.slug FROM msp.region r WHERE EXISTS ("
			"SELECT 1 FROM msp.study s WHERE s.region_id ="
			" r.region_id) ORDER BY 1", 0, NULL);
	ck_assert_int_ge(PQntuples(regions), 2);
	for (i = 0; i < PQntuples(regions); i++) {
		const char *region = PQgetvalue(regions, i, 0);

		snprintf(compare + strlen(compare),
			 sizeof(compare) - strlen(compare), "%s%s",
			 i ? "," : "", region);
		snprintf(token, sizeof(token), "fed-%s", region);
		/* the region report under each missing-data rule */
		for (rule = 0; rule < 4; rule++) {
			report_options_init(&o);
			o.region = region;
			o.dont_know = rule & 1 ? REPORT_EXCLUDE : REPORT_KEEP;
			o.missing = rule & 2 ? REPORT_KEEP : REPORT_EXCLUDE;
			snprintf(what, sizeof(what), "%s, rule %d", region,
				 rule);
			attack_report(&o, 1, what, &hidden);
			reports++;
		}
		report_options_init(&o);
		o.region = region;
		o.nonresponse = 1;
		snprintf(what, sizeof(what), "%s --nonresponse", region);
		attack_report(&o, 1, what, &hidden);
		reports++;
		vars = by_variables(region);
		ck_assert_int_gt(PQntuples(vars), 0);
		for (k = 0; k < PQntuples(vars); k++) {
			report_options_init(&o);
			o.region = region;
			o.by = PQgetvalue(vars, k, 0);
			snprintf(what, sizeof(what), "%s --by %s", region,
				 o.by);
			attack_report(&o, 1, what, &hidden);
			reports++;
		}
		PQclear(vars);
	}
	/* every federation compares the regions: it sees its own */
	for (i = 0; i < PQntuples(regions); i++) {
		snprintf(token, sizeof(token), "fed-%s",
			 PQgetvalue(regions, i, 0));
		report_options_init(&o);
		o.compare = compare;
		snprintf(what, sizeof(what), "%s: --compare %s", token,
			 compare);
		attack_report(&o, 0, what, &hidden);
		reports++;
	}
	PQclear(regions);
	/* the attack had something to attack */
	ck_assert_uint_gt(hidden, 50);
	printf("disclosure: %zu federation reports, %zu hidden cells, none "
	       "recovered; %zu bounds below the threshold from one "
	       "relation\n", reports, hidden, narrow);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("disclosure");
	TCase *tc = tcase_create("federation");

	tcase_add_unchecked_fixture(tc, load_shared, drop_shared);
	tcase_add_checked_fixture(tc, connect_case, disconnect_case);
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, federation_reports_keep_their_secrets);
	suite_add_tcase(s, tc);
	return testdb_run(s);
}
