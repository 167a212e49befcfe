/*
 * check_pages — the sign-in sessions and the workspace's pages driven
 * by hand-built requests against a throwaway database: what is stored
 * (only hashes), expiry (idle and absolute), revocation, sign-out, the
 * CSRF refusals, a wrong token, the downloads of the region report,
 * the comparison and the fieldwork monitor against msp-report's own
 * output under the same token, the comparison's and the monitor's
 * refusals of what their forms do not send (400), and the monitor's
 * scope (another region's: 403).  tests/pages.test
 * drives the same through nginx in Chromium.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgitest.h"
#include "pages.h"

static struct fcgitest t;

static void
setup(void)
{
	fcgitest_open(&t);
}

static void
teardown(void)
{
	fcgitest_close(&t);
}

static void
call(const struct fcgitest_req *q, int status, struct reply *r)
{
	ck_assert_int_eq(fcgitest_call(&t, pages_route, q, r), 1);
	ck_assert_msg(r->status == status, "%s %s: %d, not %d: %.300s",
		      q->method, q->path, r->status, status,
		      buf_str(&r->body));
}

/* The value of the hidden field name in page (static), or fails. */
static const char *
field(const char *page, const char *name)
{
	static char value[256];
	char pattern[64];
	const char *p, *end;

	snprintf(pattern, sizeof(pattern), "name=\"%s\" value=\"", name);
	p = strstr(page, pattern);
	ck_assert_msg(p != NULL, "no field %s", name);
	p += strlen(pattern);
	end = strchr(p, '"');
	ck_assert(end != NULL && (size_t)(end - p) < sizeof(value));
	memcpy(value, p, (size_t)(end - p));
	value[end - p] = '\0';
	return value;
}

/* "name=value" of the Set-Cookie header of r, up to its first ';', into
 * out (static); the whole header line's attributes in attrs. */
static const char *
cookie_of(const struct reply *r, char *attrs, size_t attrs_size)
{
	static char pair[160];
	const char *h = fcgitest_header(r, "Set-Cookie");
	size_t n;

	ck_assert_msg(h != NULL, "no Set-Cookie");
	n = strcspn(h, ";");
	ck_assert(n < sizeof(pair));
	memcpy(pair, h, n);
	pair[n] = '\0';
	if (attrs != NULL)
		snprintf(attrs, attrs_size, "%s", h + n);
	return pair;
}

static long
count(const char *sql)
{
	return strtol(testdb_value(t.db.conn, sql), NULL, 10);
}

/*
 * Signs in with token as the browser would (the form, its cookie and
 * CSRF token), expecting status; on success returns the session cookie
 * "msp_session=ID" (static), else NULL.  https: the request came over
 * TLS.
 */
static const char *
sign_in(const char *token, int status, int https, struct reply *out)
{
	static char session[160];
	struct fcgitest_req q = { .method = "GET", .path = "/connexion",
				  .https = https };
	char signin[160], body[512], attrs[160];
	struct reply r;

	call(&q, 200, &r);
	ck_assert_str_eq(r.content_type, "text/html");
	snprintf(signin, sizeof(signin), "%s", cookie_of(&r, attrs,
							 sizeof(attrs)));
	ck_assert_msg(strncmp(signin, "msp_signin=", 11) == 0, "%s", signin);
	snprintf(body, sizeof(body), "_csrf=%s&jeton=%s",
		 field(buf_str(&r.body), "_csrf"), token);
	http_reply_free(&r);
	q.method = "POST";
	q.content_type = "application/x-www-form-urlencoded";
	q.cookie = signin;
	q.body = body;
	call(&q, status, out);
	if (status != 303)
		return NULL;
	ck_assert_str_eq(fcgitest_header(out, "Location"), "/espace");
	snprintf(session, sizeof(session), "%s",
		 cookie_of(out, attrs, sizeof(attrs)));
	ck_assert_msg(strncmp(session, "msp_session=", 12) == 0 &&
		      strlen(session) == 12 + 64, "%s", session);
	ck_assert_msg(strstr(attrs, "; Path=/;") != NULL &&
		      strstr(attrs, "; HttpOnly") != NULL &&
		      strstr(attrs, "; SameSite=Strict") != NULL &&
		      strstr(attrs, "; Max-Age=43200") != NULL, "%s", attrs);
	ck_assert_msg((strstr(attrs, "; Secure") != NULL) == (https != 0),
		      "%s", attrs);
	return session;
}

