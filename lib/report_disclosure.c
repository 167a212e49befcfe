/*
 * report_disclosure — suppression of small counts (see
 * report_disclosure.h).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "report_disclosure.h"

enum msp_status
disclosure_threshold(unsigned *out, struct msp_error *err)
{
	const char *s = getenv("MSP_DISCLOSURE_THRESHOLD");
	unsigned long v;
	char *end;

	*out = DISCLOSURE_DEFAULT_THRESHOLD;
	if (s == NULL || *s == '\0')
		return MSP_OK;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *s == '-' || v < 1 ||
	    v > DISCLOSURE_MAX_THRESHOLD)
		return msp_error_set(err, MSP_ECONFIG,
				     "MSP_DISCLOSURE_THRESHOLD must be an "
				     "integer from 1 to %u",
				     DISCLOSURE_MAX_THRESHOLD);
	*out = (unsigned)v;
	return MSP_OK;
}

/*
 * In the line of n cells starting at index first, step apart: if
 * exactly one cell is suppressed, suppresses the smallest other one
 * (a positive count first: hiding a zero protects as well, but hiding a
 * real count keeps more zeros readable).  Returns 1 if it suppressed.
 */
static int
protect_line(const unsigned long *counts, int *suppressed, size_t first,
	     size_t n, size_t step)
{
	size_t i, hidden = 0, best = (size_t)-1;

	if (n < 2)
		return 0;
	for (i = 0; i < n; i++)
		if (suppressed[first + i * step])
			hidden++;
	if (hidden != 1)
		return 0;
	for (i = 0; i < n; i++) {
		size_t k = first + i * step;

		if (suppressed[k])
			continue;
		if (best == (size_t)-1) {
			best = k;
			continue;
		}
		/* positive before zero, then smallest */
		if ((counts[best] == 0 && counts[k] > 0) ||
		    ((counts[best] == 0) == (counts[k] == 0) &&
		     counts[k] < counts[best]))
			best = k;
	}
	if (best == (size_t)-1)
		return 0;
	suppressed[best] = 1;
	return 1;
}

size_t
disclosure_protect(const unsigned long *counts, size_t rows, size_t cols,
		   unsigned threshold, int *suppressed)
{
	size_t i, j, total = 0;
	int changed;

	for (i = 0; i < rows * cols; i++)
		suppressed[i] = suppressed[i] ||
				(counts[i] > 0 && counts[i] < threshold);
	/*
	 * Each pass can only add suppressions, and there are finitely many
	 * cells, so this ends; in practice after two or three passes.
	 */
	do {
		changed = 0;
		for (i = 0; i < rows; i++)
			changed |= protect_line(counts, suppressed, i * cols,
						cols, 1);
		for (j = 0; j < cols; j++)
			changed |= protect_line(counts, suppressed, j, rows,
						cols);
	} while (changed);
	for (i = 0; i < rows * cols; i++)
		total += suppressed[i] != 0;
	return total;
}
