/*
 * The reference data loads into the schema and is internally
 * consistent: what foreign keys cannot check, these queries do.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

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

START_TEST(occitanie_2024_instrument)
{
	ck_assert_str_eq(value("SELECT count(*) || '/' || count(*) FILTER"
			       " (WHERE show_if_item IS NOT NULL)"
			       "  FROM msp.instrument_item"
			       "  JOIN msp.instrument USING (instrument_id)"
			       " WHERE slug = 'occitanie-2024'"), "39/15");
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

/*
 * PdL 2019: every published marginal, computed from the loaded rows.
 * "grp" splits the 37 respondents as the paper does: usagers + (any
 * "oui" to the main item) and usagers -.
 */
#define PDL_GROUPS \
	"WITH g AS (SELECT a.response_id, CASE a.choice_code WHEN 'non'" \
	" THEN 'moins' ELSE 'plus' END AS grp FROM msp.answer a" \
	" JOIN msp.response r USING (response_id)" \
	" JOIN msp.study s USING (study_id)" \
	" WHERE s.slug = 'pdl-2019' AND a.item_key = 'works_with_users') "

/* "n with >= 1 / n answered, median, min-max" per group, + then -. */
#define T1(cat) PDL_GROUPS \
	"SELECT string_agg(cell, ' | ' ORDER BY grp DESC) FROM (" \
	" SELECT grp, count(*) FILTER (WHERE num_value >= 1) || '/' ||" \
	" count(*) || ' ' || percentile_cont(0.5) WITHIN GROUP" \
	" (ORDER BY num_value) || ' ' || min(num_value) || '-' ||" \
	" max(num_value) AS cell FROM msp.answer a JOIN g USING" \
	" (response_id) WHERE a.item_key = 'prof_count_" cat "'" \
	" GROUP BY grp) t"

/* Counts per answer and group: "code:plus/moins, ...". */
#define T2(item, value) PDL_GROUPS \
	"SELECT string_agg(v || ':' || p || '/' || m, ', ' ORDER BY v) FROM (" \
	" SELECT " value " AS v, count(*) FILTER (WHERE grp = 'plus') AS p," \
	" count(*) FILTER (WHERE grp = 'moins') AS m FROM msp.answer a" \
	" JOIN g USING (response_id) WHERE a.item_key = '" item "'" \
	" GROUP BY 1) t"

