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
};

/* The values of msp.respondent_role (sql/migrations/0003), with the
 * labels the form shows; the API and the form accept the same codes. */
struct respondent_role {
	const char *code;
	const char *label_fr;
};
extern const struct respondent_role respondent_roles[];
extern const size_t n_respondent_roles;

/* Whether code is one of respondent_roles. */
int respondent_role_known(const char *code);

/*
 * The worker's connection, (re)connected and its statements prepared
 * if it is missing or broken, or NULL if the database cannot be reached
 * now (the outage is logged, rate-limited).
 */
PGconn *worker_db(struct worker *w);

/*
 * Turns a failed database call into a reply: 503 with Retry-After when
 * the connection is gone (it is dropped, to reconnect next time), else
 * 500.  The error is logged without parameter values.
 */
void worker_db_failure(struct worker *w, const struct msp_error *err,
		       struct reply *r);

/*
 * The study named slug with its instrument loaded, or NULL: *found is 0
 * when there is no such study, -1 when the database failed (r filled).
 */
const struct study *worker_study(struct worker *w, const char *slug,
				 struct reply *r, int *found);

/* The list of studies (reloaded at most every minute). */
int worker_studies(struct worker *w, struct reply *r);

/* Runs the accept loop until a stop signal; returns the exit status. */
int worker_main(int listen_fd, const char *database,
		const struct secret *secret);

extern volatile sig_atomic_t worker_stop_requested;

/* Route handlers: return 1 when they handled the path. */
int api_route(struct worker *w, struct request *req, struct reply *r);
int forms_route(struct worker *w, struct request *req, struct reply *r);

#endif
