/*
 * The synthetic data generator (lib/synth.c, lib/rng.c): reproducible
 * from its seed, every answer valid for its instrument — by SQL written
 * here, by the database's own trigger and foreign keys (checked mode)
 * and by the API's validator (lib/submission.c) — counts as reported,
 * the study marked synthetic, and nothing stored when anything fails.
 */
#include "config.h"

#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "instrument.h"
#include "rng.h"
#include "submission.h"
#include "synth.h"
#include "testdb.h"

/* Small enough to keep the suite to seconds, large enough that every
 * item, option and "show if" path turns up. */
#define N_RESPONSES 500

static struct testdb db;	/* migrated, reference data loaded */
static PGconn *conn;		/* this test's own connection */

static void
case_setup(void)
{
	testdb_open(&db);
	testdb_load(&db, NULL);
	testdb_load_reference(&db);
}

static void
case_teardown(void)
{
	testdb_close(&db);
}

static void
test_setup(void)
{
	conn = testdb_connect(&db);
	/* The fresh tables have no statistics yet: the planner's guesses
	 * would make it compile the checks below for seconds. */
	PQclear(PQexec(conn, "SET jit = off"));
}

static void
test_teardown(void)
{
	PQfinish(conn);
	conn = NULL;
}

static const char *
value(const char *sql)
{
	return testdb_value(conn, sql);
}

static long
count(const char *sql)
{
	return strtol(value(sql), NULL, 10);
}

static void
run(PGconn *c, const char *sql)
{
	struct msp_error err;

	ck_assert_msg(db_exec(c, "test", sql, 0, NULL, PGRES_COMMAND_OK,
			      NULL, &err) == MSP_OK, "%s: %s", sql,
		      err.message);
}

static struct synth_options
options(const char *region, uint64_t seed, long responses)
{
	struct synth_options opt = {
		.region = region, .seed = seed, .responses = responses,
		.year = 2024,
	};

	return opt;
}

static void
generate_ok(PGconn *c, const struct synth_options *opt,
	    struct synth_result *res)
{
	struct msp_error err;

	ck_assert_msg(synth_generate(c, opt, res, &err) == MSP_OK, "%s",
		      err.message);
}

/* What a failed run leaves: it must be what was there before. */
static const char *
stored(void)
{
	static char s[256];

	snprintf(s, sizeof(s), "%s", value(
		"SELECT (SELECT count(*) FROM msp.study) || '/' ||"
		" (SELECT count(*) FROM msp.structure) || '/' ||"
		" (SELECT count(*) FROM msp.structure_staff) || '/' ||"
		" (SELECT count(*) FROM msp.population) || '/' ||"
		" (SELECT count(*) FROM msp.contact) || '/' ||"
		" (SELECT count(*) FROM msp.response) || '/' ||"
		" (SELECT count(*) FROM msp.answer) || '/' ||"
		" (SELECT count(*) FROM msp_audit.log)"));
	return s;
}

/* --- rng ----------------------------------------------------------------- */

START_TEST(rng_is_reproducible)
{
	struct rng a, b;
	uint64_t state = 0;
	double w[4] = { 0, 2, 0, 1 };
	int i, seen[4] = { 0 };

	/* splitmix64's published first output from 0 */
	ck_assert_uint_eq(rng_splitmix64(&state),
			  UINT64_C(0xe220a8397b1dcdaf));
	rng_stream(&a, 42, 3, 7);
	rng_stream(&b, 42, 3, 7);
	for (i = 0; i < 100; i++)
		ck_assert_uint_eq(rng_next(&a), rng_next(&b));
	/* a neighbouring stream is another stream */
	rng_stream(&a, 42, 3, 7);
	rng_stream(&b, 42, 3, 8);
	ck_assert_uint_ne(rng_next(&a), rng_next(&b));
	/* pinned: a change here changes every synthetic data set */
	rng_stream(&a, 1, 2, 3);
	ck_assert_uint_eq(rng_next(&a), UINT64_C(0xca69c028e6e283e8));
	for (i = 0; i < 10000; i++) {
		double u = rng_unit(&a);
		int64_t r = rng_range(&a, -3, 3);

		ck_assert(u >= 0 && u < 1);
		ck_assert(r >= -3 && r <= 3);
		ck_assert_uint_lt(rng_below(&a, 5), 5);
		seen[rng_weighted(&a, w, 4)]++;
	}
	ck_assert_int_eq(seen[0] + seen[2], 0);	/* weight 0: never */
	ck_assert_int_gt(seen[1], seen[3]);
	ck_assert_uint_eq(rng_below(&a, 0), 0);
	ck_assert_int_eq(rng_range(&a, 5, 5), 5);
}
END_TEST

/* --- core ---------------------------------------------------------------- */

