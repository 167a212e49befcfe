/*
 * The coders' work after coding (issue 22, items 3 and 7): the list of
 * disagreements between coders and their resolution (msp-report code
 * disagreements | resolve, migration 0046), and suggested codes (lib/
 * suggest.c, code suggest, code apply --from-suggestion) with the
 * --has report's count of codings that began as suggestions.
 *
 * Oracles: a score computed by hand (docs/coding.md's example), the
 * codings as written here and as stored (psql), PostgreSQL's regular
 * expressions for which answers hold a word.
 */
#include "config.h"

#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agreement.h"
#include "alloc.h"
#include "buf.h"
#include "db.h"
#include "report/report.h"
#include "report/report_doc.h"
#include "reportfix.h"
#include "suggest.h"
#include "testdb.h"

#define OCC "occitanie-2024"

static char dir[64];

static void
setup(void)
{
	connect_case();
	snprintf(dir, sizeof(dir), "/tmp/check_codework.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	disconnect_case();
}

/* Runs msp-report ARGS (in dir, env ENV); its exit status, its output
 * (stdout and stderr) in out. */
static int
cli(const char *env, const char *args, struct buf *out)
{
	buf_reset(out);
	return testdb_cli(conn, dir, env, args, out);
}

static void
cli_ok(const char *env, const char *args, struct buf *out)
{
	ck_assert_msg(cli(env, args, out) == 0, "%s: %s", args,
		      buf_str(out));
}

static const char *
value(const char *sql)
{
	return testdb_value(conn, sql);
}

static unsigned long
count(const char *sql)
{
	return strtoul(value(sql), NULL, 10);
}

/* The token msp-report token create printed (its last line) as an
 * MSP_TOKEN= assignment. */
static void
token(const char *kind, const char *label, char *env, size_t size)
{
	struct buf out = BUF_INIT(BUF_MAX_TEXT);
	char args[256];
	const char *s, *last, *p;

	snprintf(args, sizeof(args), "token create --kind %s%s --label %s",
		 kind, strcmp(kind, "federation") == 0 ?
		 " --region occitanie" : "", label);
	cli_ok("", args, &out);
	s = last = buf_str(&out);
	for (p = s; *p != '\0'; p++)
		if (*p == '\n' && p[1] != '\0')
			last = p + 1;
	snprintf(env, size, "MSP_TOKEN='%.*s'", (int)strcspn(last, "\n"),
		 last);
	buf_free(&out);
}

/* --- the score, by hand --------------------------------------------------- */

/*
 * docs/coding.md's example.  Code temps: « Manque de temps » / « Le
 * temps médical manque »: stems manque, temps, medical; coded twice:
 * « Pas le temps de se réunir » (temps, reunir) and « Le temps de
 * coordination manque » (temps, coordination, manque).  Code locaux:
 * « Locaux trop petits » / « Les locaux sont petits »: local, trop,
 * petit; coded once: « Les locaux manquent » (local, manquent).  Code
 * divers: nothing in common.  The answer « Nous manquons de temps et de
 * locaux pour nous réunir »: manquon, temps, local, reunir.
 *   temps:  temps 1 + 2/2, reunir 0 + 1/2            = 2.5
 *   locaux: local 1 + 1/1                            = 2
 *   divers: 0, not suggested.
 */
START_TEST(suggest_scores_the_hand_computed_case)
{
	struct suggest_hit hits[4];
	struct msp_error err;
	struct suggest *s = suggest_new();
	size_t n;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(suggest_add_code(s, "temps", "Manque de temps",
			 "Le temps médical manque", &err), MSP_OK);
	ck_assert_int_eq(suggest_add_code(s, "locaux", "Locaux trop petits",
			 "Les locaux sont petits", &err), MSP_OK);
	ck_assert_int_eq(suggest_add_code(s, "divers", "Divers", "", &err),
			 MSP_OK);
	ck_assert_int_eq(suggest_add_code(s, "temps", "x", "", &err),
			 MSP_EINVAL);
	ck_assert_int_eq(suggest_add_coded(s, "temps", "Pas le temps de se "
			 "réunir", &err), MSP_OK);
	ck_assert_int_eq(suggest_add_coded(s, "temps", "Le temps de "
			 "coordination manque", &err), MSP_OK);
	ck_assert_int_eq(suggest_add_coded(s, "locaux", "Les locaux "
			 "manquent", &err), MSP_OK);
	ck_assert_int_eq(suggest_add_coded(s, "nul", "x", &err), MSP_EINVAL);
	ck_assert_int_eq(suggest_rank(s, "Nous manquons de temps et de "
			 "locaux pour nous réunir", hits, 4, &n, &err),
			 MSP_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(hits[0].code, "temps");
	ck_assert_double_eq_tol(hits[0].score, 2.5, 1e-12);
	ck_assert_uint_eq(hits[0].nwords, 2);
	ck_assert_str_eq(hits[0].words[0], "temps");
	ck_assert_str_eq(hits[0].words[1], "reunir");
	ck_assert_str_eq(hits[1].code, "locaux");
	ck_assert_double_eq_tol(hits[1].score, 2.0, 1e-12);
	ck_assert_uint_eq(hits[1].nwords, 1);
	ck_assert_str_eq(hits[1].words[0], "local");
	/* max 1: the best only; nothing in common: nothing */
	ck_assert_int_eq(suggest_rank(s, "Nous manquons de temps et de "
			 "locaux pour nous réunir", hits, 1, &n, &err),
			 MSP_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(hits[0].code, "temps");
	ck_assert_int_eq(suggest_rank(s, "Aucune idée", hits, 4, &n, &err),
			 MSP_OK);
	ck_assert_uint_eq(n, 0);
	/* frozen once ranked */
	ck_assert_int_eq(suggest_add_coded(s, "temps", "temps", &err),
			 MSP_EINVAL);
	suggest_free(s);
}
END_TEST

/* --- disagreements and resolution ----------------------------------------- */

/* The coder of env applies code to answer, whole or its first
 * character (part). */
static void
apply_as(const char *env, const char *code, const char *answer, int part)
{
	struct buf out = BUF_INIT(BUF_MAX_TEXT);
	char args[256];

	snprintf(args, sizeof(args), "code apply --study " OCC " --code %s"
		 " --answer %s%s", code, answer, part ? " --from 0 --to 1" :
		 "");
	cli_ok(env, args, &out);
	buf_free(&out);
}

/* The resolved codes of answer id, "a,b" ("" for none), from the
 * database. */
static char *
resolved_of(const char *id)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
		 "SELECT coalesce(string_agg(k.code, ',' ORDER BY k.code),"
		 " '') FROM msp.answer_code k JOIN msp.answer a"
		 "   ON a.response_id = k.response_id"
		 "  AND a.item_key = k.item_key"
		 " WHERE a.answer_id = %s AND k.state = 'resolved'", id);
	return strdup(value(sql));
}

/*
 * Two coders, four answers u1..u4 of one item, codes A and B:
 *   coder 1: u1 {A}, u2 {A, B}, u3 {B (a passage)}, u4 {A}
 *   coder 2: u1 {A}, u2 {A},    u3 {A}
 * Disagreements (answers two coders coded with different codes): u2
 * and u3, one row per coder; u1 agrees, u4 has one coder.
 */
START_TEST(disagreements_are_listed_and_resolved)
{
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	struct buf want = BUF_INIT(BUF_MAX_TEXT);
	char env[2][160], fed[160], args[512], line[512], *c1, *c2, *v;
	const char *item, *u[4], *lo, *hi;
	struct msp_error err;
	PGresult *res = NULL;
	json_object *j, *units, *x;
	int i;

	cli_ok("", "codebook add --study " OCC " qw_a --label 'Désaccord A'"
	       " --kind frein --has none", &out);
	cli_ok("", "codebook add --study " OCC " qw_b --label 'Désaccord B'"
	       " --kind levier --has none", &out);
	token("analyst", "qw_1", env[0], sizeof(env[0]));
	token("analyst", "qw_2", env[1], sizeof(env[1]));
	token("federation", "qw_f", fed, sizeof(fed));
	ck_assert(db_exec(conn, "four answers",
			  "SELECT a.answer_id, a.item_key FROM msp.answer a"
			  "  JOIN msp.response r USING (response_id)"
			  "  JOIN msp.study s USING (study_id)"
			  " WHERE s.slug = '" OCC "' AND NOT r.test"
			  "   AND char_length(a.text_value) > 1"
			  "   AND a.item_key = (SELECT a2.item_key"
			  "       FROM msp.answer a2 JOIN msp.response r2"
			  "       USING (response_id) JOIN msp.study s2"
			  "       USING (study_id) WHERE s2.slug = '" OCC "'"
			  "        AND char_length(a2.text_value) > 1"
			  "        AND NOT r2.test GROUP BY 1"
			  "       HAVING count(*) >= 4 ORDER BY 1 LIMIT 1)"
			  " ORDER BY a.answer_id LIMIT 4", 0, NULL,
			  PGRES_TUPLES_OK, &res, &err) == MSP_OK);
	ck_assert_int_eq(PQntuples(res), 4);
	for (i = 0; i < 4; i++)
		u[i] = PQgetvalue(res, i, 0);
	item = PQgetvalue(res, 0, 1);
	apply_as(env[0], "qw_a", u[0], 0);
	apply_as(env[0], "qw_a", u[1], 0);
	apply_as(env[0], "qw_b", u[1], 0);
	apply_as(env[0], "qw_b", u[2], 1);
	apply_as(env[0], "qw_a", u[3], 0);
	apply_as(env[1], "qw_a", u[0], 0);
	apply_as(env[1], "qw_a", u[1], 0);
	apply_as(env[1], "qw_a", u[2], 0);
	/* each token's coder name, as the database recorded it: coder
	 * 1 alone applied B */
	c1 = strdup(value("SELECT DISTINCT coder FROM msp.answer_code"
			  " WHERE code = 'qw_b' AND state = 'own'"));
	c2 = strdup(value("SELECT min(coder) FROM msp.answer_code"
			  " WHERE code = 'qw_a' AND state = 'own'"
			  "   AND coder NOT IN (SELECT coder"
			  "        FROM msp.answer_code"
			  "        WHERE code = 'qw_b' AND state = 'own')"));
	ck_assert_ptr_nonnull(strstr(c1, "analyst:"));
	ck_assert_ptr_nonnull(strstr(c2, "analyst:"));
	lo = strcmp(c1, c2) < 0 ? c1 : c2;
	hi = lo == c1 ? c2 : c1;

	/* CSV: exactly the four rows of u2 and u3, by answer then coder */
	snprintf(args, sizeof(args), "code disagreements --study " OCC
		 " --item %s --format csv", item);
	cli_ok(env[0], args, &out);
	buf_puts(&want, "answer_id,item_key,coder,codes,resolved,"
		 "resolved_by\r\n");
	for (i = 1; i < 3; i++) {
		const char *codes1 = i == 1 ? "\"qw_a,qw_b\"" : "qw_b";

		buf_printf(&want, "%s,%s,%s,%s,,\r\n", u[i], item, lo,
			   lo == c1 ? codes1 : "qw_a");
		buf_printf(&want, "%s,%s,%s,%s,,\r\n", u[i], item, hi,
			   hi == c1 ? codes1 : "qw_a");
	}
	ck_assert_str_eq(buf_str(&out), buf_str(&want));
	/* text: the French table; JSON: two units of two coders */
	snprintf(args, sizeof(args), "code disagreements --study " OCC
		 " --item %s", item);
	cli_ok(env[1], args, &out);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "Désaccords entre "
				     "codeurs"));
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "codeur"));
	snprintf(args, sizeof(args), "code disagreements --study " OCC
		 " --item %s --format json", item);
	cli_ok(env[1], args, &out);
	j = json_tokener_parse(buf_str(&out));
	ck_assert_ptr_nonnull(j);
	ck_assert(json_object_object_get_ex(j, "disagreements", &units));
	ck_assert_uint_eq(json_object_array_length(units), 2);
	x = json_object_array_get_idx(units, 0);
	ck_assert(json_object_object_get_ex(x, "answer", &x));
	ck_assert_str_eq(json_object_get_string(x), u[1]);
	x = json_object_array_get_idx(units, 0);
	ck_assert(json_object_object_get_ex(x, "coders", &x));
	ck_assert_uint_eq(json_object_array_length(x), 2);
	x = json_object_array_get_idx(units, 0);
	ck_assert(json_object_object_get_ex(x, "resolved", &x));
	ck_assert_ptr_null(x);	/* not resolved: null */
	json_object_put(j);
	/* a federation reads no coder's work */
	ck_assert_int_eq(cli(fed, args, &out), 1);

	/* resolve u2 as {A, B}: the resolved codings, and who resolved */
	snprintf(args, sizeof(args), "code resolve --study " OCC
		 " --answer %s --codes qw_b,qw_a", u[1]);
	cli_ok(env[1], args, &out);
	v = resolved_of(u[1]);
	ck_assert_str_eq(v, "qw_a,qw_b");
	free(v);
	snprintf(line, sizeof(line), "SELECT count(*)"
		 " FROM msp.answer_resolution"
		 " r JOIN msp.answer a USING (response_id, item_key)"
		 " WHERE a.answer_id = %s AND r.resolved_by LIKE 'analyst:%%'",
		 u[1]);
	ck_assert_uint_eq(count(line), 1);
	/* then as no code: none resolved, the decision kept */
	snprintf(args, sizeof(args), "code resolve --study " OCC
		 " --answer %s --none", u[1]);
	cli_ok(env[1], args, &out);
	v = resolved_of(u[1]);
	ck_assert_str_eq(v, "");
	free(v);
	ck_assert_uint_eq(count(line), 1);
	snprintf(args, sizeof(args), "code disagreements --study " OCC
		 " --item %s", item);
	cli_ok(env[0], args, &out);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "(aucun code)"));
	/* u3 from coder 1's own codings: B on the first character */
	snprintf(args, sizeof(args), "code resolve --study " OCC
		 " --answer %s --from-coder %s", u[2], c1);
	cli_ok(env[1], args, &out);
	snprintf(line, sizeof(line),
		 "SELECT string_agg(k.code || ':' || k.start_pos || '-'"
		 " || k.end_pos, ',') FROM msp.answer_code k"
		 " JOIN msp.answer a USING (response_id, item_key)"
		 " WHERE a.answer_id = %s AND k.state = 'resolved'", u[2]);
	ck_assert_str_eq(value(line), "qw_b:0-1");
	/* refusals store nothing: both ways, an unknown code, a coder who
	 * did not code the answer */
	snprintf(args, sizeof(args), "code resolve --study " OCC
		 " --answer %s --none --codes qw_a", u[2]);
	ck_assert_int_eq(cli(env[1], args, &out), 2);
	snprintf(args, sizeof(args), "code resolve --study " OCC
		 " --answer %s --codes qw_a,qw_nul", u[2]);
	ck_assert_int_eq(cli(env[1], args, &out), 1);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "qw_nul"));
	snprintf(args, sizeof(args), "code resolve --study " OCC
		 " --answer %s --from-coder analyst:0", u[2]);
	ck_assert_int_eq(cli(env[1], args, &out), 1);
	ck_assert_str_eq(value(line), "qw_b:0-1");
	PQclear(res);
	free(c1);
	free(c2);
	buf_free(&want);
	buf_free(&out);
}
END_TEST

