/*
 * What comes from outside: jsonin (strict JSON), urlenc (form bodies),
 * submission (answers validated against an instrument), buf.
 * No database: the instrument is built here, as instrument_load() would,
 * and from JSON by instrument_from_json().
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsonin.h"
#include "submission.h"
#include "testdb.h"
#include "urlenc.h"
#include "utf8.h"

/* --- buf ------------------------------------------------------------ */

START_TEST(buf_grows_and_steals)
{
	struct buf b = BUF_INIT(BUF_MAX_DOCUMENT);
	char *s;
	int i;

	ck_assert_str_eq(buf_str(&b), "");
	for (i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i);
	ck_assert_int_eq(buf_status(&b, NULL), MSP_OK);
	ck_assert(strncmp(buf_str(&b), "0,1,2,", 6) == 0);
	ck_assert_uint_eq(b.len, strlen(buf_str(&b)));
	buf_reset(&b);
	buf_puts(&b, "x");
	buf_putc(&b, 'y');
	s = buf_steal(&b);
	ck_assert_str_eq(s, "xy");
	free(s);
	ck_assert_ptr_null(b.data);
	buf_free(&b);
}
END_TEST

/* --- utf8 ----------------------------------------------------------- */

START_TEST(utf8_counts_and_validates)
{
	ck_assert_uint_eq(utf8_length(""), 0);
	ck_assert_uint_eq(utf8_length("caf\xc3\xa9 \xf0\x9f\x98\x80"), 6);
	ck_assert_uint_eq(utf8_valid_prefix("ab\xc3\xa9", 4), 4);
	ck_assert_uint_eq(utf8_valid_prefix("ab\xc3", 3), 2);	/* cut */
	ck_assert_uint_eq(utf8_valid_prefix("a\xe0\x80\xaf", 4), 1);
	ck_assert_uint_eq(utf8_valid_prefix("\xf4\x90\x80\x80", 4), 0);
}
END_TEST

/* One code point: RFC 3629's limits, as utf8_valid_prefix() has them. */
START_TEST(utf8_decodes_one_code_point)
{
	static const struct {
		const char *s;
		size_t len;
		uint32_t cp;
	} cases[] = {
		{ "a", 1, 0x61 }, { "\xc3\xa9t\xc3\xa9", 2, 0xe9 },
		{ "\xe2\x80\xa6", 3, 0x2026 },
		{ "\xf0\x9f\x98\x80", 4, 0x1f600 },
		{ "\xc0\x80", 0, 0 },		/* overlong */
		{ "\xe0\x80\xaf", 0, 0 },		/* overlong */
		{ "\xed\xa0\x80", 0, 0 },		/* a surrogate */
		{ "\xf4\x90\x80\x80", 0, 0 },	/* above U+10FFFF */
		{ "\xc3", 0, 0 },			/* cut by the NUL */
		{ "\x80", 0, 0 },			/* a continuation */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t cp = 0;
		size_t n = utf8_decode((const unsigned char *)cases[i].s,
				       &cp);

		ck_assert_uint_eq(n, cases[i].len);
		if (n > 0)
			ck_assert_uint_eq(cp, cases[i].cp);
	}
}
END_TEST

/* --- jsonin --------------------------------------------------------- */

static enum msp_status
parse(const char *text, struct msp_error *err)
{
	struct json_object *o = NULL;
	enum msp_status st = jsonin_parse(text, strlen(text), &o, err);

	ck_assert(st == MSP_OK ? o != NULL : o == NULL);
	json_object_put(o);
	return st;
}

