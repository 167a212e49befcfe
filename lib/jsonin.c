/*
 * jsonin — JSON from outside, checked before json-c sees it.
 *
 * The walker follows RFC 8259 section by section; it builds nothing
 * but, for each object, the list of its member names (decoded, since
 * "a" and "\u0061" are the same name) to find duplicates.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsonin.h"
#include "utf8.h"

struct walker {
	const unsigned char *p;
	const unsigned char *start;
	const unsigned char *end;
	int depth;
	struct msp_error *err;
};

static enum msp_status walk_value(struct walker *w);

static enum msp_status
fail(struct walker *w, const char *what)
{
	return msp_error_set(w->err, MSP_EINVAL, "byte %zu: %s",
			     (size_t)(w->p - w->start), what);
}

/* RFC 8259 §2: insignificant whitespace. */
static void
skip_ws(struct walker *w)
{
	while (w->p < w->end && (*w->p == ' ' || *w->p == '\t' ||
				 *w->p == '\n' || *w->p == '\r'))
		w->p++;
}

static int
hex4(const unsigned char *p, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		unsigned char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	*out = v;
	return 0;
}

static void
put_utf8(struct buf *b, unsigned long cp)
{
	char u[4];

	if (cp < 0x80) {
		buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, u, 4);
	}
}

/*
 * RFC 8259 §7: a string, w->p on its opening quote.  Its decoded value
 * goes to out when out is not NULL (member names).
 */
static enum msp_status
walk_string(struct walker *w, struct buf *out)
{
	w->p++;
	for (;;) {
		const unsigned char *run = w->p;
		size_t ok;

		while (w->p < w->end && *w->p != '"' && *w->p != '\\' &&
		       *w->p >= 0x20)
			w->p++;
		ok = utf8_valid_prefix((const char *)run,
					      (size_t)(w->p - run));
		if (ok != (size_t)(w->p - run)) {
			w->p = run + ok;
			return fail(w, "invalid UTF-8");
		}
		if (out)
			buf_append(out, run, (size_t)(w->p - run));
		if (w->p >= w->end)
			return fail(w, "unterminated string");
		if (*w->p == '"') {
			w->p++;
			return MSP_OK;
		}
		if (*w->p < 0x20)
			return fail(w, "control character in string");
		/* an escape */
		if (w->end - w->p < 2)
			return fail(w, "unterminated string");
		switch (w->p[1]) {
		case '"': case '\\': case '/':
			if (out)
				buf_putc(out, (char)w->p[1]);
			w->p += 2;
			break;
		case 'b': case 'f': case 'n': case 'r': case 't':
			if (out)
				buf_putc(out, (char)w->p[1]);
			w->p += 2;
			break;
		case 'u': {
			unsigned hi, lo;
			unsigned long cp;

			if (w->end - w->p < 6 || hex4(w->p + 2, &hi) != 0)
				return fail(w, "bad \\u escape");
			w->p += 6;
			cp = hi;
			if (hi >= 0xdc00 && hi <= 0xdfff)
				return fail(w, "lone low surrogate");
			if (hi >= 0xd800 && hi <= 0xdbff) {
				if (w->end - w->p < 6 || w->p[0] != '\\' ||
				    w->p[1] != 'u' ||
				    hex4(w->p + 2, &lo) != 0 ||
				    lo < 0xdc00 || lo > 0xdfff)
					return fail(w, "lone high surrogate");
				w->p += 6;
				cp = 0x10000 + ((unsigned long)(hi - 0xd800)
						<< 10) + (lo - 0xdc00);
			}
			if (cp == 0)
				return fail(w, "NUL character in string");
			if (out)
				put_utf8(out, cp);
			break;
		}
		default:
			return fail(w, "bad escape in string");
		}
	}
}

/* RFC 8259 §6: -? int frac? exp? */
static enum msp_status
walk_number(struct walker *w)
{
	if (w->p < w->end && *w->p == '-')
		w->p++;
	if (w->p >= w->end)
		return fail(w, "bad number");
	if (*w->p == '0') {
		w->p++;
	} else if (*w->p >= '1' && *w->p <= '9') {
		while (w->p < w->end && *w->p >= '0' && *w->p <= '9')
			w->p++;
	} else {
		return fail(w, "bad number");
	}
	if (w->p < w->end && *w->p == '.') {
		w->p++;
		if (w->p >= w->end || *w->p < '0' || *w->p > '9')
			return fail(w, "bad number");
		while (w->p < w->end && *w->p >= '0' && *w->p <= '9')
			w->p++;
	}
	if (w->p < w->end && (*w->p == 'e' || *w->p == 'E')) {
		w->p++;
		if (w->p < w->end && (*w->p == '+' || *w->p == '-'))
			w->p++;
		if (w->p >= w->end || *w->p < '0' || *w->p > '9')
			return fail(w, "bad number");
		while (w->p < w->end && *w->p >= '0' && *w->p <= '9')
			w->p++;
	}
	return MSP_OK;
}

static enum msp_status
walk_literal(struct walker *w, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(w->end - w->p) < n || memcmp(w->p, word, n) != 0)
		return fail(w, "unexpected character");
	w->p += n;
	return MSP_OK;
}

/* RFC 8259 §4: an object; member names must be unique (the RFC says
 * SHOULD; we make it MUST). */