/* GET path (with its query after '?') with cookie: its status. */
static int
get(const char *path, const char *cookie, struct buf *body)
{
	struct fcgitest_req q = { .method = "GET", .path = path,
				  .cookie = cookie };
	const char *mark = strchr(path, '?');
	char bare[128];
	struct reply r;
	int status;

	if (mark != NULL) {
		ck_assert((size_t)(mark - path) < sizeof(bare));
		memcpy(bare, path, (size_t)(mark - path));
		bare[mark - path] = '\0';
		q.path = bare;
		q.query = mark + 1;
	}

	ck_assert_int_eq(fcgitest_call(&t, pages_route, &q, &r), 1);
	status = r.status;
	if (status == 303)
		ck_assert_str_eq(fcgitest_header(&r, "Location"),
				 "/connexion");
	if (body != NULL)
		buf_puts(body, buf_str(&r.body));
	http_reply_free(&r);
	return status;
}

START_TEST(wrong_token_stores_nothing)
{
	const char *token = fcgitest_token(&t, "--kind analyst");
	char unknown[65];
	struct reply r;

	/* a token's form, but no token's value; then not a token's form */
	snprintf(unknown, sizeof(unknown), "%s", token);
	unknown[0] = unknown[0] == 'a' ? 'b' : 'a';
	sign_in(unknown, 401, 0, &r);
	ck_assert_msg(strstr(buf_str(&r.body), "inconnu ou a été révoqué")
		      != NULL, "%s", buf_str(&r.body));
	ck_assert_ptr_null(strstr(buf_str(&r.body), unknown));
	ck_assert(fcgitest_header(&r, "Set-Cookie") == NULL ||
		  strncmp(fcgitest_header(&r, "Set-Cookie"), "msp_signin=",
			  11) == 0);
	http_reply_free(&r);
	sign_in("jeton", 401, 0, &r);
	ck_assert_ptr_nonnull(strstr(buf_str(&r.body), "64 caractères"));
	http_reply_free(&r);
	ck_assert_int_eq(count("SELECT count(*) FROM msp.web_session"), 0);
}
END_TEST

START_TEST(signin_form_needs_its_csrf_token)
{
	const char *token = fcgitest_token(&t, "--kind analyst");
	struct fcgitest_req q = {
		.method = "POST", .path = "/connexion",
		.content_type = "application/x-www-form-urlencoded",
	};
	char body[256];
	struct reply r;

	/* no cookie, no token: a form posted from another site */
	snprintf(body, sizeof(body), "jeton=%s", token);
	q.body = body;
	call(&q, 403, &r);
	http_reply_free(&r);
	/* a forged token with a cookie of the attacker's choice */
	q.cookie = "msp_signin=000000000000000000000000000000000000000000000"
		   "000";
	snprintf(body, sizeof(body), "_csrf=1.%064d&jeton=%s", 0, token);
	call(&q, 403, &r);
	http_reply_free(&r);
	ck_assert_int_eq(count("SELECT count(*) FROM msp.web_session"), 0);
}
END_TEST

/* A protection run's transient federation token of Pays de la Loire
 * (testdb_run_token()): the only federation token whose reports of an
 * open study, as pdl-2019 is here, are counted, with the federation's
 * functions and disclosure control.  A federation's own token reads
 * published releases only (lib/report/report_stored.c). */
static const char *
run_token(void)
{
	static const char token[] = "fe0d"
		"000000000000000000000000000000000000000000000000000000000000";

	testdb_run_token(t.db.conn, "pdl-2019", token);
	return token;
}

START_TEST(session_stores_hashes_only)
{
	const char *token = fcgitest_token(&t, "--kind federation --region "
					   "pays-de-la-loire");
	char sql[512], id[65], tok[65];
	const char *cookie;
	struct buf page = BUF_INIT(BUF_MAX_TEXT);
	struct reply r;

	snprintf(tok, sizeof(tok), "%s", token);
	cookie = sign_in(tok, 303, 1, &r);
	http_reply_free(&r);
	snprintf(id, sizeof(id), "%s", cookie + 12);
	ck_assert_int_eq(count("SELECT count(*) FROM msp.web_session"), 1);
	/* the row holds the id's SHA-256, and neither the id nor the
	 * token in any column */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM msp.web_session s "
		 "WHERE s.id_sha256 = sha256(convert_to('%s', 'UTF8')) "
		 "AND strpos(s::text, '%s') = 0 AND strpos(s::text, '%s') = 0"
		 " AND s.token_id = (SELECT token_id FROM msp.access_token"
		 " WHERE token_sha256 = sha256(convert_to('%s', 'UTF8')))",
		 id, id, tok, tok);
	ck_assert_int_eq(count(sql), 1);
	/* the space says who is signed in */
	ck_assert_int_eq(get("/espace", cookie, &page), 200);
	ck_assert_ptr_nonnull(strstr(buf_str(&page), "fédération"));
	ck_assert_ptr_nonnull(strstr(buf_str(&page), "Pays de la Loire"));
	ck_assert_ptr_nonnull(strstr(buf_str(&page),
				     "href=\"/reports/pays-de-la-loire\""));
	ck_assert_ptr_null(strstr(buf_str(&page), tok));
	ck_assert_ptr_null(strstr(buf_str(&page), id));
	buf_free(&page);
}
END_TEST

