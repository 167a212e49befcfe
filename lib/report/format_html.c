/*
 * format_html — a report as one self-contained HTML page: inline CSS,
 * inline SVG bar charts, no script and no external resource, so that it
 * opens offline and can be mailed.  Every text from the document goes
 * through html_escape(): labels and open answers come from the
 * database and may hold markup.
 */
#include "config.h"

#include <string.h>

#include "format_int.h"
#include "html.h"

/* Labels may be NULL (no label): nothing to show. */
static void
escape(const char *s, struct buf *out)
{
	if (s != NULL)
		html_escape(out, s);
}

/*
 * The page's CSS, also the web pages' (format.h).  Each table sits in a
 * box that scrolls sideways on its own (.scroll), so that a wide table
 * never widens the page on a phone; the box takes the keyboard focus
 * (tabindex) to be scrolled without a mouse, and shows it.
 */
const char format_html_style[] =
	"body{font-family:system-ui,sans-serif;margin:2em auto;"
	"max-width:72em;color:#222;line-height:1.4}"
	"h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em}"
	"dl.meta{display:grid;grid-template-columns:max-content auto;"
	"gap:.2em 1em}dl.meta dt{font-weight:600}dl.meta dd{margin:0}"
	"table{border-collapse:collapse;margin:.5em 0}"
	".scroll{overflow-x:auto;max-width:100%}"
	".scroll:focus,a:focus,button:focus,select:focus,input:focus"
	"{outline:3px solid #1d4ed8;outline-offset:2px}"
	".vh{position:absolute;width:1px;height:1px;overflow:hidden;"
	"clip:rect(0 0 0 0);white-space:nowrap}"
	"th,td{padding:.2em .6em;border-bottom:1px solid #ddd;"
	"vertical-align:top}th{text-align:left;background:#f4f4f4}"
	"td.v{text-align:right;white-space:nowrap}"
	/* on a phone a figure unbroken (« 37 (44.58%) [34.4–55.3] ») made
	 * its column wider than the box: the labels shrank to a word a
	 * line and the figures began beyond the box's right edge until it
	 * was scrolled; broken at its spaces, a one-column table fits */
	"@media (max-width:40em){td.v{white-space:normal;min-width:6em}"
	"tbody th{min-width:7em}}"
	"tr.var th{background:none;padding-top:.7em}"
	"th.cat{padding-left:1.6em;font-weight:normal;background:none}"
	".s{color:#a00}p.note{font-size:.9em;color:#555;"
	"white-space:pre-line}svg text{font-size:11px;"
	"font-family:system-ui,sans-serif}";

/* Bar colours, one per column of a chart. */
static const char *const palette[] = {
	"#3b6ea5", "#e07b39", "#5a9e6f", "#9467bd", "#c44e52", "#8c8c8c",
};

/* Chart labels longer than this (in characters) are cut with "…". */
#define CHART_LABEL_MAX 44

/* Whether the chart draws cell c: a percentage in a chart of
 * percentages, else a count. */
static int
drawable(const struct rcell *c, int percent)
{
	return !c->suppressed &&
	       c->kind == (percent ? RCELL_PROP : RCELL_COUNT);
}

static double
bar_value(const struct rcell *c, int percent)
{
	return percent ? c->pct : (double)c->n;
}

/* Appends label escaped, cut to max characters. */
static void
chart_label(const char *label, size_t max, struct buf *out)
{
	struct buf cut = BUF_INIT(BUF_MAX_TEXT);
	size_t chars = 0;
	const char *p;

	for (p = label != NULL ? label : ""; *p != '\0'; p++) {
		if (((unsigned char)*p & 0xC0) != 0x80 &&
		    ++chars > max) {
			buf_puts(&cut, "…");
			break;
		}
		buf_putc(&cut, *p);
	}
	escape(buf_str(&cut), out);
	if (cut.failed)
		out->failed = 1;
	buf_free(&cut);
}

/* The height of a variable's heading in a chart of several. */
#define CHART_HEADING_H 20

/*
 * A horizontal bar chart of t: one group of bars per category row, one
 * bar per column that has something to draw, scaled to 100 % (or to
 * the largest count).  A chart of percentages draws only percentages:
 * excluded answers (counts without a denominator) and the missing line
 * stay in the table.  A table of several variables (the involvement
 * items) heads each one's bars with its label, so that « Oui » of one
 * is not read as « Oui » of another.  The table that follows the chart
 * is its text alternative, and the chart says so (desc).
 */
