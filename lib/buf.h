/*
 * buf — a growable byte string with a maximum, that remembers failure.
 *
 * Output is built by many small appends; checking each one would bury
 * the logic, so a failed append makes the buffer "failed" and every
 * later append a no-op: build, then check buf_status() once.  The
 * content is always NUL-terminated (when not failed).
 *
 * Every buffer has a maximum, given when it is initialised (curl's
 * Curl_dyn_init(s, toobig)): an append that would make it longer fails
 * the buffer, so that a runaway loop or a hostile input ends in an
 * error instead of in the machine's memory.  There is no default: an
 * uninitialised (zeroed) buffer has a maximum of 0 and fails at its
 * first append of one byte or more (an empty append succeeds and leaves
 * it "").
 *
 * A secret buffer (BUF_INIT_SECRET, buf_init_secret) holds a token, a
 * key or a code: it never realloc()s, which would leave a copy of the
 * old block in freed memory, but copies into a new block and cleanses
 * the old one (OPENSSL_cleanse) on every growth, and cleanses on
 * buf_reset() and buf_free().
 */
#ifndef MSP_BUF_H
#define MSP_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "msp_error.h"

/*
 * The maxima of the uses we have; a caller with a tighter bound names
 * its own.
 *
 * BUF_MAX_TEXT, 1 MiB: one value, built from one input value or a few:
 * a name, a label, a cell, a URL, a CSV field, a log line, a MAC's
 * message.  The values we keep are far shorter (a text answer is at
 * most SUBMISSION_TEXT_MAX characters, a label a line of an instrument
 * definition): 1 MiB is room for any of them escaped, and a value
 * longer than that is a bug or an attack (a CSV file with a 1 MiB
 * field is refused, naming its line).
 *
 * BUF_MAX_DOCUMENT, 1 GiB: a whole output (a report, an export file, a
 * reply, a batch sent as one query parameter, a COPY chunk).  PostgreSQL
 * neither takes nor gives a value larger than 1 GB (a varlena's limit),
 * and FCGX_PutStr() and PQputCopyData() take an int length: 1 GiB is
 * below both.
 */
#define BUF_MAX_TEXT ((size_t)1 << 20)
#define BUF_MAX_DOCUMENT ((size_t)1 << 30)

/* Why a buffer failed (its failed field); 0 while it has not. */
enum buf_failure {
	BUF_ENOMEM = 1,		/* an allocation failed */
	BUF_ETOOBIG,		/* an append would pass the maximum */
};

struct buf {
	char *data;	/* NUL-terminated; NULL until the first append */
	size_t len;
	size_t cap;	/* allocated, at most max + 1 */
	size_t max;	/* the longest len may be */
	int secret;	/* cleanse on growth, reset and free */
	int failed;	/* an enum buf_failure: content is incomplete */
};

#define BUF_INIT(max) { NULL, 0, 0, (max), 0, 0 }
#define BUF_INIT_SECRET(max) { NULL, 0, 0, (max), 1, 0 }

/* An empty buffer of at most max bytes (for buffers inside a struct). */
void buf_init(struct buf *b, size_t max);
void buf_init_secret(struct buf *b, size_t max);

void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Empties b, keeping its memory (and clearing a failure). */
void buf_reset(struct buf *b);

/* Empties scratch as buf_reset() does, after failing out if scratch
 * failed: a scratch buffer reused in a loop (a table cell) would
 * otherwise lose a failure that out's status must report. */
void buf_reuse(struct buf *scratch, struct buf *out);

/* MSP_OK, or with a message in err: MSP_ENOMEM if an allocation
 * failed, MSP_EINVAL if the content would have passed the maximum. */
enum msp_status buf_status(const struct buf *b, struct msp_error *err);

/* The content ("" when empty); valid until the next append. */
const char *buf_str(const struct buf *b);

/* Hands the content to the caller (free() it; a secret one cleansed
 * first) and empties b, which keeps its maximum and mode; NULL when b
 * failed. */
char *buf_steal(struct buf *b);

/* Releases the memory (cleansed first if secret); b keeps its maximum
 * and mode and may be used again. */
void buf_free(struct buf *b);

#endif
