/*
 * conn — a worker's database connection: (re)connected on demand with
 * its timeouts set and every registered statement prepared, outages
 * logged rate-limited, failed calls classified into replies.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "conn.h"
#include "db.h"
#include "metrics.h"

/* While the database is down every request fails to connect: one log
 * line per interval, not one per request. */
#define DB_DOWN_LOG_INTERVAL 10

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
 * fires the request gets 503 with Retry-After (conn_failure) and
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

static const char *
conn_name(const struct conn *c)
{
	return c->name != NULL ? c->name : "primary";
}

static void
log_db_down(struct conn *c, const char *why)
{
	time_t now = time(NULL);

	metrics_db_error(METRICS_DB_UNREACHABLE);
	c->failures++;
	if (c->down_since == 0)
		c->down_since = now;
	if (c->last_logged != 0 && now - c->last_logged < DB_DOWN_LOG_INTERVAL)
		return;
	c->last_logged = now;
	fprintf(stderr, "{\"level\":\"error\",\"worker\":%ld,"
		"\"event\":\"database unreachable\",\"connection\":\"%s\","
		"\"down_s\":%ld,\"failed_attempts\":%lu,\"why\":\"%s\"}\n",
		(long)getpid(), conn_name(c), (long)(now - c->down_since),
		c->failures, why);
}

PGconn *
conn_get(struct conn *c)
{
	const struct statement *const *t;
	const struct statement *s;
	struct msp_error err;

	if (c->pg != NULL && PQstatus(c->pg) == CONNECTION_OK)
		return c->pg;
	PQfinish(c->pg);
	c->pg = NULL;
	if (db_connect(c->database, NULL, &c->pg, &err) != MSP_OK) {
		log_db_down(c, "connect");
		return NULL;
	}
	if (db_exec(c->pg, "set timeouts",
		    "SELECT pg_catalog.set_config('lock_timeout', '"
		    WORKER_LOCK_TIMEOUT "', false),"
		    " pg_catalog.set_config('statement_timeout', '"
		    WORKER_STATEMENT_TIMEOUT "', false)", 0, NULL,
		    PGRES_TUPLES_OK, NULL, &err) != MSP_OK) {
		PQfinish(c->pg);
		c->pg = NULL;
		log_db_down(c, "set timeouts");
		return NULL;
	}
	for (t = c->statements; t != NULL && *t != NULL; t++) {
		for (s = *t; s->name != NULL; s++) {
			if (db_prepare(c->pg, s->name, s->sql, s->nparams,
				       &err) == MSP_OK)
				continue;
			/* a schema older than the worker: say so, once */
			fprintf(stderr, "{\"level\":\"error\",\"event\":"
				"\"prepare failed\",\"statement\":\"%s\"}\n",
				s->name);
			PQfinish(c->pg);
			c->pg = NULL;
			log_db_down(c, "prepare");
			return NULL;
		}
	}
	if (c->down_since != 0) {
		fprintf(stderr, "{\"level\":\"info\",\"worker\":%ld,"
			"\"event\":\"database reachable again\","
			"\"connection\":\"%s\",\"failed_attempts\":%lu}\n",
			(long)getpid(), conn_name(c), c->failures);
		c->down_since = 0;
		c->failures = 0;
	}
	return c->pg;
}

const struct failure conn_unreachable = {
	503, "5", "the database cannot be reached" };

PGconn *
conn_get_or_reply(struct conn *c, struct reply *r)
{
	PGconn *conn = conn_get(c);

	if (conn == NULL)
		http_fail(r, &conn_unreachable);
	return conn;
}

