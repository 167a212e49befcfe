/*
 * report_doc — a report as data (see report_doc.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "report_doc.h"

/*
 * The arena: a list of chunks, each a header followed by the memory it
 * hands out.  Reports are small (thousands of cells), so chunks of
 * 64 KiB waste little; a larger request gets a chunk of its own.
 */
struct rdoc_chunk {
	struct rdoc_chunk *next;
	size_t used, size;
	max_align_t data[];
};

#define CHUNK_SIZE ((size_t)64 * 1024)

void *
rdoc_alloc(struct rdoc *doc, size_t size)
{
	struct rdoc_chunk *c = doc->arena;
	const size_t align = sizeof(max_align_t);
	size_t need, want;
	char *p;

	if (doc->failed)
		return NULL;
	/* Round up so every block stays aligned for any type. */
	if (size > SIZE_MAX - align) {
		doc->failed = 1;
		return NULL;
	}
	need = (size + align - 1) / align * align;
	if (need == 0)
		need = align;
	if (c == NULL || c->size - c->used < need) {
		want = need > CHUNK_SIZE ? need : CHUNK_SIZE;
		if (want > SIZE_MAX - sizeof(*c)) {
			doc->failed = 1;
			return NULL;
		}
		c = msp_malloc(sizeof(*c) + want);
		if (c == NULL) {
			doc->failed = 1;
			return NULL;
		}
		c->used = 0;
		c->size = want;
		c->next = doc->arena;
		doc->arena = c;
	}
	p = (char *)c->data + c->used;
	c->used += need;
	memset(p, 0, size);
	return p;
}

struct rdoc *
rdoc_new(void)
{
	return msp_calloc(1, sizeof(struct rdoc));
}

