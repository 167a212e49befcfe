/*
 * A study's stored federation releases (migration 0053, lib/report/
 * protect.c; docs/report.md, "Stored releases"), on Occitanie 2024
 * closed and protected as the commands do (msp.study_transition, then
 * protect_study(), the small-study --by minimum at 50 as check_lp sets
 * it):
 *   - one row per report of the run's last audit that the server did
 *     not refuse, its key the request's (request_key.h);
 *   - each row, read back (rdoc_from_json) and rendered as JSON, is the
 *     report a federation of the region obtains now with the same
 *     options (report_build(), which reads it: report_stored.c); the
 *     run's audit read the same documents (check_lp bounds every
 *     hidden figure of them with GLPK);
 *   - under the federation's token, every counting function of the
 *     protected study is refused (42501): hand-written SQL gets no
 *     more than the releases (msp.report_scope);
 *   - msp.federation_release_get serves them to a federation token,
 *     refuses a request not stored (MSPR2) and an analyst (42501); the
 *     table itself is no role's but the owner's; only the study's
 *     current run stores;
 *   - a data change (an erasure) makes the get refuse (MSPR1, « à
 *     recalculer »); a new run (msp.disclosure_plan_begin) empties the
 *     study's rows.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "disclosure_policy.h"
#include "report/audit.h"
#include "report/format.h"
#include "report/plan.h"
#include "report/protect.h"
#include "report/rdoc_json.h"
#include "report/report.h"
#include "reportfix.h"
#include "testdb.h"

#define STUDY "occitanie-2024"
#define FED "fed-release-occitanie"

static void
exec_ok(const char *sql, int nparams, const char *const *params,
	ExecStatusType want)
{
	struct msp_error err;

	ck_assert_msg(db_exec(conn, "test", sql, nparams, params, want, NULL,
			      &err) == MSP_OK, "%s: %s", sql, err.message);
}

/* Closes and protects study as the commands do; the result. */
static struct protect_result
protect_slug(const char *study)
{
	const char *params[1] = { study };
	struct protect_options o;
	struct protect_result r;
	struct msp_error err;

	exec_ok("SELECT * FROM msp.study_transition($1, 'close', NULL)"
		" WHERE NOT EXISTS (SELECT 1 FROM msp.study"
		"  WHERE slug = $1 AND state = 'closed')", 1, params,
		PGRES_TUPLES_OK);
	memset(&o, 0, sizeof(o));
	o.study = study;
	ck_assert_msg(protect_study(conn, &o, &r, &err) == MSP_OK, "%s",
		      err.message);
	return r;
}

static struct protect_result
protect(void)
{
	return protect_slug(STUDY);
}

static long
stored_rows_of(const char *study)
{
	const char *params[1] = { study };
	struct msp_error err;
	PGresult *res = NULL;
	long n;

	ck_assert(db_exec(conn, "rows", "SELECT count(*) FROM"
			  " msp.federation_release f JOIN msp.study s"
			  " USING (study_id) WHERE s.slug = $1", 1, params,
			  PGRES_TUPLES_OK, &res, &err) == MSP_OK);
	n = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return n;
}

static long
stored_rows(void)
{
	return stored_rows_of(STUDY);
}

/*
 * Runs sql (one text parameter after the study's id: $1 the study,
 * $2 param) under token in a transaction of its own; MSP_OK with the
 * first value in *value (the caller's, may be NULL), or the failure
 * with err.
 */
static enum msp_status
as_token(const char *token, const char *sql, const char *param,
	 char **value, struct msp_error *err)
{
	const char *params[2] = { STUDY, param };
	struct msp_error ignored;
	PGresult *res = NULL;
	enum msp_status rc;

	if (value != NULL)
		*value = NULL;
	exec_ok("BEGIN", 0, NULL, PGRES_COMMAND_OK);
	params[0] = token;
	rc = db_exec(conn, "enter", "SELECT msp.enter($1)", 1, params,
		     PGRES_TUPLES_OK, NULL, err);
	params[0] = STUDY;
	if (rc == MSP_OK)
		rc = db_exec(conn, "test", sql, 2, params, PGRES_TUPLES_OK,
			     &res, err);
	if (rc == MSP_OK && value != NULL) {
		*value = strdup(PQgetvalue(res, 0, 0));
		ck_assert_ptr_nonnull(*value);
	}
	PQclear(res);
	db_exec(conn, "rollback", "ROLLBACK", 0, NULL, PGRES_COMMAND_OK,
		NULL, &ignored);
	return rc;
}

