/*
 * check_instrument — an instrument's JSON (instrument_json(), the API's
 * GET .../instrument) read back by instrument_from_json() gives the
 * instrument the database holds, field by field: every instrument in
 * msp.instrument after the reference data is loaded (the two reference
 * studies'; the generator has none of its own, it draws from these),
 * compared with this test's own SQL, not with instrument_load().
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "instrument.h"
#include "jsonin.h"
#include "testdb.h"

static struct testdb db;	/* migrated, reference data loaded */

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

static PGresult *
query(const char *sql, const char *id)
{
	const char *params[1] = { id };
	PGresult *res = PQexecParams(db.conn, sql, id ? 1 : 0, NULL,
				     id ? params : NULL, NULL, NULL, 0);

	ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%s: %s", sql,
		      PQerrorMessage(db.conn));
	return res;
}

/* A column of res by name: NULL for SQL NULL. */
static const char *
col(const PGresult *res, int row, const char *name)
{
	int c = PQfnumber(res, name);

	ck_assert_msg(c >= 0, "no column %s", name);
	return PQgetisnull(res, row, c) ? NULL : PQgetvalue(res, row, c);
}

static void
str_eq(const char *got, const char *want, const char *what,
       const char *key)
{
	if (got == NULL || want == NULL)
		ck_assert_msg(got == want, "%s %s: got %s, want %s", key,
			      what, got ? got : "NULL", want ? want : "NULL");
	else
		ck_assert_msg(strcmp(got, want) == 0, "%s %s: got '%s', "
			      "want '%s'", key, what, got, want);
}

/* The instrument's JSON text, as the API prints it. */
static char *
json_text(const struct instrument *ins)
{
	struct json_object *o = instrument_json(ins);
	char *s;

	ck_assert_ptr_nonnull(o);
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
				JSON_C_TO_STRING_NOSLASHESCAPE));
	ck_assert_ptr_nonnull(s);
	json_object_put(o);
	return s;
}

/* How many show_if values (options 0) or options (1) ins has. */
static size_t
total(const struct instrument *ins, int options)
{
	size_t i, n = 0;

	for (i = 0; i < ins->n_items; i++)
		n += options ? ins->items[i].n_options
			     : ins->items[i].n_show_if_values;
	return n;
}

/* Row row of res names an item (item_key) and a 1-based place in its
 * show_if values or options (n): *it and the 0-based index there. */
static size_t
entry(const struct instrument *ins, const PGresult *res, int row,
      int options, const struct instrument_item **it)
{
	size_t n = (size_t)strtol(col(res, row, "n"), NULL, 10);

	*it = instrument_find(ins, col(res, row, "item_key"));
	ck_assert_ptr_nonnull(*it);
	ck_assert_uint_ge(n, 1);
	ck_assert_uint_le(n, options ? (*it)->n_options
				     : (*it)->n_show_if_values);
	return n - 1;
}

/* ins, read back from JSON, against the database's rows of id. */
static void
assert_as_stored(const struct instrument *ins, const char *id)
{
	PGresult *res;
	int row;

	res = query("SELECT slug, version, title_fr FROM msp.instrument"
		    " WHERE instrument_id = $1", id);
	ck_assert_int_eq(PQntuples(res), 1);
	str_eq(ins->slug, col(res, 0, "slug"), "slug", id);
	ck_assert_int_eq(ins->version,
			 (int)strtol(col(res, 0, "version"), NULL, 10));
	str_eq(ins->title_fr, col(res, 0, "title_fr"), "title_fr", id);
	PQclear(res);

	res = query("SELECT item_key, section_fr, label_fr, help_fr,"
		    "       item_type::text AS item_type, required::text,"
		    "       label_verbatim::text, min_value::text,"
		    "       max_value::text, integer_only::text,"
		    "       max_length, show_if_item"
		    "  FROM msp.instrument_item WHERE instrument_id = $1"
		    " ORDER BY position", id);
	ck_assert_uint_eq(ins->n_items, (size_t)PQntuples(res));
	ck_assert_uint_gt(ins->n_items, 0);
	for (row = 0; row < PQntuples(res); row++) {
		const struct instrument_item *it = &ins->items[row];
		const char *key = col(res, row, "item_key"), *v;

		str_eq(it->key, key, "key", id);
		str_eq(it->section_fr, col(res, row, "section_fr"),
		       "section_fr", key);
		str_eq(it->label_fr, col(res, row, "label_fr"), "label_fr",
		       key);
		str_eq(it->help_fr, col(res, row, "help_fr"), "help_fr", key);
		str_eq(item_type_name(it->type), col(res, row, "item_type"),
		       "type", key);
		str_eq(it->required ? "true" : "false",
		       col(res, row, "required"), "required", key);
		str_eq(it->label_verbatim ? "true" : "false",
		       col(res, row, "label_verbatim"), "label_verbatim", key);
		/* numeric as PostgreSQL writes it, read as a double: the
		 * bound the form and the API check against */
		v = col(res, row, "min_value");
		ck_assert_int_eq(it->has_min, v != NULL);
		if (v != NULL)
			ck_assert_double_eq(it->min_value, strtod(v, NULL));
		v = col(res, row, "max_value");
		ck_assert_int_eq(it->has_max, v != NULL);
		if (v != NULL)
			ck_assert_double_eq(it->max_value, strtod(v, NULL));
		/* integer_only is written for numbers only: elsewhere it
		 * means nothing and reads back false */
		if (it->type == ITEM_NUMBER)
			str_eq(it->integer_only ? "true" : "false",
			       col(res, row, "integer_only"), "integer_only",
			       key);
		else
			ck_assert_int_eq(it->integer_only, 0);
		v = col(res, row, "max_length");
		ck_assert_int_eq(it->max_length,
				 v ? (int)strtol(v, NULL, 10) : 0);
		v = col(res, row, "show_if_item");
		if (v == NULL)
			ck_assert_int_eq(it->show_if, -1);
		else {
			ck_assert_int_ge(it->show_if, 0);
			str_eq(ins->items[it->show_if].key, v, "show_if", key);
		}
	}
	PQclear(res);

	/* show_if values, in their stored order */
	res = query("SELECT it.item_key, v.value, v.n"
		    "  FROM msp.instrument_item it,"
		    "       unnest(it.show_if_values) WITH ORDINALITY"
		    "         AS v(value, n)"
		    " WHERE it.instrument_id = $1 ORDER BY it.position, v.n",
		    id);
	ck_assert_uint_eq(total(ins, 0), (size_t)PQntuples(res));
	for (row = 0; row < PQntuples(res); row++) {
		const struct instrument_item *it;
		size_t k = entry(ins, res, row, 0, &it);

		str_eq(it->show_if_values[k], col(res, row, "value"),
		       "show_if value", it->key);
	}
	PQclear(res);

	/* options, in display order */
	res = query("SELECT item_key, code, label_fr,"
		    "       row_number() OVER (PARTITION BY item_key"
		    "                          ORDER BY position) AS n"
		    "  FROM msp.item_option WHERE instrument_id = $1", id);
	ck_assert_uint_eq(total(ins, 1), (size_t)PQntuples(res));
	for (row = 0; row < PQntuples(res); row++) {
		const struct instrument_item *it;
		size_t k = entry(ins, res, row, 1, &it);

		str_eq(it->options[k].code, col(res, row, "code"),
		       "option code", it->key);
		str_eq(it->options[k].label_fr, col(res, row, "label_fr"),
		       "option label_fr", it->key);
	}
	PQclear(res);
}

