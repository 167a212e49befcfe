/*
 * format_json — a report's structure as JSON, numbers typed.
 *
 * The document is complete: rdoc_json.c reads it back into the same
 * struct rdoc, from which every format renders the same bytes (a
 * federation's stored release, docs/report.md "Stored releases").  So
 * besides what a reader of the JSON uses, it carries what the other
 * formats need:
 *   - "header": the header lines in order, each {key, label, value}
 *     and code when it has one: "meta" is an object, which cannot
 *     keep a key twice (a comparison names each region's study under
 *     "study") nor its order once PostgreSQL's jsonb has sorted it;
 *   - a table's "chart_column" when it has an HTML chart;
 *   - a hidden cell's "type", which the HTML chart reads (a chart of
 *     percentages or of counts): a kind of cell, never a figure.
 * NaN is left out (JSON has none) and read back as NaN.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "format_int.h"

int
format_json_add(json_object *obj, const char *key, json_object *val)
{
	if (val == NULL)
		return 1;
	if (json_object_object_add(obj, key, val) != 0) {
		json_object_put(val);
		return 1;
	}
	return 0;
}

/* A string, or JSON null for NULL. */
static int
add_str(json_object *obj, const char *key, const char *s)
{
	if (s == NULL)
		return json_object_object_add(obj, key, NULL) != 0;
	return format_json_add(obj, key, json_object_new_string(s));
}

static int
add_num(json_object *obj, const char *key, double v)
{
	if (isnan(v) || isinf(v))
		return 0;	/* JSON has no NaN: left out */
	return format_json_add(obj, key, json_object_new_double(v));
}

static int
add_int(json_object *obj, const char *key, unsigned long v)
{
	return format_json_add(obj, key, json_object_new_int64((int64_t)v));
}

static int
push(json_object *arr, json_object *val)
{
	if (val == NULL)
		return 1;
	if (json_object_array_add(arr, val) != 0) {
		json_object_put(val);
		return 1;
	}
	return 0;
}

/* A weighted percentage's members; nonzero when out of memory. */
static int
json_weighted(json_object *o, const struct rcell *c)
{
	int bad = 0;

	bad |= add_str(o, "type", "weighted");
	bad |= add_int(o, "n", c->n);
	bad |= add_num(o, c->is_mean ? "mean" : "percent", c->pct);
	bad |= add_num(o, "std_error", c->se);
	if (c->has_ci) {
		bad |= add_num(o, "ci95_low", c->lo);
		bad |= add_num(o, "ci95_high", c->hi);
	}
	return bad;
}

/* A ratio or bound: R's Inf as the string "Inf" (JSON has none, and
 * jsonlite writes it so). */
static json_object *
json_ratio(double v)
{
	if (isinf(v))
		return json_object_new_string(v > 0 ? "Inf" : "-Inf");
	return json_object_new_double(v);
}

/* odds_ratio, conf_int [low, high], alternative: fisher.test()'s. */
static int
json_odds(json_object *o, const struct rcell *c)
{
	json_object *ci = json_object_new_array();
	int bad = 0;

	bad |= add_str(o, "alternative", stats_alternative_name(c->alt));
	bad |= format_json_add(o, "odds_ratio", json_ratio(c->odds.estimate));
	bad |= format_json_add(o, "conf_int", ci);
	if (!bad) {
		bad |= push(ci, json_ratio(c->odds.lo));
		bad |= push(ci, json_ratio(c->odds.hi));
	}
	return bad;
}

/* A Monte Carlo p-value: its standard error, replicates and seed. */
static int
json_simulation(json_object *o, const struct rcell *c)
{
	int bad = 0;

	bad |= format_json_add(o, "simulated", json_object_new_boolean(1));
	bad |= add_num(o, "std_error", c->sim_se);
	bad |= add_int(o, "replicates", c->sim_b);
	bad |= format_json_add(o, "seed",
			       json_object_new_uint64(c->sim_seed));
	return bad;
}