START_TEST(counts_and_marking)
{
	struct synth_options opt = options("pays-de-la-loire", 11,
					   N_RESPONSES);
	struct synth_result res;
	char sql[1024];

	generate_ok(conn, &opt, &res);
	ck_assert_str_eq(res.study_slug, "synthetic-pays-de-la-loire-11");
	ck_assert_int_eq(res.responses, N_RESPONSES);
	ck_assert_int_eq(res.structures, synth_default_structures(500));
	ck_assert_int_eq(res.structures, 1000);
	ck_assert_int_eq(res.staff, 8 * res.structures);
	ck_assert_int_gt(res.answers, 10 * N_RESPONSES);

	ck_assert_str_eq(value(
		"SELECT synthetic || ' ' || reconstructed || ' ' || year"
		" || ' ' || target_size || ' ' || r.slug || ' '"
		" || (source_note LIKE 'Synthetic data%seed 11,%')"
		" || ' ' || i.slug"
		" FROM msp.study s JOIN msp.region r USING (region_id)"
		" JOIN msp.instrument i USING (instrument_id)"
		" WHERE s.slug = 'synthetic-pays-de-la-loire-11'"),
		"true false 2024 1000 pays-de-la-loire true pdl-2019");
	/* the sources' studies are not synthetic */
	ck_assert_int_eq(count("SELECT count(*) FROM msp.study"
			       " WHERE synthetic"), 1);

	snprintf(sql, sizeof(sql),
		 "SELECT (SELECT count(*) FROM msp.population"
		 "         WHERE study_id = %1$d AND active)"
		 " || ' ' || (SELECT count(*) FROM msp.structure_staff"
		 "         JOIN msp.population USING (structure_id)"
		 "        WHERE study_id = %1$d)"
		 " || ' ' || (SELECT count(*) FROM msp.contact"
		 "        WHERE study_id = %1$d)"
		 " || ' ' || (SELECT count(*) FROM msp.response"
		 "        WHERE study_id = %1$d)"
		 " || ' ' || (SELECT count(*) FROM msp.answer"
		 "         JOIN msp.response USING (response_id)"
		 "        WHERE study_id = %1$d)", res.study_id);
	{
		char want[128];

		snprintf(want, sizeof(want), "%ld %ld %ld %ld %ld",
			 res.structures, res.staff, res.contacts,
			 res.responses, res.answers);
		ck_assert_str_eq(value(sql), want);
	}

	/* structures: pseudonyms, the region's départements, a plausible
	 * team; a federation only where membership says so */
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM msp.structure s"
		 "  JOIN msp.population p USING (structure_id)"
		 " WHERE p.study_id = %d"
		 "   AND NOT (s.pseudonym ~ '^[0-9a-f]{64}$'"
		 "   AND s.departement IN ('44', '49', '53', '72', '85')"
		 "   AND s.structure_type IS NOT NULL AND s.n_sites >= 1"
		 "   AND s.opening_year BETWEEN 2012 AND 2024"
		 "   AND s.project_validation_year <= s.opening_year"
		 "   AND (s.aci_signatory IS NOT NULL) ="
		 "       (s.structure_type = 'msp')"
		 "   AND (s.federation_id IS NOT NULL) ="
		 "       (s.federation_member = 'oui'))", res.study_id);
	ck_assert_int_eq(count(sql), 0);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM msp.structure_staff f"
		 "  JOIN msp.population p USING (structure_id)"
		 " WHERE p.study_id = %d AND f.category = 'mg'"
		 "   AND f.headcount BETWEEN 1 AND 17", res.study_id);
	ck_assert_int_eq(count(sql), res.structures);

	/* responses: in the population, in the fieldwork, complete ones
	 * submitted, keys unique to the study */
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM msp.response r"
		 "  LEFT JOIN msp.population p"
		 "    ON p.study_id = r.study_id"
		 "   AND p.structure_id = r.structure_id"
		 " WHERE r.study_id = %d AND (p.structure_id IS NULL"
		 "   OR r.started_at < '2024-03-01'"
		 "   OR r.started_at >= '2024-06-01'"
		 "   OR (r.status = 'complete') <> (r.submitted_at IS NOT NULL)"
		 "   OR r.idempotency_key NOT LIKE"
		 "      'synthetic:synthetic-pays-de-la-loire-11:%%')",
		 res.study_id);
	ck_assert_int_eq(count(sql), 0);

	/* one audit row per table records the bulk load; no row-level
	 * audit rows were written by the bypassed triggers */
	snprintf(sql, sizeof(sql),
		 "SELECT string_agg(table_name || ':' || (new_row->>'rows'),"
		 "  ',' ORDER BY table_name) FROM msp_audit.log"
		 " WHERE (new_row->>'study_id')::int = %d"
		 "   AND new_row->>'bulk_load' = 'synthetic'"
		 "   AND actor = 'msp-report generate'", res.study_id);
	{
		char want[128];

		snprintf(want, sizeof(want), "answer:%ld,response:%ld",
			 res.answers, res.responses);
		ck_assert_str_eq(value(sql), want);
	}
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM msp_audit.log WHERE row_id BETWEEN"
		 " %" PRId64 " AND %" PRId64 " AND table_name = 'response'",
		 res.first_response_id, res.last_response_id);
	ck_assert_int_eq(count(sql), 0);
}
END_TEST

