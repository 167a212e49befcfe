/*
 * buf — a growable byte string with a maximum, that remembers failure.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"
#include "crypto.h"

void
buf_init(struct buf *b, size_t max)
{
	*b = (struct buf)BUF_INIT(max);
}

void
buf_init_secret(struct buf *b, size_t max)
{
	*b = (struct buf)BUF_INIT_SECRET(max);
}

/* Moves b's content into a block of cap bytes; 0 on success.  A secret
 * buffer's old block is cleansed before it is released: realloc() may
 * move the content and leave the old block as it was. */
static int
regrow(struct buf *b, size_t cap)
{
	char *p;

	if (!b->secret) {
		if ((p = msp_realloc(b->data, cap)) == NULL)
			return -1;
	} else {
		if ((p = msp_malloc(cap)) == NULL)
			return -1;
		if (b->data != NULL) {
			memcpy(p, b->data, b->len + 1);
			crypto_cleanse(b->data, b->cap);
			msp_free(b->data);
		}
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

/* Room for need more bytes plus the NUL; 0 on success. */
static int
reserve(struct buf *b, size_t need)
{
	size_t cap;

	if (b->failed)
		return -1;
	if (b->data != NULL && need < b->cap - b->len)
		return 0;
	if (b->len > b->max || need > b->max - b->len) {
		b->failed = BUF_ETOOBIG;
		return -1;
	}
	/* len + need + 1 <= max + 1, which cannot overflow: max is at
	 * most SIZE_MAX - 1 in practice (a block that size cannot be had). */
	cap = b->cap ? b->cap : 64;
	while (cap - b->len < need + 1 && cap <= SIZE_MAX / 2)
		cap *= 2;
	if (cap - b->len < need + 1 || cap > b->max + 1)
		cap = b->max + 1;
	if (cap < b->len + need + 1 || regrow(b, cap) != 0) {
		b->failed = BUF_ENOMEM;
		return -1;
	}
	return 0;
}

void
buf_append(struct buf *b, const void *data, size_t len)
{
	if (reserve(b, len) != 0)
		return;
	if (len > 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void
buf_putc(struct buf *b, char c)
{
	buf_append(b, &c, 1);
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list again;
	int n;

	if (reserve(b, 0) != 0)
		return;
	va_copy(again, ap);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	if (n < 0) {
		b->failed = BUF_ENOMEM;
	} else if ((size_t)n >= b->cap - b->len) {
		/* what did not fit is cut off by the NUL: put it back so
		 * that a failed buffer still ends where it was */
		b->data[b->len] = '\0';
		if (reserve(b, (size_t)n) == 0) {
			vsnprintf(b->data + b->len, b->cap - b->len, fmt,
				  again);
			b->len += (size_t)n;
		}
	} else {
		b->len += (size_t)n;
	}
	va_end(again);
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void
buf_reset(struct buf *b)
{
	if (b->secret && b->data != NULL)
		crypto_cleanse(b->data, b->cap);
	b->len = 0;
	b->failed = 0;
	if (b->data)
		b->data[0] = '\0';
}

void
buf_reuse(struct buf *scratch, struct buf *out)
{
	if (scratch->failed && !out->failed)
		out->failed = scratch->failed;
	buf_reset(scratch);
}

enum msp_status
buf_status(const struct buf *b, struct msp_error *err)
{
	if (b->failed == BUF_ETOOBIG)
		return msp_error_set(err, MSP_EINVAL,
				     "longer than the maximum of %zu bytes",
				     b->max);
	if (b->failed)
		return msp_error_set(err, MSP_ENOMEM,
				     "out of memory building output");
	return MSP_OK;
}

const char *
buf_str(const struct buf *b)
{
	return b->data && !b->failed ? b->data : "";
}

char *
buf_steal(struct buf *b)
{
	char *p;

	if (b->failed) {
		buf_free(b);
		return NULL;
	}
	if (b->data == NULL && reserve(b, 0) != 0)
		return NULL;
	p = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void
buf_free(struct buf *b)
{
	if (b->secret && b->data != NULL)
		crypto_cleanse(b->data, b->cap);
	msp_free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}