/* The session enters the token's identity in the database as
 * msp.enter(token) does: same kind, same region, same role. */
START_TEST(session_enter_is_the_token)
{
	const char *token = fcgitest_token(&t, "--kind federation --region "
					   "occitanie");
	PGconn *worker;
	const char *cookie, *params[1];
	struct reply r;
	PGresult *res;

	cookie = sign_in(token, 303, 0, &r);
	http_reply_free(&r);
	worker = conn_get(&t.w.db);	/* as msp_worker */
	ck_assert_ptr_nonnull(worker);
	params[0] = cookie + 12;
	PQclear(PQexec(worker, "BEGIN"));
	res = PQexecParams(worker, "SELECT msp.session_enter($1), "
			   "msp.current_region_id() = (SELECT region_id "
			   "FROM msp.region WHERE slug = 'occitanie'), "
			   "current_user", 1, NULL, params, NULL, NULL, 0);
	ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%s",
		      PQerrorMessage(worker));
	ck_assert_str_eq(PQgetvalue(res, 0, 0), "federation");
	ck_assert_str_eq(PQgetvalue(res, 0, 1), "t");
	ck_assert_str_eq(PQgetvalue(res, 0, 2), "msp_federation");
	PQclear(res);
	PQclear(PQexec(worker, "ROLLBACK"));
	/* a session id that is not one is refused as a bad token is */
	params[0] = "0123456789abcdef0123456789abcdef0123456789abcdef"
		    "0123456789abcdef";
	res = PQexecParams(worker, "SELECT msp.session_enter($1)", 1, NULL,
			   params, NULL, NULL, 0);
	ck_assert_int_eq(PQresultStatus(res), PGRES_FATAL_ERROR);
	ck_assert_str_eq(PQresultErrorField(res, PG_DIAG_SQLSTATE), "28000");
	PQclear(res);
}
END_TEST

START_TEST(sessions_expire)
{
	const char *token = fcgitest_token(&t, "--kind analyst");
	const char *cookie;
	struct reply r;
	char ck[160];

	cookie = sign_in(token, 303, 0, &r);
	http_reply_free(&r);
	snprintf(ck, sizeof(ck), "%s", cookie);
	ck_assert_int_eq(get("/espace", ck, NULL), 200);
	/* 30 minutes idle: over */
	PQclear(PQexec(t.db.conn, "UPDATE msp.web_session SET last_seen_at"
		       " = now() - interval '31 minutes'"));
	ck_assert_int_eq(get("/espace", ck, NULL), 303);
	ck_assert_int_eq(get("/reports/occitanie.csv", ck, NULL), 303);
	/* 29: still on, and the request counts (last_seen_at moves) */
	PQclear(PQexec(t.db.conn, "UPDATE msp.web_session SET last_seen_at"
		       " = now() - interval '29 minutes'"));
	ck_assert_int_eq(get("/espace", ck, NULL), 200);
	ck_assert_int_eq(count("SELECT count(*) FROM msp.web_session WHERE "
			       "last_seen_at > now() - interval '1 minute'"),
			 1);
	/* the absolute limit, however active: 12 hours after sign-in */
	ck_assert_int_eq(count("SELECT count(*) FROM msp.web_session WHERE "
			       "expires_at = created_at + interval "
			       "'12 hours'"), 1);
	PQclear(PQexec(t.db.conn, "UPDATE msp.web_session SET expires_at ="
		       " now() - interval '1 second'"));
	ck_assert_int_eq(get("/espace", ck, NULL), 303);
}
END_TEST

