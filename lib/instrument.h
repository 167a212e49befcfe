/*
 * instrument — a questionnaire definition, read from the database.
 *
 * Forms, the API's validation, the CSV import and the synthetic
 * generator all work from this structure; nothing about an item is
 * written in C.  An instrument is loaded once and is then read-only, so
 * a worker may keep it for its lifetime (definitions are versioned:
 * a changed questionnaire is a new instrument_id).
 */
#ifndef MSP_INSTRUMENT_H
#define MSP_INSTRUMENT_H

#include <json-c/json.h>
#include <libpq-fe.h>
#include <stddef.h>

#include "msp_error.h"

enum item_type {
	ITEM_SINGLE_CHOICE,
	ITEM_MULTIPLE_CHOICE,
	ITEM_NUMBER,
	ITEM_TEXT,
	ITEM_BOOLEAN,
};

struct item_option {
	char *code;
	char *label_fr;
	char *label_en;		/* NULL when none */
};

struct instrument_item {
	char *key;
	char *section_fr;	/* "" when the item opens no section */
	char *label_fr;
	char *label_en;		/* NULL when none */
	char *help_fr;		/* NULL when none */
	enum item_type type;
	int required;
	int label_verbatim;	/* the source's own words */
	/* numbers: inclusive bounds when has_min / has_max */
	int has_min, has_max;
	double min_value, max_value;
	int integer_only;
	/* texts: longest answer in characters; 0 when unbounded */
	int max_length;
	/* "show if": index in items[] of the item this one depends on, or
	 * -1; the item is asked when that answer is (or includes) one of
	 * show_if_values. */
	int show_if;
	char **show_if_values;
	size_t n_show_if_values;
	struct item_option *options;	/* choices, in display order */
	size_t n_options;
};

struct instrument {
	int instrument_id;
	char *slug;
	int version;
	char *title_fr;
	char *title_en;		/* NULL when none */
	struct instrument_item *items;	/* in display order */
	size_t n_items;
};

/*
 * Loads instrument instrument_id with its items and options.  On
 * success *out is the caller's (instrument_free()); fails with MSP_EDB,
 * MSP_EINVAL (no such instrument) or MSP_ENOMEM, *out then NULL.
 */
enum msp_status instrument_load(PGconn *conn, int instrument_id,
				struct instrument **out,
				struct msp_error *err);

/*
 * Builds an instrument from its definition in JSON, as GET
 * /api/v1/studies/{slug}/instrument prints it, for code that has no
 * database (the fuzzers, tests):
 *   {"slug", "title_fr", "version"?, "items": [{"key", "type",
 *    "label_fr", "section_fr"?, "help_fr"?, "required"?,
 *    "label_verbatim"?, "min"?, "max"?, "integer_only"?, "max_length"?,
 *    "show_if"?: {"item", "values": [...]},
 *    "options"?: [{"code", "label_fr"}]}]}
 * Members marked ? may be left out (false, none, 0; version 1).  doc
 * is borrowed.  instrument_id is 0.  On success *out is the caller's
 * (instrument_free()).  Fails with MSP_EINVAL naming the item and the
 * member that is missing or wrong (a repeated key, an unknown type, a
 * show_if naming no other item), or MSP_ENOMEM; *out is then NULL.
 */
enum msp_status instrument_from_json(struct json_object *doc,
				     struct instrument **out,
				     struct msp_error *err);

/*
 * ins as the JSON text instrument_from_json() reads, as GET
 * /api/v1/studies/{slug}/instrument prints it (members that are false,
 * none or 0 are left out where the list above marks them ?, except
 * label_verbatim and required, always there; integer_only on number
 * items only).  Returns a new object, the caller's (json_object_put()),
 * or NULL when out of memory.
 */
struct json_object *instrument_json(const struct instrument *ins);

/* Frees ins and everything it holds; NULL is allowed. */
void instrument_free(struct instrument *ins);

/* The item named key, or NULL. */
const struct instrument_item *instrument_find(const struct instrument *ins,
					      const char *key);

/* The index of the item named key, or -1. */
int instrument_index(const struct instrument *ins, const char *key);

/* The option of item with code, or NULL. */
const struct item_option *item_find_option(const struct instrument_item *it,
					   const char *code);

/* "single_choice", ... as in the database; and back (-1 if unknown). */
const char *item_type_name(enum item_type type);
int item_type_parse(const char *name);

#endif