/* --- suggestions ---------------------------------------------------------- */

/* Open answers of OCC nobody coded that hold the word « temps » (not in
 * « longtemps », nor « temps-partiel », one word for the stemmer), by
 * PostgreSQL's regular expressions. */
#define UNCODED_TEMPS \
	"SELECT count(*) FROM msp.answer a" \
	"  JOIN msp.response r USING (response_id)" \
	"  JOIN msp.study s USING (study_id)" \
	" WHERE s.slug = '" OCC "' AND NOT r.test" \
	"   AND a.text_value ~* '(^|[^[:alpha:]-])temps($|[^[:alpha:]-])'" \
	"   AND NOT EXISTS (SELECT 1 FROM msp.answer_code k" \
	"        WHERE k.response_id = a.response_id" \
	"          AND k.item_key = a.item_key)"

/* Lines of the CSV out suggesting code (third field); of them, those
 * whose stems (last field) include word, in *with, and the least score
 * of those in *min. */
static unsigned long
lines_for(const struct buf *out, const char *code, const char *word,
	  unsigned long *with, double *min)
{
	const char *p = buf_str(out);
	unsigned long n = 0;
	char want[80], stem[80];

	snprintf(want, sizeof(want), ",%s,", code);
	snprintf(stem, sizeof(stem), "%s", word);
	*min = 1e9;
	*with = 0;
	while (p != NULL && *p != '\0') {
		const char *e = strchr(p, '\n'), *f = strstr(p, want);
		const char *q, *w;
		size_t len = e != NULL ? (size_t)(e - p) : strlen(p);

		if (f != NULL && f < p + len) {
			n++;
			/* the stems: after the last '"' but one */
			q = memchr(f + strlen(want), ',', len - (size_t)(f +
				   strlen(want) - p));
			for (w = q; w != NULL && w < p + len;
			     w = strstr(w + 1, stem)) {
				char before = w[-1], after = w[strlen(stem)];

				if (w != q && (before == '"' || before == ' ')
				    && (after == '"' || after == ' ')) {
					double v = strtod(f + strlen(want),
							  NULL);

					(*with)++;
					if (v < *min)
						*min = v;
					break;
				}
			}
		}
		p = e != NULL ? e + 1 : NULL;
	}
	return n;
}