START_TEST(json_accepts_rfc8259)
{
	static const char *const good[] = {
		"{}", "[]", "0", "-0.5e+3", "\"\\u00e9\\ud83d\\ude00\"",
		" {\"a\": [1, 2, {\"b\": null}], \"c\": true} ",
		"{\"é\": \"caf\xc3\xa9\"}", "{\"a\":1,\"A\":2}",
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(parse(good[i], NULL) == MSP_OK, "%s", good[i]);
}
END_TEST

/* The text "null" is valid JSON, and json-c's null is NULL: it was
 * refused as "JSON: success", which the API sent back as its 400. */
START_TEST(json_null_is_null)
{
	struct json_object *o = (struct json_object *)&o;
	struct msp_error err;

	ck_assert_int_eq(jsonin_parse(" null ", 6, &o, &err), MSP_OK);
	ck_assert_ptr_null(o);
	ck_assert_int_eq(jsonin_parse("nul", 3, &o, &err), MSP_EINVAL);
	ck_assert_ptr_null(o);
}
END_TEST

START_TEST(json_refuses_what_json_c_would_let_through)
{
	static const struct {
		const char *text;
		const char *why;
	} bad[] = {
		{ "{\"a\":1,\"a\":2}", "byte 7: duplicate member name" },
		{ "{\"a\":1,\"\\u0061\":2}", "byte 7: duplicate member name" },
		{ "{\"a\":{\"b\":1,\"b\":1}}", "duplicate member name" },
		{ "\"\xff\"", "byte 1: invalid UTF-8" },
		{ "\"\xc0\xaf\"", "invalid UTF-8" },	/* overlong '/' */
		{ "\"\xed\xa0\x80\"", "invalid UTF-8" },	/* surrogate */
		{ "\"\\ud800\"", "lone high surrogate" },
		{ "\"a\\u0000b\"", "NUL character" },
		{ "{\"a\":1,}", "expected a member name" },
		{ "[1,]", "unexpected character" },
		{ "01", "text after the JSON value" },
		{ "{\"a\":1} x", "text after" },
		{ "NaN", "unexpected character" },
		{ "'a'", "unexpected character" },
		{ "\"tab\there\"", "control character" },
		{ "", "unexpected end" },
		{ "{\"a\"", "expected ':'" },
		{ "\xef\xbb\xbf{}", "byte order mark" },
	};
	struct msp_error err;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(parse(bad[i].text, &err) == MSP_EINVAL, "%s",
			      bad[i].text);
		ck_assert_msg(strstr(err.message, bad[i].why) != NULL,
			      "%s: got '%s'", bad[i].text, err.message);
	}
}
END_TEST

START_TEST(json_caps_depth)
{
	char deep[2 * JSONIN_MAX_DEPTH + 8];
	struct msp_error err;
	int i;

	for (i = 0; i < JSONIN_MAX_DEPTH; i++) {
		deep[i] = '[';
		deep[JSONIN_MAX_DEPTH + i] = ']';
	}
	deep[2 * JSONIN_MAX_DEPTH] = '\0';
	ck_assert_int_eq(parse(deep, &err), MSP_OK);
	memmove(deep + 1, deep, 2 * JSONIN_MAX_DEPTH + 1);
	deep[0] = '[';
	deep[2 * JSONIN_MAX_DEPTH + 1] = ']';
	deep[2 * JSONIN_MAX_DEPTH + 2] = '\0';
	ck_assert_int_eq(parse(deep, &err), MSP_EINVAL);
	ck_assert(strstr(err.message, "nesting too deep") != NULL);
}
END_TEST

/* --- urlenc --------------------------------------------------------- */

START_TEST(urlenc_decodes)
{
	static const char body[] =
		"a=1&b=caf%C3%A9+cr%C3%A8me&&c&d=x%3Dy%26z&a=2";
	struct urlenc u;

	ck_assert_int_eq(urlenc_parse(body, strlen(body), &u, NULL), MSP_OK);
	ck_assert_uint_eq(u.n, 5);
	ck_assert_str_eq(urlenc_get(&u, "a"), "1");
	ck_assert_str_eq(u.fields[4].value, "2");
	ck_assert_str_eq(urlenc_get(&u, "b"), "café crème");
	ck_assert_str_eq(urlenc_get(&u, "c"), "");
	ck_assert_str_eq(urlenc_get(&u, "d"), "x=y&z");
	ck_assert_ptr_null(urlenc_get(&u, "e"));
	urlenc_free(&u);
}
END_TEST

START_TEST(urlenc_refuses)
{
	static const char *const bad[] = {
		"a=%ZZ", "a=%4", "a=%00", "a=%FF", "%C3=1", "a=%ED%A0%80",
	};
	struct msp_error err;
	struct buf many = BUF_INIT(BUF_MAX_DOCUMENT);
	struct urlenc u;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(urlenc_parse(bad[i], strlen(bad[i]), &u, &err)
			      == MSP_EINVAL, "%s", bad[i]);
		urlenc_free(&u);
	}
	for (i = 0; i <= URLENC_MAX_FIELDS; i++)
		buf_puts(&many, "a=1&");
	ck_assert_int_eq(urlenc_parse(buf_str(&many), many.len, &u, &err),
			 MSP_EINVAL);
	ck_assert(strstr(err.message, "fields") != NULL);
	urlenc_free(&u);
	buf_free(&many);
}
END_TEST

