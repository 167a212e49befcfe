/*
 * alloc — the allocation seam (see alloc.h).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

/* NULL: libc's functions.  Only tests set it. */
static const struct msp_allocator *hooks;

void
msp_alloc_set(const struct msp_allocator *a)
{
	hooks = a;
}

void *
msp_malloc(size_t n)
{
	if (hooks != NULL)
		return hooks->malloc(n, hooks->arg);
	return malloc(n);
}

void *
msp_calloc(size_t count, size_t size)
{
	void *p;

	if (size != 0 && count > SIZE_MAX / size)
		return NULL;
	if ((p = msp_malloc(count * size)) != NULL)
		memset(p, 0, count * size);
	return p;
}

void *
msp_realloc(void *p, size_t n)
{
	if (hooks != NULL)
		return hooks->realloc(p, n, hooks->arg);
	return realloc(p, n);
}

char *
msp_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = msp_malloc(len + 1);

	if (p != NULL) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

char *
msp_strdup(const char *s)
{
	size_t len = strlen(s);
	char *p = msp_malloc(len + 1);

	if (p != NULL)
		memcpy(p, s, len + 1);
	return p;
}

void
msp_free(void *p)
{
	if (hooks != NULL)
		hooks->free(p, hooks->arg);
	else
		free(p);
}
