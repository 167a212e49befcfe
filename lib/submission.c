/*
 * submission — one set of answers, checked against its instrument.
 *
 * Values are kept as given until submission_validate(), because "show
 * if" depends on other answers: whether an item is asked is only known
 * once everything has been added.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "submission.h"
#include "utf8.h"

struct given {
	char **texts;
	enum raw_type *types;
	size_t n;
};

struct submission {
	const struct instrument *ins;
	struct given *given;		/* one per item */
	enum shown_state *shown;	/* one per item, memoised */
	struct answer *answers;
	size_t n_answers;
	struct field_error *errors;
	size_t n_errors;
	int validated;
};

struct submission *
submission_new(const struct instrument *ins)
{
	struct submission *sub = msp_calloc(1, sizeof(*sub));
	size_t n = ins->n_items ? ins->n_items : 1;

	if (sub == NULL)
		return NULL;
	sub->ins = ins;
	sub->given = msp_calloc(n, sizeof(*sub->given));
	sub->shown = msp_calloc(n, sizeof(*sub->shown));
	if (sub->given == NULL || sub->shown == NULL) {
		submission_free(sub);
		return NULL;
	}
	return sub;
}

void
submission_free(struct submission *sub)
{
	size_t i, j;

	if (sub == NULL)
		return;
	for (i = 0; sub->given && i < sub->ins->n_items; i++) {
		for (j = 0; j < sub->given[i].n; j++)
			free(sub->given[i].texts[j]);
		free(sub->given[i].texts);
		free(sub->given[i].types);
	}
	free(sub->given);
	free(sub->shown);
	for (i = 0; i < sub->n_answers; i++) {
		free(sub->answers[i].number);
		free(sub->answers[i].text);
	}
	free(sub->answers);
	for (i = 0; i < sub->n_errors; i++) {
		free(sub->errors[i].field);
		free(sub->errors[i].message);
	}
	free(sub->errors);
	free(sub);
}

static enum msp_status
oom(struct msp_error *err)
{
	return msp_error_set(err, MSP_ENOMEM, "out of memory");
}

enum msp_status
submission_add_error(struct submission *sub, const char *field,
		     const char *message, struct msp_error *err)
{
	struct field_error *e;

	e = msp_realloc(sub->errors, (sub->n_errors + 1) * sizeof(*e));
	if (e == NULL)
		return oom(err);
	sub->errors = e;
	e = &sub->errors[sub->n_errors];
	e->field = msp_strdup(field);
	e->message = msp_strdup(message);
	if (e->field == NULL || e->message == NULL) {
		free(e->field);
		free(e->message);
		return oom(err);
	}
	sub->n_errors++;
	return MSP_OK;
}

enum msp_status
submission_add(struct submission *sub, const char *key, enum raw_type type,
	       const char *text, struct msp_error *err)
{
	int item = instrument_index(sub->ins, key);
	struct given *g;
	char **texts;
	enum raw_type *types;

	if (item < 0) {
		if (submission_error_for(sub, key) != NULL)
			return MSP_OK;
		return submission_add_error(
			sub, key, "cette question n'existe pas dans ce "
			"questionnaire", err);
	}
	g = &sub->given[item];
	texts = msp_realloc(g->texts, (g->n + 1) * sizeof(*texts));
	if (texts == NULL)
		return oom(err);
	g->texts = texts;
	types = msp_realloc(g->types, (g->n + 1) * sizeof(*types));
	if (types == NULL)
		return oom(err);
	g->types = types;
	g->texts[g->n] = msp_strdup(text);
	if (g->texts[g->n] == NULL)
		return oom(err);
	g->types[g->n] = type;
	g->n++;
	return MSP_OK;
}

/* A JSON value as a raw value: its type and its text. */
static enum msp_status
add_json_value(struct submission *sub, const char *key,
	       struct json_object *v, struct msp_error *err)
{
	switch (json_object_get_type(v)) {
	case json_type_string:
		return submission_add(sub, key, RAW_TEXT,
				      json_object_get_string(v), err);
	case json_type_int:
	case json_type_double:
		/* json-c keeps the number's own spelling for doubles and
		 * prints ints exactly. */
		return submission_add(sub, key, RAW_NUMBER,
				      json_object_to_json_string_ext(
					      v, JSON_C_TO_STRING_PLAIN),
				      err);
	case json_type_boolean:
		return submission_add(sub, key, RAW_BOOL,
				      json_object_get_boolean(v) ? "true"
								 : "false",
				      err);
	default:
		return submission_add(sub, key, RAW_OTHER, "", err);
	}
}