START_TEST(suggestions_are_not_codings_until_accepted)
{
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	char env[160], fed[160], args[512];
	struct report_options o;
	struct msp_error err;
	struct rdoc *doc = NULL;
	const struct rtable *t;
	unsigned long before, want, n, with;
	char *first;
	double min;
	size_t i;

	token("analyst", "qs_1", env, sizeof(env));
	/* a federation's --has counts for a protection run's token only
	 * (msp.report_scope; this study is open, not published) */
	testdb_run_token(conn, OCC, "fed-codework");
	snprintf(fed, sizeof(fed), "MSP_TOKEN='fed-codework'");
	/* a code whose only word is « temps », applied to nothing yet */
	cli_ok("", "codebook add --study " OCC " qs_temps --label 'Temps'"
	       " --kind frein --has H-F1", &out);
	want = count(UNCODED_TEMPS);
	ck_assert_uint_gt(want, 1);
	before = count("SELECT count(*) FROM msp.answer_code");
	cli_ok(env, "code suggest --study " OCC " --format csv --max 100",
	       &out);
	/* every uncoded answer with the word, score D = 1 exactly (no
	 * earlier coding: F = 0), and no other */
	n = lines_for(&out, "qs_temps", "temps", &with, &min);
	ck_assert_uint_eq(n, want);
	ck_assert_uint_eq(with, want);
	ck_assert_double_eq_tol(min, 1.0, 1e-9);
	ck_assert_uint_eq(count("SELECT count(*) FROM msp.answer_code"),
			  before);
	/* text: French, and says nothing was stored */
	cli_ok(env, "code suggest --study " OCC, &out);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "rien n'est "
				     "enregistré"));

	/* accept one: the coding says it began as a suggestion */
	first = strdup(value("SELECT min(a.answer_id) FROM msp.answer a"
			     "  JOIN msp.response r USING (response_id)"
			     "  JOIN msp.study s USING (study_id)"
			     " WHERE s.slug = '" OCC "' AND NOT r.test"
			     "   AND r.status = 'complete'"
			     "   AND a.text_value ~* '(^|[^[:alpha:]-])temps"
			     "($|[^[:alpha:]-])'"
			     "   AND NOT EXISTS (SELECT 1 FROM msp.answer_code"
			     "        k WHERE k.response_id = a.response_id"
			     "          AND k.item_key = a.item_key)"));
	snprintf(args, sizeof(args), "code apply --study " OCC " --code "
		 "qs_temps --answer %s --from-suggestion --resolved", first);
	cli_ok(env, args, &out);
	ck_assert_uint_eq(count("SELECT count(*) FROM msp.answer_code"
				" WHERE code = 'qs_temps' AND suggested"
				" AND state = 'resolved'"), 1);
	/* a passage cannot be "from a suggestion" */
	snprintf(args, sizeof(args), "code apply --study " OCC " --code "
		 "qs_temps --answer %s --from-suggestion --from 0 --to 1",
		 first);
	ck_assert_int_eq(cli(env, args, &out), 2);
	/* the accepted answer is coded now; the others with the word
	 * score at least 1 + 1/1 (« temps » is in the one earlier coding),
	 * and answers without it may now share other words with it */
	cli_ok(env, "code suggest --study " OCC " --format csv --max 100",
	       &out);
	n = lines_for(&out, "qs_temps", "temps", &with, &min);
	ck_assert_uint_eq(with, want - 1);
	ck_assert_uint_ge(n, with);
	ck_assert_double_eq_tol(min, 2.0, 1e-9);
	free(first);

	/* --has: how many resolved codings began as suggestions, against
	 * the stored rows */
	report_options_init(&o);
	o.region = "occitanie";
	o.has = 1;
	ck_assert_msg(report_build(conn, &o, &doc, &err) == MSP_OK, "%s",
		      err.message);
	t = rdoc_find_table(doc, "has_codings");
	ck_assert_ptr_nonnull(t);
	for (i = 0; i < t->nrows; i++)
		if (strcmp(t->rows[i].cat_key, OCC) == 0)
			break;
	ck_assert_uint_lt(i, t->nrows);
	ck_assert_uint_eq(t->rows[i].cells[1].n,
			  count("SELECT count(*) FROM msp.answer_code k"
				"  JOIN msp.response r USING (response_id)"
				"  JOIN msp.study s ON s.study_id = k.study_id"
				" WHERE s.slug = '" OCC "' AND k.suggested"
				"   AND k.state = 'resolved'"
				"   AND r.status = 'complete' AND NOT r.test"));
	ck_assert_uint_eq(t->rows[i].cells[0].n,
			  count("SELECT count(*) FROM msp.answer_code k"
				"  JOIN msp.response r USING (response_id)"
				"  JOIN msp.study s ON s.study_id = k.study_id"
				" WHERE s.slug = '" OCC "'"
				"   AND k.state = 'resolved'"
				"   AND r.status = 'complete' AND NOT r.test"));
	ck_assert_uint_eq(t->rows[i].cells[1].n, 1);
	rdoc_free(doc);
	/* a federation gets the table, its one suggestion below the
	 * threshold (5) hidden */
	cli_ok(fed, "--region occitanie --has --format csv", &out);
	{
		const char *l = strstr(buf_str(&out), "has_codings,study,"
				       "Étude," OCC "," OCC ",suggested,");

		ck_assert_msg(l != NULL, "%.1500s", buf_str(&out));
		ck_assert_ptr_nonnull(strstr(l, ",n,,suppressed"));
		ck_assert(strstr(l, ",n,,suppressed") < strchr(l, '\n'));
	}
	buf_free(&out);
}
END_TEST

