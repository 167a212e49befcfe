/*
 * csvmap — mapping files, and CSV rows through them into submissions.
 *
 * Cells are handed to lib/submission as text, as a form's fields are, so
 * that every rule (options, bounds, lengths, "show if", required items)
 * is the API's own; this file only translates the export's spelling
 * (labels, "Oui", "Y", one column per option, ';'-separated choices)
 * into the instrument's codes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "alloc.h"
#include "csvmap.h"
#include "utf8.h"

enum target {
	T_ITEM,		/* an item: one value, or ';'-separated choices */
	T_OPTION,	/* one option of a multiple choice: chosen or not */
	T_STRUCTURE,	/* an identifier, pseudonymised here */
	T_PSEUDONYM,	/* a pseudonym already (an export's) */
	T_ROLE,
	T_ID,
	T_STATUS,
	T_SUBMITTED,	/* when the response was sent, ISO 8601, UTC */
	T_IGNORE,
	T_COUNT,
};

/* The identifying fields, by target: their names in the file and in
 * field errors. */
static const char *const special_names[T_COUNT] = {
	[T_STRUCTURE] = "@structure", [T_PSEUDONYM] = "@pseudonym",
	[T_ROLE] = "@role", [T_ID] = "@id", [T_STATUS] = "@status",
	[T_SUBMITTED] = "@submitted", [T_IGNORE] = "@ignore",
};

struct value_map {
	char *from;
	char *to;
};

struct map_line {
	size_t line;		/* in the mapping file, for messages */
	char *column;
	enum target target;
	char *item;		/* T_ITEM, T_OPTION */
	char *option;		/* T_OPTION */
	struct value_map *values;
	size_t n_values;
};

struct csvmap {
	struct map_line *lines;
	size_t n;
};

struct bound_col {
	const struct map_line *m;	/* NULL: unmapped or ignored */
	int item;			/* T_ITEM, T_OPTION: index */
	const struct item_option *opt;	/* T_OPTION */
};

struct csvmap_binding {
	const struct csvmap *map;
	const struct instrument *ins;
	const char *const *roles;
	size_t n_roles;
	const struct csv_row *header;
	struct bound_col *cols;		/* one per header column */
	const char **unmapped;
	size_t n_unmapped;
	int special[T_COUNT];		/* column of each field, or -1 */
};

