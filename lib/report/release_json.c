/*
 * release_json — counts and releases as JSON (see release_json.h).
 */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "alloc.h"
#include "release_json.h"

/* The largest count a document may hold: what a double (jsonb's
 * numeric, JavaScript) carries exactly. */
#define MAX_COUNT ((int64_t)1 << 53)

static const char *const kind_names[] = {
	[RELEASE_HEADCOUNT] = "headcount",
	[RELEASE_SINGLE] = "single",
	[RELEASE_MULTI] = "multi",
	[RELEASE_NUMBER] = "number",
	[RELEASE_TEXT] = "text",
};

#define NKINDS (sizeof(kind_names) / sizeof(kind_names[0]))

static const char *const why_names[] = {
	[RELEASE_PUBLISHED] = NULL,
	[RELEASE_PRIMARY] = "primary",
	[RELEASE_COMPLEMENTARY] = "complementary",
};

/* --- writing ------------------------------------------------------------- */

/* Adds member name = v to o (v NULL: out of memory); 1 on failure. */
static int
put(struct json_object *o, const char *name, struct json_object *v)
{
	if (v == NULL)
		return 1;
	if (json_object_object_add(o, name, v) != 0) {
		json_object_put(v);
		return 1;
	}
	return 0;
}

/* Appends v to array a (v NULL allowed when null is meant); 1 when
 * out of memory. */
static int
push(struct json_object *a, struct json_object *v)
{
	if (json_object_array_add(a, v) != 0) {
		json_object_put(v);
		return 1;
	}
	return 0;
}

/* A number, or null when it is not finite (JSON has no NaN). */
static struct json_object *
new_real(double x, int *bad)
{
	struct json_object *v;

	if (!isfinite(x))
		return NULL;
	v = json_object_new_double(x);
	*bad |= v == NULL;
	return v;
}

static struct json_object *
ulong_array(const unsigned long *v, size_t n)
{
	struct json_object *a = json_object_new_array_ext((int)n);
	size_t i;

	if (a == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		struct json_object *x = json_object_new_int64((int64_t)v[i]);

		if (x == NULL || push(a, x)) {
			json_object_put(a);
			return NULL;
		}
	}
	return a;
}

static struct json_object *
bool_array(const int *v, size_t n)
{
	struct json_object *a = json_object_new_array_ext((int)n);
	size_t i;

	if (a == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		struct json_object *x = json_object_new_boolean(v[i] != 0);

		if (x == NULL || push(a, x)) {
			json_object_put(a);
			return NULL;
		}
	}
	return a;
}

/* Figures of a release: a value, or the reason it is absent. */
static struct json_object *
figure_array(const unsigned long *v, const enum release_why *why, size_t n)
{
	struct json_object *a = json_object_new_array_ext((int)n);
	size_t i;

	if (a == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		struct json_object *x = why[i] == RELEASE_PUBLISHED ?
			json_object_new_int64((int64_t)v[i]) :
			json_object_new_string(why_names[why[i]]);

		if (x == NULL || push(a, x)) {
			json_object_put(a);
			return NULL;
		}
	}
	return a;
}

