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

enum msp_status
secret_pseudonym(const struct secret *s, const char *identifier,
		 char out[CRYPTO_SHA256_HEX], struct msp_error *err)
{
	/* secret: the identifier names the team */
	struct buf msg = BUF_INIT_SECRET(BUF_MAX_TEXT);
	enum msp_status st;
	const char *p = identifier;
	size_t start;
	int space = 0;

	out[0] = '\0';
	buf_puts(&msg, "structure\n");
	start = msg.len;
	for (; *p; p++) {
		char c = *p;

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
	if (msg.len == start && !msg.failed)
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
