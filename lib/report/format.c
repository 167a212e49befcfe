/*
 * format — the table of renderers and the dispatch through it (see
 * format.h; each renderer is in its own format_<name>.c, behind
 * format_int.h).
 */
#include "config.h"

#include <string.h>

#include "format_int.h"

/* Indexed by enum format_kind: one entry per format. */
static const struct format_renderer *const renderers[] = {
	[FORMAT_TEXT] = &format_renderer_text,
	[FORMAT_CSV] = &format_renderer_csv,
	[FORMAT_JSON] = &format_renderer_json,
	[FORMAT_MARKDOWN] = &format_renderer_markdown,
	[FORMAT_HTML] = &format_renderer_html,
};

#define NRENDERERS (sizeof(renderers) / sizeof(renderers[0]))

int
format_parse(const char *name)
{
	size_t i;

	for (i = 0; i < NRENDERERS; i++)
		if (strcmp(name, renderers[i]->name) == 0)
			return (int)i;
	return -1;
}

const char *
format_name(enum format_kind kind)
{
	return renderers[kind]->name;
}

enum msp_status
format_render(const struct rdoc *doc, enum format_kind kind, struct buf *out,
	      struct msp_error *err)
{
	renderers[kind]->render(doc, out);
	return buf_status(out, err);
}
