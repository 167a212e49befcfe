/*
 * api — the JSON API under /api/v1.
 *
 *   GET  /api/v1/health                    the worker and its database
 *   GET  /api/v1/health/live               the worker answers (no database)
 *   GET  /api/v1/health/ready              ready to serve: the database,
 *                                          its schema version, the report
 *                                          database if one is configured
 *   GET  /api/v1/studies                   studies, with their instrument
 *   GET  /api/v1/studies/{slug}/instrument an instrument definition
 *   POST /api/v1/responses                 a submission (bearer token)
 *   GET  /api/v1/responses?study=S[&since=T][&after=ID][&limit=N]
 *                                          responses the token may see,
 *                                          JSON or CSV (Accept/format=)
 *   POST /api/v1/interviews                an interview (analyst token)
 *   GET  /api/v1/export                    everything stored about the
 *                                          team token's structure
 *
 * Tokens are checked by the database (msp.enter): what a token sees and
 * may write is Row-Level Security's decision, not this file's.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto.h"
#include "csv.h"
#include "db.h"
#include "jsonin.h"
#include "schema_version.h"
#include "submission.h"
#include "tenant.h"
#include "api.h"
#include "urlenc.h"

#define RESPONSES_PAGE_MAX 1000
#define RESPONSES_PAGE_DEFAULT 100
/* An enum value is a name: at most NAMEDATALEN - 1 = 63 bytes. */
#define ROLE_MAX 64

/* The statements of the API, prepared on each new connection (conn.c). */
const struct statement api_statements[] = {
	{ "api_submit_many",
	  "SELECT ord, response_id, replayed, same_request, n_answers,"
	  "       refused"
	  "  FROM msp.api_submit_many($1)", 1 },
	{ "api_submit",
	  "SELECT response_id, replayed, same_request, n_answers"
	  "  FROM msp.api_submit($1, $2, $3, pg_catalog.decode($4, 'hex'),"
	  "                      $5, $6, $7, $8)", 8 },
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
	{ NULL, NULL, 0 }
};

static void
method_not_allowed(struct reply *r, const char *allow)
{
	http_problem(r, 405, NULL, NULL);
	http_header(r, "Allow", allow);
}

/* A field error list with one entry. */
static json_object *
one_error(const char *field, const char *detail)
{
	json_object *a = json_object_new_array();
	json_object *e = json_object_new_object();

	json_object_object_add(e, "field", json_object_new_string(field));
	json_object_object_add(e, "detail", json_object_new_string(detail));
	json_object_array_add(a, e);
	return a;
}

/* 422 naming the roles msp.respondent_role has ("a, b or c"). */
static void
unknown_role(const struct worker *w, struct reply *r)
{
	struct buf roles = BUF_INIT(BUF_MAX_TEXT);
	size_t i, n = studies_n_roles(&w->studies);

	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_puts(&roles, i + 1 < n ? ", " : " or ");
		buf_puts(&roles, studies_role_at(&w->studies, i));
	}
	http_problem(r, 422, "unknown respondent role",
		     one_error("respondent_role", roles.failed ?
			       "a value of msp.respondent_role" :
			       buf_str(&roles)));
	buf_free(&roles);
}

/*
 * The bearer token of the request (RFC 6750 §2.1) into token, or -1
 * with r filled (401).  Only the shape is checked here; the database
 * says whether it is live.
 */
static int
bearer(const struct request *req, struct reply *r,
       char token[TENANT_TOKEN_HEX + 1])
{
	const char *a = req->authorization;
	size_t i;

	if (*a == '\0') {
		http_problem(r, 401, "an Authorization: Bearer token is "
			     "required", NULL);
		http_header(r, "WWW-Authenticate", "Bearer realm=\"msp\"");
		return -1;
	}
	if (strncasecmp(a, "Bearer ", 7) != 0)
		goto invalid;
	a += 7;
	while (*a == ' ')
		a++;
	if (strlen(a) != TENANT_TOKEN_HEX)
		goto invalid;
	for (i = 0; i < TENANT_TOKEN_HEX; i++) {
		char c = a[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			goto invalid;
		token[i] = c;
	}
	token[TENANT_TOKEN_HEX] = '\0';
	return 0;
invalid:
	http_problem(r, 401, "the token is malformed, unknown or revoked",
		     NULL);
	http_header(r, "WWW-Authenticate",
		    "Bearer realm=\"msp\", error=\"invalid_token\"");
	return -1;
}

/* Replies to a failed call of a msp.api_* function.  A lock or
 * statement timeout is conn_failure's 503. */
static void
api_db_error_reply(struct worker *w, const struct msp_error *err,
		   struct reply *r)
{
	enum db_class c = db_classify(err->sqlstate);

	/* tenant_enter() says MSP_EACCESS; the msp.api_* functions raise
	 * 28000 themselves */
	if (err->status == MSP_EACCESS || c == DB_AUTH) {
		http_problem(r, 401, "the token is unknown or revoked", NULL);
		http_header(r, "WWW-Authenticate",
			    "Bearer realm=\"msp\", error=\"invalid_token\"");
	} else if (c == DB_DENIED) {
		/* RLS or an explicit refusal: the token's scope */
		http_problem(r, 403, "this token may not do that", NULL);
	} else if (db_class_is_input(c)) {
		/* data exceptions and integrity constraints: the input */
		http_problem(r, 422, "the database refused the data: it "
			     "breaks a constraint of the study", NULL);
	} else {
		conn_failure_reply(&w->db, err, r);
	}
}

/*
 * Runs sql (one row, one column) on c, again once on a fresh
 * connection when the server restarted under us; *res (may be NULL)
 * gets the result.  MSP_EDB when c cannot be reached or sql fails.
 */
static enum msp_status
health_query(struct conn *c, const char *sql, PGresult **res)
{
	PGconn *conn = conn_get(c);
	enum msp_status st = MSP_EDB;

	if (conn != NULL)
		st = db_exec(conn, "health", sql, 0, NULL, PGRES_TUPLES_OK,
			     res, NULL);
	if (st != MSP_OK && conn != NULL && PQstatus(conn) != CONNECTION_OK) {
		conn = conn_get(c);
		if (conn != NULL)
			st = db_exec(conn, "health", sql, 0, NULL,
				     PGRES_TUPLES_OK, res, NULL);
	}
	return st;
}

/* GET /api/v1/health: the worker and its primary database (200, or
 * 503 with Retry-After); what it was before live and ready, kept for
 * the monitors that ask it. */
static void
handle_health(struct worker *w, struct reply *r)
{
	json_object *o;

	if (health_query(&w->db, "SELECT 1", NULL) != MSP_OK) {
		http_fail(r, &conn_unreachable);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "status", json_object_new_string("ok"));
	json_object_object_add(o, "database", json_object_new_string("ok"));
	json_object_object_add(o, "version",
			       json_object_new_string(PACKAGE_VERSION));
	http_json(r, 200, o);
}

/* GET /api/v1/health/live: this process answers, nothing more (a
 * supervisor restarts a worker that does not; a database outage is no
 * reason to). */
static void
handle_live(struct reply *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "status", json_object_new_string("live"));
	json_object_object_add(o, "version",
			       json_object_new_string(PACKAGE_VERSION));
	http_json(r, 200, o);
}