static void
chart(const struct rtable *t, struct buf *out)
{
	const double label_w = 290, bar_w = 360, bar_h = 14, gap = 8;
	size_t i, j, nrows = 0, ncols = 0, nvars = 0, cols[8];
	const struct rrow *var = NULL;	/* its heading not yet drawn */
	double max = 0, y;
	int percent = 0;

	for (i = 0; i < t->nrows; i++)
		for (j = 0; j < t->ncols && t->rows[i].cat_key != NULL; j++)
			percent |= t->rows[i].cells[j].kind == RCELL_PROP;
	for (j = 0; j < t->ncols && ncols < 8; j++) {
		int any = 0;

		for (i = 0; i < t->nrows; i++)
			if (t->rows[i].cat_key != NULL &&
			    drawable(&t->rows[i].cells[j], percent))
				any = 1;
		if (any)
			cols[ncols++] = j;
	}
	for (i = 0; i < t->nrows; i++) {
		const struct rrow *r = &t->rows[i];

		if (r->cat_key == NULL)
			var = r;
		if (r->cat_key == NULL || r->cat_key[0] == '\0')
			continue;
		if (var != NULL) {	/* a variable with bars */
			nvars++;
			var = NULL;
		}
		for (j = 0; j < ncols; j++)
			if (drawable(&r->cells[cols[j]], percent)) {
				double v = bar_value(&r->cells[cols[j]],
						     percent);

				if (v > max)
					max = v;
				break;
			}
		nrows++;
	}
	if (nrows == 0 || ncols == 0)
		return;
	if (percent)
		max = 100;
	if (max <= 0)
		max = 1;
	if (nvars < 2)
		nvars = 0;
	buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
		   "role=\"img\" width=\"%.0f\" height=\"%.0f\">\n<title>",
		   label_w + bar_w + 80,
		   (double)nrows * ((double)ncols * bar_h + gap) + gap +
		   (double)nvars * CHART_HEADING_H + (double)ncols * 16 + 8);
	escape(t->title, out);
	buf_puts(out, "</title>\n<desc>Diagramme en barres ; ses valeurs "
		 "sont dans le tableau qui le suit.</desc>\n");
	y = gap;
	var = NULL;
	for (i = 0; i < t->nrows; i++) {
		const struct rrow *r = &t->rows[i];

		if (r->cat_key == NULL)
			var = r;
		if (r->cat_key == NULL || r->cat_key[0] == '\0')
			continue;
		if (nvars > 0 && var != NULL) {
			buf_printf(out, "<text x=\"0\" y=\"%.1f\" "
				   "font-weight=\"bold\">", y + 12);
			chart_label(var->var_label, 2 * CHART_LABEL_MAX, out);
			buf_puts(out, "</text>\n");
			y += CHART_HEADING_H;
		}
		var = NULL;
		buf_printf(out, "<text x=\"%.0f\" y=\"%.1f\" "
			   "text-anchor=\"end\">", label_w - 6,
			   y + (double)ncols * bar_h / 2 + 4);
		chart_label(r->cat_label, CHART_LABEL_MAX, out);
		buf_puts(out, "</text>\n");
		for (j = 0; j < ncols; j++) {
			const struct rcell *c = &r->cells[cols[j]];
			int draw = drawable(c, percent);
			double v = draw ? bar_value(c, percent) : 0;
			double w = bar_w * v / max;

			buf_printf(out, "<rect x=\"%.0f\" y=\"%.1f\" "
				   "width=\"%.1f\" height=\"%.0f\" "
				   "fill=\"%s\"><title>", label_w, y, w,
				   bar_h - 2, palette[j % 6]);
			escape(t->cols[cols[j]].label, out);
			buf_puts(out, "</title></rect>\n");
			buf_printf(out, "<text x=\"%.1f\" y=\"%.1f\">",
				   label_w + w + 4, y + bar_h - 4);
			if (c->suppressed)
				format_hidden(c, out);
			else if (draw && percent)
				buf_printf(out, "%.1f %%", v);
			else if (draw)
				buf_printf(out, "%.0f", v);
			buf_puts(out, "</text>\n");
			y += bar_h;
		}
		y += gap;
	}
	/* the legend: which colour is which column */
	for (j = 0; j < ncols; j++) {
		buf_printf(out, "<rect x=\"%.0f\" y=\"%.1f\" width=\"10\" "
			   "height=\"10\" fill=\"%s\"/><text x=\"%.0f\" "
			   "y=\"%.1f\">", label_w, y, palette[j % 6],
			   label_w + 14, y + 9);
		escape(t->cols[cols[j]].label, out);
		buf_puts(out, "</text>\n");
		y += 16;
	}
	buf_puts(out, "</svg>\n");
}

