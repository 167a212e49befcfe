/*
 * bench_stats — times one test of independence called in a loop.
 *
 *	bench_stats [--fisher | --chisq | --auto] [--batches N]
 *		    [--calls N] [TABLE]
 *
 * TABLE defaults to the 5×2 table.  Runs BATCHES batches of
 * CALLS calls (each call parses nothing: the table is parsed once) and
 * prints the p-value and the median, fastest and slowest batch in
 * microseconds of CPU per call, then one line "median_us=..." for
 * scripts.
 * Built by 'make bench/bench_stats', not by make check: bench/stats.sh
 * runs it and compares with R.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stats.h"

#define DEFAULT_TABLE "2 3; 2 3; 5 9; 1 6; 0 6"
#define MAX_BATCHES 1000

static double
seconds(void)
{
	struct timespec ts;

	/* CPU time, not the wall clock: on cores shared with other
	 * builds, the wall clock measures the others too. */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* A positive count from s, or 0. */
static unsigned long
count_arg(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	return *s != '\0' && *end == '\0' && s[0] != '-' ? v : 0;
}

int
main(int argc, char **argv)
{
	static double per_call[MAX_BATCHES];
	enum stats_method method = STATS_FISHER;
	unsigned long batches = 21, calls = 2000, b, i;
	const char *text = DEFAULT_TABLE;
	struct stats_table t = { 0, 0, NULL };
	struct stats_result r;
	struct msp_error err;
	double t0;
	int a, rc = 1;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--fisher") == 0)
			method = STATS_FISHER;
		else if (strcmp(argv[a], "--chisq") == 0)
			method = STATS_CHISQ;
		else if (strcmp(argv[a], "--auto") == 0)
			method = STATS_AUTO;
		else if (strcmp(argv[a], "--batches") == 0 && a + 1 < argc)
			batches = count_arg(argv[++a]);
		else if (strcmp(argv[a], "--calls") == 0 && a + 1 < argc)
			calls = count_arg(argv[++a]);
		else if (argv[a][0] != '-' && a == argc - 1)
			text = argv[a];
		else
			break;
	}
	if (a < argc || batches == 0 || batches > MAX_BATCHES ||
	    calls == 0) {
		fprintf(stderr, "usage: bench_stats [--fisher | --chisq | "
			"--auto] [--batches 1..%d] [--calls N] [TABLE]\n",
			MAX_BATCHES);
		return 2;
	}
	if (stats_table_parse(text, &t, &err) != MSP_OK ||
	    stats_test(&t, method, &r, &err) != MSP_OK) {
		fprintf(stderr, "bench_stats: %s\n", err.message);
		goto out;
	}
	for (b = 0; b < batches; b++) {
		t0 = seconds();
		for (i = 0; i < calls; i++) {
			if (stats_test(&t, method, &r, &err) != MSP_OK) {
				fprintf(stderr, "bench_stats: %s\n",
					err.message);
				goto out;
			}
		}
		per_call[b] = (seconds() - t0) / (double)calls * 1e6;
	}
	qsort(per_call, batches, sizeof(per_call[0]), cmp_double);
	printf("table       %s\n", text);
	printf("test        %s, p = %.17g\n", stats_method_name(r.method),
	       r.p);
	printf("calls       %lu batches of %lu\n", batches, calls);
	printf("per call    median %.2f us (fastest %.2f, slowest "
	       "%.2f)\n", per_call[batches / 2], per_call[0],
	       per_call[batches - 1]);
	printf("median_us=%.3f\n", per_call[batches / 2]);
	rc = 0;
out:
	stats_table_free(&t);
	return rc;
}