static enum msp_status
oom(struct msp_error *err)
{
	return msp_error_set(err, MSP_ENOMEM, "out of memory");
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* A new copy of s[0..len) without outer blanks; NULL when out of
 * memory. */
static char *
trim_dup(const char *s, size_t len)
{
	while (len > 0 && is_blank(*s)) {
		s++;
		len--;
	}
	while (len > 0 && (is_blank(s[len - 1]) || s[len - 1] == '\r' ||
			   s[len - 1] == '\n'))
		len--;
	return msp_strndup(s, len);
}

/* --- the mapping file ------------------------------------------------ */

void
csvmap_free(struct csvmap *map)
{
	size_t i, j;

	if (map == NULL)
		return;
	for (i = 0; i < map->n; i++) {
		struct map_line *m = &map->lines[i];

		free(m->column);
		free(m->item);
		free(m->option);
		for (j = 0; j < m->n_values; j++) {
			free(m->values[j].from);
			free(m->values[j].to);
		}
		free(m->values);
	}
	free(map->lines);
	free(map);
}

/*
 * Reads a string at *p: "quoted" ("" for a quote), or bare up to the
 * first of the stops (or the end).  *p is left after it; *out is new.
 * Returns 0, -1 for an unclosed quote, -2 when out of memory.
 */
static int
read_string(const char **p, const char *const *stops, char **out)
{
	const char *s = *p, *end;
	struct buf b = BUF_INIT(BUF_MAX_TEXT);
	size_t k;

	*out = NULL;
	if (*s == '"') {
		for (s++;; s++) {
			if (*s == '\0') {
				buf_free(&b);
				return -1;
			}
			if (*s == '"' && s[1] == '"')
				s++;
			else if (*s == '"')
				break;
			buf_putc(&b, *s);
		}
		buf_putc(&b, '\0');	/* "" still allocates */
		if (b.failed)
			return -2;
		*p = s + 1;
		*out = buf_steal(&b);
		return 0;
	}
	end = s + strlen(s);
	for (k = 0; stops != NULL && stops[k] != NULL; k++) {
		const char *hit = strstr(s, stops[k]);

		if (hit != NULL && hit < end)
			end = hit;
	}
	*p = end;
	*out = trim_dup(s, (size_t)(end - s));
	return *out != NULL ? 0 : -2;
}

static enum target
parse_target(const char *t)
{
	int k;

	if (t[0] == '@') {
		for (k = 0; k < T_COUNT; k++)
			if (special_names[k] != NULL &&
			    strcmp(t, special_names[k]) == 0)
				return (enum target)k;
		return T_COUNT;
	}
	return strchr(t, '[') != NULL ? T_OPTION : T_ITEM;
}

/* Fills m's target fields from the text t; -1 if malformed, -2 OOM. */
static int
set_target(struct map_line *m, const char *t)
{
	const char *open;
	size_t len = strlen(t);

	m->target = parse_target(t);
	if (m->target == T_COUNT || len == 0)
		return -1;
	if (m->target == T_ITEM) {
		m->item = msp_strdup(t);
		return m->item != NULL ? 0 : -2;
	}
	if (m->target != T_OPTION)
		return 0;
	open = strchr(t, '[');
	if (open == t || t[len - 1] != ']' || open + 1 == t + len - 1)
		return -1;
	m->item = msp_strndup(t, (size_t)(open - t));
	m->option = msp_strndup(open + 1, (size_t)(t + len - 1 - (open + 1)));
	return m->item != NULL && m->option != NULL ? 0 : -2;
}

static enum msp_status
add_value(struct map_line *m, char *from, char *to, size_t line,
	  struct msp_error *err)
{
	struct value_map *v;
	size_t i;

	for (i = 0; i < m->n_values; i++)
		if (strcmp(m->values[i].from, from) == 0) {
			free(from);
			free(to);
			return msp_error_set(err, MSP_EINVAL, "line %zu: "
					     "this value is already mapped "
					     "for the column", line);
		}
	v = msp_realloc(m->values, (m->n_values + 1) * sizeof(*v));
	if (v == NULL) {
		free(from);
		free(to);
		return oom(err);
	}
	m->values = v;
	v[m->n_values].from = from;
	v[m->n_values].to = to;
	m->n_values++;
	return MSP_OK;
}

static enum msp_status
add_column(struct csvmap *map, char *column, const char *target,
	   size_t line, struct msp_error *err)
{
	struct map_line *m;
	size_t i;
	int rc;

	for (i = 0; i < map->n; i++)
		if (strcmp(map->lines[i].column, column) == 0) {
			free(column);
			return msp_error_set(err, MSP_EINVAL, "line %zu: the "
					     "column is already mapped on "
					     "line %zu", line,
					     map->lines[i].line);
		}
	m = msp_realloc(map->lines, (map->n + 1) * sizeof(*m));
	if (m == NULL) {
		free(column);
		return oom(err);
	}
	map->lines = m;
	m = &map->lines[map->n++];
	memset(m, 0, sizeof(*m));
	m->line = line;
	m->column = column;
	rc = set_target(m, target);
	if (rc == -2)
		return oom(err);
	if (rc != 0)
		return msp_error_set(err, MSP_EINVAL, "line %zu: '%s' is not "
				     "a target (an item, ITEM[OPTION], "
				     "@structure, @pseudonym, @role, @id, "
				     "@status, @submitted or @ignore)", line,
				     target);
	for (i = 0; i + 1 < map->n; i++)
		if (m->target != T_ITEM && m->target != T_OPTION &&
		    m->target != T_IGNORE &&
		    map->lines[i].target == m->target)
			return msp_error_set(err, MSP_EINVAL, "line %zu: %s is "
					     "already the column on line %zu",
					     line, special_names[m->target],
					     map->lines[i].line);
	return MSP_OK;
}

/* One line of the file (NUL-terminated, no line end). */
static enum msp_status
parse_line(struct csvmap *map, const char *s, size_t line,
	   struct msp_error *err)
{
	static const char *const left_stops[] = { "->", "=", NULL };
	char *left = NULL, *right = NULL;
	enum msp_status st;
	int value_line, rc;

	while (is_blank(*s))
		s++;
	if (*s == '\0' || *s == '#')
		return MSP_OK;
	rc = read_string(&s, left_stops, &left);
	if (rc == -2)
		return oom(err);
	if (rc == -1)
		return msp_error_set(err, MSP_EINVAL, "line %zu: a quoted "
				     "string is never closed", line);
	while (is_blank(*s))
		s++;
	value_line = strncmp(s, "->", 2) == 0;
	if (!value_line && *s != '=') {
		free(left);
		return msp_error_set(err, MSP_EINVAL, "line %zu: expected "
				     "'COLUMN = TARGET' or "
				     "'\"VALUE\" -> CODE'", line);
	}
	s += value_line ? 2 : 1;
	while (is_blank(*s))
		s++;
	rc = read_string(&s, NULL, &right);
	while (rc == 0 && is_blank(*s))
		s++;
	if (rc == 0 && *s != '\0')
		rc = -3;
	if (rc != 0 || (left[0] == '\0' && !value_line)) {
		free(left);
		free(right);
		if (rc == -2)
			return oom(err);
		return msp_error_set(err, MSP_EINVAL, "line %zu: %s", line,
				     rc == -1 ? "a quoted string is never "
				     "closed" : rc == -3 ? "text after the "
				     "closing quote" : "the column name is "
				     "empty");
	}
	if (!value_line) {
		st = add_column(map, left, right, line, err);
		free(right);
		return st;
	}
	if (map->n == 0) {
		free(left);
		free(right);
		return msp_error_set(err, MSP_EINVAL, "line %zu: a value "
				     "mapping before any column", line);
	}
	return add_value(&map->lines[map->n - 1], left, right, line, err);
}

enum msp_status
csvmap_parse(const char *text, size_t len, struct csvmap **out,
	     struct msp_error *err)
{
	struct csvmap *map = NULL;
	enum msp_status st = MSP_OK;
	size_t pos = 0, line = 1, valid;
	char *copy = NULL;

	*out = NULL;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	valid = utf8_valid_prefix(text, len);
	if (valid < len || memchr(text, '\0', len) != NULL) {
		size_t i, bad = valid < len ? valid : (size_t)
			((const char *)memchr(text, '\0', len) - text);

		for (i = 0; i < bad; i++)
			line += text[i] == '\n';
		return msp_error_set(err, MSP_EINVAL, "line %zu: not UTF-8 "
				     "text", line);
	}
	map = msp_calloc(1, sizeof(*map));
	if (map == NULL)
		return oom(err);
	for (; pos < len && st == MSP_OK; line++) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl != NULL ? (size_t)(nl - text) : len;
		size_t n = end - pos;

		if (n > 0 && text[end - 1] == '\r')
			n--;
		copy = msp_strndup(text + pos, n);
		if (copy == NULL) {
			st = oom(err);
			break;
		}
		st = parse_line(map, copy, line, err);
		free(copy);
		pos = end + 1;
	}
	if (st != MSP_OK) {
		csvmap_free(map);
		return st;
	}
	*out = map;
	return MSP_OK;
}