START_TEST(revoking_the_token_ends_its_sessions)
{
	const char *token = fcgitest_token(&t, "--kind analyst");
	struct buf out = BUF_INIT(BUF_MAX_TEXT);
	const char *cookie;
	struct reply r;
	char ck[160], args[64];

	cookie = sign_in(token, 303, 0, &r);
	http_reply_free(&r);
	snprintf(ck, sizeof(ck), "%s", cookie);
	ck_assert_int_eq(get("/espace", ck, NULL), 200);
	snprintf(args, sizeof(args), "token revoke %s",
		 testdb_value(t.db.conn, "SELECT max(token_id) FROM "
			      "msp.access_token"));
	ck_assert_int_eq(testdb_cli(t.db.conn, NULL, "", args, &out), 0);
	buf_free(&out);
	ck_assert_int_eq(count("SELECT count(*) FROM msp.web_session WHERE "
			       "ended_at IS NOT NULL"), 1);
	ck_assert_int_eq(get("/espace", ck, NULL), 303);
	/* and the token no longer opens one */
	sign_in(token, 401, 0, &r);
	http_reply_free(&r);
}
END_TEST

START_TEST(signout_needs_the_sessions_csrf_token)
{
	const char *token = fcgitest_token(&t, "--kind analyst");
	struct fcgitest_req q = {
		.method = "POST", .path = "/deconnexion",
		.content_type = "application/x-www-form-urlencoded",
	};
	struct buf page = BUF_INIT(BUF_MAX_TEXT);
	struct buf other = BUF_INIT(BUF_MAX_TEXT);
	char ck[160], ck2[160], body[200], body2[200];
	struct reply r;

	snprintf(ck, sizeof(ck), "%s", sign_in(token, 303, 0, &r));
	http_reply_free(&r);
	snprintf(ck2, sizeof(ck2), "%s", sign_in(token, 303, 0, &r));
	http_reply_free(&r);
	ck_assert_int_eq(get("/espace", ck, &page), 200);
	ck_assert_int_eq(get("/espace", ck2, &other), 200);
	snprintf(body, sizeof(body), "_csrf=%s",
		 field(buf_str(&page), "_csrf"));
	snprintf(body2, sizeof(body2), "_csrf=%s",
		 field(buf_str(&other), "_csrf"));
	/* none, and another session's: refused, still signed in */
	q.cookie = ck;
	q.body = "";
	call(&q, 403, &r);
	http_reply_free(&r);
	q.body = body2;
	call(&q, 403, &r);
	http_reply_free(&r);
	ck_assert_int_eq(get("/espace", ck, NULL), 200);
	/* its own: signed out, the cookie deleted, the row ended */
	q.body = body;
	call(&q, 303, &r);
	ck_assert_str_eq(fcgitest_header(&r, "Location"), "/connexion");
	ck_assert_str_eq(cookie_of(&r, NULL, 0), "msp_session=");
	ck_assert_ptr_nonnull(strstr(fcgitest_header(&r, "Set-Cookie"),
				     "Max-Age=0"));
	http_reply_free(&r);
	ck_assert_int_eq(get("/espace", ck, NULL), 303);
	ck_assert_int_eq(get("/espace", ck2, NULL), 200);
	ck_assert_int_eq(count("SELECT count(*) FROM msp.web_session WHERE "
			       "ended_at IS NOT NULL"), 1);
	buf_free(&page);
	buf_free(&other);
}
END_TEST

/* The downloads are what msp-report --format csv|json prints under the
 * same token, with the same options. */
START_TEST(downloads_are_the_clis)
{
	static const struct {
		const char *path, *query, *args;
	} cases[] = {
		{ "/reports/pays-de-la-loire.csv", "",
		  "--region pays-de-la-loire --format csv" },
		{ "/reports/pays-de-la-loire.json", "nsp=exclude",
		  "--region pays-de-la-loire --nsp exclude --format json" },
		{ "/reports/pays-de-la-loire.csv", "by=usagers&missing=keep",
		  "--region pays-de-la-loire --by usagers --missing keep "
		  "--format csv" },
	};
	const char *token = run_token();
	struct reply signed_in;
	char ck[160], env[128];
	size_t i;

	snprintf(env, sizeof(env), "MSP_TOKEN=%s", token);
	snprintf(ck, sizeof(ck), "%s", sign_in(token, 303, 0, &signed_in));
	http_reply_free(&signed_in);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fcgitest_req q = { .method = "GET",
					  .path = cases[i].path,
					  .query = cases[i].query,
					  .cookie = ck };
		struct buf cli = BUF_INIT(BUF_MAX_DOCUMENT);
		struct reply r;

		ck_assert_int_eq(testdb_cli(t.db.conn, NULL, env,
					    cases[i].args, &cli), 0);
		call(&q, 200, &r);
		ck_assert_msg(r.body.len == cli.len &&
			      memcmp(r.body.data, cli.data, cli.len) == 0,
			      "%s?%s differs from msp-report %s",
			      cases[i].path, cases[i].query, cases[i].args);
		/* suppression happened: a federation's report */
		ck_assert_ptr_nonnull(strstr(buf_str(&cli), "federation"));
		http_reply_free(&r);
		buf_free(&cli);
	}
}
END_TEST