/*
 * Every answer of study study_id satisfies its item, as the trigger of
 * 0003 and the instrument define it; SQL of this test's own, not the
 * generator's.
 */
static void
assert_answers_valid(int study_id)
{
	static const char *const rules[] = {
		/* type, option, bounds, whole numbers, length */
		"SELECT count(*) FROM msp.answer a"
		"  JOIN msp.response r USING (response_id)"
		"  JOIN msp.instrument_item it ON it.instrument_id ="
		"       r.instrument_id AND it.item_key = a.item_key"
		" WHERE r.study_id = $1::integer"
		"   AND a.instrument_id = r.instrument_id"
		"   AND NOT CASE it.item_type"
		"   WHEN 'number' THEN a.num_value IS NOT NULL"
		"    AND a.num_value >= coalesce(it.min_value, a.num_value)"
		"    AND a.num_value <= coalesce(it.max_value, a.num_value)"
		"    AND (NOT it.integer_only"
		"         OR a.num_value = round(a.num_value))"
		"   WHEN 'text' THEN length(a.text_value)"
		"        BETWEEN 1 AND coalesce(it.max_length, 5000)"
		"   WHEN 'boolean' THEN a.bool_value IS NOT NULL"
		"   ELSE EXISTS (SELECT 1 FROM msp.item_option o"
		"         WHERE o.instrument_id = it.instrument_id"
		"           AND o.item_key = it.item_key"
		"           AND o.code = a.choice_code) END",
		/* an answer to an item not asked */
		"SELECT count(*) FROM msp.answer a"
		"  JOIN msp.response r USING (response_id)"
		"  JOIN msp.instrument_item it ON it.instrument_id ="
		"       r.instrument_id AND it.item_key = a.item_key"
		" WHERE r.study_id = $1::integer"
		"   AND it.show_if_item IS NOT NULL"
		"   AND NOT EXISTS (SELECT 1 FROM msp.answer c"
		"        WHERE c.response_id = a.response_id"
		"          AND c.item_key = it.show_if_item"
		"          AND c.choice_code = ANY (it.show_if_values))",
		/* a single choice or a single value given twice */
		"SELECT count(*) FROM (SELECT 1 FROM msp.answer a"
		"  JOIN msp.response r USING (response_id)"
		"  JOIN msp.instrument_item it ON it.instrument_id ="
		"       r.instrument_id AND it.item_key = a.item_key"
		" WHERE r.study_id = $1::integer"
		"   AND it.item_type <> 'multiple_choice'"
		" GROUP BY a.response_id, a.item_key HAVING count(*) > 1) x",
		/* a required item asked but not answered, when complete */
		"SELECT count(*) FROM msp.response r"
		"  JOIN msp.instrument_item it USING (instrument_id)"
		" WHERE r.study_id = $1::integer AND r.status = 'complete'"
		"   AND it.required"
		"   AND (it.show_if_item IS NULL OR EXISTS (SELECT 1"
		"        FROM msp.answer c WHERE c.response_id = r.response_id"
		"         AND c.item_key = it.show_if_item"
		"         AND c.choice_code = ANY (it.show_if_values)))"
		"   AND NOT EXISTS (SELECT 1 FROM msp.answer a"
		"        WHERE a.response_id = r.response_id"
		"          AND a.item_key = it.item_key)",
	};
	char id[16];
	const char *params[1] = { id };
	struct msp_error err;
	PGresult *res = NULL;
	size_t k;

	snprintf(id, sizeof(id), "%d", study_id);
	for (k = 0; k < sizeof(rules) / sizeof(rules[0]); k++) {
		ck_assert_msg(db_exec(conn, "rule", rules[k], 1, params,
				      PGRES_TUPLES_OK, &res, &err) == MSP_OK,
			      "%s", err.message);
		ck_assert_msg(strcmp(PQgetvalue(res, 0, 0), "0") == 0,
			      "rule %zu: %s rows break it", k,
			      PQgetvalue(res, 0, 0));
		PQclear(res);
	}
}

/*
 * Reads every response of study_id back and gives it to the API's
 * validator (lib/submission.c), as a complete submission when it is
 * complete: an implementation of the rules written by someone else.
 */