/* One column's summary; min and max only when with_range. */
static struct json_object *
summary_object(const struct release_summary *s, int with_range)
{
	struct json_object *o = json_object_new_object();
	int bad = 0;

	if (o == NULL)
		return NULL;
	bad |= json_object_object_add(o, "median",
				      new_real(s->median, &bad)) != 0;
	bad |= json_object_object_add(o, "mean",
				      new_real(s->mean, &bad)) != 0;
	if (with_range) {
		bad |= json_object_object_add(o, "min",
					      new_real(s->min, &bad)) != 0;
		bad |= json_object_object_add(o, "max",
					      new_real(s->max, &bad)) != 0;
	}
	if (bad) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* The members every document has. */
static int
put_shape(struct json_object *o, enum release_kind kind, size_t rows,
	  size_t cols)
{
	return put(o, "kind", json_object_new_string(kind_names[kind])) |
	       put(o, "rows", json_object_new_int64((int64_t)rows)) |
	       put(o, "cols", json_object_new_int64((int64_t)cols));
}

struct json_object *
release_counts_to_json(const struct release_counts *k, struct msp_error *err)
{
	struct json_object *o = json_object_new_object(), *a;
	const size_t nc = k->ncols;
	size_t j;
	int bad = 0;

	if (o == NULL || (unsigned)k->kind >= NKINDS)
		goto fail;
	bad |= put_shape(o, k->kind, k->nrows, nc);
	bad |= put(o, "n", ulong_array(k->n, k->nrows * nc));
	bad |= put(o, "head", ulong_array(k->head, nc));
	bad |= put(o, "is_total", bool_array(k->is_total, nc));
	if (k->head_secret != NULL)
		bad |= put(o, "head_secret", bool_array(k->head_secret, nc));
	if (k->head_public != NULL)
		bad |= put(o, "head_public", bool_array(k->head_public, nc));
	if (k->printed != NULL)
		bad |= put(o, "printed", bool_array(k->printed, k->nrows));
	if (k->included != NULL)
		bad |= put(o, "included", bool_array(k->included, k->nrows));
	if (k->denom != NULL)
		bad |= put(o, "denom", ulong_array(k->denom, nc));
	if (k->summary != NULL) {
		a = json_object_new_array_ext((int)nc);
		for (j = 0; a != NULL && j < nc; j++)
			if (push(a, summary_object(&k->summary[j], 1)) ||
			    json_object_array_get_idx(a, j) == NULL) {
				json_object_put(a);
				a = NULL;
			}
		bad |= put(o, "summary", a);
	}
	bad |= put(o, "any_missing", json_object_new_boolean(k->any_missing));
	bad |= put(o, "missing_kept",
		   json_object_new_boolean(k->missing_kept));
	bad |= put(o, "presence", json_object_new_boolean(k->presence));
	if (!bad)
		return o;
fail:
	json_object_put(o);
	msp_error_set(err, MSP_ENOMEM, "release: out of memory");
	return NULL;
}

struct json_object *
release_to_json(const struct release *r, struct msp_error *err)
{
	struct json_object *o = json_object_new_object(), *a;
	size_t j;
	int bad = 0;

	if (o == NULL || (unsigned)r->kind >= NKINDS)
		goto fail;
	bad |= put_shape(o, r->kind, r->nrows, r->ncols);
	bad |= put(o, "threshold", json_object_new_int64(r->threshold));
	bad |= put(o, "range", json_object_new_boolean(r->range));
	bad |= put(o, "n", figure_array(r->n, r->why, r->nrows * r->ncols));
	bad |= put(o, "denom", figure_array(r->denom, r->denom_why,
					    r->ncols));
	if (r->summary != NULL) {
		a = json_object_new_array_ext((int)r->ncols);
		for (j = 0; a != NULL && j < r->ncols; j++) {
			/* withheld with its n */
			int shown = r->kind != RELEASE_NUMBER ||
				    release_published(r, RELEASE_NB_ANSWERED,
						      j);
			struct json_object *s = shown ?
				summary_object(&r->summary[j], r->range) :
				NULL;

			if ((shown && s == NULL) || push(a, s)) {
				json_object_put(a);
				a = NULL;
			}
		}
		bad |= put(o, "summary", a);
	}
	if (!bad)
		return o;
fail:
	json_object_put(o);
	msp_error_set(err, MSP_ENOMEM, "release: out of memory");
	return NULL;
}

/* --- reading ------------------------------------------------------------- */

/* The member name of o, or NULL when absent (or o not an object). */
static struct json_object *
member(const struct json_object *o, const char *name)
{
	struct json_object *v = NULL;

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, name, &v))
		return NULL;
	return v;
}

static enum msp_status
bad_member(struct msp_error *err, const char *name, const char *why)
{
	return msp_error_set(err, MSP_EINVAL, "release: \"%s\": %s", name,
			     why);
}