static const struct published {
	const char *what;
	const char *sql;
	const char *want;
} pdl_2019[] = {
	{ "37 of 83 active MSPs responded",
	  "SELECT count(r.response_id) || '/' || count(*) FROM msp.population p"
	  " JOIN msp.study s USING (study_id) LEFT JOIN msp.response r"
	  " ON r.study_id = p.study_id AND r.structure_id = p.structure_id"
	  " WHERE s.slug = 'pdl-2019' AND p.active", "37/83" },
	{ "APMSL list: 25 of 37 participants vs 18 of 46 others",
	  "SELECT string_agg(n, ' vs ' ORDER BY part DESC) FROM (SELECT"
	  " r.response_id IS NOT NULL AS part, count(*) FILTER (WHERE"
	  " st.federation_member = 'oui') || '/' || count(*) AS n"
	  " FROM msp.population p JOIN msp.study s USING (study_id)"
	  " JOIN msp.structure st USING (structure_id) LEFT JOIN msp.response r"
	  " ON r.study_id = p.study_id AND r.structure_id = p.structure_id"
	  " WHERE s.slug = 'pdl-2019' AND p.active GROUP BY 1) t",
	  "25/37 vs 18/46" },
	{ "main item: 2 / 8 / 27", T2("works_with_users", "choice_code"),
	  "non:0/27, oui_actuellement:2/0, oui_ponctuel_ou_passe:8/0" },
	{ "respondents' roles",
	  "SELECT string_agg(role || ':' || n, ', ' ORDER BY role) FROM ("
	  " SELECT coalesce(respondent_role::text, '(not stated)') AS role,"
	  " count(*) AS n FROM msp.response JOIN msp.study USING (study_id)"
	  " WHERE slug = 'pdl-2019' GROUP BY 1) t",
	  "(not stated):3, coordinateur:19, leader:9, professionnel_sante:1,"
	  " responsable_groupe:4, secretaire:1" },
	{ "Tableau 1 mg", T1("mg"), "10/10 7 3-17 | 27/27 6 3-13" },
	{ "Tableau 1 ide", T1("ide"), "10/10 7 2-25 | 24/24 5.5 2-22" },
	{ "Tableau 1 sage_femme", T1("sage_femme"), "5/10 1 0-2 | 16/27 1 0-4" },
	{ "Tableau 1 kine", T1("kine"), "9/10 2 0-8 | 22/27 3 0-10" },
	{ "Tableau 1 dentiste", T1("dentiste"), "5/10 1 0-2 | 13/27 0 0-7" },
	{ "Tableau 1 pharmacien", T1("pharmacien"), "6/10 3 0-7 | 13/27 0 0-8" },
	{ "Tableau 1 paramedical", T1("paramedical"), "9/10 4 0-12 | 27/27 6 2-15" },
	{ "Tableau 1 specialiste", T1("specialiste"), "2/10 0 0-1 | 8/27 0 0-4" },
	{ "Tableau 1 total", T1("total"), "10/10 23.5 10-65 | 27/27 21 3-55" },
	{ "Tableau 2 département", T2("departement", "choice_code"),
	  "44:0/6, 49:5/9, 53:2/3, 72:2/3, 85:1/6" },
	{ "Tableau 2 ACI", T2("aci_signatory", "bool_value::text"),
	  "false:2/5, true:8/22" },
	{ "Tableau 2 sites",
	  T2("n_sites", "CASE WHEN num_value > 1 THEN 'multi' ELSE 'mono' END"),
	  "mono:4/12, multi:6/15" },
	{ "Tableau 2 ancienneté (years before 2019)",
	  T2("opening_year", "CASE WHEN 2019 - num_value < 5 THEN 'a<5'"
	     " WHEN 2019 - num_value <= 10 THEN 'b5-10' ELSE 'c>10' END"),
	  "a<5:5/19, b5-10:5/8" },
	{ "Tableau 2 CPTS", T2("cpts_member", "choice_code"),
	  "non:5/14, nsp:0/3, oui:4/10" },
	{ "Tableau 2 CLS", T2("cls_member", "choice_code"),
	  "non:6/17, nsp:1/5, oui:3/5" },
	{ "Tableau 2 APMSL (self-declared)",
	  T2("federation_member", "bool_value::text"),
	  "false:4/10, true:6/17" },
	{ "initiated by PDS 5, with a local authority 1, town hall 1",
	  T2("initiative_initiator", "choice_code"),
	  "mairie:1/0, pds:5/0, pds_collectivite:1/0" },
	{ "6 MSPs with a current project",
	  T2("has_current_project", "choice_code"), "non:4/0, oui:6/0" },
	{ "18 usagers - know of initiatives, 4 plan one",
	  PDL_GROUPS "SELECT count(*) FILTER (WHERE a.item_key ="
	  " 'aware_of_initiatives') || '/' || count(*) FILTER (WHERE"
	  " a.item_key = 'planning_initiative') FROM msp.answer a JOIN g"
	  " USING (response_id) WHERE grp = 'moins' AND a.choice_code = 'oui'",
	  "18/4" },
	{ "negative past interactions: 2 MSPs",
	  "SELECT count(*) FROM msp.answer WHERE item_key = 'freins'"
	  " AND text_value LIKE '%interactions antérieures négatives%'", "2" },
};

START_TEST(pdl_2019_published_figures)
{
	size_t i;

	for (i = 0; i < sizeof(pdl_2019) / sizeof(pdl_2019[0]); i++) {
		const char *got = value(pdl_2019[i].sql);

		ck_assert_msg(strcmp(got, pdl_2019[i].want) == 0,
			      "%s: got '%s', want '%s'", pdl_2019[i].what,
			      got, pdl_2019[i].want);
	}
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
	tcase_add_test(tc, occitanie_2024_instrument);
	tcase_add_test(tc, pdl_2019_frame);
	tcase_add_test(tc, pdl_2019_published_figures);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testdb_run(reference_suite());
}
