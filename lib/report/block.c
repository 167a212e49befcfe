/*
 * block — a block's counts document (see block.h).  What was built
 * here used to be built by report_xtab.c while it rendered; the rules
 * are unchanged (docs/report.md, "Missing answers").
 */
#include "config.h"

#include <string.h>

#include "alloc.h"
#include "block.h"

void
block_clear(struct block *b)
{
	if (b == NULL)
		return;
	msp_free(b->n);
	msp_free(b->head);
	msp_free(b->denom);
	msp_free(b->is_total);
	msp_free(b->secret);
	msp_free(b->head_public);
	msp_free(b->printed);
	msp_free(b->included);
	msp_free(b->summary);
	memset(b, 0, sizeof(*b));
}

int
block_catlist_add(struct block_catlist *l, const char *code,
		  const char *label, int dont_know)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->cats[i].code, code) == 0)
			return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct block_category *cats;

		cats = msp_realloc(l->cats, cap * sizeof(*cats));
		if (cats == NULL)
			return -1;
		l->cats = cats;
		l->cap = cap;
	}
	l->cats[l->n].code = code;
	l->cats[l->n].label = label;
	l->cats[l->n].dont_know = dont_know;
	l->n++;
	return 0;
}

void
block_catlist_free(struct block_catlist *l)
{
	if (l == NULL)
		return;
	msp_free(l->cats);
	memset(l, 0, sizeof(*l));
}

static enum msp_status
nomem(struct block *b, struct msp_error *err)
{
	block_clear(b);
	return msp_error_set(err, MSP_ENOMEM, "block: out of memory");
}

/*
 * The arrays every kind has, for nrows rows (plus extra rows of n that
 * k does not see) and cols: the column arrays filled from cols.  0, or
 * -1 when out of memory (b is then cleared).
 */
static int
block_alloc(struct block *b, enum release_kind kind, size_t nrows,
	    size_t extra, const struct block_cols *cols)
{
	const size_t nc = cols->ncols;
	size_t j;

	memset(b, 0, sizeof(*b));
	/* one more of each: calloc(0) may return NULL */
	b->n = msp_calloc((nrows + extra) * nc + 1, sizeof(*b->n));
	b->head = msp_calloc(nc + 1, sizeof(*b->head));
	b->is_total = msp_calloc(nc + 1, sizeof(*b->is_total));
	b->secret = msp_calloc(nc + 1, sizeof(*b->secret));
	if (b->n == NULL || b->head == NULL || b->is_total == NULL ||
	    b->secret == NULL) {
		block_clear(b);
		return -1;
	}
	for (j = 0; j < nc; j++) {
		b->is_total[j] = cols->is_total[j];
		b->secret[j] = cols->hidden_n != NULL && cols->hidden_n[j];
	}
	b->k.kind = kind;
	b->k.nrows = nrows;
	b->k.ncols = nc;
	b->k.n = b->n;
	b->k.head = b->head;
	b->k.is_total = b->is_total;
	b->k.head_secret = b->secret;
	return 0;
}

static enum msp_status
check_cols(const struct block_cols *cols, struct msp_error *err)
{
	if (cols == NULL || cols->ncols == 0 || cols->is_total == NULL)
		return msp_error_set(err, MSP_EINVAL,
				     "block: a table without columns");
	return MSP_OK;
}

enum msp_status
block_headcount(struct block *b, const struct block_cols *cols,
		const unsigned long *n, const int *head_public,
		struct msp_error *err)
{
	size_t j, nc;

	memset(b, 0, sizeof(*b));
	if (check_cols(cols, err) != MSP_OK)
		return err->status;
	if (n == NULL || head_public == NULL)
		return msp_error_set(err, MSP_EINVAL,
				     "block: a head count without counts");
	nc = cols->ncols;
	if (block_alloc(b, RELEASE_HEADCOUNT, 1, 0, cols) != 0)
		return nomem(b, err);
	b->head_public = msp_calloc(nc + 1, sizeof(*b->head_public));
	if (b->head_public == NULL)
		return nomem(b, err);
	for (j = 0; j < nc; j++) {
		b->n[j] = n[j];
		b->head[j] = n[j];
		b->head_public[j] = head_public[j];
	}
	/* the head count row is the first of its table: nothing earlier
	 * hid any of it */
	b->k.head_secret = NULL;
	b->k.head_public = b->head_public;
	return MSP_OK;
}

