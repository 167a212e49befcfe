/*
 * buf — a growable byte string that remembers failure.
 *
 * Output is built by many small appends; checking each one would bury
 * the logic, so a failed allocation makes the buffer "failed" and every
 * later append a no-op: build, then check buf_status() once.  The
 * content is always NUL-terminated (when not failed).
 */
#ifndef MSP_BUF_H
#define MSP_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "msp_error.h"

struct buf {
	char *data;	/* NUL-terminated; NULL until the first append */
	size_t len;
	size_t cap;
	int failed;	/* an allocation failed: content is incomplete */
};

#define BUF_INIT { NULL, 0, 0, 0 }

void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Empties b, keeping its memory (and clearing a failure). */
void buf_reset(struct buf *b);

/* MSP_ENOMEM (with a message in err) if an append failed, else MSP_OK. */
enum msp_status buf_status(const struct buf *b, struct msp_error *err);

/* The content ("" when empty); valid until the next append. */
const char *buf_str(const struct buf *b);

/* Hands the content to the caller (free() it) and empties b; NULL when
 * b failed. */
char *buf_steal(struct buf *b);

void buf_free(struct buf *b);

#endif