/*
 * GET /api/v1/health/ready: whether this worker can serve now: its
 * database answers, at the schema version the binaries were built for
 * (MSP_SCHEMA_VERSION: behind, a migration is pending; ahead, these
 * binaries are older than the database), and the report database
 * answers when one is configured.  200 with each check "ok", else 503
 * with Retry-After and each check's state: a load balancer takes the
 * server out of rotation until then.
 */
static void
handle_ready(struct worker *w, struct reply *r)
{
	json_object *o = json_object_new_object(), *schema;
	PGresult *res = NULL;
	int ready = 1, version = -1;
	const char *state;

	if (health_query(&w->db, "SELECT msp.schema_version() AS v",
			 &res) == MSP_OK) {
		if (!PQgetisnull(res, 0, 0))
			version = (int)db_int(res, 0, "v");
		json_object_object_add(o, "database",
				       json_object_new_string("ok"));
	} else {
		ready = 0;
		json_object_object_add(o, "database",
				       json_object_new_string("unreachable"));
	}
	PQclear(res);
	schema = json_object_new_object();
	state = version < 0 ? "unknown" : version < MSP_SCHEMA_VERSION ?
		"behind" : version > MSP_SCHEMA_VERSION ? "ahead" : "ok";
	ready = ready && strcmp(state, "ok") == 0;
	json_object_object_add(schema, "status",
			       json_object_new_string(state));
	json_object_object_add(schema, "database",
			       version < 0 ? NULL :
			       json_object_new_int(version));
	json_object_object_add(schema, "expected",
			       json_object_new_int(MSP_SCHEMA_VERSION));
	json_object_object_add(o, "schema", schema);
	if (w->reports.database == NULL) {
		state = "same";	/* reports read the primary */
	} else if (health_query(&w->reports, "SELECT 1", NULL) == MSP_OK) {
		state = "ok";
	} else {
		state = "unreachable";
		ready = 0;
	}
	json_object_object_add(o, "reports", json_object_new_string(state));
	json_object_object_add(o, "status",
			       json_object_new_string(ready ? "ready" :
						      "not ready"));
	json_object_object_add(o, "version",
			       json_object_new_string(PACKAGE_VERSION));
	if (!ready)
		http_header(r, "Retry-After", "5");
	http_json(r, ready ? 200 : 503, o);
}

static void
handle_studies(struct worker *w, struct reply *r)
{
	json_object *list;
	size_t i;

	if (studies_load_or_reply(&w->studies, &w->db, r) != 0)
		return;
	list = json_object_new_array();
	for (i = 0; i < w->studies.n; i++) {
		const struct study *s = &w->studies.list[i];
		json_object *o = json_object_new_object();
		char path[160];

		json_object_object_add(o, "slug",
				       json_object_new_string(s->slug));
		json_object_object_add(o, "title_fr",
				       json_object_new_string(s->title_fr));
		json_object_object_add(o, "region",
				       json_object_new_string(s->region_slug));
		json_object_object_add(o, "year", json_object_new_int(s->year));
		snprintf(path, sizeof(path), "/api/v1/studies/%s/instrument",
			 s->slug);
		json_object_object_add(o, "instrument",
				       json_object_new_string(path));
		snprintf(path, sizeof(path), "/forms/%s", s->slug);
		json_object_object_add(o, "form", json_object_new_string(path));
		json_object_array_add(list, o);
	}
	http_json(r, 200, list);
}

static void
handle_instrument(struct worker *w, const char *slug, struct reply *r)
{
	const struct study *s;
	json_object *body;
	int found;

	s = studies_find_or_reply(&w->studies, &w->db, slug, r, &found);
	if (found < 0)
		return;
	if (s == NULL) {
		http_problem(r, 404, "no such study", NULL);
		return;
	}
	body = instrument_json(s->ins);
	if (body == NULL) {
		http_problem(r, 500, "out of memory", NULL);
		return;
	}
	http_json(r, 200, body);
}

/* An Idempotency-Key: 1-200 visible ASCII characters. */
static int
valid_key(const char *k)
{
	size_t n = strlen(k), i;

	if (n == 0 || n > 200)
		return 0;
	for (i = 0; i < n; i++)
		if (k[i] < 0x21 || k[i] > 0x7e)
			return 0;
	return 1;
}

/* The body as a JSON object, or -1 with r filled (415, 413, 400). */
static int
json_body(struct request *req, struct reply *r, json_object **out)
{
	struct msp_error err;

	*out = NULL;
	if (!http_content_type_is(req, "application/json")) {
		http_problem(r, 415, "send application/json", NULL);
		http_header(r, "Accept-Post", "application/json");
		return -1;
	}
	if (http_read_body_or_reply(req, r) != 0)
		return -1;
	if (jsonin_parse(req->body, req->body_len, out, &err) != MSP_OK) {
		http_problem(r, 400, err.message, NULL);
		return -1;
	}
	if (!json_object_is_type(*out, json_type_object)) {
		json_object_put(*out);
		*out = NULL;
		http_problem(r, 400, "the body must be a JSON object", NULL);
		return -1;
	}
	return 0;
}

