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
		"          AND o.item_key = it.show_if_item"
		"          AND o.code = v)"), "");
	/* A condition on a choice item, never on a free-form one. */
	ck_assert_str_eq(value(
		"SELECT count(*) FROM msp.instrument_item it"
		"  JOIN msp.instrument_item c ON c.instrument_id ="
		"       it.instrument_id AND c.item_key = it.show_if_item"
		" WHERE c.item_type NOT IN ('single_choice',"
		"                          'multiple_choice')"),
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
	{ "Tableau 1 sage_femme", T1("sage_femme"),
	  "5/10 1 0-2 | 16/27 1 0-4" },
	{ "Tableau 1 kine", T1("kine"), "9/10 2 0-8 | 22/27 3 0-10" },
	{ "Tableau 1 dentiste", T1("dentiste"), "5/10 1 0-2 | 13/27 0 0-7" },
	{ "Tableau 1 pharmacien", T1("pharmacien"),
	  "6/10 3 0-7 | 13/27 0 0-8" },
	{ "Tableau 1 paramedical", T1("paramedical"),
	  "9/10 4 0-12 | 27/27 6 2-15" },
	{ "Tableau 1 specialiste", T1("specialiste"),
	  "2/10 0 0-1 | 8/27 0 0-4" },
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

/* Asserts each of n published figures against the loaded rows. */
static void
assert_published(const struct published *figures, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *got = value(figures[i].sql);

		ck_assert_msg(strcmp(got, figures[i].want) == 0,
			      "%s: got '%s', want '%s'", figures[i].what, got,
			      figures[i].want);
	}
}

START_TEST(pdl_2019_published_figures)
{
	assert_published(pdl_2019, sizeof(pdl_2019) / sizeof(pdl_2019[0]));
}
END_TEST

/*
 * Occitanie 2024: every figure the Fécop report (August 2024) publishes,
 * computed from the loaded rows (sql/reference/0006-0008 explain how
 * the rows were reconstructed and which reading of the report they
 * follow).  OCC is the FROM clause of the study's answers.
 */
#define OCC_FROM \
	" FROM msp.answer a JOIN msp.response r USING (response_id)" \
	" JOIN msp.study s USING (study_id)"
#define OCC OCC_FROM " WHERE s.slug = 'occitanie-2024' "

#define OCC_RESPONSES \
	"(SELECT count(*) FROM msp.response r JOIN msp.study s" \
	" USING (study_id) WHERE s.slug = 'occitanie-2024')"

/* How many answered code to a single-choice item. */
#define OCC_COUNT(item, code) \
	"SELECT count(*)" OCC "AND a.item_key = '" item "'" \
	" AND a.choice_code = '" code "'"

/* "n/N = pct%": n answers matching cond among the N to the item. */
#define OCC_SHARE(item, cond, digits) \
	"SELECT count(*) FILTER (WHERE " cond ") || '/' || count(*) || ' = '" \
	" || round(100.0 * count(*) FILTER (WHERE " cond ") / count(*), " \
	digits ") || '%'" OCC "AND a.item_key = '" item "'"

/* « la majorité »: more than half of the 77 respondents. */
#define OCC_MAJORITY(item, cond) \
	"SELECT (count(*) * 2 > " OCC_RESPONSES ")::text" OCC \
	"AND a.item_key = '" item "' AND " cond

/*
 * The most frequent words of an open item: lower-cased, split on
 * anything that is not a (French) letter, words of 4 letters or more
 * that are not function words.
 */
#define OCC_STOP \
	"('dans', 'pour', 'avec', 'sans', 'sont', 'leur', 'leurs', 'tout'," \
	" 'toute', 'tous', 'toutes', 'nous', 'vous', 'elle', 'elles'," \
	" 'cette', 'ceux', 'celle', 'afin', 'plus', 'mais', 'donc'," \
	" 'ainsi', 'aussi', 'comme', 'entre')"
#define OCC_TOP(item, n, more_stop) \
	"SELECT string_agg(w, ',' ORDER BY c DESC, w) FROM (SELECT w," \
	" count(*) AS c" OCC_FROM "," \
	" regexp_split_to_table(lower(a.text_value)," \
	" '[^a-zàâäçéèêëîïôöùûüÿœæ]+') AS w" \
	" WHERE s.slug = 'occitanie-2024' AND a.item_key = '" item "'" \
	" AND length(w) >= 4 AND w NOT IN " OCC_STOP more_stop \
	" GROUP BY w ORDER BY c DESC, w LIMIT " n ") t"

