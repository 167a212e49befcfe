/*
 * agreement against independent values:
 *   - published: Krippendorff (2011)'s worked reliability data (binary,
 *     two observers: α = 0.095; nominal, four observers, missing values:
 *     α = 0.743) and the worked example of Cohen's κ in Wikipedia's
 *     "Cohen's kappa" (50 proposals, two readers: κ = 0.4);
 *   - hand-computed: perfect agreement, systematic disagreement, a code
 *     nobody applied (undefined, never a NaN printed), missing data and
 *     units coded by one coder, the overall coefficients (the fractions
 *     are worked out in the comments);
 *   - R run live (Rscript, installed by ./dev; never skipped): 50 random
 *     data sets from a fixed seed, κ and α computed by a base-R script
 *     written from the formulas — the coincidence matrix built pair by
 *     pair, the overall α from the code sets' Hamming distances — and
 *     compared to 1e-12;
 *   - the CLI on files, and every allocation failing in turn.
 */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agreement.h"
#include "alloc.h"
#include "buf.h"
#include "testdb.h"

#define TOL 1e-12

/* Records one coding; fails the test if agreement_add() fails. */
static void
add(struct agreement *a, const char *unit, const char *coder,
    const char *code, int applied)
{
	struct msp_error err;

	ck_assert_msg(agreement_add(a, unit, coder, code, applied, &err) ==
		      MSP_OK, "%s", err.message);
}

static struct agreement_result *
compute(const struct agreement *a)
{
	struct agreement_result *r = NULL;
	struct msp_error err;

	ck_assert_msg(agreement_compute(a, &r, &err) == MSP_OK, "%s",
		      err.message);
	ck_assert(r != NULL);
	return r;
}

/* Coder "A" and "B" values of one code on units u1..un (-1: missing). */
static struct agreement *
two_coders(const char *code, const int *a, const int *b, size_t n)
{
	struct agreement *ag = agreement_new(AGREEMENT_UNIT_ANSWER);
	char unit[16];
	size_t i;

	ck_assert(ag != NULL);
	for (i = 0; i < n; i++) {
		snprintf(unit, sizeof(unit), "u%zu", i + 1);
		if (a[i] >= 0)
			add(ag, unit, "A", code, a[i]);
		if (b[i] >= 0)
			add(ag, unit, "B", code, b[i]);
	}
	return ag;
}

/* --- published examples ---------------------------------------------- */

/*
 * Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability",
 * section C: nominal data, four observers, 12 units, missing values;
 * published α = 0.743.  By hand from the same table: 11 pairable units,
 * n = 40 values, Σ_{c≠k} o_ck = 8, n² - Σ n_c² = 1600 - 384 = 1216, so
 * α = 1 - 39 × 8 / 1216 = 113/152.
 */
START_TEST(test_krippendorff_nominal)
{
#define M AGREEMENT_MISSING
	/* rows: units 1..12; columns: observers A, B, C, D; values 1..5
	 * stored as 0..4 */
	static const int v[12][4] = {
		{ 0, 0, M, 0 }, { 1, 1, 2, 1 }, { 2, 2, 2, 2 },
		{ 2, 2, 2, 2 }, { 1, 1, 1, 1 }, { 0, 1, 2, 3 },
		{ 3, 3, 3, 3 }, { 0, 0, 1, 0 }, { 1, 1, 1, 1 },
		{ M, 4, 4, 4 }, { M, M, 0, 0 }, { M, 2, M, M },
	};
#undef M
	struct agreement_alpha al;
	struct msp_error err;

	ck_assert_int_eq(agreement_alpha_nominal(&v[0][0], 12, 4, 5, &al,
						 &err), MSP_OK);
	ck_assert_int_eq(al.why, AGREEMENT_DEFINED);
	ck_assert_uint_eq(al.units, 11);
	ck_assert_uint_eq(al.values, 40);
	ck_assert_double_eq_tol(al.alpha, 0.743, 0.0005);
	ck_assert_double_eq_tol(al.alpha, 113.0 / 152.0, TOL);
	ck_assert_double_eq_tol(al.d_o, 8.0 / 40.0, TOL);
	ck_assert_double_eq_tol(al.d_e, 1216.0 / (40.0 * 39.0), TOL);
}
END_TEST

/*
 * Krippendorff (2011), section A: binary data, two observers, ten
 * units; published α = 0.095 = 1 - 19 × 4 / (14 × 6).  Cohen's κ of
 * the same table, by hand: both applied 1, the first observer only 1,
 * the second only 3, neither 5; p_o = 0.6, p_e = 0.2 × 0.4 + 0.8 × 0.6 =
 * 0.56, κ = 0.04 / 0.44 = 1/11.
 */
START_TEST(test_krippendorff_binary)
{
	static const int first[10] = { 0, 1, 0, 0, 0, 0, 0, 0, 1, 0 };
	static const int second[10] = { 1, 1, 1, 0, 0, 1, 0, 0, 0, 0 };
	struct agreement *a = two_coders("c", first, second, 10);
	struct agreement_result *r = compute(a);
	const struct agreement_code *c = &r->codes[0];

	ck_assert_uint_eq(r->n_codes, 1);
	ck_assert_int_eq(c->alpha.why, AGREEMENT_DEFINED);
	ck_assert_uint_eq(c->alpha.values, 20);
	ck_assert_double_eq_tol(c->alpha.alpha, 0.095, 0.0005);
	ck_assert_double_eq_tol(c->alpha.alpha, 1 - 19.0 * 4 / (14 * 6),
				TOL);
	ck_assert_int_eq(c->kappa.why, AGREEMENT_DEFINED);
	ck_assert_uint_eq(c->kappa.n, 10);
	ck_assert_double_eq_tol(c->kappa.p_o, 0.6, TOL);
	ck_assert_double_eq_tol(c->kappa.p_e, 0.56, TOL);
	ck_assert_double_eq_tol(c->kappa.kappa, 1.0 / 11, TOL);
	/* one code: overall is that code */
	ck_assert_double_eq_tol(r->alpha.alpha, c->alpha.alpha, TOL);
	ck_assert_double_eq_tol(r->kappa.kappa, c->kappa.kappa, TOL);
	ck_assert_uint_eq(r->n_disagreements, 4);
	agreement_result_free(r);
	agreement_free(a);
}
END_TEST

