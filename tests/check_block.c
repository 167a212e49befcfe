/*
 * block: the counts document of a block, from counts worked out by
 * hand (the rules of docs/report.md, "Missing answers"): the missing
 * row, the margin, the denominators under each --nsp/--missing rule,
 * the rows printed, the columns' arrays; and that release_make()
 * accepts every kind.  That the blocks are the ones msp-report always
 * built is checked by scripts/report-snapshot (every report of both
 * reference studies, byte for byte) and check_release.
 */
#include "config.h"

#include <check.h>
#include <string.h>

#include "report/block.h"
#include "report/release.h"
#include "testdb.h"

/* Two columns: a group, then the total; the group's head count was
 * hidden by the table's head count row. */
static const int is_total[2] = { 0, 1 };
static const int hidden_n[2] = { 1, 0 };
static const struct block_cols cols = { 2, is_total, hidden_n };

/* oui, non, ne sait pas (by column: the group, the total) */
static const unsigned long single_n[3 * 2] = { 3, 10, 2, 6, 1, 2 };
static const unsigned long single_colN[2] = { 8, 20 };
static const int single_dk[3] = { 0, 0, 1 };

static void
single_in(struct block_cat *in, int dk_kept, int missing_kept)
{
	memset(in, 0, sizeof(*in));
	in->ncats = 3;
	in->n = single_n;
	in->col_n = single_colN;
	in->dont_know = single_dk;
	in->dont_know_kept = dk_kept;
	in->missing_kept = missing_kept;
}

/* Releases b publishing everything: the release must take the block
 * and give its counts back. */
static void
releases(const struct block *b)
{
	struct msp_error err;
	struct release r;
	size_t i;

	ck_assert_int_eq(release_make(&b->k, 0, &r, &err), MSP_OK);
	for (i = 0; i < b->k.nrows * b->k.ncols; i++)
		ck_assert_uint_eq(r.n[i], b->k.n[i]);
	release_clear(&r);
}

START_TEST(single_missing_excluded)
{
	struct msp_error err;
	struct block_cat in;
	struct block b;

	single_in(&in, 0, 0);
	ck_assert_int_eq(block_categorical(&b, &cols, &in, &err), MSP_OK);
	ck_assert_int_eq(b.k.kind, RELEASE_SINGLE);
	ck_assert_uint_eq(b.k.nrows, 4);
	ck_assert_uint_eq(b.k.ncols, 2);
	/* missing: 8 - 6 and 20 - 18 */
	ck_assert_uint_eq(b.k.n[3 * 2 + 0], 2);
	ck_assert_uint_eq(b.k.n[3 * 2 + 1], 2);
	/* the margin after the rows release_make() sees */
	ck_assert_uint_eq(b.n[4 * 2 + 0], 8);
	ck_assert_uint_eq(b.n[4 * 2 + 1], 20);
	ck_assert_uint_eq(b.k.head[0], 8);
	ck_assert_uint_eq(b.k.head[1], 20);
	/* oui + non only */
	ck_assert_uint_eq(b.k.denom[0], 5);
	ck_assert_uint_eq(b.k.denom[1], 16);
	ck_assert(b.k.included[0] && b.k.included[1]);
	ck_assert(!b.k.included[2] && !b.k.included[3]);
	ck_assert(b.k.printed[0] && b.k.printed[1] && b.k.printed[2] &&
		  b.k.printed[3]);
	ck_assert(b.k.any_missing);
	ck_assert(!b.k.missing_kept);
	ck_assert(!b.k.is_total[0] && b.k.is_total[1]);
	ck_assert(b.k.head_secret[0] && !b.k.head_secret[1]);
	releases(&b);
	block_clear(&b);
	block_clear(&b);	/* cleared twice is allowed */
}
END_TEST

START_TEST(single_everything_kept)
{
	struct msp_error err;
	struct block_cat in;
	struct block b;

	single_in(&in, 1, 1);
	ck_assert_int_eq(block_categorical(&b, &cols, &in, &err), MSP_OK);
	ck_assert_uint_eq(b.k.denom[0], 8);
	ck_assert_uint_eq(b.k.denom[1], 20);
	ck_assert(b.k.included[2] && b.k.included[3]);
	ck_assert(b.k.missing_kept);
	releases(&b);
	block_clear(&b);
}
END_TEST

