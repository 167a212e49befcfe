/*
 * format — text, CSV, JSON and Markdown renderings of a report (see
 * format.h; HTML is in format_html.c).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "alloc.h"
#include "format.h"

static const char *const names[] = {
	[FORMAT_TEXT] = "text",
	[FORMAT_CSV] = "csv",
	[FORMAT_JSON] = "json",
	[FORMAT_MARKDOWN] = "markdown",
	[FORMAT_HTML] = "html",
};

int
format_parse(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
format_name(enum format_kind kind)
{
	return names[kind];
}

/* "7", "5.5": a median or a bound, without noise digits. */
static void
put_number(struct buf *out, double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		buf_printf(out, "%.0f", v);
	else if (v * 10 == floor(v * 10))
		buf_printf(out, "%.1f", v);	/* a median of two: 5.5 */
	else
		buf_printf(out, "%.2f", v);
}

void
format_p(double p, struct buf *out)
{
	if (p < 0.001)
		buf_puts(out, "<0.001");
	else
		buf_printf(out, "%.3f", p);
}

static const char *
method_label(enum stats_method m)
{
	return m == STATS_FISHER ? "Fisher" : "χ²";
}

void
format_cell(const struct rcell *c, struct buf *out)
{
	if (c->suppressed) {
		/* "s", as INSEE prints a secret cell: "<5" would be false
		 * for the complementary ones */
		buf_putc(out, 's');
		return;
	}
	switch (c->kind) {
	case RCELL_NONE:
		break;
	case RCELL_TEXT:
		if (c->text != NULL)
			buf_puts(out, c->text);
		break;
	case RCELL_COUNT:
		buf_printf(out, "%lu", c->n);
		break;
	case RCELL_PROP:
		buf_printf(out, "%lu (%.2f%%)", c->n, c->pct);
		if (c->has_ci)
			buf_printf(out, " [%.1f–%.1f]", c->lo, c->hi);
		break;
	case RCELL_SUMMARY:
		if (c->n == 0) {
			buf_puts(out, "—");
			break;
		}
		put_number(out, c->median);
		if (!c->hide_range) {
			buf_puts(out, " (");
			put_number(out, c->min);
			buf_puts(out, "–");
			put_number(out, c->max);
			buf_putc(out, ')');
		}
		buf_printf(out, ", moy. %.1f, n = %lu", c->mean, c->n);
		break;
	case RCELL_TEST:
		if (c->text != NULL) {
			buf_puts(out, c->text);
			break;
		}
		format_p(c->test.p, out);
		buf_printf(out, " %s", method_label(c->test.method));
		if (!isnan(c->test.cramers_v))
			buf_printf(out, ", V = %.2f", c->test.cramers_v);
		if (c->has_p_adj) {
			buf_printf(out, ", p %s ",
				   stats_adjust_name(c->adjust));
			format_p(c->p_adj, out);
		}
		break;
	}
}

/* --- text ---------------------------------------------------------------- */

/* Display width of UTF-8 s: one column per code point. */
static size_t
width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

static void
pad(struct buf *out, size_t n)
{
	while (n-- > 0)
		buf_putc(out, ' ');
}

/* The label of a row: the variable, or an indented category. */
static void
row_label(const struct rrow *r, struct buf *out)
{
	if (r->cat_label != NULL) {
		buf_puts(out, "  ");
		buf_puts(out, r->cat_label);
	} else if (r->var_label != NULL) {
		buf_puts(out, r->var_label);
	}
}

/* Labels longer than this get a line of their own. */
#define TEXT_LABEL_MAX 56

/* Whether a row has anything to print right of its label. */
static size_t
cells_end(const struct rtable *t, const struct rrow *r)
{
	size_t end = t->ncols;

	while (end > 0 && r->cells[end - 1].kind == RCELL_NONE &&
	       !r->cells[end - 1].suppressed)
		end--;
	return end;
}

