/*
 * alloc — the one seam every allocation of buf and of the parsers and
 * renderers goes through, so that a test can fail the N-th one (the
 * "torture" test, as curl's and SQLite's) or look at a block before it
 * is released (buf's secret mode).
 *
 * By default these are libc's functions.  A test installs its own with
 * msp_alloc_set(); its functions must hand out blocks that libc's
 * free() accepts, since callers release what they were given (say,
 * buf_steal()'s string) with free().  The setting is process-wide and
 * not thread-safe: the workers and the CLI are single-threaded, and
 * only tests change it.
 *
 * json-c, libpq and OpenSSL allocate on their own and are out of
 * reach: a test cannot fail their allocations through this seam.
 */
#ifndef MSP_ALLOC_H
#define MSP_ALLOC_H

#include <stddef.h>

struct msp_allocator {
	/* Like malloc(n): a block of n bytes, or NULL. */
	void *(*malloc)(size_t n, void *arg);
	/* Like realloc(p, n): p is left alone when it returns NULL. */
	void *(*realloc)(void *p, size_t n, void *arg);
	/* Like free(p), p possibly NULL. */
	void (*free)(void *p, void *arg);
	void *arg;
};

/* Installs a (borrowed: it must outlive its use), or libc's functions
 * again when a is NULL. */
void msp_alloc_set(const struct msp_allocator *a);

/* Each returns NULL when the allocation fails (or its size overflows),
 * as the libc function of the same name. */
void *msp_malloc(size_t n);
void *msp_calloc(size_t count, size_t size);
void *msp_realloc(void *p, size_t n);
char *msp_strdup(const char *s);
char *msp_strndup(const char *s, size_t n);
void msp_free(void *p);

#endif
