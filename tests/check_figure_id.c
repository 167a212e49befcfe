/*
 * figure_id: the identities the disclosure audit and the renderer give
 * the figures (figure_id.h).  What must hold:
 *   - the identities of ordinary keys and codes are what plans stored
 *     before the escaping name;
 *   - two different figures never share an identity: a NULL category
 *     and a category "-", a NULL code and a code "?", a group "~" and
 *     the remainder, a '|' or '=' inside a field, two long categories
 *     that differ past byte 511 (all of which once read the same);
 *   - an identity is exact: the fields come back from it, by a decoder
 *     written here from the grammar of figure_id.h, for thousands of
 *     generated fields of the awkward characters;
 *   - figure_id() says when the caller's array is too small, and
 *     figure_id_new() then gives the whole.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"
#include "report/figure_id.h"
#include "testdb.h"

/* The identity, allocated; fails the test out of memory. */
static char *
id_of(const char *var, const char *cat, int splits, enum figure_col_kind k,
      const char *by, const char *key)
{
	struct figure_col col = { k, by, key };
	char *s = figure_id_new(var, cat, splits, &col);

	ck_assert_ptr_nonnull(s);
	return s;
}

static void
assert_id(const char *want, const char *var, const char *cat, int splits,
	  enum figure_col_kind k, const char *by, const char *key)
{
	char *s = id_of(var, cat, splits, k, by, key);

	ck_assert_str_eq(s, want);
	msp_free(s);
}

static void
assert_differ(const char *var1, const char *cat1, enum figure_col_kind k1,
	      const char *by1, const char *key1, const char *var2,
	      const char *cat2, enum figure_col_kind k2, const char *by2,
	      const char *key2)
{
	char *a = id_of(var1, cat1, 0, k1, by1, key1);
	char *b = id_of(var2, cat2, 0, k2, by2, key2);

	ck_assert_msg(strcmp(a, b) != 0, "two figures read %s", a);
	msp_free(a);
	msp_free(b);
}

/* The keys and codes of the instrument read as they always did. */
START_TEST(ordinary_identities_unchanged)
{
	assert_id("responses|-|ALL", "responses", NULL, 0, FIGCOL_ALL,
		  NULL, NULL);
	assert_id("n_sites||ALL", "n_sites", "", 0, FIGCOL_ALL, NULL, NULL);
	assert_id("aci_signatory|oui|usagers=usagers_plus", "aci_signatory",
		  "oui", 1, FIGCOL_GROUP, "usagers", "usagers_plus");
	/* the 2-way count, in its canonical order */
	assert_id("aci_signatory|oui|usagers=usagers_plus", "usagers",
		  "usagers_plus", 1, FIGCOL_GROUP, "aci_signatory", "oui");
	assert_id("stage|x|sites=~", "stage", "x", 0, FIGCOL_REMAINDER,
		  "sites", NULL);
	assert_id("stage|x|NR:participants", "stage", "x", 0,
		  FIGCOL_NONRESPONSE, NULL, "participants");
	assert_id("stage|x|CMP:occitanie", "stage", "x", 0, FIGCOL_COMPARE,
		  NULL, "occitanie");
	assert_id("?|-|ALL", NULL, NULL, 0, FIGCOL_ALL, NULL, NULL);
}
END_TEST

/* Figures that once shared an identity. */
START_TEST(different_figures_differ)
{
	char *a, *b;
	char la[700], lb[700];

	/* no category, and the category "-" */
	assert_differ("v", NULL, FIGCOL_ALL, NULL, NULL,
		      "v", "-", FIGCOL_ALL, NULL, NULL);
	/* a NULL string, and "?" */
	assert_differ(NULL, "c", FIGCOL_ALL, NULL, NULL,
		      "?", "c", FIGCOL_ALL, NULL, NULL);
	assert_differ("v", "c", FIGCOL_GROUP, "by", NULL,
		      "v", "c", FIGCOL_GROUP, "by", "?");
	/* the group "~", and the responses in no group */
	assert_differ("v", "c", FIGCOL_GROUP, "by", "~",
		      "v", "c", FIGCOL_REMAINDER, "by", NULL);
	/* the separators inside a field */
	assert_differ("a|b", "c", FIGCOL_ALL, NULL, NULL,
		      "a", "b|c", FIGCOL_ALL, NULL, NULL);
	assert_differ("v", "c", FIGCOL_GROUP, "a=b", "c",
		      "v", "c", FIGCOL_GROUP, "a", "b=c");
	assert_differ("v", "c|ALL", FIGCOL_GROUP, "x", "y",
		      "v", "c", FIGCOL_GROUP, "ALL|x", "y");
	/* an escape written as a value */
	assert_differ("v", "%7C", FIGCOL_ALL, NULL, NULL,
		      "v", "|", FIGCOL_ALL, NULL, NULL);
	/* two long categories that differ in their last byte */
	memset(la, '9', sizeof(la) - 1);
	la[sizeof(la) - 1] = '\0';
	memcpy(lb, la, sizeof(lb));
	lb[sizeof(lb) - 2] = '8';
	a = id_of("n_sites", la, 0, FIGCOL_ALL, NULL, NULL);
	b = id_of("n_sites", lb, 0, FIGCOL_ALL, NULL, NULL);
	ck_assert_str_ne(a, b);
	ck_assert_uint_eq(strlen(a), strlen("n_sites||ALL") + strlen(la));
	msp_free(a);
	msp_free(b);
}
END_TEST

/* figure_id() into an array: the length it needed, snprintf's way,
 * and the same text as figure_id_new() when it fits. */