/* The "type" of a cell of kind k. */
static const char *
cell_type(enum rcell_kind k)
{
	switch (k) {
	case RCELL_TEXT:
		return "text";
	case RCELL_COUNT:
		return "count";
	case RCELL_PROP:
		return "proportion";
	case RCELL_SUMMARY:
		return "summary";
	case RCELL_TEST:
		return "test";
	case RCELL_WEIGHTED:
		return "weighted";
	case RCELL_NUMBER:
		return "number";
	case RCELL_NONE:
		break;
	}
	return "empty";
}

/* A new object for cell c of column, or NULL when out of memory. */
static json_object *
json_cell(const struct rcell *c, const char *column)
{
	json_object *o = json_object_new_object();
	int bad = 0;

	if (o == NULL)
		return NULL;
	bad |= add_str(o, "column", column);
	if (c->suppressed) {
		/* "suppressed": true as before, and why: "primary" with
		 * "below" (1 <= n < below), or "complementary" */
		bad |= format_json_add(o, "suppressed",
				       json_object_new_boolean(1));
		bad |= add_str(o, "suppression", c->below > 0 ?
			       "primary" : "complementary");
		if (c->below > 0)
			bad |= add_int(o, "below", c->below);
		/* the kind of cell hidden, for rdoc_json.c (header) */
		bad |= add_str(o, "type", cell_type(c->kind));
		goto out;
	}
	switch (c->kind) {
	case RCELL_NONE:
		bad |= add_str(o, "type", cell_type(c->kind));
		break;
	case RCELL_TEXT:
		bad |= add_str(o, "type", cell_type(c->kind));
		bad |= add_str(o, "text", c->text);
		break;
	case RCELL_COUNT:
		bad |= add_str(o, "type", cell_type(c->kind));
		bad |= add_int(o, "n", c->n);
		break;
	case RCELL_PROP:
		bad |= add_str(o, "type", cell_type(c->kind));
		bad |= add_int(o, "n", c->n);
		bad |= add_int(o, "total", c->total);
		bad |= add_num(o, "percent", c->pct);
		if (c->has_ci) {
			bad |= add_num(o, "ci95_low", c->lo);
			bad |= add_num(o, "ci95_high", c->hi);
		}
		break;
	case RCELL_SUMMARY:
		bad |= add_str(o, "type", cell_type(c->kind));
		bad |= add_int(o, "n", c->n);
		if (c->n == 0)
			break;
		bad |= add_num(o, "median", c->median);
		if (!c->hide_range) {
			bad |= add_num(o, "min", c->min);
			bad |= add_num(o, "max", c->max);
		}
		bad |= add_num(o, "mean", c->mean);
		break;
	case RCELL_WEIGHTED:
		bad |= json_weighted(o, c);
		break;
	case RCELL_NUMBER:
		bad |= add_str(o, "type", cell_type(c->kind));
		bad |= add_num(o, "value", c->value);
		break;
	case RCELL_TEST:
		bad |= add_str(o, "type", cell_type(c->kind));
		if (c->text != NULL) {
			bad |= add_str(o, "text", c->text);
			break;
		}
		bad |= add_str(o, "method", c->test.method == STATS_FISHER ?
			       "fisher" : "chisq");
		bad |= add_num(o, "p", c->test.p);
		bad |= add_num(o, "statistic", c->test.statistic);
		if (c->test.method != STATS_FISHER)
			bad |= add_int(o, "df", (unsigned long)c->test.df);
		bad |= add_num(o, "min_expected", c->test.min_expected);
		bad |= add_num(o, "cramers_v", c->test.cramers_v);
		if (c->has_sim)
			bad |= json_simulation(o, c);
		if (c->has_or)
			bad |= json_odds(o, c);
		if (c->has_p_adj) {
			bad |= add_num(o, "p_adjusted", c->p_adj);
			bad |= add_str(o, "adjust",
				       stats_adjust_name(c->adjust));
		}
		break;
	}
out:
	if (bad) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static json_object *
json_table(const struct rtable *t)
{
	json_object *o = json_object_new_object();
	json_object *cols = json_object_new_array();
	json_object *rows = json_object_new_array();
	size_t i, j;
	int bad = 0;

	if (o == NULL || cols == NULL || rows == NULL) {
		json_object_put(o);
		json_object_put(cols);
		json_object_put(rows);
		return NULL;
	}
	bad |= format_json_add(o, "columns", cols);
	bad |= format_json_add(o, "rows", rows);
	if (bad) {
		json_object_put(o);
		return NULL;
	}
	bad |= add_str(o, "key", t->key);
	bad |= add_str(o, "title", t->title);
	bad |= add_str(o, "note", t->note);
	if (t->chart)
		bad |= add_int(o, "chart_column", t->chart_col);
	for (j = 0; j < t->ncols && !bad; j++) {
		json_object *c = json_object_new_object();

		if (c == NULL) {
			bad = 1;
			break;
		}
		bad |= add_str(c, "key", t->cols[j].key);
		bad |= add_str(c, "label", t->cols[j].label);
		bad |= push(cols, c);
	}
	for (i = 0; i < t->nrows && !bad; i++) {
		const struct rrow *r = &t->rows[i];
		json_object *row = json_object_new_object();
		json_object *cells = json_object_new_array();

		if (row == NULL || cells == NULL) {
			json_object_put(row);
			json_object_put(cells);
			bad = 1;
			break;
		}
		bad |= format_json_add(row, "cells", cells);
		bad |= add_str(row, "variable", r->var_key);
		bad |= add_str(row, "variable_label", r->var_label);
		bad |= add_str(row, "category", r->cat_key);
		bad |= add_str(row, "category_label", r->cat_label);
		for (j = 0; j < t->ncols && !bad; j++)
			bad |= push(cells, json_cell(&r->cells[j],
						     t->cols[j].key));
		bad |= push(rows, row);
	}
	if (bad) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* "header": the header lines in order (the comment at the top). */
static int
json_header(json_object *root, const struct rdoc *doc)
{
	json_object *lines = json_object_new_array();
	size_t i;
	int bad;

	bad = format_json_add(root, "header", lines);
	for (i = 0; i < doc->nmeta && !bad; i++) {
		const struct rmeta *m = &doc->meta[i];
		json_object *line = json_object_new_object();

		if (line == NULL)
			return 1;
		bad |= add_str(line, "key", m->key);
		bad |= add_str(line, "label", m->label);
		bad |= add_str(line, "value", m->value);
		if (m->code != NULL)
			bad |= add_str(line, "code", m->code);
		bad |= push(lines, line);
	}
	return bad;
}

static void
render_json(const struct rdoc *doc, struct buf *out)
{
	json_object *root = json_object_new_object();
	json_object *meta = json_object_new_object();
	json_object *tables = json_object_new_array();
	const char *text;
	size_t i;
	int bad = 0;

	if (root == NULL || meta == NULL || tables == NULL) {
		json_object_put(root);
		json_object_put(meta);
		json_object_put(tables);
		out->failed = 1;
		return;
	}
	bad |= format_json_add(root, "meta", meta);
	bad |= format_json_add(root, "tables", tables);
	if (bad) {
		json_object_put(root);
		out->failed = 1;
		return;
	}
	bad |= add_str(root, "title", doc->title);
	bad |= json_header(root, doc);
	for (i = 0; i < doc->nmeta && !bad; i++) {
		const struct rmeta *m = &doc->meta[i];
		char key[128];

		if (m->code == NULL) {
			bad |= add_str(meta, m->key, m->value);
			continue;
		}
		bad |= add_str(meta, m->key, m->code);
		if ((size_t)snprintf(key, sizeof(key), "%s_label", m->key) >=
		    sizeof(key))
			bad = 1;
		else
			bad |= add_str(meta, key, m->value);
	}
	for (i = 0; i < doc->ntables && !bad; i++)
		bad |= push(tables, json_table(doc->tables[i]));
	text = bad ? NULL : json_object_to_json_string_ext(root,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text == NULL)
		out->failed = 1;
	else {
		buf_puts(out, text);
		buf_putc(out, '\n');
	}
	json_object_put(root);
}

const struct format_renderer format_renderer_json = {
	"json", render_json
};