START_TEST(urlenc_encodes)
{
	struct buf b = BUF_INIT(BUF_MAX_DOCUMENT);

	urlenc_encode(&b, "a b/é~");
	ck_assert_str_eq(buf_str(&b), "a%20b%2F%C3%A9~");
	buf_free(&b);
}
END_TEST

/* --- submission ----------------------------------------------------- */

/*
 * A small instrument with every type and a show-if chain:
 *   kind (single: msp|esp, required)
 *   aci (boolean, asked if kind = msp)
 *   sites (number 1..20, integer, required)
 *   share (number 0..100)
 *   tools (multiple: a|b|c, asked if kind = msp)
 *   note (text, 10 characters)
 */
static struct item_option kind_opts[] = {
	{ "msp", "MSP", NULL }, { "esp", "ESP", NULL },
};
static struct item_option tool_opts[] = {
	{ "a", "A", NULL }, { "b", "B", NULL }, { "c", "C", NULL },
};
static char *if_msp[] = { "msp" };
static struct instrument_item items[] = {
	{ .key = "kind", .section_fr = "", .label_fr = "Type",
	  .type = ITEM_SINGLE_CHOICE, .required = 1, .show_if = -1,
	  .options = kind_opts, .n_options = 2 },
	{ .key = "aci", .section_fr = "", .label_fr = "ACI",
	  .type = ITEM_BOOLEAN, .show_if = 0, .show_if_values = if_msp,
	  .n_show_if_values = 1 },
	{ .key = "sites", .section_fr = "", .label_fr = "Sites",
	  .type = ITEM_NUMBER, .required = 1, .has_min = 1, .has_max = 1,
	  .min_value = 1, .max_value = 20, .integer_only = 1, .show_if = -1 },
	{ .key = "share", .section_fr = "", .label_fr = "Part",
	  .type = ITEM_NUMBER, .has_min = 1, .has_max = 1,
	  .min_value = 0, .max_value = 100, .show_if = -1 },
	{ .key = "tools", .section_fr = "", .label_fr = "Outils",
	  .type = ITEM_MULTIPLE_CHOICE, .show_if = 0,
	  .show_if_values = if_msp, .n_show_if_values = 1,
	  .options = tool_opts, .n_options = 3 },
	{ .key = "note", .section_fr = "", .label_fr = "Note",
	  .type = ITEM_TEXT, .max_length = 10, .show_if = -1 },
};
static const struct instrument ins = {
	.instrument_id = 1, .slug = "t", .version = 1, .title_fr = "T",
	.items = items, .n_items = sizeof(items) / sizeof(items[0]),
};

/* Validates a JSON answers object; returns the submission. */
static struct submission *
from_json(const char *json, int flags, enum msp_status want)
{
	struct submission *sub = submission_new(&ins);
	struct json_object *o = NULL;
	struct msp_error err;

	ck_assert_ptr_nonnull(sub);
	ck_assert_int_eq(jsonin_parse(json, strlen(json), &o, &err), MSP_OK);
	ck_assert_int_eq(submission_add_json(sub, o, &err), MSP_OK);
	json_object_put(o);
	ck_assert_msg(submission_validate(sub, flags, &err) == want,
		      "%s: %s", json, err.message);
	return sub;
}

static struct submission *
from_form(const char *body, int flags, enum msp_status want)
{
	struct submission *sub = submission_new(&ins);
	struct msp_error err;
	struct urlenc u;

	ck_assert_int_eq(urlenc_parse(body, strlen(body), &u, &err), MSP_OK);
	ck_assert_int_eq(submission_add_form(sub, &u, &err), MSP_OK);
	urlenc_free(&u);
	ck_assert_msg(submission_validate(sub, flags | SUBMISSION_LENIENT,
					  &err) == want,
		      "%s: %s", body, err.message);
	return sub;
}

