/*
 * format_text — a report as aligned tables for a terminal.
 */
#include "config.h"

#include <stdlib.h>

#include "alloc.h"
#include "format_int.h"

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

/*
 * Whether column j holds numbers only (counts, proportions, summaries,
 * estimates; a hidden cell prints « < 5 »): such a column is aligned
 * right, its header too, so that units sit under units as in
 * cli_print_table().  A column with any text stays left-aligned.
 */
static int
numeric_column(const struct rtable *t, size_t j)
{
	size_t i;
	int any = 0;

	for (i = 0; i < t->nrows; i++) {
		const struct rcell *c = &t->rows[i].cells[j];

		if (c->suppressed)
			continue;
		switch (c->kind) {
		case RCELL_NONE:
			break;
		case RCELL_COUNT:
		case RCELL_PROP:
		case RCELL_SUMMARY:
		case RCELL_WEIGHTED:
		case RCELL_NUMBER:
			any = 1;
			break;
		default:
			return 0;
		}
	}
	return any;
}

static void
text_table(const struct rtable *t, struct buf *out)
{
	struct buf cell = BUF_INIT(BUF_MAX_TEXT);
	size_t *w, i, j, lw = 0, end;
	unsigned char *right;

	w = msp_calloc(t->ncols + 1, sizeof(*w));
	right = msp_calloc(t->ncols + 1, sizeof(*right));
	if (w == NULL || right == NULL) {
		free(w);
		free(right);
		out->failed = 1;
		return;
	}
	for (j = 0; j < t->ncols; j++)
		right[j] = (unsigned char)numeric_column(t, j);
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
		if (right[j])
			pad(out, w[j] - width(label));
		buf_puts(out, label);
		if (!right[j] && j + 1 < t->ncols)
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
			if (right[j])
				pad(out, w[j] - width(buf_str(&cell)));
			buf_puts(out, buf_str(&cell));
			if (!right[j] && j + 1 < end)
				pad(out, w[j] - width(buf_str(&cell)));
		}
		buf_putc(out, '\n');
	}
	if (t->note != NULL)
		buf_printf(out, "%s\n", t->note);
	if (format_hidden_legend(t, out))
		buf_putc(out, '\n');
	if (cell.failed)
		out->failed = 1;
	buf_free(&cell);
	free(w);
	free(right);
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

const struct format_renderer format_renderer_text = {
	"text", render_text
};
