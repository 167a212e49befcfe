/*
 * audit — the disclosure audit's model of what a reader sees, and its
 * intervals (audit.h says what and why).
 *
 * The reports are read back from their JSON, as a program downloading
 * them would: nothing here looks at release.c's decisions or at the
 * counts behind them.  Variables' kinds (single or multiple choice,
 * number, open text) come from the instrument, which is public.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "alloc.h"
#include "buf.h"
#include "db.h"
#include "disclosure_policy.h"
#include "lp.h"
#include "report/audit.h"
#include "report/figure_id.h"
#include "report/format.h"
#include "report/report.h"
#include "report/report_doc.h"
#include "report/request_key.h"
#include "tenant.h"

/* A coefficient or residual below this is 0 (figures are counts). */
#define AUDIT_EPS 1e-6

/* --- growing arrays ------------------------------------------------------ */

/* Makes room for one more element of size in *arr (n used, *cap);
 * -1 when out of memory. */
static int
grow(void *arr, size_t n, size_t *cap, size_t size)
{
	void **p = arr, *q;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 64;
	q = msp_realloc(*p, c * size);
	if (q == NULL)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

/* --- what one report's walk needs ---------------------------------------- */

/* How a part's columns map to figures' identities. */
enum part_kind {
	PART_REGION,		/* one column: the study ("ALL") */
	PART_BY,		/* groups of by, "total" (ALL), "p" */
	PART_NONRESPONSE,	/* respondents and the rest of the frame */
	PART_COMPARE,		/* one column per region */
	PART_WAVES,		/* two studies of the region: the audited
				 * one's column is its "ALL", as the
				 * renderer's plan reads it (report_waves.c) */
	PART_OTHER,		/* --has, --terms: no relation modelled */
};

struct walk {
	struct audit *a;
	size_t part;
	enum part_kind kind;
	const char *by;		/* PART_BY: the variable split by */
	/* the audited study's slug (PART_WAVES, PART_COMPARE), once
	 * known */
	const char *study;
	json_object *tables;
	PGresult *kinds;	/* item/variable -> kind */
	int keep_documents;	/* audit_options' */
	int live;		/* audit_options' */
	int oom;
};

/* A number the report prints, or a figure it hides. */
struct q {
	int known;
	double v;
	size_t fig;
};

/* A printed constant, not a figure: fig SIZE_MAX. */
static const struct q Q_ZERO = { 1, 0, SIZE_MAX };

struct tab {
	json_object *t;
	const char *key;
	size_t nrows, ncols;
};

static json_object *
get(json_object *o, const char *key)
{
	json_object *v = NULL;

	return o != NULL && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *
str(json_object *o, const char *key)
{
	json_object *v = get(o, key);

	return v != NULL && json_object_is_type(v, json_type_string) ?
	       json_object_get_string(v) : NULL;
}

static int
same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static int
ends_with(const char *s, const char *tail)
{
	size_t a = s != NULL ? strlen(s) : 0, b = strlen(tail);

	return a >= b && strcmp(s + a - b, tail) == 0;
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

/* Whether column j of a comparison of regions shows the audited study:
 * its label is "Region (slug)" (report.c's section_compare()). */
static int
shows_study(const struct walk *w, const struct tab *t, size_t j)
{
	char tail[140];
	const char *label = str(json_object_array_get_idx(get(t->t,
				"columns"), j), "label");

	if (w->study == NULL)
		return 0;
	snprintf(tail, sizeof(tail), "(%s)", w->study);
	return ends_with(label, tail);
}

static int
is_hidden(json_object *c)
{
	json_object *s = get(c, "suppressed");

	return s != NULL && json_object_get_boolean(s);
}

/* FNV-1a: the slot of an identity. */
static size_t
key_hash(const char *key)
{
	size_t h = (size_t)14695981039346656037ULL;

	for (; *key != '\0'; key++) {
		h ^= (unsigned char)*key;
		h *= (size_t)1099511628211ULL;
	}
	return h;
}

/* Makes the index of a's figures at least twice as large as their
 * number; -1 when out of memory (the index is then unchanged). */
static int
index_grow(struct audit *a)
{
	size_t n = a->nslots ? a->nslots * 2 : 1024, i, s, *slots;

	if (a->nslots >= 2 * (a->nfigs + 1))
		return 0;
	if ((slots = msp_malloc(n * sizeof(*slots))) == NULL)
		return -1;
	for (s = 0; s < n; s++)
		slots[s] = SIZE_MAX;
	for (i = 0; i < a->nfigs; i++) {
		for (s = key_hash(a->figs[i].key) & (n - 1);
		     slots[s] != SIZE_MAX; s = (s + 1) & (n - 1))
			;
		slots[s] = i;
	}
	msp_free(a->slots);
	a->slots = slots;
	a->nslots = n;
	return 0;
}

/* The figure of identity key (created when new); SIZE_MAX when out of
 * memory.  A region's reports hold tens of thousands of cells, each
 * looked up several times: hashed (a linear search took a minute on
 * Pays de la Loire 2019). */
static size_t
figure(struct walk *w, const char *key, const char *where)
{
	struct audit *a = w->a;
	struct audit_figure *f;
	size_t s;

	if (index_grow(a) != 0)
		goto nomem;
	for (s = key_hash(key) & (a->nslots - 1); a->slots[s] != SIZE_MAX;
	     s = (s + 1) & (a->nslots - 1))
		if (strcmp(a->figs[a->slots[s]].key, key) == 0)
			return a->slots[s];
	if (grow(&a->figs, a->nfigs, &a->capfigs, sizeof(*a->figs)) != 0)
		goto nomem;
	f = &a->figs[a->nfigs];
	memset(f, 0, sizeof(*f));
	f->key = msp_strdup(key);
	f->where = msp_strdup(where);
	if (f->key == NULL || f->where == NULL) {
		msp_free(f->key);
		msp_free(f->where);
		goto nomem;
	}
	a->slots[s] = a->nfigs;
	return a->nfigs++;
nomem:
	w->oom = 1;
	return SIZE_MAX;
}

static char var_kind(const struct walk *w, const char *var);

/* Whether var is one a report may split by (figure_id.h): a single
 * choice or a derived category, as report.c's section_by() takes. */
static int
splits(const struct walk *w, const char *var)
{
	return var_kind(w, var) == 'c';
}

/* The identity of the figure (var, cat) in column j of t in this part
 * (figure_id.h; j == ncols: a --by table's remainder), appended to key
 * whole (never cut: two figures would read as one); a failure is
 * key's (buf_status()). */
static void
figure_key(const struct walk *w, const struct tab *t, const char *var,
	   const char *cat, size_t j, struct buf *key)
{
	const char *k = j < t->ncols ? col_key(t, j) : "~";
	struct figure_col col = { FIGCOL_ALL, w->by, k };

	switch (w->kind) {
	case PART_BY:
		if (j >= t->ncols)
			col.kind = FIGCOL_REMAINDER;
		else if (!same(k, "total"))
			col.kind = FIGCOL_GROUP;
		break;
	case PART_REGION:
		break;
	case PART_NONRESPONSE:
		col.kind = FIGCOL_NONRESPONSE;
		break;
	case PART_COMPARE:
		col.kind = FIGCOL_COMPARE;
		break;
	case PART_WAVES:
		/* the audited study's figures are the same counts as its
		 * region report's; the other wave's are its own */
		if (!same(k, w->study))
			col.kind = FIGCOL_COMPARE;
		break;
	case PART_OTHER:
		/* --has, --terms: no relation, never in a plan */
		buf_printf(key, "%s|%s|P%zu:%s:%s", var ? var : "?",
			   cat ? cat : "-", w->part, t->key, k ? k : "?");
		return;
	}
	figure_id_buf(key, var, cat, splits(w, var), &col);
}

/* The figure at (var, cat, column j of t), seen there (printed or not). */
static struct q
figure_at(struct walk *w, const struct tab *t, const char *var,
	  const char *cat, size_t j, json_object *cell)
{
	struct audit *a = w->a;
	struct q q = { 0, 0, 0 };
	struct buf key = BUF_INIT(BUF_MAX_TEXT);
	char where[700];
	size_t f = SIZE_MAX;

	figure_key(w, t, var, cat, j, &key);
	snprintf(where, sizeof(where), "%s : %s, %s/%s [%s]",
		 a->parts[w->part].name, t->key, var ? var : "?",
		 cat ? (*cat ? cat : "sans réponse") : "-",
		 j < t->ncols ? col_key(t, j) : "reste");
	if (buf_status(&key, NULL) == MSP_OK)
		f = figure(w, buf_str(&key), where);
	else
		w->oom = 1;
	buf_free(&key);
	if (f == SIZE_MAX)
		return Q_ZERO;
	if (cell != NULL && !is_hidden(cell) && get(cell, "n") != NULL) {
		double v = json_object_get_double(get(cell, "n"));

		if (a->figs[f].known && fabs(a->figs[f].value - v) > AUDIT_EPS)
			a->conflicts++;
		a->figs[f].known = 1;
		a->figs[f].value = v;
	}
	if (cell != NULL && is_hidden(cell)) {
		json_object *b = get(cell, "below");

		if (!a->figs[f].hidden) {
			char *wh = msp_strdup(where);

			if (wh != NULL) {
				msp_free(a->figs[f].where);
				a->figs[f].where = wh;
			}
		}
		a->figs[f].hidden = 1;
		if (b != NULL && same(str(cell, "suppression"), "primary"))
			a->figs[f].below = (unsigned)json_object_get_int(b);
		if (grow(&a->occs, a->noccs, &a->capoccs,
			 sizeof(*a->occs)) != 0) {
			w->oom = 1;
		} else {
			a->occs[a->noccs].fig = f;
			a->occs[a->noccs].part = w->part;
			a->noccs++;
		}
	}
	if (a->figs[f].known && (cell == NULL || !is_hidden(cell))) {
		q.known = 1;
		q.v = a->figs[f].value;
	}
	q.fig = f;
	return q;
}

/* The count of cell (r, j): printed, or its figure. */
static struct q
cellq(struct walk *w, const struct tab *t, size_t r, size_t j)
{
	json_object *row = row_of(t, r);

	return figure_at(w, t, str(row, "variable"), str(row, "category"), j,
			 cell_of(t, r, j));
}

/* The denominator a printed proportion gives back, or -1. */
static double
cell_total(const struct tab *t, size_t r, size_t j)
{
	json_object *c = cell_of(t, r, j);

	if (is_hidden(c) || !same(str(c, "type"), "proportion"))
		return -1;
	return json_object_get_double(get(c, "total"));
}

/* --- relations ----------------------------------------------------------- */

static void
rel_begin(struct walk *w, const char *what)
{
	struct audit *a = w->a;

	if (grow(&a->rels, a->nrels, &a->caprels, sizeof(*a->rels)) != 0) {
		w->oom = 1;
		return;
	}
	a->rels[a->nrels].first = a->nterms;
	a->rels[a->nrels].nterms = 0;
	a->rels[a->nrels].rhs = 0;
	a->rels[a->nrels].part = w->part;
	a->rels[a->nrels].what = what;
}

/* Adds coef * q to the relation being built.  A printed figure stays a
 * term too (known), so that the relation can be checked; the LP puts
 * its value in. */
static void
rel_add(struct walk *w, struct q q, double coef)
{
	struct audit *a = w->a;
	struct audit_relation *r;

	if (w->oom)
		return;
	r = &a->rels[a->nrels];
	if (q.fig == SIZE_MAX) {
		r->rhs -= coef * q.v;	/* a constant moves right */
		return;
	}
	if (grow(&a->terms, a->nterms, &a->capterms,
		 sizeof(*a->terms)) != 0) {
		w->oom = 1;
		return;
	}
	a->terms[a->nterms].fig = q.fig;
	a->terms[a->nterms].coef = coef;
	a->nterms++;
	r->nterms++;
}

static void
rel_end(struct walk *w, double rhs)
{
	if (w->oom)
		return;
	w->a->rels[w->a->nrels].rhs += rhs;
	w->a->nrels++;
}

/* A variable's kind: 'c'ategory, 'm'ultiple, 'n'umber, 't'ext. */
static char
var_kind(const struct walk *w, const char *var)
{
	int i;

	for (i = 0; w->kinds != NULL && i < PQntuples(w->kinds); i++)
		if (same(PQgetvalue(w->kinds, i, 0), var)) {
			const char *t = PQgetvalue(w->kinds, i, 1);

			return same(t, "multiple_choice") ? 'm' :
			       same(t, "number") ? 'n' :
			       same(t, "text") ? 't' : 'c';
		}
	return 'c';
}

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

static void
tab_init(struct tab *t, json_object *tj)
{
	t->t = tj;
	t->key = str(tj, "key");
	t->nrows = json_object_array_length(get(tj, "rows"));
	t->ncols = json_object_array_length(get(tj, "columns"));
}

/*
 * The head count of column j: the table's "n" row; for the comparison's
 * continuum, the comparison table's; for a study's single column, the
 * responses of the response table.
 */
static struct q
head(struct walk *w, struct tab *t, size_t j)
{
	long r = find_row(t, "n", NULL);
	struct tab c;
	size_t k;

	if (r >= 0)
		return cellq(w, t, (size_t)r, j);
	if (same(t->key, "compare_continuum") &&
	    find_table(w->tables, "compare") != NULL) {
		tab_init(&c, find_table(w->tables, "compare"));
		r = find_row(&c, "n", NULL);
		for (k = 0; r >= 0 && k < c.ncols; k++)
			if (same(col_key(&c, k), col_key(t, j)))
				return cellq(w, &c, (size_t)r, k);
	} else if (find_table(w->tables, "response") != NULL) {
		tab_init(&c, find_table(w->tables, "response"));
		r = find_row(&c, "responses", NULL);
		if (r >= 0)
			return cellq(w, &c, (size_t)r, 0);
	}
	/* a head count nowhere printed: a figure of its own */
	return figure_at(w, t, "n", "head", j, NULL);
}

/* The remainder of row r of a --by table (the responses in no group):
 * known 0 when the groups' head counts are printed and add up. */
static struct q
rem_of(struct walk *w, struct tab *t, int rem_zero, size_t r)
{
	json_object *row = row_of(t, r);

	if (rem_zero)
		return Q_ZERO;
	return figure_at(w, t, str(row, "variable"), str(row, "category"),
			 t->ncols, NULL);
}

/* One variable's rows [r0, r1) in column j (j == ncols: the remainder)
 * with head count N. */
static void
block_relations(struct walk *w, struct tab *t, size_t r0, size_t r1,
		size_t j, struct q N, char kind, int rem_zero)
{
	const int virt = j == t->ncols;
	size_t r;
	long rh = -1, rge1 = -1, rmiss = -1;

#define Q(row) (virt ? rem_of(w, t, rem_zero, (row)) : cellq(w, t, (row), j))
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
		rel_begin(w, "répondu + sans réponse = effectif");
		rel_add(w, Q((size_t)rh), 1);
		if (rmiss >= 0)
			rel_add(w, Q((size_t)rmiss), 1);
		rel_add(w, N, -1);
		rel_end(w, 0);
		if (!virt && rge1 >= 0 && cell_total(t, (size_t)rge1, j) >= 0) {
			rel_begin(w, "dénominateur de « au moins un »");
			rel_add(w, Q((size_t)rh), 1);
			rel_end(w, cell_total(t, (size_t)rge1, j));
		}
		return;
	case 't':
		if (!virt && rh >= 0 && cell_total(t, (size_t)rh, j) >= 0) {
			rel_begin(w, "dénominateur des réponses ouvertes");
			rel_add(w, N, 1);
			rel_end(w, cell_total(t, (size_t)rh, j));
		}
		return;
	case 'm':
		/* the options' denominator: the respondents (N less the
		 * missing, when excluded) or N */
		for (r = r0; r < r1 && !virt; r++) {
			double tot;

			if (str(row_of(t, r), "category") == NULL ||
			    (long)r == rmiss ||
			    (tot = cell_total(t, r, j)) < 0)
				continue;
			rel_begin(w, "dénominateur d'un choix multiple");
			if (rmiss >= 0 &&
			    ends_with(str(row_of(t, (size_t)rmiss),
					  "category_label"), " (exclu)"))
				rel_add(w, Q((size_t)rmiss), 1);
			rel_add(w, N, -1);
			rel_end(w, -tot);
			break;
		}
		return;
	default:
		break;
	}
	for (r = r0; r < r1; r++)
		if (str(row_of(t, r), "category") != NULL)
			break;
	if (r == r1)
		return;
	rel_begin(w, "catégories + sans réponse = effectif");
	for (r = r0; r < r1; r++)
		if (str(row_of(t, r), "category") != NULL)
			rel_add(w, Q(r), 1);
	rel_add(w, N, -1);
	rel_end(w, 0);
	if (virt)
		return;
	/* a percentage gives back its denominator: the rows included */
	for (r = r0; r < r1; r++) {
		double tot = str(row_of(t, r), "category") != NULL ?
			     cell_total(t, r, j) : -1;
		size_t k;

		if (tot < 0)
			continue;
		rel_begin(w, "dénominateur des pourcentages");
		for (k = r0; k < r1; k++)
			if (str(row_of(t, k), "category") != NULL &&
			    !ends_with(str(row_of(t, k), "category_label"),
				       " (exclu)"))
				rel_add(w, Q(k), 1);
		rel_end(w, tot);
		break;
	}
#undef Q
}

/* The relations of table t. */
static void
table_relations(struct walk *w, struct tab *t)
{
	long total = -1, rn = find_row(t, "n", NULL);
	int rem_zero = 1;
	size_t j, r, r0;

	for (j = 0; j < t->ncols; j++)
		if (same(col_key(t, j), "total"))
			total = (long)j;
	if (total >= 0 && rn >= 0) {
		double sum = 0;
		struct q q;

		for (j = 0; j < (size_t)total; j++) {
			q = cellq(w, t, (size_t)rn, j);
			rem_zero &= q.known;
			sum += q.known ? q.v : 0;
		}
		q = cellq(w, t, (size_t)rn, (size_t)total);
		rem_zero = rem_zero && q.known && fabs(q.v - sum) < AUDIT_EPS;
		for (r = 0; r < t->nrows; r++) {
			json_object *c = cell_of(t, r, (size_t)total);
			const char *type = str(c, "type");

			if (!is_hidden(c) && !same(type, "count") &&
			    !same(type, "proportion") && !same(type, "summary"))
				continue;
			rel_begin(w, "groupes + reste = total");
			for (j = 0; j < (size_t)total; j++)
				rel_add(w, cellq(w, t, r, j), 1);
			rel_add(w, rem_of(w, t, rem_zero, r), 1);
			rel_add(w, cellq(w, t, r, (size_t)total), -1);
			rel_end(w, 0);
		}
		/* a group's head count is its category's count in the
		 * region report */
		for (j = 0; w->kind == PART_BY && j < (size_t)total; j++) {
			struct q g = cellq(w, t, (size_t)rn, j);
			struct q c = figure_at(w, t, w->by, col_key(t, j),
					       (size_t)total, NULL);

			rel_begin(w, "effectif d'un groupe = sa catégorie");
			rel_add(w, g, 1);
			rel_add(w, c, -1);
			rel_end(w, 0);
		}
	}
	for (r0 = 0; r0 < t->nrows; r0 = r) {
		const char *var = str(row_of(t, r0), "variable");
		char kind;

		for (r = r0; r < t->nrows &&
		     same(str(row_of(t, r), "variable"), var); r++)
			;
		if (same(var, "n"))
			continue;
		kind = var_kind(w, var);
		for (j = 0; j < t->ncols; j++) {
			if (same(col_key(t, j), "p"))
				continue;
			block_relations(w, t, r0, r, j, head(w, t, j), kind,
					rem_zero);
		}
		if (total >= 0 && rn >= 0 && !rem_zero)
			block_relations(w, t, r0, r, t->ncols,
					rem_of(w, t, 0, (size_t)rn), kind, 0);
	}
}

/*
 * A comparison of regions keys its columns CMP:REGION (report.c plans
 * them so), but the column that shows the audited study counts what its
 * region report counts: a variable both print (the continuum,
 * h_beyond_consultation) is the same figure.  Says so (q of row r, as
 * that column prints it, equals the same row's ALL figure), so that a
 * figure the region report hides cannot be read off the comparison.
 */
static void
same_as_region(struct walk *w, const struct tab *t, size_t r, struct q q)
{
	json_object *row = row_of(t, r);
	const char *var = str(row, "variable"), *cat = str(row, "category");
	struct figure_col col = { FIGCOL_ALL, NULL, NULL };
	struct buf key = BUF_INIT(BUF_MAX_TEXT);
	struct q all = { 0, 0, SIZE_MAX };

	if (q.fig == SIZE_MAX)
		return;
	figure_id_buf(&key, var, cat, splits(w, var), &col);
	if (buf_status(&key, NULL) == MSP_OK)
		all.fig = figure(w, buf_str(&key), w->a->figs[q.fig].where);
	else
		w->oom = 1;
	buf_free(&key);
	if (all.fig == SIZE_MAX || all.fig == q.fig)
		return;
	rel_begin(w, "la colonne de l'étude dans la comparaison");
	rel_add(w, q, 1);
	rel_add(w, all, -1);
	rel_end(w, 0);
}

/* Walks one report: every hidden cell becomes (or joins) a figure,
 * every printed count a known one, every table its relations. */
static void
walk_report(struct walk *w, json_object *doc)
{
	size_t i, r, j;

	w->tables = get(doc, "tables");
	for (i = 0; i < json_object_array_length(w->tables); i++) {
		struct tab t;

		tab_init(&t, json_object_array_get_idx(w->tables, i));
		if (t.key == NULL)
			continue;
		/* every cell: its figure (hidden or printed) */
		for (r = 0; r < t.nrows; r++)
			for (j = 0; j < t.ncols; j++) {
				json_object *c = cell_of(&t, r, j);

				if (is_hidden(c) || same(str(c, "type"),
							 "count") ||
				    same(str(c, "type"), "proportion") ||
				    same(str(c, "type"), "summary")) {
					struct q q = cellq(w, &t, r, j);

					if (w->kind == PART_COMPARE &&
					    shows_study(w, &t, j))
						same_as_region(w, &t, r, q);
				}
			}
		/* the HAS tables count mentions (several per team) and
		 * the response table rates: no sum the audit models */
		if (w->kind == PART_OTHER || same(t.key, "response") ||
		    strncmp(t.key, "has_", 4) == 0 || same(t.key, "terms"))
			continue;
		table_relations(w, &t);
	}
}

/* --- fetching the reports ------------------------------------------------ */

/* Adds a part called name; its index, or SIZE_MAX out of memory. */
static size_t
part_add(struct audit *a, const char *name)
{
	if (grow(&a->parts, a->nparts, &a->capparts, sizeof(*a->parts)) != 0)
		return SIZE_MAX;
	memset(&a->parts[a->nparts], 0, sizeof(a->parts[0]));
	a->parts[a->nparts].name = msp_strdup(name);
	if (a->parts[a->nparts].name == NULL)
		return SIZE_MAX;
	return a->nparts++;
}

/* Keeps part's request key and its JSON (taken from json, which is
 * left empty): audit_options.keep_documents.  MSP_ENOMEM. */
static enum msp_status
keep_document(struct audit_part *part, const struct report_options *o,
	      struct buf *json, struct msp_error *err)
{
	struct buf key = BUF_INIT(BUF_MAX_TEXT);

	report_request_key(o, &key);
	if (buf_status(&key, err) == MSP_OK)
		part->request = buf_steal(&key);
	part->json = buf_steal(json);
	buf_free(&key);
	if (part->request == NULL || part->json == NULL)
		return msp_error_set(err, MSP_ENOMEM,
				     "audit : mémoire épuisée");
	return MSP_OK;
}

/*
 * Fetches the report o asks for as JSON and walks it as part name.
 * A refusal of the request itself (MSP_EINVAL: a --by the report does
 * not take) marks the part refused; other failures are returned.
 * *docp (may be NULL) receives the parsed document, the caller's.
 */
static enum msp_status
fetch_part(PGconn *conn, struct walk *w, const struct report_options *o,
	   const char *name, enum part_kind kind, json_object **docp,
	   struct msp_error *err)
{
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	struct rdoc *doc = NULL;
	json_object *j = NULL;
	struct msp_error ignored;
	enum msp_status rc;
	size_t p;

	if ((p = part_add(w->a, name)) == SIZE_MAX)
		return msp_error_set(err, MSP_ENOMEM, "audit: out of memory");
	{
		struct report_options live = *o;

		live.live = w->live;
		rc = report_build(conn, &live, &doc, &ignored);
	}
	/* a --by the report does not take, or a comparison with a study
	 * whose protection plan does not hold (plan.h): nothing a reader
	 * obtains */
	if ((rc == MSP_EINVAL || rc == MSP_ECONFLICT) && docp == NULL) {
		w->a->parts[p].refused = 1;
		rc = MSP_OK;
		goto out;
	}
	if (rc != MSP_OK) {
		*err = ignored;
		goto out;
	}
	if ((rc = format_render(doc, FORMAT_JSON, &out, err)) != MSP_OK)
		goto out;
	j = json_tokener_parse(buf_str(&out));
	if (j == NULL) {
		rc = msp_error_set(err, MSP_ENOMEM, "audit: the JSON of %s "
				   "does not parse", name);
		goto out;
	}
	w->part = p;
	w->kind = kind;
	w->by = o->by;
	walk_report(w, j);
	if (w->oom)
		rc = msp_error_set(err, MSP_ENOMEM, "audit : mémoire épuisée");
	if (rc == MSP_OK && w->keep_documents)
		rc = keep_document(&w->a->parts[p], o, &out, err);
	if (docp != NULL) {
		*docp = j;
		j = NULL;
	}
out:
	json_object_put(j);
	rdoc_free(doc);
	buf_free(&out);
	return rc;
}

/* Opens the read-only transaction of the audit's own lookups, under
 * token when there is one (audit_read_end() ends it either way). */
static enum msp_status
audit_read_begin(PGconn *conn, const char *token, struct msp_error *err)
{
	enum tenant_kind kind;
	enum msp_status rc;

	rc = db_exec(conn, "audit: begin", "BEGIN READ ONLY", 0, NULL,
		     PGRES_COMMAND_OK, NULL, err);
	if (rc == MSP_OK && token != NULL)
		rc = tenant_enter(conn, token, &kind, err);
	return rc;
}

/* Ends it: read only, so a rollback, whatever happened. */
static void
audit_read_end(PGconn *conn)
{
	if (PQtransactionStatus(conn) != PQTRANS_IDLE)
		db_exec(conn, "audit: end", "ROLLBACK", 0, NULL,
			PGRES_COMMAND_OK, NULL, NULL);
}

/* The kinds of the instrument's items and of the report variables, and
 * the regions that have a study: public reference tables, read under
 * the token. */
static enum msp_status
read_reference(PGconn *conn, const char *token, PGresult **kinds,
	       PGresult **regions, unsigned *threshold, struct msp_error *err)
{
	enum msp_status rc;

	rc = audit_read_begin(conn, token, err);
	/* the threshold the reports apply (msp.disclosure_policy) */
	if (rc == MSP_OK)
		rc = disclosure_policy_threshold(conn, threshold, err);
	if (rc == MSP_OK)
		rc = db_exec(conn, "audit: kinds",
			     "SELECT item_key, item_type::text"
			     "  FROM msp.instrument_item"
			     " UNION ALL SELECT var_key, value_type"
			     "  FROM msp.report_variable", 0, NULL,
			     PGRES_TUPLES_OK, kinds, err);
	if (rc == MSP_OK)
		rc = db_exec(conn, "audit: regions",
			     "SELECT r.slug FROM msp.region r"
			     " WHERE EXISTS (SELECT 1 FROM msp.study s"
			     "  WHERE s.region_id = r.region_id)"
			     " ORDER BY 1", 0, NULL, PGRES_TUPLES_OK,
			     regions, err);
	audit_read_end(conn);
	return rc;
}

/*
 * The slug of the study the region report doc counts, from its meta
 * "study" ("SLUG — title (year)"), into slug (size bytes): the report's
 * own choice when no --study was given.  MSP_EINVAL without one.
 */
static enum msp_status
study_of(json_object *doc, char *slug, size_t size, struct msp_error *err)
{
	const char *study = str(get(doc, "meta"), "study");
	size_t len;

	if (study == NULL || (len = strcspn(study, " ")) == 0 ||
	    len >= size)
		return msp_error_set(err, MSP_EINVAL, "audit : le rapport de "
				     "région ne nomme pas son étude");
	memcpy(slug, study, len);
	slug[len] = '\0';
	return MSP_OK;
}

/*
 * What the audit reads of study slug beyond the federation's options,
 * under the token: the variable of "teams like yours" on a team's
 * feedback page (msp.feedback_like_var; *like, the caller's, NULL when
 * the instrument has none), whose release the page reads, and the
 * other waves of its region (*waves, the caller's PQclear: every study
 * of the region but a draft), whose comparison with it a federation's
 * /reports/compare takes.
 */
static enum msp_status
study_extras(PGconn *conn, const char *token, const char *slug, char **like,
	     PGresult **waves, struct msp_error *err)
{
	const char *params[1] = { slug };
	PGresult *res = NULL;
	enum msp_status rc;

	*like = NULL;
	*waves = NULL;
	rc = audit_read_begin(conn, token, err);
	if (rc == MSP_OK)
		rc = db_exec(conn, "audit: teams like yours",
			     "SELECT msp.feedback_like_var(s.study_id) AS v"
			     "  FROM msp.study s WHERE s.slug = $1", 1, params,
			     PGRES_TUPLES_OK, &res, err);
	if (rc == MSP_OK && PQntuples(res) == 1 &&
	    db_text(res, 0, "v") != NULL &&
	    (*like = msp_strdup(db_text(res, 0, "v"))) == NULL)
		rc = msp_error_set(err, MSP_ENOMEM, "audit : mémoire épuisée");
	if (rc == MSP_OK)
		rc = db_exec(conn, "audit: other waves",
			     "SELECT o.slug FROM msp.study s"
			     "  JOIN msp.study o ON o.region_id = s.region_id"
			     "   AND o.study_id <> s.study_id"
			     "   AND o.state <> 'draft'"
			     " WHERE s.slug = $1 ORDER BY o.year, o.study_id",
			     1, params, PGRES_TUPLES_OK, waves, err);
	PQclear(res);
	audit_read_end(conn);
	return rc;
}

/* The variables of the region report that have categories (what --by
 * may split by), and its open items (what --terms counts). */
static enum msp_status
candidates(json_object *doc, const struct walk *w, char ***by, size_t *nby,
	   char ***text, size_t *ntext)
{
	json_object *tables = get(doc, "tables");
	size_t i, r, k;

	for (i = 0; i < json_object_array_length(tables); i++) {
		struct tab t;

		tab_init(&t, json_object_array_get_idx(tables, i));
		if (same(t.key, "response") || t.key == NULL ||
		    strncmp(t.key, "has_", 4) == 0)
			continue;
		for (r = 0; r < t.nrows; r++) {
			const char *var = str(row_of(&t, r), "variable");
			const char *cat = str(row_of(&t, r), "category");
			char kind = var_kind(w, var);
			char ***list = kind == 't' ? text : by;
			size_t *n = kind == 't' ? ntext : nby;
			char **grown;

			if (var == NULL || same(var, "n") ||
			    kind == 'n' || kind == 'm' ||
			    (kind != 't' && (cat == NULL || *cat == '\0')))
				continue;
			for (k = 0; k < *n; k++)
				if (same((*list)[k], var))
					break;
			if (k < *n)
				continue;
			grown = msp_realloc(*list, (*n + 1) * sizeof(char *));
			if (grown == NULL)
				return MSP_ENOMEM;
			*list = grown;
			if (((*list)[*n] = msp_strdup(var)) == NULL)
				return MSP_ENOMEM;
			(*n)++;
		}
	}
	return MSP_OK;
}

static void
free_list(char **l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		msp_free(l[i]);
	msp_free(l);
}

/* --- the intervals ------------------------------------------------------- */

/* Union-find over figures: the components the relations connect. */
static size_t
uf_find(size_t *up, size_t x)
{
	while (up[x] != x)
		x = up[x] = up[up[x]];
	return x;
}

/* The component of each figure (comp[i]), through relations over
 * figures not printed. */
static enum msp_status
components(const struct audit *a, size_t *comp)
{
	size_t i, k;

	for (i = 0; i < a->nfigs; i++)
		comp[i] = i;
	for (i = 0; i < a->nrels; i++) {
		const struct audit_relation *r = &a->rels[i];
		size_t first = SIZE_MAX;

		for (k = 0; k < r->nterms; k++) {
			size_t f = a->terms[r->first + k].fig;

			if (a->figs[f].known)
				continue;
			if (first == SIZE_MAX)
				first = uf_find(comp, f);
			else
				comp[uf_find(comp, f)] = first;
		}
	}
	for (i = 0; i < a->nfigs; i++)
		comp[i] = uf_find(comp, i);
	return MSP_OK;
}

/* A hash of an LP row (its n coefficients and right side), bit for
 * bit: rows that are equal hash equal. */
static size_t
row_hash(const double *row, size_t n, double rhs)
{
	const unsigned char *p = (const unsigned char *)row;
	size_t h = (size_t)14695981039346656037ULL, i;

	for (i = 0; i < n * sizeof(double); i++) {
		h ^= p[i];
		h *= (size_t)1099511628211ULL;
	}
	p = (const unsigned char *)&rhs;
	for (i = 0; i < sizeof(rhs); i++) {
		h ^= p[i];
		h *= (size_t)1099511628211ULL;
	}
	return h;
}

void
audit_lp_clear(struct audit_lp *lp)
{
	msp_free(lp->a);
	msp_free(lp->b);
	msp_free(lp->c);
	msp_free(lp->lo);
	msp_free(lp->hi);
	msp_free(lp->cols);
	memset(lp, 0, sizeof(*lp));
}

enum msp_status
audit_lp_make(const struct audit *a, size_t fig, int labels,
	      struct audit_lp *lp, struct msp_error *err)
{
	size_t *comp = NULL, *colof = NULL, *slot = NULL, i, k, m = 0, n = 0,
	       c, nslot;
	enum msp_status rc = MSP_OK;

	memset(lp, 0, sizeof(*lp));
	comp = msp_calloc(a->nfigs + 1, sizeof(*comp));
	colof = msp_calloc(a->nfigs + 1, sizeof(*colof));
	if (comp == NULL || colof == NULL)
		goto nomem;
	components(a, comp);
	c = comp[fig];
	for (i = 0; i < a->nfigs; i++) {
		colof[i] = SIZE_MAX;
		if (comp[i] == c && !a->figs[i].known)
			colof[i] = n++;
	}
	/* the relations that touch the component */
	for (i = 0; i < a->nrels; i++)
		for (k = 0; k < a->rels[i].nterms; k++)
			if (colof[a->terms[a->rels[i].first + k].fig] !=
			    SIZE_MAX) {
				m++;
				break;
			}
	if (n > 0 && m > (SIZE_MAX / sizeof(double) - 1) / n) {
		rc = msp_error_set(err, MSP_EINVAL, "audit : un groupe de "
				   "%zu relations sur %zu inconnues est trop "
				   "grand", m, n);
		goto out;
	}
	lp->a = msp_calloc(m * n + 1, sizeof(double));
	lp->b = msp_calloc(m + 1, sizeof(double));
	lp->c = msp_calloc(n + 1, sizeof(double));
	lp->lo = msp_calloc(n + 1, sizeof(double));
	lp->hi = msp_calloc(n + 1, sizeof(double));
	lp->cols = msp_calloc(n + 1, sizeof(size_t));
	if (lp->a == NULL || lp->b == NULL || lp->c == NULL ||
	    lp->lo == NULL || lp->hi == NULL || lp->cols == NULL)
		goto nomem;
	/* rows by content: the same relation is written by every report
	 * that prints it (each missing-data rule, each --by's total
	 * column), and a repeated row only makes the tableau larger */
	nslot = 2 * m + 2;
	if ((slot = msp_malloc(nslot * sizeof(*slot))) == NULL)
		goto nomem;
	for (k = 0; k < nslot; k++)
		slot[k] = SIZE_MAX;
	m = 0;
	for (i = 0; i < a->nrels; i++) {
		const struct audit_relation *r = &a->rels[i];
		int touches = 0;
		size_t h, s;

		for (k = 0; k < r->nterms; k++)
			touches |= colof[a->terms[r->first + k].fig] !=
				   SIZE_MAX;
		if (!touches)
			continue;
		lp->b[m] = r->rhs;
		for (k = 0; k < r->nterms; k++) {
			const struct audit_term *t = &a->terms[r->first + k];

			if (a->figs[t->fig].known)
				lp->b[m] -= t->coef * a->figs[t->fig].value;
			else
				lp->a[m * n + colof[t->fig]] += t->coef;
		}
		h = row_hash(lp->a + m * n, n, lp->b[m]);
		for (s = h % nslot; slot[s] != SIZE_MAX; s = (s + 1) % nslot)
			if (lp->b[slot[s]] == lp->b[m] &&
			    memcmp(lp->a + slot[s] * n, lp->a + m * n,
				   n * sizeof(double)) == 0)
				break;
		if (slot[s] != SIZE_MAX) {
			/* a repeat: forget it */
			memset(lp->a + m * n, 0, n * sizeof(double));
			lp->b[m] = 0;
			continue;
		}
		slot[s] = m;
		m++;
	}
	for (i = 0; i < a->nfigs; i++) {
		const struct audit_figure *f = &a->figs[i];

		if (colof[i] == SIZE_MAX)
			continue;
		k = colof[i];
		lp->cols[k] = i;
		/* what the display says: "< t" is a count from 1 to t-1
		 * (without labels: a count, >= 0) */
		lp->lo[k] = labels && f->below > 1 ? 1 : 0;
		lp->hi[k] = labels && f->below > 1 ? f->below - 1 : LP_INF;
	}
	lp->var = colof[fig];
	lp->c[lp->var] = 1;
	lp->p.m = m;
	lp->p.n = n;
	lp->p.a = lp->a;
	lp->p.b = lp->b;
	lp->p.c = lp->c;
	lp->p.lo = lp->lo;
	lp->p.hi = lp->hi;
	goto out;
nomem:
	audit_lp_clear(lp);
	rc = msp_error_set(err, MSP_ENOMEM, "audit : mémoire épuisée");
out:
	msp_free(slot);
	msp_free(comp);
	msp_free(colof);
	return rc;
}

enum msp_status
audit_lp_inherent(const struct audit *a, size_t fig,
		  int (*fixed)(const struct audit *a, size_t i,
			       const void *arg),
		  const void *arg, struct audit_lp *lp, struct msp_error *err)
{
	size_t *colof = NULL, i, k, m = 0, n = 0;

	memset(lp, 0, sizeof(*lp));
	colof = msp_malloc((a->nfigs + 1) * sizeof(*colof));
	if (colof == NULL)
		goto nomem;
	for (i = 0; i < a->nfigs; i++)
		colof[i] = SIZE_MAX;
	/* the relations that hold fig, and their figures that a plan
	 * could hide (or are hidden) */
	for (i = 0; i < a->nrels; i++) {
		const struct audit_relation *r = &a->rels[i];
		int holds = 0;

		for (k = 0; k < r->nterms; k++)
			holds |= a->terms[r->first + k].fig == fig;
		if (!holds)
			continue;
		m++;
		for (k = 0; k < r->nterms; k++) {
			size_t f = a->terms[r->first + k].fig;

			if (colof[f] == SIZE_MAX &&
			    (f == fig || !fixed(a, f, arg)))
				colof[f] = n++;
		}
	}
	lp->a = msp_calloc(m * n + 1, sizeof(double));
	lp->b = msp_calloc(m + 1, sizeof(double));
	lp->c = msp_calloc(n + 1, sizeof(double));
	lp->lo = msp_calloc(n + 1, sizeof(double));
	lp->hi = msp_calloc(n + 1, sizeof(double));
	lp->cols = msp_calloc(n + 1, sizeof(size_t));
	if (lp->a == NULL || lp->b == NULL || lp->c == NULL ||
	    lp->lo == NULL || lp->hi == NULL || lp->cols == NULL)
		goto nomem;
	m = 0;
	for (i = 0; i < a->nrels; i++) {
		const struct audit_relation *r = &a->rels[i];
		int holds = 0;

		for (k = 0; k < r->nterms; k++)
			holds |= a->terms[r->first + k].fig == fig;
		if (!holds)
			continue;
		lp->b[m] = r->rhs;
		for (k = 0; k < r->nterms; k++) {
			const struct audit_term *t = &a->terms[r->first + k];

			if (colof[t->fig] == SIZE_MAX)
				lp->b[m] -= t->coef * a->figs[t->fig].value;
			else
				lp->a[m * n + colof[t->fig]] += t->coef;
		}
		m++;
	}
	for (i = 0; i < a->nfigs; i++) {
		const struct audit_figure *f = &a->figs[i];

		if ((k = colof[i]) == SIZE_MAX)
			continue;
		lp->cols[k] = i;
		lp->lo[k] = f->below > 1 ? 1 : 0;
		lp->hi[k] = f->below > 1 ? f->below - 1 : LP_INF;
	}
	lp->var = colof[fig];
	lp->c[lp->var] = 1;
	lp->p.m = m;
	lp->p.n = n;
	lp->p.a = lp->a;
	lp->p.b = lp->b;
	lp->p.c = lp->c;
	lp->p.lo = lp->lo;
	lp->p.hi = lp->hi;
	msp_free(colof);
	return MSP_OK;
nomem:
	msp_free(colof);
	audit_lp_clear(lp);
	return msp_error_set(err, MSP_ENOMEM, "audit : mémoire épuisée");
}

/* The check of the model: a relation of printed figures only holds. */
static void
check_relations(struct audit *a)
{
	size_t i, k;

	for (i = 0; i < a->nrels; i++) {
		const struct audit_relation *r = &a->rels[i];
		double s = 0;
		int all = 1;

		for (k = 0; k < r->nterms; k++) {
			const struct audit_term *t = &a->terms[r->first + k];

			all &= a->figs[t->fig].known;
			s += t->coef * a->figs[t->fig].value;
		}
		if (all && fabs(s - r->rhs) > AUDIT_EPS)
			a->relations_off++;
	}
}

/* Widens each unknown's range of values seen to x (n), a feasible
 * point: its interval holds them all. */
static void
seen(const double *x, size_t n, double *lo, double *hi)
{
	size_t k;

	for (k = 0; k < n; k++) {
		if (x[k] < lo[k])
			lo[k] = x[k];
		if (x[k] > hi[k])
			hi[k] = x[k];
	}
}

/* Whether figure f passes the criterion (intervals() below) under the
 * model labels when its values seen already span [lo, hi]: its
 * interval is at least that.  The strict verdict is never decided
 * from points: with labels, an "s" is bounded in full. */
static int
wide_enough(const struct audit_figure *f, int labels, double lo, double hi,
	    size_t t)
{
	if (lo > hi)
		return 0;
	if (f->below > 1)
		return lo <= 1 + AUDIT_EPS && hi >= f->below - 1 - AUDIT_EPS;
	return !labels && hi - lo >= (double)t - AUDIT_EPS;
}

/* Whether hidden figure f needs its interval under the model labels:
 * a "< t" with labels only; an "s" without, and with labels too for
 * the strict verdict (not with fails_only). */
static int
needs(const struct audit *a, const struct audit_figure *f, int labels)
{
	if (f->below > 1)
		return labels && !f->solved;
	if (!labels)
		return !f->free_solved;
	return !a->fails_only && !f->solved;
}

/* Stores [lo, hi] as f's interval under the model labels. */
static void
set_interval(const struct audit *a, struct audit_figure *f, int labels,
	     double lo, double hi)
{
	if (labels) {
		f->solved = 1;
		f->lo = lo;
		f->hi = hi;
	} else {
		f->free_solved = 1;
		f->free_lo = lo;
		f->free_hi = hi;
		/* fails_only: the labelled interval of an "s" is not
		 * computed; its free one stands for it */
		if (a->fails_only && !f->solved) {
			f->lo = lo;
			f->hi = hi;
		}
	}
}

/* Every interval under the model labels (audit_lp_make's), one LP per
 * bound (fails_only: only as far as the criterion needs). */
static enum msp_status
intervals_under(struct audit *a, int labels, struct msp_error *err)
{
	struct audit_lp lp;
	struct lp_state *st = NULL;
	double *x = NULL, *seen_lo = NULL, *seen_hi = NULL;
	enum msp_status rc = MSP_OK;
	size_t i, k, t = a->threshold;

	memset(&lp, 0, sizeof(lp));
	for (i = 0; i < a->nfigs; i++) {
		struct audit_figure *f = &a->figs[i];
		enum lp_result res;
		double lo, hi;

		if (!f->hidden || !needs(a, f, labels))
			continue;
		if (f->known) {
			/* hidden here, printed there */
			set_interval(a, f, labels, f->value, f->value);
			continue;
		}
		/* one LP per component: phase 1 once, then each bound
		 * from where the previous one ended (lp_optimise) */
		if ((rc = audit_lp_make(a, i, labels, &lp, err)) != MSP_OK)
			goto out;
		if ((rc = lp_feasible(&lp.p, &st, &res, err)) != MSP_OK)
			goto out;
		msp_free(x);
		msp_free(seen_lo);
		msp_free(seen_hi);
		x = msp_calloc(lp.p.n + 1, sizeof(*x));
		seen_lo = msp_calloc(lp.p.n + 1, sizeof(*seen_lo));
		seen_hi = msp_calloc(lp.p.n + 1, sizeof(*seen_hi));
		if (x == NULL || seen_lo == NULL || seen_hi == NULL) {
			rc = msp_error_set(err, MSP_ENOMEM, "audit : mémoire "
					   "épuisée");
			goto out;
		}
		for (k = 0; k < lp.p.n; k++) {
			seen_lo[k] = LP_INF;
			seen_hi[k] = -LP_INF;
		}
		for (k = 0; k < lp.p.n; k++) {
			struct audit_figure *g = &a->figs[lp.cols[k]];

			if (!g->hidden || !needs(a, g, labels))
				continue;
			if (st == NULL) {
				/* no table fits what was published */
				a->infeasible++;
				set_interval(a, g, labels, 0, LP_INF);
				continue;
			}
			if (a->fails_only &&
			    wide_enough(g, labels, seen_lo[k], seen_hi[k],
					t)) {
				set_interval(a, g, labels, seen_lo[k],
					     seen_hi[k]);
				continue;
			}
			memset(lp.c, 0, lp.p.n * sizeof(double));
			lp.c[k] = 1;
			rc = lp_optimise(st, lp.c, &res, &lo, x, err);
			if (rc != MSP_OK)
				goto out;
			a->lps++;
			seen(x, lp.p.n, seen_lo, seen_hi);
			if (a->fails_only &&
			    wide_enough(g, labels, lo, seen_hi[k], t)) {
				set_interval(a, g, labels, lo, seen_hi[k]);
				continue;
			}
			lp.c[k] = -1;
			rc = lp_optimise(st, lp.c, &res, &hi, x, err);
			if (rc != MSP_OK)
				goto out;
			a->lps++;
			if (res == LP_UNBOUNDED) {
				set_interval(a, g, labels, lo, LP_INF);
				continue;
			}
			set_interval(a, g, labels, lo, -hi);
			seen(x, lp.p.n, seen_lo, seen_hi);
		}
		lp_state_free(st);
		st = NULL;
		audit_lp_clear(&lp);
	}
out:
	msp_free(x);
	msp_free(seen_lo);
	msp_free(seen_hi);
	lp_state_free(st);
	audit_lp_clear(&lp);
	return rc;
}

/* Whether [lo, hi] is narrower than t (an unbounded one is not). */
static int
narrow(double lo, double hi, size_t t)
{
	return hi < LP_INF && hi - lo < (double)t - AUDIT_EPS;
}

/* Each hidden figure's intervals (the labelled one, and an "s"'s free
 * one), and the verdicts (audit.h). */
static enum msp_status
intervals(struct audit *a, struct msp_error *err)
{
	enum msp_status rc;
	size_t i, t = a->threshold;

	if ((rc = intervals_under(a, 1, err)) != MSP_OK ||
	    (rc = intervals_under(a, 0, err)) != MSP_OK)
		return rc;
	for (i = 0; i < a->nfigs; i++) {
		struct audit_figure *f = &a->figs[i];

		if (!f->hidden)
			continue;
		/* a primary figure: narrower than [1, t-1] with the
		 * labels; an "s": narrower than t without them (and,
		 * strictly, with them) */
		if (f->below > 1) {
			f->fails = f->lo > 1 + AUDIT_EPS ||
				   f->hi < f->below - 1 - AUDIT_EPS;
			f->strict_fails = f->fails;
		} else {
			f->fails = narrow(f->free_lo, f->free_hi, t);
			f->strict_fails = !a->fails_only &&
					  narrow(f->lo, f->hi, t);
		}
		if (f->strict_fails) {
			a->strict_fails++;
			a->strict_complementary += f->below <= 1;
		}
		if (!f->fails)
			continue;
		a->fails++;
		if (f->below > 1 ? f->hi - f->lo < AUDIT_EPS :
		    f->free_hi - f->free_lo < AUDIT_EPS)
			a->exact++;
		else if (f->below > 1)
			a->primary_narrowed++;
		else
			a->complementary_narrow++;
	}
	for (i = 0; i < a->noccs; i++) {
		struct audit_part *p = &a->parts[a->occs[i].part];
		const struct audit_figure *f = &a->figs[a->occs[i].fig];

		p->hidden++;
		p->primary += f->below > 1;
		p->fails += f->fails != 0;
	}
	return MSP_OK;
}

/* --- the run ------------------------------------------------------------- */

void
audit_free(struct audit *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->nfigs; i++) {
		msp_free(a->figs[i].key);
		msp_free(a->figs[i].where);
	}
	for (i = 0; i < a->nparts; i++) {
		msp_free(a->parts[i].name);
		free(a->parts[i].request);	/* buf_steal()'s: free() */
		free(a->parts[i].json);
	}
	msp_free(a->figs);
	msp_free(a->slots);
	msp_free(a->rels);
	msp_free(a->terms);
	msp_free(a->parts);
	msp_free(a->occs);
	msp_free(a);
}

enum msp_status
audit_run(PGconn *conn, const struct audit_options *o, struct audit **out,
	  struct msp_error *err)
{
	static const char *const rule_name[4] = {
		"nsp keep, missing exclude", "nsp exclude, missing exclude",
		"nsp keep, missing keep", "nsp exclude, missing keep",
	};
	struct audit *a = NULL;
	struct walk w;
	struct report_options ro;
	PGresult *kinds = NULL, *regions = NULL, *waves = NULL;
	json_object *region_doc = NULL;
	char **by = NULL, **text = NULL, *like = NULL, name[700], slug[128];
	struct buf compare = BUF_INIT(BUF_MAX_TEXT);
	size_t nby = 0, ntext = 0, i;
	enum msp_status rc;
	int rule;

	*out = NULL;
	a = msp_calloc(1, sizeof(*a));
	if (a == NULL)
		return msp_error_set(err, MSP_ENOMEM, "audit: out of memory");
	memset(&w, 0, sizeof(w));
	w.a = a;
	w.keep_documents = o->keep_documents;
	w.live = o->live;
	a->fails_only = o->fails_only;
	if ((rc = read_reference(conn, o->token, &kinds, &regions,
				 &a->threshold, err)) !=
	    MSP_OK)
		goto out;
	w.kinds = kinds;
	for (rule = 0; rule < 4; rule++) {
		report_options_init(&ro);
		ro.token = o->token;
		ro.region = o->region;
		ro.study = o->study;
		ro.dont_know = rule & 1 ? REPORT_EXCLUDE : REPORT_KEEP;
		ro.missing = rule & 2 ? REPORT_KEEP : REPORT_EXCLUDE;
		snprintf(name, sizeof(name), "région (%s)", rule_name[rule]);
		/* the region report itself must be there: its
		 * refusal (an unknown region) is the audit's */
		rc = fetch_part(conn, &w, &ro, name, PART_REGION,
				rule == 0 ? &region_doc : NULL, err);
		if (rc != MSP_OK)
			goto out;
	}
	report_options_init(&ro);
	ro.token = o->token;
	ro.region = o->region;
	ro.study = o->study;
	ro.nonresponse = 1;
	if ((rc = fetch_part(conn, &w, &ro, "--nonresponse", PART_NONRESPONSE,
			     NULL, err)) != MSP_OK)
		goto out;
	if (candidates(region_doc, &w, &by, &nby, &text, &ntext) != MSP_OK) {
		rc = msp_error_set(err, MSP_ENOMEM, "audit : mémoire épuisée");
		goto out;
	}
	/* each split under the four rules, as the region report: a
	 * federation's --by page takes them */
	for (i = 0; i < nby; i++)
		for (rule = 0; rule < 4; rule++) {
			report_options_init(&ro);
			ro.token = o->token;
			ro.region = o->region;
			ro.study = o->study;
			ro.by = by[i];
			ro.dont_know = rule & 1 ? REPORT_EXCLUDE : REPORT_KEEP;
			ro.missing = rule & 2 ? REPORT_KEEP : REPORT_EXCLUDE;
			snprintf(name, sizeof(name), "--by %s (%s)", by[i],
				 rule_name[rule]);
			if ((rc = fetch_part(conn, &w, &ro, name, PART_BY,
					     NULL, err)) != MSP_OK)
				goto out;
		}
	/* the study's own: "teams like yours", the release a team's
	 * feedback page reads, and its other waves (below) */
	if ((rc = study_of(region_doc, slug, sizeof(slug), err)) != MSP_OK ||
	    (rc = study_extras(conn, o->token, slug, &like, &waves, err)) !=
	    MSP_OK)
		goto out;
	w.study = slug;
	if (like != NULL) {
		report_options_init(&ro);
		ro.token = o->token;
		ro.region = o->region;
		ro.study = o->study;
		ro.by = like;
		ro.by_role = "works_with_users";
		snprintf(name, sizeof(name), "--by %s --by-role "
			 "works_with_users", like);
		if ((rc = fetch_part(conn, &w, &ro, name, PART_BY, NULL,
				     err)) != MSP_OK)
			goto out;
	}
	/* the comparison: the region with every other (its own figures
	 * are the same unknowns: the column of its study) */
	if (o->compare != NULL) {
		buf_puts(&compare, o->compare);
	} else {
		for (i = 0; i < (size_t)PQntuples(regions); i++)
			buf_printf(&compare, "%s%s", i ? "," : "",
				   PQgetvalue(regions, i, 0));
	}
	if (buf_status(&compare, err) != MSP_OK) {
		rc = MSP_ENOMEM;
		goto out;
	}
	report_options_init(&ro);
	ro.token = o->token;
	ro.compare = buf_str(&compare);
	snprintf(name, sizeof(name), "--compare %s", buf_str(&compare));
	if ((rc = fetch_part(conn, &w, &ro, name, PART_COMPARE, NULL,
			     err)) != MSP_OK)
		goto out;
	/* the comparison with each other wave, under the four rules: its
	 * other column is that study's, as its own plan hides it */
	for (i = 0; i < (size_t)PQntuples(waves); i++)
		for (rule = 0; rule < 4; rule++) {
			char pair[300];

			snprintf(pair, sizeof(pair), "%s,%s", slug,
				 PQgetvalue(waves, (int)i, 0));
			report_options_init(&ro);
			ro.token = o->token;
			ro.compare = pair;
			ro.dont_know = rule & 1 ? REPORT_EXCLUDE : REPORT_KEEP;
			ro.missing = rule & 2 ? REPORT_KEEP : REPORT_EXCLUDE;
			snprintf(name, sizeof(name), "--compare %s (%s)",
				 pair, rule_name[rule]);
			if ((rc = fetch_part(conn, &w, &ro, name, PART_WAVES,
					     NULL, err)) != MSP_OK)
				goto out;
		}
	report_options_init(&ro);
	ro.token = o->token;
	ro.region = o->region;
	ro.study = o->study;
	ro.has = 1;
	if ((rc = fetch_part(conn, &w, &ro, "--has", PART_OTHER, NULL,
			     err)) != MSP_OK)
		goto out;
	for (i = 0; i < ntext; i++) {
		report_options_init(&ro);
		ro.token = o->token;
		ro.region = o->region;
		ro.study = o->study;
		ro.terms = text[i];
		snprintf(name, sizeof(name), "--terms %s", text[i]);
		if ((rc = fetch_part(conn, &w, &ro, name, PART_OTHER, NULL,
				     err)) != MSP_OK)
			goto out;
	}
	check_relations(a);
	if ((rc = intervals(a, err)) != MSP_OK)
		goto out;
	*out = a;
	a = NULL;
out:
	json_object_put(region_doc);
	msp_free(like);
	free_list(by, nby);
	free_list(text, ntext);
	buf_free(&compare);
	PQclear(kinds);
	PQclear(regions);
	PQclear(waves);
	audit_free(a);
	return rc;
}