/* --- code × attribute matrices and co-occurrence -------------------------- */

static size_t
col_of(const struct rtable *t, const char *key)
{
	size_t j;

	for (j = 0; j < t->ncols; j++)
		if (strcmp(t->cols[j].key, key) == 0)
			return j;
	ck_abort_msg("table %s: no column %s", t->key, key);
	return 0;
}

static const struct rrow *
row_of(const struct rtable *t, const char *cat)
{
	size_t i;

	for (i = 0; i < t->nrows; i++)
		if (t->rows[i].cat_key != NULL &&
		    strcmp(t->rows[i].cat_key, cat) == 0)
			return &t->rows[i];
	ck_abort_msg("table %s: no row %s", t->key, cat);
	return NULL;
}

/* Row code, column key of table t: the count. */
static unsigned long
cell(const struct rtable *t, const char *code, const char *key)
{
	return row_of(t, code)->cells[col_of(t, key)].n;
}

/*
 * The hand case.  KEY is a single-choice item of the Occitanie
 * questionnaire, X and Y two of its answers; five teams no one coded:
 *   T1, T2, T3 answered X; T4, T5 answered Y.
 *   A on one open answer of T1, T2, T3 and T4; B on the same answer of
 *   T1 as A, and on an open answer of T4 other than the one with A.
 * And interview participant P (no structure: « non connu »), whose
 * transcript gets A on [0, 10), B on [5, 15) (overlapping) and B again
 * on [20, 25).
 * Matrix by KEY:  A: X 3, Y 1, unknown 1;  B: X 1, Y 1, unknown 1.
 * Co-occurrence (one answer, one passage): A–B: T1 and P = 2 (T4's A
 * and B are in two answers); diagonal A 5, B 3.
 */
