/*
 * rdoc_json — a report document read back from its JSON (rdoc_json.h).
 *
 * The reader walks format_json.c's layout member by member; each
 * function takes the place it reads (rd.where, "tables[2].rows[5]") so
 * that a failure says where the document is malformed.  Strings are
 * copied into the document's arena (rdoc_strdup), so the parsed JSON is
 * freed before returning.
 */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "jsonin.h"
#include "report/rdoc_json.h"

struct reader {
	struct rdoc *doc;
	struct msp_error *err;
	char where[160];	/* the place being read, for messages */
};

static enum msp_status
malformed(const struct reader *rd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* MSP_EINVAL: "document de rapport (JSON) : WHERE : what". */
static enum msp_status
malformed(const struct reader *rd, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return msp_error_set(rd->err, MSP_EINVAL, "document de rapport "
			     "(JSON) : %s : %s", rd->where[0] != '\0' ?
			     rd->where : "racine", what);
}

/* Sets the place to fmt's text; restored by the caller. */
static void
place(struct reader *rd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
place(struct reader *rd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rd->where, sizeof(rd->where), fmt, ap);
	va_end(ap);
}

/* Member key of obj, or NULL (absent; json-c's null is also NULL:
 * has() tells them apart). */
static json_object *
member(json_object *obj, const char *key)
{
	json_object *v = NULL;

	return json_object_object_get_ex(obj, key, &v) ? v : NULL;
}

static int
has(json_object *obj, const char *key)
{
	return json_object_object_get_ex(obj, key, NULL);
}

/*
 * A string member copied into the document, NULL for JSON null.
 * Absent: an error when required, else *out NULL.  MSP_ENOMEM when the
 * copy fails (never a NULL taken for JSON null).
 */
static enum msp_status
get_str(struct reader *rd, json_object *obj, const char *key, int required,
	const char **out)
{
	json_object *v = member(obj, key);

	*out = NULL;
	if (!has(obj, key))
		return required ? malformed(rd, "« %s » manque", key) :
				  MSP_OK;
	if (v == NULL)
		return MSP_OK;
	if (!json_object_is_type(v, json_type_string))
		return malformed(rd, "« %s » n'est pas un texte", key);
	*out = rdoc_strdup(rd->doc, json_object_get_string(v));
	if (*out == NULL)	/* the document is marked failed */
		return msp_error_set(rd->err, MSP_ENOMEM,
				     "rdoc_json: out of memory");
	return MSP_OK;
}

/* A count: a JSON integer from 0 to ULONG_MAX.  Absent: an error when
 * required, else *present 0 and *out 0. */
static enum msp_status
get_count(struct reader *rd, json_object *obj, const char *key,
	  int required, unsigned long *out, int *present)
{
	json_object *v = member(obj, key);
	int64_t i;

	*out = 0;
	if (present != NULL)
		*present = v != NULL;
	if (v == NULL)
		return required ? malformed(rd, "« %s » manque", key) :
				  MSP_OK;
	if (!json_object_is_type(v, json_type_int))
		return malformed(rd, "« %s » n'est pas un entier", key);
	i = json_object_get_int64(v);
	if (i < 0 || (uint64_t)i > ULONG_MAX)
		return malformed(rd, "« %s » hors limites", key);
	*out = (unsigned long)i;
	return MSP_OK;
}

/* A number: absent reads as NaN (format_json.c leaves NaN out). */
static enum msp_status
get_num(struct reader *rd, json_object *obj, const char *key, double *out)
{
	json_object *v = member(obj, key);

	*out = NAN;
	if (v == NULL)
		return has(obj, key) ? malformed(rd, "« %s » est null", key) :
				       MSP_OK;
	if (!json_object_is_type(v, json_type_double) &&
	    !json_object_is_type(v, json_type_int))
		return malformed(rd, "« %s » n'est pas un nombre", key);
	*out = json_object_get_double(v);
	return MSP_OK;
}

/* A ratio or bound: a number, or R's "Inf" / "-Inf". */
static enum msp_status
get_ratio(struct reader *rd, json_object *v, const char *what, double *out)
{
	const char *s;

	if (v != NULL && (json_object_is_type(v, json_type_double) ||
			  json_object_is_type(v, json_type_int))) {
		*out = json_object_get_double(v);
		return MSP_OK;
	}
	s = v != NULL && json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
	if (s != NULL && strcmp(s, "Inf") == 0)
		*out = INFINITY;
	else if (s != NULL && strcmp(s, "-Inf") == 0)
		*out = -INFINITY;
	else
		return malformed(rd, "« %s » n'est ni un nombre ni « Inf »",
				 what);
	return MSP_OK;
}

/* A member that must be an array; its length in *n. */
static enum msp_status
get_array(struct reader *rd, json_object *obj, const char *key,
	  json_object **out, size_t *n)
{
	json_object *v = member(obj, key);

	if (v == NULL || !json_object_is_type(v, json_type_array))
		return malformed(rd, "« %s » manque ou n'est pas une liste",
				 key);
	*out = v;
	*n = json_object_array_length(v);
	return MSP_OK;
}

static int
is_object(json_object *v)
{
	return v != NULL && json_object_is_type(v, json_type_object);
}

static int
same(const char *a, const char *b)
{
	return a != NULL && strcmp(a, b) == 0;
}

/* The cell kind a "type" names; -1 when none. */
static int
kind_of(const char *type)
{
	static const struct {
		const char *name;
		enum rcell_kind kind;
	} kinds[] = {
		{ "empty", RCELL_NONE }, { "text", RCELL_TEXT },
		{ "count", RCELL_COUNT }, { "proportion", RCELL_PROP },
		{ "summary", RCELL_SUMMARY }, { "test", RCELL_TEST },
		{ "weighted", RCELL_WEIGHTED }, { "number", RCELL_NUMBER },
	};
	size_t i;

	for (i = 0; type != NULL && i < sizeof(kinds) / sizeof(kinds[0]);
	     i++)
		if (strcmp(type, kinds[i].name) == 0)
			return (int)kinds[i].kind;
	return -1;
}

/* A Monte Carlo p-value's members (format_json.c's json_simulation). */
static enum msp_status
read_simulation(struct reader *rd, json_object *o, struct rcell *c)
{
	json_object *seed = member(o, "seed");
	enum msp_status rc;

	c->has_sim = 1;
	if ((rc = get_num(rd, o, "std_error", &c->sim_se)) != MSP_OK ||
	    (rc = get_count(rd, o, "replicates", 1, &c->sim_b, NULL)) !=
	    MSP_OK)
		return rc;
	if (seed == NULL || !json_object_is_type(seed, json_type_int))
		return malformed(rd, "« seed » manque ou n'est pas un "
				 "entier");
	/* json-c keeps a seed above INT64_MAX as unsigned */
	if (json_object_get_int64(seed) < 0 &&
	    json_object_get_uint64(seed) <= (uint64_t)INT64_MAX)
		return malformed(rd, "« seed » négatif");
	c->sim_seed = (unsigned long long)json_object_get_uint64(seed);
	return MSP_OK;
}

/* A 2×2 table's odds ratio (format_json.c's json_odds); the odds'
 * p-value is the test's (report_doc.h). */
static enum msp_status
read_odds(struct reader *rd, json_object *o, struct rcell *c)
{
	const char *alt = NULL;
	json_object *ci = member(o, "conf_int");
	enum msp_status rc;

	c->has_or = 1;
	c->odds.p = c->test.p;
	if ((rc = get_str(rd, o, "alternative", 1, &alt)) != MSP_OK)
		return rc;
	if (same(alt, stats_alternative_name(STATS_TWO_SIDED)))
		c->alt = STATS_TWO_SIDED;
	else if (same(alt, stats_alternative_name(STATS_LESS)))
		c->alt = STATS_LESS;
	else if (same(alt, stats_alternative_name(STATS_GREATER)))
		c->alt = STATS_GREATER;
	else
		return malformed(rd, "« alternative » inconnue");
	if ((rc = get_ratio(rd, member(o, "odds_ratio"), "odds_ratio",
			    &c->odds.estimate)) != MSP_OK)
		return rc;
	if (ci == NULL || !json_object_is_type(ci, json_type_array) ||
	    json_object_array_length(ci) != 2)
		return malformed(rd, "« conf_int » n'est pas une liste de "
				 "deux bornes");
	if ((rc = get_ratio(rd, json_object_array_get_idx(ci, 0),
			    "conf_int", &c->odds.lo)) != MSP_OK)
		return rc;
	return get_ratio(rd, json_object_array_get_idx(ci, 1), "conf_int",
			 &c->odds.hi);
}

/* A test's members (format_json.c's json_cell, RCELL_TEST). */
static enum msp_status
read_test(struct reader *rd, json_object *o, struct rcell *c)
{
	const char *method = NULL, *adjust = NULL;
	unsigned long df = 0;
	enum msp_status rc;

	if (has(o, "text"))
		return get_str(rd, o, "text", 1, &c->text);
	if ((rc = get_str(rd, o, "method", 1, &method)) != MSP_OK)
		return rc;
	if (same(method, "fisher"))
		c->test.method = STATS_FISHER;
	else if (same(method, "chisq"))
		c->test.method = STATS_CHISQ;
	else
		return malformed(rd, "« method » inconnue");
	if ((rc = get_num(rd, o, "p", &c->test.p)) != MSP_OK ||
	    (rc = get_num(rd, o, "statistic", &c->test.statistic)) !=
	    MSP_OK ||
	    (rc = get_num(rd, o, "min_expected", &c->test.min_expected)) !=
	    MSP_OK ||
	    (rc = get_num(rd, o, "cramers_v", &c->test.cramers_v)) !=
	    MSP_OK)
		return rc;
	if (c->test.method != STATS_FISHER) {
		if ((rc = get_count(rd, o, "df", 1, &df, NULL)) != MSP_OK)
			return rc;
		if (df > INT32_MAX)
			return malformed(rd, "« df » hors limites");
		c->test.df = (int)df;
	}
	if (has(o, "simulated") &&
	    (rc = read_simulation(rd, o, c)) != MSP_OK)
		return rc;
	if (has(o, "alternative") && (rc = read_odds(rd, o, c)) != MSP_OK)
		return rc;
	/* "adjust" is there whenever p_adjusted is (a NaN leaves it
	 * out) */
	if (has(o, "adjust")) {
		c->has_p_adj = 1;
		if ((rc = get_num(rd, o, "p_adjusted", &c->p_adj)) !=
		    MSP_OK ||
		    (rc = get_str(rd, o, "adjust", 1, &adjust)) != MSP_OK)
			return rc;
		if (adjust == NULL ||
		    stats_adjust_parse(adjust, &c->adjust) != 0 ||
		    strcmp(stats_adjust_name(c->adjust), adjust) != 0)
			return malformed(rd, "« adjust » inconnu");
	}
	return MSP_OK;
}

/* The members of a shown cell of kind c->kind. */
static enum msp_status
read_values(struct reader *rd, json_object *o, struct rcell *c)
{
	enum msp_status rc = MSP_OK;

	switch (c->kind) {
	case RCELL_NONE:
		break;
	case RCELL_TEXT:
		rc = get_str(rd, o, "text", 1, &c->text);
		break;
	case RCELL_COUNT:
		rc = get_count(rd, o, "n", 1, &c->n, NULL);
		break;
	case RCELL_PROP:
		if ((rc = get_count(rd, o, "n", 1, &c->n, NULL)) != MSP_OK ||
		    (rc = get_count(rd, o, "total", 1, &c->total, NULL)) !=
		    MSP_OK ||
		    (rc = get_num(rd, o, "percent", &c->pct)) != MSP_OK)
			break;
		c->has_ci = has(o, "ci95_low");
		if (c->has_ci &&
		    ((rc = get_num(rd, o, "ci95_low", &c->lo)) != MSP_OK ||
		     (rc = get_num(rd, o, "ci95_high", &c->hi)) != MSP_OK))
			break;
		break;
	case RCELL_SUMMARY:
		if ((rc = get_count(rd, o, "n", 1, &c->n, NULL)) != MSP_OK ||
		    c->n == 0)
			break;
		c->hide_range = !has(o, "min");
		if ((rc = get_num(rd, o, "median", &c->median)) != MSP_OK ||
		    (rc = get_num(rd, o, "min", &c->min)) != MSP_OK ||
		    (rc = get_num(rd, o, "max", &c->max)) != MSP_OK ||
		    (rc = get_num(rd, o, "mean", &c->mean)) != MSP_OK)
			break;
		break;
	case RCELL_WEIGHTED:
		c->is_mean = has(o, "mean");
		c->has_ci = has(o, "ci95_low");
		if ((rc = get_count(rd, o, "n", 1, &c->n, NULL)) != MSP_OK ||
		    (rc = get_num(rd, o, c->is_mean ? "mean" : "percent",
				  &c->pct)) != MSP_OK ||
		    (rc = get_num(rd, o, "std_error", &c->se)) != MSP_OK)
			break;
		if (c->has_ci &&
		    ((rc = get_num(rd, o, "ci95_low", &c->lo)) != MSP_OK ||
		     (rc = get_num(rd, o, "ci95_high", &c->hi)) != MSP_OK))
			break;
		break;
	case RCELL_NUMBER:
		rc = get_num(rd, o, "value", &c->value);
		break;
	case RCELL_TEST:
		rc = read_test(rd, o, c);
		break;
	}
	return rc;
}

/* Cell o of column col into c. */
static enum msp_status
read_cell(struct reader *rd, json_object *o, const struct rcolumn *col,
	  struct rcell *c)
{
	const char *column = NULL, *type = NULL, *why = NULL;
	json_object *s = member(o, "suppressed");
	unsigned long below = 0;
	enum msp_status rc;
	int kind;

	if (!is_object(o))
		return malformed(rd, "une case n'est pas un objet");
	if ((rc = get_str(rd, o, "column", 1, &column)) != MSP_OK)
		return rc;
	/* the cell says its column: one out of place is another
	 * document's */
	if (!((column == NULL && col->key == NULL) ||
	      (column != NULL && col->key != NULL &&
	       strcmp(column, col->key) == 0)))
		return malformed(rd, "la case n'est pas de sa colonne");
	if ((rc = get_str(rd, o, "type", 0, &type)) != MSP_OK)
		return rc;
	kind = kind_of(type);
	if (s != NULL) {
		if (!json_object_is_type(s, json_type_boolean) ||
		    !json_object_get_boolean(s))
			return malformed(rd, "« suppressed » n'est pas true");
		if ((rc = get_str(rd, o, "suppression", 1, &why)) != MSP_OK ||
		    (rc = get_count(rd, o, "below", 0, &below, NULL)) !=
		    MSP_OK)
			return rc;
		if (same(why, "primary") ? below == 0 || below > UINT32_MAX :
		    !same(why, "complementary") || has(o, "below"))
			return malformed(rd, "« suppression » et « below » "
					 "ne s'accordent pas");
		/* a hidden cell's type is optional (documents before it
		 * was written); an unknown one is not */
		if (type != NULL && kind < 0)
			return malformed(rd, "type de case inconnu");
		c->kind = kind < 0 ? RCELL_NONE : (enum rcell_kind)kind;
		rcell_hide(c, (unsigned)below);
		return MSP_OK;
	}
	if (kind < 0)
		return malformed(rd, "« type » manque ou est inconnu");
	c->kind = (enum rcell_kind)kind;
	return read_values(rd, o, c);
}

/* Row o of table t (its columns named) into a new row. */
static enum msp_status
read_row(struct reader *rd, json_object *o, struct rtable *t)
{
	const char *var = NULL, *var_label = NULL, *cat = NULL,
		   *cat_label = NULL;
	size_t len = strlen(rd->where), n, j;
	json_object *cells;
	struct rrow *r;
	enum msp_status rc;

	if (!is_object(o))
		return malformed(rd, "une ligne n'est pas un objet");
	if ((rc = get_str(rd, o, "variable", 1, &var)) != MSP_OK ||
	    (rc = get_str(rd, o, "variable_label", 1, &var_label)) !=
	    MSP_OK ||
	    (rc = get_str(rd, o, "category", 1, &cat)) != MSP_OK ||
	    (rc = get_str(rd, o, "category_label", 1, &cat_label)) !=
	    MSP_OK ||
	    (rc = get_array(rd, o, "cells", &cells, &n)) != MSP_OK)
		return rc;
	if (n != t->ncols)
		return malformed(rd, "%zu cases pour %zu colonnes", n,
				 t->ncols);
	/* the strings are the document's already: rtable_row copies
	 * them again, a few bytes per row */
	r = rtable_row(rd->doc, t, var, var_label, cat, cat_label);
	if (r == NULL)
		return msp_error_set(rd->err, MSP_ENOMEM,
				     "rdoc_json: out of memory");
	for (j = 0; j < n; j++) {
		snprintf(rd->where + len, sizeof(rd->where) - len,
			 ".cells[%zu]", j);
		rc = read_cell(rd, json_object_array_get_idx(cells, j),
			       &t->cols[j], &r->cells[j]);
		if (rc != MSP_OK)
			return rc;
	}
	rd->where[len] = '\0';
	return MSP_OK;
}

/* Table o, the i-th, into a new table of rd->doc. */
static enum msp_status
read_table(struct reader *rd, json_object *o, size_t i)
{
	const char *key = NULL, *title = NULL, *note = NULL;
	json_object *cols, *rows;
	size_t ncols, nrows, j, len;
	unsigned long chart = 0;
	int charted = 0;
	struct rtable *t;
	enum msp_status rc;

	place(rd, "tables[%zu]", i);
	if (!is_object(o))
		return malformed(rd, "la table n'est pas un objet");
	if ((rc = get_str(rd, o, "key", 1, &key)) != MSP_OK ||
	    (rc = get_str(rd, o, "title", 1, &title)) != MSP_OK ||
	    (rc = get_str(rd, o, "note", 1, &note)) != MSP_OK ||
	    (rc = get_array(rd, o, "columns", &cols, &ncols)) != MSP_OK ||
	    (rc = get_array(rd, o, "rows", &rows, &nrows)) != MSP_OK ||
	    (rc = get_count(rd, o, "chart_column", 0, &chart, &charted)) !=
	    MSP_OK)
		return rc;
	if (charted && chart >= ncols)
		return malformed(rd, "« chart_column » hors des colonnes");
	t = rdoc_table(rd->doc, key, title, ncols);
	if (t == NULL)
		return msp_error_set(rd->err, MSP_ENOMEM,
				     "rdoc_json: out of memory");
	t->note = note;
	t->chart = charted;
	t->chart_col = chart;
	len = strlen(rd->where);
	for (j = 0; j < ncols; j++) {
		json_object *c = json_object_array_get_idx(cols, j);

		snprintf(rd->where + len, sizeof(rd->where) - len,
			 ".columns[%zu]", j);
		if (!is_object(c))
			return malformed(rd, "la colonne n'est pas un objet");
		if ((rc = get_str(rd, c, "key", 1, &t->cols[j].key)) !=
		    MSP_OK ||
		    (rc = get_str(rd, c, "label", 1, &t->cols[j].label)) !=
		    MSP_OK)
			return rc;
	}
	for (j = 0; j < nrows; j++) {
		snprintf(rd->where + len, sizeof(rd->where) - len,
			 ".rows[%zu]", j);
		rc = read_row(rd, json_object_array_get_idx(rows, j), t);
		if (rc != MSP_OK)
			return rc;
	}
	return MSP_OK;
}

/* The header lines, in order (format_json.c's "header"). */
static enum msp_status
read_header(struct reader *rd, json_object *root)
{
	json_object *lines;
	size_t n, i;
	enum msp_status rc;

	if ((rc = get_array(rd, root, "header", &lines, &n)) != MSP_OK)
		return rc;
	for (i = 0; i < n; i++) {
		json_object *m = json_object_array_get_idx(lines, i);
		const char *key = NULL, *label = NULL, *value = NULL,
			   *code = NULL;

		place(rd, "header[%zu]", i);
		if (!is_object(m))
			return malformed(rd, "la ligne n'est pas un objet");
		if ((rc = get_str(rd, m, "key", 1, &key)) != MSP_OK ||
		    (rc = get_str(rd, m, "label", 1, &label)) != MSP_OK ||
		    (rc = get_str(rd, m, "value", 1, &value)) != MSP_OK ||
		    (rc = get_str(rd, m, "code", 0, &code)) != MSP_OK)
			return rc;
		if (code != NULL)
			rdoc_meta_code(rd->doc, key, label, value, code);
		else
			rdoc_meta(rd->doc, key, label, value);
	}
	return MSP_OK;
}

enum msp_status
rdoc_from_json(const char *text, size_t len, struct rdoc **out,
	       struct msp_error *err)
{
	struct reader rd;
	json_object *root = NULL, *tables;
	size_t n, i;
	enum msp_status rc;

	*out = NULL;
	memset(&rd, 0, sizeof(rd));
	rd.err = err;
	rc = jsonin_parse(text, len, &root, err);
	if (rc != MSP_OK) {
		if (rc == MSP_EINVAL)
			msp_error_prefix(err, "document de rapport (JSON)");
		return rc;
	}
	if ((rd.doc = rdoc_new()) == NULL) {
		rc = msp_error_set(err, MSP_ENOMEM,
				   "rdoc_json: out of memory");
		goto out;
	}
	if (!is_object(root)) {
		rc = malformed(&rd, "le document n'est pas un objet");
		goto out;
	}
	if ((rc = get_str(&rd, root, "title", 1, &rd.doc->title)) !=
	    MSP_OK ||
	    (rc = get_array(&rd, root, "tables", &tables, &n)) != MSP_OK ||
	    (rc = read_header(&rd, root)) != MSP_OK)
		goto out;
	for (i = 0; i < n; i++)
		if ((rc = read_table(&rd, json_object_array_get_idx(tables, i),
				     i)) != MSP_OK)
			goto out;
	if ((rc = rdoc_status(rd.doc, err)) != MSP_OK)
		goto out;
	*out = rd.doc;
	rd.doc = NULL;
out:
	rdoc_free(rd.doc);
	json_object_put(root);
	return rc;
}