/*
 * Wikipedia, "Cohen's kappa", worked example: 50 grant proposals, two
 * readers; both yes 20, A yes B no 5, A no B yes 10, both no 15:
 * p_o = 0.7, p_e = 0.5 × 0.6 + 0.5 × 0.4 = 0.5, κ = 0.4.  (Multiplying
 * the two terms of p_e, as QualCoder's published κ does, would give
 * p_e = 0.06 and κ = 0.68.)
 */
START_TEST(test_wikipedia_kappa)
{
	static const unsigned long table[4] = { 20, 5, 10, 15 };
	int ra[50], rb[50];
	struct agreement_kappa k;
	struct agreement *a;
	struct agreement_result *r;
	struct msp_error err;
	size_t i;

	ck_assert_int_eq(agreement_kappa_table(table, 2, &k, &err), MSP_OK);
	ck_assert_int_eq(k.why, AGREEMENT_DEFINED);
	ck_assert_uint_eq(k.n, 50);
	ck_assert_double_eq_tol(k.p_o, 0.7, TOL);
	ck_assert_double_eq_tol(k.p_e, 0.5, TOL);
	ck_assert_double_eq_tol(k.kappa, 0.4, TOL);

	/* the same through the codings */
	for (i = 0; i < 50; i++) {
		ra[i] = i < 25;
		rb[i] = i < 20 || (i >= 25 && i < 35);
	}
	a = two_coders("grant", ra, rb, 50);
	r = compute(a);
	ck_assert_double_eq_tol(r->codes[0].kappa.kappa, 0.4, TOL);
	ck_assert_double_eq_tol(r->codes[0].kappa.p_e, 0.5, TOL);
	/* α by hand: n = 100, n_1 = 55, 15 disagreeing units:
	 * 1 - 99 × 30 / (2 × 45 × 55) = 0.4 */
	ck_assert_double_eq_tol(r->codes[0].alpha.alpha, 0.4, TOL);
	ck_assert_uint_eq(r->n_disagreements, 15);
	agreement_result_free(r);
	agreement_free(a);
}
END_TEST

/* --- hand-computed cases ----------------------------------------------- */

START_TEST(test_perfect)
{
	static const char *const codes[3] = { "frein", "levier", "autre" };
	struct agreement *a = agreement_new(AGREEMENT_UNIT_SEGMENT);
	struct agreement_result *r;
	char unit[16];
	size_t u, c;

	ck_assert(a != NULL);
	for (u = 0; u < 12; u++) {
		snprintf(unit, sizeof(unit), "s%zu", u);
		for (c = 0; c < 3; c++) {
			int on = (u + c) % 3 == 0 || u % 4 == c;

			add(a, unit, "A", codes[c], on);
			add(a, unit, "B", codes[c], on);
			if (u % 2 == 0)	/* a third coder on half of them */
				add(a, unit, "C", codes[c], on);
		}
	}
	r = compute(a);
	ck_assert_int_eq(r->unit, AGREEMENT_UNIT_SEGMENT);
	ck_assert_uint_eq(r->n_coders, 3);
	for (c = 0; c < 3; c++) {
		ck_assert_int_eq(r->codes[c].alpha.why, AGREEMENT_DEFINED);
		ck_assert_double_eq_tol(r->codes[c].alpha.alpha, 1, TOL);
		ck_assert_int_eq(r->codes[c].kappa.why, AGREEMENT_NOT_TWO);
	}
	ck_assert_double_eq_tol(r->alpha.alpha, 1, TOL);
	ck_assert_int_eq(r->kappa.why, AGREEMENT_NOT_TWO);
	ck_assert_uint_eq(r->n_disagreements, 0);
	agreement_result_free(r);
	agreement_free(a);
}
END_TEST

/*
 * A applies the code to the odd units, B to the even ones, ten units:
 * p_o = 0, p_e = 0.5, κ = -1; α = 1 - 19 × 20 / (2 × 10 × 10) = -0.9.
 */
START_TEST(test_systematic)
{
	static const int odd[10] = { 1, 0, 1, 0, 1, 0, 1, 0, 1, 0 };
	static const int even[10] = { 0, 1, 0, 1, 0, 1, 0, 1, 0, 1 };
	struct agreement *a = two_coders("c", odd, even, 10);
	struct agreement_result *r = compute(a);
	size_t i;

	ck_assert_double_eq_tol(r->codes[0].kappa.kappa, -1, TOL);
	ck_assert_double_eq_tol(r->codes[0].alpha.alpha, -0.9, TOL);
	ck_assert_uint_eq(r->n_disagreements, 10);
	for (i = 0; i < 10; i++) {
		const struct agreement_disagreement *d = &r->disagreements[i];

		ck_assert_uint_eq(d->unit, i);
		ck_assert_int_eq(d->who[0], odd[i] ? AGREEMENT_APPLIED :
				 AGREEMENT_ABSENT);
		ck_assert_int_eq(d->who[1], even[i] ? AGREEMENT_APPLIED :
				 AGREEMENT_ABSENT);
	}
	agreement_result_free(r);
	agreement_free(a);
}
END_TEST

/*
 * A code nobody applied and one everybody applied everywhere: κ and α
 * undefined, said why; the overall figures are those without them.
 */