/* An analyst sees everything, unsuppressed, as msp-report under its
 * token; the page leaves the worker's connection ready for the next
 * request (the report's transaction and its cache's are closed). */
START_TEST(analyst_report_page)
{
	const char *token = fcgitest_token(&t, "--kind analyst");
	struct buf page = BUF_INIT(BUF_MAX_DOCUMENT);
	struct buf cli = BUF_INIT(BUF_MAX_DOCUMENT);
	struct reply r;
	char ck[160], env[128];
	const char *p;

	snprintf(env, sizeof(env), "MSP_TOKEN=%s", token);
	snprintf(ck, sizeof(ck), "%s", sign_in(token, 303, 0, &r));
	http_reply_free(&r);
	ck_assert_int_eq(get("/reports/occitanie", ck, &page), 200);
	ck_assert_ptr_nonnull(strstr(buf_str(&page), "<html lang=\"fr\">"));
	/* the identity in French, as the CLI's text says it */
	ck_assert_ptr_nonnull(strstr(buf_str(&page), "<dt>Identité</dt>"
				     "<dd>analyste</dd>"));
	ck_assert_ptr_null(strstr(buf_str(&page), "td class=\"v s\""));
	/* the count of responses, as the database has it */
	p = strstr(buf_str(&page), ">Réponses</th><td class=\"v\">");
	ck_assert_ptr_nonnull(p);
	p += strlen(">Réponses</th><td class=\"v\">");
	ck_assert_int_eq(strtol(p, NULL, 10),
			 count("SELECT count(*) FROM msp.response r JOIN "
			       "msp.study s USING (study_id) WHERE s.slug = "
			       "'occitanie-2024' AND r.status = 'complete'"));
	ck_assert_int_eq(PQtransactionStatus(t.w.db.pg), PQTRANS_IDLE);
	ck_assert_int_eq(get("/espace", ck, NULL), 200);
	ck_assert_int_eq(get("/reports/occitanie.csv", ck, &cli), 200);
	buf_free(&page);
	ck_assert_int_eq(testdb_cli(t.db.conn, NULL, env,
				    "--region occitanie --format csv",
				    &page), 0);
	ck_assert_str_eq(buf_str(&cli), buf_str(&page));
	/* unknown region or variable: a French page, not a 500 */
	buf_reset(&page);
	ck_assert_int_eq(get("/reports/bretagne", ck, &page), 404);
	ck_assert_ptr_nonnull(strstr(buf_str(&page), "Rapport introuvable"));
	buf_reset(&page);
	ck_assert_int_eq(get("/reports/occitanie?by=nope", ck, &page), 404);
	buf_free(&page);
	buf_free(&cli);
}
END_TEST

/* The comparison's and the fieldwork monitor's downloads are what
 * msp-report --compare and msp-report fieldwork print under the same
 * token: a federation's, so suppressed. */