START_TEST(matrix_and_cooccurrence_count_the_hand_case)
{
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	char args[512], fed[160], *key, *x, *y, *p;
	char *a[5], *b4;
	struct report_options o;
	struct msp_error err;
	struct rdoc *doc = NULL;
	const struct rtable *t;
	PGresult *res = NULL;
	const char *params[3];
	int i;

	cli_ok("", "codebook add --study " OCC " qm_a --label 'Matrice A'"
	       " --kind frein --has none", &out);
	cli_ok("", "codebook add --study " OCC " qm_b --label 'Matrice B'"
	       " --kind levier --has none", &out);
	/* the item: single choice, with the most teams answering it */
	key = strdup(value("SELECT a.item_key FROM msp.answer a"
			   "  JOIN msp.response r USING (response_id)"
			   "  JOIN msp.study s USING (study_id)"
			   " WHERE s.slug = '" OCC "' AND a.choice_code IS NOT"
			   " NULL AND NOT r.test AND r.status = 'complete'"
			   " GROUP BY 1 HAVING count(DISTINCT a.choice_code)"
			   "   >= 2 AND count(*) = count(DISTINCT"
			   "   a.response_id)"	/* one answer each */
			   " ORDER BY count(*) DESC, 1 LIMIT 1"));
	/* teams by their answer, with two open answers, not coded */
#define TEAMS \
	"SELECT r.response_id, min(o.answer_id) AS first," \
	"       max(o.answer_id) AS second" \
	"  FROM msp.response r JOIN msp.study s USING (study_id)" \
	"  JOIN msp.answer k ON k.response_id = r.response_id" \
	"   AND k.item_key = $1 AND k.choice_code = $2" \
	"  JOIN msp.answer o ON o.response_id = r.response_id" \
	"   AND char_length(o.text_value) > 1" \
	" WHERE s.slug = '" OCC "' AND NOT r.test AND r.status = 'complete'" \
	"   AND NOT EXISTS (SELECT 1 FROM msp.answer_code c" \
	"        WHERE c.response_id = r.response_id)" \
	" GROUP BY r.response_id HAVING count(DISTINCT o.item_key) >= 2" \
	" ORDER BY r.response_id"
	params[0] = key;
	/* X: a value with three such teams; Y: another with two */
	ck_assert(db_exec(conn, "values",
			  "SELECT k.choice_code, count(DISTINCT r.response_id)"
			  "  FROM msp.response r JOIN msp.study s"
			  "    USING (study_id)"
			  "  JOIN msp.answer k ON k.response_id = r.response_id"
			  "   AND k.item_key = $1 AND k.choice_code IS NOT NULL"
			  " WHERE s.slug = '" OCC "' AND NOT r.test"
			  "   AND r.status = 'complete'"
			  "   AND (SELECT count(DISTINCT o.item_key)"
			  "          FROM msp.answer o"
			  "         WHERE o.response_id = r.response_id"
			  "           AND char_length(o.text_value) > 1) >= 2"
			  "   AND NOT EXISTS (SELECT 1 FROM msp.answer_code c"
			  "        WHERE c.response_id = r.response_id)"
			  " GROUP BY 1 HAVING count(DISTINCT r.response_id)"
			  "   >= 2 ORDER BY 2 DESC, 1", 1, params,
			  PGRES_TUPLES_OK, &res, &err) == MSP_OK);
	ck_assert_int_ge(PQntuples(res), 2);
	ck_assert_int_ge(strtol(PQgetvalue(res, 0, 1), NULL, 10), 3);
	x = strdup(PQgetvalue(res, 0, 0));
	y = strdup(PQgetvalue(res, 1, 0));
	PQclear(res);
	params[1] = x;
	ck_assert(db_exec(conn, "X teams", TEAMS, 2, params, PGRES_TUPLES_OK,
			  &res, &err) == MSP_OK);
	for (i = 0; i < 3; i++)
		a[i] = strdup(PQgetvalue(res, i, 1));
	PQclear(res);
	params[1] = y;
	ck_assert(db_exec(conn, "Y teams", TEAMS, 2, params, PGRES_TUPLES_OK,
			  &res, &err) == MSP_OK);
	a[3] = strdup(PQgetvalue(res, 0, 1));
	b4 = strdup(PQgetvalue(res, 0, 2));
	a[4] = NULL;
	PQclear(res);
	for (i = 0; i < 4; i++) {
		snprintf(args, sizeof(args), "code apply --study " OCC
			 " --code qm_a --answer %s --resolved", a[i]);
		cli_ok("", args, &out);
	}
	snprintf(args, sizeof(args), "code apply --study " OCC " --code qm_b"
		 " --answer %s --resolved", a[0]);
	cli_ok("", args, &out);
	snprintf(args, sizeof(args), "code apply --study " OCC " --code qm_b"
		 " --answer %s --resolved", b4);
	cli_ok("", args, &out);
	/* participant P: the first without a transcript */
	p = strdup(value("SELECT min(i.participant_no) FROM msp.interview i"
			 "  JOIN msp.study s USING (study_id)"
			 " WHERE s.slug = '" OCC "' AND i.structure_id IS NULL"
			 "   AND NOT EXISTS (SELECT 1"
			 "        FROM msp.interview_transcript t"
			 "        WHERE t.interview_id = i.interview_id)"));
	snprintf(args, sizeof(args), "%s/p.txt", dir);
	{
		FILE *f = fopen(args, "w");

		ck_assert_ptr_nonnull(f);
		fputs("Le temps manque, les locaux aussi ; les réunions "
		      "aident.\n", f);
		fclose(f);
	}
	snprintf(args, sizeof(args), "code transcript --study " OCC
		 " --participant %s p.txt", p);
	cli_ok("", args, &out);
	snprintf(args, sizeof(args), "code apply --study " OCC " --code qm_a"
		 " --participant %s --from 0 --to 10 --resolved", p);
	cli_ok("", args, &out);
	snprintf(args, sizeof(args), "code apply --study " OCC " --code qm_b"
		 " --participant %s --from 5 --to 15 --resolved", p);
	cli_ok("", args, &out);
	snprintf(args, sizeof(args), "code apply --study " OCC " --code qm_b"
		 " --participant %s --from 20 --to 25 --resolved", p);
	cli_ok("", args, &out);

	report_options_init(&o);
	o.region = "occitanie";
	o.has = 1;
	snprintf(args, sizeof(args), "item:%s", key);
	o.matrix = args;
	o.cooccurrence = 1;
	ck_assert_msg(report_build(conn, &o, &doc, &err) == MSP_OK, "%s",
		      err.message);
	t = rdoc_find_table(doc, "has_matrix");
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(cell(t, "qm_a", x), 3);
	ck_assert_uint_eq(cell(t, "qm_a", y), 1);
	ck_assert_uint_eq(cell(t, "qm_a", "unknown"), 1);
	ck_assert_uint_eq(cell(t, "qm_b", x), 1);
	ck_assert_uint_eq(cell(t, "qm_b", y), 1);
	ck_assert_uint_eq(cell(t, "qm_b", "unknown"), 1);
	t = rdoc_find_table(doc, "has_cooccurrence");
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(cell(t, "qm_a", "qm_b"), 2);
	ck_assert_uint_eq(cell(t, "qm_b", "qm_a"), 2);
	ck_assert_uint_eq(cell(t, "qm_a", "qm_a"), 5);
	ck_assert_uint_eq(cell(t, "qm_b", "qm_b"), 3);
	rdoc_free(doc);
	doc = NULL;

	/* by region: A's five people in Occitanie's column */
	o.matrix = "region";
	o.cooccurrence = 0;
	ck_assert_msg(report_build(conn, &o, &doc, &err) == MSP_OK, "%s",
		      err.message);
	t = rdoc_find_table(doc, "has_matrix");
	ck_assert_uint_eq(cell(t, "qm_a", "occitanie"), 5);
	rdoc_free(doc);
	doc = NULL;

	/* a federation: the same tables, A's and B's small counts hidden;
	 * its interviews have no structure, so they are not its region's
	 * (msp.report_has_mentions' rule): its matrix has no "unknown" of
	 * ours */
	testdb_run_token(conn, OCC, "fed-codework");	/* as above */
	snprintf(fed, sizeof(fed), "MSP_TOKEN='fed-codework'");
	fed[strlen(fed) - 1] = '\0';
	o.token = fed + strlen("MSP_TOKEN='");
	snprintf(args, sizeof(args), "item:%s", key);
	o.matrix = args;
	o.cooccurrence = 1;
	ck_assert_msg(report_build(conn, &o, &doc, &err) == MSP_OK, "%s",
		      err.message);
	t = rdoc_find_table(doc, "has_matrix");
	ck_assert_ptr_nonnull(t);
	ck_assert(row_of(t, "qm_a")->cells[col_of(t, x)].suppressed);
	ck_assert_uint_eq(row_of(t, "qm_a")->cells[col_of(t, x)].n, 0);
	ck_assert(row_of(t, "qm_b")->cells[col_of(t, y)].suppressed);
	t = rdoc_find_table(doc, "has_cooccurrence");
	ck_assert_ptr_nonnull(t);
	ck_assert(row_of(t, "qm_a")->cells[col_of(t, "qm_b")].suppressed);
	ck_assert_ptr_null(rdoc_find_table(doc, "has_verbatim"));
	rdoc_free(doc);
	/* a multiple-choice item: each team's options joined, no error */
	cli_ok("", "--region occitanie --has --matrix item:info_content"
	       " --format csv", &out);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "has_matrix,"));
	/* the command line: every format, and its refusals */
	cli_ok("", "--region occitanie --has --cooccurrence --matrix stage"
	       " --format html", &out);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "Co-occurrence"));
	ck_assert_int_eq(cli("", "--region occitanie --matrix stage", &out),
			 2);
	ck_assert_int_eq(cli("", "--region occitanie --has --matrix 'x;y'",
			     &out), 2);
	for (i = 0; i < 4; i++)
		free(a[i]);
	free(b4);
	free(key);
	free(x);
	free(y);
	free(p);
	buf_free(&out);
}
END_TEST

