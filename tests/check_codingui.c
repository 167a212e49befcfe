/*
 * check_codingui — the coding workspace's routes (fcgi/coding.c) driven
 * by hand-built requests against a throwaway database with the
 * reference data: a federation's and a team's sessions refused on
 * every route, by the module and by the database; what an analyst's
 * writes store (checked in the tables, not in the replies), audited,
 * under the session's coder; offsets that cut exactly the passage,
 * counted in characters; the blind mode filtered in the JSON the server
 * sends; an interview's metadata, transcript and segments, and the
 * joint display beside it.  tests/codingui.test does the same in
 * Chromium through nginx.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coding.h"
#include "fcgitest.h"
#include "pages.h"

#define STUDY "occitanie-2024"

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

static long
count(const char *sql)
{
	return strtol(testdb_value(t.db.conn, sql), NULL, 10);
}

/* The hidden field or meta content after marker in page (static). */
static const char *
value_after(const char *page, const char *marker)
{
	static char value[256];
	const char *p = strstr(page, marker), *end;

	ck_assert_msg(p != NULL, "no %s in %.200s", marker, page);
	p += strlen(marker);
	end = strchr(p, '"');
	ck_assert(end != NULL && (size_t)(end - p) < sizeof(value));
	memcpy(value, p, (size_t)(end - p));
	value[end - p] = '\0';
	return value;
}

/* Signs in with token as the browser does: "msp_session=ID" (static). */
static const char *
sign_in(const char *token)
{
	static char session[160];
	struct fcgitest_req q = { .method = "GET", .path = "/connexion" };
	char signin[160], body[512];
	const char *h;
	struct reply r;

	ck_assert_int_eq(fcgitest_call(&t, pages_route, &q, &r), 1);
	h = fcgitest_header(&r, "Set-Cookie");
	ck_assert(h != NULL);
	snprintf(signin, sizeof(signin), "%.*s", (int)strcspn(h, ";"), h);
	snprintf(body, sizeof(body), "_csrf=%s&jeton=%s",
		 value_after(buf_str(&r.body), "name=\"_csrf\" value=\""),
		 token);
	http_reply_free(&r);
	q.method = "POST";
	q.content_type = "application/x-www-form-urlencoded";
	q.cookie = signin;
	q.body = body;
	ck_assert_int_eq(fcgitest_call(&t, pages_route, &q, &r), 1);
	ck_assert_int_eq(r.status, 303);
	h = fcgitest_header(&r, "Set-Cookie");
	snprintf(session, sizeof(session), "%.*s", (int)strcspn(h, ";"), h);
	http_reply_free(&r);
	return session;
}

/* One coder: a session and the CSRF token of its workspace page. */
struct coder {
	char cookie[160];
	char csrf[256];
	char name[64];		/* "analyst:ID", as msp.coding_actor */
};

static void
coder_open(struct coder *c)
{
	const char *token = fcgitest_token(&t, "--kind analyst");
	struct fcgitest_req q = { .method = "GET", .path = "/codage/" STUDY };
	char sql[256];
	struct reply r;

	snprintf(c->cookie, sizeof(c->cookie), "%s", sign_in(token));
	q.cookie = c->cookie;
	ck_assert_int_eq(fcgitest_call(&t, coding_route, &q, &r), 1);
	ck_assert_int_eq(r.status, 200);
	snprintf(c->csrf, sizeof(c->csrf), "%s", value_after(
		 buf_str(&r.body), "<meta name=\"csrf\" content=\""));
	http_reply_free(&r);
	snprintf(sql, sizeof(sql), "SELECT 'analyst:' || max(token_id) "
		 "FROM msp.access_token WHERE kind = 'analyst'");
	snprintf(c->name, sizeof(c->name), "%s",
		 testdb_value(t.db.conn, sql));
}

/* POST body to the study's actions as c: the status; the reply's JSON
 * into *out when out is not NULL (json_object_put it). */