void
csvmap_quote(struct buf *out, const char *s)
{
	buf_putc(out, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			buf_putc(out, '"');
		buf_putc(out, *s);
	}
	buf_putc(out, '"');
}

/* --- fitting a mapping to a file ------------------------------------- */

void
csvmap_binding_free(struct csvmap_binding *b)
{
	if (b == NULL)
		return;
	free(b->cols);
	free(b->unmapped);
	free(b);
}

static int
role_known(const struct csvmap_binding *b, const char *code)
{
	size_t i;

	for (i = 0; i < b->n_roles; i++)
		if (strcmp(b->roles[i], code) == 0)
			return 1;
	return 0;
}

/* Whether a value mapping's code suits the column's target. */
static int
code_fits(const struct csvmap_binding *b, const struct bound_col *c,
	  const char *code)
{
	const struct instrument_item *it;

	if (code[0] == '\0')
		return 1;	/* "no answer" */
	switch (c->m->target) {
	case T_ITEM:
		it = &b->ins->items[c->item];
		if (it->type == ITEM_SINGLE_CHOICE ||
		    it->type == ITEM_MULTIPLE_CHOICE)
			return item_find_option(it, code) != NULL;
		if (it->type == ITEM_BOOLEAN)
			return strcmp(code, "oui") == 0 ||
			       strcmp(code, "non") == 0;
		return 1;	/* numbers, texts: checked per row */
	case T_OPTION:
		return strcmp(code, "1") == 0 || strcmp(code, "0") == 0;
	case T_ROLE:
		return role_known(b, code);
	case T_STATUS:
		return strcmp(code, "complete") == 0 ||
		       strcmp(code, "partial") == 0;
	default:
		return 0;	/* identifiers are never translated */
	}
}