START_TEST(test_no_variation)
{
	static const int ra[4] = { 1, 1, 0, 0 }, rb[4] = { 1, 0, 0, 0 };
	struct agreement *a = two_coders("x", ra, rb, 4);
	struct agreement_result *r, *alone;
	struct msp_error err;
	size_t i;

	alone = compute(a);
	ck_assert_int_eq(agreement_add_code(a, "jamais", &err), MSP_OK);
	for (i = 0; i < 4; i++) {
		char unit[16];

		snprintf(unit, sizeof(unit), "u%zu", i + 1);
		add(a, unit, "A", "partout", 1);
		add(a, unit, "B", "partout", 1);
	}
	r = compute(a);
	ck_assert_uint_eq(r->n_codes, 3);
	for (i = 1; i < 3; i++) {
		ck_assert_int_eq(r->codes[i].kappa.why,
				 AGREEMENT_NO_VARIATION);
		ck_assert_int_eq(r->codes[i].alpha.why,
				 AGREEMENT_NO_VARIATION);
		ck_assert_double_eq_tol(r->codes[i].kappa.p_o, 1, TOL);
		ck_assert_double_eq_tol(r->codes[i].kappa.p_e, 1, TOL);
		ck_assert(strlen(agreement_undefined_text(
			r->codes[i].alpha.why)) > 0);
	}
	ck_assert_uint_eq(r->codes[1].applied, 0);
	ck_assert_uint_eq(r->codes[2].applied, 8);
	/* x alone: p_o 0.75, p_e 0.5 × 0.25 + 0.5 × 0.75 = 0.5, κ 0.5 */
	ck_assert_double_eq_tol(alone->kappa.kappa, 0.5, TOL);
	ck_assert_double_eq_tol(r->kappa.kappa, 0.5, TOL);
	ck_assert_double_eq_tol(r->alpha.alpha, alone->alpha.alpha, TOL);
	/* but the pooled p_o counts the constant codes: (0.75 + 2) / 3 */
	ck_assert_double_eq_tol(r->kappa.p_o, 2.75 / 3, TOL);
	agreement_result_free(r);
	agreement_result_free(alone);
	agreement_free(a);

	/* only constant codes: nothing defined, overall included */
	a = agreement_new(AGREEMENT_UNIT_ANSWER);
	add(a, "u1", "A", "jamais", 0);
	add(a, "u1", "B", "jamais", 0);
	r = compute(a);
	ck_assert_int_eq(r->kappa.why, AGREEMENT_NO_VARIATION);
	ck_assert_int_eq(r->alpha.why, AGREEMENT_NO_VARIATION);
	agreement_result_free(r);
	agreement_free(a);

	/* no unit coded by two coders */
	a = agreement_new(AGREEMENT_UNIT_ANSWER);
	add(a, "u1", "A", "x", 1);
	add(a, "u2", "B", "x", 0);
	r = compute(a);
	ck_assert_uint_eq(r->units_single, 2);
	ck_assert_uint_eq(r->units_pairable, 0);
	ck_assert_int_eq(r->codes[0].kappa.why, AGREEMENT_NO_PAIRS);
	ck_assert_int_eq(r->codes[0].alpha.why, AGREEMENT_NO_PAIRS);
	ck_assert_int_eq(r->kappa.why, AGREEMENT_NO_PAIRS);
	ck_assert_int_eq(r->alpha.why, AGREEMENT_NO_PAIRS);
	agreement_result_free(r);
	agreement_free(a);
}
END_TEST

/*
 * Three coders, missing data, a unit coded by one coder only:
 *   u1 A=1 B=1 C=.    m 2, applied 2
 *   u2 A=1 B=0 C=0    m 3, applied 1
 *   u3 A=0 B=. C=0    m 2, applied 0
 *   u4 A=1 B=. C=.    m 1: left out
 *   u5 A=0 B=0 C=1    m 3, applied 1
 *   u6 A=1 B=0 C=.    m 2, applied 1
 * n = 12, n_1 = 5, n_0 = 7; Σ_{c≠k} o_ck = 2 (1×2/2 + 1×2/2 + 1×1/1) = 6;
 * α = 1 - 11 × 6 / (2 × 7 × 5) = 4/70.
 */
START_TEST(test_missing)
{
	struct agreement *a = agreement_new(AGREEMENT_UNIT_ANSWER);
	struct agreement_result *r;
	const struct agreement_disagreement *d;

	add(a, "u1", "A", "x", 1);
	add(a, "u1", "B", "x", 1);
	add(a, "u2", "A", "x", 1);
	add(a, "u2", "B", NULL, 0);	/* coded, nothing applied */
	add(a, "u2", "C", "x", 0);
	add(a, "u3", "A", "x", 0);
	add(a, "u3", "C", "x", 0);
	add(a, "u4", "A", "x", 1);
	add(a, "u5", "A", "x", 0);
	add(a, "u5", "B", "x", 0);
	add(a, "u5", "C", "x", 1);
	add(a, "u5", "C", "x", 1);	/* said twice, the same */
	add(a, "u6", "A", "x", 1);
	add(a, "u6", "B", "x", 0);
	r = compute(a);
	ck_assert_uint_eq(r->units_pairable, 5);
	ck_assert_uint_eq(r->units_single, 1);
	ck_assert_uint_eq(r->codes[0].alpha.values, 12);
	ck_assert_uint_eq(r->codes[0].applied, 5);
	ck_assert_double_eq_tol(r->codes[0].alpha.alpha, 4.0 / 70, TOL);
	ck_assert_double_eq_tol(r->codes[0].alpha.d_o, 6.0 / 12, TOL);
	ck_assert_double_eq_tol(r->codes[0].alpha.d_e, 70.0 / (12 * 11),
				TOL);
	ck_assert_int_eq(r->codes[0].kappa.why, AGREEMENT_NOT_TWO);
	/* u2, u5, u6 (u4 has one coder: nothing to disagree with) */
	ck_assert_uint_eq(r->n_disagreements, 3);
	d = &r->disagreements[0];
	ck_assert_str_eq(r->units[d->unit], "u2");
	ck_assert_int_eq(d->who[0], AGREEMENT_APPLIED);
	ck_assert_int_eq(d->who[1], AGREEMENT_ABSENT);
	ck_assert_int_eq(d->who[2], AGREEMENT_ABSENT);
	d = &r->disagreements[2];
	ck_assert_str_eq(r->units[d->unit], "u6");
	ck_assert_str_eq(r->codes[d->code].name, "x");
	ck_assert_int_eq(d->who[0], AGREEMENT_APPLIED);
	ck_assert_int_eq(d->who[1], AGREEMENT_ABSENT);
	ck_assert_int_eq(d->who[2], AGREEMENT_NOT_CODED);
	agreement_result_free(r);
	agreement_free(a);
}
END_TEST

