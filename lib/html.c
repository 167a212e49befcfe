/*
 * html — escaping for HTML text and attribute values.
 */
#include "config.h"

#include <string.h>

#include "html.h"

void
html_escape(struct buf *b, const char *s)
{
	const char *run = s;

	for (; *s; s++) {
		const char *ref;

		switch (*s) {
		case '&': ref = "&amp;"; break;
		case '<': ref = "&lt;"; break;
		case '>': ref = "&gt;"; break;
		case '"': ref = "&quot;"; break;
		case '\'': ref = "&#39;"; break;
		default: continue;
		}
		buf_append(b, run, (size_t)(s - run));
		buf_puts(b, ref);
		run = s + 1;
	}
	buf_append(b, run, (size_t)(s - run));
}
