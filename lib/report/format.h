/*
 * format — a report_doc in the form its reader wants.
 *
 *   text      aligned tables for a terminal
 *   csv       tidy long CSV (RFC 4180): one statistic per row, with the
 *             table, variable, category and column it belongs to, ready
 *             for R's read.csv or pandas.read_csv
 *   json      the document's structure, typed numbers
 *   markdown  pipe tables
 *   html      one self-contained page (inline CSS and SVG bar charts, no
 *             external resource), every text escaped
 *
 * Renderers only append to a struct buf: the caller checks buf_status()
 * once and decides where the bytes go.
 */
#ifndef MSP_FORMAT_H
#define MSP_FORMAT_H

#include "buf.h"
#include "msp_error.h"
#include "report_doc.h"

enum format_kind {
	FORMAT_TEXT,
	FORMAT_CSV,
	FORMAT_JSON,
	FORMAT_MARKDOWN,
	FORMAT_HTML,
};

/* Parses "text", "csv", ...; -1 if none. */
int format_parse(const char *name);

/* "text", "csv", ... */
const char *format_name(enum format_kind kind);

/*
 * Appends doc rendered as kind to out.  Fails with MSP_ENOMEM (the
 * buffer's or json-c's allocations); out's content is then incomplete.
 */
enum msp_status format_render(const struct rdoc *doc, enum format_kind kind,
			      struct buf *out, struct msp_error *err);

/*
 * The HTML format without its page: the document's metadata list and
 * its tables (headings from h2, each table with a caption, headers with
 * their scope, in a box that scrolls sideways on its own), for a page
 * of the caller's own (the web pages, fcgi/pages.c) that brings its h1
 * and format_html_style.  Never fails on its own: an allocation that
 * fails marks out failed.
 */
void format_html_body(const struct rdoc *doc, struct buf *out);

/* The CSS format_html_body()'s markup needs. */
extern const char format_html_style[];

/* The cell as the text formats show it: "4 (40.00%) [16.8–68.7]",
 * "0.383 Fisher", format_hidden()'s mark when suppressed.  Appends to
 * out. */
void format_cell(const struct rcell *c, struct buf *out);

/* A hidden cell as every format shows it: "< 5" for a count hidden
 * for itself (rcell.below), "s" for one hidden to protect another. */
void format_hidden(const struct rcell *c, struct buf *out);

/*
 * When t has a hidden cell, appends the legend that explains both marks
 * (one sentence, French, no newline) and returns 1; else 0 and nothing.
 */
int format_hidden_legend(const struct rtable *t, struct buf *out);

/* p-value for people: "0.383", "<0.001". */
void format_p(double p, struct buf *out);

struct json_object;

/*
 * Adds val to obj under key, taking ownership of val either way; json-c
 * reports allocation failures by returning NULL (or nonzero from
 * json_object_object_add), which this turns into one flag: nonzero on
 * failure, so that callers can OR the results of a series of adds.
 */
int format_json_add(struct json_object *obj, const char *key,
		    struct json_object *val);

#endif