/* An integer member from 0 to max into *out. */
static enum msp_status
get_size(const struct json_object *o, const char *name, int64_t max,
	 size_t *out, struct msp_error *err)
{
	struct json_object *v = member(o, name);
	int64_t x;

	if (!json_object_is_type(v, json_type_int))
		return bad_member(err, name, "an integer is expected");
	x = json_object_get_int64(v);
	if (x < 0 || x > max)
		return bad_member(err, name, "out of range");
	*out = (size_t)x;
	return MSP_OK;
}

/* A boolean member, false when absent. */
static enum msp_status
get_bool(const struct json_object *o, const char *name, int *out,
	 struct msp_error *err)
{
	struct json_object *v = member(o, name);

	*out = 0;
	if (v == NULL)
		return MSP_OK;
	if (!json_object_is_type(v, json_type_boolean))
		return bad_member(err, name, "a boolean is expected");
	*out = json_object_get_boolean(v);
	return MSP_OK;
}

static enum msp_status
get_kind(const struct json_object *o, enum release_kind *out,
	 struct msp_error *err)
{
	struct json_object *v = member(o, "kind");
	const char *s;
	size_t i;

	if (!json_object_is_type(v, json_type_string))
		return bad_member(err, "kind", "a string is expected");
	s = json_object_get_string(v);
	for (i = 0; i < NKINDS; i++)
		if (strcmp(s, kind_names[i]) == 0) {
			*out = (enum release_kind)i;
			return MSP_OK;
		}
	return bad_member(err, "kind", "unknown kind");
}

/* The array member name, of exactly n elements; NULL (and *rc set)
 * when it is not, or when absent and required. */
static struct json_object *
get_array(const struct json_object *o, const char *name, size_t n,
	  int required, enum msp_status *rc, struct msp_error *err)
{
	struct json_object *v = member(o, name);

	*rc = MSP_OK;
	if (v == NULL) {
		if (required)
			*rc = bad_member(err, name, "missing");
		return NULL;
	}
	if (!json_object_is_type(v, json_type_array))
		*rc = bad_member(err, name, "an array is expected");
	else if (json_object_array_length(v) != n)
		*rc = bad_member(err, name, "wrong length");
	return *rc == MSP_OK ? v : NULL;
}

/* Counts of array member name (n of them) into a new *out; *out stays
 * NULL when the member is absent and not required. */
static enum msp_status
read_counts(const struct json_object *o, const char *name, size_t n,
	    int required, unsigned long **out, struct msp_error *err)
{
	enum msp_status rc;
	struct json_object *a = get_array(o, name, n, required, &rc, err);
	size_t i;

	*out = NULL;
	if (a == NULL)
		return rc;
	if ((*out = msp_calloc(n + 1, sizeof(**out))) == NULL)
		return msp_error_set(err, MSP_ENOMEM, "release: out of "
				     "memory");
	for (i = 0; i < n; i++) {
		struct json_object *x = json_object_array_get_idx(a, i);
		int64_t v;

		if (!json_object_is_type(x, json_type_int))
			return bad_member(err, name, "counts are integers");
		v = json_object_get_int64(x);
		if (v < 0 || v > MAX_COUNT)
			return bad_member(err, name, "a count out of range");
		(*out)[i] = (unsigned long)v;
	}
	return MSP_OK;
}

static enum msp_status
read_bools(const struct json_object *o, const char *name, size_t n,
	   int required, int **out, struct msp_error *err)
{
	enum msp_status rc;
	struct json_object *a = get_array(o, name, n, required, &rc, err);
	size_t i;

	*out = NULL;
	if (a == NULL)
		return rc;
	if ((*out = msp_calloc(n + 1, sizeof(**out))) == NULL)
		return msp_error_set(err, MSP_ENOMEM, "release: out of "
				     "memory");
	for (i = 0; i < n; i++) {
		struct json_object *x = json_object_array_get_idx(a, i);

		if (!json_object_is_type(x, json_type_boolean))
			return bad_member(err, name, "booleans expected");
		(*out)[i] = json_object_get_boolean(x);
	}
	return MSP_OK;
}