enum msp_status
submission_add_json(struct submission *sub, struct json_object *answers,
		    struct msp_error *err)
{
	enum msp_status st = MSP_OK;

	json_object_object_foreach(answers, key, v) {
		if (json_object_is_type(v, json_type_array)) {
			size_t i, n = json_object_array_length(v);

			if (n == 0)	/* an empty choice list: no answer */
				continue;
			for (i = 0; i < n && st == MSP_OK; i++) {
				struct json_object *e =
					json_object_array_get_idx(v, i);

				st = json_object_is_type(e, json_type_string)
					? submission_add(
						  sub, key, RAW_TEXT,
						  json_object_get_string(e),
						  err)
					: submission_add(sub, key, RAW_OTHER,
							 "", err);
			}
		} else if (!json_object_is_type(v, json_type_null)) {
			st = add_json_value(sub, key, v, err);
		}
		if (st != MSP_OK)
			return st;
	}
	return MSP_OK;
}

enum msp_status
submission_add_form(struct submission *sub, const struct urlenc *form,
		    struct msp_error *err)
{
	enum msp_status st;
	size_t i;

	for (i = 0; i < form->n; i++) {
		const struct urlenc_field *f = &form->fields[i];

		if (f->name[0] == '_' || f->value[0] == '\0')
			continue;
		st = submission_add(sub, f->name, RAW_TEXT, f->value, err);
		if (st != MSP_OK)
			return st;
	}
	return MSP_OK;
}

/* Booleans compare with show-if values as the options "oui"/"non". */
static const char *
as_choice(const char *text, enum raw_type type)
{
	if (type == RAW_BOOL)
		return strcmp(text, "true") == 0 ? "oui" : "non";
	return text;
}

int
submission_item_asked(const struct instrument *ins, int item,
		      enum shown_state *memo, submission_answer_is *answer_is,
		      const void *ctx)
{
	const struct instrument_item *it = &ins->items[item];
	size_t j;
	int yes = 0;

	if (it->show_if < 0)
		return 1;
	switch (memo[item]) {
	case SHOWN_YES:
		return 1;
	case SHOWN_NO:
		return 0;
	case SHOWN_COMPUTING:
		return 0;	/* a cycle: the definition forbids it */
	case SHOWN_UNKNOWN:
		break;
	}
	memo[item] = SHOWN_COMPUTING;
	if (submission_item_asked(ins, it->show_if, memo, answer_is, ctx))
		for (j = 0; j < it->n_show_if_values && !yes; j++)
			yes = answer_is(ctx, it->show_if,
					it->show_if_values[j]);
	memo[item] = yes ? SHOWN_YES : SHOWN_NO;
	return yes;
}

/* submission_answer_is for the values given to a submission. */
static int
given_is(const void *ctx, int item, const char *value)
{
	const struct submission *sub = ctx;
	const struct given *g = &sub->given[item];
	size_t i;

	for (i = 0; i < g->n; i++)
		if (strcmp(as_choice(g->texts[i], g->types[i]), value) == 0)
			return 1;
	return 0;
}

int
submission_item_shown(const struct submission *sub, int item)
{
	return submission_item_asked(sub->ins, item, sub->shown, given_is,
				     sub);
}

static struct answer *
new_answer(struct submission *sub, int item, struct msp_error *err)
{
	struct answer *a;

	a = msp_realloc(sub->answers, (sub->n_answers + 1) * sizeof(*a));
	if (a == NULL) {
		oom(err);
		return NULL;
	}
	sub->answers = a;
	a = &sub->answers[sub->n_answers++];
	memset(a, 0, sizeof(*a));
	a->item = item;
	return a;
}

/*
 * A number as people and JSON write it: -?digits(.digits)?, with a
 * decimal comma allowed in forms; JSON exponents are expanded by strtod.
 * On success *canon is a new "C locale" spelling for the database.
 */
static int
parse_number(const char *text, enum raw_type type, int lenient,
	     double *value, char **canon)
{
	char tmp[64], *end;
	size_t i, len = strlen(text);

	*canon = NULL;
	if (type == RAW_TEXT && !lenient)
		return -1;
	if (type != RAW_TEXT && type != RAW_NUMBER)
		return -1;
	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, text, len + 1);
	if (type == RAW_TEXT) {
		/* people's numbers: optional sign, digits, one , or . */
		int seen_sep = 0, digits = 0;

		for (i = 0; i < len; i++) {
			if (tmp[i] >= '0' && tmp[i] <= '9') {
				digits++;
			} else if ((tmp[i] == ',' || tmp[i] == '.') &&
				   !seen_sep && digits) {
				seen_sep = 1;
				tmp[i] = '.';
			} else if (!(i == 0 && tmp[i] == '-')) {
				return -1;
			}
		}
		if (!digits || tmp[len - 1] == '.')
			return -1;
	}
	errno = 0;
	*value = strtod(tmp, &end);
	if (*end != '\0' || errno == ERANGE || !isfinite(*value))
		return -1;
	*canon = msp_strdup(tmp);
	return *canon ? 0 : -2;
}

