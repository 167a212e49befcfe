/*
 * figure_id — the identity of a figure the reports print: the same
 * count reads the same, wherever it is printed (issue 19, item 2).
 *
 * The disclosure audit (audit.c) reads the reports back from their
 * JSON and makes one unknown of each identity; the renderer
 * (report_xtab.c) hides, in every report, the figures a study's
 * protection plan names (plan.h).  Both compute the identity here, so
 * that what the audit found and what the renderer hides cannot drift
 * apart.
 *
 * An identity is "var|category|column": the variable's key, the
 * row's category ("-" for the row without one: a number's answered,
 * a head count; "" for the missing answers, "ge1" for "at least
 * one"), and the column:
 *   ALL          the whole study (the region report, a --by table's
 *                total column)
 *   BY=code      a --by BY table's group code
 *   BY=~         the responses in no group of --by BY (never printed)
 *   NR:key       --nonresponse's participants, non-participants, total
 *   CMP:region   a --compare column (the region's latest study)
 *
 * Exact and unambiguous: nothing is cut, and every field (var, a
 * category, BY, code, key, region) is escaped, so that two figures
 * never share an identity.  In a field, '%', '|', '=' and ':' are
 * written %25, %7C, %3D, %3A, and a field that is exactly "-", "?" or
 * "~" (what stands for the row without a category, a NULL string, the
 * remainder) %2D, %3F, %7E; a NULL string is "?".  So the column is
 * what follows the last '|', a group's code what follows its only
 * '=', and the keys and codes the instrument allows ([a-z0-9_]) read
 * as they are: a plan stored before the escaping names the same
 * figures.
 *
 * A 2-way count has one identity: the --by A cell (B = b, A = a) and
 * the --by B cell (A = a, B = b) count the same responses, so the
 * pair whose variable sorts first (strcmp) is written first: both are
 * "A|a|B=b" when A < B.  Only when the row's variable is itself one a
 * report may split by (single choice with categories: var_splits) and
 * the row is a category, not the missing answers.
 */
#ifndef MSP_REPORT_FIGURE_ID_H
#define MSP_REPORT_FIGURE_ID_H

#include <stddef.h>

/* A buffer for figure_id() that holds every identity of keys and
 * codes the instrument allows (63 bytes each); a longer one (a long
 * numeric value as a category) needs figure_id_new(). */
#define FIGURE_ID_MAX 512

enum figure_col_kind {
	FIGCOL_ALL,		/* the whole study */
	FIGCOL_GROUP,		/* a group of --by by: key its code */
	FIGCOL_REMAINDER,	/* the responses in no group of by */
	FIGCOL_NONRESPONSE,	/* --nonresponse: key the column's */
	FIGCOL_COMPARE,		/* --compare: key the region's slug */
};

/* A column, as figure_id() names it; strings borrowed. */
struct figure_col {
	enum figure_col_kind kind;
	const char *by;		/* GROUP, REMAINDER: the split */
	const char *key;	/* GROUP, NONRESPONSE, COMPARE */
};

struct buf;

/*
 * Appends the identity of the figure (var, cat, col) to out, whole;
 * a failure (memory, out's maximum) is out's (buf_status()).  cat
 * NULL: the row without a category.  var_splits: var is a variable a
 * report may split by (then a 2-way count is written in its canonical
 * order).
 */
void figure_id_buf(struct buf *out, const char *var, const char *cat,
		   int var_splits, const struct figure_col *col);

/* The same identity, the caller's (msp_free()); NULL out of memory
 * (or past BUF_MAX_TEXT). */
char *figure_id_new(const char *var, const char *cat, int var_splits,
		    const struct figure_col *col);

/*
 * The same identity into out (size bytes), snprintf's way: returns its
 * whole length (NUL excluded); when that is size or more, out holds
 * only its first size - 1 bytes, which are not the identity: call
 * figure_id_new() then.  Never fails, never allocates.
 */
size_t figure_id(char *out, size_t size, const char *var, const char *cat,
		 int var_splits, const struct figure_col *col);

#endif