/* Figures of a release: values, or reasons. */
static enum msp_status
read_figures(const struct json_object *o, const char *name, size_t n,
	     unsigned long *v, enum release_why *why, struct msp_error *err)
{
	enum msp_status rc;
	struct json_object *a = get_array(o, name, n, 1, &rc, err);
	size_t i;

	if (a == NULL)
		return rc;
	for (i = 0; i < n; i++) {
		struct json_object *x = json_object_array_get_idx(a, i);

		if (json_object_is_type(x, json_type_int)) {
			int64_t y = json_object_get_int64(x);

			if (y < 0 || y > MAX_COUNT)
				return bad_member(err, name,
						  "a count out of range");
			v[i] = (unsigned long)y;
			why[i] = RELEASE_PUBLISHED;
		} else if (json_object_is_type(x, json_type_string) &&
			   strcmp(json_object_get_string(x),
				  why_names[RELEASE_PRIMARY]) == 0) {
			v[i] = 0;
			why[i] = RELEASE_PRIMARY;
		} else if (json_object_is_type(x, json_type_string) &&
			   strcmp(json_object_get_string(x),
				  why_names[RELEASE_COMPLEMENTARY]) == 0) {
			v[i] = 0;
			why[i] = RELEASE_COMPLEMENTARY;
		} else
			return bad_member(err, name, "a figure is a count, "
					  "\"primary\" or \"complementary\"");
	}
	return MSP_OK;
}

/* A real member of summary object s (null: NaN); absent: NaN unless
 * required. */
static enum msp_status
read_real(const struct json_object *s, const char *name, int required,
	  double *out, struct msp_error *err)
{
	struct json_object *v = NULL;

	*out = NAN;
	if (!json_object_object_get_ex(s, name, &v)) {
		if (required)
			return bad_member(err, name, "missing");
		*out = 0;
		return MSP_OK;
	}
	if (v == NULL)
		return MSP_OK;
	if (!json_object_is_type(v, json_type_double) &&
	    !json_object_is_type(v, json_type_int))
		return bad_member(err, name, "a number is expected");
	*out = json_object_get_double(v);
	return MSP_OK;
}

/*
 * The summary array (n objects, or null where withheld when nullable)
 * into a new *out; with_range: min and max required.
 */
static enum msp_status
read_summary(const struct json_object *o, size_t n, int nullable,
	     int with_range, struct release_summary **out,
	     struct msp_error *err)
{
	enum msp_status rc;
	struct json_object *a = get_array(o, "summary", n, 1, &rc, err);
	size_t i;

	*out = NULL;
	if (a == NULL)
		return rc;
	if ((*out = msp_calloc(n + 1, sizeof(**out))) == NULL)
		return msp_error_set(err, MSP_ENOMEM, "release: out of "
				     "memory");
	for (i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(a, i);
		struct release_summary *d = &(*out)[i];

		if (s == NULL && nullable)
			continue;
		if (!json_object_is_type(s, json_type_object))
			return bad_member(err, "summary", "objects expected");
		if ((rc = read_real(s, "median", 1, &d->median, err)) ||
		    (rc = read_real(s, "mean", 1, &d->mean, err)) ||
		    (rc = read_real(s, "min", with_range, &d->min, err)) ||
		    (rc = read_real(s, "max", with_range, &d->max, err)))
			return rc;
	}
	return MSP_OK;
}

/* The shape: kind, rows and cols within the caps. */
static enum msp_status
read_shape(const struct json_object *o, enum release_kind *kind,
	   size_t *rows, size_t *cols, struct msp_error *err)
{
	enum msp_status rc;

	if (!json_object_is_type(o, json_type_object))
		return msp_error_set(err, MSP_EINVAL, "release: an object "
				     "is expected");
	if ((rc = get_kind(o, kind, err)) != MSP_OK ||
	    (rc = get_size(o, "rows", RELEASE_JSON_MAX_ROWS, rows,
			   err)) != MSP_OK ||
	    (rc = get_size(o, "cols", RELEASE_JSON_MAX_COLS, cols,
			   err)) != MSP_OK)
		return rc;
	if (*cols == 0 || *rows == 0)
		return bad_member(err, "rows", "an empty block");
	if (*rows * *cols > RELEASE_JSON_MAX_CELLS)
		return bad_member(err, "rows", "too many figures");
	return MSP_OK;
}