/* Every instrument: database -> instrument_load -> JSON text ->
 * jsonin_parse -> instrument_from_json, compared with the rows; and
 * its JSON again, the same text. */
static void
round_trip_all(void)
{
	PGresult *ids = query("SELECT instrument_id FROM msp.instrument"
			      " ORDER BY instrument_id", NULL);
	int k;

	ck_assert_int_ge(PQntuples(ids), 2);
	for (k = 0; k < PQntuples(ids); k++) {
		const char *id = PQgetvalue(ids, k, 0);
		struct instrument *ins = NULL, *back = NULL;
		struct json_object *doc = NULL;
		struct msp_error err;
		char *text, *again;

		ck_assert_msg(instrument_load(db.conn,
					      (int)strtol(id, NULL, 10),
					      &ins, &err) == MSP_OK,
			      "%s", err.message);
		text = json_text(ins);
		ck_assert_msg(jsonin_parse(text, strlen(text), &doc, &err)
			      == MSP_OK, "%s", err.message);
		ck_assert_msg(instrument_from_json(doc, &back, &err)
			      == MSP_OK, "instrument %s: %s", id,
			      err.message);
		assert_as_stored(back, id);
		again = json_text(back);
		ck_assert_str_eq(again, text);
		free(again);
		free(text);
		json_object_put(doc);
		instrument_free(back);
		instrument_free(ins);
	}
	PQclear(ids);
}

START_TEST(reference_instruments_round_trip)
{
	round_trip_all();
}
END_TEST

/* What the reference instruments lack: help texts, fractional bounds,
 * markup and quotes in labels.  Set on copies of their rows, then the
 * same round trip.  A version with responses cannot change any more
 * (msp.instrument_frozen_guard, 0029): this database's responses go
 * first, they have nothing to do with the definitions' round trip. */
START_TEST(every_member_round_trips)
{
	PGresult *res;

	res = PQexec(db.conn,
		"DELETE FROM msp.response;"
		"UPDATE msp.instrument_item SET help_fr = 'Aide : « " \
		"<b>gras</b> » \"cité\" \\ fin'"
		" WHERE (instrument_id, position) IN"
		"   (SELECT instrument_id, min(position)"
		"      FROM msp.instrument_item GROUP BY instrument_id);"
		"UPDATE msp.instrument_item"
		"   SET min_value = -2.5, max_value = 1234.125"
		" WHERE item_type = 'number' AND NOT integer_only;"
		"UPDATE msp.item_option SET label_fr = label_fr || ' <i>&</i>'"
		" WHERE position = 1;");
	ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK, "%s",
		      PQerrorMessage(db.conn));
	PQclear(res);
	ck_assert_str_eq(testdb_value(db.conn, "SELECT count(*) > 0 FROM"
		" msp.instrument_item WHERE help_fr IS NOT NULL"), "t");
	round_trip_all();
}
END_TEST

static Suite *
instrument_suite(void)
{
	Suite *s = suite_create("instrument");
	TCase *tc = tcase_create("round trip");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, reference_instruments_round_trip);
	tcase_add_test(tc, every_member_round_trips);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testdb_run(instrument_suite());
}