START_TEST(submission_valid_json)
{
	struct submission *sub = from_json(
		"{\"kind\":\"msp\",\"aci\":true,\"sites\":3,\"share\":12.5,"
		"\"tools\":[\"a\",\"c\"],\"note\":\"d'accord\"}",
		SUBMISSION_COMPLETE, MSP_OK);
	struct buf b = BUF_INIT(BUF_MAX_DOCUMENT);
	const struct answer *a;
	size_t n;

	a = submission_answers(sub, &n);
	ck_assert_uint_eq(n, 7);
	ck_assert_str_eq(a[0].choice, "msp");
	ck_assert_int_eq(a[1].boolean, 1);
	ck_assert_str_eq(a[2].number, "3");
	ck_assert_str_eq(a[3].number, "12.5");
	submission_answers_json(sub, &b);
	ck_assert_str_eq(buf_str(&b),
			 "[{\"k\":\"kind\",\"c\":\"msp\"},"
			 "{\"k\":\"aci\",\"b\":true},"
			 "{\"k\":\"sites\",\"n\":\"3\"},"
			 "{\"k\":\"share\",\"n\":\"12.5\"},"
			 "{\"k\":\"tools\",\"c\":\"a\"},"
			 "{\"k\":\"tools\",\"c\":\"c\"},"
			 "{\"k\":\"note\",\"t\":\"d'accord\"}]");
	buf_free(&b);
	submission_free(sub);
}
END_TEST

/* Each bad answer is named by its item, with nothing else wrong. */
START_TEST(submission_json_errors_name_the_item)
{
	static const struct {
		const char *json;
		const char *field;
		const char *message;
	} bad[] = {
		{ "{\"kind\":\"cds\",\"sites\":1}", "kind", "choix proposés" },
		{ "{\"kind\":1,\"sites\":1}", "kind", "choix proposés" },
		{ "{\"kind\":\"esp\",\"sites\":\"2\"}", "sites",
		  "nombre est attendu" },
		{ "{\"kind\":\"esp\",\"sites\":2.5}", "sites", "entier" },
		{ "{\"kind\":\"esp\",\"sites\":0}", "sites", "entre 1 et 20" },
		{ "{\"kind\":\"esp\",\"sites\":1e300}", "sites", "entre" },
		{ "{\"kind\":\"esp\",\"sites\":1,\"share\":-1}", "share",
		  "entre 0 et 100" },
		{ "{\"kind\":\"esp\"}", "sites", "obligatoire" },
		{ "{\"sites\":1}", "kind", "obligatoire" },
		{ "{\"kind\":\"esp\",\"sites\":1,\"aci\":true}", "aci",
		  "n'est pas posée" },
		{ "{\"kind\":\"msp\",\"sites\":1,\"aci\":\"oui\"}", "aci",
		  "true ou false" },
		{ "{\"kind\":\"msp\",\"sites\":1,\"tools\":[\"a\",\"a\"]}",
		  "tools", "deux fois" },
		{ "{\"kind\":\"msp\",\"sites\":1,\"tools\":[\"a\",2]}",
		  "tools", "choix proposés" },
		{ "{\"kind\":[\"msp\",\"esp\"],\"sites\":1}", "kind",
		  "une seule" },
		{ "{\"kind\":\"esp\",\"sites\":1,\"note\":\"onze lettres\"}",
		  "note", "dépasse 10" },
		{ "{\"kind\":\"esp\",\"sites\":1,\"note\":{}}", "note",
		  "texte est attendu" },
		{ "{\"kind\":\"esp\",\"sites\":1,\"colour\":\"red\"}",
		  "colour", "n'existe pas" },
	};
	size_t i, n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct submission *sub = from_json(
			bad[i].json, SUBMISSION_COMPLETE, MSP_EINVAL);
		const struct field_error *e = submission_errors(sub, &n);

		ck_assert_msg(n == 1, "%s: %zu errors", bad[i].json, n);
		ck_assert_str_eq(e[0].field, bad[i].field);
		ck_assert_msg(strstr(e[0].message, bad[i].message) != NULL,
			      "%s: '%s'", bad[i].json, e[0].message);
		submission_free(sub);
	}
}
END_TEST

/*
 * Bounds are compared with the number as written, not with its double:
 * 100.00000000000001 and 1.0000000000000001 are 100.0 and 1.0 as
 * doubles, passed the check, and the database (numeric) refused them
 * with an error naming no item.  The bound itself is accepted, the
 * first decimal past it is not.
 */
