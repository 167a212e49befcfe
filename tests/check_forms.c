/*
 * check_forms — the HTML questionnaires' routes driven by hand-built
 * requests (no nginx, no FastCGI socket) against a throwaway database:
 * the list, a form, its save and its submit, each reply compared with
 * the database.  tests/forms.test drives the same through nginx.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgitest.h"
#include "forms.h"

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
call(const struct fcgitest_req *q, int status, const char *type,
     struct reply *r)
{
	ck_assert_int_eq(fcgitest_call(&t, forms_route, q, r), 1);
	ck_assert_msg(r->status == status, "%s %s: %d, not %d", q->method,
		      q->path, r->status, status);
	ck_assert_str_eq(r->content_type, type);
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

/* The owner's statement sql, which must succeed. */
static void
owner_exec(const char *sql)
{
	PGresult *res = PQexec(t.db.conn, sql);

	ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK ||
		      PQresultStatus(res) == PGRES_TUPLES_OK, "%s: %s", sql,
		      PQerrorMessage(t.db.conn));
	PQclear(res);
}

START_TEST(list_and_form_pages)
{
	struct fcgitest_req q = { .method = "GET", .path = "/forms" };
	PGresult *res;
	struct reply r;
	char link[160];
	int i;

	/* a draft, a closed study and one that opens in the future
	 * besides the open reference studies */
	owner_exec("INSERT INTO msp.study (slug, region_id, year, title_fr,"
		   "  instrument_id, state, opens_on)"
		   " SELECT v.slug, s.region_id, 2099, v.slug,"
		   "        s.instrument_id, v.state::msp.study_state,"
		   "        v.opens::date"
		   "   FROM msp.study s, (VALUES ('t-draft', 'draft', NULL),"
		   "        ('t-closed', 'closed', NULL),"
		   "        ('t-later', 'open', '2099-01-01')) AS"
		   "        v(slug, state, opens)"
		   "  WHERE s.slug = 'occitanie-2024'");
	call(&q, 200, "text/html", &r);
	/* every study open today, linked, and no other: counted here by
	 * the study's state and dates, not through msp.study_door */
	res = PQexec(t.db.conn, "SELECT slug, state = 'open'"
		     " AND coalesce(opens_on <= current_date, true)"
		     " AND coalesce(closes_on >= current_date, true)"
		     " FROM msp.study");
	ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
	ck_assert_int_gt(PQntuples(res), 3);
	for (i = 0; i < PQntuples(res); i++) {
		int open = strcmp(PQgetvalue(res, i, 1), "t") == 0;

		snprintf(link, sizeof(link), "href=\"/forms/%s\"",
			 PQgetvalue(res, i, 0));
		ck_assert_msg((strstr(buf_str(&r.body), link) != NULL) ==
			      open, "the list %s %s", open ? "lacks" : "has",
			      link);
	}
	PQclear(res);
	http_reply_free(&r);

	/* a closed study and one not open yet: a French page, no form */
	q.path = "/forms/t-closed";
	call(&q, 409, "text/html", &r);
	ck_assert_ptr_nonnull(strstr(buf_str(&r.body),
				     "<h1>Questionnaire clos</h1>"));
	ck_assert_ptr_null(strstr(buf_str(&r.body), "name=\"_key\""));
	http_reply_free(&r);
	q.path = "/forms/t-later";
	call(&q, 409, "text/html", &r);
	ck_assert_ptr_nonnull(strstr(buf_str(&r.body), "<h1>Questionnaire"
				     " pas encore ouvert</h1>"));
	ck_assert_ptr_null(strstr(buf_str(&r.body), "name=\"_key\""));
	http_reply_free(&r);
	/* a draft's form works (test mode) */
	q.path = "/forms/t-draft";
	call(&q, 200, "text/html", &r);
	field(buf_str(&r.body), "_key");
	http_reply_free(&r);

	q.path = "/forms/occitanie-2024";
	call(&q, 200, "text/html", &r);
	field(buf_str(&r.body), "_key");
	field(buf_str(&r.body), "_csrf");
	/* every value of the enum msp.respondent_role, offered */
	res = PQexec(t.db.conn, "SELECT enumlabel FROM pg_catalog.pg_enum"
		     " WHERE enumtypid = 'msp.respondent_role'::regtype");
	ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
	ck_assert_int_gt(PQntuples(res), 0);
	for (i = 0; i < PQntuples(res); i++) {
		snprintf(link, sizeof(link), "name=\"_role\" value=\"%s\"",
			 PQgetvalue(res, i, 0));
		ck_assert_msg(strstr(buf_str(&r.body), link) != NULL,
			      "the form lacks the role %s", link);
	}
	PQclear(res);
	http_reply_free(&r);

	q.path = "/forms/form.js";
	call(&q, 200, "text/javascript", &r);
	http_reply_free(&r);
	q.path = "/forms/no-such-study";
	call(&q, 404, "text/html", &r);
	http_reply_free(&r);

	q.path = "/api/v1/health";	/* not the forms' */
	ck_assert_int_eq(fcgitest_call(&t, forms_route, &q, &r), 0);
	ck_assert_int_eq(r.status, 500);
	http_reply_free(&r);
}
END_TEST