static int
act(const struct coder *c, const char *body, json_object **out)
{
	struct fcgitest_req q = {
		.method = "POST", .path = "/codage/" STUDY "/actions",
		.content_type = "application/json", .cookie = c->cookie,
		.csrf = c->csrf, .body = body,
	};
	struct reply r;
	int status;

	ck_assert_int_eq(fcgitest_call(&t, coding_route, &q, &r), 1);
	status = r.status;
	if (out != NULL)
		*out = fcgitest_json(&r);
	http_reply_free(&r);
	return status;
}

/* GET path?query as cookie: the status, the body into b if not NULL. */
static int
get(const char *path, const char *query, const char *cookie,
    struct buf *b)
{
	struct fcgitest_req q = { .method = "GET", .path = path,
				  .query = query, .cookie = cookie };
	struct reply r;
	int status;

	ck_assert_int_eq(fcgitest_call(&t, coding_route, &q, &r), 1);
	status = r.status;
	if (b != NULL)
		buf_puts(b, buf_str(&r.body));
	http_reply_free(&r);
	return status;
}

/* The first id of the reply's "ids" array. */
static long long
first_id(json_object *o)
{
	json_object *ids;

	ck_assert(json_object_object_get_ex(o, "ids", &ids));
	return json_object_get_int64(json_object_array_get_idx(ids, 0));
}

START_TEST(federations_and_teams_get_403)
{
	static const char *const paths[] = {
		"/codage", "/codage/" STUDY, "/codage/" STUDY "/accord",
		"/codage/" STUDY "/donnees.json",
		"/codage/" STUDY "/entretiens/1",
		"/codage/" STUDY "/entretiens/1.json",
	};
	const char *who[2];
	char sql[512];
	size_t i, k;

	who[0] = fcgitest_token(&t, "--kind federation --region occitanie");
	who[0] = sign_in(who[0]);
	{
		char fed[160];

		snprintf(fed, sizeof(fed), "%s", who[0]);
		who[1] = sign_in(fcgitest_token(&t, "--kind team "
			 "--structure 1"));
		for (k = 0; k < 2; k++) {
			const char *cookie = k == 0 ? fed : who[1];
			struct fcgitest_req q = {
				.method = "POST",
				.path = "/codage/" STUDY "/actions",
				.content_type = "application/json",
				.cookie = cookie,
				.body = "{\"op\":\"code_add\",\"label\":\"x\","
					"\"kind\":\"other\",\"has\":[]}",
			};
			struct reply r;

			for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
				ck_assert_msg(get(paths[i], NULL, cookie,
						  NULL) == 403, "%s", paths[i]);
			ck_assert_int_eq(fcgitest_call(&t, coding_route, &q,
						       &r), 1);
			ck_assert_int_eq(r.status, 403);
			http_reply_free(&r);
		}
	}
	ck_assert_int_eq(count("SELECT count(*) FROM msp.study_code "
			       "WHERE code = 'x'"), 0);
	/* no session: the page sends to the sign-in, the JSON says 401 */
	ck_assert_int_eq(get("/codage/" STUDY, NULL, NULL, NULL), 303);
	ck_assert_int_eq(get("/codage/" STUDY "/donnees.json", NULL, NULL,
			     NULL), 401);
	/* and the database refuses the views to a federation's token
	 * whatever the module does */
	snprintf(sql, sizeof(sql), "DO $$BEGIN PERFORM msp.enter('%s'); "
		 "PERFORM msp.coding_view_codebook('" STUDY "', false); "
		 "RAISE 'read'; EXCEPTION WHEN insufficient_privilege THEN "
		 "RAISE NOTICE 'refused'; END$$",
		 fcgitest_token(&t, "--kind federation --region occitanie"));
	{
		PGresult *res = PQexec(t.db.conn, sql);

		ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK,
			      "%s", PQerrorMessage(t.db.conn));
		PQclear(res);
		res = PQexec(t.db.conn, "RESET ROLE");
		PQclear(res);
	}
}
END_TEST

