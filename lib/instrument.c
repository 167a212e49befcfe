/*
 * instrument — a questionnaire definition, read from the database, or
 * from its JSON text where there is none, and written as that JSON text
 * (instrument_json(), the API's GET .../instrument).
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "alloc.h"
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
	s = msp_strdup(PQgetvalue(res, row, col));
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
	free(it->label_en);
	free(it->help_fr);
	for (i = 0; i < it->n_show_if_values; i++)
		free(it->show_if_values[i]);
	free(it->show_if_values);
	for (i = 0; i < it->n_options; i++) {
		free(it->options[i].code);
		free(it->options[i].label_fr);
		free(it->options[i].label_en);
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
	free(ins->title_en);
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
	it->show_if_values = msp_calloc(n ? n : 1, sizeof(char *));
	if (it->show_if_values == NULL) {
		json_object_put(arr);
		return msp_error_set(err, MSP_ENOMEM, "out of memory");
	}
	for (i = 0; i < n; i++) {
		const char *v = json_object_get_string(
			json_object_array_get_idx(arr, i));

		it->show_if_values[i] = msp_strdup(v ? v : "");
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
	int c_key, c_section, c_label, c_label_en, c_help, c_type, c_required,
	    c_verbatim,
	    c_min, c_max, c_integer, c_show_item, c_show_values;
	int oom = 0, row, n;

	st = db_exec(conn, "instrument items",
		     "SELECT item_key, section_fr, label_fr, label_en, help_fr,"
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
	c_label_en = db_column(res, "label_en");
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
	ins->items = msp_calloc(n ? (size_t)n : 1, sizeof(*ins->items));
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
		it->label_en = dup_value(res, row, c_label_en, &oom);
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
	int c_item, c_code, c_label, c_label_en, row, n, oom = 0;

	st = db_exec(conn, "instrument options",
		     "SELECT item_key, code, label_fr, label_en"
		     "  FROM msp.item_option"
		     " WHERE instrument_id = $1 ORDER BY item_key, position",
		     1, params, PGRES_TUPLES_OK, &res, err);
	if (st != MSP_OK)
		return st;
	c_item = db_column(res, "item_key");
	c_code = db_column(res, "code");
	c_label = db_column(res, "label_fr");
	c_label_en = db_column(res, "label_en");
	n = PQntuples(res);
	for (row = 0; row < n; row++) {
		struct instrument_item *it;
		struct item_option *opts;
		int idx = instrument_index(ins, PQgetvalue(res, row, c_item));

		if (idx < 0)
			continue;	/* impossible under the foreign key */
		it = &ins->items[idx];
		opts = msp_realloc(it->options,
			       (it->n_options + 1) * sizeof(*opts));
		if (opts == NULL) {
			st = msp_error_set(err, MSP_ENOMEM, "out of memory");
			goto out;
		}
		it->options = opts;
		opts[it->n_options].code = dup_value(res, row, c_code, &oom);
		opts[it->n_options].label_fr =
			dup_value(res, row, c_label, &oom);
		opts[it->n_options].label_en =
			dup_value(res, row, c_label_en, &oom);
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
		     "SELECT slug, version, title_fr, title_en"
		     "  FROM msp.instrument"
		     " WHERE instrument_id = $1",
		     1, params, PGRES_TUPLES_OK, &res, err);
	if (st != MSP_OK)
		return st;
	if (PQntuples(res) != 1) {
		st = msp_error_set(err, MSP_EINVAL, "no instrument %d",
				   instrument_id);
		goto out;
	}
	ins = msp_calloc(1, sizeof(*ins));
	if (ins == NULL) {
		st = msp_error_set(err, MSP_ENOMEM, "out of memory");
		goto out;
	}
	ins->instrument_id = instrument_id;
	ins->slug = dup_value(res, 0, db_column(res, "slug"), &oom);
	ins->title_fr = dup_value(res, 0, db_column(res, "title_fr"), &oom);
	ins->title_en = dup_value(res, 0, db_column(res, "title_en"), &oom);
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

/* --- from JSON --------------------------------------------------------- */

/*
 * Member name of object o, if it has type (an int counts as a double):
 * 1 found, 0 absent or null, -1 present with another type.
 */
static int
json_member(struct json_object *o, const char *name, json_type type,
	    struct json_object **v)
{
	if (!json_object_object_get_ex(o, name, v) || *v == NULL)
		return 0;
	if (json_object_is_type(*v, type) ||
	    (type == json_type_double &&
	     json_object_is_type(*v, json_type_int)))
		return 1;
	return -1;
}

/*
 * A copy of string member name of o in *out; when absent, a copy of
 * dflt, or an error if dflt is NULL.  where says whose member it is.
 */