/* Refuses members of o that are not in allowed (NULL-terminated). */
static int
only_members(json_object *o, const char *const *allowed, struct reply *r)
{
	json_object_object_foreach(o, key, v) {
		const char *const *a;

		(void)v;
		for (a = allowed; *a != NULL; a++)
			if (strcmp(*a, key) == 0)
				break;
		if (*a == NULL) {
			http_problem(r, 422, "unknown member",
				     one_error(key, "not a member of this "
					       "resource"));
			return -1;
		}
	}
	return 0;
}

/*
 * The study the body's "study" member names, with its instrument, or
 * NULL with r filled: 422 when it is missing or unknown, 503/500 when
 * the database failed.
 */
static const struct study *
body_study(struct worker *w, json_object *doc, struct reply *r)
{
	const struct study *study;
	json_object *v;
	int found;

	if (!json_object_object_get_ex(doc, "study", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		http_problem(r, 422, "the study is missing",
			     one_error("study", "a study slug is required"));
		return NULL;
	}
	study = studies_find_or_reply(&w->studies, &w->db,
				      json_object_get_string(v), r, &found);
	if (found == 0)
		http_problem(r, 422, "unknown study",
			     one_error("study", "no such study"));
	return study;
}

/* What the worker knows of a submission once it passed its checks. */
struct api_submission {
	char token[TENANT_TOKEN_HEX + 1];
	int study_id;
	char *slug;		/* a copy: the study cache may be reloaded
				 * before the submission is stored */
	char key[201];		/* Idempotency-Key (valid_key) */
	char hash[CRYPTO_SHA256_HEX];	/* of the request body */
	/* a value of msp.respondent_role, copied: the roles the worker
	 * holds may be reloaded before a held submission is stored */
	char role[ROLE_MAX];
	int has_role;
	int complete;
	int structure;		/* 0 when none */
	struct buf answers;	/* JSON, as msp.store_answers reads it */
};

static void
api_submission_free(struct api_submission *sub)
{
	if (sub == NULL)
		return;
	crypto_cleanse(sub->token, sizeof(sub->token));
	free(sub->slug);
	buf_free(&sub->answers);
	free(sub);
}

/*
 * Checks a POST /responses as far as the worker can (token shape, body,
 * study, every answer against the instrument) and returns it ready to
 * store, or NULL with r filled.
 */
static struct api_submission *
post_response_checked(struct worker *w, struct request *req, struct reply *r)
{
	static const char *const members[] = {
		"study", "answers", "respondent_role", "status",
		"structure_id", NULL,
	};
	json_object *doc = NULL, *v, *answers, *errors;
	struct api_submission *sub = NULL;
	struct submission *checked = NULL;
	const struct study *study;
	struct msp_error err;
	size_t i, n;

	if ((sub = calloc(1, sizeof(*sub))) == NULL) {
		http_problem(r, 503, "out of memory", NULL);
		return NULL;
	}
	buf_init(&sub->answers, HTTP_ANSWERS_MAX);
	sub->complete = 1;
	if (bearer(req, r, sub->token) != 0 || json_body(req, r, &doc) != 0)
		goto fail;
	if (req->idempotency_keys > 1 || (req->idempotency_key != NULL &&
	    strstr(req->idempotency_key, ", ") != NULL)) {
		/* Two keys: which one a retry would carry is anyone's
		 * guess, so neither is used.  (nginx before 1.23 passes
		 * them as two parameters, later ones joined by ", ".) */
		http_problem(r, 400, "un seul en-tête Idempotency-Key est "
			     "permis par requête", one_error(
				     "Idempotency-Key", "given more than "
				     "once"));
		goto fail;
	}
	if (req->idempotency_key != NULL) {
		if (!valid_key(req->idempotency_key)) {
			http_problem(r, 400, "Idempotency-Key must be 1-200 "
				     "visible ASCII characters", NULL);
			goto fail;
		}
		/* fits: valid_key */
		memcpy(sub->key, req->idempotency_key,
		       strlen(req->idempotency_key) + 1);
	} else if (crypto_random_hex(16, sub->key, &err) != MSP_OK) {
		/* no retry protection asked for: a key of our own */
		http_problem(r, 500, "no randomness", NULL);
		goto fail;
	}
	if (only_members(doc, members, r) != 0)
		goto fail;
	if ((study = body_study(w, doc, r)) == NULL)
		goto fail;
	sub->study_id = study->study_id;
	if ((sub->slug = strdup(study->slug)) == NULL) {
		http_problem(r, 503, "out of memory", NULL);
		goto fail;
	}
	if (!json_object_object_get_ex(doc, "answers", &answers) ||
	    !json_object_is_type(answers, json_type_object)) {
		http_problem(r, 422, "the answers are missing",
			     one_error("answers", "an object of item: value "
				       "is required"));
		goto fail;
	}
	if (json_object_object_get_ex(doc, "respondent_role", &v) &&
	    !json_object_is_type(v, json_type_null)) {
		const char *role = NULL;

		if (json_object_is_type(v, json_type_string))
			role = studies_role(&w->studies,
					    json_object_get_string(v));
		if (role == NULL || strlen(role) >= sizeof(sub->role)) {
			unknown_role(w, r);
			goto fail;
		}
		memcpy(sub->role, role, strlen(role) + 1);
		sub->has_role = 1;
	}
	if (json_object_object_get_ex(doc, "status", &v)) {
		const char *s = json_object_get_string(v);

		if (!json_object_is_type(v, json_type_string) ||
		    (strcmp(s, "complete") != 0 && strcmp(s, "partial") != 0)) {
			http_problem(r, 422, "bad status",
				     one_error("status",
					       "complete or partial"));
			goto fail;
		}
		sub->complete = strcmp(s, "complete") == 0;
	}
	if (json_object_object_get_ex(doc, "structure_id", &v)) {
		if (!json_object_is_type(v, json_type_int) ||
		    json_object_get_int64(v) < 1 ||
		    json_object_get_int64(v) > 2147483647) {
			http_problem(r, 422, "bad structure_id",
				     one_error("structure_id",
					       "a positive integer"));
			goto fail;
		}
		sub->structure = (int)json_object_get_int64(v);
	}

	checked = submission_new(study->ins);
	if (checked == NULL ||
	    submission_add_json(checked, answers, &err) != MSP_OK) {
		http_problem(r, 503, "out of memory", NULL);
		goto fail;
	}
	if (submission_validate(checked, sub->complete ? SUBMISSION_COMPLETE
				: 0, &err) != MSP_OK) {
		const struct field_error *fe = submission_errors(checked, &n);

		if (err.status == MSP_ENOMEM) {
			http_problem(r, 503, "out of memory", NULL);
			goto fail;
		}
		errors = json_object_new_array();
		for (i = 0; i < n; i++) {
			json_object *e = json_object_new_object();
			char field[128];

			snprintf(field, sizeof(field), "answers.%s",
				 fe[i].field);
			json_object_object_add(e, "field",
					       json_object_new_string(field));
			json_object_object_add(e, "detail",
					       json_object_new_string(
						       fe[i].message));
			json_object_array_add(errors, e);
		}
		http_problem(r, 422, "some answers are not valid", errors);
		goto fail;
	}
	submission_answers_json(checked, &sub->answers);
	if (buf_status(&sub->answers, &err) != MSP_OK ||
	    crypto_sha256_hex(req->body, req->body_len, sub->hash, &err)
	    != MSP_OK) {
		http_problem(r, 503, "out of memory", NULL);
		goto fail;
	}
	submission_free(checked);
	json_object_put(doc);
	return sub;
fail:
	submission_free(checked);
	json_object_put(doc);
	api_submission_free(sub);
	return NULL;
}

/* Replies to a refusal of one submission (msp.api_submit raised it, or
 * msp.api_submit_many returned its SQLSTATE in "refused"). */
static void
submit_refused_reply(struct worker *w, const struct msp_error *err,
		     struct reply *r)
{
	enum db_class c = db_classify(err->sqlstate);

	if (c == DB_INVALID_PARAMETER)
		/* raised for an analyst token without structure_id */
		http_problem(r, 422, "structure_id is required with an "
			     "analyst token", one_error("structure_id",
							"required"));
	else if (c == DB_STUDY_CLOSED)
		/* msp.study_accepts_response (0028): nothing stored */
		http_problem(r, 409, "the study is closed: it accepts no "
			     "response", NULL);
	else if (c == DB_STUDY_NOT_OPEN)
		http_problem(r, 409, "the study is not open yet", NULL);
	else
		api_db_error_reply(w, err, r);
}

/* The reply to sub from row i of an api_submit or api_submit_many
 * result (response_id, replayed, same_request, n_answers). */
static void
stored_reply(const struct api_submission *sub, const PGresult *res, int i,
	     struct reply *r)
{
	int replayed = PQgetvalue(res, i, db_column(res, "replayed"))[0]
		       == 't';
	json_object *out;

	if (replayed &&
	    PQgetvalue(res, i, db_column(res, "same_request"))[0] != 't') {
		http_problem(r, 422, "this Idempotency-Key was already used "
			     "with a different request", NULL);
		return;
	}
	out = json_object_new_object();
	json_object_object_add(out, "response_id", json_object_new_int64(
		db_int(res, i, "response_id")));
	json_object_object_add(out, "study", json_object_new_string(
		sub->slug));
	json_object_object_add(out, "status", json_object_new_string(
		sub->complete ? "complete" : "partial"));
	json_object_object_add(out, "answers", json_object_new_int(
		(int)db_int(res, i, "n_answers")));
	if (replayed) {
		http_json(r, 200, out);
		http_header(r, "Idempotent-Replayed", "true");
		r->log_note = "replayed";
	} else {
		http_json(r, 201, out);
	}
}

/* Stores one submission with msp.api_submit. */
static void
store_one(struct worker *w, const struct api_submission *sub,
	  struct reply *r)
{
	char study_id[16], structure[16];
	const char *params[8];
	struct msp_error err;
	PGresult *res = NULL;
	PGconn *conn;

	if ((conn = conn_get_or_reply(&w->db, r)) == NULL)
		return;
	snprintf(study_id, sizeof(study_id), "%d", sub->study_id);
	snprintf(structure, sizeof(structure), "%d", sub->structure);
	params[0] = sub->token;
	params[1] = study_id;
	params[2] = sub->key;
	params[3] = sub->hash;
	params[4] = sub->has_role ? sub->role : NULL;
	params[5] = sub->complete ? "t" : "f";
	params[6] = sub->structure != 0 ? structure : NULL;
	params[7] = buf_str(&sub->answers);
	if (db_exec_prepared(conn, "api_submit", 8, params, PGRES_TUPLES_OK,
			     &res, &err) != MSP_OK) {
		submit_refused_reply(w, &err, r);
		return;
	}
	stored_reply(sub, res, 0, r);
	PQclear(res);
}

/* The batch msp.api_submit_many reads (migration 0021).  The tokens
 * are written into b only (hex: nothing to escape), so that the one
 * copy of them to cleanse is b's. */
static void
batch_json(void **subs, size_t n, struct buf *b)
{
	size_t i;

	buf_putc(b, '[');
	for (i = 0; i < n; i++) {
		const struct api_submission *s = subs[i];
		json_object *o = json_object_new_object();
		const char *json;

		if (o == NULL) {
			b->failed = 1;
			return;
		}
		json_object_object_add(o, "study",
				       json_object_new_int(s->study_id));
		json_object_object_add(o, "key",
				       json_object_new_string(s->key));
		json_object_object_add(o, "request",
				       json_object_new_string(s->hash));
		json_object_object_add(o, "role", !s->has_role ? NULL :
				       json_object_new_string(s->role));
		json_object_object_add(o, "complete",
				       json_object_new_boolean(s->complete));
		json_object_object_add(o, "structure", s->structure == 0 ?
				       NULL :
				       json_object_new_int(s->structure));
		json = json_object_to_json_string_ext(o,
						       JSON_C_TO_STRING_PLAIN);
		if (json == NULL) {
			json_object_put(o);
			b->failed = 1;
			return;
		}
		/* The token goes before the object's members, the answers
		 * (JSON already, not parsed again) after them. */
		if (i > 0)
			buf_putc(b, ',');
		buf_puts(b, "{\"token\":\"");
		buf_puts(b, s->token);
		buf_puts(b, "\",");
		buf_append(b, json + 1, strlen(json) - 2);
		buf_puts(b, ",\"answers\":");
		buf_puts(b, buf_str(&s->answers));
		buf_putc(b, '}');
		json_object_put(o);
	}
	buf_putc(b, ']');
}

void
api_flush(struct worker *w, void **subs, struct reply **replies, size_t n)
{
	struct buf batch = BUF_INIT_SECRET(BUF_MAX_DOCUMENT);
	struct msp_error err;
	PGresult *res = NULL;
	const char *param;
	PGconn *conn;
	size_t i;
	int row;

	for (i = 0; i < n; i++)
		replies[i]->status = 0;		/* not answered yet */
	if (n == 1)
		goto one_by_one;
	batch_json(subs, n, &batch);
	if (buf_status(&batch, &err) != MSP_OK)
		goto one_by_one;
	if ((conn = conn_get(&w->db)) == NULL) {
		for (i = 0; i < n; i++)
			http_fail(replies[i], &conn_unreachable);
		goto out;
	}
	param = buf_str(&batch);
	if (db_exec_prepared(conn, "api_submit_many", 1, &param,
			     PGRES_TUPLES_OK, &res, &err) != MSP_OK) {
		if (db_classify(err.sqlstate) == DB_BUSY) {
			/* A lock held elsewhere: each alone would wait as
			 * long again, one after the other, with every
			 * request behind them.  Nothing was stored; each
			 * client retries with its key.  One call failed:
			 * one log line, the same reply to each. */
			struct failure f = conn_failure(&w->db, &err);

			for (i = 0; i < n; i++)
				http_fail(replies[i], &f);
			goto out;
		}
		/* A refusal the call could not give one submission (an
		 * answer's constraint): each is stored alone and gets its
		 * own answer.  After a lost connection, alone on a new one:
		 * a batch that did commit is replayed, not stored twice,
		 * since every submission has a key.  Unknown tokens and
		 * scopes never come here (migration 0026). */
		fprintf(stderr, "{\"level\":\"info\",\"event\":"
			"\"batch refused, stored one by one\",\"size\":%zu,"
			"\"sqlstate\":\"%s\"}\n", n, err.sqlstate);
		goto one_by_one;
	}
	for (row = 0; row < PQntuples(res); row++) {
		long long ord = db_int(res, row, "ord");
		const char *refused = db_text(res, row, "refused");

		if (ord < 1 || (size_t)ord > n || replies[ord - 1]->status
		    != 0)
			continue;
		if (refused != NULL) {
			/* this submission alone, as msp.api_submit would
			 * have refused it */
			struct msp_error why = { .status = MSP_EDB };

			snprintf(why.sqlstate, sizeof(why.sqlstate), "%s",
				 refused);
			submit_refused_reply(w, &why, replies[ord - 1]);
			continue;
		}
		stored_reply((struct api_submission *)subs[ord - 1], res, row,
			     replies[ord - 1]);
	}
one_by_one:
	for (i = 0; i < n; i++) {
		if (replies[i]->status == 0)	/* not by the batch */
			store_one(w, (struct api_submission *)subs[i],
				  replies[i]);
	}
out:
	PQclear(res);
	buf_free(&batch);
	for (i = 0; i < n; i++)
		api_submission_free((struct api_submission *)subs[i]);
}

static void
handle_post_response(struct worker *w, struct request *req, struct reply *r)
{
	void *sub = post_response_checked(w, req, r);

	if (sub == NULL)
		return;
	if (w->defer != NULL) {	/* stored with the rest of the batch */
		*w->defer = sub;
		return;
	}
	api_flush(w, &sub, &r, 1);
}

/* What each member of an interview may be (migration 0004's columns). */
enum member_kind { M_SMALLINT, M_INTEGER, M_TEXT, M_DATE, M_BOOL };

static const struct interview_member {
	const char *name;
	enum member_kind kind;
	long min, max;		/* for numbers */
	int required;
	const char *detail;	/* what is expected, for the errors list */
} interview_members[] = {
	{ "participant_no", M_SMALLINT, 1, 32767, 1,
	  "un entier de 1 à 32767 (an integer, 1-32767)" },
	{ "structure_id", M_INTEGER, 1, 2147483647, 0,
	  "un entier positif (a positive integer)" },
	{ "profession", M_TEXT, 0, 0, 0, "un texte (a string)" },
	{ "stage", M_TEXT, 0, 0, 0, "un texte (a string)" },
	{ "interviewed_on", M_DATE, 0, 0, 0,
	  "une date AAAA-MM-JJ (an ISO 8601 date, YYYY-MM-DD)" },
	{ "duration_min", M_SMALLINT, 1, 600, 0,
	  "un entier de 1 à 600 (an integer, 1-600)" },
	{ "consent_recorded", M_BOOL, 0, 0, 1,
	  "true : pas d'entretien sans consentement enregistré "
	  "(must be true)" },
	{ "recording_deleted_on", M_DATE, 0, 0, 0,
	  "une date AAAA-MM-JJ (an ISO 8601 date, YYYY-MM-DD)" },
	{ "transcript_anonymised", M_BOOL, 0, 0, 0,
	  "true ou false (a boolean)" },
};

static void
add_error(json_object *errors, const char *field, const char *detail)
{
	json_object *e = json_object_new_object();

	json_object_object_add(e, "field", json_object_new_string(field));
	json_object_object_add(e, "detail", json_object_new_string(detail));
	json_object_array_add(errors, e);
}

/* Whether v is what m says (null is "not given"). */
static int
member_valid(const struct interview_member *m, json_object *v)
{
	long long n;

	if (v == NULL || json_object_is_type(v, json_type_null))
		return !m->required;
	switch (m->kind) {
	case M_SMALLINT:
	case M_INTEGER:
		if (!json_object_is_type(v, json_type_int))
			return 0;
		n = json_object_get_int64(v);
		return n >= m->min && n <= m->max;
	case M_TEXT:
		return json_object_is_type(v, json_type_string);
	case M_DATE:
		return json_object_is_type(v, json_type_string) &&
		       submission_iso_date(json_object_get_string(v));
	case M_BOOL:
		/* consent: true only (the table's CHECK, said first) */
		return json_object_is_type(v, json_type_boolean) &&
		       (strcmp(m->name, "consent_recorded") != 0 ||
			json_object_get_boolean(v));
	}
	return 0;
}

/*
 * Checks an interview's members and segments against what the tables
 * take, so that a wrong one is named (a database error names none: a
 * segment given as 1 read as "structure_id is required"), and gathers
 * the segments' codes into codes (a JSON array).  Returns the errors
 * (an array, empty when all is well; the caller puts it).
 */
static json_object *
interview_errors(json_object *doc, json_object *codes)
{
	json_object *errors = json_object_new_array(), *v, *seg, *f;
	char field[64];
	size_t i, n;

	for (i = 0; i < sizeof(interview_members) /
		    sizeof(interview_members[0]); i++) {
		const struct interview_member *m = &interview_members[i];

		if (!json_object_object_get_ex(doc, m->name, &v))
			v = NULL;
		if (!member_valid(m, v))
			add_error(errors, m->name, m->detail);
	}
	if (!json_object_object_get_ex(doc, "segments", &v) ||
	    json_object_is_type(v, json_type_null))
		return errors;
	if (!json_object_is_type(v, json_type_array)) {
		add_error(errors, "segments", "un tableau de {\"code\", "
			  "\"verbatim_fr\"} (an array of objects)");
		return errors;
	}
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		seg = json_object_array_get_idx(v, i);
		snprintf(field, sizeof(field), "segments[%zu]", i);
		if (!json_object_is_type(seg, json_type_object)) {
			add_error(errors, field, "un objet {\"code\", "
				  "\"verbatim_fr\"} (an object)");
			continue;
		}
		json_object_object_foreach(seg, key, mv) {
			(void)mv;
			if (strcmp(key, "code") != 0 &&
			    strcmp(key, "verbatim_fr") != 0) {
				snprintf(field, sizeof(field),
					 "segments[%zu].%.32s", i, key);
				add_error(errors, field, "pas un membre d'un "
					  "segment (not a member)");
			}
		}
		if (!json_object_object_get_ex(seg, "code", &f) ||
		    !json_object_is_type(f, json_type_string)) {
			snprintf(field, sizeof(field), "segments[%zu].code",
				 i);
			add_error(errors, field, "un code du livre de codes "
				  "de l'étude (a string)");
		} else {
			json_object_array_add(codes, json_object_get(f));
		}
		if (json_object_object_get_ex(seg, "verbatim_fr", &f) &&
		    !json_object_is_type(f, json_type_string) &&
		    !json_object_is_type(f, json_type_null)) {
			snprintf(field, sizeof(field),
				 "segments[%zu].verbatim_fr", i);
			add_error(errors, field, "un texte (a string)");
		}
	}
	return errors;
}

