/*
 * instrument — a questionnaire definition, read from the database.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "db.h"
#include "instrument.h"

static const char *const type_names[] = {
	[ITEM_SINGLE_CHOICE] = "single_choice",
	[ITEM_MULTIPLE_CHOICE] = "multiple_choice",
	[ITEM_NUMBER] = "number",
	[ITEM_TEXT] = "text",
	[ITEM_BOOLEAN] = "boolean",
};

const char *
item_type_name(enum item_type type)
{
	return type_names[type];
}

int
item_type_parse(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (strcmp(name, type_names[i]) == 0)
			return (int)i;
	return -1;
}

/* A copy of column col of row, or NULL for SQL NULL; *oom set on
 * failure. */
static char *
dup_value(const PGresult *res, int row, int col, int *oom)
{
	char *s;

	if (PQgetisnull(res, row, col))
		return NULL;
	s = strdup(PQgetvalue(res, row, col));
	if (s == NULL)
		*oom = 1;
	return s;
}

static void
item_clear(struct instrument_item *it)
{
	size_t i;

	free(it->key);
	free(it->section_fr);
	free(it->label_fr);
	free(it->help_fr);
	for (i = 0; i < it->n_show_if_values; i++)
		free(it->show_if_values[i]);
	free(it->show_if_values);
	for (i = 0; i < it->n_options; i++) {
		free(it->options[i].code);
		free(it->options[i].label_fr);
	}
	free(it->options);
}

void
instrument_free(struct instrument *ins)
{
	size_t i;

	if (ins == NULL)
		return;
	for (i = 0; i < ins->n_items; i++)
		item_clear(&ins->items[i]);
	free(ins->items);
	free(ins->slug);
	free(ins->title_fr);
	free(ins);
}

/* show_if_values arrives as a JSON array of strings. */
static enum msp_status
parse_show_if_values(struct instrument_item *it, const char *json,
		     struct msp_error *err)
{
	struct json_object *arr = json_tokener_parse(json);
	size_t i, n;

	if (arr == NULL || !json_object_is_type(arr, json_type_array)) {
		json_object_put(arr);
		return msp_error_set(err, MSP_EDB,
				     "item %s: unreadable show_if_values",
				     it->key);
	}
	n = json_object_array_length(arr);
	it->show_if_values = calloc(n ? n : 1, sizeof(char *));
	if (it->show_if_values == NULL) {
		json_object_put(arr);
		return msp_error_set(err, MSP_ENOMEM, "out of memory");
	}
	for (i = 0; i < n; i++) {
		const char *v = json_object_get_string(
			json_object_array_get_idx(arr, i));

		it->show_if_values[i] = strdup(v ? v : "");
		if (it->show_if_values[i] == NULL) {
			json_object_put(arr);
			return msp_error_set(err, MSP_ENOMEM,
					     "out of memory");
		}
		it->n_show_if_values = i + 1;
	}
	json_object_put(arr);
	return MSP_OK;
}

static enum msp_status
load_items(PGconn *conn, struct instrument *ins, const char *id,
	   struct msp_error *err)
{
	const char *params[1] = { id };
	PGresult *res = NULL;
	enum msp_status st;
	int c_key, c_section, c_label, c_help, c_type, c_required, c_verbatim,
	    c_min, c_max, c_integer, c_show_item, c_show_values;
	int oom = 0, row, n;

	st = db_exec(conn, "instrument items",
		     "SELECT item_key, section_fr, label_fr, help_fr,"
		     "       item_type::text AS item_type, required,"
		     "       label_verbatim, min_value::float8 AS min_value,"
		     "       max_value::float8 AS max_value, integer_only,"
		     "       max_length, show_if_item,"
		     "       pg_catalog.array_to_json(show_if_values)"
		     "         AS show_if_values"
		     "  FROM msp.instrument_item"
		     " WHERE instrument_id = $1 ORDER BY position",
		     1, params, PGRES_TUPLES_OK, &res, err);
	if (st != MSP_OK)
		return st;
	c_key = db_column(res, "item_key");
	c_section = db_column(res, "section_fr");
	c_label = db_column(res, "label_fr");
	c_help = db_column(res, "help_fr");
	c_type = db_column(res, "item_type");
	c_required = db_column(res, "required");
	c_verbatim = db_column(res, "label_verbatim");
	c_min = db_column(res, "min_value");
	c_max = db_column(res, "max_value");
	c_integer = db_column(res, "integer_only");
	c_show_item = db_column(res, "show_if_item");
	c_show_values = db_column(res, "show_if_values");