static enum msp_status
json_string_dup(struct json_object *o, const char *name, const char *dflt,
		char **out, const char *where, struct msp_error *err)
{
	struct json_object *v;
	int found = json_member(o, name, json_type_string, &v);

	if (found < 0 || (found == 0 && dflt == NULL))
		return msp_error_set(err, MSP_EINVAL,
				     "%s: \"%s\" must be a string", where,
				     name);
	*out = msp_strdup(found ? json_object_get_string(v) : dflt);
	if (*out == NULL)
		return msp_error_set(err, MSP_ENOMEM, "out of memory");
	return MSP_OK;
}

/* Boolean member name of o in *out, 0 when absent. */
static enum msp_status
json_flag(struct json_object *o, const char *name, int *out,
	  const char *where, struct msp_error *err)
{
	struct json_object *v;
	int found = json_member(o, name, json_type_boolean, &v);

	if (found < 0)
		return msp_error_set(err, MSP_EINVAL,
				     "%s: \"%s\" must be true or false",
				     where, name);
	*out = found ? json_object_get_boolean(v) : 0;
	return MSP_OK;
}

/* Number member name of o in *value; *has says whether it is there. */
static enum msp_status
json_bound(struct json_object *o, const char *name, int *has,
	   double *value, const char *where, struct msp_error *err)
{
	struct json_object *v;
	int found = json_member(o, name, json_type_double, &v);

	if (found < 0)
		return msp_error_set(err, MSP_EINVAL,
				     "%s: \"%s\" must be a number", where,
				     name);
	*has = found;
	if (found)
		*value = json_object_get_double(v);
	return MSP_OK;
}

/* Non-negative int member name of o in *out, dflt when absent. */
static enum msp_status
json_count(struct json_object *o, const char *name, int dflt, int *out,
	   const char *where, struct msp_error *err)
{
	struct json_object *v;
	int found = json_member(o, name, json_type_int, &v);
	int64_t n = found > 0 ? json_object_get_int64(v) : dflt;

	if (found < 0 || n < 0 || n > INT_MAX)
		return msp_error_set(err, MSP_EINVAL,
				     "%s: \"%s\" must be an integer from 0 "
				     "to %d", where, name, INT_MAX);
	*out = (int)n;
	return MSP_OK;
}

static enum msp_status
item_options_from_json(struct instrument_item *it, struct json_object *arr,
		       struct msp_error *err)
{
	size_t i, n = json_object_array_length(arr);
	enum msp_status st;

	it->options = msp_calloc(n ? n : 1, sizeof(*it->options));
	if (it->options == NULL)
		return msp_error_set(err, MSP_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i);
		struct item_option *op = &it->options[i];
		char where[160];

		it->n_options = i + 1;
		snprintf(where, sizeof(where), "item %s, option %zu",
			 it->key, i + 1);
		if (!json_object_is_type(o, json_type_object))
			return msp_error_set(err, MSP_EINVAL,
					     "%s: not an object", where);
		if ((st = json_string_dup(o, "code", NULL, &op->code, where,
					  err)) != MSP_OK ||
		    (st = json_string_dup(o, "label_fr", "", &op->label_fr,
					  where, err)) != MSP_OK)
			return st;
	}
	return MSP_OK;
}

/* "show_if": {"item": key, "values": [...]}, its item resolved later. */
static enum msp_status
item_show_if_from_json(struct instrument_item *it, struct json_object *si,
		       const char *where, struct msp_error *err)
{
	struct json_object *values, *v;
	size_t i, n;

	if (json_member(si, "item", json_type_string, &v) != 1 ||
	    json_member(si, "values", json_type_array, &values) != 1)
		return msp_error_set(err, MSP_EINVAL, "%s: \"show_if\" must "
				     "be {\"item\": key, \"values\": [...]}",
				     where);
	n = json_object_array_length(values);
	it->show_if_values = msp_calloc(n ? n : 1, sizeof(char *));
	if (it->show_if_values == NULL)
		return msp_error_set(err, MSP_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(values, i);
		if (!json_object_is_type(v, json_type_string))
			return msp_error_set(err, MSP_EINVAL, "%s: \"show_if\""
					     " values must be strings", where);
		it->show_if_values[i] = msp_strdup(json_object_get_string(v));
		if (it->show_if_values[i] == NULL)
			return msp_error_set(err, MSP_ENOMEM,
					     "out of memory");
		it->n_show_if_values = i + 1;
	}
	return MSP_OK;
}

static enum msp_status
item_from_json(struct instrument *ins, size_t index, struct json_object *o,
	       struct msp_error *err)
{
	struct instrument_item *it = &ins->items[index];
	struct json_object *v;
	char where[160];
	enum msp_status st;
	int type;

