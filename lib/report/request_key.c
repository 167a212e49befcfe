/*
 * request_key — the canonical text of a report request (request_key.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "report/request_key.h"

/* Appends "&name=value" (no '&' when out's length is still start, the
 * key's first field), value %-escaped; "&name" for NULL. */
static void
field(struct buf *out, size_t start, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	if (out->len > start)
		buf_putc(out, '&');
	buf_puts(out, name);
	if (value == NULL)
		return;
	buf_putc(out, '=');
	for (p = (const unsigned char *)value; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("._~,:-", *p) != NULL)
			buf_putc(out, (char)*p);
		else {
			buf_putc(out, '%');
			buf_putc(out, hex[*p >> 4]);
			buf_putc(out, hex[*p & 15]);
		}
	}
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "compare=": list's names, empty ones dropped, sorted, joined by ','
 * (report.c's split_regions reads them so). */
static void
compare_field(struct buf *out, size_t start, const char *list)
{
	struct buf joined = BUF_INIT(BUF_MAX_TEXT);
	char *copy = msp_strdup(list), *p, **names = NULL;
	size_t n = 0, i, cap = 1;

	for (p = copy; p != NULL && *p != '\0'; p++)
		cap += *p == ',';
	if (copy != NULL)
		names = msp_calloc(cap, sizeof(*names));
	if (names == NULL) {
		out->failed = BUF_ENOMEM;
		goto out;
	}
	for (p = copy; *p != '\0';) {
		size_t len = strcspn(p, ",");

		if (len > 0)
			names[n++] = p;
		p += len;
		if (*p == ',')
			*p++ = '\0';
	}
	qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(&joined, ',');
		buf_puts(&joined, names[i]);
	}
	if (joined.failed)
		out->failed = joined.failed;
	field(out, start, "compare", buf_str(&joined));
out:
	buf_free(&joined);
	msp_free(names);
	msp_free(copy);
}

void
report_request_key(const struct report_options *o, struct buf *out)
{
	const size_t start = out->len;
	char num[24];

	if (o->study != NULL)
		field(out, start, "study", o->study);
	else if (o->region != NULL)
		field(out, start, "region", o->region);
	if (o->compare != NULL)
		compare_field(out, start, o->compare);
	if (o->by != NULL) {
		field(out, start, "by", o->by);
		field(out, start, "by_role", o->by_role != NULL ? o->by_role :
		      "characteristic");
	}
	if (o->nonresponse)
		field(out, start, "nonresponse", NULL);
	if (o->has)
		field(out, start, "has", NULL);
	if (o->matrix != NULL)
		field(out, start, "matrix", o->matrix);
	if (o->cooccurrence)
		field(out, start, "cooccurrence", NULL);
	if (o->terms != NULL) {
		field(out, start, "terms", o->terms);
		snprintf(num, sizeof(num), "%u", o->top);
		field(out, start, "top", num);
	}
	if (o->weights != NULL)
		field(out, start, "weights", o->weights);
	field(out, start, "dont_know", o->dont_know == REPORT_KEEP ? "keep" :
	      "exclude");
	field(out, start, "missing", o->missing == REPORT_KEEP ? "keep" :
	      "exclude");
	if (o->by != NULL || o->compare != NULL || o->nonresponse)
		field(out, start, "adjust", stats_adjust_name(o->adjust));
	if (o->as_federation)
		field(out, start, "as_federation", NULL);
	if (o->threshold != 0) {
		snprintf(num, sizeof(num), "%u", o->threshold);
		field(out, start, "threshold", num);
	}
}
