/*
 * check_api — the JSON API's routes driven by hand-built requests (no
 * nginx, no FastCGI socket) against a throwaway database; what a route
 * says it stored is compared with what the owner's connection reads.
 * tests/api.test drives the same routes through nginx.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "fcgitest.h"

static struct fcgitest t;
static char auth_team[80], auth_analyst[80];

static void
setup(void)
{
	fcgitest_open(&t);
	snprintf(auth_team, sizeof(auth_team), "Bearer %s", fcgitest_token(
			 &t, "--kind team --region occitanie"
			 " --identifier 'MSP des Lilas, Albi'"));
	snprintf(auth_analyst, sizeof(auth_analyst), "Bearer %s",
		 fcgitest_token(&t, "--kind analyst"));
}

static void
teardown(void)
{
	fcgitest_close(&t);
}

/* One request through api_route, which must handle it; the status and
 * content type are checked. */
static void
call(const struct fcgitest_req *q, int status, const char *type,
     struct reply *r)
{
	ck_assert_int_eq(fcgitest_call(&t, api_route, q, r), 1);
	ck_assert_msg(r->status == status, "%s %s: %d, not %d: %.300s",
		      q->method, q->path, r->status, status,
		      buf_str(&r->body));
	ck_assert_str_eq(r->content_type, type);
}

static long
count(const char *sql)
{
	return strtol(testdb_value(t.db.conn, sql), NULL, 10);
}

static const char valid[] =
	"{\"study\":\"occitanie-2024\",\"respondent_role\":\"coordinateur\","
	"\"answers\":{\"structure_type\":\"msp\",\"aci_signatory\":true,"
	"\"project_validation_year\":2015,"
	"\"def_usager\":\"Un patient'); DROP TABLE msp.response;--\"}}";

START_TEST(health_studies_instrument)
{
	struct fcgitest_req q = { .method = "GET" };
	json_object *o, *v;
	struct reply r;
	char sql[256];

	q.path = "/api/v1/health";
	call(&q, 200, "application/json", &r);
	o = fcgitest_json(&r);
	ck_assert(json_object_object_get_ex(o, "database", &v));
	ck_assert_str_eq(json_object_get_string(v), "ok");
	json_object_put(o);
	http_reply_free(&r);

	q.path = "/api/v1/studies";
	call(&q, 200, "application/json", &r);
	o = fcgitest_json(&r);
	ck_assert(json_object_is_type(o, json_type_array));
	ck_assert_int_eq((long)json_object_array_length(o),
			 count("SELECT count(*) FROM msp.study"));
	json_object_put(o);
	http_reply_free(&r);

	q.path = "/api/v1/studies/occitanie-2024/instrument";
	call(&q, 200, "application/json", &r);
	o = fcgitest_json(&r);
	ck_assert(json_object_object_get_ex(o, "items", &v));
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM msp.instrument_item"
		 " i JOIN msp.study s USING (instrument_id)"
		 " WHERE s.slug = 'occitanie-2024'");
	ck_assert_int_eq((long)json_object_array_length(v), count(sql));
	json_object_put(o);
	http_reply_free(&r);

	q.path = "/api/v1/studies/no-such-study/instrument";
	call(&q, 404, "application/problem+json", &r);
	http_reply_free(&r);
	q.path = "/api/v1/nothing";
	call(&q, 404, "application/problem+json", &r);
	http_reply_free(&r);
	q.method = "DELETE";
	q.path = "/api/v1/health";
	call(&q, 405, "application/problem+json", &r);
	http_reply_free(&r);

	/* Not the API's: left to the next route, r untouched. */
	q.method = "GET";
	q.path = "/forms";
	ck_assert_int_eq(fcgitest_call(&t, api_route, &q, &r), 0);
	ck_assert_int_eq(r.status, 500);
	http_reply_free(&r);
}
END_TEST

/* The id in r's JSON member response_id. */
static long
response_id(const struct reply *r)
{
	json_object *o = fcgitest_json(r), *v;
	long id;

	ck_assert(json_object_object_get_ex(o, "response_id", &v));
	id = (long)json_object_get_int64(v);
	json_object_put(o);
	return id;
}