START_TEST(codebook_writes_are_stored_and_audited)
{
	struct coder a;
	json_object *o;
	long before = count("SELECT count(*) FROM msp_audit.log");

	coder_open(&a);
	ck_assert_int_eq(act(&a, "{\"op\":\"code_add\",\"label\":\"Peur du "
			     "regard des pairs\",\"kind\":\"frein\","
			     "\"definition\":\"Crainte d'être jugé\","
			     "\"has\":[\"H-F4\"]}", &o), 200);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(o,
			 "code")), "peur_du_regard_des_pairs");
	json_object_put(o);
	ck_assert_int_eq(act(&a, "{\"op\":\"code_add\",\"label\":\"Divers\","
			     "\"code\":\"divers\",\"kind\":\"other\","
			     "\"parent\":\"peur_du_regard_des_pairs\","
			     "\"has\":[]}", NULL), 200);
	ck_assert_str_eq(testdb_value(t.db.conn, "SELECT c.kind || '|' || "
		"c.definition_fr || '|' || x.has_code FROM msp.study_code c "
		"JOIN msp.crosswalk x USING (study_id, code) WHERE c.code = "
		"'peur_du_regard_des_pairs'"),
		"frein|Crainte d'être jugé|H-F4");
	ck_assert_str_eq(testdb_value(t.db.conn, "SELECT has_none::text || "
		"parent FROM msp.study_code WHERE code = 'divers'"),
		"truepeur_du_regard_des_pairs");
	/* without HAS categories nor « aucune »: refused, nothing stored */
	ck_assert_int_eq(act(&a, "{\"op\":\"code_add\",\"label\":\"Flou\","
			     "\"kind\":\"frein\"}", NULL), 422);
	ck_assert_int_eq(count("SELECT count(*) FROM msp.study_code WHERE "
			       "code = 'flou'"), 0);
	/* twice the same key: the database's French sentence, 409 */
	ck_assert_int_eq(act(&a, "{\"op\":\"code_add\",\"label\":\"Divers\","
			     "\"code\":\"divers\",\"kind\":\"other\","
			     "\"has\":[]}", &o), 409);
	ck_assert_ptr_nonnull(strstr(json_object_get_string(
		json_object_object_get(o, "error")), "existe déjà"));
	json_object_put(o);
	ck_assert_int_eq(act(&a, "{\"op\":\"code_edit\",\"code\":\"divers\","
			     "\"label\":\"Autres freins\",\"parent\":\"\"}",
			     NULL), 200);
	ck_assert_str_eq(testdb_value(t.db.conn, "SELECT label_fr || '|' || "
		"coalesce(parent, 'top') FROM msp.study_code WHERE code = "
		"'divers'"), "Autres freins|top");
	ck_assert_int_eq(act(&a, "{\"op\":\"memo\",\"code\":\"divers\","
			     "\"body\":\"À revoir\"}", NULL), 200);
	/* the audit log has each change under the session's token */
	{
		char sql[256];

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM msp_audit.log"
			 " WHERE actor = '%s' AND table_name IN ('study_code',"
			 " 'crosswalk', 'memo')", a.name);
		/* 2 codes, 1 crosswalk row, 1 edit, 1 memo */
		ck_assert_int_ge(count(sql), 5);
	}
	ck_assert_int_gt(count("SELECT count(*) FROM msp_audit.log"), before);
	/* a write without the session's CSRF token stores nothing */
	{
		struct coder forged = a;

		snprintf(forged.csrf, sizeof(forged.csrf), "%s", "0.0");
		ck_assert_int_eq(act(&forged, "{\"op\":\"code_add\",\"label\""
				     ":\"Piège\",\"kind\":\"other\","
				     "\"has\":[]}", NULL), 403);
		ck_assert_int_eq(count("SELECT count(*) FROM msp.study_code "
				       "WHERE code = 'piege'"), 0);
	}
}
END_TEST

/*
 * An answer with a character outside ASCII before the passage: the
 * offsets are characters, so [start, end) must cut exactly the
 * passage in PostgreSQL's substr (which counts characters too), and
 * the byte offsets would not.
 */