/*
 * After msp.api_interview refused a segment's code (23503): which one
 * it was, named for people and programs, or the generic refusal when
 * the lookup finds none (the refusal was another foreign key's).
 */
static void
unknown_code_reply(struct worker *w, PGconn *conn, const char *study_id,
		   json_object *codes, const struct msp_error *why,
		   struct reply *r)
{
	const char *params[2];
	struct msp_error err;
	PGresult *res = NULL;
	char field[48], detail[200];

	params[0] = study_id;
	params[1] = json_object_to_json_string_ext(codes,
						   JSON_C_TO_STRING_PLAIN);
	if (params[1] == NULL ||
	    db_exec_prepared(conn, "unknown_codes", 2, params,
			     PGRES_TUPLES_OK, &res, &err) != MSP_OK ||
	    PQntuples(res) == 0) {
		api_db_error_reply(w, why, r);
		goto out;
	}
	snprintf(field, sizeof(field), "segments[%s].code",
		 PQgetvalue(res, 0, db_column(res, "segment")));
	snprintf(detail, sizeof(detail), "« %.64s » n'est pas un code du "
		 "livre de codes de cette étude (not a code of this study)",
		 PQgetvalue(res, 0, db_column(res, "code")));
	http_problem(r, 422, "un code de segment est inconnu pour cette "
		     "étude", one_error(field, detail));
out:
	PQclear(res);
}