static void
text_table(const struct rtable *t, struct buf *out)
{
	struct buf cell = BUF_INIT(BUF_MAX_TEXT);
	size_t *w, i, j, lw = 0, end;

	w = msp_calloc(t->ncols + 1, sizeof(*w));
	if (w == NULL) {
		out->failed = 1;
		return;
	}
	for (i = 0; i < t->nrows; i++) {
		size_t lwi;

		buf_reuse(&cell, out);
		row_label(&t->rows[i], &cell);
		lwi = width(buf_str(&cell));
		/* a label alone on its line does not widen the column */
		if (cells_end(t, &t->rows[i]) > 0 && lwi > lw &&
		    lwi <= TEXT_LABEL_MAX)
			lw = lwi;
		for (j = 0; j < t->ncols; j++) {
			buf_reuse(&cell, out);
			format_cell(&t->rows[i].cells[j], &cell);
			if (width(buf_str(&cell)) > w[j])
				w[j] = width(buf_str(&cell));
		}
	}
	for (j = 0; j < t->ncols; j++)
		if (t->cols[j].label != NULL && width(t->cols[j].label) > w[j])
			w[j] = width(t->cols[j].label);
	buf_printf(out, "\n== %s ==\n", t->title != NULL ? t->title : "");
	pad(out, lw);
	for (j = 0; j < t->ncols; j++) {
		const char *label = t->cols[j].label ? t->cols[j].label : "";

		buf_puts(out, "  ");
		buf_puts(out, label);
		if (j + 1 < t->ncols)
			pad(out, w[j] - width(label));
	}
	buf_putc(out, '\n');
	for (i = 0; i < t->nrows; i++) {
		const struct rrow *r = &t->rows[i];
		size_t lwi;

		buf_reuse(&cell, out);
		row_label(r, &cell);
		buf_puts(out, buf_str(&cell));
		lwi = width(buf_str(&cell));
		/* no trailing blanks: stop after the last non-empty cell */
		end = cells_end(t, r);
		if (end > 0 && lwi > lw) {
			buf_putc(out, '\n');
			lwi = 0;
		}
		if (end > 0)
			pad(out, lw - lwi);
		for (j = 0; j < end; j++) {
			buf_reuse(&cell, out);
			format_cell(&r->cells[j], &cell);
			buf_puts(out, "  ");
			buf_puts(out, buf_str(&cell));
			if (j + 1 < end)
				pad(out, w[j] - width(buf_str(&cell)));
		}
		buf_putc(out, '\n');
	}
	if (t->note != NULL)
		buf_printf(out, "%s\n", t->note);
	if (cell.failed)
		out->failed = 1;
	buf_free(&cell);
	free(w);
}

static void
render_text(const struct rdoc *doc, struct buf *out)
{
	size_t i;

	if (doc->title != NULL)
		buf_printf(out, "%s\n", doc->title);
	for (i = 0; i < doc->nmeta; i++)
		buf_printf(out, "%s : %s\n", doc->meta[i].label,
			   doc->meta[i].value ? doc->meta[i].value : "");
	for (i = 0; i < doc->ntables; i++)
		text_table(doc->tables[i], out);
}

/* --- CSV ----------------------------------------------------------------- */

/*
 * A cell that a spreadsheet would read as a formula: one that begins
 * with = + - @ (Excel, LibreOffice, Google Sheets), or with a tab or a
 * carriage return, which some of them skip before looking.  The quote
 * itself is in the list so that the rule can be undone without doubt:
 * a cell that begins with ' always had one added (OWASP, "CSV
 * Injection").
 */
static int
csv_formula_like(const char *s)
{
	return s[0] != '\0' && strchr("=+-@\t\r'", s[0]) != NULL;
}

void
format_csv_field(struct buf *out, const char *s)
{
	const char *p;
	int formula;

	if (s == NULL)
		return;
	formula = csv_formula_like(s);
	if (strpbrk(s, ",\"\r\n") == NULL) {
		if (formula)
			buf_putc(out, '\'');
		buf_puts(out, s);
		return;
	}
	buf_putc(out, '"');
	if (formula)
		buf_putc(out, '\'');
	for (p = s; *p != '\0'; p++) {
		if (*p == '"')
			buf_putc(out, '"');
		buf_putc(out, *p);
	}
	buf_putc(out, '"');
}

/* -?digits[.digits][(e|E)[+-]digits], as printf and PostgreSQL write
 * numbers: nothing a spreadsheet could take for a formula. */
