/*
 * lib/invite and lib/mail: the personal link, its code against
 * OpenSSL's HMAC computed here (not through lib/secret's own code), and
 * the message: addresses that could carry a header or a second
 * recipient refused, CRLF line ends only, the subject's encoded words
 * decoded back to the UTF-8 it was.  No database, no network
 * (tests/invite.test sends through a real SMTP sink).
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "buf.h"
#include "invite.h"
#include "mail.h"
#include "secret.h"
#include "testdb.h"

static const char code[] =
	"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

START_TEST(link_is_built)
{
	struct msp_error err;
	struct buf b = BUF_INIT(BUF_MAX_DOCUMENT);

	ck_assert_int_eq(invite_link(&b, "https://enquete.example.fr/",
				     "bretagne-2025", code, &err), MSP_OK);
	ck_assert_str_eq(buf_str(&b), "https://enquete.example.fr/forms/"
			 "bretagne-2025?invitation#invitation=00112233445566"
			 "778899aabbccddeeff00112233445566778899aabbccddeeff");
	buf_reset(&b);
	ck_assert_int_eq(invite_link(&b, "http://127.0.0.1:8080",
				     "a b", code, &err), MSP_OK);
	ck_assert_ptr_nonnull(strstr(buf_str(&b), "/forms/a%20b?"));
	buf_free(&b);
}
END_TEST

START_TEST(link_refuses_bad_bases)
{
	static const char *const bad[] = {
		"ftp://x.fr", "enquete.example.fr", "https://x.fr/?a=1",
		"https://x.fr/#top", "https://x .fr", "https://x.fr/\xc3\xa9",
		"",
	};
	struct msp_error err;
	struct buf b = BUF_INIT(BUF_MAX_DOCUMENT);
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(invite_link(&b, bad[i], "s", code, &err) ==
			      MSP_EINVAL, "accepted %s", bad[i]);
	ck_assert_int_eq(invite_link(&b, NULL, "s", code, &err), MSP_EINVAL);
	ck_assert_uint_eq(b.len, 0);
	buf_free(&b);
}
END_TEST

/* The code is HMAC-SHA256(key, "invitation\n" slug "\n" pseudonym),
 * computed here with OpenSSL's one-shot HMAC(). */
START_TEST(code_is_the_documented_hmac)
{
	static const char pseudonym[] =
		"abababababababababababababababab"
		"abababababababababababababababab";
	unsigned char key[32], mac[EVP_MAX_MD_SIZE];
	char got[CRYPTO_SHA256_HEX], want[65], msg[256];
	struct secret s = { key, sizeof(key) };
	struct msp_error err;
	unsigned int len = 0, i;

	for (i = 0; i < sizeof(key); i++)
		key[i] = (unsigned char)(i * 7 + 1);
	snprintf(msg, sizeof(msg), "invitation\nbretagne-2025\n%s",
		 pseudonym);
	ck_assert_ptr_nonnull(HMAC(EVP_sha256(), key, sizeof(key),
				   (const unsigned char *)msg, strlen(msg),
				   mac, &len));
	for (i = 0; i < len; i++)
		snprintf(want + 2 * i, 3, "%02x", mac[i]);
	ck_assert_int_eq(secret_invitation(&s, "bretagne-2025", pseudonym,
					   got, &err), MSP_OK);
	ck_assert_str_eq(got, want);
	/* another study, another code */
	ck_assert_int_eq(secret_invitation(&s, "bretagne-2026", pseudonym,
					   got, &err), MSP_OK);
	ck_assert_str_ne(got, want);
}
END_TEST

