/*
 * instrument_version — storing, finding and comparing instrument
 * versions.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "instrument_version.h"

int
instrument_spec_parse(const char *spec, char *slug, size_t size,
		      int *version)
{
	const char *at = strchr(spec, '@');
	size_t n = at ? (size_t)(at - spec) : strlen(spec);

	*version = 0;
	if (n == 0 || n >= size)
		return -1;
	memcpy(slug, spec, n);
	slug[n] = '\0';
	if (at != NULL) {
		char *end;
		long v = strtol(at + 1, &end, 10);

		if (at[1] == '\0' || *end != '\0' || v < 1 || v > 1000000)
			return -1;
		*version = (int)v;
	}
	return 0;
}

enum msp_status
instrument_lookup(PGconn *conn, const char *slug, int version, int *id,
		  struct msp_error *err)
{
	char v[16];
	const char *params[2] = { slug, v };
	PGresult *res = NULL;
	enum msp_status st;

	snprintf(v, sizeof(v), "%d", version);
	st = db_exec(conn, "instrument version",
		     "SELECT instrument_id FROM msp.instrument"
		     " WHERE slug = $1 AND ($2::int = 0 OR version = $2::int)"
		     " ORDER BY version DESC LIMIT 1",
		     2, params, PGRES_TUPLES_OK, &res, err);
	if (st != MSP_OK)
		return st;
	if (PQntuples(res) == 0)
		st = version ? msp_error_set(err, MSP_EINVAL, "pas de version "
					     "%d de l'instrument %s", version,
					     slug)
			     : msp_error_set(err, MSP_EINVAL, "pas "
					     "d'instrument %s", slug);
	else
		*id = (int)db_int(res, 0, "instrument_id");
	PQclear(res);
	return st;
}

/* --- comparing ------------------------------------------------------- */