START_TEST(compare_fieldwork_downloads_are_the_clis)
{
	static const struct {
		const char *path, *query, *args;
	} cases[] = {
		{ "/reports/compare.csv", "a=pays-de-la-loire&b=occitanie",
		  "--compare pays-de-la-loire,occitanie --format csv" },
		{ "/reports/compare.json",
		  "a=occitanie&b=pays-de-la-loire&nsp=exclude&missing=keep",
		  "--compare occitanie,pays-de-la-loire --nsp exclude "
		  "--missing keep --format json" },
		{ "/fieldwork/pdl-2019.csv", "",
		  "fieldwork --study pdl-2019 --format csv" },
		{ "/fieldwork/pdl-2019.json", "",
		  "fieldwork --study pdl-2019 --format json" },
	};
	const char *token = run_token();
	struct reply signed_in;
	char ck[160], env[128];
	size_t i;

	snprintf(env, sizeof(env), "MSP_TOKEN=%s", token);
	snprintf(ck, sizeof(ck), "%s", sign_in(token, 303, 0, &signed_in));
	http_reply_free(&signed_in);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fcgitest_req q = { .method = "GET",
					  .path = cases[i].path,
					  .query = cases[i].query,
					  .cookie = ck };
		struct buf cli = BUF_INIT(BUF_MAX_DOCUMENT);
		struct reply r;

		ck_assert_int_eq(testdb_cli(t.db.conn, NULL, env,
					    cases[i].args, &cli), 0);
		call(&q, 200, &r);
		ck_assert_msg(r.body.len == cli.len &&
			      memcmp(r.body.data, cli.data, cli.len) == 0,
			      "%s?%s differs from msp-report %s",
			      cases[i].path, cases[i].query, cases[i].args);
		/* a federation's document, something in it suppressed */
		ck_assert_ptr_nonnull(strstr(buf_str(&cli), "suppressed"));
		http_reply_free(&r);
		buf_free(&cli);
	}
	ck_assert_int_eq(PQtransactionStatus(t.w.db.pg), PQTRANS_IDLE);
}
END_TEST

/* What the comparison's and the monitor's forms do not send is refused
 * with 400 and a French page, before any query. */
START_TEST(compare_fieldwork_bad_queries)
{
	static const char *const bad[] = {
		"/reports/compare?a=pays-de-la-loire",	/* one of two */
		"/reports/compare?b=occitanie",
		"/reports/compare?a=occitanie&b=occitanie",	/* itself */
		"/reports/compare?a=Occitanie&b=pays-de-la-loire",
		"/reports/compare?a=occitanie&b=pays%20de%20la%20loire",
		"/reports/compare?a=occitanie&b=pays-de-la-loire&nsp=no",
		"/reports/compare?a=occitanie&b=pays-de-la-loire&missing=no",
		"/reports/compare.csv",		/* a download of nothing */
		"/reports/compare.json?nsp=exclude",
		"/reports/compare.xml?a=occitanie&b=pays-de-la-loire",
		"/fieldwork/",
		"/fieldwork/PDL-2019",
		"/fieldwork/pdl-2019.xml",
		"/fieldwork/..%2Fespace",
		"/fieldwork/.csv",
	};
	const char *token = fcgitest_token(&t, "--kind analyst");
	struct buf page = BUF_INIT(BUF_MAX_DOCUMENT);
	struct reply r;
	char ck[160];
	size_t i;

	snprintf(ck, sizeof(ck), "%s", sign_in(token, 303, 0, &r));
	http_reply_free(&r);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_reset(&page);
		ck_assert_msg(get(bad[i], ck, &page) == 400, "%s", bad[i]);
		ck_assert_msg(strstr(buf_str(&page), "<h1>Demande illisible"
				     "</h1>") != NULL &&
			      strstr(buf_str(&page), "lang=\"fr\"") != NULL,
			      "%s: %s", bad[i], buf_str(&page));
	}
	/* without a choice, the page is the forms */
	buf_reset(&page);
	ck_assert_int_eq(get("/reports/compare", ck, &page), 200);
	ck_assert_ptr_nonnull(strstr(buf_str(&page), "<h1>Comparer</h1>"));
	ck_assert_ptr_nonnull(strstr(buf_str(&page), "name=\"b\""));
	ck_assert_ptr_null(strstr(buf_str(&page), "<table"));
	/* two regions: the heading and the <title> name both sides,
	 * each region's name and the study the report reads for it (its
	 * latest that is not a draft), as the database has them */
	{
		char want[512], title[560];

		snprintf(want, sizeof(want), "%s", testdb_value(t.db.conn,
			"SELECT 'Comparaison des régions : ' || string_agg("
			"g.name || ' (' || (SELECT s.slug FROM msp.study s"
			" WHERE s.region_id = g.region_id AND s.state <> "
			"'draft' ORDER BY s.synthetic, s.year DESC, "
			"s.study_id DESC LIMIT 1) || ')', ' et ' ORDER BY "
			"g.slug DESC) FROM msp.region g WHERE g.slug IN "
			"('occitanie', 'pays-de-la-loire')"));
		buf_reset(&page);
		ck_assert_int_eq(get("/reports/compare?a=pays-de-la-loire&"
				     "b=occitanie", ck, &page), 200);
		snprintf(title, sizeof(title), "<h1>%s</h1>", want);
		ck_assert_msg(strstr(buf_str(&page), title) != NULL,
			      "no %s", title);
		snprintf(title, sizeof(title), "<title>%s", want);
		ck_assert_msg(strstr(buf_str(&page), title) != NULL,
			      "no %s", title);
	}
	/* names of the right form that name nothing: 404, in French */
	buf_reset(&page);
	ck_assert_int_eq(get("/reports/compare?a=occitanie&b=bretagne", ck,
			     &page), 404);
	ck_assert_ptr_nonnull(strstr(buf_str(&page),
				     "Comparaison impossible"));
	buf_reset(&page);
	ck_assert_int_eq(get("/reports/compare?a=occitanie&b=pdl-2019", ck,
			     &page), 404);
	buf_reset(&page);
	ck_assert_int_eq(get("/fieldwork/bretagne-2025", ck, &page), 404);
	ck_assert_ptr_nonnull(strstr(buf_str(&page), "Étude introuvable"));
	ck_assert_int_eq(PQtransactionStatus(t.w.db.pg), PQTRANS_IDLE);
	buf_free(&page);
}
END_TEST

