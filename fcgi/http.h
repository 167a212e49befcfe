/*
 * http — one request and its reply, over libfcgi.
 *
 * A handler reads what it needs from struct request (parameters are
 * borrowed from libfcgi's environment and live until the reply is
 * sent) and fills struct reply; http_send() writes it.  Errors are
 * RFC 9457 problem documents (application/problem+json) for the API
 * and HTML pages for the forms.
 *
 * Who replies on failure is in the name (Redis's lookupKeyReadOrReply):
 * a function named ..._or_reply does its work and returns success, or
 * fails having written the reply already (status, headers, body), so
 * that its caller only stops; a function named ..._reply always writes
 * it.  Any other function leaves the reply alone.
 *
 * Shared code (the worker's database and study cache, the body reader)
 * does not know who asked: it reports a failure as a struct failure
 * with http_fail(), and the front end that owns the request renders it
 * through reply.render_failure (the forms: an HTML page in French;
 * NULL, the API: a problem document).
 */
#ifndef MSP_HTTP_H
#define MSP_HTTP_H

#include <stddef.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "buf.h"
#include "msp_error.h"

/* The largest body read; nginx refuses bigger ones first (413). */
#define HTTP_BODY_MAX (256 * 1024)

/* The longest a body's answers get once stored as JSON (buf maximum):
 * every byte of the body escaped at worst (\u00XX, 6 bytes for 1), and
 * the item keys and punctuation, which the body held too. */
#define HTTP_ANSWERS_MAX (8 * (size_t)HTTP_BODY_MAX)

struct request {
	FCGX_Request *fcgx;
	const char *method;
	const char *path;		/* without the query string */
	const char *query;		/* "" when none */
	const char *content_type;	/* "" when none */
	const char *authorization;	/* "" when none */
	const char *idempotency_key;	/* NULL when none */
	/* How many Idempotency-Key header lines came: nginx before 1.23
	 * passes each as its own HTTP_IDEMPOTENCY_KEY parameter, and
	 * FCGX_GetParam returns only the first (1.23 and later join them
	 * with ", ", which no valid key contains). */
	int idempotency_keys;
	const char *accept;		/* "" when none */
	const char *cookie;		/* the Cookie header, "" when none */
	const char *csrf;		/* X-CSRF-Token (the coding workspace's
				 * JSON writes), "" when none */
	int https;			/* came over TLS (nginx's HTTPS=on) */
	char *body;			/* NUL-terminated, after read */
	size_t body_len;
};

#define HTTP_EXTRA_HEADERS 512

/* A failure as shared code reports it; its strings are static. */
struct failure {
	int status;
	const char *retry_after;	/* Retry-After seconds, or NULL */
	const char *detail;	/* for programs: the problem's detail */
};

struct reply;

/* How a front end renders a failure: fills status and body, never
 * headers (http_fail() adds Retry-After). */
typedef void failure_renderer(struct reply *r, const struct failure *f);

struct reply {
	int status;
	const char *content_type;	/* without charset */
	struct buf body;
	char headers[HTTP_EXTRA_HEADERS];	/* extra "Name: v\r\n" lines */
	size_t headers_len;
	const char *log_note;	/* a short word for the log, or NULL */
	/* The front end's renderer of http_fail(); NULL: a problem
	 * document. */
	failure_renderer *render_failure;
};

/* An empty reply (status 500 until a handler sets one).  Its body is
 * secret (buf.h): a form page carries the respondent's resume code and
 * CSRF token, and cleansing a reply costs one pass over it. */
void http_reply_init(struct reply *r);

/* Fills req from libfcgi's parameters. */
void http_request_init(struct request *req, FCGX_Request *fcgx);

/* Frees what the request owns (its body). */
void http_request_free(struct request *req);

/*
 * Reads the body (CONTENT_LENGTH bytes, at most HTTP_BODY_MAX).  On
 * failure replies 413, 400 or 503 (http_fail) and returns -1.  A
 * request built by hand (fcgx NULL, tests only) carries its body,
 * malloc'd and NUL-terminated, which http_request_free frees: 0.
 */
int http_read_body_or_reply(struct request *req, struct reply *r);

/* Whether the request's media type is type (parameters ignored). */
int http_content_type_is(const struct request *req, const char *type);

/* Adds a header line to r ("Location", "/x"); ignored if it would not
 * fit (our own fixed headers only). */
void http_header(struct reply *r, const char *name, const char *value);

/* The reason phrase of a status (RFC 9110 §15). */
const char *http_reason(int status);

/*
 * An RFC 9457 problem reply: type about:blank, title from the status,
 * detail, and, when errors is not NULL (taken over), an "errors" array
 * of {"field", "detail"}.
 */
void http_problem(struct reply *r, int status, const char *detail,
		  json_object *errors);

/*
 * Replies f the way the front end chose (r->render_failure, else an
 * RFC 9457 problem document with f's detail), with Retry-After when f
 * has one.
 */
void http_fail(struct reply *r, const struct failure *f);

/* A JSON reply; takes over body. */
void http_json(struct reply *r, int status, json_object *body);

/* Writes status line, headers and body; HEAD gets no body. */
void http_send(struct request *req, struct reply *r);

void http_reply_free(struct reply *r);

#endif