START_TEST(addresses)
{
	static const char *const good[] = {
		"a@b.fr", "prenom.nom+msp@fede-bretagne.example",
	};
	static const char *const bad[] = {
		"", "a", "@b.fr", "a@", "a@b@c.fr", "a b@c.fr", "<a@b.fr>",
		"a@b.fr\r\nBcc: x@y.fr", "a@b.fr,x@y.fr", "\"a\"@b.fr",
		"a@b.fr\n", "\xc3\xa9@b.fr",
	};
	char longest[MAIL_ADDRESS_MAX + 2];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(mail_address_valid(good[i]), "%s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!mail_address_valid(bad[i]), "%s", bad[i]);
	ck_assert(!mail_address_valid(NULL));
	memset(longest, 'a', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	longest[10] = '@';
	ck_assert(!mail_address_valid(longest));
	longest[MAIL_ADDRESS_MAX] = '\0';
	ck_assert(mail_address_valid(longest));
}
END_TEST

/* The subject of message m, its encoded words decoded and joined. */
static void
decoded_subject(const char *m, struct buf *out)
{
	const char *p = strstr(m, "Subject:"), *end;
	unsigned char dec[128];
	int n;

	ck_assert_ptr_nonnull(p);
	while ((p = strstr(p, "=?UTF-8?B?")) != NULL &&
	       (end = strstr(p, "?=")) != NULL) {
		p += 10;
		ck_assert_int_lt(end - p, 100);
		n = EVP_DecodeBlock(dec, (const unsigned char *)p,
				    (int)(end - p));
		ck_assert_int_ge(n, 0);
		/* EVP_DecodeBlock counts the padding's bytes */
		while (end - p > 0 && end[-1] == '=') {
			n--;
			end--;
		}
		/* each word is whole UTF-8: none starts mid-character */
		ck_assert(n == 0 || (dec[0] & 0xC0) != 0x80);
		buf_append(out, dec, (size_t)n);
		p = strstr(end, "?=") + 2;
		if (strncmp(p, "\r\n ", 3) != 0)
			break;
	}
}

START_TEST(message_is_composed)
{
	/* long enough for three encoded words, « é » across a boundary */
	static const char subject[] = "Rappel : Implication des usagers "
		"dans les équipes de soins primaires, Bretagne 2025 — vague 2";
	struct buf m = BUF_INIT(BUF_MAX_DOCUMENT);
	struct buf s = BUF_INIT(BUF_MAX_DOCUMENT);
	struct msp_error err;
	const char *body_at, *p;

	ck_assert_int_eq(mail_compose(&m, "enquete@fede.example",
				      "equipe@msp.example", subject,
				      "Bonjour,\n\nLe lien :\nhttps://x/\n",
				      &err), MSP_OK);
	for (p = buf_str(&m); *p != '\0'; p++)
		if (*p == '\n')
			ck_assert_msg(p > buf_str(&m) && p[-1] == '\r',
				      "a bare LF at %td",
				      p - buf_str(&m));
	ck_assert_ptr_nonnull(strstr(buf_str(&m), "\r\nTo: "
				     "<equipe@msp.example>\r\n"));
	ck_assert_ptr_nonnull(strstr(buf_str(&m), "Content-Type: text/plain;"
				     " charset=UTF-8\r\n"));
	body_at = strstr(buf_str(&m), "\r\n\r\n");
	ck_assert_ptr_nonnull(body_at);
	ck_assert_str_eq(body_at + 4, "Bonjour,\r\n\r\nLe lien :\r\n"
			 "https://x/\r\n");
	/* the header lines are short, the subject comes back whole */
	for (p = buf_str(&m); p < body_at; p = strstr(p, "\r\n") + 2)
		ck_assert_int_lt(strstr(p, "\r\n") - p, 78);
	decoded_subject(buf_str(&m), &s);
	ck_assert_str_eq(buf_str(&s), subject);
	buf_free(&m);
	buf_free(&s);
}
END_TEST

START_TEST(message_refusals)
{
	struct buf m = BUF_INIT(BUF_MAX_DOCUMENT);
	struct msp_error err;
	char line[1000];

	ck_assert_int_eq(mail_compose(&m, "a@b.fr", "x@y.fr\r\nBcc: z@w.fr",
				      "s", "b\n", &err), MSP_EINVAL);
	ck_assert_int_eq(mail_compose(&m, "a@b.fr\r\nX: y", "x@y.fr", "s",
				      "b\n", &err), MSP_EINVAL);
	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	ck_assert_int_eq(mail_compose(&m, "a@b.fr", "x@y.fr", "s", line,
				      &err), MSP_EINVAL);
	ck_assert_uint_eq(m.len, 0);
	buf_free(&m);
}
END_TEST

static Suite *
invite_suite(void)
{
	Suite *s = suite_create("invite");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, link_is_built);
	tcase_add_test(tc, link_refuses_bad_bases);
	tcase_add_test(tc, code_is_the_documented_hmac);
	tcase_add_test(tc, addresses);
	tcase_add_test(tc, message_is_composed);
	tcase_add_test(tc, message_refusals);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testdb_run(invite_suite());
}