/* A federation's own token reads published releases only
 * (lib/report/report_stored.c): its region's study is open here, so its
 * report page and downloads answer 409 « Rapport publié à la clôture »,
 * never a count; the fieldwork monitor stays live; a comparison with
 * an unpublished study answers 409 « Comparaison non publiée ». */
START_TEST(unpublished_reports_are_409)
{
	const char *token = fcgitest_token(&t, "--kind federation --region "
					   "pays-de-la-loire");
	struct buf page = BUF_INIT(BUF_MAX_DOCUMENT);
	struct reply r;
	char ck[160];

	snprintf(ck, sizeof(ck), "%s", sign_in(token, 303, 0, &r));
	http_reply_free(&r);
	ck_assert_int_eq(get("/reports/pays-de-la-loire", ck, &page), 409);
	ck_assert_ptr_nonnull(strstr(buf_str(&page),
				     "Rapport publié à la clôture"));
	ck_assert_ptr_null(strstr(buf_str(&page), "<table"));
	buf_reset(&page);
	ck_assert_int_eq(get("/reports/pays-de-la-loire.csv", ck, &page),
			 409);
	buf_reset(&page);
	ck_assert_int_eq(get("/reports/compare?a=pays-de-la-loire"
			     "&b=occitanie", ck, &page), 409);
	ck_assert_ptr_nonnull(strstr(buf_str(&page),
				     "Comparaison non publiée"));
	buf_reset(&page);
	ck_assert_int_eq(get("/fieldwork/pdl-2019", ck, &page), 200);
	ck_assert_ptr_nonnull(strstr(buf_str(&page), "<table"));
	buf_free(&page);
}
END_TEST

/* A federation follows its region's fieldwork only: another region's is
 * refused (403, « hors de votre périmètre »), with no table, not a
 * monitor of zeros; an analyst reads every study's, a team none, nor
 * any report page. */