START_TEST(answer_offsets_cut_the_passage_and_undo_removes)
{
	struct coder a;
	json_object *o;
	char body[512], sql[512], answer[24];
	const char *text;
	long start, len;
	long long id;

	coder_open(&a);
	ck_assert_int_eq(act(&a, "{\"op\":\"code_add\",\"label\":\"Temps\","
			     "\"code\":\"temps\",\"kind\":\"frein\","
			     "\"has\":[\"H-F1\"]}", NULL), 200);
	ck_assert_int_eq(act(&a, "{\"op\":\"code_add\",\"label\":\"Moyens\","
			     "\"code\":\"moyens\",\"kind\":\"frein\","
			     "\"has\":[\"H-F2\"]}", NULL), 200);
	/* an open answer whose text has a non-ASCII character, and a
	 * passage of 5 characters after it */
	snprintf(answer, sizeof(answer), "%s", testdb_value(t.db.conn,
		 "SELECT min(a.answer_id) FROM msp.answer a JOIN msp.response"
		 " r USING (response_id) JOIN msp.study s USING (study_id) "
		 "WHERE s.slug = '" STUDY "' AND a.text_value ~ '[^ -~]' AND "
		 "char_length(a.text_value) > octet_length(substring("
		 "a.text_value from '^[ -~]*')) + 8 AND NOT r.test"));
	snprintf(sql, sizeof(sql), "SELECT position(substring(text_value "
		 "from '[^ -~]') in text_value) FROM msp.answer WHERE "
		 "answer_id = %s", answer);
	start = count(sql);	/* 1-based: the character after it */
	len = 5;
	snprintf(body, sizeof(body), "{\"op\":\"apply\",\"unit\":\"answer\","
		 "\"answer\":%s,\"codes\":[\"temps\",\"moyens\"],\"start\":"
		 "%ld,\"end\":%ld,\"resolved\":true}", answer, start,
		 start + len);
	ck_assert_int_eq(act(&a, body, &o), 200);
	id = first_id(o);
	json_object_put(o);
	/* the stored passage is the text's characters [start, start+5),
	 * and by the session's coder, resolved */
	snprintf(sql, sizeof(sql), "SELECT substr(a.text_value, k.start_pos "
		 "+ 1, k.end_pos - k.start_pos) = substr(a.text_value, %ld, "
		 "%ld) AND k.coder = '%s' AND k.state = 'resolved' FROM "
		 "msp.answer_code k JOIN msp.answer a USING (response_id, "
		 "item_key) WHERE k.coding_id = %lld AND a.answer_id = %s",
		 start + 1, len, a.name, id, answer);
	ck_assert_str_eq(testdb_value(t.db.conn, sql), "t");
	snprintf(sql, sizeof(sql), "SELECT substring(text_value from %ld "
		 "for %ld) FROM msp.answer WHERE answer_id = %s", start + 1,
		 len, answer);
	text = testdb_value(t.db.conn, sql);
	ck_assert_int_gt((long)strlen(text), 0);
	/* undo: both codings of the action go */
	snprintf(body, sizeof(body), "{\"op\":\"remove\",\"unit\":\"answer\","
		 "\"ids\":[%lld,%lld]}", id, id + 1);
	ck_assert_int_eq(act(&a, body, NULL), 200);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM msp.answer_code "
		 "WHERE coding_id IN (%lld, %lld)", id, id + 1);
	ck_assert_int_eq(count(sql), 0);
	/* offsets outside the text: the database refuses, 422 */
	snprintf(body, sizeof(body), "{\"op\":\"apply\",\"unit\":\"answer\","
		 "\"answer\":%s,\"codes\":[\"temps\"],\"start\":0,\"end\":"
		 "999999}", answer);
	ck_assert_int_eq(act(&a, body, NULL), 422);
	/* merge: the whole-answer coding of moyens moves to temps */
	snprintf(body, sizeof(body), "{\"op\":\"apply\",\"unit\":\"answer\","
		 "\"answer\":%s,\"codes\":[\"moyens\"]}", answer);
	ck_assert_int_eq(act(&a, body, NULL), 200);
	ck_assert_int_eq(act(&a, "{\"op\":\"code_merge\",\"from\":\"moyens\","
			     "\"into\":\"temps\"}", NULL), 200);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM msp.answer_code k "
		 "JOIN msp.answer a USING (response_id, item_key) WHERE "
		 "a.answer_id = %s AND k.code = 'temps' AND k.start_pos IS "
		 "NULL", answer);
	ck_assert_int_eq(count(sql), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM msp.study_code WHERE "
			       "code = 'moyens'"), 0);
}
END_TEST