void
rdoc_free(struct rdoc *doc)
{
	struct rdoc_chunk *c, *next;

	if (doc == NULL)
		return;
	for (c = doc->arena; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(doc);
}

enum msp_status
rdoc_status(const struct rdoc *doc, struct msp_error *err)
{
	if (doc->failed)
		return msp_error_set(err, MSP_ENOMEM,
				     "report: out of memory");
	return MSP_OK;
}

const char *
rdoc_strdup(struct rdoc *doc, const char *s)
{
	size_t n;
	char *p;

	if (s == NULL)
		return NULL;
	n = strlen(s);
	p = rdoc_alloc(doc, n + 1);
	if (p != NULL)
		memcpy(p, s, n + 1);
	return p;
}

const char *
rdoc_printf(struct rdoc *doc, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		doc->failed = 1;
		return NULL;
	}
	p = rdoc_alloc(doc, (size_t)n + 1);
	if (p == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

/*
 * Makes room for one more element in an arena-owned array: a full
 * array is copied into one twice its size (the old one stays in the
 * arena until the document is freed; at most half is wasted).
 */
static int
grow(struct rdoc *doc, void **items, size_t *cap, size_t n, size_t elem)
{
	size_t newcap;
	void *p;

	if (n < *cap)
		return 0;
	newcap = *cap == 0 ? 8 : *cap * 2;
	if (newcap > SIZE_MAX / elem) {
		doc->failed = 1;
		return -1;
	}
	p = rdoc_alloc(doc, newcap * elem);
	if (p == NULL)
		return -1;
	if (n > 0)
		memcpy(p, *items, n * elem);
	*items = p;
	*cap = newcap;
	return 0;
}

void
rdoc_meta(struct rdoc *doc, const char *key, const char *label,
	  const char *value)
{
	void *items = doc->meta;
	struct rmeta *m;

	if (grow(doc, &items, &doc->capmeta, doc->nmeta, sizeof(*m)) != 0)
		return;
	doc->meta = items;
	m = &doc->meta[doc->nmeta++];
	m->key = rdoc_strdup(doc, key);
	m->label = rdoc_strdup(doc, label);
	m->value = rdoc_strdup(doc, value);
	m->code = NULL;
}

void
rdoc_meta_code(struct rdoc *doc, const char *key, const char *label,
	       const char *value, const char *code)
{
	size_t n = doc->nmeta;

	rdoc_meta(doc, key, label, value);
	if (doc->nmeta > n)
		doc->meta[n].code = rdoc_strdup(doc, code);
}

struct rtable *
rdoc_table(struct rdoc *doc, const char *key, const char *title,
	   size_t ncols)
{
	void *items = doc->tables;
	struct rtable *t;

	if (grow(doc, &items, &doc->captables, doc->ntables,
		 sizeof(*doc->tables)) != 0)
		return NULL;
	doc->tables = items;
	t = rdoc_alloc(doc, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->key = rdoc_strdup(doc, key);
	t->title = rdoc_strdup(doc, title);
	t->ncols = ncols;
	if (ncols > 0) {
		if (ncols > SIZE_MAX / sizeof(*t->cols)) {
			doc->failed = 1;
			return NULL;
		}
		t->cols = rdoc_alloc(doc, ncols * sizeof(*t->cols));
		if (t->cols == NULL)
			return NULL;
	}
	doc->tables[doc->ntables++] = t;
	return t;
}

void
rtable_column(struct rdoc *doc, struct rtable *t, size_t i, const char *key,
	      const char *label)
{
	if (i >= t->ncols)
		return;
	t->cols[i].key = rdoc_strdup(doc, key);
	t->cols[i].label = rdoc_strdup(doc, label);
}

struct rrow *
rtable_row(struct rdoc *doc, struct rtable *t, const char *var_key,
	   const char *var_label, const char *cat_key, const char *cat_label)
{
	void *items = t->rows;
	struct rrow *r;

	if (grow(doc, &items, &t->caprows, t->nrows, sizeof(*r)) != 0)
		return NULL;
	t->rows = items;
	r = &t->rows[t->nrows];
	memset(r, 0, sizeof(*r));
	if (t->ncols > 0) {
		if (t->ncols > SIZE_MAX / sizeof(*r->cells)) {
			doc->failed = 1;
			return NULL;
		}
		r->cells = rdoc_alloc(doc, t->ncols * sizeof(*r->cells));
		if (r->cells == NULL)
			return NULL;
	}
	r->var_key = rdoc_strdup(doc, var_key);
	r->var_label = rdoc_strdup(doc, var_label);
	r->cat_key = rdoc_strdup(doc, cat_key);
	r->cat_label = rdoc_strdup(doc, cat_label);
	t->nrows++;
	return r;
}

void
rcell_count(struct rcell *c, unsigned long n)
{
	c->kind = RCELL_COUNT;
	c->n = n;
}

void
rcell_number(struct rcell *c, double value)
{
	c->kind = RCELL_NUMBER;
	c->value = value;
}

void
rcell_hide(struct rcell *c, unsigned below)
{
	c->suppressed = 1;
	c->below = below;
}

void
rcell_prop(struct rcell *c, unsigned long n, unsigned long total)
{
	struct stats_interval ci;

	c->kind = RCELL_PROP;
	c->n = n;
	c->total = total;
	c->has_ci = 0;
	c->pct = total > 0 ? 100.0 * (double)n / (double)total : 0.0;
	if (total > 0 && n <= total &&
	    stats_wilson(n, total, STATS_Z95, &ci, NULL) == MSP_OK) {
		c->has_ci = 1;
		c->lo = 100.0 * ci.lo;
		c->hi = 100.0 * ci.hi;
	}
}

void
rcell_text(struct rdoc *doc, struct rcell *c, const char *text)
{
	c->kind = RCELL_TEXT;
	c->text = rdoc_strdup(doc, text);
}

struct rtable *
rdoc_find_table(const struct rdoc *doc, const char *key)
{
	size_t i;

	for (i = 0; i < doc->ntables; i++)
		if (doc->tables[i]->key != NULL &&
		    strcmp(doc->tables[i]->key, key) == 0)
			return doc->tables[i];
	return NULL;
}