/*
 * Overall, by hand, two codes, two coders, four units:
 *   x: A 1 1 0 0, B 1 0 0 0: p_o 0.75, p_e 0.5,   κ 0.5
 *   y: A 1 0 0 0, B 1 1 1 0: p_o 0.5,  p_e 0.375, κ 0.2
 * pooled κ: (0.625 - 0.4375) / (1 - 0.4375) = 1/3 (not the mean of the
 * κs, 0.35).  α over code sets: the eight values are {xy} {x} {} {}
 * (A) and {xy} {y} {y} {} (B); D_o = (2×2 + 2×1) / 8 = 0.75; the
 * Hamming distances of all ordered pairs of values sum to 62, D_e =
 * 62/56; α = 1 - 0.75 × 56/62 = 20/62.
 */
START_TEST(test_overall)
{
	static const int xa[4] = { 1, 1, 0, 0 }, xb[4] = { 1, 0, 0, 0 };
	static const int ya[4] = { 1, 0, 0, 0 }, yb[4] = { 1, 1, 1, 0 };
	struct agreement *a = two_coders("x", xa, xb, 4);
	struct agreement_result *r;
	char unit[16];
	size_t i;

	for (i = 0; i < 4; i++) {
		snprintf(unit, sizeof(unit), "u%zu", i + 1);
		add(a, unit, "A", "y", ya[i]);
		add(a, unit, "B", "y", yb[i]);
	}
	r = compute(a);
	ck_assert_double_eq_tol(r->codes[0].kappa.kappa, 0.5, TOL);
	ck_assert_double_eq_tol(r->codes[1].kappa.kappa, 0.2, TOL);
	ck_assert_double_eq_tol(r->kappa.p_o, 0.625, TOL);
	ck_assert_double_eq_tol(r->kappa.p_e, 0.4375, TOL);
	ck_assert_double_eq_tol(r->kappa.kappa, 1.0 / 3, TOL);
	ck_assert_double_eq_tol(r->alpha.d_o, 0.75, TOL);
	ck_assert_double_eq_tol(r->alpha.d_e, 62.0 / 56, TOL);
	ck_assert_double_eq_tol(r->alpha.alpha, 20.0 / 62, TOL);
	ck_assert_uint_eq(r->n_disagreements, 3);
	agreement_result_free(r);
	agreement_free(a);
}
END_TEST

/* --- errors and limits -------------------------------------------------- */

/* Units named by calls that then failed (a code name too long) never
 * grew the per-unit mask: a valid call on a unit far past twice its
 * capacity must still fit (ASan sees the write otherwise). */
START_TEST(test_failed_calls_name_units)
{
	struct agreement *a = agreement_new(AGREEMENT_UNIT_ANSWER);
	struct agreement_result *r = NULL;
	struct msp_error err;
	char unit[32], code[AGREEMENT_MAX_NAME + 2];
	size_t i;

	ck_assert_ptr_nonnull(a);
	memset(code, 'c', sizeof(code) - 1);
	code[sizeof(code) - 1] = '\0';
	for (i = 0; i < 64; i++) {
		snprintf(unit, sizeof(unit), "u%zu", i);
		add(a, unit, "A", "x", i % 2 == 0);
		add(a, unit, "B", "x", 1);
	}
	for (i = 64; i < 264; i++) {
		snprintf(unit, sizeof(unit), "u%zu", i);
		ck_assert_int_eq(agreement_add(a, unit, "A", code, 1, &err),
				 MSP_EINVAL);
	}
	add(a, "u264", "A", "x", 1);
	add(a, "u264", "B", "x", 1);
	ck_assert_int_eq(agreement_compute(a, &r, &err), MSP_OK);
	agreement_result_free(r);
	agreement_free(a);
}
END_TEST