static void
handle_post_interview(struct worker *w, struct request *req,
		      struct reply *r)
{
	static const char *const members[] = {
		"study", "participant_no", "structure_id", "profession",
		"stage", "interviewed_on", "duration_min", "consent_recorded",
		"recording_deleted_on", "transcript_anonymised", "segments",
		NULL,
	};
	char token[TENANT_TOKEN_HEX + 1], study_id[16];
	json_object *doc = NULL, *codes = NULL, *errors, *out;
	const struct study *study;
	const char *params[3];
	struct msp_error err;
	PGresult *res = NULL;
	PGconn *conn;

	if (bearer(req, r, token) != 0 || json_body(req, r, &doc) != 0)
		goto out;
	if (only_members(doc, members, r) != 0)
		goto out;
	if ((study = body_study(w, doc, r)) == NULL)
		goto out;
	codes = json_object_new_array();
	errors = interview_errors(doc, codes);
	if (json_object_array_length(errors) > 0) {
		http_problem(r, 422, "des champs de l'entretien ne sont pas "
			     "valides", errors);
		goto out;
	}
	json_object_put(errors);
	if ((conn = conn_get_or_reply(&w->db, r)) == NULL)
		goto out;
	snprintf(study_id, sizeof(study_id), "%d", study->study_id);
	params[0] = token;
	params[1] = study_id;
	params[2] = req->body;
	if (db_exec_prepared(conn, "api_interview", 3, params,
			     PGRES_TUPLES_OK, &res, &err) != MSP_OK) {
		if (db_classify(err.sqlstate) == DB_FOREIGN_KEY &&
		    PQstatus(conn) == CONNECTION_OK)
			unknown_code_reply(w, conn, study_id, codes, &err, r);
		else
			api_db_error_reply(w, &err, r);
		goto out;
	}
	out = json_object_new_object();
	json_object_object_add(out, "interview_id", json_object_new_int(
		(int)db_int(res, 0, "interview_id")));
	json_object_object_add(out, "segments", json_object_new_int(
		(int)db_int(res, 0, "n_segments")));
	http_json(r, 201, out);
out:
	PQclear(res);
	json_object_put(codes);
	json_object_put(doc);
	crypto_cleanse(token, sizeof(token));
}