START_TEST(responses_post_get_and_export)
{
	struct fcgitest_req q = {
		.method = "POST", .path = "/api/v1/responses",
		.content_type = "application/json",
		.authorization = auth_team, .body = valid,
	};
	json_object *o, *list, *v;
	struct reply r;
	char sql[256];
	long id;

	call(&q, 201, "application/json", &r);
	id = response_id(&r);
	http_reply_free(&r);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM msp.answer"
		 " WHERE response_id = %ld", id);
	ck_assert_int_eq(count(sql), 4);
	snprintf(sql, sizeof(sql), "SELECT respondent_role FROM msp.response"
		 " WHERE response_id = %ld", id);
	ck_assert_str_eq(testdb_value(t.db.conn, sql), "coordinateur");
	snprintf(sql, sizeof(sql), "SELECT text_value FROM msp.answer"
		 " WHERE response_id = %ld AND item_key = 'def_usager'", id);
	ck_assert_str_eq(testdb_value(t.db.conn, sql),
			 "Un patient'); DROP TABLE msp.response;--");

	/* A role that msp.respondent_role lacks is refused, naming it. */
	q.body = "{\"study\":\"occitanie-2024\",\"respondent_role\":\"chef\","
		 "\"answers\":{}}";
	call(&q, 422, "application/problem+json", &r);
	ck_assert_ptr_nonnull(strstr(buf_str(&r.body), "respondent_role"));
	http_reply_free(&r);

	q.method = "GET";
	q.body = NULL;
	q.query = "study=occitanie-2024";
	call(&q, 200, "application/json", &r);
	o = fcgitest_json(&r);
	ck_assert(json_object_object_get_ex(o, "responses", &list));
	/* the team's own response, and nobody else's (RLS) */
	ck_assert_int_eq((long)json_object_array_length(list), 1);
	ck_assert(json_object_object_get_ex(
			  json_object_array_get_idx(list, 0), "response_id",
			  &v));
	ck_assert_int_eq((long)json_object_get_int64(v), id);
	json_object_put(o);
	http_reply_free(&r);

	q.path = "/api/v1/export";
	q.query = NULL;
	call(&q, 200, "application/json", &r);
	o = fcgitest_json(&r);
	ck_assert(json_object_object_get_ex(o, "responses", &list));
	ck_assert_int_eq((long)json_object_array_length(list), 1);
	ck_assert(json_object_object_get_ex(
			  json_object_array_get_idx(list, 0), "response_id",
			  &v));
	ck_assert_int_eq((long)json_object_get_int64(v), id);
	json_object_put(o);
	http_reply_free(&r);

	q.authorization = NULL;
	call(&q, 401, "application/problem+json", &r);
	http_reply_free(&r);
}
END_TEST

/*
 * Submissions the loop defers reach the database through the site's
 * hook (api_flush) in one call, each with its own reply, as if stored
 * alone.
 */
START_TEST(deferred_submissions_flush_through_the_hook)
{
	struct fcgitest_req q = {
		.method = "POST", .path = "/api/v1/responses",
		.content_type = "application/json",
		.authorization = auth_team, .body = valid,
	};
	struct reply r[2], *replies[2] = { &r[0], &r[1] };
	void *items[2] = { NULL, NULL };
	long id[2], before = count("SELECT count(*) FROM msp.response");
	char sql[256];
	int i;

	for (i = 0; i < 2; i++) {
		t.w.defer = &items[i];
		ck_assert_int_eq(fcgitest_call(&t, api_route, &q, &r[i]), 1);
		t.w.defer = NULL;
		ck_assert_ptr_nonnull(items[i]);
	}
	/* held, not stored, until the hook runs */
	ck_assert_int_eq(count("SELECT count(*) FROM msp.response"), before);
	api_flush(&t.w, items, replies, 2);
	ck_assert_int_eq(count("SELECT count(*) FROM msp.response"),
			 before + 2);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(r[i].status, 201);
		ck_assert_str_eq(r[i].content_type, "application/json");
		id[i] = response_id(&r[i]);
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM msp.answer"
			 " WHERE response_id = %ld", id[i]);
		ck_assert_int_eq(count(sql), 4);
		http_reply_free(&r[i]);
	}
	ck_assert_int_ne(id[0], id[1]);
}
END_TEST

