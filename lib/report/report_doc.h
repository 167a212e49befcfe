/*
 * report_doc — a report as data: titled tables of typed cells, before
 * any output format.
 *
 * The report builder (report.c) fills a document from the database; the
 * formats (format.c) turn it into text, CSV, JSON, Markdown or HTML.
 * Keeping the statistics typed until the end is what lets the CSV carry
 * one statistic per row and the text table print "4 (40.00%)".
 *
 * A document owns everything it holds through one arena: strings, rows
 * and cells are freed together by rdoc_free(), so builders never free
 * piecemeal.  An allocation that fails marks the document failed (the
 * call returns NULL); rdoc_status() reports it once at the end.
 */
#ifndef MSP_REPORT_DOC_H
#define MSP_REPORT_DOC_H

#include <stddef.h>

#include "msp_error.h"
#include "stats.h"

enum rcell_kind {
	RCELL_NONE = 0,	/* empty */
	RCELL_TEXT,	/* text */
	RCELL_COUNT,	/* n */
	RCELL_PROP,	/* n of total: percentage and Wilson 95 % interval */
	RCELL_SUMMARY,	/* n numbers: median (min-max), mean */
	RCELL_TEST,	/* a test of independence: p-value and method */
	/* a weighted percentage (--weights): pct, its standard error se
	 * (percentage points) and, when has_ci, the logit interval lo, hi
	 * (%); n: the respondents of its domain; with is_mean, a weighted
	 * mean of a number instead: mean in pct, se in its unit, no
	 * interval */
	RCELL_WEIGHTED,
	/* a computed figure that is not a count (a weight): value */
	RCELL_NUMBER,
};

struct rcell {
	enum rcell_kind kind;
	/* disclosure control hid the value: only "suppressed" is shown,
	 * with why (rcell_hide()) */
	int suppressed;
	/* suppressed for itself (primary): the count lies in 1 .. below-1
	 * and shows as "< below"; 0: hidden to protect another figure
	 * (complementary, or a figure that is not a count), shown as the
	 * secret marker "s", since "< 5" would be false for it */
	unsigned below;
	unsigned long n;	/* COUNT, PROP, SUMMARY (numbers described) */
	unsigned long total;	/* PROP: the denominator */
	double pct;		/* PROP: 100 n / total */
	int has_ci;		/* PROP: lo, hi hold the Wilson interval (%) */
	double lo, hi;
	double se;		/* WEIGHTED: standard error (points) */
	double value;		/* NUMBER */
	int is_mean;		/* WEIGHTED: a mean, not a percentage */
	double median, min, max, mean;	/* SUMMARY */
	int hide_range;		/* SUMMARY: min and max withheld */
	struct stats_result test;	/* TEST */
	/* TEST: the p-value adjusted over the table's tests (has_p_adj
	 * when the table carries two or more and --adjust is not none) */
	int has_p_adj;
	enum stats_adjust adjust;
	double p_adj;
	/* TEST on a 2×2 table (has_or): fisher.test()'s conditional MLE
	 * of the odds ratio and its exact 95 % interval (odds.p: the
	 * p-value for alt, also in test.p), as stats_odds_ratio() gives
	 * them; withheld (has_or 0) where a cell of the table is hidden */
	int has_or;
	enum stats_alternative alt;
	struct stats_odds_ratio odds;
	/* TEST by Monte Carlo (has_sim): test.p is the simulated p-value,
	 * from sim_b tables drawn from seed sim_seed; sim_se its
	 * standard error */
	int has_sim;
	unsigned long sim_b;
	unsigned long long sim_seed;
	double sim_se;
	const char *text;	/* TEXT; TEST: why there is no p-value */
};

struct rcolumn {
	const char *key;	/* stable, for CSV and JSON ("usagers_plus") */
	const char *label;	/* for people ("usagers + (n = 10)") */
};