static int
same_text(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static const char *
shown(const char *s)
{
	return s ? s : "";
}

static void
text_change(struct buf *out, size_t *n, const char *what, const char *field,
	    const char *a, const char *b)
{
	if (same_text(a, b))
		return;
	buf_printf(out, "~ %s: %s « %s » -> « %s »\n", what, field, shown(a),
		   shown(b));
	(*n)++;
}

static void
flag_change(struct buf *out, size_t *n, const char *what, const char *field,
	    int a, int b)
{
	if (!a == !b)
		return;
	buf_printf(out, "~ %s: %s %s -> %s\n", what, field, a ? "oui" : "non",
		   b ? "oui" : "non");
	(*n)++;
}

static void
bound_change(struct buf *out, size_t *n, const char *what, const char *field,
	     int has_a, double a, int has_b, double b)
{
	char ta[32] = "aucun", tb[32] = "aucun";

	if (has_a == has_b && (!has_a || a == b))
		return;
	if (has_a)
		snprintf(ta, sizeof(ta), "%.15g", a);
	if (has_b)
		snprintf(tb, sizeof(tb), "%.15g", b);
	buf_printf(out, "~ %s: %s %s -> %s\n", what, field, ta, tb);
	(*n)++;
}

/* "item KEY = a, b" as text, for the show-if change. */
static void
show_if_text(const struct instrument *ins, const struct instrument_item *it,
	     struct buf *out)
{
	size_t j;

	if (it->show_if < 0) {
		buf_puts(out, "toujours");
		return;
	}
	buf_printf(out, "%s :", ins->items[it->show_if].key);
	for (j = 0; j < it->n_show_if_values; j++)
		buf_printf(out, "%s %s", j ? "," : "", it->show_if_values[j]);
}

static void
options_diff(const struct instrument_item *a, const struct instrument_item *b,
	     struct buf *out, size_t *n)
{
	size_t i;
	const struct item_option *last = NULL;
	int moved = 0;

	for (i = 0; i < a->n_options; i++)
		if (item_find_option(b, a->options[i].code) == NULL) {
			buf_printf(out, "- choice %s/%s\n", a->key,
				   a->options[i].code);
			(*n)++;
		}
	for (i = 0; i < b->n_options; i++) {
		const struct item_option *o = &b->options[i];
		const struct item_option *old = item_find_option(a, o->code);
		char what[160];

		if (old == NULL) {
			buf_printf(out, "+ choice %s/%s « %s »\n", b->key,
				   o->code, o->label_fr);
			(*n)++;
			continue;
		}
		snprintf(what, sizeof(what), "choice %s/%s", b->key, o->code);
		text_change(out, n, what, "label_fr", old->label_fr,
			    o->label_fr);
		text_change(out, n, what, "label_en", old->label_en,
			    o->label_en);
		/* moved: the codes both have are not in the same order */
		if (last != NULL && old < last)
			moved = 1;
		last = old;
	}
	if (moved) {
		buf_printf(out, "~ item %s: ordre des choix\n", b->key);
		(*n)++;
	}
}

/*
 * An item's type as the person reading the diff wrote it: a number is
 * XLSForm's integer or decimal (the model keeps integer_only), not the
 * database's "number"; the other types keep the model's name.
 */
static const char *
diff_type(const struct instrument_item *it)
{
	if (it->type == ITEM_NUMBER)
		return it->integer_only ? "integer" : "decimal";
	return item_type_name(it->type);
}

static void
item_diff(const struct instrument *ia, const struct instrument_item *a,
	  const struct instrument *ib, const struct instrument_item *b,
	  struct buf *out, size_t *n)
{
	struct buf sa = BUF_INIT(BUF_MAX_DOCUMENT);
	struct buf sb = BUF_INIT(BUF_MAX_DOCUMENT);
	char what[96];

	snprintf(what, sizeof(what), "item %s", b->key);
	if (a->type != b->type) {
		buf_printf(out, "~ %s: type %s -> %s\n", what,
			   diff_type(a), diff_type(b));
		(*n)++;
	}
	text_change(out, n, what, "section_fr", a->section_fr, b->section_fr);
	text_change(out, n, what, "label_fr", a->label_fr, b->label_fr);
	text_change(out, n, what, "label_en", a->label_en, b->label_en);
	text_change(out, n, what, "help_fr", a->help_fr, b->help_fr);
	flag_change(out, n, what, "required", a->required, b->required);
	flag_change(out, n, what, "label_verbatim", a->label_verbatim,
		    b->label_verbatim);
	flag_change(out, n, what, "integer_only", a->integer_only,
		    b->integer_only);
	bound_change(out, n, what, "min", a->has_min, a->min_value,
		     b->has_min, b->min_value);
	bound_change(out, n, what, "max", a->has_max, a->max_value,
		     b->has_max, b->max_value);
	bound_change(out, n, what, "max_length", a->max_length > 0,
		     a->max_length, b->max_length > 0, b->max_length);
	show_if_text(ia, a, &sa);
	show_if_text(ib, b, &sb);
	text_change(out, n, what, "show_if", buf_str(&sa), buf_str(&sb));
	buf_free(&sa);
	buf_free(&sb);
	options_diff(a, b, out, n);
}

size_t
instrument_diff(const struct instrument *a, const struct instrument *b,
		struct buf *out)
{
	size_t n = 0, i;
	int last = -1, moved = 0;

	text_change(out, &n, "instrument", "slug", a->slug, b->slug);
	text_change(out, &n, "instrument", "title_fr", a->title_fr,
		    b->title_fr);
	text_change(out, &n, "instrument", "title_en", a->title_en,
		    b->title_en);
	for (i = 0; i < a->n_items; i++)
		if (instrument_find(b, a->items[i].key) == NULL) {
			buf_printf(out, "- item %s\n", a->items[i].key);
			n++;
		}
	for (i = 0; i < b->n_items; i++) {
		const struct instrument_item *it = &b->items[i];
		int ia = instrument_index(a, it->key);

		if (ia < 0) {
			buf_printf(out, "+ item %s (%s) « %s »\n", it->key,
				   diff_type(it), it->label_fr);
			n++;
			continue;
		}
		if (ia < last)
			moved = 1;
		last = ia;
		item_diff(a, &a->items[ia], b, it, out, &n);
	}
	if (moved) {
		buf_puts(out, "~ instrument: ordre des questions\n");
		n++;
	}
	return n;
}

/* --- storing ----------------------------------------------------------- */

static enum msp_status
insert_version(PGconn *conn, const struct instrument *ins, int version,
	       int *id, struct msp_error *err)
{
	char v[16], idtext[16], pos[24], num_min[40], num_max[40], len[16];
	PGresult *res = NULL;
	enum msp_status st;
	struct buf vals = BUF_INIT(BUF_MAX_DOCUMENT);
	size_t i, j;

	snprintf(v, sizeof(v), "%d", version);
	{
		const char *params[4] = { ins->slug, v, ins->title_fr,
					  ins->title_en };

		st = db_exec(conn, "instrument insert",
			     "INSERT INTO msp.instrument"
			     " (slug, version, title_fr, title_en)"
			     " VALUES ($1, $2, $3, $4)"
			     " RETURNING instrument_id",
			     4, params, PGRES_TUPLES_OK, &res, err);
		if (st != MSP_OK)
			return st;
		*id = (int)db_int(res, 0, "instrument_id");
		PQclear(res);
		res = NULL;
	}
	snprintf(idtext, sizeof(idtext), "%d", *id);
	/* Items first without their conditions (a condition names an item
	 * that must exist, maybe a later one), then the conditions. */
	for (i = 0; i < ins->n_items && st == MSP_OK; i++) {
		const struct instrument_item *it = &ins->items[i];
		const char *params[14] = {
			idtext, it->key, pos, it->section_fr,
			item_type_name(it->type), it->label_fr, it->label_en,
			it->help_fr, it->required ? "t" : "f",
			it->has_min ? num_min : NULL,
			it->has_max ? num_max : NULL,
			it->integer_only ? "t" : "f",
			it->max_length > 0 ? len : NULL,
			it->label_verbatim ? "t" : "f",
		};

		snprintf(pos, sizeof(pos), "%zu", i + 1);
		/* %.17g: the numeric column keeps the double exactly */
		snprintf(num_min, sizeof(num_min), "%.17g", it->min_value);
		snprintf(num_max, sizeof(num_max), "%.17g", it->max_value);
		snprintf(len, sizeof(len), "%d", it->max_length);
		st = db_exec(conn, "instrument item insert",
			     "INSERT INTO msp.instrument_item (instrument_id,"
			     "  item_key, position, section_fr, item_type,"
			     "  label_fr, label_en, help_fr, required,"
			     "  min_value, max_value, integer_only,"
			     "  max_length, label_verbatim)"
			     " VALUES ($1, $2, $3, $4, $5::msp.item_type, $6,"
			     "  $7, $8, $9, $10::float8, $11::float8, $12,"
			     "  $13, $14)",
			     14, params, PGRES_COMMAND_OK, NULL, err);
		for (j = 0; j < it->n_options && st == MSP_OK; j++) {
			const struct item_option *o = &it->options[j];
			const char *op[6] = { idtext, it->key, o->code, pos,
					      o->label_fr, o->label_en };

			snprintf(pos, sizeof(pos), "%zu", j + 1);
			st = db_exec(conn, "instrument option insert",
				     "INSERT INTO msp.item_option"
				     " (instrument_id, item_key, code,"
				     "  position, label_fr, label_en)"
				     " VALUES ($1, $2, $3, $4, $5, $6)",
				     6, op, PGRES_COMMAND_OK, NULL, err);
		}
	}
	for (i = 0; i < ins->n_items && st == MSP_OK; i++) {
		const struct instrument_item *it = &ins->items[i];
		const char *params[4] = { idtext, it->key, NULL, NULL };

		if (it->show_if < 0)
			continue;
		/* text[] literal: codes are [a-z0-9_], no quoting needed,
		 * but quote anyway so that the literal never depends on
		 * the check that made them so */
		buf_reset(&vals);
		buf_putc(&vals, '{');
		for (j = 0; j < it->n_show_if_values; j++) {
			const char *c;

			buf_puts(&vals, j ? ",\"" : "\"");
			for (c = it->show_if_values[j]; *c; c++) {
				if (*c == '"' || *c == '\\')
					buf_putc(&vals, '\\');
				buf_putc(&vals, *c);
			}
			buf_putc(&vals, '"');
		}
		buf_putc(&vals, '}');
		if ((st = buf_status(&vals, err)) != MSP_OK)
			break;
		params[2] = ins->items[it->show_if].key;
		params[3] = buf_str(&vals);
		st = db_exec(conn, "instrument show_if",
			     "UPDATE msp.instrument_item"
			     "   SET show_if_item = $3,"
			     "       show_if_values = $4::text[]"
			     " WHERE instrument_id = $1 AND item_key = $2",
			     4, params, PGRES_COMMAND_OK, NULL, err);
	}
	buf_free(&vals);
	return st;
}

enum msp_status
instrument_store(PGconn *conn, const struct instrument *ins,
		 struct instrument_stored *out, struct msp_error *err)
{
	const char *params[1] = { ins->slug };
	struct instrument *old = NULL;
	PGresult *res = NULL;
	enum msp_status st;
	int latest = 0, latest_id = 0, compare_id = 0, i, n;

	memset(out, 0, sizeof(*out));
	st = db_exec(conn, "begin", "BEGIN", 0, NULL, PGRES_COMMAND_OK, NULL,
		     err);
	if (st != MSP_OK)
		return st;
	/* Two imports of one slug at once would both pick latest + 1:
	 * the second waits here, then sees the first's version. */
	st = db_exec(conn, "instrument lock",
		     "SELECT pg_catalog.pg_advisory_xact_lock("
		     "  pg_catalog.hashtext('msp.instrument:' || $1))",
		     1, params, PGRES_TUPLES_OK, NULL, err);
	if (st != MSP_OK)
		goto out;
	st = db_exec(conn, "instrument versions",
		     "SELECT instrument_id, version FROM msp.instrument"
		     " WHERE slug = $1 ORDER BY version",
		     1, params, PGRES_TUPLES_OK, &res, err);
	if (st != MSP_OK)
		goto out;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		int v = (int)db_int(res, i, "version");

		latest = v;
		latest_id = (int)db_int(res, i, "instrument_id");
		if (ins->version == 0 || v == ins->version)
			compare_id = (int)db_int(res, i, "instrument_id");
	}
	PQclear(res);
	res = NULL;
	if (ins->version > 0 && ins->version < latest && compare_id == 0) {
		st = msp_error_set(err, MSP_EINVAL, "%s : la version %d "
				   "n'existe pas et la dernière est la %d ; "
				   "videz la cellule version pour créer la "
				   "suivante", ins->slug, ins->version, latest);
		goto out;
	}
	if (compare_id != 0) {
		struct buf diff = BUF_INIT(BUF_MAX_DOCUMENT);
		size_t changes;

		if ((st = instrument_load(conn, compare_id, &old, err))
		    != MSP_OK)
			goto out;
		changes = instrument_diff(old, ins, &diff);
		buf_free(&diff);
		if (changes == 0) {
			out->instrument_id = compare_id;
			out->version = old->version;
			goto commit;
		}
		if (ins->version != 0)
			out->replaced_from = ins->version;
	}
	/* A file exported from version N, edited, imported once made the
	 * latest; imported again, it still names N: the latest is it. */
	if (compare_id != 0 && compare_id != latest_id) {
		struct buf diff = BUF_INIT(BUF_MAX_DOCUMENT);
		size_t changes;

		instrument_free(old);
		old = NULL;
		if ((st = instrument_load(conn, latest_id, &old, err))
		    != MSP_OK)
			goto out;
		changes = instrument_diff(old, ins, &diff);
		buf_free(&diff);
		if (changes == 0) {
			out->instrument_id = latest_id;
			out->version = latest;
			out->replaced_from = 0;
			goto commit;
		}
	}
	out->version = ins->version > latest ? ins->version : latest + 1;
	st = insert_version(conn, ins, out->version, &out->instrument_id,
			    err);
	if (st != MSP_OK)
		goto out;
	out->created = 1;
commit:
	st = db_exec(conn, "commit", "COMMIT", 0, NULL, PGRES_COMMAND_OK,
		     NULL, err);
out:
	if (st != MSP_OK) {
		PGresult *rb = PQexec(conn, "ROLLBACK");

		PQclear(rb);
		msp_error_prefix(err, "instrument %s", ins->slug);
		out->created = 0;
	}
	instrument_free(old);
	return st;
}
