/*
 * The reference data loads into the schema and is internally
 * consistent: what foreign keys cannot check, these queries do.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>

#include "testdb.h"

static struct testdb db;

static void
setup(void)
{
	testdb_open(&db);
	testdb_load(&db, NULL);
	testdb_load_reference(&db);
}

static void
teardown(void)
{
	testdb_close(&db);
}

static const char *
value(const char *sql)
{
	return testdb_value(db.conn, sql);
}

START_TEST(regions_and_federations)
{
	ck_assert_str_eq(value("SELECT string_agg(f.slug || '@' || r.slug, ','"
			       " ORDER BY f.slug) FROM msp.federation f"
			       " JOIN msp.region r USING (region_id)"),
			 "apmsl@pays-de-la-loire,fecop@occitanie");
}
END_TEST

/* Every "show if" value must be an option of the item it names:
 * arrays cannot carry foreign keys. */
START_TEST(conditions_name_real_options)
{
	ck_assert_str_eq(value(
		"SELECT coalesce(string_agg(it.item_key || ':' || v, ','), '')"
		"  FROM msp.instrument_item it,"
		"       unnest(it.show_if_values) AS v"
		" WHERE NOT EXISTS (SELECT 1 FROM msp.item_option o"
		"        WHERE o.instrument_id = it.instrument_id"
		"          AND o.item_key = it.show_if_item AND o.code = v)"), "");
	/* A condition on a choice item, never on a free-form one. */
	ck_assert_str_eq(value(
		"SELECT count(*) FROM msp.instrument_item it"
		"  JOIN msp.instrument_item c ON c.instrument_id ="
		"       it.instrument_id AND c.item_key = it.show_if_item"
		" WHERE c.item_type NOT IN ('single_choice', 'multiple_choice')"),
		"0");
}
END_TEST

/* Choice items have options; other items have none. */
START_TEST(choices_have_options)
{
	ck_assert_str_eq(value(
		"SELECT coalesce(string_agg(it.item_key, ','), '')"
		"  FROM msp.instrument_item it"
		" WHERE (it.item_type IN ('single_choice', 'multiple_choice'))"
		"    <> EXISTS (SELECT 1 FROM msp.item_option o"
		"        WHERE o.instrument_id = it.instrument_id"
		"          AND o.item_key = it.item_key)"), "");
}
END_TEST

START_TEST(pdl_2019_instrument)
{
	ck_assert_str_eq(value("SELECT count(*) FROM msp.instrument_item"
			       " JOIN msp.instrument USING (instrument_id)"
			       " WHERE slug = 'pdl-2019'"), "29");
	/* The one question the paper quotes, kept verbatim. */
	ck_assert_str_eq(value("SELECT label_fr || '|' || label_verbatim"
			       "  FROM msp.instrument_item"
			       " WHERE item_key = 'works_with_users'"),
			 "Travaillez-vous avec des représentants"
			 " d'utilisateurs ?|true");
	ck_assert_str_eq(value("SELECT string_agg(code, ',' ORDER BY position)"
			       "  FROM msp.item_option"
			       " WHERE item_key = 'works_with_users'"),
			 "oui_actuellement,oui_ponctuel_ou_passe,non");
}
END_TEST

/* The frame the response rate and the participation comparison use. */
START_TEST(pdl_2019_frame)
{
	ck_assert_str_eq(value(
		"SELECT count(*) || '/' || count(*) FILTER (WHERE p.active)"
		"  FROM msp.population p JOIN msp.study s USING (study_id)"
		" WHERE s.slug = 'pdl-2019'"), "90/83");
	ck_assert_str_eq(value(
		"SELECT target_size FROM msp.study WHERE slug = 'pdl-2019'"),
		"83");
	/* 25 participants + 18 non-participants on the APMSL list. */
	ck_assert_str_eq(value(
		"SELECT count(*) FROM msp.population p"
		"  JOIN msp.study s USING (study_id)"
		"  JOIN msp.structure st USING (structure_id)"
		" WHERE s.slug = 'pdl-2019' AND p.active"
		"   AND st.federation_member = 'oui'"), "43");
	ck_assert_str_eq(value(
		"SELECT string_agg(departement || ':' || n, ',' ORDER BY"
		" departement) FROM (SELECT st.departement, count(*) AS n"
		"  FROM msp.population p JOIN msp.study s USING (study_id)"
		"  JOIN msp.structure st USING (structure_id)"
		" WHERE s.slug = 'pdl-2019' AND p.active"
		" GROUP BY 1) d"), "44:20,49:28,53:11,72:14,85:10");
}
END_TEST

static Suite *
reference_suite(void)
{
	Suite *s = suite_create("reference");
	TCase *tc = tcase_create("load");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, regions_and_federations);
	tcase_add_test(tc, conditions_name_real_options);
	tcase_add_test(tc, choices_have_options);
	tcase_add_test(tc, pdl_2019_instrument);
	tcase_add_test(tc, pdl_2019_frame);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testdb_run(reference_suite());
}