/* The study's id, in a statement of as_token(). */
#define SID "(SELECT study_id FROM msp.study WHERE slug = $1)"

#define GET "SELECT msp.federation_release_get((SELECT study_id" \
	" FROM msp.study WHERE slug = $1), $2)::text"

/* The table itself, read by hand ($1, $2 unused but given). */
#define READ_TABLE "SELECT count(*) FROM msp.federation_release" \
	" WHERE $1::text <> $2"

/* The SQLSTATE of the get of request under token (it must fail). */
static const char *
get_refused(const char *token, const char *request, const char *words)
{
	static struct msp_error err;

	ck_assert_msg(as_token(token, GET, request, NULL, &err) == MSP_EDB,
		      "%s: served", request);
	ck_assert_msg(words == NULL || strstr(err.message, words) != NULL,
		      "want « %s »: %s", words, err.message);
	return err.sqlstate;
}

/* json rendered as JSON after rdoc_from_json (the caller's). */
static char *
reread(const char *json)
{
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	struct msp_error err;
	struct rdoc *doc = NULL;
	char *s;

	ck_assert_msg(rdoc_from_json(json, strlen(json), &doc, &err) ==
		      MSP_OK, "%s", err.message);
	ck_assert(format_render(doc, FORMAT_JSON, &out, &err) == MSP_OK);
	rdoc_free(doc);
	s = buf_steal(&out);
	ck_assert_ptr_nonnull(s);
	return s;
}

/* The federation token's comparison of the two regions. */
static enum msp_status
compare_as(const char *token, struct msp_error *err)
{
	struct report_options o;
	struct rdoc *doc = NULL;
	enum msp_status rc;

	report_options_init(&o);
	o.token = token;
	o.compare = "pays-de-la-loire,Occitanie";
	rc = report_build(conn, &o, &doc, err);
	rdoc_free(doc);
	return rc;
}

/* Every counting function of the study, by hand: $1 the study's slug,
 * $2 "false". */
static const char *const counting[] = {
	"SELECT count(*) FROM msp.report_counts(" SID
	", NULL, false, $2::boolean)",
	"SELECT count(*) FROM msp.report_counts(" SID
	", 'structure_type', false, $2::boolean)",
	"SELECT count(*) FROM msp.report_cell_counts(" SID
	", ARRAY['structure_type', $2])",
	"SELECT count(*) FROM msp.report_frame_cells(" SID
	", ARRAY['structure_type', $2])",
	"SELECT count(*) FROM msp.report_frame_counts(" SID
	") WHERE $2::text IS NOT NULL",
	"SELECT count(*) FROM msp.report_population(" SID
	") WHERE $2::text IS NOT NULL",
	"SELECT count(*) FROM msp.report_words(" SID
	", 'meaning', $2::boolean)",
	"SELECT count(*) FROM msp.report_has_region(ARRAY["
	SID "]) WHERE $2::text IS NOT NULL",
	"SELECT count(*) FROM msp.report_has_studies(ARRAY["
	SID "]) WHERE $2::text IS NOT NULL",
	"SELECT count(*) FROM msp.report_has_studies(NULL)"
	" WHERE $1::text <> $2",
};

/* Under token, every counting function of the study is refused:
 * 42501, « jamais ses comptages » (msp.report_scope). */
static void
counting_refused(const char *token)
{
	struct msp_error err;
	size_t i;

	for (i = 0; i < sizeof(counting) / sizeof(*counting); i++) {
		ck_assert_msg(as_token(token, counting[i], "false", NULL,
				       &err) == MSP_EDB,
			      "counted: %s", counting[i]);
		ck_assert_msg(strcmp(err.sqlstate, "42501") == 0 &&
			      strstr(err.message, "jamais ses comptages") !=
			      NULL, "%s: %s %s", counting[i], err.sqlstate,
			      err.message);
	}
}

/* token's region report of study (NULL: the region's latest); its
 * status, the refusal in err. */