START_TEST(interviews)
{
	struct fcgitest_req q = {
		.method = "POST", .path = "/api/v1/interviews",
		.content_type = "application/json",
		.authorization = auth_analyst,
	};
	char code[128], body[1024];
	struct reply r;

	snprintf(code, sizeof(code), "%s", testdb_value(t.db.conn,
		 "SELECT code FROM msp.study_code c JOIN msp.study s"
		 " USING (study_id) WHERE s.slug = 'occitanie-2024'"
		 " ORDER BY code LIMIT 1"));
	snprintf(body, sizeof(body), "{\"study\":\"occitanie-2024\","
		 "\"participant_no\":99,\"profession\":\"IDE\","
		 "\"interviewed_on\":\"2024-05-02\",\"duration_min\":45,"
		 "\"consent_recorded\":true,\"segments\":[{\"code\":\"%s\","
		 "\"verbatim_fr\":\"« On manque de temps. »\"}]}", code);
	q.body = body;
	call(&q, 201, "application/json", &r);
	http_reply_free(&r);
	ck_assert_int_eq(count("SELECT count(*) FROM msp.segment g"
			       " JOIN msp.interview i USING (interview_id)"
			       " WHERE i.participant_no = 99"
			       "   AND g.verbatim_fr ="
			       "       '« On manque de temps. »'"),
			 1);

	q.authorization = auth_team;	/* a team records no interview */
	call(&q, 403, "application/problem+json", &r);
	http_reply_free(&r);
}
END_TEST

/*
 * The roles are the enum's (migration 0003, read as lib/import.c reads
 * them): a value a migration adds is accepted, and the refusal of an
 * unknown one lists the enum's values, with no change to the worker.
 */
START_TEST(roles_come_from_the_enum)
{
	struct fcgitest_req q = {
		.method = "POST", .path = "/api/v1/responses",
		.content_type = "application/json",
		.authorization = auth_team,
		.body = "{\"study\":\"occitanie-2024\","
			"\"respondent_role\":\"interne\",\"answers\":{}}",
	};
	json_object *o, *errors, *v;
	struct reply r;
	PGresult *res;
	char sql[256];
	long id;

	res = PQexec(t.db.conn,
		     "ALTER TYPE msp.respondent_role ADD VALUE 'interne'");
	ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	call(&q, 201, "application/json", &r);
	id = response_id(&r);
	http_reply_free(&r);
	snprintf(sql, sizeof(sql), "SELECT respondent_role FROM msp.response"
		 " WHERE response_id = %ld", id);
	ck_assert_str_eq(testdb_value(t.db.conn, sql), "interne");

	q.body = "{\"study\":\"occitanie-2024\",\"respondent_role\":7,"
		 "\"answers\":{}}";
	call(&q, 422, "application/problem+json", &r);
	o = fcgitest_json(&r);
	ck_assert(json_object_object_get_ex(o, "errors", &errors));
	ck_assert_int_eq((long)json_object_array_length(errors), 1);
	ck_assert(json_object_object_get_ex(
			  json_object_array_get_idx(errors, 0), "detail", &v));
	ck_assert_str_eq(json_object_get_string(v),
			 "coordinateur, leader, responsable_groupe, "
			 "secretaire, professionnel_sante, autre or interne");
	json_object_put(o);
	http_reply_free(&r);
}
END_TEST

static Suite *
api_suite(void)
{
	Suite *s = suite_create("api");
	TCase *tc = tcase_create("routes");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, health_studies_instrument);
	tcase_add_test(tc, responses_post_get_and_export);
	tcase_add_test(tc, deferred_submissions_flush_through_the_hook);
	tcase_add_test(tc, interviews);
	tcase_add_test(tc, roles_come_from_the_enum);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testdb_run(api_suite());
}
