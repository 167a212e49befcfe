/*
 * metrics — the workers' counters, and GET /metrics, which prints them
 * in Prometheus's text exposition format (version 0.0.4).
 *
 * The counters live in one anonymous shared mapping that main.c makes
 * before it forks the workers (metrics_init): every worker adds to the
 * same C11 atomics, so a scrape answered by any one worker gives the
 * whole service's figures, and no daemon or socket is added.  Until
 * metrics_init() (the tests that drive a worker in-process), every
 * hook does nothing and /metrics answers 404.
 *
 * /metrics is served only on nginx's local listener (nginx.conf.in:
 * allow 127.0.0.1, deny all), which marks its requests with the
 * FastCGI parameter MSP_METRICS=1; a request without it gets 404,
 * whichever way it came.  The figures name routes and statuses, never
 * a study, a token or a structure.
 */
#ifndef MSP_METRICS_H
#define MSP_METRICS_H

#include <stddef.h>
#include <sys/types.h>

#include "worker.h"

/* What a database error was, for msp_database_errors_total{kind}. */
enum metrics_db_error {
	METRICS_DB_UNREACHABLE,	/* a connect failed or the connection was
				 * lost (conn.c's log_db_down) */
	METRICS_DB_STATEMENT,	/* a statement failed for the database's
				 * reasons: timeout, read-only, 500 */
	METRICS_DB_KINDS
};

/*
 * Makes the shared counters for a service of workers processes, and
 * the listening socket's descriptor, whose backlog /metrics reports
 * (-1: none).  Call once, before the workers are forked.  Returns 0,
 * or -1 with errno (mmap): the service then runs without metrics.
 */
int metrics_init(int workers, int listen_fd);

/* A worker process starts (claims its slot) / the parent saw worker
 * pid die (its slot freed: a worker killed while busy must not count
 * as busy forever). */
void metrics_worker_start(void);
void metrics_worker_gone(pid_t pid);

/* The parent reaped pid, a worker a reload replaced, which finished
 * what it held and left: its slot is freed, and it is no restart. */
void metrics_worker_left(pid_t pid);

/* The worker holds n accepted requests (the batch it took) / has sent
 * the reply of one of them. */
void metrics_accepted(size_t n);
void metrics_replied(void);

/* One request answered: its path (for the route label), its status,
 * how long from accept to reply. */
void metrics_request(const char *path, int status, double seconds);

/* A batch of n submissions stored in one database call (api_flush). */
void metrics_batch(size_t n);

void metrics_db_error(enum metrics_db_error kind);

/* GET /metrics (route_fn, worker.h). */
int metrics_route(struct worker *w, struct request *req, struct reply *r);

#endif