START_TEST(blind_mode_is_filtered_by_the_server)
{
	struct coder a, b;
	struct buf all = BUF_INIT(BUF_MAX_DOCUMENT);
	struct buf mine = BUF_INIT(BUF_MAX_DOCUMENT);
	char body[256], answer[24];

	coder_open(&a);
	coder_open(&b);
	ck_assert_str_ne(a.name, b.name);
	ck_assert_int_eq(act(&a, "{\"op\":\"code_add\",\"label\":\"Temps\","
			     "\"code\":\"temps\",\"kind\":\"frein\","
			     "\"has\":[\"H-F1\"]}", NULL), 200);
	snprintf(answer, sizeof(answer), "%s", testdb_value(t.db.conn,
		 "SELECT min(a.answer_id) FROM msp.answer a JOIN msp.response"
		 " r USING (response_id) JOIN msp.study s USING (study_id) "
		 "WHERE s.slug = '" STUDY "' AND a.item_key = 'freins' AND "
		 "NOT r.test"));
	snprintf(body, sizeof(body), "{\"op\":\"apply\",\"unit\":\"answer\","
		 "\"answer\":%s,\"codes\":[\"temps\"]}", answer);
	ck_assert_int_eq(act(&a, body, NULL), 200);
	ck_assert_int_eq(act(&b, body, NULL), 200);
	ck_assert_int_eq(get("/codage/" STUDY "/donnees.json", "item=freins",
			     a.cookie, &all), 200);
	ck_assert_int_eq(get("/codage/" STUDY "/donnees.json",
			     "item=freins&aveugle=1", a.cookie, &mine), 200);
	ck_assert_ptr_nonnull(strstr(buf_str(&all), a.name));
	ck_assert_ptr_nonnull(strstr(buf_str(&all), b.name));
	ck_assert_ptr_nonnull(strstr(buf_str(&mine), a.name));
	ck_assert_msg(strstr(buf_str(&mine), b.name) == NULL,
		      "the other coder is in the blind JSON");
	/* the codebook's counts too: 2 codings, 1 of them mine */
	buf_reset(&all);
	buf_reset(&mine);
	get("/codage/" STUDY "/donnees.json", NULL, a.cookie, &all);
	get("/codage/" STUDY "/donnees.json", "aveugle=1", a.cookie, &mine);
	ck_assert_ptr_nonnull(strstr(buf_str(&all), "\"codings\": 2"));
	ck_assert_ptr_nonnull(strstr(buf_str(&mine), "\"codings\": 1"));
	buf_free(&all);
	buf_free(&mine);
}
END_TEST

