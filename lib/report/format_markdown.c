/*
 * format_markdown — a report as pipe tables.
 */
#include "config.h"

#include "format_int.h"

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
		buf_reuse(&cell, out);
		if (format_hidden_legend(t, &cell)) {
			buf_puts(out, "\n");
			md_text(out, buf_str(&cell));
			buf_putc(out, '\n');
		}
	}
	if (cell.failed)
		out->failed = 1;
	buf_free(&cell);
}

const struct format_renderer format_renderer_markdown = {
	"markdown", render_markdown
};
