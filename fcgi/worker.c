/*
 * worker — one msp-fcgi worker process.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "metrics.h"
#include "worker.h"

volatile sig_atomic_t worker_stop_requested;

void
worker_release(struct worker *w)
{
	conn_close(&w->db);
	conn_close(&w->reports);
	studies_free(&w->studies);
}

struct conn *
worker_reports(struct worker *w)
{
	return w->reports.database != NULL ? &w->reports : &w->db;
}

static double
elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/*
 * The log lines of the requests in hand gather in a buf and go out
 * together (log_flush): one write(2) per batch of requests instead of
 * one per request, a few microseconds of the worker's ~50 per request
 * under load.  One write also keeps the lines whole: the workers share
 * the log, opened for appending.
 */
static void
log_flush(struct buf *l)
{
	size_t off = 0;
	ssize_t n;

	/* l->len counts whole lines only, even once an append failed */
	while (off < l->len) {
		n = write(STDERR_FILENO, l->data + off, l->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* nowhere to log: the requests still go on */
		off += (size_t)n;
	}
	buf_reset(l);
}

static void
log_line(struct buf *l, const char *line)
{
	buf_printf(l, "%s\n", line);	/* the whole line or nothing */
	if (l->failed) {
		/* out of memory: the lines in hand, then this one alone */
		log_flush(l);
		fprintf(stderr, "%s\n", line);
	}
}

/* One JSON line per request: no query string, no body, no identity. */
static void
log_request(struct buf *l, const struct request *req,
	    const struct reply *r, double ms, size_t batch)
{
	json_object *o = json_object_new_object();
	char when[32], ms_text[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_object_add(o, "time", json_object_new_string(when));
	json_object_object_add(o, "worker", json_object_new_int(getpid()));
	json_object_object_add(o, "method",
			       json_object_new_string(req->method));
	json_object_object_add(o, "path", json_object_new_string(req->path));
	json_object_object_add(o, "status", json_object_new_int(r->status));
	/* json-c prints a double with 17 significant digits (5.13 came
	 * out as 5.1299999999999999): give it the text to print. */
	snprintf(ms_text, sizeof(ms_text), "%.3f", ms);
	json_object_object_add(o, "ms", json_object_new_double_s(ms, ms_text));
	if (batch > 1)	/* stored in one call with batch - 1 others */
		json_object_object_add(o, "batch",
				       json_object_new_int((int)batch));
	if (r->log_note != NULL)
		json_object_object_add(o, "note",
				       json_object_new_string(r->log_note));
	log_line(l, json_object_to_json_string_ext(
			    o, JSON_C_TO_STRING_PLAIN |
			    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static void
route(struct worker *w, const struct site *site, struct request *req,
      struct reply *r)
{
	size_t i;

	for (i = 0; i < site->n_routes; i++)
		if (site->routes[i].handle(w, req, r))
			return;
	if (strcmp(req->path, "/") == 0) {
		r->status = 303;
		http_header(r, "Location", "/forms");
		return;
	}
	http_problem(r, 404, "no such resource", NULL);
}

/* A request in hand. */
struct slot {
	FCGX_Request fcgx;
	struct request req;
	struct reply r;
	struct timespec t0;
	void *deferred;		/* finished with the batch */
};

/*
 * Accepts the requests waiting on listen_fd, at most max, after waiting
 * for the first one; returns how many, or -1 when the worker must stop
 * (a stop signal, or the socket failed).
 */
static int
accept_waiting(int listen_fd, struct slot *slots, size_t max)
{
	struct pollfd p = { .fd = listen_fd, .events = POLLIN };
	size_t n = 0;
	int rc;

	while (n < max) {
		if (n == 0 && !worker_stop_requested &&
		    poll(&p, 1, -1) < 0 && errno != EINTR)
			return -1;
		if (worker_stop_requested)
			break;	/* requests in hand still finish */
		rc = FCGX_Accept_r(&slots[n].fcgx);
		if (rc == 0) {
			n++;
			continue;
		}
		/* Nothing (more) waiting, or another worker was faster:
		 * the listening socket is non-blocking. */
		if (rc == -EAGAIN || rc == -EWOULDBLOCK || rc == -EINTR) {
			if (n > 0)
				break;
			continue;
		}
		return n > 0 ? (int)n : -1;
	}
	return n > 0 || !worker_stop_requested ? (int)n : -1;
}

/*
 * Lets FCGX_Finish_r close the connection outright.  By default libfcgi
 * half-closes it and waits for nginx to close its end, lest unread
 * input make TCP reset the connection and lose the reply: a round trip
 * with nginx for every request, in turn, with the rest of the batch
 * waiting; in alternated runs the API carried 9 to 30 % more without it,
 * the worker spent 7 to 15 us less per request and nginx 11 to 20.  On a
 * unix socket no reset loses what was written, but unread input would
 * still reach nginx as an error after the reply: read what is left of
 * the request first (nothing but the end of stdin, already in hand,
 * unless the body was refused unread; nginx has the whole body before
 * it connects).  FCGX_Detach is the API for closing without the wait:
 * it is made for a request handed to another process.
 */
static void
read_to_end(FCGX_Request *fcgx)
{
	char scratch[4096];

	while (FCGX_GetStr(scratch, (int)sizeof(scratch), fcgx->in) > 0)
		continue;
	if (FCGX_HasSeenEOF(fcgx->in) == EOF && FCGX_GetError(fcgx->in) == 0)
		FCGX_Detach(fcgx);
}

static void
finish(struct slot *s, size_t batch, struct buf *log)
{
	double ms;

	http_send(&s->req, &s->r);
	ms = elapsed_ms(&s->t0);
	/* req's strings live in fcgx.envp, which Finish frees. */
	log_request(log, &s->req, &s->r, ms, batch);
	metrics_request(s->req.path, s->r.status, ms / 1e3);
	metrics_replied();
	read_to_end(&s->fcgx);
	FCGX_Finish_r(&s->fcgx);
	http_request_free(&s->req);
	http_reply_free(&s->r);
}

int
worker_main(int listen_fd, const char *database, const char *report_database,
	    const struct secret *secret, size_t batch_max,
	    const struct site *site)
{
	struct worker w = {
		.db = { .database = database, .statements = site->statements },
		.reports = { .database = report_database, .name = "reports" },
		.secret = *secret,
	};
	struct slot *slots = calloc(batch_max, sizeof(*slots));
	void **items = calloc(batch_max, sizeof(*items));
	struct reply **replies = calloc(batch_max, sizeof(*replies));
	struct slot **held = calloc(batch_max, sizeof(*held));
	struct buf log = BUF_INIT(BUF_MAX_TEXT);
	size_t i, inited = 0, nheld;
	int n, status = 1;

	if (slots == NULL || items == NULL || replies == NULL || held == NULL)
		goto out;
	metrics_worker_start();
	for (inited = 0; inited < batch_max; inited++)
		if (FCGX_InitRequest(&slots[inited].fcgx, listen_fd,
				     FCGI_FAIL_ACCEPT_ON_INTR) != 0)
			goto out;
	while ((n = accept_waiting(listen_fd, slots, batch_max)) >= 0) {
		nheld = 0;
		metrics_accepted((size_t)n);
		for (i = 0; i < (size_t)n; i++) {
			struct slot *s = &slots[i];

			clock_gettime(CLOCK_MONOTONIC, &s->t0);
			http_request_init(&s->req, &s->fcgx);
			http_reply_init(&s->r);
			s->deferred = NULL;
			w.defer = batch_max > 1 && site->flush != NULL ?
				  &s->deferred : NULL;
			route(&w, site, &s->req, &s->r);
			w.defer = NULL;
			if (s->deferred == NULL) {
				finish(s, 0, &log);
				continue;
			}
			items[nheld] = s->deferred;
			replies[nheld] = &s->r;
			held[nheld++] = s;
		}
		if (nheld > 0) {
			site->flush(&w, items, replies, nheld);
			metrics_batch(nheld);
		}
		for (i = 0; i < nheld; i++)
			finish(held[i], nheld, &log);
		log_flush(&log);
		if (worker_stop_requested)
			break;
	}
	status = 0;
out:
	for (i = 0; i < inited; i++)
		FCGX_Free(&slots[i].fcgx, 0);
	free(slots);
	free(items);
	free(replies);
	free(held);
	buf_free(&log);
	worker_release(&w);
	return status;
}