START_TEST(interview_metadata_transcript_and_segments)
{
	struct coder a;
	struct buf doc = BUF_INIT(BUF_MAX_DOCUMENT);
	char body[1024], sql[512], structure[24];
	json_object *o, *v, *team;
	/* 'é' and an emoji (two UTF-16 units, one character) before
	 * the passage « le temps manque » at characters [28, 43) */
	static const char transcript[] =
		"Entretien anonymisé \xf0\x9f\x99\x82. Oui, le temps manque "
		"pour tout.";
	long long id;

	coder_open(&a);
	snprintf(structure, sizeof(structure), "%s", testdb_value(t.db.conn,
		 "SELECT min(r.structure_id) FROM msp.response r JOIN "
		 "msp.study s USING (study_id) WHERE s.slug = '" STUDY "' AND"
		 " NOT r.test"));
	snprintf(body, sizeof(body), "{\"op\":\"interview\",\"participant\":"
		 "99,\"structure\":%s,\"profession\":\"Infirmière\","
		 "\"stage\":\"consultation\",\"date\":\"2024-03-05\","
		 "\"duration_min\":45,\"consent\":true,"
		 "\"recording_deleted_on\":\"2024-04-01\",\"anonymised\":"
		 "true}", structure);
	ck_assert_int_eq(act(&a, body, NULL), 200);
	snprintf(sql, sizeof(sql), "SELECT concat_ws('|', structure_id, "
		 "profession, stage, interviewed_on, duration_min, "
		 "consent_recorded, recording_deleted_on, "
		 "transcript_anonymised) FROM msp.interview WHERE "
		 "participant_no = 99");
	{
		char want[256];

		snprintf(want, sizeof(want), "%s|Infirmière|consultation|"
			 "2024-03-05|45|t|2024-04-01|t", structure);
		ck_assert_str_eq(testdb_value(t.db.conn, sql), want);
	}
	/* no consent: refused, the row unchanged */
	snprintf(body, sizeof(body), "{\"op\":\"interview\",\"participant\":"
		 "99,\"consent\":false}");
	ck_assert_int_eq(act(&a, body, NULL), 422);
	ck_assert_int_eq(count("SELECT duration_min FROM msp.interview WHERE"
			       " participant_no = 99"), 45);
	/* a consent that is not a JSON boolean ("non" read as true by
	 * json-c), a day that does not exist: refused in French before
	 * the database, the row unchanged (review findings) */
	ck_assert_int_eq(act(&a, "{\"op\":\"interview\",\"participant\":"
			     "99,\"consent\":\"non\",\"duration_min\":30}",
			     NULL), 422);
	ck_assert_int_eq(act(&a, "{\"op\":\"interview\",\"participant\":"
			     "99,\"consent\":true,\"duration_min\":30,"
			     "\"date\":\"2024-02-30\"}", NULL), 422);
	ck_assert_int_eq(count("SELECT duration_min FROM msp.interview WHERE"
			       " participant_no = 99"), 45);
	snprintf(body, sizeof(body), "{\"op\":\"transcript\",\"participant\":"
		 "99,\"body\":\"%s\"}", transcript);
	ck_assert_int_eq(act(&a, body, NULL), 200);
	ck_assert_int_eq(act(&a, "{\"op\":\"code_add\",\"label\":\"Temps\","
			     "\"code\":\"temps\",\"kind\":\"frein\","
			     "\"has\":[\"H-F1\"]}", NULL), 200);
	ck_assert_int_eq(act(&a, "{\"op\":\"apply\",\"unit\":\"segment\","
			     "\"participant\":99,\"codes\":[\"temps\"],"
			     "\"start\":28,\"end\":43}", &o), 200);
	id = first_id(o);
	json_object_put(o);
	snprintf(sql, sizeof(sql), "SELECT verbatim_fr FROM msp.segment "
		 "WHERE segment_id = %lld", id);
	ck_assert_str_eq(testdb_value(t.db.conn, sql), "le temps manque");
	/* a segment needs a passage */
	ck_assert_int_eq(act(&a, "{\"op\":\"apply\",\"unit\":\"segment\","
			     "\"participant\":99,\"codes\":[\"temps\"]}",
			     NULL), 422);
	ck_assert_int_eq(act(&a, "{\"op\":\"memo\",\"participant\":99,"
			     "\"body\":\"Entretien riche\"}", NULL), 200);
	/* the interview's JSON: the transcript as stored, the segment, the
	 * team's questionnaire beside it (joint display) */
	ck_assert_int_eq(get("/codage/" STUDY "/entretiens/99.json", NULL,
			     a.cookie, &doc), 200);
	o = json_tokener_parse(buf_str(&doc));
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(json_object_get_string(json_object_object_get(o,
			 "transcript")), transcript);
	v = json_object_array_get_idx(json_object_object_get(o, "segments"),
				      0);
	ck_assert_int_eq(json_object_get_int(json_object_object_get(v,
			 "start")), 28);
	team = json_object_object_get(o, "team");
	ck_assert_int_eq((int)json_object_array_length(team), (int)count(
		"SELECT count(*) FROM msp.response r JOIN msp.study s USING "
		"(study_id) WHERE s.slug = '" STUDY "' AND NOT r.test AND "
		"r.structure_id = (SELECT structure_id FROM msp.interview "
		"WHERE participant_no = 99)"));
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM msp.answer a JOIN "
		 "msp.response r USING (response_id) WHERE r.structure_id = %s"
		 " AND NOT r.test AND btrim(a.text_value) <> '' AND "
		 "r.response_id = %lld", structure, (long long)
		 json_object_get_int64(json_object_object_get(
		 json_object_array_get_idx(team, 0), "response")));
	ck_assert_int_eq((int)json_object_array_length(json_object_object_get(
		json_object_array_get_idx(team, 0), "answers")),
		(int)count(sql));
	json_object_put(o);
	/* the transcript under a coded passage cannot change: 409 */
	ck_assert_int_eq(act(&a, "{\"op\":\"transcript\",\"participant\":"
			     "99,\"body\":\"Autre texte\"}", NULL), 409);
	buf_free(&doc);
}
END_TEST

