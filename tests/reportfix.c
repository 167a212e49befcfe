/*
 * reportfix — the report suites' shared fixtures (see reportfix.h).
 */
#include "config.h"

#include <check.h>

#include "db.h"
#include "reportfix.h"
#include "testdb.h"

PGconn *conn;

/* Created in the parent by the unchecked fixture, read by every case. */
static struct testdb shared;

void
load_shared(void)
{
	testdb_open(&shared);
	testdb_load(&shared, NULL);
	testdb_load_reference(&shared);
}

void
drop_shared(void)
{
	testdb_close(&shared);
}

void
connect_case(void)
{
	conn = testdb_connect(&shared);
}

void
disconnect_case(void)
{
	PQfinish(conn);
	conn = NULL;
}

struct rdoc *
reportfix_hostile_doc(void)
{
	struct rdoc *doc = rdoc_new();
	struct rtable *t;
	struct rrow *r;

	ck_assert_ptr_nonnull(doc);
	doc->title = "R&D <report>";
	rdoc_meta(doc, "x", "Région", "<img src=x onerror=alert(1)>");
	t = rdoc_table(doc, "t", "<script>alert('t')</script>", 2);
	ck_assert_ptr_nonnull(t);
	t->chart = 1;
	rtable_column(doc, t, 0, "a", "A \"quoted\" | pipe");
	rtable_column(doc, t, 1, "b", "B, with comma");
	r = rtable_row(doc, t, "v", "var", "c1", "</td><script>x</script>");
	ck_assert_ptr_nonnull(r);
	rcell_prop(&r->cells[0], 3, 10);
	rcell_text(doc, &r->cells[1], "line\nbreak, \"quote\"");
	r = rtable_row(doc, t, "v", "var", "c2", "fine");
	ck_assert_ptr_nonnull(r);
	rcell_prop(&r->cells[0], 7, 10);
	r->cells[1].suppressed = 1;
	t->note = "a note & <b>bold</b>";
	ck_assert_int_eq(rdoc_status(doc, NULL), MSP_OK);
	return doc;
}

/* The statements of reportfix_second_wave() (reportfix.h). */
static const char *const wave_sql[] = {
	"INSERT INTO msp.instrument (slug, version, title_fr)"
	" SELECT slug, 2, title_fr FROM msp.instrument"
	"  WHERE slug = 'pdl-2019' AND version = 1",
	"CREATE TEMPORARY VIEW v AS SELECT"
	" (SELECT instrument_id FROM msp.instrument"
	"   WHERE slug = 'pdl-2019' AND version = 1) AS one,"
	" (SELECT instrument_id FROM msp.instrument"
	"   WHERE slug = 'pdl-2019' AND version = 2) AS two",
	"INSERT INTO msp.instrument_item (instrument_id, item_key, position,"
	" section_fr, item_type, label_fr, required, min_value, max_value,"
	" integer_only, max_length)"
	" SELECT v.two, it.item_key, it.position, it.section_fr,"
	"  CASE it.item_key WHEN 'respondent_function'"
	"   THEN 'multiple_choice' ELSE it.item_type END,"
	"  CASE it.item_key WHEN 'federation_member'"
	"   THEN 'Adhérente à la fédération' ELSE it.label_fr END,"
	"  it.required, it.min_value,"
	"  CASE it.item_key WHEN 'opening_year' THEN 2025"
	"   ELSE it.max_value END, it.integer_only, it.max_length"
	" FROM msp.instrument_item it, v WHERE it.instrument_id = v.one"
	"  AND it.item_key <> 'respondent_profession'",
	"UPDATE msp.instrument_item n SET show_if_item = o.show_if_item,"
	" show_if_values = o.show_if_values FROM msp.instrument_item o, v"
	" WHERE o.instrument_id = v.one AND n.instrument_id = v.two"
	"  AND n.item_key = o.item_key AND o.show_if_item IS NOT NULL"
	"  AND n.item_key <> 'aware_of_initiatives'",
	"INSERT INTO msp.item_option (instrument_id, item_key, code,"
	" position, label_fr)"
	" SELECT v.two, o.item_key, o.code, o.position,"
	"  CASE WHEN o.item_key = 'departement' AND o.code = '44'"
	"   THEN 'Loire-Atlantique' ELSE o.label_fr END"
	" FROM msp.item_option o, v WHERE o.instrument_id = v.one",
	"INSERT INTO msp.item_option (instrument_id, item_key, code,"
	" position, label_fr)"
	" SELECT v.two, 'cpts_member', 'en_projet', 4, 'En projet' FROM v",
	"INSERT INTO msp.study (slug, region_id, year, title_fr,"
	" instrument_id, state, follows_study_id)"
	" SELECT 'pdl-2025', s.region_id, 2025, 'PdL 2025', v.two, 'open',"
	"  s.study_id FROM msp.study s, v WHERE s.slug = 'pdl-2019'",
	"INSERT INTO msp.response (study_id, instrument_id, structure_id,"
	" status, started_at, submitted_at, idempotency_key)"
	" SELECT n.study_id, n.instrument_id, r.structure_id, r.status,"
	"  r.started_at, r.submitted_at, 'w2-' || r.response_id"
	" FROM msp.response r JOIN msp.study s USING (study_id),"
	"  msp.study n WHERE s.slug = 'pdl-2019' AND n.slug = 'pdl-2025'",
	"INSERT INTO msp.answer (response_id, instrument_id, item_key,"
	" choice_code, num_value, text_value, bool_value)"
	" SELECT n.response_id, n.instrument_id, a.item_key, a.choice_code,"
	"  a.num_value, a.text_value, a.bool_value"
	" FROM msp.answer a JOIN msp.response n"
	"  ON n.idempotency_key = 'w2-' || a.response_id"
	" WHERE a.item_key <> 'respondent_profession'",
};

void
reportfix_second_wave(PGconn *c)
{
	struct msp_error err;
	size_t i;

	for (i = 0; i < sizeof(wave_sql) / sizeof(wave_sql[0]); i++)
		ck_assert_msg(db_exec(c, "wave", wave_sql[i], 0, NULL,
				      PGRES_COMMAND_OK, NULL, &err) ==
			      MSP_OK, "%s: %s", wave_sql[i], err.message);
}
