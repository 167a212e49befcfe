/*
 * report_request_key (lib/report/request_key.c): one text per report a
 * federation may obtain, the same for option sets that give the same
 * report, another for each option that changes it; read back by urlenc
 * into the values it was made from.
 */
#include "config.h"

#include <check.h>
#include <string.h>

#include "buf.h"
#include "report/request_key.h"
#include "testdb.h"
#include "urlenc.h"

/* o's key, in a static buffer. */
static const char *
key(const struct report_options *o)
{
	static char text[4096];
	struct buf b = BUF_INIT(BUF_MAX_TEXT);
	struct msp_error err;

	report_request_key(o, &b);
	ck_assert_msg(buf_status(&b, &err) == MSP_OK, "%s", err.message);
	ck_assert_uint_lt(b.len, sizeof(text));
	memcpy(text, buf_str(&b), b.len + 1);
	buf_free(&b);
	return text;
}

static void
region(struct report_options *o)
{
	report_options_init(o);
	o->region = "occitanie";
	o->study = "occitanie-2024";
}

START_TEST(keys_are_canonical)
{
	struct report_options o, p;
	struct buf b = BUF_INIT(BUF_MAX_TEXT);
	char first[4096];

	region(&o);
	ck_assert_str_eq(key(&o), "study=occitanie-2024&dont_know=keep"
			 "&missing=exclude");
	/* who asks and how it is counted are not the report's */
	o.token = "fed-x";
	o.session = "abc";
	o.recount = 1;
	o.region = "Occitanie";
	ck_assert_str_eq(key(&o), "study=occitanie-2024&dont_know=keep"
			 "&missing=exclude");
	/* defaults spelled out are the defaults */
	region(&o);
	o.by = "usagers";
	snprintf(first, sizeof(first), "%s", key(&o));
	ck_assert_str_eq(first, "study=occitanie-2024&by=usagers"
			 "&by_role=characteristic&dont_know=keep"
			 "&missing=exclude&adjust=holm");
	o.by_role = "characteristic";
	ck_assert_str_eq(key(&o), first);
	o.adjust = STATS_ADJUST_BH;
	ck_assert_str_eq(key(&o), "study=occitanie-2024&by=usagers"
			 "&by_role=characteristic&dont_know=keep"
			 "&missing=exclude&adjust=BH");
	/* top counts only with terms; adjust only where tests are
	 * adjusted */
	region(&o);
	o.top = 25;
	o.adjust = STATS_ADJUST_NONE;
	ck_assert_str_eq(key(&o), "study=occitanie-2024&dont_know=keep"
			 "&missing=exclude");
	o.terms = "def_usager";
	ck_assert_str_eq(key(&o), "study=occitanie-2024&terms=def_usager"
			 "&top=25&dont_know=keep&missing=exclude");
	/* a comparison's names in any order, empty ones dropped */
	report_options_init(&o);
	o.compare = "pays-de-la-loire,occitanie";
	report_options_init(&p);
	p.compare = ",occitanie,,pays-de-la-loire,";
	ck_assert_str_eq(key(&o), "compare=occitanie,pays-de-la-loire"
			 "&dont_know=keep&missing=exclude&adjust=holm");
	snprintf(first, sizeof(first), "%s", key(&o));
	ck_assert_str_eq(key(&p), first);
	/* no study named: the region as given */
	report_options_init(&o);
	o.region = "Pays de la Loire";
	ck_assert_str_eq(key(&o), "region=Pays%20de%20la%20Loire"
			 "&dont_know=keep&missing=exclude");
	/* appended after what out holds, without a leading '&' */
	buf_puts(&b, "x|");
	region(&o);
	report_request_key(&o, &b);
	ck_assert_str_eq(buf_str(&b), "x|study=occitanie-2024"
			 "&dont_know=keep&missing=exclude");
	buf_free(&b);
}
END_TEST

/* Each option that changes the report changes the key. */
START_TEST(every_option_counts)
{
	struct report_options o;
	char seen[24][512];
	size_t n = 0, i, j;
	int v;

	for (v = 0; v < 18; v++) {
		region(&o);
		switch (v) {
		case 0: break;
		case 1: o.by = "usagers"; break;
		case 2: o.by = "usagers"; o.by_role = "involvement"; break;
		case 3: o.by = "continuum"; break;
		case 4: o.nonresponse = 1; break;
		case 5: o.has = 1; break;
		case 6: o.has = 1; o.matrix = "stage"; break;
		case 7: o.has = 1; o.matrix = "item:usagers"; break;
		case 8: o.has = 1; o.cooccurrence = 1; break;
		case 9: o.terms = "def_usager"; break;
		case 10: o.terms = "def_usager"; o.top = 5; break;
		case 11: o.dont_know = REPORT_EXCLUDE; break;
		case 12: o.missing = REPORT_KEEP; break;
		case 13: o.as_federation = 1; break;
		case 14: o.threshold = 11; break;
		case 15: o.weights = "frame"; break;
		case 16: o.study = "occitanie-2025"; break;
		case 17: o.by = "usagers"; o.adjust = STATS_ADJUST_NONE;
			break;
		}
		snprintf(seen[n++], sizeof(seen[0]), "%s", key(&o));
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			ck_assert_msg(strcmp(seen[i], seen[j]) != 0,
				      "%zu and %zu: %s", i, j, seen[i]);
}
END_TEST

/* A value with '&', '=', '%', spaces and UTF-8 reads back whole. */
START_TEST(values_read_back)
{
	struct report_options o;
	struct urlenc u;
	struct msp_error err;
	const char *k;

	region(&o);
	o.study = "a&b=c%d e+f";
	o.by = "é|x";
	o.matrix = "item:usagers";
	o.has = 1;
	k = key(&o);
	ck_assert_ptr_null(strchr(k, ' '));
	ck_assert_msg(urlenc_parse(k, strlen(k), &u, &err) == MSP_OK, "%s",
		      err.message);
	ck_assert_str_eq(urlenc_get(&u, "study"), "a&b=c%d e+f");
	ck_assert_str_eq(urlenc_get(&u, "by"), "é|x");
	ck_assert_str_eq(urlenc_get(&u, "matrix"), "item:usagers");
	ck_assert_str_eq(urlenc_get(&u, "has"), "");
	urlenc_free(&u);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("request_key");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, keys_are_canonical);
	tcase_add_test(tc, every_option_counts);
	tcase_add_test(tc, values_read_back);
	suite_add_tcase(s, tc);
	return testdb_run(s);
}