	snprintf(where, sizeof(where), "item %zu", index + 1);
	if (!json_object_is_type(o, json_type_object))
		return msp_error_set(err, MSP_EINVAL, "%s: not an object",
				     where);
	if ((st = json_string_dup(o, "key", NULL, &it->key, where, err))
	    != MSP_OK)
		return st;
	if (it->key[0] == '\0')
		return msp_error_set(err, MSP_EINVAL, "%s: empty \"key\"",
				     where);
	if (instrument_index(ins, it->key) != (int)index)
		return msp_error_set(err, MSP_EINVAL, "%s: key %s repeated",
				     where, it->key);
	snprintf(where, sizeof(where), "item %s", it->key);
	if (json_member(o, "type", json_type_string, &v) != 1 ||
	    (type = item_type_parse(json_object_get_string(v))) < 0)
		return msp_error_set(err, MSP_EINVAL, "%s: \"type\" must be "
				     "single_choice, multiple_choice, number,"
				     " text or boolean", where);
	it->type = (enum item_type)type;
	if ((st = json_string_dup(o, "label_fr", NULL, &it->label_fr, where,
				  err)) != MSP_OK ||
	    (st = json_string_dup(o, "section_fr", "", &it->section_fr,
				  where, err)) != MSP_OK ||
	    (json_member(o, "help_fr", json_type_string, &v) != 0 &&
	     (st = json_string_dup(o, "help_fr", NULL, &it->help_fr, where,
				   err)) != MSP_OK) ||
	    (st = json_flag(o, "required", &it->required, where, err))
	    != MSP_OK ||
	    (st = json_flag(o, "label_verbatim", &it->label_verbatim, where,
			    err)) != MSP_OK ||
	    (st = json_flag(o, "integer_only", &it->integer_only, where,
			    err)) != MSP_OK ||
	    (st = json_bound(o, "min", &it->has_min, &it->min_value, where,
			     err)) != MSP_OK ||
	    (st = json_bound(o, "max", &it->has_max, &it->max_value, where,
			     err)) != MSP_OK ||
	    (st = json_count(o, "max_length", 0, &it->max_length, where,
			     err)) != MSP_OK)
		return st;
	switch (json_member(o, "show_if", json_type_object, &v)) {
	case 1:
		if ((st = item_show_if_from_json(it, v, where, err))
		    != MSP_OK)
			return st;
		break;
	case -1:
		return msp_error_set(err, MSP_EINVAL, "%s: \"show_if\" must "
				     "be an object", where);
	}
	switch (json_member(o, "options", json_type_array, &v)) {
	case 1:
		return item_options_from_json(it, v, err);
	case -1:
		return msp_error_set(err, MSP_EINVAL, "%s: \"options\" must "
				     "be an array", where);
	}
	return MSP_OK;
}

enum msp_status
instrument_from_json(struct json_object *doc, struct instrument **out,
		     struct msp_error *err)
{
	struct instrument *ins = NULL;
	struct json_object *items, *v;
	enum msp_status st;
	size_t i, n;

	*out = NULL;
	if (json_member(doc, "items", json_type_array, &items) != 1)
		return msp_error_set(err, MSP_EINVAL, "instrument: \"items\" "
				     "must be an array");
	ins = msp_calloc(1, sizeof(*ins));
	n = json_object_array_length(items);
	if (ins == NULL ||
	    (ins->items = msp_calloc(n ? n : 1, sizeof(*ins->items))) == NULL) {
		st = msp_error_set(err, MSP_ENOMEM, "out of memory");
		goto out;
	}
	if ((st = json_string_dup(doc, "slug", NULL, &ins->slug,
				  "instrument", err)) != MSP_OK ||
	    (st = json_string_dup(doc, "title_fr", NULL, &ins->title_fr,
				  "instrument", err)) != MSP_OK ||
	    (st = json_count(doc, "version", 1, &ins->version, "instrument",
			     err)) != MSP_OK)
		goto out;
	for (i = 0; i < n; i++) {
		ins->n_items = i + 1;
		ins->items[i].show_if = -1;
		st = item_from_json(ins, i, json_object_array_get_idx(items, i),
				    err);
		if (st != MSP_OK)
			goto out;
	}
	/* Second pass: show_if may name a later item. */
	for (i = 0; i < n; i++) {
		struct instrument_item *it = &ins->items[i];
		struct json_object *si;

		if (!json_object_object_get_ex(json_object_array_get_idx(
						       items, i),
					       "show_if", &si) || si == NULL)
			continue;
		json_object_object_get_ex(si, "item", &v);
		it->show_if = instrument_index(ins, json_object_get_string(v));
		if (it->show_if < 0 || it->show_if == (int)i) {
			st = msp_error_set(err, MSP_EINVAL, "item %s: "
					   "\"show_if\" names no other item",
					   it->key);
			goto out;
		}
	}
	*out = ins;
	ins = NULL;
out:
	instrument_free(ins);
	return st;
}