/*
 * A decimal number's exact value, as digits: the value is
 * neg ? -0.D × 10^exp : 0.D × 10^exp, where D is digits without leading
 * or trailing zeros ("" for zero, exp 0 then).  Read from the C-locale
 * spelling parse_number() accepted or printf's %.17g wrote:
 * -?digits(.digits)?([eE][+-]?digits)?.
 */
struct decimal {
	int neg;
	char digits[80];
	long exp;
};

static int
decimal_parse(const char *text, struct decimal *d)
{
	const char *p = text;
	size_t n = 0;
	long before = 0;	/* digits kept before the point */
	int seen_point = 0, seen_nonzero = 0;

	memset(d, 0, sizeof(*d));
	if (*p == '-' || *p == '+')
		d->neg = *p++ == '-';
	for (; (*p >= '0' && *p <= '9') || *p == '.'; p++) {
		if (*p == '.') {
			if (seen_point)
				return -1;
			seen_point = 1;
			continue;
		}
		if (*p == '0' && !seen_nonzero) {
			/* a leading zero: after the point it moves the
			 * first digit right */
			if (seen_point)
				before--;
			continue;
		}
		seen_nonzero = 1;
		if (n + 1 >= sizeof(d->digits))
			return -1;	/* longer than parse_number's 64 */
		d->digits[n++] = *p;
		if (!seen_point)
			before++;
	}
	if (*p == 'e' || *p == 'E') {
		char *end;
		long e;

		errno = 0;
		e = strtol(p + 1, &end, 10);
		if (end == p + 1 || *end != '\0' || errno == ERANGE ||
		    e > 100000 || e < -100000)
			return -1;
		before += e;
	} else if (*p != '\0') {
		return -1;
	}
	while (n > 0 && d->digits[n - 1] == '0')
		n--;
	d->digits[n] = '\0';
	d->exp = n == 0 ? 0 : before;
	if (n == 0)
		d->neg = 0;
	return 0;
}

/* Whether a < b (-1), a == b (0) or a > b (1), exactly. */
static int
decimal_cmp(const struct decimal *a, const struct decimal *b)
{
	int sign, c;

	if (a->digits[0] == '\0' || b->digits[0] == '\0') {
		/* one is zero: the other's sign decides */
		if (a->digits[0] != '\0')
			return a->neg ? -1 : 1;
		if (b->digits[0] != '\0')
			return b->neg ? 1 : -1;
		return 0;
	}
	if (a->neg != b->neg)
		return a->neg ? -1 : 1;
	sign = a->neg ? -1 : 1;
	if (a->exp != b->exp)
		return a->exp > b->exp ? sign : -sign;
	/* same magnitude: digit by digit, a missing digit is 0 */
	c = strcmp(a->digits, b->digits);
	return c == 0 ? 0 : (c > 0 ? sign : -sign);
}

/*
 * Compares the number spelt text with bound, exactly.  The double
 * strtod() makes of text can equal a bound it exceeds:
 * 500.00000000000001 is 500.0 as a double, the check passed, and the
 * database, which compares numerics, refused the answer with a
 * constraint error naming no field.  A bound comes from a numeric of
 * the instrument through float8, so %.15g gives its decimal back.
 * Returns -1, 0 or 1 as text <, == or > bound, in *cmp; -1 if either
 * cannot be read as a decimal (parse_number has excluded it for text:
 * the caller then refuses rather than lets it through).
 */
static int
number_cmp_bound(const char *text, double bound, int *cmp)
{
	struct decimal a, b;
	char spelt[40];

	snprintf(spelt, sizeof(spelt), "%.15g", bound);
	if (decimal_parse(text, &a) != 0 || decimal_parse(spelt, &b) != 0)
		return -1;
	*cmp = decimal_cmp(&a, &b);
	return 0;
}

/* Whether the number spelt text (whose double is v) is outside item's
 * bounds, or cannot be compared with them. */