START_TEST(test_errors)
{
	struct agreement *a = agreement_new(AGREEMENT_UNIT_ANSWER);
	struct agreement_result *r = NULL;
	struct agreement_alpha al;
	struct agreement_kappa k;
	struct msp_error err;
	static const unsigned long cells[4] = { 1, 2, 3, 4 };
	static const int bad[4] = { 0, 1, 2, 5 };
	char name[AGREEMENT_MAX_NAME + 2];
	size_t i;

	ck_assert_int_eq(agreement_compute(a, &r, &err), MSP_EINVAL);
	ck_assert(r == NULL);
	ck_assert_int_eq(agreement_add(a, "u", "A", "x", 2, &err),
			 MSP_EINVAL);
	ck_assert_int_eq(agreement_add(a, "u", "A", NULL, 1, &err),
			 MSP_EINVAL);
	ck_assert_int_eq(agreement_add(a, "", "A", "x", 1, &err),
			 MSP_EINVAL);
	ck_assert_int_eq(agreement_add(a, "u", NULL, "x", 1, &err),
			 MSP_EINVAL);
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	ck_assert_int_eq(agreement_add(a, "u", "A", name, 1, &err),
			 MSP_EINVAL);
	name[AGREEMENT_MAX_NAME] = '\0';
	add(a, "u", "A", name, 1);
	for (i = 1; i < AGREEMENT_MAX_CODERS; i++) {
		snprintf(name, sizeof(name), "coder%zu", i);
		add(a, "u", name, "x", 0);
	}
	ck_assert_int_eq(agreement_add(a, "u", "one too many", "x", 0, &err),
			 MSP_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "codeur"));
	/* both applied and not: refused, with the names */
	add(a, "v", "A", "x", 1);
	add(a, "v", "A", "x", 0);
	ck_assert_int_eq(agreement_compute(a, &r, &err), MSP_EINVAL);
	ck_assert(r == NULL);
	ck_assert_ptr_nonnull(strstr(err.message, "« v »"));
	agreement_free(a);

	ck_assert_int_eq(agreement_kappa_table(cells, 1, &k, &err),
			 MSP_EINVAL);
	ck_assert_int_eq(agreement_alpha_nominal(bad, 2, 2, 3, &al, &err),
			 MSP_EINVAL);
	ck_assert_int_eq(agreement_unit_parse("segment"),
			 AGREEMENT_UNIT_SEGMENT);
	ck_assert_int_eq(agreement_unit_parse("phrase"), -1);
}
END_TEST

/* --- every allocation failing in turn ----------------------------------- */

static unsigned long allocations, fail_at;

static void *
failing_malloc(size_t n, void *arg)
{
	(void)arg;
	return ++allocations == fail_at ? NULL : malloc(n);
}

static void *
failing_realloc(void *p, size_t n, void *arg)
{
	(void)arg;
	return ++allocations == fail_at ? NULL : realloc(p, n);
}

static void
failing_free(void *p, void *arg)
{
	(void)arg;
	free(p);
}

static const struct msp_allocator failing = {
	failing_malloc, failing_realloc, failing_free, NULL,
};

/* Builds and computes a small data set; MSP_OK or the first failure. */
static enum msp_status
build_and_compute(struct agreement_result **out)
{
	struct agreement *a = agreement_new(AGREEMENT_UNIT_ANSWER);
	struct msp_error err;
	enum msp_status rc = MSP_ENOMEM;
	char unit[16];
	size_t u;

	*out = NULL;
	if (a == NULL)
		return MSP_ENOMEM;
	for (u = 0; u < 40; u++) {
		snprintf(unit, sizeof(unit), "u%zu", u);
		if ((rc = agreement_add(a, unit, "A", "x", u % 2, &err)) !=
		    MSP_OK ||
		    (rc = agreement_add(a, unit, "B", "x", u % 3 == 0,
					&err)) != MSP_OK ||
		    (rc = agreement_add(a, unit, "B", "y", 1, &err)) !=
		    MSP_OK)
			goto out;
	}
	rc = agreement_compute(a, out, &err);
out:
	agreement_free(a);
	return rc;
}

START_TEST(test_torture)
{
	struct agreement_result *r;
	unsigned long n, total;
	enum msp_status rc;

	allocations = fail_at = 0;
	msp_alloc_set(&failing);
	rc = build_and_compute(&r);
	msp_alloc_set(NULL);
	ck_assert_int_eq(rc, MSP_OK);
	ck_assert_uint_gt(r->n_disagreements, 0);
	agreement_result_free(r);
	total = allocations;
	for (n = 1; n <= total; n++) {
		allocations = 0;
		fail_at = n;
		msp_alloc_set(&failing);
		rc = build_and_compute(&r);
		msp_alloc_set(NULL);
		ck_assert_msg(rc == MSP_ENOMEM && r == NULL,
			      "allocation %lu of %lu failing: status %d", n,
			      total, (int)rc);
	}
}
END_TEST

/* --- R, live ------------------------------------------------------------ */

/* xorshift64*: the data sets are the same on every run. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static unsigned
rnd(unsigned n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (unsigned)((rng_state * 2685821657736338717ULL) >> 33) % n;
}

/* The R functions, written from the formulas (docs/agreement.md), not
 * from lib/agreement.c: the coincidence matrix is built pair by pair,
 * the overall α from the code sets' Hamming distances (dist()). */
