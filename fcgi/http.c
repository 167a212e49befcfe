/*
 * http — one request and its reply, over libfcgi.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto.h"
#include "http.h"

static const char *
param(FCGX_Request *fcgx, const char *name, const char *fallback)
{
	const char *v = FCGX_GetParam(name, fcgx->envp);

	return v != NULL ? v : fallback;
}

/* How many of the parameters are name (nginx passes a header line
 * given twice as two parameters of the same name). */
static int
param_count(FCGX_Request *fcgx, const char *name)
{
	size_t len = strlen(name);
	char **e;
	int n = 0;

	for (e = fcgx->envp; e != NULL && *e != NULL; e++)
		if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
			n++;
	return n;
}

void
http_request_init(struct request *req, FCGX_Request *fcgx)
{
	memset(req, 0, sizeof(*req));
	req->fcgx = fcgx;
	req->method = param(fcgx, "REQUEST_METHOD", "GET");
	req->path = param(fcgx, "DOCUMENT_URI", "/");
	req->query = param(fcgx, "QUERY_STRING", "");
	req->content_type = param(fcgx, "CONTENT_TYPE", "");
	req->authorization = param(fcgx, "HTTP_AUTHORIZATION", "");
	req->idempotency_key = FCGX_GetParam("HTTP_IDEMPOTENCY_KEY",
					     fcgx->envp);
	req->idempotency_keys = param_count(fcgx, "HTTP_IDEMPOTENCY_KEY");
	req->accept = param(fcgx, "HTTP_ACCEPT", "");
	req->cookie = param(fcgx, "HTTP_COOKIE", "");
	req->csrf = param(fcgx, "HTTP_X_CSRF_TOKEN", "");
	req->https = strcmp(param(fcgx, "HTTPS", ""), "on") == 0;
}

void
http_request_free(struct request *req)
{
	if (req->body != NULL)	/* a form's resume code, CSRF token */
		crypto_cleanse(req->body, req->body_len);
	free(req->body);
	req->body = NULL;
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 302: return "Found";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

void
http_header(struct reply *r, const char *name, const char *value)
{
	int n = snprintf(r->headers + r->headers_len,
			 sizeof(r->headers) - r->headers_len, "%s: %s\r\n",
			 name, value);

	if (n > 0 && (size_t)n < sizeof(r->headers) - r->headers_len)
		r->headers_len += (size_t)n;
	else
		r->headers[r->headers_len] = '\0';
}

void
http_json(struct reply *r, int status, json_object *body)
{
	r->status = status;
	r->content_type = "application/json";
	buf_reset(&r->body);
	buf_puts(&r->body, json_object_to_json_string_ext(
			 body, JSON_C_TO_STRING_PLAIN |
			 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(body);
}

void
http_problem(struct reply *r, int status, const char *detail,
	     json_object *errors)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "type",
			       json_object_new_string("about:blank"));
	json_object_object_add(o, "title",
			       json_object_new_string(http_reason(status)));
	json_object_object_add(o, "status", json_object_new_int(status));
	if (detail != NULL)
		json_object_object_add(o, "detail",
				       json_object_new_string(detail));
	if (errors != NULL)
		json_object_object_add(o, "errors", errors);
	http_json(r, status, o);
	r->content_type = "application/problem+json";
}

int
http_content_type_is(const struct request *req, const char *type)
{
	size_t n = strlen(type);
	const char *rest = req->content_type + n;

	if (strncasecmp(req->content_type, type, n) != 0)
		return 0;
	while (*rest == ' ')
		rest++;
	return *rest == '\0' || *rest == ';';
}

void
http_fail(struct reply *r, const struct failure *f)
{
	if (r->render_failure != NULL)
		r->render_failure(r, f);
	else
		http_problem(r, f->status, f->detail, NULL);
	if (f->retry_after != NULL)
		http_header(r, "Retry-After", f->retry_after);
}

static const struct failure bad_length = {
	400, NULL, "bad Content-Length" };
static const struct failure too_large = {
	413, NULL, "the body is larger than 256 KiB" };
static const struct failure no_memory = { 503, "5", "out of memory" };
static const struct failure short_body = {
	400, NULL, "the body is shorter than its Content-Length" };

int
http_read_body_or_reply(struct request *req, struct reply *r)
{
	const char *cl;
	unsigned long long len = 0;
	char *end;
	int got;

	/* A request built by hand (tests/fcgitest.c) has no FastCGI
	 * stream: it carries its body already. */
	if (req->fcgx == NULL)
		return 0;
	cl = FCGX_GetParam("CONTENT_LENGTH", req->fcgx->envp);
	if (cl != NULL && *cl != '\0') {
		errno = 0;
		len = strtoull(cl, &end, 10);
		if (errno != 0 || *end != '\0' || cl[0] == '-') {
			http_fail(r, &bad_length);
			return -1;
		}
	}
	if (len > HTTP_BODY_MAX) {
		http_fail(r, &too_large);
		return -1;
	}
	req->body = malloc((size_t)len + 1);
	if (req->body == NULL) {
		http_fail(r, &no_memory);
		return -1;
	}
	req->body_len = (size_t)len;	/* read or not: what to cleanse */
	got = len > 0 ? FCGX_GetStr(req->body, (int)len, req->fcgx->in) : 0;
	if (got < 0 || (unsigned long long)got != len) {
		http_fail(r, &short_body);
		return -1;
	}
	req->body[len] = '\0';
	return 0;
}

/*
 * Headers are formatted with snprintf: libfcgi's own FCGX_FPrintF knows
 * no %zu and escapes the compiler's format checks.
 */
void
http_send(struct request *req, struct reply *r)
{
	const char *body = buf_str(&r->body);
	size_t len = r->body.failed ? 0 : r->body.len;
	char head[256 + HTTP_EXTRA_HEADERS];
	int n;

	if (r->body.failed) {	/* out of memory while building it */
		r->status = 503;
		r->content_type = "text/plain";
		body = "";
	}
	n = snprintf(head, sizeof(head),
		     "Status: %d %s\r\n"
		     "Content-Type: %s; charset=utf-8\r\n"
		     "Cache-Control: no-store\r\n"
		     "%s"
		     "Content-Length: %zu\r\n\r\n",
		     r->status, http_reason(r->status),
		     r->content_type ? r->content_type : "text/plain",
		     r->headers, len);
	if (n < 0 || (size_t)n >= sizeof(head))
		return;		/* our own fixed headers: cannot happen */
	FCGX_PutStr(head, n, req->fcgx->out);
	if (strcmp(req->method, "HEAD") != 0 && len > 0)
		FCGX_PutStr(body, (int)len, req->fcgx->out);
}

void
http_reply_init(struct reply *r)
{
	memset(r, 0, sizeof(*r));
	r->status = 500;
	buf_init_secret(&r->body, BUF_MAX_DOCUMENT);
}

void
http_reply_free(struct reply *r)
{
	buf_free(&r->body);
}
