/*
 * secret — the server secret and what is derived from it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "file.h"
#include "secret.h"

enum msp_status
secret_load(const char *path, struct secret *out, struct msp_error *err)
{
	char *data = NULL;
	size_t len = 0;
	enum msp_status st;

	out->key = NULL;
	out->len = 0;
	if (path == NULL || *path == '\0')
		return msp_error_set(err, MSP_ECONFIG,
				     "no secret file: set MSP_SECRET_FILE");
	st = file_read(path, SECRET_MAX + 1, &data, &len, err);
	if (st != MSP_OK) {
		msp_error_prefix(err, "secret file");
		return st;
	}
	if (len < SECRET_MIN || len > SECRET_MAX) {
		crypto_cleanse(data, len);
		free(data);
		return msp_error_set(err, MSP_ECONFIG,
				     "secret file %s: %zu bytes, want %d to %d"
				     " (e.g. head -c 32 /dev/urandom | "
				     "base64)", path, len, SECRET_MIN,
				     SECRET_MAX);
	}
	out->key = (unsigned char *)data;
	out->len = len;
	return MSP_OK;
}

void
secret_clear(struct secret *s)
{
	if (s->key != NULL) {
		crypto_cleanse(s->key, s->len);
		free(s->key);
	}
	s->key = NULL;
	s->len = 0;
}

static enum msp_status
mac(const struct secret *s, const struct buf *msg,
    char out[CRYPTO_SHA256_HEX], struct msp_error *err)
{
	enum msp_status st = buf_status(msg, err);

	if (st != MSP_OK)
		return st;
	return crypto_hmac_sha256_hex(s->key, s->len, buf_str(msg), msg->len,
				      out, err);
}

/* Latin-1's letters (U+00C0 to U+00FF) without their accents, lower
 * case; NULL for × and ÷, kept as they are. */
static const char *const latin1_fold[64] = {
	"a", "a", "a", "a", "a", "a", "ae", "c",
	"e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", NULL,
	"o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c",
	"e", "e", "e", "e", "i", "i", "i", "i",
	"d", "n", "o", "o", "o", "o", "o", NULL,
	"o", "u", "u", "u", "u", "y", "th", "y",
};

/* Whether the code point is written between the words of a name
 * rather than in them: blanks, the punctuation people put or leave
 * out ("Saint-Brieuc", "MSP des Lilas, Albi", "44.000.1234"), the
 * no-break spaces, the apostrophe ’ and the dashes word processors
 * put in. */
static int
is_separator(unsigned cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' ||
	       cp == '-' || cp == '\'' || cp == ',' || cp == '.' ||
	       cp == '/' || cp == '_' || cp == ';' || cp == ':' ||
	       cp == '(' || cp == ')' || cp == '"' || cp == 0xa0 ||
	       cp == 0x202f || cp == 0x2019 || cp == 0x2018 ||
	       (cp >= 0x2010 && cp <= 0x2015);
}

/* Reads one UTF-8 sequence at p into *cp; returns its length (1 for a
 * byte that starts none: it is then taken as it is). */
static size_t
utf8_next(const unsigned char *p, unsigned *cp)
{
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0 && (p[1] & 0xc0) == 0x80) {
		*cp = (unsigned)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
		return 2;
	}
	if ((p[0] & 0xf0) == 0xe0 && (p[1] & 0xc0) == 0x80 &&
	    (p[2] & 0xc0) == 0x80) {
		*cp = (unsigned)(p[0] & 0x0f) << 12 |
		      (unsigned)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
		return 3;
	}
	*cp = 0x110000;		/* none: copied byte by byte */
	return 1;
}

/* Whether s (normalised) is a FINESS number with spaces in it: nine
 * characters, digits, or 2A/2B and seven digits (Corsica). */
static int
finess_compact(const char *s, char out[10])
{
	size_t n = 0;

	for (; *s; s++) {
		if (*s == ' ')
			continue;
		if (n == 9)
			return 0;
		out[n++] = *s;
	}
	out[n] = '\0';
	if (n != 9)
		return 0;
	for (n = 0; n < 9; n++)
		if (!((out[n] >= '0' && out[n] <= '9') ||
		      (n == 1 && out[0] == '2' &&
		       (out[1] == 'a' || out[1] == 'b'))))
			return 0;
	return 1;
}

enum msp_status
secret_normalise_identifier(const char *identifier, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)identifier;
	size_t start = out->len, len;
	char finess[10];
	int space = 0;
	unsigned cp;

	while (*p) {
		len = utf8_next(p, &cp);
		if (is_separator(cp)) {
			space = out->len > start;
			p += len;
			continue;
		}
		if (space)
			buf_putc(out, ' ');
		space = 0;
		if (cp >= 'A' && cp <= 'Z')
			buf_putc(out, (char)(cp - 'A' + 'a'));
		else if (cp >= 0xc0 && cp <= 0xff && latin1_fold[cp - 0xc0])
			buf_puts(out, latin1_fold[cp - 0xc0]);
		else if (cp == 0x152 || cp == 0x153)
			buf_puts(out, "oe");
		else
			buf_append(out, (const char *)p, len);
		p += len;
	}
	if (out->failed)
		return MSP_ENOMEM;
	/* "44 000 1234" and "440001234" are one FINESS number */
	buf_putc(out, '\0');
	if (!out->failed && finess_compact(out->data + start, finess)) {
		out->len = start;
		buf_puts(out, finess);
	} else if (!out->failed) {
		out->len--;
	}
	return out->failed ? MSP_ENOMEM : MSP_OK;
}

