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

struct api_submission;

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
	/* Where a handler may leave a checked submission for the request
	 * loop to store with the others it holds (api_store); NULL: store
	 * it now. */
	struct api_submission **hold;
};

/* The values of msp.respondent_role (sql/migrations/0003), with the
 * labels the form shows; the API and the form accept the same codes. */
struct respondent_role {
	const char *code;
	const char *label_fr;
};
extern const struct respondent_role respondent_roles[];
extern const size_t n_respondent_roles;

/* The code of respondent_roles equal to s (static storage), or NULL. */
const char *respondent_role_code(const char *s);

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

/* Loads the list of studies (reloaded at most every minute): 0, or -1
 * with the failure replied. */
int worker_studies_or_reply(struct worker *w, struct reply *r);

/*
 * Runs the request loop until a stop signal; returns the exit status.
 * listen_fd must be non-blocking.  The worker takes every request
 * waiting on it, up to batch_max, and stores the API submissions among
 * them in one database call.
 */
int worker_main(int listen_fd, const char *database,
		const struct secret *secret, size_t batch_max);

extern volatile sig_atomic_t worker_stop_requested;

/* Route handlers: return 1 when they handled the path. */
int api_route(struct worker *w, struct request *req, struct reply *r);
int forms_route(struct worker *w, struct request *req, struct reply *r);

/*
 * Stores the checked submissions subs[0..n) (n >= 1) and fills
 * replies[i] with each one's answer, exactly as if each had been stored
 * alone, in order; frees subs.
 */
void api_store(struct worker *w, struct api_submission **subs,
	       struct reply **replies, size_t n);

#endif