/* Resolves one mapping line for header column col. */
static enum msp_status
bind_column(struct csvmap_binding *b, const struct map_line *m, int col,
	    struct msp_error *err)
{
	struct bound_col *c = &b->cols[col];
	const struct instrument_item *it = NULL;
	size_t i;

	c->m = m;
	if (m->target == T_ITEM || m->target == T_OPTION) {
		c->item = instrument_index(b->ins, m->item);
		if (c->item < 0)
			return msp_error_set(err, MSP_EINVAL, "mapping line "
					     "%zu: no item '%s' in %s",
					     m->line, m->item, b->ins->slug);
		it = &b->ins->items[c->item];
	}
	if (m->target == T_OPTION) {
		if (it->type != ITEM_MULTIPLE_CHOICE)
			return msp_error_set(err, MSP_EINVAL, "mapping line "
					     "%zu: %s is not a multiple "
					     "choice", m->line, m->item);
		c->opt = item_find_option(it, m->option);
		if (c->opt == NULL)
			return msp_error_set(err, MSP_EINVAL, "mapping line "
					     "%zu: %s has no option '%s'",
					     m->line, m->item, m->option);
	}
	if (m->target != T_ITEM && m->target != T_OPTION)
		b->special[m->target] = col;
	for (i = 0; i < m->n_values; i++)
		if (!code_fits(b, c, m->values[i].to))
			return msp_error_set(err, MSP_EINVAL, "mapping line "
					     "%zu: '%s' is not a code of %s",
					     m->line, m->values[i].to,
					     m->item != NULL ? m->item
					     : special_names[m->target]);
	return MSP_OK;
}

enum msp_status
csvmap_bind(const struct csvmap *map, const struct csv_row *header,
	    const struct instrument *ins, const char *const *roles,
	    size_t n_roles, struct csvmap_binding **out,
	    struct msp_error *err)
{
	struct csvmap_binding *b;
	enum msp_status st = MSP_OK;
	size_t i, j;
	int col, k;

	*out = NULL;
	b = msp_calloc(1, sizeof(*b));
	if (b == NULL)
		return oom(err);
	b->map = map;
	b->ins = ins;
	b->roles = roles;
	b->n_roles = n_roles;
	b->header = header;
	for (k = 0; k < T_COUNT; k++)
		b->special[k] = -1;
	b->cols = msp_calloc(header->n ? header->n : 1, sizeof(*b->cols));
	b->unmapped = msp_calloc(header->n ? header->n : 1, sizeof(char *));
	if (b->cols == NULL || b->unmapped == NULL) {
		st = oom(err);
		goto out;
	}
	for (i = 0; i < map->n && st == MSP_OK; i++) {
		const struct map_line *m = &map->lines[i];

		col = -1;
		for (j = 0; j < header->n; j++) {
			if (strcmp(header->fields[j], m->column) != 0)
				continue;
			if (col >= 0) {
				st = msp_error_set(
					err, MSP_EINVAL, "column \"%s\" "
					"(mapping line %zu) appears twice in "
					"the header", m->column, m->line);
				goto out;
			}
			col = (int)j;
		}
		if (col < 0)
			st = msp_error_set(err, MSP_EINVAL, "column \"%s\" "
					   "(mapping line %zu) is not in the "
					   "file's header", m->column,
					   m->line);
		else
			st = bind_column(b, m, col, err);
	}
	if (st != MSP_OK)
		goto out;
	if ((b->special[T_STRUCTURE] < 0) == (b->special[T_PSEUDONYM] < 0)) {
		st = msp_error_set(err, MSP_EINVAL, "the mapping must name "
				   "one column for the structure: @structure "
				   "(identifiers) or @pseudonym");
		goto out;
	}
	for (j = 0; j < header->n; j++)
		if (b->cols[j].m == NULL && header->fields[j][0] != '\0')
			b->unmapped[b->n_unmapped++] = header->fields[j];
out:
	if (st != MSP_OK) {
		csvmap_binding_free(b);
		return st;
	}
	*out = b;
	return MSP_OK;
}

const char *const *
csvmap_unmapped(const struct csvmap_binding *b, size_t *n)
{
	*n = b->n_unmapped;
	return b->unmapped;
}

int
csvmap_needs_secret(const struct csvmap_binding *b)
{
	return b->special[T_STRUCTURE] >= 0;
}