/* The frame: a category no column has is not printed, nor the
 * missing row when nothing is missing. */
START_TEST(frame_rows_printed)
{
	static const unsigned long n[3 * 2] = { 4, 9, 0, 0, 1, 3 };
	static const unsigned long colN[2] = { 5, 12 };
	static const int dk[3] = { 0, 0, 0 };
	struct msp_error err;
	struct block_cat in;
	struct block b;

	memset(&in, 0, sizeof(in));
	in.ncats = 3;
	in.n = n;
	in.col_n = colN;
	in.dont_know = dk;
	in.frame = 1;
	ck_assert_int_eq(block_categorical(&b, &cols, &in, &err), MSP_OK);
	ck_assert(b.k.printed[0] && !b.k.printed[1] && b.k.printed[2]);
	ck_assert(!b.k.printed[3]);
	ck_assert(!b.k.any_missing);
	ck_assert_uint_eq(b.k.denom[0], 5);
	ck_assert_uint_eq(b.k.denom[1], 12);
	block_clear(&b);
	/* not the frame: the empty category is printed */
	in.frame = 0;
	ck_assert_int_eq(block_categorical(&b, &cols, &in, &err), MSP_OK);
	ck_assert(b.k.printed[1] && !b.k.printed[3]);
	block_clear(&b);
}
END_TEST

/* Multiple choice: the denominator is the respondents, read from
 * their own count, not the sum of the ticks. */
START_TEST(multi_respondents)
{
	static const unsigned long n[2 * 2] = { 3, 7, 1, 4 };
	static const unsigned long colN[2] = { 6, 12 };
	static const unsigned long answered[2] = { 4, 9 };
	static const int dk[2] = { 0, 1 };
	struct msp_error err;
	struct block_cat in;
	struct block b;

	memset(&in, 0, sizeof(in));
	in.ncats = 2;
	in.n = n;
	in.col_n = colN;
	in.answered = answered;
	in.dont_know = dk;
	in.multi = 1;
	ck_assert_int_eq(block_categorical(&b, &cols, &in, &err), MSP_OK);
	ck_assert_int_eq(b.k.kind, RELEASE_MULTI);
	ck_assert_uint_eq(b.k.n[2 * 2 + 0], 2);	/* 6 - 4 */
	ck_assert_uint_eq(b.k.n[2 * 2 + 1], 3);	/* 12 - 9 */
	ck_assert_uint_eq(b.k.denom[0], 4);
	ck_assert_uint_eq(b.k.denom[1], 9);
	ck_assert(b.k.included[1]);	/* a « ne sait pas » tick counts */
	releases(&b);
	block_clear(&b);
	in.missing_kept = 1;
	ck_assert_int_eq(block_categorical(&b, &cols, &in, &err), MSP_OK);
	ck_assert_uint_eq(b.k.denom[0], 6);
	ck_assert_uint_eq(b.k.denom[1], 12);
	block_clear(&b);
	/* without the respondents' count: refused */
	in.answered = NULL;
	ck_assert_int_eq(block_categorical(&b, &cols, &in, &err),
			 MSP_EINVAL);
	ck_assert_ptr_null(b.n);
}
END_TEST

START_TEST(number_rows)
{
	static const unsigned long ge1[2] = { 2, 5 }, ans[2] = { 3, 9 };
	static const unsigned long colN[2] = { 4, 9 };
	static const struct release_summary sum[2] = {
		{ 1, 1.5, 0, 4 }, { 2, 2.5, 0, 7 }
	};
	struct msp_error err;
	struct block_num in;
	struct block b;

	memset(&in, 0, sizeof(in));
	in.ge1 = ge1;
	in.answered = ans;
	in.col_n = colN;
	in.summary = sum;
	in.presence = 1;
	ck_assert_int_eq(block_numeric(&b, &cols, &in, &err), MSP_OK);
	ck_assert_int_eq(b.k.kind, RELEASE_NUMBER);
	ck_assert_uint_eq(b.k.n[RELEASE_NB_GE1 * 2 + 1], 5);
	ck_assert_uint_eq(b.k.n[RELEASE_NB_ZERO * 2 + 0], 1);
	ck_assert_uint_eq(b.k.n[RELEASE_NB_ZERO * 2 + 1], 4);
	ck_assert_uint_eq(b.k.n[RELEASE_NB_ANSWERED * 2 + 0], 3);
	ck_assert_uint_eq(b.k.n[RELEASE_NB_MISSING * 2 + 0], 1);
	ck_assert_uint_eq(b.k.n[RELEASE_NB_MISSING * 2 + 1], 0);
	ck_assert_uint_eq(b.k.head[0], 4);
	ck_assert_uint_eq(b.k.head[1], 9);
	ck_assert(b.k.any_missing && b.k.presence);
	ck_assert(b.k.summary[1].max == 7);
	releases(&b);
	block_clear(&b);
}
END_TEST