START_TEST(submission_bounds_are_exact_decimals)
{
	static const struct {
		const char *json;
		const char *field;	/* NULL: accepted */
		const char *message;
	} cases[] = {
		{ "{\"kind\":\"esp\",\"sites\":20}", NULL, NULL },
		{ "{\"kind\":\"esp\",\"sites\":21}", "sites", "entre 1 et 20" },
		{ "{\"kind\":\"esp\",\"sites\":1}", NULL, NULL },
		{ "{\"kind\":\"esp\",\"sites\":2.0}", NULL, NULL },
		{ "{\"kind\":\"esp\",\"sites\":2e0}", NULL, NULL },
		{ "{\"kind\":\"esp\",\"sites\":1.0000000000000001}", "sites",
		  "entier" },
		{ "{\"kind\":\"esp\",\"sites\":20.000000000000001}", "sites",
		  "entier" },
		{ "{\"kind\":\"esp\",\"sites\":1,\"share\":100}", NULL, NULL },
		{ "{\"kind\":\"esp\",\"sites\":1,\"share\":100.000}", NULL,
		  NULL },
		{ "{\"kind\":\"esp\",\"sites\":1,\"share\":1e2}", NULL, NULL },
		{ "{\"kind\":\"esp\",\"sites\":1,\"share\":0}", NULL, NULL },
		{ "{\"kind\":\"esp\",\"sites\":1,\"share\":-0.0}", NULL, NULL },
		{ "{\"kind\":\"esp\",\"sites\":1,\"share\":1e-300}", NULL,
		  NULL },
		{ "{\"kind\":\"esp\",\"sites\":1,"
		  "\"share\":99.99999999999999999}",
		  NULL, NULL },
		{ "{\"kind\":\"esp\",\"sites\":1,\"share\":100.00000000000001}",
		  "share", "entre 0 et 100" },
		{ "{\"kind\":\"esp\",\"sites\":1,"
		  "\"share\":1.0000000000000001e2}",
		  "share", "entre 0 et 100" },
		{ "{\"kind\":\"esp\",\"sites\":1,"
		  "\"share\":-0.00000000000000001}",
		  "share", "entre 0 et 100" },
		{ "{\"kind\":\"esp\",\"sites\":1,\"share\":-1e-300}", "share",
		  "entre 0 et 100" },
	};
	size_t i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct submission *sub = from_json(
			cases[i].json, SUBMISSION_COMPLETE,
			cases[i].field == NULL ? MSP_OK : MSP_EINVAL);
		const struct field_error *e = submission_errors(sub, &n);

		if (cases[i].field == NULL) {
			ck_assert_msg(n == 0, "%s: refused", cases[i].json);
		} else {
			ck_assert_msg(n == 1, "%s: %zu errors", cases[i].json,
				      n);
			ck_assert_str_eq(e[0].field, cases[i].field);
			ck_assert_msg(strstr(e[0].message, cases[i].message)
				      != NULL, "%s: '%s'", cases[i].json,
				      e[0].message);
		}
		submission_free(sub);
	}
}
END_TEST

/*
 * A required item behind a show-if: not asked, it may be left out (and
 * must be: an answer to it is refused); asked, it is required.  The
 * reference instruments have no such item, so this one is made here.
 */
static struct instrument_item dep_items[] = {
	{ .key = "kind", .section_fr = "", .label_fr = "Type",
	  .type = ITEM_SINGLE_CHOICE, .required = 1, .show_if = -1,
	  .options = kind_opts, .n_options = 2 },
	{ .key = "aci", .section_fr = "", .label_fr = "ACI",
	  .type = ITEM_BOOLEAN, .required = 1, .show_if = 0,
	  .show_if_values = if_msp, .n_show_if_values = 1 },
};
static const struct instrument dep_ins = {
	.instrument_id = 2, .slug = "d", .version = 1, .title_fr = "D",
	.items = dep_items, .n_items = 2,
};

START_TEST(required_item_hidden_by_its_show_if)
{
	static const struct {
		const char *json;
		const char *field;	/* NULL: accepted */
	} cases[] = {
		{ "{\"kind\":\"esp\"}", NULL },		/* hidden, left out */
		/* shown, given */
		{ "{\"kind\":\"msp\",\"aci\":false}", NULL },
		{ "{\"kind\":\"msp\"}", "aci" },	/* shown, missing */
		{ "{\"kind\":\"esp\",\"aci\":true}", "aci" },	/* not asked */
	};
	size_t i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct submission *sub = submission_new(&dep_ins);
		struct json_object *o = NULL;
		const struct field_error *e;
		struct msp_error err;
		enum msp_status st;

		ck_assert_ptr_nonnull(sub);
		ck_assert_int_eq(jsonin_parse(cases[i].json,
					      strlen(cases[i].json), &o, &err),
				 MSP_OK);
		ck_assert_int_eq(submission_add_json(sub, o, &err), MSP_OK);
		json_object_put(o);
		st = submission_validate(sub, SUBMISSION_COMPLETE, &err);
		e = submission_errors(sub, &n);
		if (cases[i].field == NULL) {
			ck_assert_msg(st == MSP_OK && n == 0, "%s: refused",
				      cases[i].json);
		} else {
			ck_assert_msg(st == MSP_EINVAL && n == 1,
				      "%s: accepted", cases[i].json);
			ck_assert_str_eq(e[0].field, cases[i].field);
		}
		submission_free(sub);
	}
}
END_TEST

