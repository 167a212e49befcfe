/*
 * session — the web pages' sign-in sessions (session.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "db.h"
#include "session.h"

const struct statement session_statements[] = {
	{ "session_open", "SELECT msp.session_open($1, $2) AS kind", 2 },
	{ "session_touch",
	  "SELECT kind, coalesce(region_slug, '') AS region_slug,"
	  "       coalesce(region_name, '') AS region_name, label,"
	  "       pg_catalog.to_char(expires_at AT TIME ZONE 'UTC',"
	  "                          'HH24:MI') AS until"
	  "  FROM msp.session_touch($1)", 1 },
	{ "session_close", "SELECT msp.session_close($1)", 1 },
	{ NULL, NULL, 0 }
};

static int
is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/*
 * RFC 6265 §5.4: the Cookie header is "name=value" pairs separated by
 * "; ".  A name given twice (a cookie set for another path) is taken
 * at its first well-formed value.
 */
int
session_cookie(const struct request *req, const char *name, size_t hex_len,
	       char *out, size_t outsz)
{
	const char *p = req->cookie;
	size_t n = strlen(name), len;

	out[0] = '\0';
	if (outsz <= hex_len)
		return 0;
	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == ';')
			p++;
		len = strcspn(p, ";");
		if (len == n + 1 + hex_len && strncmp(p, name, n) == 0 &&
		    p[n] == '=' && is_hex(p + n + 1, hex_len)) {
			memcpy(out, p + n + 1, hex_len);
			out[hex_len] = '\0';
			return 1;
		}
		p += len;
	}
	return 0;
}

/* Copies src into dst, cut to dstsz - 1 bytes at a character's start. */
static void
copy_cut(char *dst, size_t dstsz, const char *src)
{
	size_t n = strlen(src);

	if (n >= dstsz) {
		n = dstsz - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int
session_load_or_reply(struct worker *w, const struct request *req,
		      struct session *s, struct reply *r)
{
	const char *params[1];
	struct msp_error err;
	PGresult *res = NULL;
	PGconn *conn;
	int found = -1;

	memset(s, 0, sizeof(*s));
	if (!session_cookie(req, SESSION_COOKIE, SESSION_ID_HEX - 1, s->id,
			    sizeof(s->id)))
		return 0;
	if ((conn = conn_get_or_reply(&w->db, r)) == NULL)
		goto out;
	params[0] = s->id;	/* $1: the session id; hashed there */
	if (db_exec_prepared(conn, "session_touch", 1, params,
			     PGRES_TUPLES_OK, &res, &err) != MSP_OK) {
		conn_failure_reply(&w->db, &err, r);
		goto out;
	}
	found = PQntuples(res) == 1;
	if (!found)
		goto out;
	s->kind = tenant_kind_parse(db_text(res, 0, "kind"));
	copy_cut(s->region_slug, sizeof(s->region_slug),
		 db_text(res, 0, "region_slug"));
	copy_cut(s->region_name, sizeof(s->region_name),
		 db_text(res, 0, "region_name"));
	copy_cut(s->label, sizeof(s->label), db_text(res, 0, "label"));
	copy_cut(s->until, sizeof(s->until), db_text(res, 0, "until"));
	found = s->kind != TENANT_NONE;
out:
	PQclear(res);
	if (found != 1)
		session_clear(s);
	return found;
}

static const struct failure no_random = {
	503, "5", "the random generator failed" };

int
session_open_or_reply(struct worker *w, const char *token,
		      char id[SESSION_ID_HEX], enum tenant_kind *kind,
		      struct reply *r)
{
	const char *params[2];
	struct msp_error err;
	PGresult *res = NULL;
	PGconn *conn;
	int opened = -1;

	*kind = TENANT_NONE;
	if (crypto_random_hex(SESSION_ID_BYTES, id, &err) != MSP_OK) {
		http_fail(r, &no_random);
		return -1;
	}
	if ((conn = conn_get_or_reply(&w->db, r)) == NULL)
		goto out;
	params[0] = token;	/* $1: the token typed; hashed there */
	params[1] = id;		/* $2: the new session id; hashed there */
	if (db_exec_prepared(conn, "session_open", 2, params,
			     PGRES_TUPLES_OK, &res, &err) != MSP_OK) {
		conn_failure_reply(&w->db, &err, r);
		goto out;
	}
	opened = !PQgetisnull(res, 0, 0);
	if (opened)
		*kind = tenant_kind_parse(PQgetvalue(res, 0, 0));
out:
	PQclear(res);
	if (opened != 1)
		crypto_cleanse(id, SESSION_ID_HEX);
	return opened;
}

int
session_close_or_reply(struct worker *w, const char *id, struct reply *r)
{
	const char *params[1] = { id };	/* $1: the session id */
	struct msp_error err;
	PGresult *res = NULL;
	PGconn *conn;

	if ((conn = conn_get_or_reply(&w->db, r)) == NULL)
		return -1;
	if (db_exec_prepared(conn, "session_close", 1, params,
			     PGRES_TUPLES_OK, &res, &err) != MSP_OK) {
		conn_failure_reply(&w->db, &err, r);
		return -1;
	}
	PQclear(res);
	return 0;
}

void
session_set_cookie(struct reply *r, const struct request *req,
		   const char *name, const char *value, const char *path,
		   long max_age)
{
	char line[256];

	snprintf(line, sizeof(line), "%s=%s; Path=%s; Max-Age=%ld; "
		 "HttpOnly; SameSite=Strict%s", name, value, path, max_age,
		 req->https ? "; Secure" : "");
	http_header(r, "Set-Cookie", line);
	crypto_cleanse(line, sizeof(line));
}

int
session_csrf_make(const struct secret *secret, const char *id,
		  char out[SECRET_CSRF_MAX])
{
	struct msp_error err;

	return secret_csrf_make(secret, id, time(NULL), out, &err) ==
	       MSP_OK ? 0 : -1;
}

int
session_csrf_check(const struct secret *secret, const char *id,
		   const char *token)
{
	return secret_csrf_check(secret, id, token, time(NULL),
				 SESSION_MAX_AGE);
}

void
session_clear(struct session *s)
{
	crypto_cleanse(s->id, sizeof(s->id));
}