START_TEST(text_and_headcount)
{
	static const unsigned long ans[2] = { 2, 7 }, colN[2] = { 5, 7 };
	static const int pub[2] = { 0, 1 };
	struct msp_error err;
	struct block b;

	ck_assert_int_eq(block_text(&b, &cols, ans, colN, &err), MSP_OK);
	ck_assert_int_eq(b.k.kind, RELEASE_TEXT);
	ck_assert_uint_eq(b.k.n[RELEASE_TX_UNANSWERED * 2 + 0], 3);
	ck_assert_uint_eq(b.k.n[RELEASE_TX_UNANSWERED * 2 + 1], 0);
	ck_assert_uint_eq(b.k.head[0], 5);
	releases(&b);
	block_clear(&b);

	ck_assert_int_eq(block_headcount(&b, &cols, colN, pub, &err), MSP_OK);
	ck_assert_int_eq(b.k.kind, RELEASE_HEADCOUNT);
	ck_assert_uint_eq(b.k.nrows, 1);
	/* the head count row is the one that hides: nothing before it */
	ck_assert_ptr_null(b.k.head_secret);
	ck_assert(!b.k.head_public[0] && b.k.head_public[1]);
	ck_assert_uint_eq(b.k.head[0], 5);
	releases(&b);
	block_clear(&b);
}
END_TEST

/* The instrument's categories first, in its order; a value met in
 * the data after them; a code added twice is kept once, with its first
 * label. */
START_TEST(category_list)
{
	struct block_catlist l;

	memset(&l, 0, sizeof(l));
	ck_assert_int_eq(block_catlist_add(&l, "oui", "Oui", 0), 0);
	ck_assert_int_eq(block_catlist_add(&l, "nsp", "Ne sait pas", 1), 0);
	ck_assert_int_eq(block_catlist_add(&l, "autre", "autre", 0), 0);
	ck_assert_int_eq(block_catlist_add(&l, "oui", "oui", 0), 0);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_str_eq(l.cats[0].code, "oui");
	ck_assert_str_eq(l.cats[0].label, "Oui");
	ck_assert(l.cats[1].dont_know && !l.cats[2].dont_know);
	ck_assert_str_eq(l.cats[2].code, "autre");
	block_catlist_free(&l);
	ck_assert_ptr_null(l.cats);
	ck_assert_uint_eq(l.n, 0);
	block_catlist_free(&l);
}
END_TEST

START_TEST(no_columns_refused)
{
	static const struct block_cols none = { 0, is_total, NULL };
	static const unsigned long n[1] = { 1 };
	struct msp_error err;
	struct block b;

	ck_assert_int_eq(block_text(&b, &none, n, n, &err), MSP_EINVAL);
	ck_assert_int_eq(block_text(&b, NULL, n, n, &err), MSP_EINVAL);
	ck_assert_int_eq(block_text(&b, &cols, NULL, n, &err), MSP_EINVAL);
	ck_assert_int_eq(block_headcount(&b, &cols, n, NULL, &err),
			 MSP_EINVAL);
	ck_assert_int_eq(block_numeric(&b, &cols, NULL, &err), MSP_EINVAL);
	ck_assert_ptr_null(b.n);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("block");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, single_missing_excluded);
	tcase_add_test(tc, single_everything_kept);
	tcase_add_test(tc, frame_rows_printed);
	tcase_add_test(tc, multi_respondents);
	tcase_add_test(tc, number_rows);
	tcase_add_test(tc, text_and_headcount);
	tcase_add_test(tc, category_list);
	tcase_add_test(tc, no_columns_refused);
	suite_add_tcase(s, tc);
	return testdb_run(s);
}