static enum msp_status
walk_object(struct walker *w)
{
	/* NUL-separated decoded names: at most the document */
	struct buf names = BUF_INIT(BUF_MAX_DOCUMENT);
	struct buf name = BUF_INIT(BUF_MAX_TEXT);
	enum msp_status st = MSP_OK;

	w->p++;
	skip_ws(w);
	if (w->p < w->end && *w->p == '}') {
		w->p++;
		goto out;
	}
	for (;;) {
		const unsigned char *name_at;
		const char *seen, *names_end;

		skip_ws(w);
		if (w->p >= w->end || *w->p != '"') {
			st = fail(w, "expected a member name");
			goto out;
		}
		name_at = w->p;
		buf_reset(&name);
		st = walk_string(w, &name);
		if (st != MSP_OK)
			goto out;
		if ((st = buf_status(&name, w->err)) != MSP_OK)
			goto out;
		seen = buf_str(&names);
		names_end = seen + names.len;
		while (seen < names_end) {
			size_t n = strlen(seen);

			if (n == name.len &&
			    memcmp(seen, buf_str(&name), n) == 0) {
				w->p = name_at;
				st = fail(w, "duplicate member name");
				goto out;
			}
			seen += n + 1;
		}
		/* names holding a NUL are refused by walk_string */
		buf_append(&names, buf_str(&name), name.len + 1);
		if ((st = buf_status(&names, w->err)) != MSP_OK)
			goto out;
		skip_ws(w);
		if (w->p >= w->end || *w->p != ':') {
			st = fail(w, "expected ':'");
			goto out;
		}
		w->p++;
		st = walk_value(w);
		if (st != MSP_OK)
			goto out;
		skip_ws(w);
		if (w->p < w->end && *w->p == ',') {
			w->p++;
			continue;
		}
		if (w->p < w->end && *w->p == '}') {
			w->p++;
			goto out;
		}
		st = fail(w, "expected ',' or '}'");
		goto out;
	}
out:
	buf_free(&names);
	buf_free(&name);
	return st;
}

/* RFC 8259 §5 */
static enum msp_status
walk_array(struct walker *w)
{
	enum msp_status st;

	w->p++;
	skip_ws(w);
	if (w->p < w->end && *w->p == ']') {
		w->p++;
		return MSP_OK;
	}
	for (;;) {
		st = walk_value(w);
		if (st != MSP_OK)
			return st;
		skip_ws(w);
		if (w->p < w->end && *w->p == ',') {
			w->p++;
			continue;
		}
		if (w->p < w->end && *w->p == ']') {
			w->p++;
			return MSP_OK;
		}
		return fail(w, "expected ',' or ']'");
	}
}

/* RFC 8259 §3 */
static enum msp_status
walk_value(struct walker *w)
{
	enum msp_status st;

	skip_ws(w);
	if (w->p >= w->end)
		return fail(w, "unexpected end of input");
	switch (*w->p) {
	case '{':
	case '[':
		if (++w->depth > JSONIN_MAX_DEPTH)
			return fail(w, "nesting too deep");
		st = *w->p == '{' ? walk_object(w) : walk_array(w);
		w->depth--;
		return st;
	case '"':
		return walk_string(w, NULL);
	case 't':
		return walk_literal(w, "true");
	case 'f':
		return walk_literal(w, "false");
	case 'n':
		return walk_literal(w, "null");
	default:
		if (*w->p == '-' || (*w->p >= '0' && *w->p <= '9'))
			return walk_number(w);
		return fail(w, "unexpected character");
	}
}

enum msp_status
jsonin_parse(const char *text, size_t len, struct json_object **out,
	     struct msp_error *err)
{
	struct walker w = {
		.p = (const unsigned char *)text,
		.start = (const unsigned char *)text,
		.end = (const unsigned char *)text + len,
		.depth = 0,
		.err = err,
	};
	struct json_tokener *tok = NULL;
	struct json_object *obj = NULL;
	enum msp_status st;

	*out = NULL;
	if (len > INT_MAX)	/* json-c takes an int length */
		return msp_error_set(err, MSP_EINVAL, "JSON text too long");
	if (len > 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		return msp_error_set(err, MSP_EINVAL,
				     "byte 0: byte order mark");
	st = walk_value(&w);
	if (st != MSP_OK)
		return st;
	skip_ws(&w);
	if (w.p != w.end)
		return fail(&w, "text after the JSON value");

	/* The walker has proven the text well formed; json-c's limits are
	 * set one step wider so they can never be the ones that refuse. */
	tok = json_tokener_new_ex(JSONIN_MAX_DEPTH + 1);
	if (tok == NULL)
		return msp_error_set(err, MSP_ENOMEM, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, text, (int)len);
	/* A number at the very end may still be growing: a NUL ends it. */
	if (obj == NULL &&
	    json_tokener_get_error(tok) == json_tokener_continue)
		obj = json_tokener_parse_ex(tok, "", 1);
	/* json-c's null is NULL, with success: the text was "null". */
	if (obj == NULL &&
	    json_tokener_get_error(tok) != json_tokener_success) {
		/* json-c has no error code for a failed allocation */
		st = msp_error_set(err, MSP_EINVAL, "JSON: %s",
				   json_tokener_error_desc(
					   json_tokener_get_error(tok)));
		goto out;
	}
	*out = obj;
out:
	json_tokener_free(tok);
	return st;
}