static const char answers[] =
	"_structure=MSP+des+Cl%C3%A9s&structure_type=esp&prof_count_total";

START_TEST(save_then_submit)
{
	struct fcgitest_req q = {
		.method = "GET", .path = "/forms/occitanie-2024",
	};
	char key[128], csrf[256], body[1024], sql[512];
	struct reply r;
	long before;

	call(&q, 200, "text/html", &r);
	snprintf(key, sizeof(key), "%s", field(buf_str(&r.body), "_key"));
	snprintf(csrf, sizeof(csrf), "%s", field(buf_str(&r.body), "_csrf"));
	http_reply_free(&r);

	q.method = "POST";
	q.content_type = "application/x-www-form-urlencoded";
	q.body = body;
	snprintf(body, sizeof(body), "_key=%s&_csrf=%s&%s=12&_action=save",
		 key, csrf, answers);
	call(&q, 200, "text/html", &r);
	http_reply_free(&r);
	snprintf(sql, sizeof(sql), "SELECT r.status || ':' || a.num_value"
		 "  FROM msp.response r JOIN msp.answer a USING (response_id)"
		 " WHERE r.idempotency_key = 'form:%s'"
		 "   AND a.item_key = 'prof_count_total'", key);
	ck_assert_str_eq(testdb_value(t.db.conn, sql), "partial:12");

	before = strtol(testdb_value(t.db.conn,
			"SELECT count(*) FROM msp.response"), NULL, 10);
	snprintf(body, sizeof(body), "_key=%s&_csrf=%s&%s=14&_role=leader"
		 "&_action=submit", key, csrf, answers);
	call(&q, 200, "text/html", &r);
	ck_assert_ptr_nonnull(strstr(buf_str(&r.body), "<h1>Merci !</h1>"));
	http_reply_free(&r);
	ck_assert_str_eq(testdb_value(t.db.conn, sql), "complete:14");
	snprintf(sql, sizeof(sql), "SELECT respondent_role FROM msp.response"
		 " WHERE idempotency_key = 'form:%s'", key);
	ck_assert_str_eq(testdb_value(t.db.conn, sql), "leader");
	ck_assert_int_eq(strtol(testdb_value(t.db.conn,
			 "SELECT count(*) FROM msp.response"), NULL, 10),
			 before);

	/* a form key this site did not sign */
	snprintf(body, sizeof(body), "_key=x%s&_csrf=%s&%s=14&_role=leader"
		 "&_action=submit", key, csrf, answers);
	call(&q, 403, "text/html", &r);
	http_reply_free(&r);

	/* a role msp.respondent_role lacks: the form again, nothing kept */
	q.method = "GET";
	q.body = NULL;
	call(&q, 200, "text/html", &r);
	snprintf(key, sizeof(key), "%s", field(buf_str(&r.body), "_key"));
	snprintf(csrf, sizeof(csrf), "%s", field(buf_str(&r.body), "_csrf"));
	http_reply_free(&r);
	q.method = "POST";
	q.body = body;
	snprintf(body, sizeof(body), "_key=%s&_csrf=%s&%s=14&_role=chef"
		 "&_action=submit", key, csrf, answers);
	call(&q, 422, "text/html", &r);
	ck_assert_ptr_nonnull(strstr(buf_str(&r.body),
				     "choisissez une des fonctions"));
	http_reply_free(&r);
	ck_assert_int_eq(strtol(testdb_value(t.db.conn,
			 "SELECT count(*) FROM msp.response"), NULL, 10),
			 before);
}
END_TEST

/* A role a migration adds to msp.respondent_role is offered (shown by
 * its code until forms.c has a label for it) and stored. */