/*
 * The stage and priority beside each answer are the report's: over the
 * 77 answers to priority_reason (every team answered it), the
 * published Occitanie figures (/work/shared/DOMAIN.md, the report of
 * August 2024): not a priority 52/77; consultation 50 %, collaboration
 * 13 %, partenariat 8 % of the 76 teams placed, i.e. 38, 10 and 6, so
 * 22 at information and 1 not placed.
 */
START_TEST(stage_and_priority_are_the_published_ones)
{
	struct coder a;
	struct buf doc = BUF_INIT(BUF_MAX_DOCUMENT);
	json_object *o, *x, *v;
	int stage[5] = { 0 }, non = 0, oui = 0;
	size_t i, n;
	static const char *const names[4] = { "Information", "Consultation",
		"Collaboration", "Partenariat" };

	coder_open(&a);
	ck_assert_int_eq(get("/codage/" STUDY "/donnees.json",
			     "item=priority_reason", a.cookie, &doc), 200);
	o = json_tokener_parse(buf_str(&doc));
	ck_assert_ptr_nonnull(o);
	n = json_object_array_length(o);
	ck_assert_int_eq((int)n, 77);
	for (i = 0; i < n; i++) {
		size_t k;
		const char *st;

		x = json_object_array_get_idx(o, i);
		v = json_object_object_get(x, "stage");
		st = v != NULL ? json_object_get_string(v) : NULL;
		for (k = 0; k < 4; k++)
			if (st != NULL && strcmp(st, names[k]) == 0)
				break;
		stage[k]++;
		v = json_object_object_get(x, "priority");
		if (v != NULL && strcmp(json_object_get_string(v), "Oui") == 0)
			oui++;
		else if (v != NULL && strcmp(json_object_get_string(v),
					     "Non") == 0)
			non++;
		ck_assert_str_eq(json_object_get_string(json_object_object_get(
				 x, "region")), "Occitanie");
	}
	ck_assert_int_eq(stage[0], 22);
	ck_assert_int_eq(stage[1], 38);
	ck_assert_int_eq(stage[2], 10);
	ck_assert_int_eq(stage[3], 6);
	ck_assert_int_eq(stage[4], 1);
	ck_assert_int_eq(non, 52);
	ck_assert_int_eq(oui, 25);
	json_object_put(o);
	buf_free(&doc);
}
END_TEST

/*
 * What the database refuses reaches the person in French, and the
 * program its SQLSTATE: {"error": French, "sqlstate": its code}.
 * PostgreSQL's own refusals are in English (a stage that is no stage
 * of the continuum: a foreign key, 23503; a recording deleted before
 * the interview: a check constraint, 23514); our functions' RAISE are
 * French sentences already and stay what they are, without the
 * statement's name.  The database's DETAIL (a check constraint's
 * "Failing row contains (...)": the whole row; a foreign key's "Key
 * (...)=(...)") reaches the worker's log, never the reply: detail is
 * a piece of it that the log must hold and the reply must not (NULL:
 * a RAISE, which has none).
 */