/* One line of a table: a variable, or one category of it. */
struct rrow {
	const char *var_key;	/* "departement" */
	const char *var_label;
	const char *cat_key;	/* "44"; NULL for a line about the variable */
	const char *cat_label;
	struct rcell *cells;	/* one per column */
};

struct rtable {
	const char *key;	/* stable id: "characteristics", "by" */
	const char *title;
	const char *note;	/* printed under the table, or NULL */
	struct rcolumn *cols;
	size_t ncols;
	struct rrow *rows;
	size_t nrows, caprows;
	/* HTML: a bar chart of the percentages (PROP) or counts of column
	 * chart_col, one bar per category row, when chart is set */
	int chart;
	size_t chart_col;
};

/* A line of the document's header: what was reported, and how. */
struct rmeta {
	const char *key;	/* "region", "missing", ... */
	const char *label;
	const char *value;
	const char *code;	/* machine value for JSON, or NULL */
};

struct rdoc {
	const char *title;
	struct rmeta *meta;
	size_t nmeta, capmeta;
	struct rtable **tables;
	size_t ntables, captables;
	int failed;		/* an allocation failed */
	struct rdoc_chunk *arena;
};

/* A new, empty document, or NULL when out of memory. */
struct rdoc *rdoc_new(void);

/* Frees doc and everything in it; NULL is allowed. */
void rdoc_free(struct rdoc *doc);

/* MSP_ENOMEM (and err) if any allocation in doc failed, else MSP_OK. */
enum msp_status rdoc_status(const struct rdoc *doc, struct msp_error *err);

/* Zeroed memory owned by doc, or NULL (doc marked failed). */
void *rdoc_alloc(struct rdoc *doc, size_t size);

/* A copy of s owned by doc; NULL for NULL s or on failure (marked). */
const char *rdoc_strdup(struct rdoc *doc, const char *s);

/* A printf-style string owned by doc; NULL on failure (marked). */
const char *rdoc_printf(struct rdoc *doc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Appends a header line; fails only by marking doc. */
void rdoc_meta(struct rdoc *doc, const char *key, const char *label,
	       const char *value);

/*
 * A header line whose value people read (value, French) and programs
 * read as a code: JSON carries KEY as code and KEY_label as value, so
 * a consumer of the code is not broken by a wording; the other formats
 * show value.
 */
void rdoc_meta_code(struct rdoc *doc, const char *key, const char *label,
		    const char *value, const char *code);

/*
 * Appends a table with ncols columns (named later through
 * rtable_column()); NULL when out of memory.  key and title are copied.
 */
struct rtable *rdoc_table(struct rdoc *doc, const char *key,
			  const char *title, size_t ncols);

/* Names column i of t (copies key and label). */
void rtable_column(struct rdoc *doc, struct rtable *t, size_t i,
		   const char *key, const char *label);

/* Appends a row with empty cells; NULL when out of memory.  The strings
 * are copied; cat_key and cat_label may be NULL. */
struct rrow *rtable_row(struct rdoc *doc, struct rtable *t,
			const char *var_key, const char *var_label,
			const char *cat_key, const char *cat_label);

/* Cell setters.  rcell_prop computes the percentage and, when total > 0,
 * the Wilson interval; an interval the statistics refuse is left out. */
void rcell_count(struct rcell *c, unsigned long n);
void rcell_prop(struct rcell *c, unsigned long n, unsigned long total);
void rcell_text(struct rdoc *doc, struct rcell *c, const char *text);
void rcell_number(struct rcell *c, double value);

/*
 * Hides c from its reader.  below: the threshold when c is a count
 * hidden for itself (primary suppression: 1 <= n < below, which the
 * formats print as "< below"); 0 when it is hidden to protect another
 * figure (complementary suppression) or is not a count (a weighted
 * percentage, a rate): the formats print the secret marker.
 */
void rcell_hide(struct rcell *c, unsigned below);

/* Looks a table up by key; NULL if none. */
struct rtable *rdoc_find_table(const struct rdoc *doc, const char *key);

#endif
