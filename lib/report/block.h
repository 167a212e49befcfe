/*
 * block — the counts document of one block of a table (issue 19): from
 * a variable's counts and the table's layout, which rows are printed,
 * which count in each denominator, the margins, the total column and
 * the head counts an earlier block hid.  release_make() decides it.
 *
 * Pure: no rendering, no libpq, no stdio.  report_xtab.c renders from
 * the block and its release; the disclosure module the database loads
 * (pg/msp_sdc.so) links the same file, so that the layout a federation
 * is released is built where the counts are, never supplied by the
 * caller (two layouts of one table, each hiding different cells, would
 * be a differencing attack).
 */
#ifndef MSP_BLOCK_H
#define MSP_BLOCK_H

#include <stddef.h>

#include "msp_error.h"
#include "release.h"

/* A category as printed: code and label borrowed from the caller. */
struct block_category {
	const char *code, *label;
	int dont_know;			/* « ne sait pas » */
};

/*
 * The categories of a variable's rows: the instrument's own in its
 * order, then every other value met in the data (a frame's
 * départements, say) in the order they are added.  Zero it before the
 * first use; block_catlist_free() frees the array, not the strings.
 */
struct block_catlist {
	struct block_category *cats;
	size_t n, cap;
};

/* Adds code with label unless code is there already (then nothing
 * changes).  0, or -1 when out of memory (l is then unchanged). */
int block_catlist_add(struct block_catlist *l, const char *code,
		      const char *label, int dont_know);

/* Frees l's array and zeroes it; safe on a zeroed one. */
void block_catlist_free(struct block_catlist *l);

/* The columns of a table: which is the total, which head counts the
 * table's head count row hid (NULL: none). */
struct block_cols {
	size_t ncols;
	const int *is_total;		/* ncols */
	const int *hidden_n;		/* ncols, or NULL */
};

/* The counts of a categorical variable (single or multiple choice),
 * per column, as the database holds them. */
struct block_cat {
	size_t ncats;
	const unsigned long *n;		/* ncats x ncols: each category */
	const unsigned long *col_n;	/* ncols: the column's head count */
	/* MULTI, ncols: the respondents who ticked anything */
	const unsigned long *answered;
	const int *dont_know;		/* ncats: a « ne sait pas » */
	/* the frame's values: a category no column has is not printed
	 * (no CDS in a study of MSPs) */
	int frame;
	int multi;
	int dont_know_kept, missing_kept;	/* --nsp, --missing keep */
};

/* The counts of a numeric variable, per column. */
struct block_num {
	const unsigned long *ge1;	/* ncols: values >= 1 */
	const unsigned long *answered;	/* ncols */
	const unsigned long *col_n;	/* ncols: the column's head count */
	const struct release_summary *summary;	/* ncols */
	int presence;			/* "au moins un" printed */
};

/*
 * One block: k is release_make()'s input and points into the arrays
 * below, which the block owns.  Categorical blocks keep one more row
 * after k.nrows in n: the margin (each column's head count), which the
 * test of independence reads.  Zero it before the first use; free it
 * with block_clear().
 */
struct block {
	struct release_counts k;
	unsigned long *n, *head, *denom;
	int *is_total, *secret, *head_public, *printed, *included;
	struct release_summary *summary;
};

/* Frees b's arrays and zeroes it; safe on a zeroed or cleared block. */
void block_clear(struct block *b);

/*
 * The head count row of a table: n (ncols) each column's head count;
 * head_public (ncols) those printed elsewhere.  Each builder fills a
 * zeroed *b, or fails with MSP_ENOMEM (out of memory) or MSP_EINVAL (a
 * missing array, no column), leaving *b cleared.
 */
enum msp_status block_headcount(struct block *b,
				const struct block_cols *cols,
				const unsigned long *n,
				const int *head_public,
				struct msp_error *err);

/* A categorical variable: its categories, then the missing row. */
enum msp_status block_categorical(struct block *b,
				  const struct block_cols *cols,
				  const struct block_cat *in,
				  struct msp_error *err);

/* A numeric variable: rows RELEASE_NB_*. */
enum msp_status block_numeric(struct block *b, const struct block_cols *cols,
			      const struct block_num *in,
			      struct msp_error *err);

/* An open item: answered (ncols) of col_n (ncols); rows RELEASE_TX_*. */
enum msp_status block_text(struct block *b, const struct block_cols *cols,
			   const unsigned long *answered,
			   const unsigned long *col_n,
			   struct msp_error *err);

#endif