static const char r_functions[] =
"out <- function(x) cat(sprintf('%.17g', x), sep = '\\n')\n"
"alpha_nominal <- function(v) {\n"
"  cats <- sort(unique(v[!is.na(v)]))\n"
"  o <- matrix(0, length(cats), length(cats))\n"
"  for (u in seq_len(nrow(v))) {\n"
"    vals <- v[u, !is.na(v[u, ])]\n"
"    m <- length(vals)\n"
"    if (m < 2) next\n"
"    for (i in seq_len(m)) for (j in seq_len(m)) if (i != j) {\n"
"      a <- match(vals[i], cats); b <- match(vals[j], cats)\n"
"      o[a, b] <- o[a, b] + 1 / (m - 1)\n"
"    }\n"
"  }\n"
"  nc <- rowSums(o); n <- sum(nc); off <- row(o) != col(o)\n"
"  Do <- sum(o[off]) / n\n"
"  De <- sum(outer(nc, nc)[off]) / (n * (n - 1))\n"
"  c(1 - Do / De, Do, De)\n"
"}\n"
"kappa2 <- function(a, b, lev) {\n"
"  ok <- !is.na(a) & !is.na(b)\n"
"  t <- table(factor(a[ok], lev), factor(b[ok], lev))\n"
"  N <- sum(t)\n"
"  po <- sum(diag(t)) / N\n"
"  pe <- sum((rowSums(t) / N) * (colSums(t) / N))\n"
"  c((po - pe) / (1 - pe), po, pe)\n"
"}\n"
"alpha_sets <- function(x) {\n"
"  coded <- !is.na(x[, , 1, drop = FALSE])[, , 1]\n"
"  m <- rowSums(coded)\n"
"  Dsum <- 0; V <- NULL\n"
"  for (u in which(m >= 2)) {\n"
"    ks <- which(coded[u, ])\n"
"    for (i in ks) for (j in ks) if (i != j)\n"
"      Dsum <- Dsum + sum(x[u, i, ] != x[u, j, ]) / (m[u] - 1)\n"
"    for (i in ks) V <- rbind(V, x[u, i, ])\n"
"  }\n"
"  n <- if (is.null(V)) 0 else nrow(V)\n"
"  De <- if (n < 2) NaN else\n"
"    sum(as.matrix(dist(V, method = 'manhattan'))) / (n * (n - 1))\n"
"  Do <- Dsum / n\n"
"  c(1 - Do / De, Do, De)\n"
"}\n"
"disagreements <- function(x) {\n"
"  s <- 0\n"
"  for (u in seq_len(dim(x)[1])) for (c in seq_len(dim(x)[3])) {\n"
"    v <- x[u, , c]; v <- v[!is.na(v)]\n"
"    if (length(v) >= 2 && any(v == 1) && any(v == 0)) s <- s + 1\n"
"  }\n"
"  s\n"
"}\n"
"check <- function(x) {\n"
"  K <- dim(x)[2]; C <- dim(x)[3]; po <- 0; pe <- 0\n"
"  for (c in seq_len(C)) {\n"
"    out(alpha_nominal(matrix(x[, , c], ncol = K)))\n"
"    if (K == 2) {\n"
"      k <- kappa2(x[, 1, c], x[, 2, c], c(0, 1)); out(k)\n"
"      po <- po + k[2]; pe <- pe + k[3]\n"
"    }\n"
"  }\n"
"  out(alpha_sets(x))\n"
"  if (K == 2) { po <- po / C; pe <- pe / C;\n"
"    out(c((po - pe) / (1 - pe), po, pe)) }\n"
"  out(disagreements(x))\n"
"}\n";

#define R_SETS 50

/* What C computed of one data set, in the order R prints it. */
static void
want_alpha(double *v, const struct agreement_alpha *a)
{
	v[0] = a->why == AGREEMENT_DEFINED ? a->alpha : NAN;
	v[1] = a->values > 0 ? a->d_o : NAN;
	v[2] = a->values > 0 ? a->d_e : NAN;
}

static void
want_kappa(double *v, const struct agreement_kappa *k)
{
	v[0] = k->why == AGREEMENT_DEFINED ? k->kappa : NAN;
	v[1] = k->n > 0 ? k->p_o : NAN;
	v[2] = k->n > 0 ? k->p_e : NAN;
}

/* a and b equal to TOL, or both NaN (undefined here, NaN in R). */
static void
same(double a, double b, const char *what, size_t set, size_t i)
{
	if (isnan(a) || isnan(b))
		ck_assert_msg(isnan(a) && isnan(b), "set %zu, number %zu "
			      "(%s): C %.17g, R %.17g", set, i, what, a, b);
	else
		ck_assert_msg(fabs(a - b) <= TOL, "set %zu, number %zu "
			      "(%s): C %.17g, R %.17g", set, i, what, a, b);
}

START_TEST(test_r_random)
{
	char *script = NULL;
	size_t len = 0, n_mine = 0, s, u, k, c, i;
	double *mine = calloc(R_SETS * 64, sizeof(double)), *r_val;
	size_t *set_of = calloc(R_SETS * 64, sizeof(size_t));
	/* which codes are constant in each set, for the summary */
	size_t undefined = 0, defined = 0;

	ck_assert(mine != NULL && set_of != NULL);
	testdb_script_add(&script, &len, "%s", r_functions);
	for (s = 0; s < R_SETS; s++) {
		const size_t K = 2 + s % 3, U = 5 + rnd(30),
			     C = 1 + rnd(4);
		int x[35][4][4], truth;
		unsigned prev[4];
		struct agreement *a = agreement_new(s % 2 ?
			AGREEMENT_UNIT_SEGMENT : AGREEMENT_UNIT_ANSWER);
		struct agreement_result *r;
		char unit[16], coder[16], code[16];

		ck_assert(a != NULL);
		/* prevalence per code, in tenths: sometimes 0 or 10 (a
		 * constant code, undefined) */
		for (c = 0; c < C; c++) {
			prev[c] = rnd(11);
			snprintf(code, sizeof(code), "code%zu", c);
			ck_assert_int_eq(agreement_add_code(a, code, NULL),
					 MSP_OK);
		}
		for (u = 0; u < U; u++) {
			for (k = 0; k < K; k++) {
				int coded = rnd(100) >= 15;

				for (c = 0; c < C; c++)
					x[u][k][c] = coded ? 0 : -1;
			}
			for (c = 0; c < C; c++) {
				truth = rnd(10) < prev[c];
				for (k = 0; k < K; k++)
					if (x[u][k][c] >= 0)
						x[u][k][c] = rnd(10) < 6 ?
							truth :
							rnd(10) < prev[c];
			}
			snprintf(unit, sizeof(unit), "unit %zu", u);
			for (k = 0; k < K; k++) {
				if (x[u][k][0] < 0)
					continue;
				snprintf(coder, sizeof(coder), "coder %zu", k);
				/* the absent codes said, or left out */
				add(a, unit, coder, NULL, 0);
				for (c = 0; c < C; c++) {
					snprintf(code, sizeof(code), "code%zu",
						 c);
					if (x[u][k][c] || rnd(2))
						add(a, unit, coder, code,
						    x[u][k][c]);
				}
			}
		}
		/* a coder who coded nothing would not be in the data:
		 * give each one unit at least */
		for (k = 0; k < K; k++) {
			snprintf(coder, sizeof(coder), "coder %zu", k);
			snprintf(unit, sizeof(unit), "unit %zu", U);
			add(a, unit, coder, NULL, 0);
			for (c = 0; c < C; c++)
				x[U][k][c] = 0;
		}
		r = compute(a);
		ck_assert_uint_eq(r->n_coders, K);
		ck_assert_uint_eq(r->n_codes, C);
		for (c = 0; c < C; c++) {
			want_alpha(mine + n_mine, &r->codes[c].alpha);
			n_mine += 3;
			if (K == 2) {
				want_kappa(mine + n_mine, &r->codes[c].kappa);
				n_mine += 3;
			}
			if (r->codes[c].alpha.why == AGREEMENT_DEFINED)
				defined++;
			else
				undefined++;
		}
		want_alpha(mine + n_mine, &r->alpha);
		n_mine += 3;
		if (K == 2) {
			want_kappa(mine + n_mine, &r->kappa);
			n_mine += 3;
		}
		mine[n_mine++] = (double)r->n_disagreements;
		for (i = 0; i < n_mine; i++)
			if (set_of[i] == 0)
				set_of[i] = s + 1;
		/* x as an R array, column-major: unit fastest */
		testdb_script_add(&script, &len, "check(array(c(");
		for (c = 0; c < C; c++)
			for (k = 0; k < K; k++)
				for (u = 0; u <= U; u++)
					testdb_script_add(&script, &len,
						"%s%s", c + k + u == 0 ? "" :
						",", x[u][k][c] < 0 ? "NA" :
						x[u][k][c] ? "1" : "0");
		testdb_script_add(&script, &len, "), dim = c(%zu, %zu, %zu)))"
				  "\n", U + 1, K, C);
		agreement_result_free(r);
		agreement_free(a);
	}
	/* the sets reach both kinds of code */
	ck_assert_uint_gt(defined, 20);
	ck_assert_uint_gt(undefined, 0);
	r_val = calloc(n_mine, sizeof(double));
	ck_assert(r_val != NULL);
	testdb_r_values(script, r_val, n_mine);
	for (i = 0; i < n_mine; i++)
		same(mine[i], r_val[i], "kappa/alpha", set_of[i] - 1, i);
	free(r_val);
	free(script);
	free(mine);
	free(set_of);
}
END_TEST

