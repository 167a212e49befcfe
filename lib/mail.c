/*
 * mail — messages and the SMTP relay (mail.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "crypto.h"
#include "file.h"
#include "mail.h"

/* RFC 5322 §2.1.1: 998 octets a line at most; leave room. */
#define MAIL_LINE_MAX 900
#define MAIL_PASSWORD_MAX 1024

struct mail_relay {
	CURL *curl;
	char *url;
	char *from;
	char *user;		/* NULL: no authentication */
	char *password;		/* NULL with user; wiped on close */
};

int
mail_address_valid(const char *s)
{
	const char *at = NULL, *p;

	if (s == NULL || *s == '\0' || strlen(s) > MAIL_ADDRESS_MAX)
		return 0;
	for (p = s; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= ' ' || c >= 0x7f || strchr("\"<>(),;:[]\\", c))
			return 0;
		if (c == '@') {
			if (at != NULL)
				return 0;
			at = p;
		}
	}
	return at != NULL && at != s && at[1] != '\0';
}

/* subject as one RFC 2047 encoded word per 39 bytes (52 in base64, a
 * 64-character word: RFC 2047 §2 allows 75), folded, so that no header
 * line passes 76 characters and any UTF-8 is safe. */
static void
put_subject(struct buf *out, const char *subject)
{
	unsigned char enc[64];
	size_t len = strlen(subject), i, n;

	buf_puts(out, "Subject:");
	for (i = 0; i < len; i += n) {
		n = len - i > 39 ? 39 : len - i;
		/* never split a UTF-8 sequence between two words */
		while (n > 1 && i + n < len &&
		       ((unsigned char)subject[i + n] & 0xC0) == 0x80)
			n--;
		EVP_EncodeBlock(enc, (const unsigned char *)subject + i,
				(int)n);
		buf_printf(out, " =?UTF-8?B?%s?=\r\n", (const char *)enc);
	}
	if (len == 0)
		buf_puts(out, " \r\n");
}

enum msp_status
mail_compose(struct buf *out, const char *from, const char *to,
	     const char *subject, const char *body, struct msp_error *err)
{
	char date[64], id[33];
	const char *p, *nl;
	time_t now = time(NULL);
	struct tm tm;

	if (!mail_address_valid(from))
		return msp_error_set(err, MSP_EINVAL, "adresse d'expéditeur "
				     "invalide (MSP_SMTP_FROM)");
	if (!mail_address_valid(to))
		return msp_error_set(err, MSP_EINVAL, "adresse de "
				     "destinataire invalide");
	for (p = body; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p) - 1;
		if (nl - p > MAIL_LINE_MAX)
			return msp_error_set(err, MSP_EINVAL, "ligne du "
					     "message trop longue");
		if (nl[1] == '\0')
			break;
	}
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000",
		     &tm) == 0)
		return msp_error_set(err, MSP_EINVAL, "date illisible");
	if (crypto_random_hex(16, id, err) != MSP_OK)
		return err ? err->status : MSP_ENOMEM;
	buf_printf(out, "Date: %s\r\nFrom: <%s>\r\nTo: <%s>\r\n"
		   "Message-ID: <%s@msp-report>\r\n", date, from, to, id);
	put_subject(out, subject);
	buf_puts(out, "MIME-Version: 1.0\r\n"
		 "Content-Type: text/plain; charset=UTF-8\r\n"
		 "Content-Transfer-Encoding: 8bit\r\n\r\n");
	/* CRLF line ends (RFC 5322 §2.3); a line that is a lone "." is
	 * libcurl's to escape (it does the SMTP dot-stuffing). */
	for (p = body; *p != '\0'; p++) {
		if (*p == '\n')
			buf_puts(out, "\r\n");
		else if (*p != '\r')
			buf_putc(out, *p);
	}
	if (p > body && p[-1] != '\n')
		buf_puts(out, "\r\n");
	return buf_status(out, err);
}

static char *
env_dup(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? strdup(v) : NULL;
}