const char *
csvmap_column_of(const struct csvmap_binding *b, const char *field)
{
	size_t j;
	int k;

	for (k = 0; k < T_COUNT; k++)
		if (special_names[k] != NULL &&
		    strcmp(field, special_names[k]) == 0)
			return b->special[k] >= 0
				? b->header->fields[b->special[k]] : NULL;
	for (j = 0; j < b->header->n; j++)
		if (b->cols[j].m != NULL && b->cols[j].m->item != NULL &&
		    strcmp(b->cols[j].m->item, field) == 0)
			return b->header->fields[j];
	return NULL;
}

/* --- rows ------------------------------------------------------------ */

/*
 * A text cell as it was before a CSV writer neutralised it against
 * spreadsheet formulas (OWASP's rule, lib/report/format.c): one leading '
 * dropped when what follows begins with = + - @ tab, CR or another '.
 * A ' before anything else is the respondent's own.
 */
static const char *
csv_unneutralised(const char *cell)
{
	if (cell[0] == '\'' && cell[1] != '\0' &&
	    strchr("=+-@\t\r'", cell[1]) != NULL)
		return cell + 1;
	return cell;
}

/* The code a value mapping gives text, or text itself. */
static const char *
mapped(const struct map_line *m, const char *text)
{
	size_t i;

	for (i = 0; i < m->n_values; i++)
		if (strcmp(m->values[i].from, text) == 0)
			return m->values[i].to;
	return text;
}

/* One of words (NULL-terminated), ASCII case ignored. */
static int
one_of(const char *text, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strcasecmp(text, *words) == 0)
			return 1;
	return 0;
}

static const char *const yes_words[] = {
	"oui", "o", "yes", "y", "true", "vrai", "1", "x", NULL };
static const char *const no_words[] = {
	"non", "n", "no", "false", "faux", "0", NULL };

/* A choice as the item's code: the code itself, or an option's French
 * label as the export wrote it; anything else goes to the validator
 * as it is, which refuses it. */
static const char *
as_code(const struct instrument_item *it, const char *text)
{
	size_t i;

	if (item_find_option(it, text) != NULL)
		return text;
	for (i = 0; i < it->n_options; i++)
		if (strcmp(it->options[i].label_fr, text) == 0)
			return it->options[i].code;
	return text;
}

/* One value for item it, after translation, to the submission. */
static enum msp_status
add_value_of(struct submission *sub, const struct instrument_item *it,
	     const char *v, struct msp_error *err)
{
	if (v[0] == '\0')
		return MSP_OK;
	if (it->type == ITEM_BOOLEAN) {
		if (one_of(v, yes_words))
			v = "oui";
		else if (one_of(v, no_words))
			v = "non";
	} else if (it->type == ITEM_SINGLE_CHOICE ||
		   it->type == ITEM_MULTIPLE_CHOICE) {
		v = as_code(it, v);
	}
	return submission_add(sub, it->key, RAW_TEXT, v, err);
}

/* A cell of an item's own column. */
static enum msp_status
item_cell(struct submission *sub, const struct bound_col *c,
	  const struct instrument_item *it, const char *cell,
	  const char *trimmed, struct msp_error *err)
{
	const char *v = mapped(c->m, trimmed);
	enum msp_status st = MSP_OK;
	char *list, *piece, *next;

	if (it->type == ITEM_TEXT && v == trimmed && trimmed[0] != '\0')
		return submission_add(sub, it->key, RAW_TEXT,
				      csv_unneutralised(cell), err);
	if (it->type != ITEM_MULTIPLE_CHOICE || v != trimmed)
		return add_value_of(sub, it, v, err);
	/* Microsoft Forms: "Choix A;Choix B;" */
	if ((list = msp_strdup(trimmed)) == NULL)
		return oom(err);
	for (piece = list; piece != NULL && st == MSP_OK; piece = next) {
		char *t;

		next = strchr(piece, ';');
		if (next != NULL)
			*next++ = '\0';
		if ((t = trim_dup(piece, strlen(piece))) == NULL) {
			st = oom(err);
			break;
		}
		st = add_value_of(sub, it, mapped(c->m, t), err);
		free(t);
	}
	free(list);
	return st;
}

/* A cell of a column for one option: chosen, not chosen or nonsense. */
static enum msp_status
option_cell(struct submission *sub, const struct bound_col *c,
	    const struct instrument_item *it, const char *trimmed,
	    struct msp_error *err)
{
	const char *v = mapped(c->m, trimmed);