/* --- to JSON ------------------------------------------------------------ */

/*
 * Adds val to obj under key (arr NULL), or to the array arr, taking
 * ownership of val either way: json-c returns NULL from a constructor,
 * nonzero from an add, when an allocation fails.  Returns nonzero on
 * failure, so that a series of adds can be ORed into one flag.
 */
static int
put(struct json_object *obj, const char *key, struct json_object *val)
{
	int rc;

	if (val == NULL)
		return 1;
	rc = key != NULL ? json_object_object_add(obj, key, val)
			 : json_object_array_add(obj, val);
	if (rc != 0)
		json_object_put(val);
	return rc != 0;
}

static struct json_object *
options_json(const struct instrument_item *it)
{
	struct json_object *opts = json_object_new_array(), *op;
	size_t j;
	int bad = 0;

	if (opts == NULL)
		return NULL;
	for (j = 0; j < it->n_options && !bad; j++) {
		op = json_object_new_object();
		bad |= put(opts, NULL, op);
		if (bad)
			break;
		bad |= put(op, "code",
			   json_object_new_string(it->options[j].code));
		bad |= put(op, "label_fr",
			   json_object_new_string(it->options[j].label_fr));
	}
	if (bad) {
		json_object_put(opts);
		return NULL;
	}
	return opts;
}

static struct json_object *
show_if_json(const struct instrument *ins, const struct instrument_item *it)
{
	struct json_object *si = json_object_new_object(), *vals;
	size_t j;
	int bad = 0;

	if (si == NULL)
		return NULL;
	bad |= put(si, "item",
		   json_object_new_string(ins->items[it->show_if].key));
	vals = json_object_new_array();
	bad |= put(si, "values", vals);
	for (j = 0; j < it->n_show_if_values && !bad; j++)
		bad |= put(vals, NULL,
			   json_object_new_string(it->show_if_values[j]));
	if (bad) {
		json_object_put(si);
		return NULL;
	}
	return si;
}

static struct json_object *
item_json(const struct instrument *ins, const struct instrument_item *it)
{
	struct json_object *io = json_object_new_object();
	int bad = 0;

	if (io == NULL)
		return NULL;
	bad |= put(io, "key", json_object_new_string(it->key));
	bad |= put(io, "type",
		   json_object_new_string(item_type_name(it->type)));
	bad |= put(io, "section_fr", json_object_new_string(it->section_fr));
	bad |= put(io, "label_fr", json_object_new_string(it->label_fr));
	/* no item of the two reference instruments has help: the member
	 * appears only where there is some */
	if (it->help_fr != NULL)
		bad |= put(io, "help_fr", json_object_new_string(it->help_fr));
	bad |= put(io, "label_verbatim",
		   json_object_new_boolean(it->label_verbatim));
	bad |= put(io, "required", json_object_new_boolean(it->required));
	if (it->has_min)
		bad |= put(io, "min", json_object_new_double(it->min_value));
	if (it->has_max)
		bad |= put(io, "max", json_object_new_double(it->max_value));
	if (it->type == ITEM_NUMBER)
		bad |= put(io, "integer_only",
			   json_object_new_boolean(it->integer_only));
	if (it->max_length > 0)
		bad |= put(io, "max_length",
			   json_object_new_int(it->max_length));
	if (it->show_if >= 0)
		bad |= put(io, "show_if", show_if_json(ins, it));
	if (it->n_options > 0)
		bad |= put(io, "options", options_json(it));
	if (bad) {
		json_object_put(io);
		return NULL;
	}
	return io;
}

struct json_object *
instrument_json(const struct instrument *ins)
{
	struct json_object *o = json_object_new_object(), *items;
	size_t i;
	int bad = 0;

	if (o == NULL)
		return NULL;
	bad |= put(o, "slug", json_object_new_string(ins->slug));
	bad |= put(o, "version", json_object_new_int(ins->version));
	bad |= put(o, "title_fr", json_object_new_string(ins->title_fr));
	items = json_object_new_array();
	bad |= put(o, "items", items);
	for (i = 0; i < ins->n_items && !bad; i++)
		bad |= put(items, NULL, item_json(ins, &ins->items[i]));
	if (bad) {
		json_object_put(o);
		return NULL;
	}
	return o;
}