static int
number_outside(const char *text, double v, const struct instrument_item *it)
{
	int cmp;

	if (it->has_min &&
	    (v < it->min_value ||
	     number_cmp_bound(text, it->min_value, &cmp) != 0 || cmp < 0))
		return 1;
	if (it->has_max &&
	    (v > it->max_value ||
	     number_cmp_bound(text, it->max_value, &cmp) != 0 || cmp > 0))
		return 1;
	return 0;
}

/* Whether the number spelt text is a whole number, exactly (the double
 * of 1.0000000000000001 is 1.0). */
static int
number_is_integer(const char *text)
{
	struct decimal d;

	if (decimal_parse(text, &d) != 0)
		return 0;
	return d.digits[0] == '\0' || (long)strlen(d.digits) <= d.exp;
}

static int
parse_bool(const char *text, enum raw_type type, int lenient, int *out)
{
	if (type == RAW_BOOL || (type == RAW_TEXT && lenient)) {
		if (strcmp(text, "true") == 0 || strcmp(text, "oui") == 0 ||
		    (lenient && strcmp(text, "1") == 0)) {
			*out = 1;
			return 0;
		}
		if (strcmp(text, "false") == 0 || strcmp(text, "non") == 0 ||
		    (lenient && strcmp(text, "0") == 0)) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* Validates the values given for one asked item. */
static enum msp_status
validate_item(struct submission *sub, int item, int flags,
	      struct msp_error *err)
{
	const struct instrument_item *it = &sub->ins->items[item];
	const struct given *g = &sub->given[item];
	int lenient = flags & (SUBMISSION_LENIENT | SUBMISSION_TEXT_VALUES);
	char msg[256];
	struct answer *a;
	size_t i, j;

	if (g->n > 1 && it->type != ITEM_MULTIPLE_CHOICE)
		return submission_add_error(sub, it->key,
					    "une seule réponse est attendue",
					    err);
	for (i = 0; i < g->n; i++) {
		const char *text = g->texts[i];
		enum raw_type type = g->types[i];

		switch (it->type) {
		case ITEM_SINGLE_CHOICE:
		case ITEM_MULTIPLE_CHOICE: {
			const struct item_option *opt;

			opt = type == RAW_TEXT ? item_find_option(it, text)
					       : NULL;
			if (opt == NULL)
				return submission_add_error(
					sub, it->key,
					"cette réponse ne fait pas partie des "
					"choix proposés", err);
			for (j = 0; j < i; j++)
				if (strcmp(g->texts[j], text) == 0)
					return submission_add_error(
						sub, it->key,
						"un même choix est donné deux "
						"fois", err);
			if ((a = new_answer(sub, item, err)) == NULL)
				return MSP_ENOMEM;
			a->choice = opt->code;
			break;
		}
		case ITEM_NUMBER: {
			double v;
			char *canon;
			int rc = parse_number(text, type, lenient, &v,
					      &canon);

			if (rc == -2)
				return oom(err);
			if (rc != 0)
				return submission_add_error(
					sub, it->key, "un nombre est attendu",
					err);
			if (it->integer_only && (v != floor(v) ||
						 !number_is_integer(canon))) {
				free(canon);
				return submission_add_error(
					sub, it->key,
					"un nombre entier est attendu", err);
			}
			if (number_outside(canon, v, it)) {
				free(canon);
				if (it->has_min && it->has_max)
					snprintf(msg, sizeof(msg),
						 "la valeur doit être comprise"
						 " entre %g et %g",
						 it->min_value, it->max_value);
				else if (it->has_min)
					snprintf(msg, sizeof(msg),
						 "la valeur doit être au moins"
						 " %g", it->min_value);
				else
					snprintf(msg, sizeof(msg),
						 "la valeur doit être au plus"
						 " %g", it->max_value);
				return submission_add_error(sub, it->key, msg,
							    err);
			}
			if ((a = new_answer(sub, item, err)) == NULL) {
				free(canon);
				return MSP_ENOMEM;
			}
			a->number = canon;
			break;
		}
		case ITEM_TEXT: {
			size_t max = it->max_length > 0
				? (size_t)it->max_length : SUBMISSION_TEXT_MAX;

			if (type != RAW_TEXT)
				return submission_add_error(
					sub, it->key, "un texte est attendu",
					err);
			if (utf8_length(text) > max) {
				snprintf(msg, sizeof(msg),
					 "le texte dépasse %zu caractères",
					 max);
				return submission_add_error(sub, it->key, msg,
							    err);
			}
			if ((a = new_answer(sub, item, err)) == NULL)
				return MSP_ENOMEM;
			if ((a->text = msp_strdup(text)) == NULL)
				return oom(err);
			break;
		}
		case ITEM_BOOLEAN: {
			int b;

			if (parse_bool(text, type, lenient, &b) != 0)
				return submission_add_error(
					sub, it->key,
					type == RAW_BOOL || lenient
					? "oui ou non est attendu"
					: "true ou false est attendu", err);
			if ((a = new_answer(sub, item, err)) == NULL)
				return MSP_ENOMEM;
			a->boolean = b;
			break;
		}
		}
	}
	return MSP_OK;
}

enum msp_status
submission_validate(struct submission *sub, int flags,
		    struct msp_error *err)
{
	enum msp_status st;
	size_t i;

	if (sub->validated)
		return msp_error_set(err, MSP_EINVAL,
				     "submission validated twice");
	sub->validated = 1;
	for (i = 0; i < sub->ins->n_items; i++) {
		const struct instrument_item *it = &sub->ins->items[i];
		int shown = submission_item_shown(sub, (int)i);

		if (sub->given[i].n == 0) {
			if (shown && it->required &&
			    (flags & SUBMISSION_COMPLETE)) {
				st = submission_add_error(
					sub, it->key,
					"cette question est obligatoire", err);
				if (st != MSP_OK)
					return st;
			}
			continue;
		}
		if (!shown) {
			if (flags & SUBMISSION_LENIENT)
				continue;
			st = submission_add_error(
				sub, it->key, "cette question n'est pas posée "
				"compte tenu des autres réponses", err);
		} else {
			st = validate_item(sub, (int)i, flags, err);
		}
		if (st != MSP_OK)
			return st;
	}
	if (sub->n_errors > 0)
		return msp_error_set(err, MSP_EINVAL,
				     "%zu answer%s refused", sub->n_errors,
				     sub->n_errors > 1 ? "s" : "");
	return MSP_OK;
}

const struct field_error *
submission_errors(const struct submission *sub, size_t *n)
{
	*n = sub->n_errors;
	return sub->errors;
}

const struct answer *
submission_answers(const struct submission *sub, size_t *n)
{
	*n = sub->n_answers;
	return sub->answers;
}

const char *
submission_error_for(const struct submission *sub, const char *key)
{
	size_t i;

	for (i = 0; i < sub->n_errors; i++)
		if (strcmp(sub->errors[i].field, key) == 0)
			return sub->errors[i].message;
	return NULL;
}

const char *const *
submission_given(const struct submission *sub, int item, size_t *n)
{
	*n = sub->given[item].n;
	return (const char *const *)sub->given[item].texts;
}

void
submission_answers_json(const struct submission *sub, struct buf *b)
{
	size_t i;

	buf_putc(b, '[');
	for (i = 0; i < sub->n_answers; i++) {
		const struct answer *a = &sub->answers[i];
		const struct instrument_item *it = &sub->ins->items[a->item];
		struct json_object *o = json_object_new_object();

		if (o == NULL) {
			b->failed = 1;
			return;
		}
		json_object_object_add(o, "k",
				       json_object_new_string(it->key));
		switch (it->type) {
		case ITEM_SINGLE_CHOICE:
		case ITEM_MULTIPLE_CHOICE:
			json_object_object_add(
				o, "c", json_object_new_string(a->choice));
			break;
		case ITEM_NUMBER:
			/* as a string: numeric keeps every digit */
			json_object_object_add(
				o, "n", json_object_new_string(a->number));
			break;
		case ITEM_TEXT:
			json_object_object_add(
				o, "t", json_object_new_string(a->text));
			break;
		case ITEM_BOOLEAN:
			json_object_object_add(
				o, "b", json_object_new_boolean(a->boolean));
			break;
		}
		if (i > 0)
			buf_putc(b, ',');
		buf_puts(b, json_object_to_json_string_ext(
				    o, JSON_C_TO_STRING_PLAIN |
				    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	}
	buf_putc(b, ']');
}

int
submission_iso_date(const char *text)
{
	static const int days[12] = {
		31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int i, y, m, d;

	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (text[i] != '-')
				return 0;
		} else if (text[i] < '0' || text[i] > '9') {
			return 0;	/* a digit, or the end too early */
		}
	}
	if (text[10] != '\0')
		return 0;
	y = (text[0] - '0') * 1000 + (text[1] - '0') * 100 +
	    (text[2] - '0') * 10 + (text[3] - '0');
	m = (text[5] - '0') * 10 + (text[6] - '0');
	d = (text[8] - '0') * 10 + (text[9] - '0');
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
		return 0;
	if (m == 2 && d == 29 &&
	    !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 0;
	return 1;
}