enum msp_status
block_categorical(struct block *b, const struct block_cols *cols,
		  const struct block_cat *in, struct msp_error *err)
{
	size_t i, j, nc, nr;
	int any_missing = 0;

	memset(b, 0, sizeof(*b));
	if (check_cols(cols, err) != MSP_OK)
		return err->status;
	if (in == NULL || (in->ncats > 0 && (in->n == NULL ||
					     in->dont_know == NULL)) ||
	    in->col_n == NULL || (in->multi && in->answered == NULL))
		return msp_error_set(err, MSP_EINVAL,
				     "block: a variable without counts");
	nc = cols->ncols;
	nr = in->ncats + 1;		/* the categories, then the missing */
	/* and one more row of n: the margin, the column's count */
	if (block_alloc(b, in->multi ? RELEASE_MULTI : RELEASE_SINGLE, nr, 1,
			cols) != 0)
		return nomem(b, err);
	b->denom = msp_calloc(nc + 1, sizeof(*b->denom));
	b->printed = msp_calloc(nr, sizeof(*b->printed));
	b->included = msp_calloc(nr, sizeof(*b->included));
	if (b->denom == NULL || b->printed == NULL || b->included == NULL)
		return nomem(b, err);
	for (j = 0; j < nc; j++) {
		unsigned long answered = 0, colN = in->col_n[j];

		for (i = 0; i < in->ncats; i++) {
			b->n[i * nc + j] = in->n[i * nc + j];
			answered += in->n[i * nc + j];
		}
		if (in->multi)
			answered = in->answered[j];
		b->n[in->ncats * nc + j] = colN > answered ?
					   colN - answered : 0;
		b->n[nr * nc + j] = colN;
		b->head[j] = colN;
		any_missing |= b->n[in->ncats * nc + j] > 0;
	}
	for (i = 0; i < in->ncats; i++)
		b->included[i] = in->multi || !in->dont_know[i] ||
				 in->dont_know_kept;
	b->included[in->ncats] = in->missing_kept;
	for (j = 0; j < nc; j++) {
		if (in->multi) {
			/* respondents of the item (or everyone, when the
			 * missing are kept) */
			b->denom[j] = in->missing_kept ? b->head[j] :
				b->head[j] - b->n[in->ncats * nc + j];
			continue;
		}
		for (i = 0; i < nr; i++)
			if (b->included[i])
				b->denom[j] += b->n[i * nc + j];
	}
	/* the rows printed: not the missing when there are none, nor
	 * the frame's unused categories */
	for (i = 0; i < nr; i++) {
		b->printed[i] = i < in->ncats || any_missing;
		if (i < in->ncats && in->frame) {
			unsigned long sum = 0;

			for (j = 0; j < nc; j++)
				sum += b->n[i * nc + j];
			b->printed[i] = sum > 0;
		}
	}
	b->k.printed = b->printed;
	b->k.included = b->included;
	b->k.denom = b->denom;
	b->k.any_missing = any_missing;
	b->k.missing_kept = in->missing_kept;
	return MSP_OK;
}

enum msp_status
block_numeric(struct block *b, const struct block_cols *cols,
	      const struct block_num *in, struct msp_error *err)
{
	size_t j, nc;
	int any_missing = 0;

	memset(b, 0, sizeof(*b));
	if (check_cols(cols, err) != MSP_OK)
		return err->status;
	if (in == NULL || in->ge1 == NULL || in->answered == NULL ||
	    in->col_n == NULL || in->summary == NULL)
		return msp_error_set(err, MSP_EINVAL,
				     "block: a number without counts");
	nc = cols->ncols;
	if (block_alloc(b, RELEASE_NUMBER, RELEASE_NB_ROWS, 0, cols) != 0)
		return nomem(b, err);
	b->summary = msp_calloc(nc + 1, sizeof(*b->summary));
	if (b->summary == NULL)
		return nomem(b, err);
	for (j = 0; j < nc; j++) {
		unsigned long n = in->answered[j], colN = in->col_n[j];
		unsigned long miss = colN > n ? colN - n : 0;

		b->n[RELEASE_NB_GE1 * nc + j] = in->ge1[j];
		b->n[RELEASE_NB_ZERO * nc + j] = n - in->ge1[j];
		b->n[RELEASE_NB_ANSWERED * nc + j] = n;
		b->n[RELEASE_NB_MISSING * nc + j] = miss;
		b->head[j] = n + miss;
		any_missing |= miss > 0;
		b->summary[j] = in->summary[j];
	}
	b->k.summary = b->summary;
	b->k.any_missing = any_missing;
	b->k.presence = in->presence;
	return MSP_OK;
}

enum msp_status
block_text(struct block *b, const struct block_cols *cols,
	   const unsigned long *answered, const unsigned long *col_n,
	   struct msp_error *err)
{
	size_t j, nc;

	memset(b, 0, sizeof(*b));
	if (check_cols(cols, err) != MSP_OK)
		return err->status;
	if (answered == NULL || col_n == NULL)
		return msp_error_set(err, MSP_EINVAL,
				     "block: an open item without counts");
	nc = cols->ncols;
	if (block_alloc(b, RELEASE_TEXT, RELEASE_TX_ROWS, 0, cols) != 0)
		return nomem(b, err);
	for (j = 0; j < nc; j++) {
		b->n[j] = answered[j];
		b->n[nc + j] = col_n[j] > answered[j] ?
			       col_n[j] - answered[j] : 0;
		b->head[j] = b->n[j] + b->n[nc + j];
	}
	return MSP_OK;
}
