/*
 * release — what a federation may be told about one block of a report,
 * decided from the block's counts (issue 19, item 2).
 *
 * A report is made of blocks: the head counts of a table's columns, and
 * each variable laid out over those columns.  The COUNTS of a block are
 * plain data (struct release_counts): every elementary figure of the
 * block, true, with what the layout makes public.  release_make()
 * turns them into a RELEASE (struct release): the same figures, each
 * either published (its value) or absent (value 0, and why: below the
 * threshold, or hidden because it would give a small one back).  The
 * report renders from the release, never from the counts, so what it
 * prints about a hidden figure cannot depend on its value.
 *
 * The decisions are report_disclosure.h's: primary suppression of
 * counts from 1 to threshold - 1, then Gaussian-elimination
 * complementary suppression (Langsrud 2024) over every figure the
 * block prints or lets be computed (cells, head counts, the
 * denominators behind percentages, the remainder a total column adds
 * to its groups).  Threshold 0 publishes everything: the release of an
 * analyst or of the owner.
 *
 * This module is pure computation: no libpq, no stdio, no global state;
 * it allocates through alloc.h and fails through struct msp_error, so
 * that the same code can run inside the database (a server module) and
 * in msp-report.
 *
 * Rows of a block, by kind (n is nrows x ncols, row-major):
 *   HEADCOUNT  one row: each column's head count
 *   SINGLE     each category, then the missing answers
 *   MULTI      each option (chosen), then the missing answers
 *   NUMBER     RELEASE_NB_*: at least one, zero, answered, missing
 *   TEXT       RELEASE_TX_*: answered, not answered
 */
#ifndef MSP_REPORT_RELEASE_H
#define MSP_REPORT_RELEASE_H

#include <stddef.h>

#include "msp_error.h"

enum release_kind {
	RELEASE_HEADCOUNT,
	RELEASE_SINGLE,
	RELEASE_MULTI,
	RELEASE_NUMBER,
	RELEASE_TEXT,
};

/* Why a figure of a release is absent (0: it is published). */
enum release_why {
	RELEASE_PUBLISHED = 0,
	RELEASE_PRIMARY,	/* a count from 1 to threshold - 1 */
	RELEASE_COMPLEMENTARY,	/* it would give a hidden figure back */
};

/* Rows of a NUMBER block. */
enum { RELEASE_NB_GE1, RELEASE_NB_ZERO, RELEASE_NB_ANSWERED,
       RELEASE_NB_MISSING, RELEASE_NB_ROWS };

/* Rows of a TEXT block. */
enum { RELEASE_TX_ANSWERED, RELEASE_TX_UNANSWERED, RELEASE_TX_ROWS };

/* A number's description in one column, from its frequency table. */
struct release_summary {
	double median, mean, min, max;
};

/*
 * The counts of one block: borrowed arrays, none of them changed.
 * Columns are the layout's: group columns, and at most one total column
 * (is_total), which counts every group and the responses in none.
 */
struct release_counts {
	enum release_kind kind;
	size_t nrows, ncols;
	const unsigned long *n;		/* nrows x ncols */
	const unsigned long *head;	/* ncols: each column's head count */
	const int *is_total;		/* ncols: the total column */
	/* ncols, or NULL: head counts hidden by an earlier block (the
	 * table's head count row), which stay hidden */
	const int *head_secret;
	/* HEADCOUNT, ncols: a head count printed elsewhere (the total of
	 * every response, in the response table): always published */
	const int *head_public;
	/* SINGLE, nrows: the row is printed (an all-zero category of the
	 * frame is not, nor the missing row when there are none) */
	const int *printed;
	/* SINGLE, nrows: the row is in the percentages' denominator */
	const int *included;
	/* SINGLE, ncols: the denominators (sums of the included rows) */
	const unsigned long *denom;
	/* NUMBER, ncols: the answered values' description */
	const struct release_summary *summary;
	/* nrows x ncols, or NULL: figures the study's protection plan
	 * hides (plan.h) in every report where they appear, decided
	 * jointly over every report rather than in this block; hidden
	 * whatever their value and shown as complements ("s"), even a
	 * count below the threshold (a "< t" that the other labels
	 * narrow: protect.h), before the block's own elimination, which
	 * then protects them too */
	const int *forced;
	int any_missing;	/* MULTI, NUMBER: the missing row printed */
	int missing_kept;	/* MULTI: missing answers in the denominator */
	int presence;		/* NUMBER: "at least one" printed */
};

/* The release of one block: owned by whoever release_make() gave it. */
struct release {
	enum release_kind kind;
	size_t nrows, ncols;
	unsigned threshold;
	unsigned long *n;		/* nrows x ncols; 0 where absent */
	enum release_why *why;		/* nrows x ncols */
	/* ncols: the denominator of each column's percentages (SINGLE,
	 * MULTI; TEXT: the head count; NUMBER: the answered), 0 and a
	 * reason when absent (the percentages are then withheld) */
	unsigned long *denom;
	enum release_why *denom_why;
	/* NUMBER, ncols: median and mean published with their n; min
	 * and max (single teams' values) only when range is set */
	struct release_summary *summary;
	int range;
};

/*
 * The release of the block k at threshold (0: publish everything) into
 * *out, whose arrays the caller frees with release_clear().  Fails with
 * MSP_EINVAL when k is inconsistent (a kind's arrays missing, a row
 * count a kind does not have), MSP_ENOMEM when out of memory; *out is
 * then cleared.
 */
enum msp_status release_make(const struct release_counts *k,
			     unsigned threshold, struct release *out,
			     struct msp_error *err);

/* Frees r's arrays and zeroes it; safe on a zeroed or cleared one. */
void release_clear(struct release *r);

/* Whether the figure of row i, column j is published. */
int release_published(const struct release *r, size_t i, size_t j);

/*
 * The primary rule: whether a count n is hidden for itself, from 1 to
 * threshold - 1 (threshold 0: never).  What the weighting's
 * all-or-nothing rule (report_weights.c), the response rate and the
 * HAS tables apply to each of their counts.
 */
int release_primary(unsigned long n, unsigned threshold);

/*
 * The rare-term rule of --terms: a term used in fewer answers than the
 * threshold (a town, a name) is left out of a federation's list.
 * Threshold 0: every term is listed.
 */
int release_term_published(unsigned long answers, unsigned threshold);

#endif