START_TEST(roles_come_from_the_enum)
{
	struct fcgitest_req q = {
		.method = "GET", .path = "/forms/occitanie-2024",
	};
	char key[128], csrf[256], body[1024], sql[256];
	struct reply r;
	PGresult *res;

	res = PQexec(t.db.conn,
		     "ALTER TYPE msp.respondent_role ADD VALUE 'interne'");
	ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	call(&q, 200, "text/html", &r);
	ck_assert_ptr_nonnull(strstr(buf_str(&r.body),
				     "name=\"_role\" value=\"interne\""));
	snprintf(key, sizeof(key), "%s", field(buf_str(&r.body), "_key"));
	snprintf(csrf, sizeof(csrf), "%s", field(buf_str(&r.body), "_csrf"));
	http_reply_free(&r);

	q.method = "POST";
	q.content_type = "application/x-www-form-urlencoded";
	q.body = body;
	snprintf(body, sizeof(body), "_key=%s&_csrf=%s&%s=14&_role=interne"
		 "&_action=submit", key, csrf, answers);
	call(&q, 200, "text/html", &r);
	http_reply_free(&r);
	snprintf(sql, sizeof(sql), "SELECT respondent_role FROM msp.response"
		 " WHERE idempotency_key = 'form:%s'", key);
	ck_assert_str_eq(testdb_value(t.db.conn, sql), "interne");
}
END_TEST

/* The invitation link's code the test gives its structure: the server
 * knows it only by the SHA-256 PostgreSQL computes below, not by how
 * msp-report invite derives it. */
static const char invitation[] =
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/*
 * A personal link (migration 0032): it opens the form of the structure
 * it names (no identifier asked), saves and resumes, submits, and a
 * second submission updates the one response, audited; an unknown code
 * and a closed study store nothing.
 */
