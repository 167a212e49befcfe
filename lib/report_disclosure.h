/*
 * report_disclosure — statistical disclosure control for the reports a
 * federation reads.
 *
 * A federation sees aggregates, not teams: a count below the threshold
 * (0 < n < threshold) could single a team out, so it is suppressed
 * ("primary" suppression).  Suppressing one cell is not enough when
 * totals are printed: the total minus the other cells gives it back.
 * So every line of a table whose sum is published (each row, each
 * column) that holds exactly one suppressed cell gets a second one, the
 * smallest other cell ("complementary" suppression), until no line has a
 * lone suppressed cell.  An analyst, and the database owner, see
 * everything.
 *
 * The threshold is configuration (MSP_DISCLOSURE_THRESHOLD), never a
 * command-line option: the person it protects against is the one
 * running the command.
 */
#ifndef MSP_REPORT_DISCLOSURE_H
#define MSP_REPORT_DISCLOSURE_H

#include <stddef.h>

#include "msp_error.h"

/* The threshold when MSP_DISCLOSURE_THRESHOLD is not set. */
#define DISCLOSURE_DEFAULT_THRESHOLD 5u

/* Larger thresholds would hide every table; this bounds typos. */
#define DISCLOSURE_MAX_THRESHOLD 1000u

/*
 * The threshold from MSP_DISCLOSURE_THRESHOLD (an integer from 1 to
 * DISCLOSURE_MAX_THRESHOLD) or the default.  Fails with MSP_ECONFIG when
 * the variable is set to anything else: a typo must not disable the
 * protection silently.
 */
enum msp_status disclosure_threshold(unsigned *out, struct msp_error *err);

/*
 * Decides which cells of a rows x cols table of counts to suppress.
 * Every row and every column is a line whose sum is considered
 * published; when the caller prints margins, it passes them as the last
 * row and column, so that they take part like any cell.  A line of one
 * cell is no constraint.  suppressed (rows * cols, row-major) is in and
 * out: a cell the caller already hid (nonzero) stays hidden and counts as
 * hidden in its lines; on return it is 1 for every hidden cell.  Returns
 * the number of cells hidden; never fails.
 */
size_t disclosure_protect(const unsigned long *counts, size_t rows,
			  size_t cols, unsigned threshold, int *suppressed);

#endif
