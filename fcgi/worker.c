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

#include "db.h"
#include "worker.h"

volatile sig_atomic_t worker_stop_requested;

/* While the database is down every request fails to connect: one log
 * line per interval, not one per request. */
#define DB_DOWN_LOG_INTERVAL 10

/* Studies are reference data: re-read at most this often. */
#define STUDIES_TTL 60

/*
 * How long a worker's statement may wait for a row lock, and run.
 * Without them, one structure's row held for 12 s by someone else
 * (an operator's psql, a long import) stalled both workers, so /health
 * too, for as long: every tenant behind them waits and, past nginx's
 * fastcgi_read_timeout (30 s), gets 504.  A submission's batch waits
 * for another worker's batch at most a few tens of milliseconds under
 * load (bench/api.sh's p99 is 30 ms), so 1 s only fires on a lock held
 * by something that is not a submission; the longest statement the
 * worker runs, a team's export, takes well under a second.  When one
 * fires the request gets 503 with Retry-After (worker_db_failure) and
 * the worker is free again.  Set on the worker's own connection, not
 * with ALTER ROLE msp_worker: the values belong to this code, whose
 * replies depend on them; they hold whatever login role the
 * MSP_WORKER_DATABASE_URL names; and a migration run by a database
 * owner without CREATEROLE could not alter the role.
 */
#define WORKER_LOCK_TIMEOUT "1s"
#define WORKER_STATEMENT_TIMEOUT "5s"
/* What a client is told to wait before it retries then: a lock held
 * longer than a moment is someone's work in progress. */
#define WORKER_BUSY_RETRY_AFTER "2"

/* Every statement the worker runs, prepared once per connection. */
static const struct {
	const char *name;
	const char *sql;
	int nparams;
} statements[] = {
	{ "api_submit_many",
	  "SELECT ord, response_id, replayed, same_request, n_answers,"
	  "       refused"
	  "  FROM msp.api_submit_many($1)", 1 },
	{ "api_submit",
	  "SELECT response_id, replayed, same_request, n_answers"
	  "  FROM msp.api_submit($1, $2, $3, pg_catalog.decode($4, 'hex'),"
	  "                      $5, $6, $7, $8)", 8 },
	{ "form_submit",
	  "SELECT response_id, replayed"
	  "  FROM msp.form_submit($1, $2, $3, pg_catalog.decode($4, 'hex'),"
	  "                       $5, $6, $7)", 7 },
	{ "form_resume",
	  "SELECT item_key, value"
	  "  FROM msp.form_resume($1, pg_catalog.decode($2, 'hex'))", 2 },
	{ "api_interview",
	  "SELECT interview_id, n_segments"
	  "  FROM msp.api_interview($1, $2, $3)", 3 },
	{ "unknown_codes",
	  /* $2: the segments' codes, a JSON array; the first code that
	   * is not one of the study's, with its place from 0 */
	  "SELECT c.ord - 1 AS segment, c.code"
	  "  FROM pg_catalog.jsonb_array_elements_text($2::jsonb)"
	  "       WITH ORDINALITY AS c(code, ord)"
	  " WHERE NOT EXISTS (SELECT 1 FROM msp.study_code s"
	  "                    WHERE s.study_id = $1 AND s.code = c.code)"
	  " ORDER BY c.ord LIMIT 1", 2 },
	{ "team_export",
	  /* RLS, under the token's role, decides what is in it. */
	  "SELECT msp.team_export($1) AS export", 1 },
	{ "responses",
	  /* RLS limits the rows to what the token may see. */
	  "SELECT r.response_id, r.status, r.respondent_role,"
	  "       r.submitted_at, r.started_at,"
	  "       coalesce((SELECT pg_catalog.jsonb_object_agg(g.item_key, g.v)"
	  "         FROM (SELECT a.item_key, CASE WHEN pg_catalog.bool_or("
	  "                   i.item_type = 'multiple_choice')"
	  "                 THEN pg_catalog.jsonb_agg(pg_catalog.to_jsonb("
	  "                        a.choice_code) ORDER BY a.answer_id)"
	  "                 ELSE (pg_catalog.array_agg(coalesce("
	  "                        pg_catalog.to_jsonb(a.choice_code),"
	  "                        pg_catalog.to_jsonb(a.num_value),"
	  "                        pg_catalog.to_jsonb(a.text_value),"
	  "                        pg_catalog.to_jsonb(a.bool_value))))[1]"
	  "                 END AS v"
	  "            FROM msp.answer a JOIN msp.instrument_item i"
	  "              ON i.instrument_id = a.instrument_id"
	  "             AND i.item_key = a.item_key"
	  "           WHERE a.response_id = r.response_id"
	  "           GROUP BY a.item_key) g), '{}') AS answers"
	  "  FROM msp.response r"
	  " WHERE r.study_id = $1 AND r.response_id > $2"
	  "   AND ($3::timestamptz IS NULL OR r.submitted_at >= $3)"
	  " ORDER BY r.response_id LIMIT $4", 4 },
	{ "respondent_roles",
	  /* the values of the enum, in its order (lib/import.c reads
	   * them the same way): a value added by a migration is offered
	   * and accepted with no change here */
	  "SELECT e::text AS code FROM pg_catalog.unnest("
	  "pg_catalog.enum_range(NULL::msp.respondent_role)) e", 0 },
	{ "studies",
	  "SELECT s.study_id, s.slug, s.title_fr, s.year, s.instrument_id,"
	  "       r.slug AS region"
	  "  FROM msp.study s JOIN msp.region r USING (region_id)"
	  " ORDER BY r.slug, s.year DESC, s.slug", 0 },
};