START_TEST(invitation_link)
{
	struct fcgitest_req q = {
		.method = "GET", .path = "/forms/occitanie-2024",
	};
	char key[128], csrf[256], body[1024], sql[512], st[16];
	char mode_sql[256];
	const char *mine;
	struct reply r;

	owner_exec("INSERT INTO msp.structure (pseudonym, region_id)"
		   " SELECT repeat('ab', 32), region_id FROM msp.study"
		   "  WHERE slug = 'occitanie-2024'");
	snprintf(sql, sizeof(sql), "INSERT INTO msp.population (study_id,"
		 " structure_id, invitation_sha256)"
		 " SELECT s.study_id, st.structure_id,"
		 "        sha256(convert_to('%s', 'UTF8'))"
		 "   FROM msp.study s, msp.structure st"
		 "  WHERE s.slug = 'occitanie-2024'"
		 "    AND st.pseudonym = repeat('ab', 32)", invitation);
	owner_exec(sql);
	snprintf(st, sizeof(st), "%s", testdb_value(t.db.conn,
		 "SELECT structure_id FROM msp.structure"
		 " WHERE pseudonym = repeat('ab', 32)"));

	call(&q, 200, "text/html", &r);
	ck_assert_ptr_nonnull(strstr(buf_str(&r.body),
				     "class=\"invitation\""));
	snprintf(key, sizeof(key), "%s", field(buf_str(&r.body), "_key"));
	snprintf(csrf, sizeof(csrf), "%s", field(buf_str(&r.body), "_csrf"));
	http_reply_free(&r);
	q.method = "POST";
	q.content_type = "application/x-www-form-urlencoded";
	q.body = body;

	/* opening: the form of that structure, no identifier asked */
	ck_assert_str_eq(testdb_value(t.db.conn, "SELECT count(*)"
			 " FROM msp.population"
			 " WHERE invitation_opened_at IS NOT NULL"), "0");
	snprintf(body, sizeof(body), "_key=%s&_csrf=%s&_action=invitation"
		 "&_invitation=%s", key, csrf, invitation);
	call(&q, 200, "text/html", &r);
	ck_assert_str_eq(field(buf_str(&r.body), "_invitation"), invitation);
	ck_assert_ptr_null(strstr(buf_str(&r.body), "name=\"_structure\""));
	snprintf(key, sizeof(key), "%s", field(buf_str(&r.body), "_key"));
	snprintf(csrf, sizeof(csrf), "%s", field(buf_str(&r.body), "_csrf"));
	http_reply_free(&r);
	ck_assert_str_eq(testdb_value(t.db.conn, "SELECT count(*)"
			 " FROM msp.population"
			 " WHERE invitation_opened_at IS NOT NULL"), "1");

	/* save, then the link shows the saved answer */
	snprintf(body, sizeof(body), "_key=%s&_csrf=%s&_invitation=%s"
		 "&structure_type=esp&prof_count_total=12&_action=save", key,
		 csrf, invitation);
	call(&q, 200, "text/html", &r);
	http_reply_free(&r);
	snprintf(sql, sizeof(sql), "SELECT string_agg(r.status || ':' ||"
		 " a.num_value, ' ')"
		 "  FROM msp.response r JOIN msp.answer a USING (response_id)"
		 " WHERE r.structure_id = %s"
		 "   AND a.item_key = 'prof_count_total'", st);
	ck_assert_str_eq(testdb_value(t.db.conn, sql), "partial:12");
	snprintf(body, sizeof(body), "_key=%s&_csrf=%s&_action=invitation"
		 "&_invitation=%s", key, csrf, invitation);
	call(&q, 200, "text/html", &r);
	ck_assert_ptr_nonnull(strstr(buf_str(&r.body),
				     "name=\"prof_count_total\" aria-label"));
	ck_assert_ptr_nonnull(strstr(buf_str(&r.body), "value=\"12\""));
	http_reply_free(&r);

	/* submit, then submit again: one response, updated */
	snprintf(body, sizeof(body), "_key=%s&_csrf=%s&_invitation=%s"
		 "&structure_type=esp&prof_count_total=14&_role=leader"
		 "&_action=submit", key, csrf, invitation);
	call(&q, 200, "text/html", &r);
	ck_assert_ptr_nonnull(strstr(buf_str(&r.body), "<h1>Merci !</h1>"));
	http_reply_free(&r);
	ck_assert_str_eq(testdb_value(t.db.conn, sql), "complete:14");
	snprintf(body, sizeof(body), "_key=%s&_csrf=%s&_invitation=%s"
		 "&structure_type=esp&prof_count_total=15&_role=leader"
		 "&_mode=telephone&_action=submit", key, csrf, invitation);
	call(&q, 200, "text/html", &r);
	http_reply_free(&r);
	ck_assert_str_eq(testdb_value(t.db.conn, sql), "complete:15");
	/* an interviewer's, by telephone: recorded on the response */
	snprintf(mode_sql, sizeof(mode_sql), "SELECT string_agg(mode::text,"
		 " ' ') FROM msp.response WHERE structure_id = %s", st);
	ck_assert_str_eq(testdb_value(t.db.conn, mode_sql), "telephone");
	snprintf(body, sizeof(body), "_key=%s&_csrf=%s&_action=invitation"
		 "&_invitation=%s", key, csrf, invitation);
	call(&q, 200, "text/html", &r);
	ck_assert_ptr_nonnull(strstr(buf_str(&r.body), "value=\"telephone\""
				     " checked"));
	http_reply_free(&r);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM msp_audit.log l"
		 "  JOIN msp.response r ON r.response_id = l.row_id"
		 " WHERE l.table_name = 'response' AND l.operation = 'UPDATE'"
		 "   AND l.actor = 'invitation' AND r.structure_id = %s"
		 "   AND l.old_row->>'status' = 'complete'", st);
	ck_assert_str_eq(testdb_value(t.db.conn, sql), "1");

	/* a save would put a draft under a complete status: refused */
	snprintf(body, sizeof(body), "_key=%s&_csrf=%s&_invitation=%s"
		 "&prof_count_total=16&_action=save", key, csrf, invitation);
	call(&q, 409, "text/html", &r);
	http_reply_free(&r);

	/* a code that names no structure: nothing stored */
	snprintf(body, sizeof(body), "_key=%s&_csrf=%s&_invitation=%.63s1"
		 "&prof_count_total=16&_action=submit", key, csrf,
		 invitation);
	call(&q, 404, "text/html", &r);
	http_reply_free(&r);

	/* closed: the update is refused, the answer stays */
	owner_exec("UPDATE msp.study SET state = 'closed'"
		   " WHERE slug = 'occitanie-2024'");
	snprintf(body, sizeof(body), "_key=%s&_csrf=%s&_invitation=%s"
		 "&structure_type=esp&prof_count_total=17&_role=leader"
		 "&_action=submit", key, csrf, invitation);
	call(&q, 409, "text/html", &r);
	http_reply_free(&r);
	snprintf(sql, sizeof(sql), "SELECT count(*) || ':' ||"
		 "       string_agg(a.num_value::text, ' ')"
		 "  FROM msp.response r JOIN msp.answer a USING (response_id)"
		 " WHERE r.structure_id = %s"
		 "   AND a.item_key = 'prof_count_total'", st);
	mine = testdb_value(t.db.conn, sql);
	ck_assert_str_eq(mine, "1:15");
}
END_TEST

static Suite *
forms_suite(void)
{
	Suite *s = suite_create("forms");
	TCase *tc = tcase_create("routes");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, list_and_form_pages);
	tcase_add_test(tc, save_then_submit);
	tcase_add_test(tc, roles_come_from_the_enum);
	tcase_add_test(tc, invitation_link);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testdb_run(forms_suite());
}