/*
 * A team's highest stage on the continuum, read exclusively (see 0007):
 * partenariat = a place in the governance, collaboration = exchange
 * spaces, consultation = tools to collect expectations, information =
 * none of these; NULL when consult_tools is blank and nothing higher.
 */
#define OCC_STAGES \
	"WITH st AS (SELECT r.response_id, CASE" \
	" WHEN bool_or(a.item_key = 'governance_place'" \
	"  AND a.choice_code = 'oui') THEN 'partenariat'" \
	" WHEN bool_or(a.item_key = 'exchange_spaces'" \
	"  AND a.choice_code = 'oui') THEN 'collaboration'" \
	" WHEN bool_or(a.item_key = 'consult_tools'" \
	"  AND a.choice_code = 'oui') THEN 'consultation'" \
	" WHEN bool_or(a.item_key = 'consult_tools'" \
	"  AND a.choice_code = 'non') THEN 'information' END AS stage" \
	OCC "GROUP BY r.response_id) "

/* Coded segments of the study, with their participant and code. */
#define OCC_SEGMENTS \
	" FROM msp.segment g JOIN msp.interview i USING (interview_id)" \
	" JOIN msp.study s ON s.study_id = i.study_id" \
	" JOIN msp.study_code c ON c.study_id = g.study_id" \
	" AND c.code = g.code WHERE s.slug = 'occitanie-2024' "

/* "code:1,2,3 code:..." for the codes of one kind. */
#define OCC_WHO(kind) \
	"SELECT string_agg(code || ':' || ps, ' ' ORDER BY code) FROM (" \
	" SELECT c.code, string_agg(i.participant_no::text, ','" \
	" ORDER BY i.participant_no) AS ps" OCC_SEGMENTS \
	" AND c.kind = '" kind "' GROUP BY c.code) t"

/* Participants per HAS category, through the crosswalk. */
#define OCC_HAS \
	"WITH h AS (SELECT hc.has_code, i.participant_no" \
	" FROM msp.has_category hc LEFT JOIN (msp.crosswalk x" \
	" JOIN msp.study s ON s.study_id = x.study_id" \
	" AND s.slug = 'occitanie-2024'" \
	" JOIN msp.segment g ON g.study_id = x.study_id AND g.code = x.code" \
	" JOIN msp.interview i USING (interview_id))" \
	" ON x.has_code = hc.has_code) "