	if (v[0] == '\0' || one_of(v, no_words))
		return MSP_OK;
	if (one_of(v, yes_words) || strcmp(v, c->opt->code) == 0 ||
	    strcmp(v, c->opt->label_fr) == 0)
		return submission_add(sub, it->key, RAW_TEXT, c->opt->code,
				      err);
	return submission_add_error(sub, it->key, "une colonne d'option "
				    "attend 1 ou oui (choisie), 0, non ou "
				    "rien (pas choisie)", err);
}

/*
 * An ISO 8601 date and time, "YYYY-MM-DD[T| ]HH:MM[:SS][Z]", into out as
 * "YYYY-MM-DD HH:MM:SS"; -1 if it is not one or names no real time
 * (2024-02-30), so that the database never refuses what passed here.
 */
static int
parse_time(const char *s, char out[CSVMAP_TIME_LEN])
{
	struct tm tm, back;
	char sep;
	int n = 0, got;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	got = sscanf(s, "%4d-%2d-%2d%c%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
		     &tm.tm_mday, &sep, &tm.tm_hour, &tm.tm_min, &n);
	if (got != 6 || (sep != 'T' && sep != ' ') || n != 16)
		return -1;
	if (s[n] == ':') {
		int m = 0;

		if (sscanf(s + n, ":%2d%n", &tm.tm_sec, &m) != 1 || m != 3)
			return -1;
		n += m;
	}
	if (s[n] == 'Z')
		n++;
	if (s[n] != '\0' || tm.tm_year < 2000 || tm.tm_year > 2100)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	back = tm;
	t = timegm(&back);
	if (t == (time_t)-1 || gmtime_r(&t, &back) == NULL ||
	    back.tm_year != tm.tm_year || back.tm_mon != tm.tm_mon ||
	    back.tm_mday != tm.tm_mday || back.tm_hour != tm.tm_hour ||
	    back.tm_min != tm.tm_min || back.tm_sec != tm.tm_sec)
		return -1;
	strftime(out, CSVMAP_TIME_LEN, "%Y-%m-%d %H:%M:%S", &back);
	return 0;
}

/* The identifying fields of a row; errors go to rec->sub, all of
 * them (a wrong role does not hide a missing structure). */
static enum msp_status
special_cells(const struct csvmap_binding *b, const struct secret *secret,
	      struct csvmap_record *rec, char **cells, struct msp_error *err)
{
	struct submission *sub = rec->sub;
	enum msp_status st = MSP_OK;
	const char *v;
	size_t i;
	int col;

	if ((col = b->special[T_STATUS]) >= 0) {
		v = mapped(b->cols[col].m, cells[col]);
		if (strcmp(v, "partial") == 0)
			rec->complete = 0;
		else if (v[0] != '\0' && strcmp(v, "complete") != 0)
			st = submission_add_error(sub, "@status", "complete "
						  "ou partial est attendu",
						  err);
	}
	if (st == MSP_OK && (col = b->special[T_ROLE]) >= 0) {
		v = mapped(b->cols[col].m, cells[col]);
		for (i = 0; i < b->n_roles && rec->role == NULL; i++)
			if (strcmp(v, b->roles[i]) == 0)
				rec->role = b->roles[i];
		if (rec->role == NULL && v[0] != '\0')
			st = submission_add_error(
				sub, "@role", "fonction inconnue (traduisez "
				"la valeur en code dans le fichier de "
				"correspondance)", err);
	}
	if (st == MSP_OK && (col = b->special[T_ID]) >= 0) {
		if (cells[col][0] == '\0' ||
		    strlen(cells[col]) > CSVMAP_ID_MAX)
			st = submission_add_error(
				sub, "@id", "identifiant de réponse vide ou "
				"trop long", err);
		else if ((rec->id = msp_strdup(cells[col])) == NULL)
			st = oom(err);
	}
	if (st == MSP_OK && (col = b->special[T_SUBMITTED]) >= 0 &&
	    cells[col][0] != '\0' &&
	    parse_time(cells[col], rec->submitted) != 0)
		st = submission_add_error(sub, "@submitted", "date et heure "
					  "attendues comme AAAA-MM-JJ "
					  "HH:MM[:SS] (UTC)", err);
	if (st == MSP_OK && (col = b->special[T_PSEUDONYM]) >= 0) {
		v = cells[col];
		if (strlen(v) != CRYPTO_SHA256_HEX - 1 ||
		    strspn(v, "0123456789abcdef") != strlen(v))
			st = submission_add_error(
				sub, "@pseudonym", "un pseudonyme (64 "
				"chiffres hexadécimaux) est attendu", err);
		else
			memcpy(rec->pseudonym, v, CRYPTO_SHA256_HEX);
	}
	if (st == MSP_OK && (col = b->special[T_STRUCTURE]) >= 0) {
		if (cells[col][0] == '\0')
			st = submission_add_error(sub, "@structure", "la "
						  "structure n'est pas "
						  "indiquée", err);
		else if (secret == NULL)
			st = msp_error_set(err, MSP_ECONFIG, "identifiers "
					   "need the server secret "
					   "(MSP_SECRET_FILE)");
		else if ((st = secret_pseudonym(secret, cells[col],
						rec->pseudonym, err)) ==
			 MSP_OK)
			st = secret_pseudonym_legacy(secret, cells[col],
						     rec->legacy, err);
	}
	return st;
}