static void
csv_answer(struct buf *b, const char *prefix, const char *key,
	   json_object *v)
{
	buf_puts(b, prefix);
	csv_write_field(b, key);
	buf_putc(b, ',');
	/* a numeric answer stays a number (-3); every text is neutralised
	 * against formulas by csv_write_field() */
	if (json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_double))
		csv_write_number(b, json_object_get_string(v));
	else
		csv_write_field(b, json_object_get_string(v));
	buf_puts(b, "\r\n");
}

static void
handle_get_responses(struct worker *w, struct request *req, struct reply *r)
{
	char token[TENANT_TOKEN_HEX + 1], study_id[16], after_s[24],
	     limit_s[16];
	const char *slug, *since, *after, *limit, *format, *params[4];
	const struct study *study;
	struct urlenc q = { NULL, 0 };
	struct msp_error err;
	PGresult *res = NULL;
	PGconn *conn = NULL;
	enum tenant_kind kind;
	int found, csv, in_tx = 0, i, n, lim;
	long long last = 0, after_v = 0;
	json_object *list = NULL, *o;

	if (bearer(req, r, token) != 0)
		goto out;
	if (urlenc_parse(req->query, strlen(req->query), &q, &err)
	    != MSP_OK) {
		http_problem(r, 400, err.message, NULL);
		goto out;
	}
	slug = urlenc_get(&q, "study");
	since = urlenc_get(&q, "since");
	after = urlenc_get(&q, "after");
	limit = urlenc_get(&q, "limit");
	format = urlenc_get(&q, "format");
	csv = (format != NULL && strcmp(format, "csv") == 0) ||
	      (format == NULL && strstr(req->accept, "text/csv") != NULL);
	if (format != NULL && !csv && strcmp(format, "json") != 0) {
		http_problem(r, 400, "format is json or csv", NULL);
		goto out;
	}
	if (slug == NULL) {
		http_problem(r, 400, "the study parameter is required", NULL);
		goto out;
	}
	lim = RESPONSES_PAGE_DEFAULT;
	if (limit != NULL) {
		char *end;
		long v = strtol(limit, &end, 10);

		if (*limit == '\0' || *end != '\0' || v < 1 ||
		    v > RESPONSES_PAGE_MAX) {
			http_problem(r, 400, "limit is 1-1000", NULL);
			goto out;
		}
		lim = (int)v;
	}
	if (after != NULL) {
		char *end;

		after_v = strtoll(after, &end, 10);
		if (*after == '\0' || *end != '\0' || after_v < 0) {
			http_problem(r, 400, "after is a response_id", NULL);
			goto out;
		}
	}
	study = studies_find_or_reply(&w->studies, &w->db, slug, r, &found);
	if (found < 0)
		goto out;
	if (study == NULL) {
		http_problem(r, 404, "no such study", NULL);
		goto out;
	}
	if ((conn = conn_get_or_reply(&w->db, r)) == NULL)
		goto out;
	if (db_exec(conn, "begin", "BEGIN READ ONLY", 0, NULL,
		    PGRES_COMMAND_OK, NULL, &err) != MSP_OK)
		goto db_failed;
	in_tx = 1;
	if (tenant_enter(conn, token, &kind, &err) != MSP_OK)
		goto db_failed;
	/* A federation reads aggregates, never a team's rows (issue 19):
	 * refused here, before the rows' statement, which the database
	 * would refuse anyway (42501 on msp.response, migration 0037). */
	if (kind == TENANT_FEDERATION) {
		http_problem(r, 403, "un jeton de fédération ne lit pas les "
			     "réponses, seulement des agrégats : msp-report "
			     "--region", NULL);
		goto out;
	}
	snprintf(study_id, sizeof(study_id), "%d", study->study_id);
	snprintf(after_s, sizeof(after_s), "%lld", after_v);
	snprintf(limit_s, sizeof(limit_s), "%d", lim);
	params[0] = study_id;
	params[1] = after_s;
	params[2] = since;
	params[3] = limit_s;
	if (db_exec_prepared(conn, "responses", 4, params, PGRES_TUPLES_OK,
			     &res, &err) != MSP_OK)
		goto db_failed;
	n = PQntuples(res);
	if (csv) {
		buf_puts(&r->body, "response_id,status,respondent_role,"
			 "submitted_at,item_key,value\r\n");
	} else {
		list = json_object_new_array();
	}
	for (i = 0; i < n; i++) {
		const char *id = PQgetvalue(res, i, 0);
		json_object *answers = json_tokener_parse(
			PQgetvalue(res, i, db_column(res, "answers")));

		last = strtoll(id, NULL, 10);
		if (csv) {
			struct buf prefix = BUF_INIT(BUF_MAX_TEXT);

			buf_printf(&prefix, "%s,%s,%s,%s,", id,
				   PQgetvalue(res, i, 1), PQgetvalue(res, i, 2),
				   PQgetvalue(res, i, 3));
			json_object_object_foreach(answers, key, v) {
				size_t k;

				if (!json_object_is_type(v, json_type_array)) {
					csv_answer(&r->body, buf_str(&prefix),
						   key, v);
					continue;
				}
				for (k = 0; k < json_object_array_length(v);
				     k++)
					csv_answer(&r->body, buf_str(&prefix),
						   key,
						   json_object_array_get_idx(
							   v, k));
			}
			buf_free(&prefix);
			json_object_put(answers);
			continue;
		}
		o = json_object_new_object();
		json_object_object_add(o, "response_id",
				       json_object_new_int64(last));
		json_object_object_add(o, "status", json_object_new_string(
					       PQgetvalue(res, i, 1)));
		json_object_object_add(o, "respondent_role",
				       PQgetisnull(res, i, 2) ? NULL :
				       json_object_new_string(
					       PQgetvalue(res, i, 2)));
		json_object_object_add(o, "submitted_at",
				       PQgetisnull(res, i, 3) ? NULL :
				       json_object_new_string(
					       PQgetvalue(res, i, 3)));
		json_object_object_add(o, "answers", answers);
		json_object_array_add(list, o);
	}
	db_exec(conn, "commit", "COMMIT", 0, NULL, PGRES_COMMAND_OK, NULL,
		NULL);
	in_tx = 0;
	if (csv) {
		r->status = 200;
		r->content_type = "text/csv";
	} else {
		o = json_object_new_object();
		json_object_object_add(o, "study",
				       json_object_new_string(study->slug));
		json_object_object_add(o, "responses", list);
		list = NULL;
		if (n == lim) {
			struct buf next = BUF_INIT(BUF_MAX_TEXT);

			buf_puts(&next, "/api/v1/responses?study=");
			urlenc_encode(&next, study->slug);
			buf_printf(&next, "&after=%lld&limit=%d", last, lim);
			if (since != NULL) {
				buf_puts(&next, "&since=");
				urlenc_encode(&next, since);
			}
			json_object_object_add(o, "next",
					       json_object_new_string(
						       buf_str(&next)));
			buf_free(&next);
		}
		http_json(r, 200, o);
	}
	if (n == lim) {
		char link[48];

		snprintf(link, sizeof(link), "%lld", last);
		http_header(r, "X-Next-After", link);
	}
	goto out;
db_failed:
	if (since != NULL && db_class_is_data(db_classify(err.sqlstate)))
		/* The other parameters are numbers this function printed:
		 * a data exception is since's (bad syntax 22007, out of
		 * range 22008, an unknown time zone 22023, a zone offset
		 * past 15:59 22009, ...). */
		http_problem(r, 400, "since is not a timestamp",
			     one_error("since", "an ISO 8601 timestamp, "
				       "e.g. 2024-01-31T08:00:00Z"));
	else
		api_db_error_reply(w, &err, r);
out:
	if (in_tx && conn != NULL && PQstatus(conn) == CONNECTION_OK)
		db_exec(conn, "rollback", "ROLLBACK", 0, NULL,
			PGRES_COMMAND_OK, NULL, NULL);
	json_object_put(list);
	PQclear(res);
	urlenc_free(&q);
	crypto_cleanse(token, sizeof(token));
}