void
release_counts_free(struct release_counts *k)
{
	if (k == NULL)
		return;
	/* made by release_counts_from_json(): the arrays are ours */
	msp_free((void *)(uintptr_t)k->n);
	msp_free((void *)(uintptr_t)k->head);
	msp_free((void *)(uintptr_t)k->is_total);
	msp_free((void *)(uintptr_t)k->head_secret);
	msp_free((void *)(uintptr_t)k->head_public);
	msp_free((void *)(uintptr_t)k->printed);
	msp_free((void *)(uintptr_t)k->included);
	msp_free((void *)(uintptr_t)k->denom);
	msp_free((void *)(uintptr_t)k->summary);
	memset(k, 0, sizeof(*k));
}

enum msp_status
release_counts_from_json(const struct json_object *o,
			 struct release_counts *out, struct msp_error *err)
{
	unsigned long *n = NULL, *head = NULL, *denom = NULL;
	int *is_total = NULL, *secret = NULL, *public = NULL;
	int *printed = NULL, *included = NULL;
	struct release_summary *summary = NULL;
	enum release_kind kind;
	size_t rows, cols, j, totals;
	enum msp_status rc;

	memset(out, 0, sizeof(*out));
	if ((rc = read_shape(o, &kind, &rows, &cols, err)) != MSP_OK)
		return rc;
	out->kind = kind;
	out->nrows = rows;
	out->ncols = cols;
	rc = read_counts(o, "n", rows * cols, 1, &n, err);
	out->n = n;
	if (rc == MSP_OK)
		rc = read_counts(o, "head", cols, 1, &head, err);
	out->head = head;
	if (rc == MSP_OK)
		rc = read_bools(o, "is_total", cols, 1, &is_total, err);
	out->is_total = is_total;
	if (rc == MSP_OK)
		rc = read_bools(o, "head_secret", cols, 0, &secret, err);
	out->head_secret = secret;
	if (rc == MSP_OK)
		rc = read_bools(o, "head_public", cols,
				kind == RELEASE_HEADCOUNT, &public, err);
	out->head_public = public;
	if (rc == MSP_OK)
		rc = read_bools(o, "printed", rows, kind == RELEASE_SINGLE,
				&printed, err);
	out->printed = printed;
	if (rc == MSP_OK)
		rc = read_bools(o, "included", rows, kind == RELEASE_SINGLE,
				&included, err);
	out->included = included;
	if (rc == MSP_OK)
		rc = read_counts(o, "denom", cols, kind == RELEASE_SINGLE,
				 &denom, err);
	out->denom = denom;
	if (rc == MSP_OK && (kind == RELEASE_NUMBER ||
			     member(o, "summary") != NULL))
		rc = read_summary(o, cols, 0, 1, &summary, err);
	out->summary = summary;
	if (rc == MSP_OK)
		rc = get_bool(o, "any_missing", &out->any_missing, err);
	if (rc == MSP_OK)
		rc = get_bool(o, "missing_kept", &out->missing_kept, err);
	if (rc == MSP_OK)
		rc = get_bool(o, "presence", &out->presence, err);
	/* what release_make() takes for granted: one total column at
	 * most, and, for a multiple choice, missing answers within the
	 * head count; a number's rows that add up */
	for (j = 0, totals = 0; rc == MSP_OK && j < cols; j++) {
		const size_t last = (rows - 1) * cols + j;

		totals += is_total[j] != 0;
		if (totals > 1)
			rc = bad_member(err, "is_total", "two totals");
		else if (kind == RELEASE_MULTI && n[last] > head[j])
			rc = bad_member(err, "n", "more missing than the "
					"head count");
		else if (kind == RELEASE_NUMBER &&
			 n[RELEASE_NB_GE1 * cols + j] >
			 n[RELEASE_NB_ANSWERED * cols + j])
			rc = bad_member(err, "n", "more at least one than "
					"answered");
	}
	if (rc != MSP_OK)
		release_counts_free(out);
	return rc;
}