static void
assert_submissions_valid(int study_id, int instrument_id)
{
	struct instrument *ins = NULL;
	struct submission *sub = NULL;
	struct msp_error err;
	PGresult *res = NULL;
	char id[16];
	const char *params[1] = { id };
	long current = -1, n_responses = 0;
	int row, n, complete = 0;

	ck_assert_msg(instrument_load(conn, instrument_id, &ins, &err) ==
		      MSP_OK, "%s", err.message);
	snprintf(id, sizeof(id), "%d", study_id);
	ck_assert_msg(db_exec(conn, "answers",
		"SELECT r.response_id, r.status = 'complete' AS complete,"
		"       a.item_key, a.choice_code, a.num_value::text AS num,"
		"       a.text_value, a.bool_value"
		"  FROM msp.response r"
		"  LEFT JOIN msp.answer a USING (response_id)"
		" WHERE r.study_id = $1 ORDER BY r.response_id",
		1, params, PGRES_TUPLES_OK, &res, &err) == MSP_OK, "%s",
		err.message);
	n = PQntuples(res);
	for (row = 0; row <= n; row++) {
		long rid = row < n ? strtol(PQgetvalue(res, row, 0), NULL, 10)
				   : -2;

		if (rid != current && sub != NULL) {
			enum msp_status st = submission_validate(
				sub, complete ? SUBMISSION_COMPLETE : 0, &err);
			size_t ne = 0;
			const struct field_error *fe =
				submission_errors(sub, &ne);

			ck_assert_msg(st == MSP_OK, "response %ld: %s: %s %s",
				      current, err.message,
				      ne ? fe[0].field : "",
				      ne ? fe[0].message : "");
			submission_free(sub);
			sub = NULL;
			n_responses++;
		}
		if (row == n)
			break;
		if (rid != current) {
			current = rid;
			complete = PQgetvalue(res, row, 1)[0] == 't';
			sub = submission_new(ins);
			ck_assert_ptr_nonnull(sub);
		}
		if (PQgetisnull(res, row, 2))
			continue;	/* a response with no answer */
		if (!PQgetisnull(res, row, 3))
			ck_assert(submission_add(sub, PQgetvalue(res, row, 2),
				  RAW_TEXT, PQgetvalue(res, row, 3), &err)
				  == MSP_OK);
		else if (!PQgetisnull(res, row, 4))
			ck_assert(submission_add(sub, PQgetvalue(res, row, 2),
				  RAW_NUMBER, PQgetvalue(res, row, 4), &err)
				  == MSP_OK);
		else if (!PQgetisnull(res, row, 5))
			ck_assert(submission_add(sub, PQgetvalue(res, row, 2),
				  RAW_TEXT, PQgetvalue(res, row, 5), &err)
				  == MSP_OK);
		else
			ck_assert(submission_add(sub, PQgetvalue(res, row, 2),
				  RAW_BOOL, PQgetvalue(res, row, 6)[0] == 't'
				  ? "true" : "false", &err) == MSP_OK);
	}
	ck_assert_int_gt(n_responses, 0);
	PQclear(res);
	instrument_free(ins);
}

START_TEST(answers_satisfy_the_instrument)
{
	static const char *const regions[] = { "pays-de-la-loire",
					       "occitanie" };
	struct synth_result res;
	size_t k;

	for (k = 0; k < 2; k++) {
		struct synth_options opt = options(regions[k], 12,
						   N_RESPONSES);

		char sql[128];

		generate_ok(conn, &opt, &res);
		assert_answers_valid(res.study_id);
		snprintf(sql, sizeof(sql), "SELECT instrument_id FROM"
			 " msp.study WHERE study_id = %d", res.study_id);
		assert_submissions_valid(res.study_id, (int)count(sql));
	}
	/* every path was taken: conditional items answered, partial
	 * responses, several respondents for some structures */
	ck_assert_int_gt(count("SELECT count(*) FROM msp.answer a"
			       " JOIN msp.response r USING (response_id)"
			       " JOIN msp.study s USING (study_id)"
			       " JOIN msp.instrument_item it ON"
			       " it.instrument_id = a.instrument_id AND"
			       " it.item_key = a.item_key"
			       " WHERE s.synthetic"
			       "   AND it.show_if_item IS NOT NULL"), 100);
	ck_assert_int_gt(count("SELECT count(*) FROM msp.response r"
			       " JOIN msp.study s USING (study_id)"
			       " WHERE s.synthetic AND status = 'partial'"), 0);
}
END_TEST

/* Through the answer check, the foreign keys and the audit triggers:
 * the database checks every row itself. */
START_TEST(checked_load_passes_the_database_checks)
{
	struct synth_options opt = options("occitanie", 13, 200);
	struct synth_result res;
	char sql[512];

	opt.checked = 1;
	generate_ok(conn, &opt, &res);
	assert_answers_valid(res.study_id);
	/* the row-level audit trail was written, naming the generator */
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM msp_audit.log WHERE table_name ="
		 " 'answer' AND actor = 'msp-report generate'"
		 " AND (new_row->>'response_id')::bigint BETWEEN %" PRId64
		 " AND %" PRId64, res.first_response_id, res.last_response_id);
	ck_assert_int_eq(count(sql), res.answers);
	opt = options("pays-de-la-loire", 13, 200);
	opt.checked = 1;
	generate_ok(conn, &opt, &res);
	assert_answers_valid(res.study_id);
}
END_TEST