START_TEST(fieldwork_scope)
{
	const char *fed = fcgitest_token(&t, "--kind federation --region "
					 "pays-de-la-loire");
	struct buf page = BUF_INIT(BUF_MAX_DOCUMENT);
	struct reply r;
	char ck[160];

	snprintf(ck, sizeof(ck), "%s", sign_in(fed, 303, 0, &r));
	http_reply_free(&r);
	ck_assert_int_eq(get("/fieldwork/occitanie-2024", ck, &page), 403);
	ck_assert_ptr_nonnull(strstr(buf_str(&page),
				     "hors de votre périmètre"));
	ck_assert_ptr_null(strstr(buf_str(&page), "<table"));
	/* the connection is ready for the next request */
	ck_assert_int_eq(PQtransactionStatus(t.w.db.pg), PQTRANS_IDLE);
	ck_assert_int_eq(get("/fieldwork/occitanie-2024.csv", ck, NULL),
			 403);
	buf_reset(&page);
	ck_assert_int_eq(get("/fieldwork/pdl-2019", ck, &page), 200);
	ck_assert_ptr_nonnull(strstr(buf_str(&page), "<svg"));
	ck_assert_ptr_nonnull(strstr(buf_str(&page), "td class=\"v s\""));
	/* its space links to its study's monitor and to the comparison */
	buf_reset(&page);
	ck_assert_int_eq(get("/espace", ck, &page), 200);
	ck_assert_ptr_nonnull(strstr(buf_str(&page),
				     "href=\"/fieldwork/pdl-2019\""));
	ck_assert_ptr_null(strstr(buf_str(&page),
				  "href=\"/fieldwork/occitanie-2024\""));
	ck_assert_ptr_nonnull(strstr(buf_str(&page),
				     "href=\"/reports/compare\""));
	/* the coding workspace is the analysts' */
	ck_assert_ptr_null(strstr(buf_str(&page), "href=\"/codage\""));

	snprintf(ck, sizeof(ck), "%s",
		 sign_in(fcgitest_token(&t, "--kind analyst"), 303, 0, &r));
	http_reply_free(&r);
	buf_reset(&page);
	ck_assert_int_eq(get("/fieldwork/occitanie-2024", ck, &page), 200);
	ck_assert_ptr_null(strstr(buf_str(&page), "td class=\"v s\""));
	buf_reset(&page);
	ck_assert_int_eq(get("/espace", ck, &page), 200);
	ck_assert_ptr_nonnull(strstr(buf_str(&page), "href=\"/codage\""));

	snprintf(ck, sizeof(ck), "%s",
		 sign_in(fcgitest_token(&t, "--kind team --region occitanie "
					"--identifier 'MSP des Lilas, Albi'"),
			 303, 0, &r));
	http_reply_free(&r);
	buf_reset(&page);
	ck_assert_int_eq(get("/fieldwork/occitanie-2024", ck, &page), 403);
	ck_assert_msg(strstr(buf_str(&page), "jetons d&#39;équipe") != NULL,
		      "%s", buf_str(&page));
	/* nor its region's report, nor a comparison: zeros for what is
	 * not its own (msp-report --compare under a team's token prints
	 * « 0 » for both regions) */
	buf_reset(&page);
	ck_assert_int_eq(get("/reports/compare?a=occitanie&b=pays-de-la-"
			     "loire", ck, &page), 403);
	ck_assert_ptr_nonnull(strstr(buf_str(&page), "Hors de votre "
				     "périmètre"));
	ck_assert_ptr_null(strstr(buf_str(&page), "<table"));
	ck_assert_int_eq(get("/reports/occitanie", ck, NULL), 403);
	ck_assert_int_eq(get("/reports/occitanie.csv", ck, NULL), 403);
	ck_assert_int_eq(PQtransactionStatus(t.w.db.pg), PQTRANS_IDLE);
	buf_free(&page);
}
END_TEST

START_TEST(pages_need_a_session)
{
	struct fcgitest_req q = { .method = "GET",
				  .path = "/reports/occitanie",
				  .cookie = "msp_session=0123456789abcdef0123"
					    "456789abcdef0123456789abcdef0123"
					    "456789abcdef" };
	struct reply r;

	ck_assert_int_eq(get("/reports/occitanie", NULL, NULL), 303);
	ck_assert_int_eq(get("/espace", NULL, NULL), 303);
	ck_assert_int_eq(get("/reports/compare", NULL, NULL), 303);
	ck_assert_int_eq(get("/fieldwork/pdl-2019", NULL, NULL), 303);
	call(&q, 303, &r);
	http_reply_free(&r);
	q.path = "/elsewhere";
	ck_assert_int_eq(fcgitest_call(&t, pages_route, &q, &r), 0);
	http_reply_free(&r);
}
END_TEST

static Suite *
pages_suite(void)
{
	Suite *s = suite_create("pages");
	TCase *tc = tcase_create("sessions");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, wrong_token_stores_nothing);
	tcase_add_test(tc, signin_form_needs_its_csrf_token);
	tcase_add_test(tc, session_stores_hashes_only);
	tcase_add_test(tc, session_enter_is_the_token);
	tcase_add_test(tc, sessions_expire);
	tcase_add_test(tc, revoking_the_token_ends_its_sessions);
	tcase_add_test(tc, signout_needs_the_sessions_csrf_token);
	tcase_add_test(tc, downloads_are_the_clis);
	tcase_add_test(tc, analyst_report_page);
	tcase_add_test(tc, compare_fieldwork_downloads_are_the_clis);
	tcase_add_test(tc, compare_fieldwork_bad_queries);
	tcase_add_test(tc, fieldwork_scope);
	tcase_add_test(tc, unpublished_reports_are_409);
	tcase_add_test(tc, pages_need_a_session);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testdb_run(pages_suite());
}