/* --- agreement on interview passages, by sentence ------------------------- */

/* Field i (0-based) of the CSV line of out that starts with prefix. */
static double
field(const struct buf *out, const char *prefix, int i)
{
	const char *l = strstr(buf_str(out), prefix);

	ck_assert_msg(l != NULL, "no line %s in %s", prefix, buf_str(out));
	while (i-- > 0) {
		l = strchr(l, ',');
		ck_assert_ptr_nonnull(l);
		l++;
	}
	return strtod(l, NULL);
}

/*
 * The matrix's columns and the co-occurrence's codes have no cap (they
 * stopped at 64, silently: the 65th profession or code was not
 * printed).  70 codes on one open answer of a team no one coded: in
 * the co-occurrence every pair of them is that one team; 70 interview
 * participants, each with a profession of its own and a passage coded
 * with the first of them: the matrix by profession has a column for
 * every profession of a coded person, as many as the database has.
 */
START_TEST(matrix_and_cooccurrence_have_no_cap)
{
	static const char *const sql[] = {
		"INSERT INTO msp.study_code (study_id, code, kind, label_fr)"
		" SELECT s.study_id, 'cap_' || lpad(g::text, 2, '0'),"
		"        'other', 'Plafond ' || g"
		"   FROM msp.study s, generate_series(1, 70) g"
		"  WHERE s.slug = '" OCC "'",
		"INSERT INTO msp.answer_code (response_id, study_id, item_key,"
		"        code)"
		" SELECT o.response_id, o.study_id, o.item_key, c.code"
		"   FROM (SELECT a.response_id, r.study_id, a.item_key"
		"           FROM msp.answer a JOIN msp.response r"
		"             USING (response_id)"
		"           JOIN msp.study s USING (study_id)"
		"          WHERE s.slug = '" OCC "' AND NOT r.test"
		"            AND r.status = 'complete'"
		"            AND char_length(a.text_value) > 1"
		"            AND NOT EXISTS (SELECT 1 FROM msp.answer_code x"
		"                 WHERE x.response_id = r.response_id)"
		"          ORDER BY a.answer_id LIMIT 1) o"
		"   JOIN msp.study_code c ON c.study_id = o.study_id"
		"    AND c.code LIKE 'cap\\_%'",
		"INSERT INTO msp.interview (study_id, participant_no,"
		"        profession, consent_recorded)"
		" SELECT s.study_id, 30000 + g, 'Profession ' || g, true"
		"   FROM msp.study s, generate_series(1, 70) g"
		"  WHERE s.slug = '" OCC "'",
		"INSERT INTO msp.segment (interview_id, study_id, code,"
		"        verbatim_fr)"
		" SELECT i.interview_id, i.study_id, 'cap_01', 'plafond'"
		"   FROM msp.interview i JOIN msp.study s USING (study_id)"
		"  WHERE s.slug = '" OCC "' AND i.participant_no > 30000",
	};
	/* the values of the matrix's attribute among coded people:
	 * participants' professions, '' (« non connu ») for teams */
	static const char professions[] =
		"SELECT count(DISTINCT p) FROM ("
		" SELECT coalesce(i.profession, '') AS p"
		"   FROM msp.segment g JOIN msp.interview i"
		"     USING (interview_id)"
		"   JOIN msp.study s ON s.study_id = i.study_id"
		"  WHERE s.slug = '" OCC "' AND g.state = 'resolved'"
		" UNION ALL"
		" SELECT '' FROM msp.answer_code ac"
		"   JOIN msp.study s USING (study_id)"
		"   JOIN msp.response r USING (response_id)"
		"  WHERE s.slug = '" OCC "' AND ac.state = 'resolved'"
		"    AND r.status = 'complete' AND NOT r.test) x";
	struct report_options o;
	struct msp_error err;
	struct rdoc *doc = NULL;
	const struct rtable *t;
	char a[16], b[16];
	size_t i;
	int k, l;

	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++)
		ck_assert_msg(db_exec(conn, "cap", sql[i], 0, NULL,
				      PGRES_COMMAND_OK, NULL, &err) == MSP_OK,
			      "%s", err.message);
	ck_assert_uint_eq(count("SELECT count(*) FROM msp.answer_code "
				"WHERE code LIKE 'cap\\_%'"), 70);
	report_options_init(&o);
	o.region = "occitanie";
	o.has = 1;
	o.matrix = "profession";
	o.cooccurrence = 1;
	ck_assert_msg(report_build(conn, &o, &doc, &err) == MSP_OK, "%s",
		      err.message);
	t = rdoc_find_table(doc, "has_matrix");
	ck_assert_ptr_nonnull(t);
	ck_assert_uint_gt(count(professions), 70);
	ck_assert_uint_eq(t->ncols, count(professions));
	ck_assert_uint_eq(cell(t, "cap_01", "Profession 70"), 1);
	t = rdoc_find_table(doc, "has_cooccurrence");
	ck_assert_ptr_nonnull(t);
	for (k = 1; k <= 70; k++)
		for (l = 1; l <= 70; l++) {
			snprintf(a, sizeof(a), "cap_%02d", k);
			snprintf(b, sizeof(b), "cap_%02d", l);
			/* cap_01 is also on the 70 passages */
			ck_assert_uint_eq(cell(t, a, b),
					  k == 1 && l == 1 ? 71 : 1);
		}
	rdoc_free(doc);
}
END_TEST