/* agreement_alpha_nominal() and agreement_kappa_table() with more than
 * two categories, against the same R functions. */
START_TEST(test_r_categories)
{
	char *script = NULL;
	size_t len = 0, n_mine = 0, s, u, k, i;
	double mine[40 * 3], r_val[40 * 3];
	struct msp_error err;

	testdb_script_add(&script, &len, "%s", r_functions);
	for (s = 0; s < 20; s++) {
		const size_t K = 2 + rnd(4), U = 3 + rnd(25), V = 2 + rnd(5);
		int v[28 * 5];
		unsigned long cells[6 * 6];
		struct agreement_alpha al;
		struct agreement_kappa kp;

		for (u = 0; u < U; u++)
			for (k = 0; k < K; k++)
				v[u * K + k] = rnd(100) < 20 ?
					AGREEMENT_MISSING : rnd(10) < 5 ?
					(int)(u % V) : (int)rnd((unsigned)V);
		ck_assert_int_eq(agreement_alpha_nominal(v, U, K, V, &al,
							 &err), MSP_OK);
		want_alpha(mine + n_mine, &al);
		n_mine += 3;
		testdb_script_add(&script, &len, "out(alpha_nominal(matrix("
				  "c(");
		for (i = 0; i < U * K; i++)
			if (v[i] < 0)
				testdb_script_add(&script, &len, "%sNA",
						  i ? "," : "");
			else
				testdb_script_add(&script, &len, "%s%d",
						  i ? "," : "", v[i]);
		/* values, row-major here: byrow = TRUE */
		testdb_script_add(&script, &len, "), nrow = %zu, byrow = "
				  "TRUE)))\n", U);

		for (i = 0; i < V * V; i++)
			cells[i] = i % (V + 1) == 0 ? rnd(30) : rnd(8);
		ck_assert_int_eq(agreement_kappa_table(cells, V, &kp, &err),
				 MSP_OK);
		want_kappa(mine + n_mine, &kp);
		n_mine += 3;
		testdb_script_add(&script, &len, "t <- matrix(c(");
		for (i = 0; i < V * V; i++)
			testdb_script_add(&script, &len, "%s%lu", i ? "," : "",
					  cells[i]);
		testdb_script_add(&script, &len, "), %zu, byrow = TRUE); "
				  "a <- rep(row(t), t); b <- rep(col(t), t); "
				  "out(kappa2(a, b, seq_len(%zu)))\n", V, V);
	}
	testdb_r_values(script, r_val, n_mine);
	for (i = 0; i < n_mine; i++)
		same(mine[i], r_val[i], "categories", i / 6, i);
	free(script);
}
END_TEST

/* --- the command line --------------------------------------------------- */

/* Writes text to a new temporary file; its path in path. */
static void
write_temp(char path[64], const char *text)
{
	FILE *f;
	int fd;

	snprintf(path, 64, "/tmp/msp-check-agreement-XXXXXX");
	fd = mkstemp(path);
	ck_assert(fd >= 0);
	f = fdopen(fd, "w");
	ck_assert(f != NULL);
	ck_assert(fputs(text, f) >= 0);
	ck_assert(fclose(f) == 0);
}

/* Runs msp-report agreement ARGS --input PATH; output and errors in
 * out; the exit status. */
static int
run_cli(const char *args, const char *path, struct buf *out)
{
	char cmd[1024];

	buf_reset(out);
	snprintf(cmd, sizeof(cmd), "'%s/cli/msp-report' agreement %s "
		 "--input '%s' 2>&1", getenv("MSP_BUILDDIR"), args, path);
	return testdb_shell(cmd, out);
}