/*
 * A team's own data (RGPD access and portability), as the database
 * builds it under the token's Row-Level Security (msp.team_export);
 * other kinds of token get 403.  (http_send() marks every reply
 * no-store.)
 */
static void
handle_export(struct worker *w, struct request *req, struct reply *r)
{
	char token[TENANT_TOKEN_HEX + 1];
	const char *params[1] = { token };
	struct msp_error err;
	PGresult *res = NULL;
	PGconn *conn;

	if (bearer(req, r, token) != 0)
		goto out;
	if ((conn = conn_get_or_reply(&w->db, r)) == NULL)
		goto out;
	if (db_exec_prepared(conn, "team_export", 1, params, PGRES_TUPLES_OK,
			     &res, &err) != MSP_OK) {
		api_db_error_reply(w, &err, r);
		goto out;
	}
	r->status = 200;
	r->content_type = "application/json";
	buf_puts(&r->body, PQgetvalue(res, 0, db_column(res, "export")));
	http_header(r, "Content-Disposition",
		    "attachment; filename=\"msp-export.json\"");
out:
	PQclear(res);
	crypto_cleanse(token, sizeof(token));
}

int
api_route(struct worker *w, struct request *req, struct reply *r)
{
	const char *p = req->path, *m = req->method;
	int get = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
	int post = strcmp(m, "POST") == 0;

	if (strncmp(p, "/api/", 5) != 0)
		return 0;
	if (strcmp(p, "/api/v1/health") == 0) {
		if (get)
			handle_health(w, r);
		else
			method_not_allowed(r, "GET, HEAD");
	} else if (strcmp(p, "/api/v1/health/live") == 0) {
		if (get)
			handle_live(r);
		else
			method_not_allowed(r, "GET, HEAD");
	} else if (strcmp(p, "/api/v1/health/ready") == 0) {
		if (get)
			handle_ready(w, r);
		else
			method_not_allowed(r, "GET, HEAD");
	} else if (strcmp(p, "/api/v1/studies") == 0) {
		if (get)
			handle_studies(w, r);
		else
			method_not_allowed(r, "GET, HEAD");
	} else if (strncmp(p, "/api/v1/studies/", 16) == 0 &&
		   strlen(p) > 16 + 11 &&
		   strcmp(p + strlen(p) - 11, "/instrument") == 0) {
		char slug[128];
		size_t n = strlen(p) - 16 - 11;

		if (!get) {
			method_not_allowed(r, "GET, HEAD");
		} else if (n >= sizeof(slug)) {
			http_problem(r, 404, "no such study", NULL);
		} else {
			memcpy(slug, p + 16, n);
			slug[n] = '\0';
			handle_instrument(w, slug, r);
		}
	} else if (strcmp(p, "/api/v1/responses") == 0) {
		if (post)
			handle_post_response(w, req, r);
		else if (get)
			handle_get_responses(w, req, r);
		else
			method_not_allowed(r, "GET, HEAD, POST");
	} else if (strcmp(p, "/api/v1/interviews") == 0) {
		if (post)
			handle_post_interview(w, req, r);
		else
			method_not_allowed(r, "POST");
	} else if (strcmp(p, "/api/v1/export") == 0) {
		if (get)
			handle_export(w, req, r);
		else
			method_not_allowed(r, "GET, HEAD");
	} else {
		http_problem(r, 404, "no such resource", NULL);
	}
	return 1;
}