static void
log_db_down(struct worker *w, const char *why)
{
	time_t now = time(NULL);

	w->failures++;
	if (w->down_since == 0)
		w->down_since = now;
	if (w->last_logged != 0 && now - w->last_logged < DB_DOWN_LOG_INTERVAL)
		return;
	w->last_logged = now;
	fprintf(stderr, "{\"level\":\"error\",\"worker\":%ld,"
		"\"event\":\"database unreachable\",\"down_s\":%ld,"
		"\"failed_attempts\":%lu,\"why\":\"%s\"}\n", (long)getpid(),
		(long)(now - w->down_since), w->failures, why);
}

PGconn *
worker_db(struct worker *w)
{
	struct msp_error err;
	size_t i;

	if (w->conn != NULL && PQstatus(w->conn) == CONNECTION_OK)
		return w->conn;
	PQfinish(w->conn);
	w->conn = NULL;
	if (db_connect(w->database, NULL, &w->conn, &err) != MSP_OK) {
		log_db_down(w, "connect");
		return NULL;
	}
	if (db_exec(w->conn, "set timeouts",
		    "SELECT pg_catalog.set_config('lock_timeout', '"
		    WORKER_LOCK_TIMEOUT "', false),"
		    " pg_catalog.set_config('statement_timeout', '"
		    WORKER_STATEMENT_TIMEOUT "', false)", 0, NULL,
		    PGRES_TUPLES_OK, NULL, &err) != MSP_OK) {
		PQfinish(w->conn);
		w->conn = NULL;
		log_db_down(w, "set timeouts");
		return NULL;
	}
	for (i = 0; i < sizeof(statements) / sizeof(statements[0]); i++) {
		if (db_prepare(w->conn, statements[i].name, statements[i].sql,
			       statements[i].nparams, &err) != MSP_OK) {
			/* a schema older than the worker: say so, once */
			fprintf(stderr, "{\"level\":\"error\",\"event\":"
				"\"prepare failed\",\"statement\":\"%s\"}\n",
				statements[i].name);
			PQfinish(w->conn);
			w->conn = NULL;
			log_db_down(w, "prepare");
			return NULL;
		}
	}
	if (w->down_since != 0) {
		fprintf(stderr, "{\"level\":\"info\",\"worker\":%ld,"
			"\"event\":\"database reachable again\","
			"\"failed_attempts\":%lu}\n", (long)getpid(),
			w->failures);
		w->down_since = 0;
		w->failures = 0;
	}
	return w->conn;
}

