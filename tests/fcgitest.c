/*
 * fcgitest — msp-fcgi's handlers driven by hand-built requests.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "api.h"
#include "fcgitest.h"
#include "forms.h"
#include "site.h"

/* The same 32 bytes for the worker and for msp-report's tokens. */
static unsigned char key_bytes[32] = "0123456789abcdef0123456789abcdef";

/*
 * w.database: the conninfo tests/with-pg gives msp-fcgi
 * (MSP_WORKER_DATABASE_URL, the msp_worker role), on t's database
 * instead of the one it names.  Values are quoted for libpq.
 */
static void
worker_conninfo(struct fcgitest *t)
{
	const char *url = getenv("MSP_WORKER_DATABASE_URL");
	PQconninfoOption *opts, *o;
	struct buf b = BUF_INIT(BUF_MAX_DOCUMENT);
	char *errmsg = NULL;
	const char *v, *c;

	ck_assert_msg(url != NULL, "MSP_WORKER_DATABASE_URL is not set");
	opts = PQconninfoParse(url, &errmsg);
	ck_assert_msg(opts != NULL, "%s", errmsg ? errmsg : "out of memory");
	for (o = opts; o->keyword != NULL; o++) {
		v = strcmp(o->keyword, "dbname") == 0 ? t->db.name : o->val;
		if (v == NULL)
			continue;
		buf_printf(&b, "%s='", o->keyword);
		for (c = v; *c != '\0'; c++) {
			if (*c == '\'' || *c == '\\')
				buf_putc(&b, '\\');
			buf_putc(&b, *c);
		}
		buf_puts(&b, "' ");
	}
	PQconninfoFree(opts);
	ck_assert(!b.failed && b.len < sizeof(t->conninfo));
	memcpy(t->conninfo, buf_str(&b), b.len + 1);
	buf_free(&b);
}

void
fcgitest_open(struct fcgitest *t)
{
	int fd;

	memset(t, 0, sizeof(*t));
	testdb_open(&t->db);
	testdb_load(&t->db, NULL);
	testdb_load_reference(&t->db);
	snprintf(t->secret_path, sizeof(t->secret_path),
		 "/tmp/msp-secret-XXXXXX");
	fd = mkstemp(t->secret_path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, key_bytes, sizeof(key_bytes)),
			 (ssize_t)sizeof(key_bytes));
	close(fd);
	worker_conninfo(t);
	t->w.db.database = t->conninfo;
	t->w.db.statements = site.statements;
	t->w.secret.key = key_bytes;
	t->w.secret.len = sizeof(key_bytes);
}

void
fcgitest_close(struct fcgitest *t)
{
	worker_release(&t->w);
	testdb_close(&t->db);
	if (t->secret_path[0] != '\0')
		unlink(t->secret_path);
}

const char *
fcgitest_token(struct fcgitest *t, const char *args)
{
	static char token[80];
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	char env[128], cmd[512];

	snprintf(env, sizeof(env), "MSP_SECRET_FILE=%s", t->secret_path);
	snprintf(cmd, sizeof(cmd), "token create %s", args);
	/* the token is the last line; a note on stderr comes first */
	ck_assert_msg(testdb_cli(t->db.conn, NULL, env, cmd, &out) == 0 &&
		      out.len > 65 && out.data[out.len - 1] == '\n' &&
		      out.data[out.len - 66] == '\n' &&
		      sscanf(out.data + out.len - 65, "%64s", token) == 1 &&
		      strspn(token, "0123456789abcdef") == 64,
		      "%s: %s", cmd, buf_str(&out));
	buf_free(&out);
	return token;
}

int
fcgitest_call(struct fcgitest *t, route_fn *route,
	      const struct fcgitest_req *q, struct reply *r)
{
	struct request req;
	int handled;

	memset(&req, 0, sizeof(req));
	req.method = q->method;
	req.path = q->path;
	req.query = q->query ? q->query : "";
	req.content_type = q->content_type ? q->content_type : "";
	req.authorization = q->authorization ? q->authorization : "";
	req.idempotency_key = q->idempotency_key;
	req.idempotency_keys = q->idempotency_key != NULL;
	req.accept = q->accept ? q->accept : "";
	req.cookie = q->cookie ? q->cookie : "";
	req.csrf = q->csrf ? q->csrf : "";
	req.https = q->https;
	req.body = strdup(q->body ? q->body : "");
	ck_assert_ptr_nonnull(req.body);
	req.body_len = strlen(req.body);
	http_reply_init(r);
	handled = route(&t->w, &req, r);
	http_request_free(&req);
	return handled;
}

json_object *
fcgitest_json(const struct reply *r)
{
	json_object *o = json_tokener_parse(buf_str(&r->body));

	ck_assert_msg(o != NULL, "not JSON: %.200s",
		      buf_str(&r->body));
	return o;
}

const char *
fcgitest_header(const struct reply *r, const char *name)
{
	static char value[256];
	size_t n = strlen(name), i = 0, end;

	while (i < r->headers_len) {
		for (end = i; end + 1 < r->headers_len &&
		     !(r->headers[end] == '\r' && r->headers[end + 1] == '\n');
		     end++)
			continue;
		if (end - i > n + 1 && strncasecmp(r->headers + i, name, n) == 0
		    && r->headers[i + n] == ':') {
			size_t v = i + n + 1;

			while (v < end && r->headers[v] == ' ')
				v++;
			if (end - v >= sizeof(value))
				return NULL;
			memcpy(value, r->headers + v, end - v);
			value[end - v] = '\0';
			return value;
		}
		i = end + 2;
	}
	return NULL;
}