enum msp_status
release_from_json(const struct json_object *o, struct release *out,
		  struct msp_error *err)
{
	enum release_kind kind;
	size_t rows, cols, threshold;
	enum msp_status rc;

	memset(out, 0, sizeof(*out));
	if ((rc = read_shape(o, &kind, &rows, &cols, err)) != MSP_OK)
		return rc;
	if ((rc = get_size(o, "threshold", 1000, &threshold, err)) !=
	    MSP_OK)
		return rc;
	out->kind = kind;
	out->nrows = rows;
	out->ncols = cols;
	out->threshold = (unsigned)threshold;
	if ((rc = get_bool(o, "range", &out->range, err)) != MSP_OK)
		return rc;
	out->n = msp_calloc(rows * cols + 1, sizeof(*out->n));
	out->why = msp_calloc(rows * cols + 1, sizeof(*out->why));
	out->denom = msp_calloc(cols + 1, sizeof(*out->denom));
	out->denom_why = msp_calloc(cols + 1, sizeof(*out->denom_why));
	if (out->n == NULL || out->why == NULL || out->denom == NULL ||
	    out->denom_why == NULL) {
		rc = msp_error_set(err, MSP_ENOMEM, "release: out of memory");
		goto out;
	}
	rc = read_figures(o, "n", rows * cols, out->n, out->why, err);
	if (rc == MSP_OK)
		rc = read_figures(o, "denom", cols, out->denom,
				  out->denom_why, err);
	if (rc == MSP_OK && kind == RELEASE_NUMBER &&
	    rows != RELEASE_NB_ROWS)
		rc = bad_member(err, "rows", "a number has 4 rows");
	if (rc == MSP_OK && kind == RELEASE_TEXT && rows != RELEASE_TX_ROWS)
		rc = bad_member(err, "rows", "an open item has 2 rows");
	if (rc == MSP_OK && kind == RELEASE_NUMBER)
		rc = read_summary(o, cols, 1, out->range, &out->summary,
				  err);
out:
	if (rc != MSP_OK)
		release_clear(out);
	return rc;
}

/* --- the decision on text ------------------------------------------------ */

enum msp_status
release_json_decide(const char *text, size_t len, unsigned threshold,
		    char **out, struct msp_error *err)
{
	struct json_tokener *tok = NULL;
	struct json_object *in = NULL, *o = NULL;
	struct release_counts k;
	struct release r;
	const char *s;
	enum msp_status st = MSP_OK;

	memset(&k, 0, sizeof(k));
	memset(&r, 0, sizeof(r));
	*out = NULL;
	if (len > INT_MAX) {
		st = msp_error_set(err, MSP_EINVAL, "counts: document too "
				   "large (%zu bytes)", len);
		goto out;
	}
	tok = json_tokener_new_ex(RELEASE_JSON_MAX_DEPTH);
	if (tok == NULL) {
		st = msp_error_set(err, MSP_ENOMEM, "counts: out of memory");
		goto out;
	}
	in = json_tokener_parse_ex(tok, text, (int)len);
	/* One whole document: json-c stops after the first value, and
	 * waits for more on a truncated one (in NULL, "continue"). */
	if (in == NULL || json_tokener_get_parse_end(tok) != len) {
		st = msp_error_set(err, MSP_EINVAL, "counts: not one JSON "
				   "document (%s)", in == NULL ?
				   json_tokener_error_desc(
					json_tokener_get_error(tok)) :
				   "text after the document");
		goto out;
	}
	if ((st = release_counts_from_json(in, &k, err)) != MSP_OK)
		goto out;
	if ((st = release_make(&k, threshold, &r, err)) != MSP_OK)
		goto out;
	if ((o = release_to_json(&r, err)) == NULL) {
		st = MSP_ENOMEM;
		goto out;
	}
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	if (s == NULL || (*out = msp_strdup(s)) == NULL)
		st = msp_error_set(err, MSP_ENOMEM, "release: out of memory");
out:
	json_object_put(o);
	release_clear(&r);
	release_counts_free(&k);
	json_object_put(in);
	if (tok != NULL)
		json_tokener_free(tok);
	return st;
}