static enum msp_status
region_as(const char *token, const char *region, const char *study,
	  int preview, struct msp_error *err)
{
	struct report_options o;
	struct rdoc *doc = NULL;
	enum msp_status rc;

	report_options_init(&o);
	o.token = token;
	o.region = region;
	o.study = study;
	o.preview = preview;
	rc = report_build(conn, &o, &doc, err);
	if (rc == MSP_OK && preview) {
		/* the federation's disclosure control, counted live */
		size_t t, i, j, hidden = 0;

		for (t = 0; t < doc->ntables; t++) {
			const struct rtable *tb = doc->tables[t];

			for (i = 0; i < tb->nrows; i++)
				for (j = 0; j < tb->ncols; j++)
					hidden += tb->rows[i].cells[j].
						  suppressed != 0;
		}
		ck_assert_uint_gt(hidden, 0);
	}
	rdoc_free(doc);
	return rc;
}

/*
 * Before any protection (the suites load the reference studies open):
 * a federation's report of an open study is refused, never counted,
 * and so is one of a closed study never protected; hand-written SQL
 * under its token counts neither; the fieldwork monitor stays live.
 * The owner's and an analyst's preview counts them with the
 * federation's disclosure control; a team's is refused.
 */
START_TEST(unpublished_is_refused)
{
	const char *params[1] = { "pdl-2019" };
	struct msp_error err;

	testdb_make_token(conn, FED, "federation", "occitanie");
	testdb_make_token(conn, "fed-release-pdl", "federation",
			  "pays-de-la-loire");
	testdb_make_token(conn, "analyst-release", "analyst", NULL);
	/* open */
	ck_assert_int_eq(region_as(FED, "occitanie", STUDY, 0, &err),
			 MSP_ECONFLICT);
	ck_assert_msg(strncmp(err.message, PLAN_OPEN_REFUSAL " : ses "
			      "rapports de fédération seront publiés à sa "
			      "clôture (suivi de terrain : msp-report "
			      "fieldwork --study " STUDY ", page /fieldwork/"
			      STUDY ")", 60) == 0 &&
		      strstr(err.message, "/fieldwork/" STUDY) != NULL,
		      "%s", err.message);
	counting_refused(FED);
	/* another region's federation, for comparison: the same */
	ck_assert_int_eq(region_as("fed-release-pdl", "occitanie", STUDY, 0,
				   &err), MSP_ECONFLICT);
	counting_refused("fed-release-pdl");
	/* the fieldwork monitor does not go through msp.report_scope */
	ck_assert_msg(as_token(FED, "SELECT count(*) FROM"
			       " msp.fieldwork_frame(" SID ")"
			       " WHERE $2::text IS NOT NULL", "x", NULL,
			       &err) == MSP_OK, "%s", err.message);
	/* closed, never protected (study close --no-protect) */
	exec_ok("SELECT * FROM msp.study_transition($1, 'close', NULL)",
		1, params, PGRES_TUPLES_OK);
	ck_assert_int_eq(region_as("fed-release-pdl", "pays-de-la-loire",
				   "pdl-2019", 0, &err), MSP_ECONFLICT);
	ck_assert_msg(strcmp(err.message, PLAN_UNPUBLISHED " : msp-report "
			     "disclosure-protect --study pdl-2019 (étude "
			     "close, jamais protégée)") == 0, "%s",
		      err.message);
	/* a comparison: refused while a compared study is unpublished */
	ck_assert_int_eq(compare_as(FED, &err), MSP_ECONFLICT);
	ck_assert_msg(strstr(err.message, "comparaison non publiée : "
			     "l'étude pdl-2019") != NULL, "%s", err.message);
	/* the preview: the owner, an analyst; not a team */
	ck_assert_msg(region_as(NULL, "occitanie", STUDY, 1, &err) ==
		      MSP_OK, "%s", err.message);
	ck_assert_msg(region_as("analyst-release", "pays-de-la-loire",
				"pdl-2019", 1, &err) == MSP_OK, "%s",
		      err.message);
}
END_TEST