static void
assert_refusal(const struct coder *a, const char *body, int status,
	       const char *sqlstate, const char *detail)
{
	json_object *o = NULL;
	const char *e, *text;
	char log[8192];
	size_t n;
	FILE *f;
	int saved;

	/* the worker's log is its stderr: into a file for this call */
	fflush(stderr);
	ck_assert_ptr_nonnull(f = tmpfile());
	ck_assert_int_ge(saved = dup(STDERR_FILENO), 0);
	ck_assert_int_ge(dup2(fileno(f), STDERR_FILENO), 0);
	ck_assert_int_eq(act(a, body, &o), status);
	fflush(stderr);
	ck_assert_int_ge(dup2(saved, STDERR_FILENO), 0);
	close(saved);
	rewind(f);
	n = fread(log, 1, sizeof(log) - 1, f);
	log[n] = '\0';
	fclose(f);

	ck_assert_ptr_nonnull(o);
	text = json_object_to_json_string(o);
	e = json_object_get_string(json_object_object_get(o, "error"));
	ck_assert_msg(e != NULL, "%s", text);
	/* for people: no PostgreSQL English, no statement name */
	ck_assert_msg(strstr(e, "violates") == NULL &&
		      strstr(e, "constraint") == NULL &&
		      strstr(e, "ERROR") == NULL &&
		      strstr(e, "coding_") == NULL, "%s", e);
	/* for programs: the code, and nothing of the DETAIL */
	ck_assert_str_eq(json_object_get_string(json_object_object_get(o,
			 "sqlstate")), sqlstate);
	ck_assert_msg(!json_object_object_get_ex(o, "detail", NULL) &&
		      strstr(text, "DETAIL") == NULL &&
		      (detail == NULL || strstr(text, detail) == NULL),
		      "%s", text);
	/* the log: the refusal, its code and the DETAIL */
	ck_assert_msg(strstr(log, "\"event\":\"coding refused\"") != NULL &&
		      strstr(log, sqlstate) != NULL &&
		      (detail == NULL || strstr(log, detail) != NULL),
		      "log: %s", log);
	json_object_put(o);
}

START_TEST(database_refusals_reach_people_in_french)
{
	struct coder a;
	char body[512], structure[32];
	json_object *o = NULL;
	const char *e;

	coder_open(&a);
	snprintf(structure, sizeof(structure), "%s", testdb_value(t.db.conn,
		 "SELECT min(r.structure_id) FROM msp.response r JOIN "
		 "msp.study s USING (study_id) WHERE s.slug = '" STUDY "' AND"
		 " NOT r.test"));
	/* a stage of letters that the continuum does not have */
	snprintf(body, sizeof(body), "{\"op\":\"interview\",\"participant\":"
		 "98,\"structure\":%s,\"stage\":\"excellence\",\"consent\":"
		 "true}", structure);
	assert_refusal(&a, body, 422, "23503", "is not present in table");
	/* the recording deleted before the interview took place */
	snprintf(body, sizeof(body), "{\"op\":\"interview\",\"participant\":"
		 "98,\"structure\":%s,\"date\":\"2024-03-05\",\"consent\":"
		 "true,\"recording_deleted_on\":\"2024-01-01\"}", structure);
	assert_refusal(&a, body, 422, "23514", "Failing row contains");
	ck_assert_int_eq(count("SELECT count(*) FROM msp.interview WHERE "
			       "participant_no = 98"), 0);
	/* our function's own sentence, as it is, for people and programs */
	ck_assert_int_eq(act(&a, "{\"op\":\"code_add\",\"label\":\"Double\","
			     "\"code\":\"double\",\"kind\":\"other\","
			     "\"has\":[]}", NULL), 200);
	assert_refusal(&a, "{\"op\":\"code_add\",\"label\":\"Double\","
		       "\"code\":\"double\",\"kind\":\"other\",\"has\":[]}",
		       409, "23505", NULL);
	ck_assert_int_eq(act(&a, "{\"op\":\"code_add\",\"label\":\"Double\","
			     "\"code\":\"double\",\"kind\":\"other\","
			     "\"has\":[]}", &o), 409);
	e = json_object_get_string(json_object_object_get(o, "error"));
	ck_assert_msg(strncmp(e, "le code « double » existe déjà", 31) == 0,
		      "%s", e);
	json_object_put(o);
}
END_TEST

static Suite *
codingui_suite(void)
{
	Suite *s = suite_create("codingui");
	TCase *tc = tcase_create("workspace");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, federations_and_teams_get_403);
	tcase_add_test(tc, codebook_writes_are_stored_and_audited);
	tcase_add_test(tc, answer_offsets_cut_the_passage_and_undo_removes);
	tcase_add_test(tc, blind_mode_is_filtered_by_the_server);
	tcase_add_test(tc, interview_metadata_transcript_and_segments);
	tcase_add_test(tc, stage_and_priority_are_the_published_ones);
	tcase_add_test(tc, database_refusals_reach_people_in_french);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testdb_run(codingui_suite());
}
