/*
 * copyout — COPY FROM STDIN in the text format (see copyout.h).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "copyout.h"
#include "db.h"

enum msp_status
copyout_begin(struct copyout *c, PGconn *conn, const char *what,
	      const char *sql, struct msp_error *err)
{
	PGresult *res = PQexec(conn, sql);

	if (res == NULL || PQresultStatus(res) != PGRES_COPY_IN) {
		db_error_from_result(res, conn, err);
		PQclear(res);
		msp_error_prefix(err, "%s", what);
		return MSP_EDB;
	}
	PQclear(res);
	c->conn = conn;
	c->what = what;
	c->active = 1;
	buf_reset(&c->buf);
	return MSP_OK;
}

void
copyout_text(struct buf *b, const char *s)
{
	const char *run;

	if (s == NULL) {
		buf_puts(b, "\\N");
		return;
	}
	/* runs of plain bytes in one append: texts rarely need escaping */
	for (run = s; *s != '\0'; s++) {
		const char *esc;

		switch (*s) {
		case '\\': esc = "\\\\"; break;
		case '\t': esc = "\\t"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		default: continue;
		}
		buf_append(b, run, (size_t)(s - run));
		buf_puts(b, esc);
		run = s + 1;
	}
	buf_append(b, run, (size_t)(s - run));
}

/* The server's reason when a COPY went wrong on its side; drains the
 * results so that the connection is ready again. */
static enum msp_status
server_error(struct copyout *c, struct msp_error *err)
{
	PGresult *res;

	c->active = 0;
	res = PQgetResult(c->conn);
	db_error_from_result(res, c->conn, err);
	PQclear(res);
	while ((res = PQgetResult(c->conn)) != NULL)
		PQclear(res);
	msp_error_prefix(err, "%s", c->what);
	return MSP_EDB;
}

enum msp_status
copyout_flush(struct copyout *c, int force, struct msp_error *err)
{
	enum msp_status st = buf_status(&c->buf, err);

	if (st != MSP_OK)
		return st;
	if (c->buf.len == 0 || (!force && c->buf.len < COPYOUT_CHUNK))
		return MSP_OK;
	if (c->buf.len > INT32_MAX)
		return msp_error_set(err, MSP_EINVAL, "%s: row too long",
				     c->what);
	if (PQputCopyData(c->conn, c->buf.data, (int)c->buf.len) != 1) {
		/* In blocking mode, -1 means the server stopped the COPY
		 * (a constraint, say) or the connection broke. */
		PQputCopyEnd(c->conn, NULL);
		return server_error(c, err);
	}
	buf_reset(&c->buf);
	return MSP_OK;
}

enum msp_status
copyout_end(struct copyout *c, long expected, struct msp_error *err)
{
	enum msp_status st = copyout_flush(c, 1, err);
	PGresult *res;
	long rows;

	if (st != MSP_OK)
		return st;
	if (PQputCopyEnd(c->conn, NULL) != 1)
		return server_error(c, err);
	c->active = 0;
	res = PQgetResult(c->conn);
	if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
		db_error_from_result(res, c->conn, err);
		st = MSP_EDB;
		msp_error_prefix(err, "%s", c->what);
	} else {
		rows = strtol(PQcmdTuples(res), NULL, 10);
		if (rows != expected)
			st = msp_error_set(err, MSP_ECONFLICT,
					   "%s: %ld rows stored, %ld sent",
					   c->what, rows, expected);
	}
	PQclear(res);
	while ((res = PQgetResult(c->conn)) != NULL)
		PQclear(res);
	return st;
}

void
copyout_abort(struct copyout *c, const char *why)
{
	PGresult *res;

	if (!c->active)
		return;
	c->active = 0;
	PQputCopyEnd(c->conn, why);
	while ((res = PQgetResult(c->conn)) != NULL)
		PQclear(res);
}

void
copyout_free(struct copyout *c)
{
	buf_free(&c->buf);
}
