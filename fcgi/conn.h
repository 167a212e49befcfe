/*
 * conn — a worker's database connection and its prepared statements.
 * Each module keeps the SQL of its statements beside the code that runs
 * them, in a table it exports (api_statements, forms_statements,
 * studies_statements); the site registers the tables (struct site) and
 * every new connection prepares them all.
 */
#ifndef MSP_CONN_H
#define MSP_CONN_H

#include <libpq-fe.h>
#include <time.h>

#include "http.h"
#include "msp_error.h"

/* One statement, prepared under name; a table ends with name NULL. */
struct statement {
	const char *name;
	const char *sql;
	int nparams;
};

struct conn {
	const char *database;	/* conninfo, borrowed */
	/* which connection, in log lines: "primary" (NULL) or "reports"
	 * (MSP_REPORT_DATABASE_URL, worker.h) */
	const char *name;
	/* NULL-terminated list of statement tables, borrowed */
	const struct statement *const *statements;
	PGconn *pg;		/* NULL until first needed or after a loss */
	time_t down_since;	/* first failed connect of an outage, or 0 */
	time_t last_logged;	/* last "unreachable" line written */
	unsigned long failures;	/* failed connects in this outage */
};

/*
 * The connection, (re)connected with the worker's timeouts and every
 * registered statement prepared if it is missing or broken, or NULL if
 * the database cannot be reached now (the outage is logged,
 * rate-limited; a statement that does not prepare counts as one).  The
 * health check uses it bare; handlers use conn_get_or_reply().
 */
PGconn *conn_get(struct conn *c);

/* conn_get(), or NULL with conn_unreachable replied. */
PGconn *conn_get_or_reply(struct conn *c, struct reply *r);

/* 503, Retry-After 5: no connection to the database now. */
extern const struct failure conn_unreachable;

/*
 * What a failed database call err means for the request, logged (the
 * SQLSTATE, never parameter values) once per call: 503 with
 * Retry-After when the connection is gone (it is dropped, to reconnect
 * next time) or when the statement waited or ran past the worker's lock
 * or statement timeout (DB_BUSY), else 500.  A batch that failed as one
 * call calls it once and replies the failure to each submission.
 */
struct failure conn_failure(struct conn *c, const struct msp_error *err);

/* Replies conn_failure(c, err). */
void conn_failure_reply(struct conn *c, const struct msp_error *err,
			struct reply *r);

/*
 * Waits until replica has replayed everything primary had written when
 * asked (pg_last_wal_replay_lsn() against pg_current_wal_lsn()), polling
 * every 10 ms for at most max_ms; not at all when the replica is more
 * than max_gap bytes of WAL behind (it will not catch up within max_ms:
 * the caller reads the primary at once).  For what the primary just
 * wrote and a read on the replica must see: a web session made a
 * moment ago.  *done is 1 when it has (or when replica is no standby:
 * nothing to wait for), 0 when max_ms passed or the gap was too wide;
 * *waited_ms how long it waited.  Fails with MSP_EDB (either connection
 * unreachable or failing: ask conn_failure of the one in *which).
 */
enum msp_status conn_catch_up(struct conn *replica, struct conn *primary,
			      int max_ms, long long max_gap, int *done,
			      int *waited_ms, struct conn **which,
			      struct msp_error *err);

/* Closes the connection; c reconnects on next use.  Safe when closed. */
void conn_close(struct conn *c);

#endif
