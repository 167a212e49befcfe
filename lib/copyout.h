/*
 * copyout — rows streamed to PostgreSQL with COPY ... FROM STDIN in the
 * text format: the field escaping that format needs, and the sending of
 * the rows through PQputCopyData in chunks.
 *
 * Used by the synthetic generator (lib/synth.c), which loads hundreds
 * of thousands of rows this way (docs/generator.md).  A caller appends
 * a row's fields to c->buf (copyout_text() for any text, "\t" between
 * fields, "\n" after the row), then calls copyout_flush(), which sends
 * the buffer once it holds a chunk; copyout_end() sends the rest and
 * checks the row count the server reports.
 *
 * The text format (PostgreSQL's documentation, "COPY", "Text Format"):
 * fields are separated by a tab, rows end with a newline, \N is NULL,
 * and a backslash, a tab, a newline or a carriage return inside a field
 * is written \\, \t, \n, \r.
 */
#ifndef MSP_COPYOUT_H
#define MSP_COPYOUT_H

#include <libpq-fe.h>

#include "buf.h"
#include "msp_error.h"

/* Rows go out in chunks of about this size. */
#define COPYOUT_CHUNK (1 << 20)

struct copyout {
	PGconn *conn;		/* borrowed */
	const char *what;	/* borrowed: names the COPY in errors */
	struct buf buf;		/* rows not yet sent */
	int active;		/* between copyout_begin() and the end */
};

/* An idle copyout, for a struct copyout that never began; safe to
 * copyout_abort() and copyout_free(). */
#define COPYOUT_INIT { NULL, NULL, BUF_INIT(BUF_MAX_DOCUMENT), 0 }

/*
 * Runs sql, a COPY ... FROM STDIN, on conn, which then stays in COPY
 * until copyout_end() or copyout_abort(); what ("answers") prefixes
 * every error message; conn and what are borrowed for that long.
 * Fails with MSP_EDB (the server's message), c then idle.
 */
enum msp_status copyout_begin(struct copyout *c, PGconn *conn,
			      const char *what, const char *sql,
			      struct msp_error *err);

/* Appends s as one field of the text format, escaped; NULL appends
 * \N (SQL NULL). */
void copyout_text(struct buf *b, const char *s);

/*
 * Sends what c->buf holds when it holds COPYOUT_CHUNK bytes or more,
 * or when force is nonzero.  Fails with MSP_ENOMEM (an append to
 * c->buf failed), MSP_EINVAL (more than 2 GiB buffered, which libpq
 * cannot send at once) or MSP_EDB (the server stopped the COPY: a
 * constraint, a broken connection; c is then idle and conn ready).
 */
enum msp_status copyout_flush(struct copyout *c, int force,
			      struct msp_error *err);

/*
 * Sends the rest, ends the COPY and checks that the server stored
 * expected rows (a BEFORE trigger may drop some): MSP_ECONFLICT if
 * not.  Fails as copyout_flush() does, or with MSP_EDB when the server
 * refuses the data at the end.  c is idle afterwards either way.
 */
enum msp_status copyout_end(struct copyout *c, long expected,
			    struct msp_error *err);

/* Abandons a COPY in progress (after a failure on the caller's side)
 * with why as the reason the server logs, so that conn can roll back;
 * nothing if c is idle. */
void copyout_abort(struct copyout *c, const char *why);

/* Frees c's buffer (c idle); c may begin again afterwards. */
void copyout_free(struct copyout *c);

#endif