/*
 * The transcript « Le temps manque. Les locaux aussi ! Et les réunions ?
 * Rien d'autre. » has four sentences: [0, 16) [17, 35) [36, 53)
 * [54, 67).  Coder 1: X on [0, 16), Y on [17, 53); coder 2: X on
 * [3, 20), Y on [40, 45).  By sentence (s1..s4):
 *   X: 1 0 0 0 / 1 1 0 0: p_o 3/4, p_e 1/4·1/2 + 3/4·1/2 = 1/2, κ 1/2;
 *      α: n 8, n_1 3, Σ o_ck 2 (s2), α = 1 − 7·2 / (2·5·3) = 8/15.
 *   Y: 0 1 1 0 / 0 0 1 0: the same figures, κ 1/2, α 8/15.
 *   overall κ 1 − (1/4 + 1/4) / (1/2 + 1/2) = 1/2,
 *   overall α 1 − 7·4 / 60 = 8/15.
 */
START_TEST(agreement_on_passages_by_sentence)
{
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	char env[2][160], args[512], *p;
	size_t *b = NULL, n;
	struct msp_error err;
	FILE *f;
	int i;
	static const size_t want[8] = { 0, 16, 17, 35, 36, 53, 54, 67 };
	static const char *const apply[4][4] = {
		{ "0", "qa_x", "0", "16" }, { "0", "qa_y", "17", "53" },
		{ "1", "qa_x", "3", "20" }, { "1", "qa_y", "40", "45" },
	};

#define TEXT "Le temps manque. Les locaux aussi ! Et les réunions ?\n" \
	"Rien d'autre.\n"
	/* the sentences, by hand */
	ck_assert_int_eq(agreement_sentences(TEXT, &b, &n, &err), MSP_OK);
	ck_assert_uint_eq(n, 4);
	for (i = 0; i < 8; i++)
		ck_assert_uint_eq(b[i], want[i]);
	msp_free(b);
	ck_assert_int_eq(agreement_sentences("« Non. » Puis\n\n  rien",
					     &b, &n, &err), MSP_OK);
	ck_assert_uint_eq(n, 3);	/* « Non. » | Puis | rien */
	ck_assert_uint_eq(b[1], 8);
	msp_free(b);

	cli_ok("", "codebook add --study " OCC " qa_x --label 'Passage X'"
	       " --kind frein --has none", &out);
	cli_ok("", "codebook add --study " OCC " qa_y --label 'Passage Y'"
	       " --kind levier --has none", &out);
	token("analyst", "qa_1", env[0], sizeof(env[0]));
	token("analyst", "qa_2", env[1], sizeof(env[1]));
	p = strdup(value("SELECT max(i.participant_no) FROM msp.interview i"
			 "  JOIN msp.study s USING (study_id)"
			 " WHERE s.slug = '" OCC "' AND NOT EXISTS (SELECT 1"
			 "        FROM msp.interview_transcript t"
			 "        WHERE t.interview_id = i.interview_id)"));
	snprintf(args, sizeof(args), "%s/t.txt", dir);
	f = fopen(args, "w");
	ck_assert_ptr_nonnull(f);
	fputs(TEXT, f);
	fclose(f);
	snprintf(args, sizeof(args), "code transcript --study " OCC
		 " --participant %s t.txt", p);
	cli_ok("", args, &out);
	for (i = 0; i < 4; i++) {
		snprintf(args, sizeof(args), "code apply --study " OCC
			 " --code %s --participant %s --from %s --to %s",
			 apply[i][1], p, apply[i][2], apply[i][3]);
		cli_ok(env[apply[i][0][0] - '0'], args, &out);
	}
	cli_ok(env[0], "agreement --study " OCC " --unit-label segment"
	       " --format csv", &out);
	/* scope,code,unit_kind,coders,applied,kappa_units,p_o,p_e,kappa,
	 * kappa_undefined,alpha_units,alpha_values,d_o,d_e,alpha */
	ck_assert_double_eq_tol(field(&out, "code,qa_x,segment,2,", 8),
				0.5, 1e-12);
	ck_assert_double_eq_tol(field(&out, "code,qa_x,segment,2,", 14),
				8.0 / 15, 1e-12);
	ck_assert_double_eq_tol(field(&out, "code,qa_y,segment,2,", 8),
				0.5, 1e-12);
	ck_assert_double_eq_tol(field(&out, "code,qa_y,segment,2,", 14),
				8.0 / 15, 1e-12);
	ck_assert_double_eq_tol(field(&out, "overall,,segment,2,", 8), 0.5,
				1e-12);
	ck_assert_double_eq_tol(field(&out, "overall,,segment,2,", 14),
				8.0 / 15, 1e-12);
	/* four sentences, both coders' */
	ck_assert_double_eq_tol(field(&out, "code,qa_x,segment,2,", 5), 4,
				1e-12);
	/* text: the unit is stated */
	cli_ok(env[1], "agreement --study " OCC " --unit-label segment",
	       &out);
	ck_assert_ptr_nonnull(strstr(buf_str(&out), "segment"));
	ck_assert_int_eq(cli(env[1], "agreement --study " OCC " --unit-label"
			     " segment --item freins", &out), 2);
	free(p);
	buf_free(&out);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("codework");
	TCase *tc = tcase_create("codework");

	tcase_add_unchecked_fixture(tc, load_shared, drop_shared);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, suggest_scores_the_hand_computed_case);
	tcase_add_test(tc, disagreements_are_listed_and_resolved);
	tcase_add_test(tc, suggestions_are_not_codings_until_accepted);
	tcase_add_test(tc, matrix_and_cooccurrence_count_the_hand_case);
	tcase_add_test(tc, agreement_on_passages_by_sentence);
	tcase_add_test(tc, matrix_and_cooccurrence_have_no_cap);
	suite_add_tcase(s, tc);
	return testdb_run(s);
}