/*
 * Table number k of the document: its title as a heading (id "t-k",
 * which names the scrolling box for a screen reader) and as the
 * table's caption (hidden: the heading shows it), the columns' headers
 * and each row's marked with their scope.
 */
static void
table(const struct rtable *t, size_t k, struct buf *out)
{
	struct buf cell = BUF_INIT(BUF_MAX_TEXT);
	size_t i, j;

	buf_printf(out, "<section>\n<h2 id=\"t-%zu\">", k);
	escape(t->title, out);
	buf_puts(out, "</h2>\n");
	/* the chart is as wide as the table, or wider: in the box too */
	buf_printf(out, "<div class=\"scroll\" role=\"region\" "
		   "tabindex=\"0\" aria-labelledby=\"t-%zu\">\n", k);
	if (t->chart)
		chart(t, out);
	buf_puts(out, "<table>\n<caption class=\"vh\">");
	escape(t->title, out);
	buf_puts(out, "</caption>\n<thead><tr><td></td>");
	for (j = 0; j < t->ncols; j++) {
		buf_puts(out, "<th scope=\"col\">");
		escape(t->cols[j].label, out);
		buf_puts(out, "</th>");
	}
	buf_puts(out, "</tr></thead>\n<tbody>\n");
	for (i = 0; i < t->nrows; i++) {
		const struct rrow *r = &t->rows[i];

		if (r->cat_label != NULL) {
			buf_puts(out, "<tr><th class=\"cat\" scope=\"row\">");
			escape(r->cat_label, out);
			buf_puts(out, "</th>");
		} else {
			buf_puts(out, "<tr class=\"var\"><th scope=\"row\">");
			escape(r->var_label, out);
			buf_puts(out, "</th>");
		}
		for (j = 0; j < t->ncols; j++) {
			buf_reuse(&cell, out);
			format_cell(&r->cells[j], &cell);
			if (!r->cells[j].suppressed)
				buf_puts(out, "<td class=\"v\">");
			else if (r->cells[j].below > 1)
				buf_printf(out, "<td class=\"v s\" title=\""
					   "effectif de 1 à %u (secret "
					   "primaire)\">",
					   r->cells[j].below - 1);
			else
				buf_puts(out, "<td class=\"v s\" title=\""
					 "masqué sans rien dire de sa valeur "
					 "(secret complémentaire)\">");
			escape(buf_str(&cell), out);
			buf_puts(out, "</td>");
		}
		buf_puts(out, "</tr>\n");
	}
	buf_puts(out, "</tbody>\n</table>\n</div>\n");
	if (t->note != NULL) {
		buf_puts(out, "<p class=\"note\">");
		escape(t->note, out);
		buf_puts(out, "</p>\n");
	}
	buf_reuse(&cell, out);
	if (format_hidden_legend(t, &cell)) {
		buf_puts(out, "<p class=\"note legend\">");
		escape(buf_str(&cell), out);
		buf_puts(out, "</p>\n");
	}
	buf_puts(out, "</section>\n");
	if (cell.failed)
		out->failed = 1;
	buf_free(&cell);
}

void
format_html_body(const struct rdoc *doc, struct buf *out)
{
	size_t i;

	buf_puts(out, "<dl class=\"meta\">\n");
	for (i = 0; i < doc->nmeta; i++) {
		buf_puts(out, "<dt>");
		escape(doc->meta[i].label, out);
		buf_puts(out, "</dt><dd>");
		escape(doc->meta[i].value, out);
		buf_puts(out, "</dd>\n");
	}
	buf_puts(out, "</dl>\n");
	for (i = 0; i < doc->ntables; i++)
		table(doc->tables[i], i + 1, out);
}

static void
render_html(const struct rdoc *doc, struct buf *out)
{
	buf_puts(out, "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n"
		 "<meta charset=\"utf-8\">\n"
		 "<meta name=\"viewport\" content=\"width=device-width\">\n"
		 "<title>");
	escape(doc->title, out);
	buf_printf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n"
		   "<main>\n<h1>", format_html_style);
	escape(doc->title, out);
	buf_puts(out, "</h1>\n");
	format_html_body(doc, out);
	buf_puts(out, "</main>\n</body>\n</html>\n");
}

const struct format_renderer format_renderer_html = {
	"html", render_html
};