enum msp_status
csvmap_row(const struct csvmap_binding *b, const struct csv_row *row,
	   const struct secret *secret, struct csvmap_record *out,
	   struct msp_error *err)
{
	char **cells = NULL;	/* trimmed copies */
	enum msp_status st = MSP_OK;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->complete = 1;
	out->sub = submission_new(b->ins);
	if (out->sub == NULL)
		return oom(err);
	if (row->n != b->header->n) {	/* csv_parse() never gives one */
		st = submission_add_error(out->sub, "@row", "pas autant de "
					  "champs que l'en-tête", err);
		return st != MSP_OK ? st : msp_error_set(
			err, MSP_EINVAL, "line %zu: %zu fields, the header "
			"has %zu", row->line, row->n, b->header->n);
	}
	cells = msp_calloc(row->n ? row->n : 1, sizeof(*cells));
	if (cells == NULL) {
		st = oom(err);
		goto out;
	}
	for (i = 0; i < row->n; i++)
		if ((cells[i] = trim_dup(row->fields[i],
					 strlen(row->fields[i]))) == NULL) {
			st = oom(err);
			goto out;
		}
	for (i = 0; i < row->n && st == MSP_OK; i++) {
		const struct bound_col *c = &b->cols[i];

		if (c->m == NULL)
			continue;
		if (c->m->target == T_ITEM)
			st = item_cell(out->sub, c, &b->ins->items[c->item],
				       row->fields[i], cells[i], err);
		else if (c->m->target == T_OPTION)
			st = option_cell(out->sub, c, &b->ins->items[c->item],
					 cells[i], err);
	}
	if (st == MSP_OK)
		st = special_cells(b, secret, out, cells, err);
	if (st == MSP_OK)
		st = submission_validate(out->sub, SUBMISSION_TEXT_VALUES |
					 (out->complete ? SUBMISSION_COMPLETE
							: 0), err);
	if (st == MSP_EINVAL) {
		out->pseudonym[0] = '\0';
		out->legacy[0] = '\0';
	}
out:
	for (i = 0; cells != NULL && i < row->n; i++)
		free(cells[i]);
	free(cells);
	return st;
}

void
csvmap_record_clear(struct csvmap_record *rec)
{
	submission_free(rec->sub);
	free(rec->id);
	memset(rec, 0, sizeof(*rec));
}

/* --- the mapping read as it is written (lib/frame.c) ------------------- */

size_t
csvmap_n_columns(const struct csvmap *map)
{
	return map->n;
}

const char *
csvmap_column(const struct csvmap *map, size_t i, size_t *line)
{
	if (line != NULL)
		*line = map->lines[i].line;
	return map->lines[i].column;
}

const char *
csvmap_target(const struct csvmap *map, size_t i)
{
	const struct map_line *m = &map->lines[i];

	if (m->target == T_ITEM)
		return m->item;
	if (m->target == T_OPTION)
		return NULL;
	return special_names[m->target];
}

const char *
csvmap_translate(const struct csvmap *map, size_t i, const char *cell,
		 int *mapped)
{
	const struct map_line *m = &map->lines[i];
	size_t k;

	*mapped = m->n_values > 0;
	for (k = 0; k < m->n_values; k++)
		if (strcmp(m->values[k].from, cell) == 0)
			return m->values[k].to;
	return cell;
}
