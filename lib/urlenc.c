/*
 * urlenc — application/x-www-form-urlencoded bodies and query strings.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"
#include "urlenc.h"
#include "utf8.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes s[0..len) into a new string in *out; -1 on a bad escape,
 * -2 on out of memory, -3 on a NUL byte or invalid UTF-8. */
static int
decode(const char *s, size_t len, char **out)
{
	char *d = msp_malloc(len + 1);
	size_t i, n = 0;

	*out = NULL;
	if (d == NULL)
		return -2;
	for (i = 0; i < len; i++) {
		if (s[i] == '+') {
			d[n++] = ' ';
		} else if (s[i] == '%') {
			int hi, lo;

			if (len - i < 3 || (hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0) {
				free(d);
				return -1;
			}
			d[n++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			d[n++] = s[i];
		}
	}
	d[n] = '\0';
	if (memchr(d, '\0', n) != NULL ||
	    utf8_valid_prefix(d, n) != n) {
		free(d);
		return -3;
	}
	*out = d;
	return 0;
}

enum msp_status
urlenc_parse(const char *s, size_t len, struct urlenc *out,
	     struct msp_error *err)
{
	size_t pos = 0;

	out->fields = NULL;
	out->n = 0;
	while (pos < len) {
		const char *part = s + pos, *amp, *eq;
		size_t plen, nlen;
		struct urlenc_field *f;
		int rc;

		amp = memchr(part, '&', len - pos);
		plen = amp ? (size_t)(amp - part) : len - pos;
		pos += plen + 1;
		if (plen == 0)
			continue;
		if (out->n == URLENC_MAX_FIELDS)
			return msp_error_set(err, MSP_EINVAL,
					     "more than %d fields",
					     URLENC_MAX_FIELDS);
		f = msp_realloc(out->fields, (out->n + 1) * sizeof(*f));
		if (f == NULL)
			return msp_error_set(err, MSP_ENOMEM,
					     "out of memory");
		out->fields = f;
		f = &out->fields[out->n];
		f->name = f->value = NULL;
		eq = memchr(part, '=', plen);
		nlen = eq ? (size_t)(eq - part) : plen;
		rc = decode(part, nlen, &f->name);
		if (rc == 0) {
			out->n++;
			rc = eq ? decode(eq + 1, plen - nlen - 1, &f->value)
				: decode("", 0, &f->value);
		}
		if (rc == -2)
			return msp_error_set(err, MSP_ENOMEM,
					     "out of memory");
		if (rc != 0)
			return msp_error_set(
				err, MSP_EINVAL, "field %zu%s%s%s: %s",
				out->n + (f->name ? 0 : 1),
				f->name ? " (" : "", f->name ? f->name : "",
				f->name ? ")" : "",
				rc == -1 ? "bad %-escape"
					 : "not UTF-8 text");
	}
	return MSP_OK;
}

const char *
urlenc_get(const struct urlenc *u, const char *name)
{
	size_t i;

	for (i = 0; i < u->n; i++)
		if (strcmp(u->fields[i].name, name) == 0)
			return u->fields[i].value;
	return NULL;
}

void
urlenc_free(struct urlenc *u)
{
	size_t i;

	for (i = 0; i < u->n; i++) {
		free(u->fields[i].name);
		free(u->fields[i].value);
	}
	free(u->fields);
	u->fields = NULL;
	u->n = 0;
}

void
urlenc_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			buf_putc(b, (char)c);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };

			buf_append(b, e, 3);
		}
	}
}
