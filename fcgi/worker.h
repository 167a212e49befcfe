/*
 * worker — one msp-fcgi worker process: its database connection, its
 * cache of studies and instruments, and its request loop.
 */
#ifndef MSP_WORKER_H
#define MSP_WORKER_H

#include <libpq-fe.h>
#include <signal.h>
#include <time.h>

#include "http.h"
#include "instrument.h"
#include "secret.h"

struct study {
	int study_id;
	char *slug;
	char *title_fr;
	char *region_slug;
	int year;
	int instrument_id;
	struct instrument *ins;		/* loaded on first use */
};

struct worker {
	const char *database;
	PGconn *conn;		/* NULL until first needed or after a loss */
	time_t down_since;	/* first failed connect of an outage, or 0 */
	time_t last_logged;	/* last "unreachable" line written */
	unsigned long failures;	/* failed connects in this outage */
	struct secret secret;	/* borrowed from the parent */
	struct study *studies;
	size_t n_studies;
	time_t studies_loaded;	/* 0: load on next use */
	PGresult *roles;	/* msp.respondent_role's values, with the
				 * studies; NULL before */
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
};

/*
 * The worker's connection, (re)connected and its statements prepared
 * if it is missing or broken, or NULL if the database cannot be reached
 * now (the outage is logged, rate-limited).  The request loop's health
 * check uses it bare; handlers use worker_db_or_reply().
 */
PGconn *worker_db(struct worker *w);

/* worker_db(), or NULL with worker_db_unreachable replied. */
PGconn *worker_db_or_reply(struct worker *w, struct reply *r);

/* 503, Retry-After 5: no connection to the database now. */
extern const struct failure worker_db_unreachable;

/*
 * What a failed database call err means for the request, logged (the
 * SQLSTATE, never parameter values) once per call: 503 with
 * Retry-After when the connection is gone (it is dropped, to reconnect
 * next time) or when the statement waited or ran past the worker's lock
 * or statement timeout (DB_BUSY), else 500.  A batch that failed as one
 * call calls it once and replies the failure to each submission.
 */
struct failure worker_db_failure(struct worker *w,
				 const struct msp_error *err);

/* Replies worker_db_failure(w, err). */
void worker_db_failure_reply(struct worker *w, const struct msp_error *err,
			     struct reply *r);

/*
 * The study named slug with its instrument loaded, or NULL: *found is 0
 * when there is no such study (r untouched), -1 when the database
 * failed (replied).
 */
const struct study *worker_study_or_reply(struct worker *w,
					  const char *slug, struct reply *r,
					  int *found);

/* Loads the list of studies and the respondent roles (reloaded at most
 * every minute): 0, or -1 with the failure replied. */
int worker_studies_or_reply(struct worker *w, struct reply *r);

/*
 * The respondent roles: the values of the enum msp.respondent_role, in
 * its order, as loaded by worker_studies_or_reply() (none before).  The
 * strings are borrowed until the next reload: copy one that must
 * outlive the request.  worker_role() returns the cached code equal to
 * code, or NULL when the enum has no such value.
 */
const char *worker_role(const struct worker *w, const char *code);
size_t worker_n_roles(const struct worker *w);
const char *worker_role_at(const struct worker *w, size_t i);

/* Closes w's connection and frees its studies; w may serve again (it
 * reconnects on next use).  Safe on a worker that never connected. */
void worker_release(struct worker *w);

/*
 * Runs the request loop until a stop signal; returns the exit status.
 * listen_fd must be non-blocking.  The worker takes every request
 * waiting on it, up to batch_max, dispatches each through site's
 * routes, and hands the work they deferred to site->flush at once (the
 * API stores the submissions among them in one database call).
 */
int worker_main(int listen_fd, const char *database,
		const struct secret *secret, size_t batch_max,
		const struct site *site);

extern volatile sig_atomic_t worker_stop_requested;

#endif