enum msp_status
secret_pseudonym(const struct secret *s, const char *identifier,
		 char out[CRYPTO_SHA256_HEX], struct msp_error *err)
{
	/* secret: the identifier names the team */
	struct buf msg = BUF_INIT_SECRET(BUF_MAX_TEXT);
	enum msp_status st;
	size_t start;

	out[0] = '\0';
	buf_puts(&msg, "structure\n");
	start = msg.len;
	if (secret_normalise_identifier(identifier, &msg) != MSP_OK)
		st = msp_error_set(err, MSP_ENOMEM, "out of memory");
	else if (msg.len == start)
		st = msp_error_set(err, MSP_EINVAL,
				   "the structure identifier is empty");
	else
		st = mac(s, &msg, out, err);
	buf_free(&msg);
	return st;
}

enum msp_status
secret_pseudonym_legacy(const struct secret *s, const char *identifier,
			char out[CRYPTO_SHA256_HEX], struct msp_error *err)
{
	/* secret: the identifier names the team */
	struct buf msg = BUF_INIT_SECRET(BUF_MAX_TEXT);
	enum msp_status st;
	size_t start;
	int space = 0;

	out[0] = '\0';
	buf_puts(&msg, "structure\n");
	start = msg.len;
	/* exactly what secret_pseudonym() did before issue 18: ASCII
	 * blanks made one space, none at the ends; ASCII capitals
	 * lowered; every other byte kept */
	for (; *identifier; identifier++) {
		char c = *identifier;

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			space = msg.len > start;
			continue;
		}
		if (space)
			buf_putc(&msg, ' ');
		space = 0;
		buf_putc(&msg, c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a')
			 : c);
	}
	if (msg.failed)
		st = msp_error_set(err, MSP_ENOMEM, "out of memory");
	else if (msg.len == start)
		st = msp_error_set(err, MSP_EINVAL,
				   "the structure identifier is empty");
	else
		st = mac(s, &msg, out, err);
	buf_free(&msg);
	return st;
}

enum msp_status
secret_resume(const struct secret *s, const char *form_key,
	      char out[CRYPTO_SHA256_HEX], struct msp_error *err)
{
	/* secret: the form key opens the draft as the code does */
	struct buf msg = BUF_INIT_SECRET(BUF_MAX_TEXT);
	enum msp_status st;

	out[0] = '\0';
	buf_printf(&msg, "resume\n%s", form_key);
	st = mac(s, &msg, out, err);
	buf_free(&msg);
	return st;
}

enum msp_status
secret_invitation(const struct secret *s, const char *study_slug,
		  const char *pseudonym, char out[CRYPTO_SHA256_HEX],
		  struct msp_error *err)
{
	struct buf msg = BUF_INIT_SECRET(BUF_MAX_TEXT);
	enum msp_status st;

	out[0] = '\0';
	buf_printf(&msg, "invitation\n%s\n%s", study_slug, pseudonym);
	st = mac(s, &msg, out, err);
	buf_free(&msg);
	return st;
}

static enum msp_status
csrf_mac(const struct secret *s, const char *form_key, long long issued,
	 char out[CRYPTO_SHA256_HEX], struct msp_error *err)
{
	struct buf msg = BUF_INIT_SECRET(BUF_MAX_TEXT);
	enum msp_status st;

	buf_printf(&msg, "csrf\n%s\n%lld", form_key, issued);
	st = mac(s, &msg, out, err);
	buf_free(&msg);
	return st;
}

enum msp_status
secret_csrf_make(const struct secret *s, const char *form_key, time_t now,
		 char out[SECRET_CSRF_MAX], struct msp_error *err)
{
	char hex[CRYPTO_SHA256_HEX];
	enum msp_status st;

	out[0] = '\0';
	st = csrf_mac(s, form_key, (long long)now, hex, err);
	if (st == MSP_OK)
		snprintf(out, SECRET_CSRF_MAX, "%lld.%s", (long long)now, hex);
	return st;
}

int
secret_csrf_check(const struct secret *s, const char *form_key,
		  const char *token, time_t now, long max_age)
{
	char hex[CRYPTO_SHA256_HEX];
	const char *dot;
	char *end;
	long long issued;

	if (token == NULL || (dot = strchr(token, '.')) == NULL ||
	    strlen(dot + 1) != CRYPTO_SHA256_HEX - 1)
		return 0;
	issued = strtoll(token, &end, 10);
	if (end != dot || issued > (long long)now ||
	    (long long)now - issued > max_age)
		return 0;
	if (csrf_mac(s, form_key, issued, hex, NULL) != MSP_OK)
		return 0;
	return crypto_equal(hex, dot + 1, CRYPTO_SHA256_HEX - 1);
}