const struct failure worker_db_unreachable = {
	503, "5", "the database cannot be reached" };

PGconn *
worker_db_or_reply(struct worker *w, struct reply *r)
{
	PGconn *conn = worker_db(w);

	if (conn == NULL)
		http_fail(r, &worker_db_unreachable);
	return conn;
}

/* One JSON line for a failed call: its SQLSTATE, never its values. */
static void
log_db_error(const char *level, const char *event, const char *sqlstate)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "level", json_object_new_string(level));
	json_object_object_add(o, "event", json_object_new_string(event));
	json_object_object_add(o, "sqlstate",
			       json_object_new_string(sqlstate));
	fprintf(stderr, "%s\n", json_object_to_json_string_ext(
			o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

struct failure
worker_db_failure(struct worker *w, const struct msp_error *err)
{
	static const struct failure busy = {
		503, WORKER_BUSY_RETRY_AFTER,
		"la base de données est occupée : rien n'a été enregistré, "
		"réessayez après le délai de Retry-After" };
	static const struct failure not_stored = {
		500, NULL, "the request could not be stored" };

	if (w->conn == NULL || PQstatus(w->conn) != CONNECTION_OK) {
		PQfinish(w->conn);
		w->conn = NULL;
		log_db_down(w, "connection lost");
		return worker_db_unreachable;
	}
	if (db_classify(err->sqlstate) == DB_BUSY) {
		/* WORKER_LOCK_TIMEOUT or WORKER_STATEMENT_TIMEOUT fired:
		 * nothing was stored (the statement's transaction is
		 * gone), and the same request later will do. */
		log_db_error("warning", "database busy", err->sqlstate);
		return busy;
	}
	log_db_error("error", "database error", err->sqlstate);
	return not_stored;
}

void
worker_db_failure_reply(struct worker *w, const struct msp_error *err,
			struct reply *r)
{
	struct failure f = worker_db_failure(w, err);

	http_fail(r, &f);
}

static const struct failure no_memory = { 503, "5", "out of memory" };

static void
studies_free(struct worker *w)
{
	size_t i;

	for (i = 0; i < w->n_studies; i++) {
		free(w->studies[i].slug);
		free(w->studies[i].title_fr);
		free(w->studies[i].region_slug);
		instrument_free(w->studies[i].ins);
	}
	free(w->studies);
	w->studies = NULL;
	w->n_studies = 0;
	w->studies_loaded = 0;
	PQclear(w->roles);
	w->roles = NULL;
}

void
worker_release(struct worker *w)
{
	PQfinish(w->conn);
	w->conn = NULL;
	studies_free(w);
}

int
worker_studies_or_reply(struct worker *w, struct reply *r)
{
	struct msp_error err;
	PGresult *res = NULL, *roles = NULL;
	PGconn *conn;
	int i, n;

	if (w->studies_loaded != 0 &&
	    time(NULL) - w->studies_loaded < STUDIES_TTL)
		return 0;
	if ((conn = worker_db_or_reply(w, r)) == NULL)
		return -1;
	if (db_exec_prepared(conn, "studies", 0, NULL, PGRES_TUPLES_OK, &res,
			     &err) != MSP_OK) {
		worker_db_failure_reply(w, &err, r);
		return -1;
	}
	if (db_exec_prepared(conn, "respondent_roles", 0, NULL,
			     PGRES_TUPLES_OK, &roles, &err) != MSP_OK) {
		PQclear(res);
		worker_db_failure_reply(w, &err, r);
		return -1;
	}
	studies_free(w);
	w->roles = roles;
	n = PQntuples(res);
	w->studies = calloc(n ? (size_t)n : 1, sizeof(*w->studies));
	if (w->studies == NULL)
		goto oom;
	for (i = 0; i < n; i++) {
		struct study *s = &w->studies[i];

		w->n_studies = (size_t)i + 1;
		s->study_id = (int)db_int(res, i, "study_id");
		s->year = (int)db_int(res, i, "year");
		s->instrument_id = (int)db_int(res, i, "instrument_id");
		s->slug = strdup(PQgetvalue(res, i, db_column(res, "slug")));
		s->title_fr = strdup(PQgetvalue(res, i,
						db_column(res, "title_fr")));
		s->region_slug = strdup(PQgetvalue(res, i,
						   db_column(res, "region")));
		if (!s->slug || !s->title_fr || !s->region_slug)
			goto oom;
	}
	PQclear(res);
	w->studies_loaded = time(NULL);
	return 0;
oom:
	PQclear(res);
	studies_free(w);
	http_fail(r, &no_memory);
	return -1;
}

const char *
worker_role(const struct worker *w, const char *code)
{
	int i, n = w->roles != NULL ? PQntuples(w->roles) : 0;

	for (i = 0; i < n; i++)
		if (strcmp(code, PQgetvalue(w->roles, i, 0)) == 0)
			return PQgetvalue(w->roles, i, 0);
	return NULL;
}

size_t
worker_n_roles(const struct worker *w)
{
	return w->roles != NULL ? (size_t)PQntuples(w->roles) : 0;
}

const char *
worker_role_at(const struct worker *w, size_t i)
{
	return PQgetvalue(w->roles, (int)i, 0);
}

const struct study *
worker_study_or_reply(struct worker *w, const char *slug, struct reply *r,
		      int *found)
{
	struct msp_error err;
	size_t i;

	*found = -1;
	if (worker_studies_or_reply(w, r) != 0)
		return NULL;
	for (i = 0; i < w->n_studies; i++) {
		struct study *s = &w->studies[i];

		if (strcmp(s->slug, slug) != 0)
			continue;
		/* Instruments are immutable: loaded once per worker. */
		if (s->ins == NULL &&
		    instrument_load(w->conn, s->instrument_id, &s->ins,
				    &err) != MSP_OK) {
			worker_db_failure_reply(w, &err, r);
			return NULL;
		}
		*found = 1;
		return s;
	}
	*found = 0;
	return NULL;
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
	http_send(&s->req, &s->r);
	/* req's strings live in fcgx.envp, which Finish frees. */
	log_request(log, &s->req, &s->r, elapsed_ms(&s->t0), batch);
	read_to_end(&s->fcgx);
	FCGX_Finish_r(&s->fcgx);
	http_request_free(&s->req);
	http_reply_free(&s->r);
}

int
worker_main(int listen_fd, const char *database, const struct secret *secret,
	    size_t batch_max, const struct site *site)
{
	struct worker w = { .database = database, .secret = *secret };
	struct slot *slots = calloc(batch_max, sizeof(*slots));
	void **items = calloc(batch_max, sizeof(*items));
	struct reply **replies = calloc(batch_max, sizeof(*replies));
	struct slot **held = calloc(batch_max, sizeof(*held));
	struct buf log = BUF_INIT;
	size_t i, inited = 0, nheld;
	int n, status = 1;

	if (slots == NULL || items == NULL || replies == NULL || held == NULL)
		goto out;
	for (inited = 0; inited < batch_max; inited++)
		if (FCGX_InitRequest(&slots[inited].fcgx, listen_fd,
				     FCGI_FAIL_ACCEPT_ON_INTR) != 0)
			goto out;
	while ((n = accept_waiting(listen_fd, slots, batch_max)) >= 0) {
		nheld = 0;
		for (i = 0; i < (size_t)n; i++) {
			struct slot *s = &slots[i];

			clock_gettime(CLOCK_MONOTONIC, &s->t0);
			http_request_init(&s->req, &s->fcgx);
			memset(&s->r, 0, sizeof(s->r));
			s->r.status = 500;
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
		if (nheld > 0)
			site->flush(&w, items, replies, nheld);
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