/* Whether text holds "nan" in any case: a NaN printed. */
static int
has_nan(const char *text)
{
	for (; *text != '\0'; text++)
		if ((text[0] | 0x20) == 'n' && (text[1] | 0x20) == 'a' &&
		    (text[2] | 0x20) == 'n')
			return 1;
	return 0;
}

START_TEST(test_cli)
{
	/* Krippendorff (2011)'s section A data, coders Anne and Bruno, a
	 * code nobody applied, a unit only Bruno coded */
	static const char codings[] =
		"unit;coder;code;applied;note\n"
		"1;Anne;c;0;\n1;Bruno;c;1;\n2;Anne;c;1;\n2;Bruno;c;1;\n"
		"3;Anne;c;0;\n3;Bruno;c;1;\n4;Anne;c;0;\n4;Bruno;c;0;\n"
		"5;Anne;c;0;\n5;Bruno;c;0;\n6;Anne;c;0;\n6;Bruno;c;1;\n"
		"7;Anne;c;0;\n7;Bruno;c;0;\n8;Anne;c;0;\n8;Bruno;c;0;\n"
		"9;Anne;c;1;\n9;Bruno;c;0;\n10;Anne;c;0;\n10;Bruno;c;0;\n"
		"1;Anne;jamais;0;\n11;Bruno;;0;seul\n";
	struct buf out = BUF_INIT(BUF_MAX_TEXT);
	char path[64], bad[64];
	const char *s;

	write_temp(path, codings);
	ck_assert_int_eq(run_cli("--unit-label segment", path, &out), 0);
	s = buf_str(&out);
	ck_assert_ptr_nonnull(strstr(s, "segment"));
	ck_assert_ptr_nonnull(strstr(s, "0.0952"));	/* α = 0.095 */
	ck_assert_ptr_nonnull(strstr(s, "0.0909"));	/* κ = 1/11 */
	ck_assert_ptr_nonnull(strstr(s, "non défini (aucune variation"));
	ck_assert_ptr_nonnull(strstr(s, "1 par un seul"));
	ck_assert_ptr_nonnull(strstr(s, "unité « 9 », code « c » : "
				     "appliqué par Anne ; non appliqué par "
				     "Bruno"));
	ck_assert_msg(!has_nan(s), "%s", s);

	ck_assert_int_eq(run_cli("--format json", path, &out), 0);
	s = buf_str(&out);
	ck_assert_ptr_nonnull(strstr(s, "\"unit\":\"answer\""));
	ck_assert_ptr_nonnull(strstr(s, "\"value\":null"));
	ck_assert_ptr_nonnull(strstr(s, "\"undefined\":\"no_variation\""));
	ck_assert_ptr_nonnull(strstr(s, "\"value\":0.095238095238095"));
	ck_assert_msg(!has_nan(s), "%s", s);

	ck_assert_int_eq(run_cli("--format csv", path, &out), 0);
	s = buf_str(&out);
	ck_assert_ptr_nonnull(strstr(s, "\r\ncode,jamais,answer,2,0,10,1,1,"
				     ",no_variation,10,20,0,0,,"
				     "no_variation\r\n"));
	ck_assert_msg(!has_nan(s), "%s", s);

	ck_assert_int_eq(run_cli("--format csv --disagreements", path,
				 &out), 0);
	ck_assert_str_eq(buf_str(&out), "unit,code,coder,applied\r\n"
			 "1,c,Anne,0\r\n1,c,Bruno,1\r\n3,c,Anne,0\r\n"
			 "3,c,Bruno,1\r\n6,c,Anne,0\r\n6,c,Bruno,1\r\n"
			 "9,c,Anne,1\r\n9,c,Bruno,0\r\n");

	/* errors, in French, with the line */
	write_temp(bad, "unit,coder,code,applied\nu1,A,x,1\nu1,B,x,oui\n");
	ck_assert_int_eq(run_cli("", bad, &out), 1);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "ligne 3 : applied vaut "
				     "0 ou 1, pas « oui »"));
	unlink(bad);
	write_temp(bad, "unit,coder,applied\nu1,A,1\n");
	ck_assert_int_eq(run_cli("", bad, &out), 1);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "pas de colonne « code "
				     "»"));
	unlink(bad);
	ck_assert_int_eq(run_cli("--unit-label phrase", path, &out), 2);
	ck_assert_int_eq(run_cli("--format html", path, &out), 2);
	ck_assert_int_eq(run_cli("--disagreements", path, &out), 2);
	ck_assert_int_eq(run_cli("", "/nonexistent/codings.csv", &out), 1);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "fichier illisible"));
	unlink(path);
	buf_free(&out);
}
END_TEST

static Suite *
agreement_suite(void)
{
	Suite *s = suite_create("agreement");
	TCase *core = tcase_create("core"), *limits = tcase_create("limits");
	TCase *r = tcase_create("R"), *cli = tcase_create("cli");

	tcase_add_test(core, test_krippendorff_nominal);
	tcase_add_test(core, test_krippendorff_binary);
	tcase_add_test(core, test_wikipedia_kappa);
	tcase_add_test(core, test_perfect);
	tcase_add_test(core, test_systematic);
	tcase_add_test(core, test_no_variation);
	tcase_add_test(core, test_missing);
	tcase_add_test(core, test_overall);
	tcase_add_test(limits, test_errors);
	tcase_add_test(limits, test_failed_calls_name_units);
	tcase_add_test(limits, test_torture);
	tcase_add_test(r, test_r_random);
	tcase_add_test(r, test_r_categories);
	tcase_add_test(cli, test_cli);
	suite_add_tcase(s, core);
	suite_add_tcase(s, limits);
	suite_add_tcase(s, r);
	suite_add_tcase(s, cli);
	return s;
}

int
main(void)
{
	return testdb_run(agreement_suite());
}