START_TEST(fixed_array_says_when_cut)
{
	struct figure_col col = { FIGCOL_ALL, NULL, NULL };
	char small[8], id[FIGURE_ID_MAX], cat[FIGURE_ID_MAX + 100];
	char *whole;
	size_t n;

	n = figure_id(small, sizeof(small), "aci_signatory", "oui", 0, &col);
	ck_assert_uint_eq(n, strlen("aci_signatory|oui|ALL"));
	ck_assert_str_eq(small, "aci_sig");
	n = figure_id(id, sizeof(id), "aci_signatory", "oui", 0, &col);
	ck_assert_uint_lt(n, sizeof(id));
	ck_assert_str_eq(id, "aci_signatory|oui|ALL");
	memset(cat, 'x', sizeof(cat) - 1);
	cat[sizeof(cat) - 1] = '\0';
	n = figure_id(id, sizeof(id), "v", cat, 0, &col);
	ck_assert_uint_ge(n, sizeof(id));
	ck_assert_uint_eq(strlen(id), sizeof(id) - 1);
	whole = figure_id_new("v", cat, 0, &col);
	ck_assert_ptr_nonnull(whole);
	ck_assert_uint_eq(strlen(whole), n);
	ck_assert_int_eq(strncmp(whole, id, sizeof(id) - 1), 0);
	msp_free(whole);
	/* a zero-sized array: only the length */
	ck_assert_uint_eq(figure_id(NULL, 0, "v", "c", 0, &col),
			  strlen("v|c|ALL"));
}
END_TEST

/* --- the decoder: figure_id.h's grammar, read back ------------------ */

/* Field s (n bytes) unescaped (malloc'd); *sentinel the '?', '-' or
 * '~' that the field is, unescaped, else 0. */
static char *
unescape(const char *s, size_t n, int *sentinel)
{
	char *out = malloc(n + 1), *o = out;
	size_t i;

	ck_assert_ptr_nonnull(out);
	*sentinel = n == 1 && (s[0] == '?' || s[0] == '-' || s[0] == '~') ?
		s[0] : 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			unsigned int c;

			ck_assert_msg(i + 2 < n, "cut escape");
			ck_assert_int_eq(sscanf(s + i + 1, "%2X", &c), 1);
			*o++ = (char)c;
			i += 2;
		} else {
			ck_assert_msg(s[i] != '|' && s[i] != '=' &&
				      s[i] != ':', "unescaped separator");
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

static int
same_field(const char *want, const char *s, size_t n)
{
	int sentinel;
	char *got = unescape(s, n, &sentinel);
	int ok = want == NULL ? sentinel == '?' :
		 sentinel == 0 && strcmp(want, got) == 0;

	free(got);
	return ok;
}

/* Whether id reads back as (var, cat, by = key): three fields split on
 * '|', the column split on its one '='. */
static int
decodes_to(const char *id, const char *var, const char *cat,
	   const char *by, const char *key)
{
	const char *b1 = strchr(id, '|'), *b2, *eq;
	int sentinel;
	char *c;

	if (b1 == NULL || (b2 = strchr(b1 + 1, '|')) == NULL ||
	    strchr(b2 + 1, '|') != NULL || (eq = strchr(b2 + 1, '=')) ==
	    NULL || strchr(eq + 1, '=') != NULL)
		return 0;
	if (!same_field(var, id, (size_t)(b1 - id)))
		return 0;
	c = unescape(b1 + 1, (size_t)(b2 - b1 - 1), &sentinel);
	if (cat == NULL ? sentinel != '-' :
	    sentinel != 0 || strcmp(c, cat) != 0) {
		free(c);
		return 0;
	}
	free(c);
	return same_field(by, b2 + 1, (size_t)(eq - b2 - 1)) &&
	       same_field(key, eq + 1, strlen(eq + 1));
}

/* A field of 0-6 bytes from the characters the grammar gives a meaning
 * to, and letters; 1 in 8 NULL. */
static const char *
gen_field(unsigned *seed, char *buf, int may_be_null)
{
	static const char alpha[] = "ab-?~%|=:7F";
	int i, n;

	if (may_be_null && rand_r(seed) % 8 == 0)
		return NULL;
	n = rand_r(seed) % 7;
	for (i = 0; i < n; i++)
		buf[i] = alpha[rand_r(seed) % (sizeof(alpha) - 1)];
	buf[n] = '\0';
	return buf;
}

START_TEST(fields_come_back)
{
	enum { CASES = 20000 };
	char **ids = calloc(CASES, sizeof(*ids));
	unsigned seed = 14;
	size_t i;

	ck_assert_ptr_nonnull(ids);
	for (i = 0; i < CASES; i++) {
		char bv[8], bc[8], bb[8], bk[8];
		const char *var = gen_field(&seed, bv, 1);
		const char *cat = gen_field(&seed, bc, 1);
		const char *by = gen_field(&seed, bb, 1);
		const char *key = gen_field(&seed, bk, 1);

		/* not split-able: the fields stay where they were given */
		ids[i] = id_of(var, cat, 0, FIGCOL_GROUP, by, key);
		ck_assert_msg(decodes_to(ids[i], var, cat, by, key),
			      "%s does not read back", ids[i]);
	}
	/* the decoder is a function of the identity: two figures with
	 * one identity would have read back as the same fields */
	for (i = 0; i < CASES; i++)
		msp_free(ids[i]);
	free(ids);
}
END_TEST

static Suite *
figure_id_suite(void)
{
	Suite *s = suite_create("figure_id");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, ordinary_identities_unchanged);
	tcase_add_test(tc, different_figures_differ);
	tcase_add_test(tc, fixed_array_says_when_cut);
	tcase_add_test(tc, fields_come_back);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testdb_run(figure_id_suite());
}