static int
csv_plain_number(const char *s)
{
	const char *p = s;

	if (*p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		if (*++p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (*p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

void
format_csv_number(struct buf *out, const char *s)
{
	if (s != NULL && csv_plain_number(s))
		buf_puts(out, s);
	else
		format_csv_field(out, s);
}

struct csv_ctx {
	struct buf *out;
	const struct rtable *t;
	const struct rrow *r;
	size_t col;
};

/* One line: the cell's coordinates, then statistic, value, note. */
static void
csv_stat(const struct csv_ctx *x, const char *stat, const char *value,
	 const char *note)
{
	struct buf *out = x->out;

	format_csv_field(out, x->t->key);
	buf_putc(out, ',');
	format_csv_field(out, x->r->var_key);
	buf_putc(out, ',');
	format_csv_field(out, x->r->var_label);
	buf_putc(out, ',');
	format_csv_field(out, x->r->cat_key);
	buf_putc(out, ',');
	format_csv_field(out, x->r->cat_label);
	buf_putc(out, ',');
	format_csv_field(out, x->t->cols[x->col].key);
	buf_putc(out, ',');
	format_csv_field(out, x->t->cols[x->col].label);
	buf_putc(out, ',');
	format_csv_field(out, stat);
	buf_putc(out, ',');
	/* computed figures (a negative statistic stays a number); any
	 * other text in this column is neutralised as everywhere */
	format_csv_number(out, value);
	buf_putc(out, ',');
	format_csv_field(out, note);
	buf_puts(out, "\r\n");
}

static void
csv_num(const struct csv_ctx *x, const char *stat, double v)
{
	char s[64];

	if (isnan(v))
		return;
	snprintf(s, sizeof(s), "%.10g", v);
	csv_stat(x, stat, s, NULL);
}

static void
csv_cell(const struct csv_ctx *x, const struct rcell *c)
{
	const char *m;
	char s[64];

	if (c->suppressed) {
		csv_stat(x, "n", "", "suppressed");
		return;
	}
	switch (c->kind) {
	case RCELL_NONE:
		break;
	case RCELL_TEXT:
		csv_stat(x, "text", "", c->text);
		break;
	case RCELL_COUNT:
		csv_num(x, "n", (double)c->n);
		break;
	case RCELL_PROP:
		csv_num(x, "n", (double)c->n);
		csv_num(x, "total", (double)c->total);
		csv_num(x, "percent", c->pct);
		if (c->has_ci) {
			csv_num(x, "ci95_low", c->lo);
			csv_num(x, "ci95_high", c->hi);
		}
		break;
	case RCELL_SUMMARY:
		csv_num(x, "n", (double)c->n);
		if (c->n == 0)
			break;
		csv_num(x, "median", c->median);
		if (!c->hide_range) {
			csv_num(x, "min", c->min);
			csv_num(x, "max", c->max);
		}
		csv_num(x, "mean", c->mean);
		break;
	case RCELL_TEST:
		if (c->text != NULL) {
			/* no test, and why */
			csv_stat(x, "p", "", c->text);
			break;
		}
		/* the method rides in the note, so value stays numeric */
		m = c->test.method == STATS_FISHER ? "fisher" : "chisq";
		snprintf(s, sizeof(s), "%.10g", c->test.p);
		csv_stat(x, "p", s, m);
		if (!isnan(c->test.statistic)) {
			snprintf(s, sizeof(s), "%.10g", c->test.statistic);
			csv_stat(x, "statistic", s, m);
			snprintf(s, sizeof(s), "%d", c->test.df);
			csv_stat(x, "df", s, m);
		}
		if (!isnan(c->test.cramers_v)) {
			snprintf(s, sizeof(s), "%.10g", c->test.cramers_v);
			csv_stat(x, "cramers_v", s, "no continuity correction");
		}
		if (c->has_p_adj) {
			snprintf(s, sizeof(s), "%.10g", c->p_adj);
			csv_stat(x, "p_adjusted", s,
				 stats_adjust_name(c->adjust));
		}
		break;
	}
}

static void
render_csv(const struct rdoc *doc, struct buf *out)
{
	size_t i, j, k;

	buf_puts(out, "table,variable,variable_label,category,category_label,"
		 "column,column_label,statistic,value,note\r\n");
	for (i = 0; i < doc->ntables; i++) {
		const struct rtable *t = doc->tables[i];

		for (j = 0; j < t->nrows; j++)
			for (k = 0; k < t->ncols; k++) {
				struct csv_ctx x = { out, t, &t->rows[j], k };

				csv_cell(&x, &t->rows[j].cells[k]);
			}
	}
}

/* --- Markdown ------------------------------------------------------------ */

/* Cell text safe in a pipe table: | escaped, no HTML, no newline. */
static void
md_text(struct buf *out, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '|':
			buf_puts(out, "\\|");
			break;
		case '\\':
		case '*':
		case '_':
		case '`':
		case '[':
		case ']':
			buf_putc(out, '\\');
			buf_putc(out, *s);
			break;
		case '<':
			buf_puts(out, "&lt;");
			break;
		case '>':
			buf_puts(out, "&gt;");
			break;
		case '&':
			buf_puts(out, "&amp;");
			break;
		case '\n':
		case '\r':
			buf_putc(out, ' ');
			break;
		default:
			buf_putc(out, *s);
		}
	}
}

static void
render_markdown(const struct rdoc *doc, struct buf *out)
{
	struct buf cell = BUF_INIT(BUF_MAX_TEXT);
	size_t i, j, k;

	buf_puts(out, "# ");
	md_text(out, doc->title);
	buf_puts(out, "\n\n");
	for (i = 0; i < doc->nmeta; i++) {
		buf_puts(out, "- **");
		md_text(out, doc->meta[i].label);
		buf_puts(out, "** : ");
		md_text(out, doc->meta[i].value);
		buf_putc(out, '\n');
	}
	for (i = 0; i < doc->ntables; i++) {
		const struct rtable *t = doc->tables[i];

		buf_puts(out, "\n## ");
		md_text(out, t->title);
		buf_puts(out, "\n\n| |");
		for (k = 0; k < t->ncols; k++) {
			buf_putc(out, ' ');
			md_text(out, t->cols[k].label);
			buf_puts(out, " |");
		}
		buf_puts(out, "\n|---|");
		for (k = 0; k < t->ncols; k++)
			buf_puts(out, "---:|");
		buf_putc(out, '\n');
		for (j = 0; j < t->nrows; j++) {
			const struct rrow *r = &t->rows[j];

			buf_puts(out, "| ");
			if (r->cat_label != NULL) {
				buf_puts(out, "&nbsp;&nbsp;");
				md_text(out, r->cat_label);
			} else {
				buf_puts(out, "**");
				md_text(out, r->var_label);
				buf_puts(out, "**");
			}
			buf_puts(out, " |");
			for (k = 0; k < t->ncols; k++) {
				buf_reuse(&cell, out);
				format_cell(&r->cells[k], &cell);
				buf_putc(out, ' ');
				md_text(out, buf_str(&cell));
				buf_puts(out, " |");
			}
			buf_putc(out, '\n');
		}
		if (t->note != NULL) {
			buf_puts(out, "\n");
			md_text(out, t->note);
			buf_putc(out, '\n');
		}
	}
	if (cell.failed)
		out->failed = 1;
	buf_free(&cell);
}

/* --- JSON ---------------------------------------------------------------- */

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
		bad |= format_json_add(o, "suppressed",
				       json_object_new_boolean(1));
		goto out;
	}
	switch (c->kind) {
	case RCELL_NONE:
		bad |= add_str(o, "type", "empty");
		break;
	case RCELL_TEXT:
		bad |= add_str(o, "type", "text");
		bad |= add_str(o, "text", c->text);
		break;
	case RCELL_COUNT:
		bad |= add_str(o, "type", "count");
		bad |= add_int(o, "n", c->n);
		break;
	case RCELL_PROP:
		bad |= add_str(o, "type", "proportion");
		bad |= add_int(o, "n", c->n);
		bad |= add_int(o, "total", c->total);
		bad |= add_num(o, "percent", c->pct);
		if (c->has_ci) {
			bad |= add_num(o, "ci95_low", c->lo);
			bad |= add_num(o, "ci95_high", c->hi);
		}
		break;
	case RCELL_SUMMARY:
		bad |= add_str(o, "type", "summary");
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
	case RCELL_TEST:
		bad |= add_str(o, "type", "test");
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
	for (i = 0; i < doc->nmeta && !bad; i++)
		bad |= add_str(meta, doc->meta[i].key, doc->meta[i].value);
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

/* --- dispatch ------------------------------------------------------------ */

enum msp_status
format_render(const struct rdoc *doc, enum format_kind kind, struct buf *out,
	      struct msp_error *err)
{
	switch (kind) {
	case FORMAT_TEXT:
		render_text(doc, out);
		break;
	case FORMAT_CSV:
		render_csv(doc, out);
		break;
	case FORMAT_JSON:
		render_json(doc, out);
		break;
	case FORMAT_MARKDOWN:
		render_markdown(doc, out);
		break;
	case FORMAT_HTML:
		format_html(doc, out);
		break;
	}
	return buf_status(out, err);
}