/* Interview dates: YYYY-MM-DD and real, nothing PostgreSQL would also
 * read ("yesterday" was stored as the day before the request). */
START_TEST(iso_dates_are_strict)
{
	static const char *const good[] = {
		"2024-05-02", "2024-02-29", "2000-02-29", "0001-01-01",
		"9999-12-31", "2023-12-31",
	};
	static const char *const bad[] = {
		"yesterday", "today", "now", "", "2024-5-2", "2024-05-2",
		"2024-05-02 ", " 2024-05-02", "2024-05-02T00:00", "2024/05/02",
		"02-05-2024", "2023-02-29", "1900-02-29", "2024-04-31",
		"2024-13-01", "2024-00-10", "2024-01-00", "0000-01-01",
		"+2024-05-02", "20240502", "2024-05-0x", "May 2 2024",
		"epoch", "infinity", "2024-05-02BC",
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(submission_iso_date(good[i]), "%s refused",
			      good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!submission_iso_date(bad[i]), "%s accepted",
			      bad[i]);
}
END_TEST

START_TEST(submission_partial_skips_required)
{
	struct submission *sub = from_json("{\"note\":\"plus tard\"}", 0,
					   MSP_OK);

	submission_free(sub);
}
END_TEST

/* Texts are counted in characters, not bytes; SQL is just text. */
START_TEST(submission_text_is_verbatim)
{
	struct submission *sub = from_json(
		"{\"kind\":\"esp\",\"sites\":1,"
		"\"note\":\"'; DROP--é\"}", SUBMISSION_COMPLETE, MSP_OK);
	const struct answer *a;
	size_t n;

	a = submission_answers(sub, &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(a[2].text, "'; DROP--é");
	submission_free(sub);
}
END_TEST

START_TEST(submission_form_is_lenient_where_people_are)
{
	struct submission *sub = from_form(
		"kind=esp&sites=4&share=12%2C5&aci=oui&tools=a&note=&_csrf=x",
		SUBMISSION_COMPLETE, MSP_OK);
	const struct answer *a;
	const char *const *given;
	size_t n;

	/* aci and tools are not asked of an ESP: dropped, not refused */
	a = submission_answers(sub, &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(a[2].number, "12.5");
	given = submission_given(sub, 1, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(given[0], "oui");
	ck_assert(!submission_item_shown(sub, 1));
	submission_free(sub);

	sub = from_form("kind=msp&sites=x&aci=peut-%C3%AAtre",
			SUBMISSION_COMPLETE, MSP_EINVAL);
	ck_assert_ptr_nonnull(submission_error_for(sub, "sites"));
	ck_assert_ptr_nonnull(submission_error_for(sub, "aci"));
	ck_assert_ptr_null(submission_error_for(sub, "kind"));
	submission_free(sub);

	sub = from_form("kind=msp&sites=2&aci=1&tools=a&tools=b",
			SUBMISSION_COMPLETE, MSP_OK);
	submission_answers(sub, &n);
	ck_assert_uint_eq(n, 5);
	submission_free(sub);
}
END_TEST

/* --- instrument_from_json -------------------------------------------- */

/* The instrument above, as GET /api/v1/studies/t/instrument prints it
 * (show_if naming a later item is allowed: aci is moved last here). */
static const char ins_json[] =
	"{\"slug\":\"t\",\"version\":2,\"title_fr\":\"T\",\"items\":["
	"{\"key\":\"kind\",\"type\":\"single_choice\",\"section_fr\":\"A\","
	" \"label_fr\":\"Type\",\"label_verbatim\":true,\"required\":true,"
	" \"options\":[{\"code\":\"msp\",\"label_fr\":\"MSP\"},"
	"             {\"code\":\"esp\",\"label_fr\":\"ESP\"}]},"
	"{\"key\":\"sites\",\"type\":\"number\",\"label_fr\":\"Sites\","
	" \"required\":true,\"min\":1,\"max\":20.0,\"integer_only\":true},"
	"{\"key\":\"share\",\"type\":\"number\",\"label_fr\":\"Part\","
	" \"min\":0,\"max\":100,\"integer_only\":false},"
	"{\"key\":\"tools\",\"type\":\"multiple_choice\",\"label_fr\":\"O\","
	" \"show_if\":{\"item\":\"kind\",\"values\":[\"msp\"]},"
	" \"options\":[{\"code\":\"a\"},{\"code\":\"b\"},{\"code\":\"c\"}]},"
	"{\"key\":\"note\",\"type\":\"text\",\"label_fr\":\"Note\","
	" \"help_fr\":\"court\",\"max_length\":10},"
	"{\"key\":\"aci\",\"type\":\"boolean\",\"label_fr\":\"ACI\","
	" \"show_if\":{\"item\":\"kind\",\"values\":[\"msp\"]}}]}";

static struct instrument *
instrument_parse(const char *json, enum msp_status want,
		 struct msp_error *err)
{
	struct instrument *parsed = NULL;
	struct json_object *o = NULL;

	ck_assert_int_eq(jsonin_parse(json, strlen(json), &o, err), MSP_OK);
	ck_assert_msg(instrument_from_json(o, &parsed, err) == want,
		      "%s: %s", json, err->message);
	json_object_put(o);
	ck_assert(want == MSP_OK ? parsed != NULL : parsed == NULL);
	return parsed;
}

START_TEST(instrument_from_json_reads_the_api_form)
{
	struct msp_error err;
	struct instrument *p = instrument_parse(ins_json, MSP_OK, &err);
	const struct instrument_item *it;
	struct submission *sub;
	struct json_object *o = NULL;
	const char *answers = "{\"kind\":\"msp\",\"aci\":true,\"sites\":3,"
			      "\"tools\":[\"a\",\"c\"],\"note\":\"d'accord\"}";

	ck_assert_str_eq(p->slug, "t");
	ck_assert_int_eq(p->version, 2);
	ck_assert_int_eq(p->instrument_id, 0);
	ck_assert_uint_eq(p->n_items, 6);
	it = &p->items[0];
	ck_assert_int_eq(it->type, ITEM_SINGLE_CHOICE);
	ck_assert_str_eq(it->section_fr, "A");
	ck_assert(it->required && it->label_verbatim);
	ck_assert_ptr_null(it->help_fr);
	ck_assert_uint_eq(it->n_options, 2);
	ck_assert_str_eq(it->options[1].code, "esp");
	ck_assert_str_eq(it->options[1].label_fr, "ESP");
	it = instrument_find(p, "sites");
	ck_assert(it->has_min && it->has_max && it->integer_only);
	ck_assert(it->min_value == 1 && it->max_value == 20);
	ck_assert_str_eq(it->section_fr, "");
	it = instrument_find(p, "tools");
	ck_assert_int_eq(it->show_if, 0);
	ck_assert_str_eq(it->options[2].label_fr, "");
	it = instrument_find(p, "note");
	ck_assert_str_eq(it->help_fr, "court");
	ck_assert_int_eq(it->max_length, 10);
	ck_assert(!it->required && !it->has_min && it->show_if == -1);
	it = instrument_find(p, "aci");
	ck_assert_int_eq(it->show_if, 0);
	ck_assert_uint_eq(it->n_show_if_values, 1);
	ck_assert_str_eq(it->show_if_values[0], "msp");

	/* and it validates as the instrument built by hand does */
	sub = submission_new(p);
	ck_assert_int_eq(jsonin_parse(answers, strlen(answers), &o, &err),
			 MSP_OK);
	ck_assert_int_eq(submission_add_json(sub, o, &err), MSP_OK);
	ck_assert_int_eq(submission_validate(sub, SUBMISSION_COMPLETE, &err),
			 MSP_OK);
	json_object_put(o);
	submission_free(sub);
	instrument_free(p);
}
END_TEST

START_TEST(instrument_from_json_refuses_bad_definitions)
{
	static const struct {
		const char *json;
		const char *message;
	} bad[] = {
		{ "[]", "\"items\" must be an array" },
		{ "{\"slug\":\"t\",\"title_fr\":\"T\"}", "\"items\"" },
		{ "{\"title_fr\":\"T\",\"items\":[]}", "\"slug\"" },
		{ "{\"slug\":\"t\",\"title_fr\":\"T\",\"version\":-1,"
		  "\"items\":[]}", "\"version\" must be an integer" },
		{ "{\"slug\":\"t\",\"title_fr\":\"T\",\"items\":[1]}",
		  "item 1: not an object" },
		{ "{\"slug\":\"t\",\"title_fr\":\"T\",\"items\":["
		  "{\"type\":\"text\",\"label_fr\":\"x\"}]}",
		  "item 1: \"key\" must be a string" },
		{ "{\"slug\":\"t\",\"title_fr\":\"T\",\"items\":["
		  "{\"key\":\"a\",\"type\":\"date\",\"label_fr\":\"x\"}]}",
		  "item a: \"type\"" },
		{ "{\"slug\":\"t\",\"title_fr\":\"T\",\"items\":["
		  "{\"key\":\"a\",\"type\":\"text\",\"label_fr\":\"x\"},"
		  "{\"key\":\"a\",\"type\":\"text\",\"label_fr\":\"y\"}]}",
		  "item 2: key a repeated" },
		{ "{\"slug\":\"t\",\"title_fr\":\"T\",\"items\":["
		  "{\"key\":\"a\",\"type\":\"number\",\"label_fr\":\"x\","
		  "\"min\":\"1\"}]}", "item a: \"min\" must be a number" },
		{ "{\"slug\":\"t\",\"title_fr\":\"T\",\"items\":["
		  "{\"key\":\"a\",\"type\":\"text\",\"label_fr\":\"x\","
		  "\"max_length\":1.5}]}", "\"max_length\" must be" },
		{ "{\"slug\":\"t\",\"title_fr\":\"T\",\"items\":["
		  "{\"key\":\"a\",\"type\":\"text\",\"label_fr\":\"x\","
		  "\"required\":1}]}", "\"required\" must be true or false" },
		{ "{\"slug\":\"t\",\"title_fr\":\"T\",\"items\":["
		  "{\"key\":\"a\",\"type\":\"single_choice\","
		  "\"label_fr\":\"x\","
		  "\"options\":[{\"label_fr\":\"y\"}]}]}",
		  "item a, option 1: \"code\" must be a string" },
		{ "{\"slug\":\"t\",\"title_fr\":\"T\",\"items\":["
		  "{\"key\":\"a\",\"type\":\"text\",\"label_fr\":\"x\","
		  "\"show_if\":{\"item\":\"b\",\"values\":[\"1\"]}}]}",
		  "item a: \"show_if\" names no other item" },
		{ "{\"slug\":\"t\",\"title_fr\":\"T\",\"items\":["
		  "{\"key\":\"a\",\"type\":\"text\",\"label_fr\":\"x\","
		  "\"show_if\":{\"item\":\"a\",\"values\":[]}}]}",
		  "names no other item" },
		{ "{\"slug\":\"t\",\"title_fr\":\"T\",\"items\":["
		  "{\"key\":\"a\",\"type\":\"text\",\"label_fr\":\"x\"},"
		  "{\"key\":\"b\",\"type\":\"text\",\"label_fr\":\"x\","
		  "\"show_if\":{\"item\":\"a\",\"values\":[1]}}]}",
		  "item b: \"show_if\" values must be strings" },
	};
	struct msp_error err;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		instrument_parse(bad[i].json, MSP_EINVAL, &err);
		ck_assert_msg(strstr(err.message, bad[i].message) != NULL,
			      "%s: '%s'", bad[i].json, err.message);
	}
}
END_TEST

static Suite *
input_suite(void)
{
	Suite *s = suite_create("input");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, buf_grows_and_steals);
	tcase_add_test(tc, utf8_counts_and_validates);
	tcase_add_test(tc, utf8_decodes_one_code_point);
	tcase_add_test(tc, json_accepts_rfc8259);
	tcase_add_test(tc, json_null_is_null);
	tcase_add_test(tc, json_refuses_what_json_c_would_let_through);
	tcase_add_test(tc, json_caps_depth);
	tcase_add_test(tc, urlenc_decodes);
	tcase_add_test(tc, urlenc_refuses);
	tcase_add_test(tc, urlenc_encodes);
	tcase_add_test(tc, submission_valid_json);
	tcase_add_test(tc, submission_json_errors_name_the_item);
	tcase_add_test(tc, submission_bounds_are_exact_decimals);
	tcase_add_test(tc, iso_dates_are_strict);
	tcase_add_test(tc, required_item_hidden_by_its_show_if);
	tcase_add_test(tc, submission_partial_skips_required);
	tcase_add_test(tc, submission_text_is_verbatim);
	tcase_add_test(tc, submission_form_is_lenient_where_people_are);
	tcase_add_test(tc, instrument_from_json_reads_the_api_form);
	tcase_add_test(tc, instrument_from_json_refuses_bad_definitions);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testdb_run(input_suite());
}
