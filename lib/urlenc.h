/*
 * urlenc — application/x-www-form-urlencoded bodies and query strings.
 *
 * Parsed as the WHATWG URL standard's "application/x-www-form-urlencoded
 * parser" does (split on '&', first '=' separates name from value, '+'
 * is a space, %XX decodes a byte), then checked: the decoded bytes must
 * be UTF-8 without NUL, and the number of fields is capped.
 */
#ifndef MSP_URLENC_H
#define MSP_URLENC_H

#include <stddef.h>

#include "msp_error.h"

#define URLENC_MAX_FIELDS 1000

struct urlenc_field {
	char *name;
	char *value;
};

struct urlenc {
	struct urlenc_field *fields;	/* in the order given */
	size_t n;
};

/*
 * Parses len bytes of s into *out (urlenc_free() it, also on failure).
 * Fails with MSP_EINVAL naming the field for a bad %-escape, invalid
 * UTF-8, a NUL byte or too many fields; MSP_ENOMEM.
 */
enum msp_status urlenc_parse(const char *s, size_t len, struct urlenc *out,
			     struct msp_error *err);

/* The value of the first field called name, or NULL. */
const char *urlenc_get(const struct urlenc *u, const char *name);

void urlenc_free(struct urlenc *u);

/* Appends s percent-encoded for a URL path segment or query value. */
struct buf;
void urlenc_encode(struct buf *b, const char *s);

#endif
