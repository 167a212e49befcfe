/*
 * format_int.h — private to lib/report/'s renderers, as curl's
 * vtls_int.h is to lib/vtls/.
 *
 * Each renderer (format_text.c, format_csv.c, format_json.c,
 * format_markdown.c, format_html.c) exports one struct format_renderer;
 * format.c holds the table of them and dispatches through it.  The
 * dependencies point one way: format.c knows the renderers, the
 * renderers know only format_cell.c's helpers (format.h), never
 * format.c nor each other.
 */
#ifndef MSP_FORMAT_INT_H
#define MSP_FORMAT_INT_H

#include "format.h"

struct format_renderer {
	const char *name;	/* as --format takes it: "text", "csv", ... */
	/*
	 * Appends doc to out.  Never fails on its own: an allocation that
	 * fails marks out failed (out->failed), which format_render()
	 * reports through buf_status(); out's content is then incomplete.
	 */
	void (*render)(const struct rdoc *doc, struct buf *out);
};

extern const struct format_renderer format_renderer_text;
extern const struct format_renderer format_renderer_csv;
extern const struct format_renderer format_renderer_json;
extern const struct format_renderer format_renderer_markdown;
extern const struct format_renderer format_renderer_html;

#endif
