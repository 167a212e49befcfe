/*
 * worker — one msp-fcgi worker process: its request loop, which reads
 * the requests waiting, dispatches each through the site's route table
 * and flushes the work they deferred; the state a handler gets (its
 * connection, conn.h; its cache of studies, studies.h; the secret).
 */
#ifndef MSP_WORKER_H
#define MSP_WORKER_H

#include <signal.h>
#include <time.h>

#include "conn.h"
#include "http.h"
#include "secret.h"
#include "studies.h"

struct worker {
	struct conn db;		/* the worker's connection: the primary */
	/* The connection report pages read through
	 * (MSP_REPORT_DATABASE_URL: a hot standby, say), opened at the
	 * first report with db's timeouts and reconnect rules and no
	 * prepared statement; .database NULL: reports read through db.
	 * Sessions, forms and every write stay on db. */
	struct conn reports;
	struct studies studies;	/* its cache of reference data */
	struct secret secret;	/* borrowed from the parent */
	/* Where a handler may leave work for the loop to finish with the
	 * rest of the batch through the site's flush hook (struct site);
	 * NULL: the handler finishes it now.  The item is the module's
	 * own type, which the loop never looks into. */
	void **defer;
};

/*
 * The page table the loop dispatches through (as kcgi's applications
 * keep theirs): the loop knows no handler by name, so the dependencies
 * point one way, from main.c's table to the modules to the worker.
 *
 * A route handles req and returns 1 when its path is one the module
 * owns, else returns 0 with r untouched.  A route may leave one item in
 * *w->defer instead of replying (only when w->defer is not NULL): the
 * loop then calls flush once with every item of the batch, in order,
 * with the reply each one must fill; flush frees the items.
 */
typedef int route_fn(struct worker *w, struct request *req,
		     struct reply *r);
typedef void flush_fn(struct worker *w, void **items,
		      struct reply **replies, size_t n);

struct route {
	const char *name;	/* for people reading the table */
	route_fn *handle;
};

struct site {
	const struct route *routes;	/* tried in order */
	size_t n_routes;
	flush_fn *flush;		/* NULL: nothing is deferred */
	/* the modules' statement tables, NULL-terminated (conn.h) */
	const struct statement *const *statements;
};

/* Closes w's connections and frees its studies; w may serve again (it
 * reconnects on next use).  Safe on a worker that never connected. */
void worker_release(struct worker *w);

/* The connection reports read through: w->reports when a report
 * database was given, else w->db (borrowed). */
struct conn *worker_reports(struct worker *w);

/*
 * Runs the request loop until a stop signal; returns the exit status.
 * database is the primary's conninfo; report_database the one reports
 * read, or NULL for the same connection.  listen_fd must be
 * non-blocking.  The worker takes every request
 * waiting on it, up to batch_max, dispatches each through site's
 * routes, and hands the work they deferred to site->flush at once (the
 * API stores the submissions among them in one database call).
 */
int worker_main(int listen_fd, const char *database,
		const char *report_database,
		const struct secret *secret, size_t batch_max,
		const struct site *site);

extern volatile sig_atomic_t worker_stop_requested;

#endif