	n = PQntuples(res);
	ins->items = calloc(n ? (size_t)n : 1, sizeof(*ins->items));
	if (ins->items == NULL) {
		st = msp_error_set(err, MSP_ENOMEM, "out of memory");
		goto out;
	}
	for (row = 0; row < n; row++) {
		struct instrument_item *it = &ins->items[row];

		ins->n_items = (size_t)row + 1;
		it->show_if = -1;
		it->key = dup_value(res, row, c_key, &oom);
		it->section_fr = dup_value(res, row, c_section, &oom);
		it->label_fr = dup_value(res, row, c_label, &oom);
		it->help_fr = dup_value(res, row, c_help, &oom);
		if (oom) {
			st = msp_error_set(err, MSP_ENOMEM, "out of memory");
			goto out;
		}
		it->type = (enum item_type)item_type_parse(
			PQgetvalue(res, row, c_type));
		it->required = PQgetvalue(res, row, c_required)[0] == 't';
		it->label_verbatim =
			PQgetvalue(res, row, c_verbatim)[0] == 't';
		it->has_min = !PQgetisnull(res, row, c_min);
		it->has_max = !PQgetisnull(res, row, c_max);
		if (it->has_min)
			it->min_value = strtod(PQgetvalue(res, row, c_min),
					       NULL);
		if (it->has_max)
			it->max_value = strtod(PQgetvalue(res, row, c_max),
					       NULL);
		it->integer_only = PQgetvalue(res, row, c_integer)[0] == 't';
		it->max_length = (int)db_int(res, row, "max_length");
		if (!PQgetisnull(res, row, c_show_item)) {
			/* The foreign key guarantees an item of this
			 * instrument; its index is resolved below. */
			st = parse_show_if_values(
				it, PQgetvalue(res, row, c_show_values), err);
			if (st != MSP_OK)
				goto out;
		}
	}
	/* Second pass: show_if names an item, possibly a later one. */
	for (row = 0; row < n; row++)
		if (!PQgetisnull(res, row, c_show_item))
			ins->items[row].show_if = instrument_index(
				ins, PQgetvalue(res, row, c_show_item));
out:
	PQclear(res);
	return st;
}

static enum msp_status
load_options(PGconn *conn, struct instrument *ins, const char *id,
	     struct msp_error *err)
{
	const char *params[1] = { id };
	PGresult *res = NULL;
	enum msp_status st;
	int c_item, c_code, c_label, row, n, oom = 0;

	st = db_exec(conn, "instrument options",
		     "SELECT item_key, code, label_fr FROM msp.item_option"
		     " WHERE instrument_id = $1 ORDER BY item_key, position",
		     1, params, PGRES_TUPLES_OK, &res, err);
	if (st != MSP_OK)
		return st;
	c_item = db_column(res, "item_key");
	c_code = db_column(res, "code");
	c_label = db_column(res, "label_fr");
	n = PQntuples(res);
	for (row = 0; row < n; row++) {
		struct instrument_item *it;
		struct item_option *opts;
		int idx = instrument_index(ins, PQgetvalue(res, row, c_item));

		if (idx < 0)
			continue;	/* impossible under the foreign key */
		it = &ins->items[idx];
		opts = realloc(it->options,
			       (it->n_options + 1) * sizeof(*opts));
		if (opts == NULL) {
			st = msp_error_set(err, MSP_ENOMEM, "out of memory");
			goto out;
		}
		it->options = opts;
		opts[it->n_options].code = dup_value(res, row, c_code, &oom);
		opts[it->n_options].label_fr =
			dup_value(res, row, c_label, &oom);
		it->n_options++;
		if (oom) {
			st = msp_error_set(err, MSP_ENOMEM, "out of memory");
			goto out;
		}
	}
out:
	PQclear(res);
	return st;
}

enum msp_status
instrument_load(PGconn *conn, int instrument_id, struct instrument **out,
		struct msp_error *err)
{
	char id[16];
	const char *params[1] = { id };
	struct instrument *ins = NULL;
	PGresult *res = NULL;
	enum msp_status st;
	int oom = 0;

	*out = NULL;
	snprintf(id, sizeof(id), "%d", instrument_id);
	st = db_exec(conn, "instrument",
		     "SELECT slug, version, title_fr FROM msp.instrument"
		     " WHERE instrument_id = $1",
		     1, params, PGRES_TUPLES_OK, &res, err);
	if (st != MSP_OK)
		return st;
	if (PQntuples(res) != 1) {
		st = msp_error_set(err, MSP_EINVAL, "no instrument %d",
				   instrument_id);
		goto out;
	}
	ins = calloc(1, sizeof(*ins));
	if (ins == NULL) {
		st = msp_error_set(err, MSP_ENOMEM, "out of memory");
		goto out;
	}
	ins->instrument_id = instrument_id;
	ins->slug = dup_value(res, 0, db_column(res, "slug"), &oom);
	ins->title_fr = dup_value(res, 0, db_column(res, "title_fr"), &oom);
	ins->version = (int)db_int(res, 0, "version");
	if (oom) {
		st = msp_error_set(err, MSP_ENOMEM, "out of memory");
		goto out;
	}
	st = load_items(conn, ins, id, err);
	if (st == MSP_OK)
		st = load_options(conn, ins, id, err);
	if (st == MSP_OK) {
		*out = ins;
		ins = NULL;
	} else {
		msp_error_prefix(err, "instrument %d", instrument_id);
	}
out:
	PQclear(res);
	instrument_free(ins);
	return st;
}

int
instrument_index(const struct instrument *ins, const char *key)
{
	size_t i;

	for (i = 0; i < ins->n_items; i++)
		if (strcmp(ins->items[i].key, key) == 0)
			return (int)i;
	return -1;
}

const struct instrument_item *
instrument_find(const struct instrument *ins, const char *key)
{
	int i = instrument_index(ins, key);

	return i < 0 ? NULL : &ins->items[i];
}

const struct item_option *
item_find_option(const struct instrument_item *it, const char *code)
{
	size_t i;

	for (i = 0; i < it->n_options; i++)
		if (strcmp(it->options[i].code, code) == 0)
			return &it->options[i];
	return NULL;
}