static const struct published occitanie_2024[] = {
	{ "the study",
	  "SELECT s.year || ' ' || g.slug || ' ' || i.slug || ' v'"
	  " || i.version || ' ' || s.target_size || ' ' || s.fieldwork_start"
	  " || '..' || s.fieldwork_end || ' ' || s.reconstructed"
	  " FROM msp.study s JOIN msp.region g USING (region_id)"
	  " JOIN msp.instrument i ON i.instrument_id = s.instrument_id"
	  " WHERE s.slug = 'occitanie-2024'",
	  "2024 occitanie occitanie-2024 v1 385 2024-04-23..2024-05-10 true" },
	{ "77 responses from the 385 validated teams (20%)",
	  "SELECT count(r.response_id) || '/' || count(*) || ' = '"
	  " || round(100.0 * count(r.response_id) / count(*)) || '%'"
	  " FROM msp.population p JOIN msp.study s USING (study_id)"
	  " LEFT JOIN msp.response r ON r.study_id = p.study_id"
	  " AND r.structure_id = p.structure_id"
	  " WHERE s.slug = 'occitanie-2024' AND p.active", "77/385 = 20%" },
	{ "initial send on 23 April to all, two days of reminders",
	  "SELECT count(*) FILTER (WHERE kind = 'invitation'"
	  " AND contacted_on = DATE '2024-04-23') || ' '"
	  " || count(DISTINCT contacted_on) FILTER (WHERE kind = 'reminder')"
	  " || ' ' || bool_and(contacted_on BETWEEN s.fieldwork_start"
	  " AND s.fieldwork_end) FROM msp.contact"
	  " JOIN msp.study s USING (study_id)"
	  " WHERE s.slug = 'occitanie-2024'", "385 2 true" },
	{ "answers within 23 April - 10 May, mean completion ~23 minutes",
	  "SELECT round(avg(extract(epoch FROM submitted_at - started_at))"
	  " / 60) || ' ' || bool_and((submitted_at AT TIME ZONE"
	  " 'Europe/Paris')::date BETWEEN s.fieldwork_start"
	  " AND s.fieldwork_end) || ' ' || bool_and(status = 'complete')"
	  " FROM msp.response r JOIN msp.study s USING (study_id)"
	  " WHERE s.slug = 'occitanie-2024'", "23 true true" },
	{ "health project validated: mean 2021, min 2011, max 2024",
	  "SELECT round(avg(num_value)) || ' ' || min(num_value) || ' '"
	  " || max(num_value)" OCC "AND a.item_key = 'project_validation_year'",
	  "2021 2011 2024" },
	{ "information is every team's base level",
	  "SELECT count(DISTINCT r.response_id)" OCC
	  "AND a.item_key = 'info_formats'", "77" },
	{ "21 worked information supports with users",
	  OCC_COUNT("info_with_users", "oui"), "21" },
	{ "a majority use tools to collect expectations",
	  OCC_MAJORITY("consult_tools", "a.choice_code = 'oui'"), "true" },
	{ "15 worked those tools with users",
	  OCC_COUNT("consult_with_users", "oui"), "15" },
	{ "16 have exchange/listening spaces",
	  OCC_COUNT("exchange_spaces", "oui"), "16" },
	{ "13 worked those spaces with users",
	  OCC_COUNT("exchange_spaces_with_users", "oui"), "13" },
	{ "11 co-construct actions with users",
	  OCC_COUNT("coconstruct", "oui"), "11" },
	{ "6 gave users a place in the governance",
	  OCC_COUNT("governance_place", "oui"), "6" },
	{ "not a priority: 67,53%",
	  OCC_SHARE("is_priority", "NOT a.bool_value", "2"), "52/77 = 67.53%" },
	{ "61 (79,22%) want to involve users more, 16 do not",
	  "SELECT count(*) FILTER (WHERE a.choice_code = 'oui') || ' ('"
	  " || round(100.0 * count(*) FILTER (WHERE a.choice_code = 'oui')"
	  " / count(*), 2) || '%) vs ' || count(*) FILTER (WHERE"
	  " a.choice_code = 'non')" OCC "AND a.item_key = 'want_more'",
	  "61 (79.22%) vs 16" },
	{ "most of those 61 are at the reflection stage",
	  "SELECT (count(*) FILTER (WHERE a.choice_code = 'reflexion') * 2"
	  " > count(*))::text" OCC "AND a.item_key = 'want_more_stage'",
	  "true" },
	{ "58,44% do not know the COPS-FAS-Fécop guide",
	  OCC_SHARE("knows_guide", "NOT a.bool_value", "2"), "45/77 = 58.44%" },
	{ "about 86% would like to receive it",
	  OCC_SHARE("wants_guide", "a.bool_value", "0"), "66/77 = 86%" },
	{ "a majority would like support",
	  OCC_MAJORITY("wants_support", "a.bool_value"), "true" },
	{ "continuum: 50% consultation, 13% collaboration, 8% partenariat",
	  OCC_STAGES "SELECT string_agg(stage || ' ' || round(100.0 * n"
	  " / total) || '%', ', ' ORDER BY rank) FROM (SELECT stage,"
	  " count(*) AS n, sum(count(*)) OVER () AS total FROM st"
	  " WHERE stage IS NOT NULL GROUP BY stage) t"
	  " JOIN msp.continuum_stage USING (stage)"
	  " WHERE stage <> 'information'",
	  "consultation 50%, collaboration 13%, partenariat 8%" },
	{ "partenariat teams say they co-construct",
	  OCC_STAGES "SELECT count(*) FROM st JOIN msp.answer a"
	  " USING (response_id) WHERE st.stage = 'partenariat'"
	  " AND a.item_key = 'coconstruct' AND a.choice_code = 'oui'", "6" },
	{ "what is a usager: « les patients » and « personne »",
	  OCC_TOP("def_usager", "2", ""), "patients,personne" },
	{ "what is user involvement: the verb « participer »",
	  OCC_TOP("def_implication", "1", ""), "participer" },
	{ "expected impacts: mainly « amélioration »",
	  OCC_TOP("expected_impacts", "1", ""), "amélioration" },
	/* the freins are "le manque de" each thing: "manque" set aside */
	{ "freins most mentioned: lack of time and of motivation",
	  OCC_TOP("freins", "2", " AND w <> 'manque'"), "temps,motivation" },
	{ "information worked with users mostly in working groups",
	  "SELECT (count(*) FILTER (WHERE a.text_value ILIKE"
	  " '%groupe de travail%') * 2 > count(*))::text" OCC
	  "AND a.item_key = 'info_with_users_how'", "true" },
	{ "no answer to an item whose condition is not met",
	  "SELECT count(*)" OCC "AND EXISTS (SELECT 1"
	  " FROM msp.instrument_item it WHERE it.instrument_id ="
	  " a.instrument_id AND it.item_key = a.item_key"
	  " AND it.show_if_item IS NOT NULL AND NOT EXISTS (SELECT 1"
	  " FROM msp.answer c WHERE c.response_id = a.response_id"
	  " AND c.item_key = it.show_if_item"
	  " AND c.choice_code = ANY (it.show_if_values)))", "0" },
	{ "the frame carries the type each respondent declares",
	  "SELECT count(*)" OCC "AND a.item_key = 'structure_type'"
	  " AND a.choice_code = (SELECT st.structure_type::text"
	  " FROM msp.structure st WHERE st.structure_id = r.structure_id)",
	  "77" },
	{ "13 interviews, recorded with consent, anonymised, deleted",
	  "SELECT count(*) || ' ' || min(participant_no) || '-'"
	  " || max(participant_no) || ' ' || bool_and(consent_recorded)"
	  " || ' ' || bool_and(transcript_anonymised) || ' '"
	  " || bool_and(recording_deleted_on IS NOT NULL)"
	  " FROM msp.interview JOIN msp.study s USING (study_id)"
	  " WHERE s.slug = 'occitanie-2024'", "13 1-13 true true true" },
	{ "the level of each participant's example (§IV.B.5.A)",
	  "SELECT string_agg(stage || ':' || ps, ' ' ORDER BY rank) FROM ("
	  " SELECT coalesce(i.stage, 'none') AS stage, coalesce(c.rank, 9)"
	  " AS rank, string_agg(i.participant_no::text, ',' ORDER BY"
	  " i.participant_no) AS ps FROM msp.interview i"
	  " JOIN msp.study s USING (study_id) LEFT JOIN msp.continuum_stage"
	  " c USING (stage) WHERE s.slug = 'occitanie-2024'"
	  " GROUP BY 1, 2) t",
	  "information:5,8 consultation:1,4,11 collaboration:6,13"
	  " partenariat:2,3,9,10,12 none:7" },
	{ "crosswalk: participants' category -> HAS (§V.D-E)",
	  "SELECT string_agg(x.code || '>' || x.has_code, ' ' ORDER BY"
	  " x.has_code, x.code) FROM msp.crosswalk x"
	  " JOIN msp.study s USING (study_id) WHERE s.slug = 'occitanie-2024'",
	  "f_temps_priorite>H-F1 f_moyens_financiers_humains>H-F2"
	  " f_posture_usagers>H-F3 f_posture_professionnels>H-F4"
	  " f_connaissance_partenariat>H-F5 f_facteurs_environnementaux>H-F6"
	  " l_formation>H-L1 l_partage_experience>H-L2"
	  " l_structures_accompagnement>H-L2 l_outils>H-L3"
	  " l_incitation_financiere>H-L4 l_mediateurs>H-L5" },
	{ "freins the report maps to no HAS category",
	  "SELECT string_agg(c.code, ' ' ORDER BY c.code)"
	  " FROM msp.study_code c JOIN msp.study s USING (study_id)"
	  " WHERE s.slug = 'occitanie-2024' AND c.kind IN ('frein', 'levier')"
	  " AND NOT EXISTS (SELECT 1 FROM msp.crosswalk x"
	  " WHERE x.study_id = c.study_id AND x.code = c.code)",
	  "f_crainte_avis_negatifs f_crainte_remise_en_cause" },
	{ "who names which frein (§IV.B.5.D, §V.D)", OCC_WHO("frein"),
	  "f_connaissance_partenariat:1,2 f_crainte_avis_negatifs:1,11"
	  " f_crainte_remise_en_cause:3,9 f_facteurs_environnementaux:1,3,7"
	  " f_moyens_financiers_humains:1 f_posture_professionnels:3,4"
	  " f_posture_usagers:5,9 f_temps_priorite:5,8,10,13" },
	{ "who names which levier (§IV.B.5.E, §V.E)", OCC_WHO("levier"),
	  "l_formation:1,2,3,10,12 l_incitation_financiere:13"
	  " l_mediateurs:1,2 l_outils:2,7 l_partage_experience:2,9,10"
	  " l_structures_accompagnement:2" },
	{ "who needs which resource (§IV.B.5.F)", OCC_WHO("resource_need"),
	  "b_acculturation:3 b_communication:11 b_langage_facile:7"
	  " b_outils_actions_concretes:4,5 b_partage_experience:2"
	  " b_temoignage_ru:13" },
	{ "number of participants per HAS category",
	  OCC_HAS "SELECT string_agg(has_code || ':' || n, ' '"
	  " ORDER BY has_code) FROM (SELECT has_code,"
	  " count(DISTINCT participant_no) AS n FROM h GROUP BY 1) t",
	  "H-F1:4 H-F2:1 H-F3:2 H-F4:2 H-F5:2 H-F6:3"
	  " H-L1:5 H-L2:3 H-L3:2 H-L4:1 H-L5:2" },
	{ "which participants, per HAS category",
	  OCC_HAS "SELECT string_agg(has_code || ':' || ps, ' '"
	  " ORDER BY has_code) FROM (SELECT has_code, string_agg(p::text,"
	  " ',' ORDER BY p) AS ps FROM (SELECT DISTINCT has_code,"
	  " participant_no AS p FROM h WHERE participant_no IS NOT NULL) d"
	  " GROUP BY 1) t",
	  "H-F1:5,8,10,13 H-F2:1 H-F3:5,9 H-F4:3,4 H-F5:1,2 H-F6:1,3,7"
	  " H-L1:1,2,3,10,12 H-L2:2,9,10 H-L3:2,7 H-L4:13 H-L5:1,2" },
	{ "training levier: P1, P2, P3, P10, P12 -> 5",
	  OCC_HAS "SELECT string_agg(p::text, ',' ORDER BY p) || ' -> '"
	  " || count(*) FROM (SELECT DISTINCT participant_no AS p FROM h"
	  " WHERE has_code = 'H-L1') t", "1,2,3,10,12 -> 5" },
	{ "HAS categories no participant mentioned: none",
	  OCC_HAS "SELECT coalesce(string_agg(DISTINCT has_code, ' '), '')"
	  " FROM h WHERE participant_no IS NULL", "" },
	{ "human freins: about half of the participants",
	  "SELECT count(DISTINCT i.participant_no) || '/13'" OCC_SEGMENTS
	  " AND c.kind = 'frein' AND c.theme_fr = 'Freins humains'", "7/13" },
	{ "training is the levier most participants name",
	  "SELECT c.code" OCC_SEGMENTS "AND c.kind = 'levier'"
	  " GROUP BY c.code ORDER BY count(DISTINCT i.participant_no) DESC"
	  " LIMIT 1", "l_formation" },
	{ "51 coded quotes, one per participant and code, under 2000 chars",
	  "SELECT count(*) || ' ' || count(DISTINCT (i.participant_no,"
	  " g.code)) || ' ' || bool_and(length(g.verbatim_fr)"
	  " BETWEEN 1 AND 1999)" OCC_SEGMENTS, "51 51 true" },
};

START_TEST(occitanie_2024_published_figures)
{
	assert_published(occitanie_2024,
			 sizeof(occitanie_2024) / sizeof(occitanie_2024[0]));
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
	tcase_add_test(tc, occitanie_2024_published_figures);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testdb_run(reference_suite());
}