/* --- reproducibility ----------------------------------------------------- */

/* A digest of everything study slug holds, ids taken relative to the
 * study's first, pseudonyms and keys apart. */
static const char *
fingerprint(PGconn *c, const char *slug)
{
	static char digest[64];
	const char *params[1] = { slug };
	struct msp_error err;
	PGresult *res = NULL;

	ck_assert_msg(db_exec(c, "fingerprint",
		"WITH s AS (SELECT study_id FROM msp.study WHERE slug = $1),"
		" st AS (SELECT p.structure_id, p.structure_id - min("
		"   p.structure_id) OVER () AS n FROM msp.population p, s"
		"   WHERE p.study_id = s.study_id),"
		" r AS (SELECT r.*, r.response_id - min(r.response_id) OVER ()"
		"   AS n FROM msp.response r, s WHERE r.study_id = s.study_id)"
		" SELECT md5(string_agg(x, E'\\n' ORDER BY x)) FROM ("
		"  SELECT concat_ws('|', 's', st.n, x.structure_type,"
		"    x.departement, x.n_sites, x.opening_year,"
		"    x.project_validation_year, x.aci_signatory, x.cpts, x.cls,"
		"    x.federation_member, x.federation_id) AS x"
		"   FROM st JOIN msp.structure x USING (structure_id)"
		"  UNION ALL SELECT concat_ws('|', 'f', st.n, f.category,"
		"    f.headcount) FROM st JOIN msp.structure_staff f"
		"    USING (structure_id)"
		"  UNION ALL SELECT concat_ws('|', 'c', st.n, c.kind,"
		"    c.channel, c.contacted_on) FROM st JOIN msp.contact c"
		"    USING (structure_id)"
		"  UNION ALL SELECT concat_ws('|', 'r', r.n, st.n,"
		"    r.respondent_role, r.started_at, r.submitted_at, r.status)"
		"    FROM r JOIN st USING (structure_id)"
		"  UNION ALL SELECT concat_ws('|', 'a', r.n, a.item_key,"
		"    a.choice_code, a.num_value, a.text_value, a.bool_value)"
		"    FROM r JOIN msp.answer a USING (response_id)) y",
		1, params, PGRES_TUPLES_OK, &res, &err) == MSP_OK, "%s",
		err.message);
	snprintf(digest, sizeof(digest), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	ck_assert_int_eq((int)strlen(digest), 32);
	return digest;
}

START_TEST(same_seed_same_rows)
{
	struct synth_options opt = options("occitanie", 21, N_RESPONSES);
	struct synth_result res;
	struct testdb other = { .conn = NULL };
	char first[64], pseudonyms[64];

	generate_ok(conn, &opt, &res);
	snprintf(first, sizeof(first), "%s",
		 fingerprint(conn, "synthetic-occitanie-21"));
	snprintf(pseudonyms, sizeof(pseudonyms), "%s", value(
		"SELECT md5(string_agg(pseudonym, ',' ORDER BY structure_id))"
		"  FROM msp.structure JOIN msp.population USING (structure_id)"
		"  JOIN msp.study USING (study_id)"
		" WHERE slug = 'synthetic-occitanie-21'"));

	/* another database, the same reference data: the same rows */
	testdb_open(&other);
	testdb_load(&other, NULL);
	testdb_load_reference(&other);
	generate_ok(other.conn, &opt, &res);
	ck_assert_str_eq(fingerprint(other.conn, "synthetic-occitanie-21"),
			 first);
	ck_assert_str_eq(testdb_value(other.conn,
		"SELECT md5(string_agg(pseudonym, ',' ORDER BY structure_id))"
		"  FROM msp.structure JOIN msp.population USING (structure_id)"
		"  JOIN msp.study USING (study_id)"
		" WHERE slug = 'synthetic-occitanie-21'"), pseudonyms);

	/* another seed: other rows */
	opt.seed = 22;
	generate_ok(other.conn, &opt, &res);
	ck_assert_str_ne(fingerprint(other.conn, "synthetic-occitanie-22"),
			 first);
	testdb_close(&other);
}
END_TEST

/* --- options ------------------------------------------------------------- */

START_TEST(options_shape_the_study)
{
	struct synth_options opt = options("pays-de-la-loire", 31, 200);
	struct synth_result res;

	/* a small population: teams answer several times, all of them
	 * from the population */
	opt.structures = 20;
	opt.like = "occitanie-2024";
	opt.study_slug = "load-test";
	opt.year = 2030;
	generate_ok(conn, &opt, &res);
	ck_assert_str_eq(res.study_slug, "load-test");
	ck_assert_str_eq(value(
		"SELECT i.slug || ' ' || s.year || ' ' || s.target_size"
		" || ' ' || s.fieldwork_start || ' ' || s.fieldwork_end"
		" FROM msp.study s JOIN msp.instrument i USING (instrument_id)"
		" WHERE s.slug = 'load-test'"),
		"occitanie-2024 2030 20 2030-03-01 2030-05-31");
	ck_assert_str_eq(value(
		"SELECT (count(DISTINCT r.structure_id) <= 20"
		"        AND count(*) = 200)::text"
		"  FROM msp.response r JOIN msp.study s USING (study_id)"
		" WHERE s.slug = 'load-test'"), "true");

	/* no responses at all: the population and contacts only */
	opt = options("occitanie", 32, 0);
	opt.instrument = "pdl-2019:1";
	generate_ok(conn, &opt, &res);
	ck_assert_int_eq(res.responses, 0);
	ck_assert_int_eq(res.answers, 0);
	ck_assert_int_eq(res.structures, 1);
	ck_assert_int_eq(count("SELECT count(*) FROM msp.response"
			       " JOIN msp.study USING (study_id)"
			       " WHERE slug = 'synthetic-occitanie-32'"), 0);
}
END_TEST

/* --- errors -------------------------------------------------------------- */

static void
expect_failure(const struct synth_options *opt, enum msp_status want,
	       const char *message_part)
{
	struct synth_result res;
	struct msp_error err;
	char before[256];

	snprintf(before, sizeof(before), "%s", stored());
	ck_assert_int_eq(synth_generate(conn, opt, &res, &err), want);
	ck_assert_msg(strstr(err.message, message_part) != NULL,
		      "'%s' lacks '%s'", err.message, message_part);
	ck_assert_str_eq(stored(), before);
	/* the connection is usable again: nothing left open */
	ck_assert_int_eq(PQtransactionStatus(conn), PQTRANS_IDLE);
}

START_TEST(bad_options_store_nothing)
{
	struct synth_options opt = options("nowhere", 1, 50);

	expect_failure(&opt, MSP_EINVAL, "no region 'nowhere'");
	opt = options("occitanie", 1, 50);
	opt.instrument = "no-such-instrument";
	expect_failure(&opt, MSP_EINVAL, "no instrument");
	opt.instrument = "pdl-2019:9";
	expect_failure(&opt, MSP_EINVAL, "no instrument");
	opt.instrument = NULL;
	opt.like = "no-such-study";
	expect_failure(&opt, MSP_EINVAL, "no study");
	opt.like = "pdl-2019";
	opt.instrument = "pdl-2019";
	expect_failure(&opt, MSP_EINVAL, "not both");
	opt = options("occitanie", 1, 50);
	opt.study_slug = "Not A Slug";
	expect_failure(&opt, MSP_EINVAL, "study slug");
	opt.study_slug = "pdl-2019";		/* taken */
	expect_failure(&opt, MSP_EINVAL, "already exists");
	opt = options("occitanie", 1, SYNTH_RESPONSES_MAX + 1);
	expect_failure(&opt, MSP_EINVAL, "responses");
	opt = options("occitanie", 1, 50);
	opt.year = 1999;
	expect_failure(&opt, MSP_EINVAL, "year");
}
END_TEST

/* A failure in the middle of the load (here the 300th response, refused
 * by a trigger that fires even in replica mode) takes everything back,
 * the structures and contacts already copied included. */
START_TEST(failure_in_the_load_stores_nothing)
{
	struct synth_options opt = options("pays-de-la-loire", 41,
					   N_RESPONSES);

	run(conn, "CREATE FUNCTION public.refuse() RETURNS trigger"
	    " LANGUAGE plpgsql AS $$ BEGIN"
	    "  IF NEW.idempotency_key LIKE '%:000000299' THEN"
	    "   RAISE EXCEPTION 'refused by the test'; END IF;"
	    "  RETURN NEW; END $$");
	run(conn, "CREATE TRIGGER refuse BEFORE INSERT ON msp.response"
	    " FOR EACH ROW EXECUTE FUNCTION public.refuse()");
	run(conn, "ALTER TABLE msp.response ENABLE ALWAYS TRIGGER refuse");
	expect_failure(&opt, MSP_EDB, "refused by the test");
	opt.checked = 1;
	expect_failure(&opt, MSP_EDB, "refused by the test");
	run(conn, "DROP TRIGGER refuse ON msp.response");
}
END_TEST

/* The post-load check catches what slipped past the bypassed trigger:
 * a trigger that fires even in replica mode spoils some answers. */
START_TEST(post_load_check_catches_bad_rows)
{
	struct synth_options opt = options("pays-de-la-loire", 42,
					   N_RESPONSES);

	/* numbers out of their item's bounds */
	run(conn, "CREATE FUNCTION public.spoil() RETURNS trigger"
	    " LANGUAGE plpgsql AS $$ BEGIN"
	    "  IF NEW.item_key = 'n_sites' THEN NEW.num_value := 9999;"
	    "  END IF; RETURN NEW; END $$");
	run(conn, "CREATE TRIGGER spoil BEFORE INSERT ON msp.answer"
	    " FOR EACH ROW EXECUTE FUNCTION public.spoil()");
	run(conn, "ALTER TABLE msp.answer ENABLE ALWAYS TRIGGER spoil");
	expect_failure(&opt, MSP_ECONFLICT, "do not satisfy their item");

	/* a valid code, but one that makes later answers unasked */
	run(conn, "CREATE OR REPLACE FUNCTION public.spoil() RETURNS trigger"
	    " LANGUAGE plpgsql AS $$ BEGIN"
	    "  IF NEW.item_key = 'works_with_users'"
	    "     AND NEW.choice_code = 'non' THEN"
	    "   NEW.choice_code := 'oui_actuellement'; END IF;"
	    "  RETURN NEW; END $$");
	expect_failure(&opt, MSP_ECONFLICT, "\"show if\" does not hold");

	run(conn, "DROP TRIGGER spoil ON msp.answer");

	/* partial responses, which lack required items, made complete */
	run(conn, "CREATE OR REPLACE FUNCTION public.spoil() RETURNS trigger"
	    " LANGUAGE plpgsql AS $$ BEGIN"
	    "  IF NEW.status = 'partial' THEN NEW.status := 'complete';"
	    "   NEW.submitted_at := NEW.started_at; END IF;"
	    "  RETURN NEW; END $$");
	run(conn, "CREATE TRIGGER spoil BEFORE INSERT ON msp.response"
	    " FOR EACH ROW EXECUTE FUNCTION public.spoil()");
	run(conn, "ALTER TABLE msp.response ENABLE ALWAYS TRIGGER spoil");
	expect_failure(&opt, MSP_ECONFLICT, "missing a required item");

	/* an answer row dropped on the way: the counts disagree */
	run(conn, "DROP TRIGGER spoil ON msp.response");
	run(conn, "CREATE OR REPLACE FUNCTION public.spoil() RETURNS trigger"
	    " LANGUAGE plpgsql AS $$ BEGIN"
	    "  IF NEW.item_key = 'n_sites' THEN RETURN NULL; END IF;"
	    "  RETURN NEW; END $$");
	run(conn, "CREATE TRIGGER spoil BEFORE INSERT ON msp.answer"
	    " FOR EACH ROW EXECUTE FUNCTION public.spoil()");
	run(conn, "ALTER TABLE msp.answer ENABLE ALWAYS TRIGGER spoil");
	expect_failure(&opt, MSP_ECONFLICT, "rows stored");
	run(conn, "DROP TRIGGER spoil ON msp.answer");
}
END_TEST

/* Running totals that disagree with the answers fail the load. */
START_TEST(post_load_check_catches_bad_totals)
{
	struct synth_options opt = options("pays-de-la-loire", 43,
					   N_RESPONSES);

	run(conn, "CREATE OR REPLACE FUNCTION public.spoil() RETURNS trigger"
	    " LANGUAGE plpgsql AS $$ BEGIN"
	    "  IF NEW.kind = 'v' AND NEW.bool_value"
	    "     AND current_query() LIKE 'COPY%' THEN"
	    "   NEW.n := NEW.n + 1; END IF; RETURN NEW; END $$");
	run(conn, "CREATE TRIGGER spoil BEFORE INSERT ON msp.answer_tally"
	    " FOR EACH ROW EXECUTE FUNCTION public.spoil()");
	run(conn, "ALTER TABLE msp.answer_tally ENABLE ALWAYS TRIGGER spoil");
	expect_failure(&opt, MSP_ECONFLICT, "running totals differ");
	run(conn, "DROP TRIGGER spoil ON msp.answer_tally");
}
END_TEST

/* The definitions of the indexes of msp.response and msp.answer. */
static const char *
index_definitions(void)
{
	static char digest[64];

	snprintf(digest, sizeof(digest), "%s", value(
		"SELECT md5(string_agg(indexdef, ';' ORDER BY indexdef))"
		"  FROM pg_indexes WHERE schemaname = 'msp'"
		"   AND tablename IN ('response', 'answer')"));
	return digest;
}

/* --indexes rebuild: the same rows, the same indexes and constraints
 * after, and a duplicate the unique index would have refused still
 * fails the load. */
START_TEST(rebuilt_indexes_same_rows)
{
	struct synth_options opt = options("occitanie", 31, N_RESPONSES);
	struct synth_result res;
	char indexes[64], constraints[64], first[64];
	static const char constraints_sql[] =
		"SELECT md5(string_agg(conname || pg_get_constraintdef(oid),"
		"           ';' ORDER BY conname))"
		"  FROM pg_constraint WHERE conrelid IN"
		"       ('msp.response'::regclass, 'msp.answer'::regclass)";

	snprintf(indexes, sizeof(indexes), "%s", index_definitions());
	snprintf(constraints, sizeof(constraints), "%s",
		 value(constraints_sql));
	opt.study_slug = "kept";
	opt.indexes = SYNTH_INDEXES_KEEP;
	generate_ok(conn, &opt, &res);
	ck_assert_int_eq(res.rebuilt_indexes, 0);
	snprintf(first, sizeof(first), "%s", fingerprint(conn, "kept"));
	opt.study_slug = "rebuilt";
	opt.indexes = SYNTH_INDEXES_REBUILD;
	generate_ok(conn, &opt, &res);
	ck_assert_int_eq(res.rebuilt_indexes, 1);
	ck_assert_str_eq(fingerprint(conn, "rebuilt"), first);
	ck_assert_str_eq(index_definitions(), indexes);
	ck_assert_str_eq(value(constraints_sql), constraints);
	/* small loads keep them by default */
	ck_assert_int_eq(synth_rebuild_indexes(N_RESPONSES, 0), 0);
	ck_assert_int_eq(synth_rebuild_indexes(SYNTH_REBUILD_MIN, 0), 1);
	ck_assert_int_eq(synth_rebuild_indexes(SYNTH_REBUILD_MIN,
					       SYNTH_REBUILD_MIN * 2.0), 0);

	/* every answer written twice: only the rebuilt unique index sees
	 * it, and the load is refused */
	run(conn, "CREATE OR REPLACE FUNCTION public.spoil() RETURNS trigger"
	    " LANGUAGE plpgsql AS $$ BEGIN"
	    "  IF pg_trigger_depth() = 1 AND NEW.num_value IS NOT NULL THEN"
	    "   INSERT INTO msp.answer (response_id, instrument_id,"
	    "          item_key, num_value) VALUES (NEW.response_id,"
	    "          NEW.instrument_id, NEW.item_key, NEW.num_value);"
	    "  END IF; RETURN NULL; END $$");
	run(conn, "CREATE TRIGGER spoil AFTER INSERT ON msp.answer"
	    " FOR EACH ROW EXECUTE FUNCTION public.spoil()");
	run(conn, "ALTER TABLE msp.answer ENABLE ALWAYS TRIGGER spoil");
	opt.study_slug = "twice";
	expect_failure(&opt, MSP_EDB, "answer_one_value");
	run(conn, "DROP TRIGGER spoil ON msp.answer");
	ck_assert_str_eq(index_definitions(), indexes);
}
END_TEST

/* The bypass is the superuser's: no tenant role, nor the application's
 * login role, may switch the triggers off. */
START_TEST(tenants_cannot_switch_triggers_off)
{
	static const char *const roles[] = {
		"msp_team", "msp_federation", "msp_analyst", "msp_app",
	};
	struct msp_error err;
	char sql[128];
	size_t k;

	for (k = 0; k < sizeof(roles) / sizeof(roles[0]); k++) {
		run(conn, "BEGIN");
		snprintf(sql, sizeof(sql), "SET LOCAL ROLE %s", roles[k]);
		run(conn, sql);
		ck_assert_int_eq(db_exec(conn, "bypass", "SET LOCAL"
					 " session_replication_role = replica",
					 0, NULL, PGRES_COMMAND_OK, NULL, &err),
				 MSP_EDB);
		ck_assert_str_eq(err.sqlstate, "42501");
		run(conn, "ROLLBACK");
	}
}
END_TEST

static Suite *
generate_suite(void)
{
	Suite *s = suite_create("generate");
	TCase *rng = tcase_create("rng");
	TCase *core = tcase_create("core");
	TCase *spoiled = tcase_create("spoiled");

	tcase_add_test(rng, rng_is_reproducible);
	suite_add_tcase(s, rng);

	/* One database per case (loading the reference data is most of
	 * the suite's time); each test adds studies of its own. */
	tcase_add_unchecked_fixture(core, case_setup, case_teardown);
	tcase_add_checked_fixture(core, test_setup, test_teardown);
	tcase_add_test(core, counts_and_marking);
	tcase_add_test(core, answers_satisfy_the_instrument);
	tcase_add_test(core, checked_load_passes_the_database_checks);
	tcase_add_test(core, same_seed_same_rows);
	tcase_add_test(core, options_shape_the_study);
	tcase_add_test(core, bad_options_store_nothing);
	tcase_add_test(core, tenants_cannot_switch_triggers_off);
	suite_add_tcase(s, core);

	/* These add triggers to the schema: a database of their own. */
	tcase_add_unchecked_fixture(spoiled, case_setup, case_teardown);
	tcase_add_checked_fixture(spoiled, test_setup, test_teardown);
	tcase_add_test(spoiled, failure_in_the_load_stores_nothing);
	tcase_add_test(spoiled, post_load_check_catches_bad_rows);
	tcase_add_test(spoiled, post_load_check_catches_bad_totals);
	tcase_add_test(spoiled, rebuilt_indexes_same_rows);
	suite_add_tcase(s, spoiled);
	return s;
}

int
main(void)
{
	return testdb_run(generate_suite());
}