START_TEST(protect_stores_what_the_audit_read)
{
	struct audit_options ao;
	struct audit *a = NULL;
	struct protect_result r;
	struct msp_error err;
	size_t i, parts = 0, refused = 0;
	char *stored = NULL, *got, *want;
	long occitanie;

	ck_assert_msg(disclosure_policy_set_by_minimum(conn, 50, &err) ==
		      MSP_OK, "%s", err.message);
	testdb_make_token(conn, FED, "federation", "occitanie");
	testdb_make_token(conn, "analyst-release", "analyst", NULL);
	r = protect();
	ck_assert_uint_eq(r.fails_after, 0);
	/* a federation's audit of the same reports now, the plan
	 * applied: every part the server serves is stored, with its
	 * key, and re-reads as the report built now */
	memset(&ao, 0, sizeof(ao));
	ao.token = FED;
	ao.region = "occitanie";
	ao.study = STUDY;
	ao.fails_only = 1;
	ao.keep_documents = 1;
	ck_assert_msg(audit_run(conn, &ao, &a, &err) == MSP_OK, "%s",
		      err.message);
	for (i = 0; i < a->nparts; i++) {
		if (a->parts[i].refused) {
			refused++;
			continue;
		}
		parts++;
		ck_assert_msg(as_token(FED, GET, a->parts[i].request,
				       &stored, &err) == MSP_OK,
			      "%s (%s): %s", a->parts[i].name,
			      a->parts[i].request, err.message);
		got = reread(stored);
		want = reread(a->parts[i].json);
		ck_assert_msg(strcmp(got, want) == 0, "%s: the stored "
			      "release is not the report built now",
			      a->parts[i].name);
		/* and the report itself, as format_json.c wrote it */
		ck_assert_str_eq(want, a->parts[i].json);
		free(got);
		free(want);
		free(stored);
	}
	printf("%s: %zu releases stored (%zu reports refused by the "
	       "server), %u rounds\n", STUDY, parts, refused, r.rounds);
	ck_assert_uint_gt(parts, 10);
	/* the comparison with Pays de la Loire, stored by the run, is
	 * not served while Pays de la Loire 2019 has no plan that holds:
	 * its column would be the block-by-block one (report_stored.c) */
	ck_assert_uint_eq(refused, 1);
	ck_assert_uint_eq(r.released, parts + refused);
	ck_assert_int_eq(stored_rows(), (long)(parts + refused));
	audit_free(a);
	/* hand-written SQL under the federation's token: no count of
	 * the protected study, whichever function */
	counting_refused(FED);
	/* a request the audit never read */
	ck_assert_str_eq(get_refused(FED, "study=" STUDY "&by=nothing",
				     "n'est pas publié"), "MSPR2");
	/* an analyst reads rows, not releases; the table is the
	 * owner's */
	ck_assert_str_eq(get_refused("analyst-release", "study=" STUDY
				     "&dont_know=keep&missing=exclude",
				     NULL), "42501");
	ck_assert_int_eq(as_token(FED, READ_TABLE, "x", NULL, &err),
			 MSP_EDB);
	ck_assert_str_eq(err.sqlstate, "42501");
	ck_assert_int_eq(as_token("analyst-release", READ_TABLE, "x", NULL,
				  &err), MSP_EDB);
	ck_assert_str_eq(err.sqlstate, "42501");
	/* only the study's current run stores: no run is under way */
	ck_assert_int_eq(as_token("analyst-release",
				  "SELECT msp.federation_release_store("
				  "(SELECT study_id FROM msp.study"
				  "  WHERE slug = $1), $2, '{}', '{}')",
				  "0000000000000000000000000000000000000000"
				  "000000000000000000000000", NULL, &err),
			 MSP_EDB);
	ck_assert_str_eq(err.sqlstate, "55000");
	/* nor a federation, whatever the run */
	ck_assert_int_eq(as_token(FED, "SELECT msp.federation_release_store("
				  "(SELECT study_id FROM msp.study"
				  "  WHERE slug = $1), $2, '{}', '{}')",
				  "00", NULL, &err), MSP_EDB);
	ck_assert_str_eq(err.sqlstate, "42501");
	ck_assert_int_eq(stored_rows(), (long)(parts + refused));
	occitanie = stored_rows();
	ck_assert_int_eq(compare_as(FED, &err), MSP_ECONFLICT);
	ck_assert_msg(strstr(err.message, "comparaison non publiée : "
			     "l'étude pdl-2019") != NULL, "%s", err.message);
	/* Pays de la Loire 2019 (37 responses): its --by are refused by
	 * the server below the minimum, and not stored */
	testdb_make_token(conn, "fed-release-pdl", "federation",
			  "pays-de-la-loire");
	r = protect_slug("pdl-2019");
	memset(&ao, 0, sizeof(ao));
	ao.token = "fed-release-pdl";
	ao.region = "pays-de-la-loire";
	ao.study = "pdl-2019";
	ao.fails_only = 1;
	ck_assert(audit_run(conn, &ao, &a, &err) == MSP_OK);
	for (i = 0, parts = 0, refused = 0; i < a->nparts; i++) {
		refused += a->parts[i].refused != 0;
		parts += !a->parts[i].refused;
		/* not kept without keep_documents */
		ck_assert_ptr_null(a->parts[i].json);
	}
	audit_free(a);
	printf("pdl-2019: %zu releases stored, %zu reports refused by "
	       "the server\n", parts, refused);
	ck_assert_uint_gt(refused, 5);
	ck_assert_uint_eq(r.released, parts);
	ck_assert_int_eq(stored_rows_of("pdl-2019"), (long)parts);
	/* Occitanie's stay Occitanie's */
	ck_assert_int_eq(stored_rows(), occitanie);
	/* both protected: the comparison of the latest run (Pays de la
	 * Loire's, with Occitanie's plan on Occitanie's column) */
	ck_assert_msg(compare_as(FED, &err) == MSP_OK, "%s", err.message);
}
END_TEST

