/*
 * report_disclosure — statistical disclosure control for the reports a
 * federation reads.
 *
 * A federation sees aggregates, not teams: a count below the threshold
 * (0 < n < threshold) could single a team out, so it is suppressed
 * ("primary" suppression).  Suppressing one cell is not enough when
 * totals are printed: the total minus the other cells gives it back.
 * Nor is a second cell per line: a percentage gives its denominator
 * back, a median's n gives back the missing answers, and a cell can be
 * isolated by a chain of rows and columns.  So "complementary"
 * suppression here works on every figure a report lets be computed
 * (disclosure_solve() below).  An analyst, and the database owner, see
 * everything.
 *
 * The threshold is data (msp.disclosure_policy, read by
 * disclosure_policy.h), never a command-line option or an environment
 * variable: the person it protects against is the one running the
 * command.  This module is pure computation (no libpq, no stdio, no
 * global state), so that the database itself can link it.
 */
#ifndef MSP_REPORT_DISCLOSURE_H
#define MSP_REPORT_DISCLOSURE_H

#include <stddef.h>

#include "msp_error.h"

/* msp.disclosure_policy's default (migration 0038). */
#define DISCLOSURE_DEFAULT_THRESHOLD 5u

/* Larger thresholds would hide every table (the table's CHECK too). */
#define DISCLOSURE_MAX_THRESHOLD 1000u

/*
 * Suppression by linear algebra: a "system" of figures over elementary
 * counts.  The elementary counts are the cells no published figure
 * splits further (a category's count in one group); every figure a
 * report prints or lets be computed is a sum of some of them (a
 * category in the total column, a group's head count, the denominator
 * behind a column's percentages).  A figure is disclosed when its
 * vector lies in the span of the published figures' vectors: some
 * linear combination of what is printed gives it back exactly, however
 * many tables away the figures are printed.
 *
 * disclosure_solve() is the Gaussian-elimination secondary suppression
 * of Langsrud (2024, "Secondary cell suppression by Gaussian
 * elimination: an algorithm suitable for handling issues with zeros and
 * singletons", Statistical Journal of the IAOS; the R function
 * SSBtools::GaussSuppression), in its greedy form: the figures are taken
 * in order of preference (public figures,
 * then denominators, then zeros, then the counts from the largest
 * down); each is published unless that would put a hidden figure in
 * the span of the published ones, in which case it is hidden too.  A
 * figure of 0 publishes each count it sums (counts are not negative).
 * The published span is kept orthonormal (Gram-Schmidt), so each test
 * is one projection per hidden figure.  When it returns, no hidden
 * figure is a linear combination of the published ones.  It does not
 * yet widen the intervals that bounds give: a hidden cell in a line
 * whose other hidden cells are small is known to be small.
 */

/* A figure's part in disclosure_solve(). */
enum dfig_kind {
	DFIG_PUBLIC,	/* printed elsewhere, or known: always published */
	DFIG_SECRET,	/* hidden by an earlier decision: stays hidden */
	DFIG_CELL,	/* a printed count: hidden when 0 < n < threshold,
			 * or when printing it would disclose one */
	DFIG_TOTAL,	/* a denominator behind printed percentages: the
			 * same, but tried before the counts */
	DFIG_UNPRINTED,	/* never printed, but protected when small (the
			 * complement of a multiple choice, say) */
};

struct dsys;

/* A new system over ncells elementary counts, or NULL (out of memory). */
struct dsys *dsys_new(size_t ncells);

/* Frees s; NULL is allowed. */
void dsys_free(struct dsys *s);

/*
 * Adds a figure of value n and kind, the sum of the elementary counts
 * cells[0..ncells) (indices below the system's size; repeats count
 * twice).  Returns its number (from 0), or -1 when out of memory or
 * when a cell is not below the system's size (then nothing is added).
 */
long dsys_add(struct dsys *s, enum dfig_kind kind, unsigned long n,
	      const size_t *cells, size_t ncells);

/*
 * Decides which figures to hide (see above).  Returns 0, or -1 when out
 * of memory (then nothing is decided: treat every non-public figure as
 * hidden).
 */
int dsys_solve(struct dsys *s, unsigned threshold);

/* Whether figure i is hidden (after dsys_solve()). */
int dsys_hidden(const struct dsys *s, long i);

/*
 * Decides which cells of a table with margins to suppress: counts is
 * rows x cols, row-major, and its last row and last column are the
 * margins (each interior row sums to its last cell, each interior
 * column to its last row's cell, and the corner is the grand total).
 * suppressed (rows * cols) is in and out: a cell the caller already hid
 * (nonzero) stays hidden; on return it is 1 for every hidden cell, and
 * no hidden cell is a linear combination of the shown ones.  Returns
 * the number of cells hidden; out of memory, every cell is hidden.
 */
size_t disclosure_protect(const unsigned long *counts, size_t rows,
			  size_t cols, unsigned threshold, int *suppressed);

#endif
