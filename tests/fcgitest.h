/*
 * fcgitest — drives msp-fcgi's handlers with requests built by hand (no
 * nginx, no FastCGI socket), as kcgi's regress/ programs do, against a
 * throwaway database with the migrations and reference data, the
 * worker connected as msp_worker like the real one.
 */
#ifndef MSP_FCGITEST_H
#define MSP_FCGITEST_H

#include <json-c/json.h>

#include "http.h"
#include "testdb.h"
#include "worker.h"

struct fcgitest {
	struct testdb db;	/* db.conn: the owner's connection */
	struct worker w;	/* as msp_worker, on db */
	char conninfo[1024];	/* w.database */
	char secret_path[64];	/* the key tokens and pseudonyms use */
};

/* Opens t: database, schema, reference data, secret, worker.  Fails
 * the test on any error. */
void fcgitest_open(struct fcgitest *t);

/* Releases the worker, drops the database, removes the secret. */
void fcgitest_close(struct fcgitest *t);

/* A new token of `msp-report token create ARGS` (static storage). */
const char *fcgitest_token(struct fcgitest *t, const char *args);

/* The parts of a request a test sets; NULL members are absent. */
struct fcgitest_req {
	const char *method;
	const char *path;
	const char *query;
	const char *content_type;
	const char *authorization;
	const char *idempotency_key;
	const char *accept;
	const char *cookie;
	const char *csrf;	/* X-CSRF-Token */
	int https;
	const char *body;
};

/*
 * Runs q through route as the request loop would (r zeroed, status 500
 * until a handler sets it) and returns what route returned; r is the
 * caller's to http_reply_free().
 */
int fcgitest_call(struct fcgitest *t, route_fn *route,
		  const struct fcgitest_req *q, struct reply *r);

/* r's body parsed as JSON (json_object_put it); fails the test if it
 * is not JSON. */
json_object *fcgitest_json(const struct reply *r);

/* The value of header name among r's extra headers (static), or NULL. */
const char *fcgitest_header(const struct reply *r, const char *name);

#endif