/* One JSON line for a failed call: its SQLSTATE, never its values. */
static void
log_db_error(const struct conn *c, const char *level, const char *event,
	     const char *sqlstate)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "level", json_object_new_string(level));
	json_object_object_add(o, "event", json_object_new_string(event));
	json_object_object_add(o, "connection",
			       json_object_new_string(conn_name(c)));
	json_object_object_add(o, "sqlstate",
			       json_object_new_string(sqlstate));
	fprintf(stderr, "%s\n", json_object_to_json_string_ext(
			o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

struct failure
conn_failure(struct conn *c, const struct msp_error *err)
{
	static const struct failure busy = {
		503, WORKER_BUSY_RETRY_AFTER,
		"la base de données est occupée : rien n'a été enregistré, "
		"réessayez après le délai de Retry-After" };
	static const struct failure not_stored = {
		500, NULL, "the request could not be stored" };

	if (c->pg == NULL || PQstatus(c->pg) != CONNECTION_OK) {
		PQfinish(c->pg);
		c->pg = NULL;
		log_db_down(c, "connection lost");
		return conn_unreachable;
	}
	metrics_db_error(METRICS_DB_STATEMENT);
	if (strcmp(err->sqlstate, "25006") == 0) {
		/* A write reached a read-only server (a hot standby named
		 * as the primary, or a read path that writes: a bug).
		 * The same answer as busy, nothing was done, but logged
		 * as the error it is, never hidden. */
		log_db_error(c, "error", "write refused by a read-only "
			     "server", err->sqlstate);
		return busy;
	}
	if (db_classify(err->sqlstate) == DB_BUSY) {
		/* WORKER_LOCK_TIMEOUT or WORKER_STATEMENT_TIMEOUT fired,
		 * or a hot standby cancelled the statement for a conflict
		 * with recovery (40001): nothing was stored (the
		 * statement's transaction is gone), and the same request
		 * later will do. */
		log_db_error(c, "warning", strcmp(err->sqlstate, "40001") == 0
			     ? "conflict with recovery" : "database busy",
			     err->sqlstate);
		return busy;
	}
	log_db_error(c, "error", "database error", err->sqlstate);
	return not_stored;
}

void
conn_failure_reply(struct conn *c, const struct msp_error *err,
		   struct reply *r)
{
	struct failure f = conn_failure(c, err);

	http_fail(r, &f);
}

/* Sleeps ms milliseconds, whatever signals come (a stop signal is
 * handled after the request, as for any request in hand). */
static void
sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&t, &t) != 0 && errno == EINTR)
		continue;
}

enum msp_status
conn_catch_up(struct conn *replica, struct conn *primary, int max_ms,
	      long long max_gap, int *done, int *waited_ms,
	      struct conn **which, struct msp_error *err)
{
	const char *params[1];
	PGresult *lsn = NULL, *res = NULL;
	PGconn *pg;
	enum msp_status st;
	int waited;

	*done = 0;
	*waited_ms = 0;
	*which = primary;
	if ((pg = conn_get(primary)) == NULL) {
		st = msp_error_set(err, MSP_EDB, "the database cannot be "
				   "reached");
		goto out;
	}
	/* written, hence past every commit acknowledged before it */
	st = db_exec(pg, "primary position",
		     "SELECT pg_catalog.pg_current_wal_lsn()::text AS lsn", 0,
		     NULL, PGRES_TUPLES_OK, &lsn, err);
	if (st != MSP_OK)
		goto out;
	params[0] = db_text(lsn, 0, "lsn");
	*which = replica;
	for (waited = 0;; waited += 10) {
		long long gap;

		if ((pg = conn_get(replica)) == NULL) {
			st = msp_error_set(err, MSP_EDB, "the database cannot "
					   "be reached");
			goto out;
		}
		/* bytes of WAL still to replay; NULL on a server that is
		 * no standby: nothing to wait for */
		st = db_exec(pg, "standby position",
			     "SELECT coalesce(pg_catalog.pg_wal_lsn_diff("
			     "$1::pg_lsn, pg_catalog.pg_last_wal_replay_lsn()"
			     "), 0)::bigint AS gap", 1, params,
			     PGRES_TUPLES_OK, &res, err);
		if (st != MSP_OK)
			goto out;
		gap = strtoll(db_text(res, 0, "gap"), NULL, 10);
		PQclear(res);
		res = NULL;
		*done = gap <= 0;
		*waited_ms = waited;
		if (*done || waited >= max_ms || gap > max_gap)
			break;
		sleep_ms(10);
	}
out:
	PQclear(lsn);
	PQclear(res);
	return st;
}

void
conn_close(struct conn *c)
{
	PQfinish(c->pg);
	c->pg = NULL;
}