START_TEST(a_change_refuses_and_a_new_run_empties)
{
	const char *params[1] = { STUDY };
	const char *region_key = "study=" STUDY "&dont_know=keep"
				 "&missing=exclude";
	struct protect_result r;
	struct msp_error err;
	char *doc = NULL;

	/* the previous case's run stands (the same database) */
	if (stored_rows() == 0) {
		ck_assert(disclosure_policy_set_by_minimum(conn, 50, &err) ==
			  MSP_OK);
		testdb_make_token(conn, FED, "federation", "occitanie");
		(void)protect();
	}
	ck_assert_int_eq(as_token(FED, GET, region_key, &doc, &err), MSP_OK);
	free(doc);
	/* an erasure changes the data: the release is to recompute */
	exec_ok("SELECT msp.erase_structure((SELECT structure_id"
		"  FROM msp.response r JOIN msp.study s USING (study_id)"
		" WHERE s.slug = $1 AND r.status = 'complete'"
		" ORDER BY r.response_id LIMIT 1))", 1, params,
		PGRES_TUPLES_OK);
	ck_assert_str_eq(get_refused(FED, region_key, "est à recalculer : "
				     "msp-report disclosure-protect --study "
				     STUDY " (plan de protection périmé"),
			 "MSPR1");
	/* protected again: served again, the new data's */
	r = protect();
	ck_assert_uint_gt(r.released, 10);
	ck_assert_int_eq(as_token(FED, GET, region_key, &doc, &err), MSP_OK);
	free(doc);
	/* a new run forgets the releases with the plan; until it ends,
	 * the study's releases are refused */
	exec_ok("SELECT msp.disclosure_plan_begin((SELECT study_id"
		"  FROM msp.study WHERE slug = $1), repeat('ab', 32))", 1,
		params, PGRES_TUPLES_OK);
	ck_assert_int_eq(stored_rows(), 0);
	ck_assert_str_eq(get_refused(FED, region_key, "(plan de protection "
				     "inachevé)"), "MSPR1");
	exec_ok("SELECT msp.disclosure_plan_end((SELECT study_id"
		"  FROM msp.study WHERE slug = $1), repeat('ab', 32), false,"
		"  0, NULL, NULL)", 1, params, PGRES_TUPLES_OK);
	ck_assert_str_eq(get_refused(FED, region_key, "inachevé"), "MSPR1");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("federation_release");
	TCase *tc = tcase_create("stored");

	tcase_add_unchecked_fixture(tc, load_shared, drop_shared);
	tcase_add_checked_fixture(tc, connect_case, disconnect_case);
	tcase_set_timeout(tc, 900);
	tcase_add_test(tc, unpublished_is_refused);
	tcase_add_test(tc, protect_stores_what_the_audit_read);
	tcase_add_test(tc, a_change_refuses_and_a_new_run_empties);
	suite_add_tcase(s, tc);
	return testdb_run(s);
}
