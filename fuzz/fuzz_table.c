/*
 * fuzz_table — the text of msp-report's --table option:
 * stats_table_parse(), and, when the table parses and is small enough
 * to test quickly, stats_test() with each method.
 */
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Fisher's test on a big table may take seconds within its budget:
 * the fuzzer tests only these, and parses everything. */
#define TEST_MAX_CELLS 12
#define TEST_MAX_TOTAL 100

static void
test_table(const struct stats_table *t)
{
	static const enum stats_method methods[] = {
		STATS_AUTO, STATS_CHISQ, STATS_FISHER,
	};
	struct stats_result r;
	struct msp_error err;
	size_t i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		if (stats_test(t, methods[i], &r, &err) != MSP_OK)
			continue;
		if (!(r.p >= 0 && r.p <= 1 + 1e-9))
			fuzz_fail("a p-value outside [0, 1]");
		if (r.method == STATS_AUTO ||
		    (methods[i] != STATS_AUTO && r.method != methods[i]))
			fuzz_fail("stats_test used another method");
		if (r.method == STATS_CHISQ &&
		    (!(r.statistic >= 0) ||
		     r.df != (int)((t->rows - 1) * (t->cols - 1))))
			fuzz_fail("a chi-squared statistic or df wrong");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stats_table t = { 0, 0, NULL };
	struct msp_error err;
	unsigned long total = 0;
	char *text;
	size_t i;

	/* The option's value is a C string: it ends at the first NUL. */
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (stats_table_parse(text, &t, &err) == MSP_OK) {
		if (t.rows < 2 || t.rows > STATS_MAX_DIM || t.cols < 1 ||
		    t.cols > STATS_MAX_DIM || t.cells == NULL)
			fuzz_fail("stats_table_parse gave a bad shape");
		for (i = 0; i < t.rows * t.cols; i++) {
			total += t.cells[i];
			if (total > STATS_MAX_COUNT)
				fuzz_fail("stats_table_parse total too big");
		}
		if (t.rows * t.cols <= TEST_MAX_CELLS &&
		    total <= TEST_MAX_TOTAL)
			test_table(&t);
	} else if (t.cells != NULL) {
		fuzz_fail("stats_table_parse failed but set *out");
	}
	stats_table_free(&t);
	free(text);
	return 0;
}