enum msp_status
mail_relay_open(struct mail_relay **out, struct msp_error *err)
{
	struct mail_relay *r;
	const char *pw_file;
	enum msp_status st = MSP_ENOMEM;
	size_t len;

	*out = NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return msp_error_set(err, MSP_ENOMEM, "out of memory");
	r->url = env_dup("MSP_SMTP_URL");
	r->from = env_dup("MSP_SMTP_FROM");
	r->user = env_dup("MSP_SMTP_USER");
	if (r->url == NULL || (strncmp(r->url, "smtp://", 7) != 0 &&
			       strncmp(r->url, "smtps://", 8) != 0)) {
		st = msp_error_set(err, MSP_ECONFIG, "MSP_SMTP_URL doit "
				   "donner le relais SMTP (smtp://hôte:port "
				   "ou smtps://hôte:port)");
		goto fail;
	}
	if (!mail_address_valid(r->from)) {
		st = msp_error_set(err, MSP_ECONFIG, "MSP_SMTP_FROM doit "
				   "donner l'adresse de l'expéditeur");
		goto fail;
	}
	pw_file = getenv("MSP_SMTP_PASSWORD_FILE");
	if (r->user != NULL) {
		if (pw_file == NULL || *pw_file == '\0') {
			st = msp_error_set(err, MSP_ECONFIG, "MSP_SMTP_USER "
					   "sans MSP_SMTP_PASSWORD_FILE");
			goto fail;
		}
		if ((st = file_read(pw_file, MAIL_PASSWORD_MAX, &r->password,
				    &len, err)) != MSP_OK)
			goto fail;
		/* a password file ends with the line its editor added */
		while (len > 0 && (r->password[len - 1] == '\n' ||
				   r->password[len - 1] == '\r'))
			r->password[--len] = '\0';
	}
	if ((r->curl = curl_easy_init()) == NULL) {
		st = msp_error_set(err, MSP_ENOMEM, "curl_easy_init failed");
		goto fail;
	}
	*out = r;
	return MSP_OK;
fail:
	mail_relay_close(r);
	return st;
}

const char *
mail_relay_from(const struct mail_relay *relay)
{
	return relay->from;
}

struct reader {
	const char *data;
	size_t left;
};

static size_t
read_message(char *dst, size_t size, size_t nmemb, void *arg)
{
	struct reader *rd = arg;
	size_t n = size * nmemb;

	if (n > rd->left)
		n = rd->left;
	memcpy(dst, rd->data, n);
	rd->data += n;
	rd->left -= n;
	return n;
}

enum msp_status
mail_send(struct mail_relay *relay, const char *to,
	  const struct buf *message, struct msp_error *err)
{
	struct curl_slist *rcpt = NULL;
	struct reader rd = { message->data, message->len };
	CURL *c = relay->curl;
	CURLcode cc;
	long code = 0;

	if (!mail_address_valid(to))
		return msp_error_set(err, MSP_EINVAL, "adresse de "
				     "destinataire invalide");
	if ((rcpt = curl_slist_append(NULL, to)) == NULL)
		return msp_error_set(err, MSP_ENOMEM, "out of memory");
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, relay->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, relay->from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_message);
	curl_easy_setopt(c, CURLOPT_READDATA, &rd);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE,
			 (curl_off_t)message->len);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 20L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (relay->user != NULL) {
		/* credentials never cross the network in clear text */
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
		curl_easy_setopt(c, CURLOPT_USERNAME, relay->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, relay->password);
	} else {
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	}
	cc = curl_easy_perform(c);
	curl_slist_free_all(rcpt);
	if (cc != CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		/* curl's words and the reply code: no address */
		return msp_error_set(err, MSP_EIO, "relais SMTP : %s "
				     "(réponse %ld)", curl_easy_strerror(cc),
				     code);
	}
	return MSP_OK;
}

void
mail_relay_close(struct mail_relay *relay)
{
	if (relay == NULL)
		return;
	if (relay->curl != NULL)
		curl_easy_cleanup(relay->curl);
	if (relay->password != NULL) {
		crypto_cleanse(relay->password, strlen(relay->password));
		free(relay->password);
	}
	free(relay->url);
	free(relay->from);
	free(relay->user);
	free(relay);
}
