/*
 * agreement — Cohen's κ, Krippendorff's α and the disagreements between
 * coders (agreement.h; the formulas are written out in
 * docs/agreement.md).
 *
 * The data set keeps each name once (a small open-addressing table per
 * kind), one bit mask per unit of the coders who coded it (hence at most
 * 64 coders), and the codings as (unit, coder, code, applied) records.
 * agreement_compute() sorts the records by code and unit, so that each
 * code costs only its own records: a unit with no record of a code has
 * that code absent for every coder who coded it.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agreement.h"
#include "alloc.h"
#include "utf8.h"

/* Codings per data set: 16 bytes each, 80 MiB at most. */
#define AGREEMENT_MAX_CODINGS 5000000

/* A record's code when it only says the coder coded the unit. */
#define NO_CODE UINT32_MAX

/* Doubles count exactly up to 2^53: the tables' totals stay below. */
#define EXACT_MAX 9007199254740992.0

const char *
agreement_unit_name(enum agreement_unit unit)
{
	return unit == AGREEMENT_UNIT_SEGMENT ? "segment" : "answer";
}

int
agreement_unit_parse(const char *name)
{
	if (strcmp(name, "answer") == 0)
		return AGREEMENT_UNIT_ANSWER;
	if (strcmp(name, "segment") == 0)
		return AGREEMENT_UNIT_SEGMENT;
	return -1;
}

const char *
agreement_undefined_text(enum agreement_undefined why)
{
	switch (why) {
	case AGREEMENT_DEFINED:
		return "";
	case AGREEMENT_NO_PAIRS:
		return "aucune unité codée par deux codeurs";
	case AGREEMENT_NO_VARIATION:
		return "aucune variation : le code est appliqué partout "
		       "ou nulle part";
	case AGREEMENT_NOT_TWO:
		return "le kappa de Cohen compare exactement deux codeurs";
	}
	return "";
}

const char *
agreement_undefined_key(enum agreement_undefined why)
{
	switch (why) {
	case AGREEMENT_DEFINED:
		return NULL;
	case AGREEMENT_NO_PAIRS:
		return "no_pairs";
	case AGREEMENT_NO_VARIATION:
		return "no_variation";
	case AGREEMENT_NOT_TWO:
		return "not_two_coders";
	}
	return NULL;
}

/* --- the coefficients ----------------------------------------------- */

enum msp_status
agreement_kappa_table(const unsigned long *cells, size_t k,
		      struct agreement_kappa *out, struct msp_error *err)
{
	unsigned long *rows = NULL, *cols = NULL, n = 0, diag = 0;
	double pe = 0;
	int constant = 0;
	enum msp_status rc = MSP_OK;
	size_t i, j;

	if (k < 2 || k > AGREEMENT_MAX_CATEGORIES)
		return msp_error_set(err, MSP_EINVAL, "kappa : %zu catégories "
				     "(2 à %d)", k, AGREEMENT_MAX_CATEGORIES);
	rows = msp_calloc(k, sizeof(*rows));
	cols = msp_calloc(k, sizeof(*cols));
	if (rows == NULL || cols == NULL) {
		rc = msp_error_set(err, MSP_ENOMEM, "mémoire épuisée");
		goto out;
	}
	for (i = 0; i < k; i++)
		for (j = 0; j < k; j++) {
			unsigned long c = cells[i * k + j];

			/* n + c, checked before it is formed */
			if ((double)c > EXACT_MAX - (double)n) {
				rc = msp_error_set(err, MSP_EINVAL, "kappa : "
						   "total au-delà de 2^53");
				goto out;
			}
			n += c;
			rows[i] += c;
			cols[j] += c;
			if (i == j)
				diag += c;
		}
	memset(out, 0, sizeof(*out));
	out->n = n;
	if (n == 0) {
		out->why = AGREEMENT_NO_PAIRS;
		goto out;
	}
	for (i = 0; i < k; i++) {
		/* p_e = Σ_i p1_i p2_i: a sum of products (QualCoder
		 * multiplies the terms instead) */
		pe += ((double)rows[i] / (double)n) *
		      ((double)cols[i] / (double)n);
		/* p_e = 1 exactly when both coders put every unit in the
		 * same one category: told from the counts, not from a
		 * floating-point comparison */
		constant |= rows[i] == n && cols[i] == n;
	}
	out->p_o = (double)diag / (double)n;
	out->p_e = pe;
	if (constant) {
		out->why = AGREEMENT_NO_VARIATION;
		goto out;
	}
	out->why = AGREEMENT_DEFINED;
	out->kappa = (out->p_o - pe) / (1 - pe);
out:
	msp_free(rows);
	msp_free(cols);
	return rc;
}

/*
 * α from what every formula of it needs (Krippendorff 2011, section
 * "C. Nominal data, any number of observers, missing values"):
 * n pairable values, the off-diagonal sum of the coincidence matrix
 * Σ_{c≠k} o_ck (obs) and Σ_{c≠k} n_c n_k = n² - Σ_c n_c² (exp).
 * D_o = obs / n, D_e = exp / (n (n - 1)), α = 1 - (n - 1) obs / exp.
 */
static void
alpha_finish(struct agreement_alpha *a, double obs, double exp)
{
	const double n = (double)a->values;

	a->d_o = a->d_e = 0;
	a->alpha = 0;
	if (a->units == 0) {
		a->why = AGREEMENT_NO_PAIRS;
		return;
	}
	a->d_o = obs / n;
	a->d_e = exp / (n * (n - 1));
	if (exp <= 0) {	/* exp is a sum of whole products: 0 or >= 1 */
		a->why = AGREEMENT_NO_VARIATION;
		return;
	}
	a->why = AGREEMENT_DEFINED;
	a->alpha = 1 - (n - 1) * obs / exp;
}

enum msp_status
agreement_alpha_nominal(const int *values, size_t units, size_t coders,
			size_t categories, struct agreement_alpha *out,
			struct msp_error *err)
{
	unsigned long *count = NULL, *total = NULL;
	int *seen = NULL;
	double obs = 0, exp, sq = 0, n;
	enum msp_status rc = MSP_OK;
	size_t u, c, m, n_seen;

	if (categories < 1 || categories > AGREEMENT_MAX_CATEGORIES ||
	    coders < 1 || coders > AGREEMENT_MAX_CODERS ||
	    units > AGREEMENT_MAX_UNITS)
		return msp_error_set(err, MSP_EINVAL, "alpha : %zu unités, "
				     "%zu codeurs, %zu catégories (au plus "
				     "%d, %d, %d)", units, coders, categories,
				     AGREEMENT_MAX_UNITS, AGREEMENT_MAX_CODERS,
				     AGREEMENT_MAX_CATEGORIES);
	count = msp_calloc(categories, sizeof(*count));
	total = msp_calloc(categories, sizeof(*total));
	seen = msp_calloc(coders, sizeof(*seen));
	if (count == NULL || total == NULL || seen == NULL) {
		rc = msp_error_set(err, MSP_ENOMEM, "mémoire épuisée");
		goto out;
	}
	memset(out, 0, sizeof(*out));
	for (u = 0; u < units; u++) {
		/* the unit's values by category: count[], over the
		 * categories seen[0 .. n_seen) */
		m = n_seen = 0;
		for (c = 0; c < coders; c++) {
			int v = values[u * coders + c];

			if (v == AGREEMENT_MISSING)
				continue;
			if (v < 0 || (size_t)v >= categories) {
				rc = msp_error_set(err, MSP_EINVAL, "alpha : "
						   "unité %zu, codeur %zu : "
						   "valeur %d hors de 0..%zu",
						   u + 1, c + 1, v,
						   categories - 1);
				goto out;
			}
			if (count[v]++ == 0)
				seen[n_seen++] = v;
			m++;
		}
		for (c = 0; c < n_seen; c++) {
			unsigned long k = count[seen[c]];

			/* a unit of m values adds to o_ck, c ≠ k, its
			 * n_uc n_uk / (m - 1): summed over k ≠ c that is
			 * n_uc (m - n_uc) / (m - 1) */
			if (m >= 2) {
				obs += (double)k * (double)(m - k) /
				       (double)(m - 1);
				total[seen[c]] += k;
			}
			count[seen[c]] = 0;
		}
		if (m >= 2) {
			out->units++;
			out->values += m;
		}
	}
	for (c = 0; c < categories; c++)
		sq += (double)total[c] * (double)total[c];
	n = (double)out->values;
	exp = n * n - sq;
	alpha_finish(out, obs, exp);
out:
	msp_free(count);
	msp_free(total);
	msp_free(seen);
	return rc;
}

/* --- the data set ------------------------------------------------------ */

/* Names, each once, in order of first appearance. */
struct names {
	char **v;
	size_t n, cap;
	uint32_t *slot;		/* index + 1, or 0 for a free slot */
	size_t n_slots;		/* a power of 2, at least twice n */
};

struct coding {
	uint32_t unit, coder, code;	/* code NO_CODE: coded, nothing more */
	uint32_t applied;
};

struct agreement {
	enum agreement_unit unit;
	struct names units, coders, codes;
	uint64_t *coded;	/* per unit: bit c, coder c coded it */
	size_t coded_cap;
	struct coding *codings;
	size_t n_codings, codings_cap;
};

/* FNV-1a: short names, no adversary that matters (the caller's data). */
static uint32_t
name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

static void
names_free(struct names *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		msp_free(t->v[i]);
	msp_free(t->v);
	msp_free(t->slot);
}

/* Doubles the slot table and places every name again. */
static enum msp_status
names_rehash(struct names *t, struct msp_error *err)
{
	size_t n_slots = t->n_slots == 0 ? 64 : t->n_slots * 2, i, s;
	uint32_t *slot = msp_calloc(n_slots, sizeof(*slot));

	if (slot == NULL)
		return msp_error_set(err, MSP_ENOMEM, "mémoire épuisée");
	for (i = 0; i < t->n; i++) {
		s = name_hash(t->v[i]) & (n_slots - 1);
		while (slot[s] != 0)
			s = (s + 1) & (n_slots - 1);
		slot[s] = (uint32_t)(i + 1);
	}
	msp_free(t->slot);
	t->slot = slot;
	t->n_slots = n_slots;
	return MSP_OK;
}

/*
 * The index of name in t, added when it is new and t holds fewer than
 * max names.  what names the kind for the messages.  Fails with
 * MSP_EINVAL (empty, too long, too many), MSP_ENOMEM.
 */
static enum msp_status
names_get(struct names *t, const char *name, size_t max, const char *what,
	  uint32_t *out, struct msp_error *err)
{
	size_t len = name == NULL ? 0 : strlen(name), s;
	enum msp_status rc;
	char *copy;

	if (len == 0 || len > AGREEMENT_MAX_NAME)
		return msp_error_set(err, MSP_EINVAL, "%s : nom vide ou de "
				     "plus de %d octets", what,
				     AGREEMENT_MAX_NAME);
	if (t->n_slots > 0) {
		s = name_hash(name) & (t->n_slots - 1);
		for (; t->slot[s] != 0; s = (s + 1) & (t->n_slots - 1))
			if (strcmp(t->v[t->slot[s] - 1], name) == 0) {
				*out = t->slot[s] - 1;
				return MSP_OK;
			}
	}
	if (t->n >= max)
		return msp_error_set(err, MSP_EINVAL, "plus de %zu %ss", max,
				     what);
	if (2 * (t->n + 1) > t->n_slots &&
	    (rc = names_rehash(t, err)) != MSP_OK)
		return rc;
	if (t->n == t->cap) {
		size_t cap = t->cap == 0 ? 16 : t->cap * 2;
		char **v = msp_realloc(t->v, cap * sizeof(*v));

		if (v == NULL)
			return msp_error_set(err, MSP_ENOMEM,
					     "mémoire épuisée");
		t->v = v;
		t->cap = cap;
	}
	copy = msp_strdup(name);
	if (copy == NULL)
		return msp_error_set(err, MSP_ENOMEM, "mémoire épuisée");
	t->v[t->n] = copy;
	s = name_hash(name) & (t->n_slots - 1);
	while (t->slot[s] != 0)
		s = (s + 1) & (t->n_slots - 1);
	t->slot[s] = (uint32_t)(t->n + 1);
	*out = (uint32_t)t->n++;
	return MSP_OK;
}

struct agreement *
agreement_new(enum agreement_unit unit)
{
	struct agreement *a = msp_calloc(1, sizeof(*a));

	if (a != NULL)
		a->unit = unit;
	return a;
}

void
agreement_free(struct agreement *a)
{
	if (a == NULL)
		return;
	names_free(&a->units);
	names_free(&a->coders);
	names_free(&a->codes);
	msp_free(a->coded);
	msp_free(a->codings);
	msp_free(a);
}

enum msp_status
agreement_add_code(struct agreement *a, const char *code,
		   struct msp_error *err)
{
	uint32_t k;

	return names_get(&a->codes, code, AGREEMENT_MAX_CODES, "code", &k,
			 err);
}

enum msp_status
agreement_add(struct agreement *a, const char *unit, const char *coder,
	      const char *code, int applied, struct msp_error *err)
{
	uint32_t u, c, k = NO_CODE;
	enum msp_status rc;

	if (applied != 0 && applied != 1)
		return msp_error_set(err, MSP_EINVAL, "appliqué vaut 0 ou 1, "
				     "pas %d", applied);
	if (code == NULL && applied)
		return msp_error_set(err, MSP_EINVAL, "un code appliqué doit "
				     "être nommé");
	if (a->n_codings >= AGREEMENT_MAX_CODINGS)
		return msp_error_set(err, MSP_EINVAL, "plus de %d codages",
				     AGREEMENT_MAX_CODINGS);
	if ((rc = names_get(&a->units, unit, AGREEMENT_MAX_UNITS, "unité",
			    &u, err)) != MSP_OK ||
	    (rc = names_get(&a->coders, coder, AGREEMENT_MAX_CODERS,
			    "codeur", &c, err)) != MSP_OK ||
	    (code != NULL && (rc = names_get(&a->codes, code,
					     AGREEMENT_MAX_CODES, "code", &k,
					     err)) != MSP_OK))
		return rc;
	if (u >= a->coded_cap) {
		size_t cap = a->coded_cap == 0 ? 64 : a->coded_cap;
		uint64_t *coded;

		/* u may be past twice the capacity: units named by calls
		 * that failed after naming them never grew the mask */
		while (cap <= u)
			cap *= 2;
		coded = msp_realloc(a->coded, cap * sizeof(*coded));
		if (coded == NULL)
			return msp_error_set(err, MSP_ENOMEM,
					     "mémoire épuisée");
		memset(coded + a->coded_cap, 0,
		       (cap - a->coded_cap) * sizeof(*coded));
		a->coded = coded;
		a->coded_cap = cap;
	}
	if (k != NO_CODE) {
		if (a->n_codings == a->codings_cap) {
			size_t cap = a->codings_cap == 0 ? 256 :
				     a->codings_cap * 2;
			struct coding *v = msp_realloc(a->codings,
						       cap * sizeof(*v));

			if (v == NULL)
				return msp_error_set(err, MSP_ENOMEM,
						     "mémoire épuisée");
			a->codings = v;
			a->codings_cap = cap;
		}
		a->codings[a->n_codings].unit = u;
		a->codings[a->n_codings].coder = c;
		a->codings[a->n_codings].code = k;
		a->codings[a->n_codings].applied = (uint32_t)applied;
		a->n_codings++;
	}
	a->coded[u] |= (uint64_t)1 << c;
	return MSP_OK;
}

/* --- the computation -------------------------------------------------- */

/* The coders who coded unit u (0 for a unit named by a failed call
 * only, whose mask was never grown). */
static uint64_t
coded_mask(const struct agreement *a, size_t u)
{
	return u < a->coded_cap ? a->coded[u] : 0;
}

/* Each unit's coded mask is small enough for a plain loop. */
static unsigned
popcount64(uint64_t x)
{
	unsigned n = 0;

	for (; x != 0; x &= x - 1)
		n++;
	return n;
}

static int
coding_cmp(const void *pa, const void *pb)
{
	const struct coding *a = pa, *b = pb;

	if (a->code != b->code)
		return a->code < b->code ? -1 : 1;
	if (a->unit != b->unit)
		return a->unit < b->unit ? -1 : 1;
	if (a->coder != b->coder)
		return a->coder < b->coder ? -1 : 1;
	return a->applied < b->applied ? -1 : a->applied > b->applied;
}

/* A disagreement while it is found: masks, made into marks at the end. */
struct pending {
	uint32_t unit, code;
	uint64_t coded, applied;
};

/* What agreement_compute() carries from code to code. */
struct pass {
	const struct agreement *a;
	struct coding *cd;	/* a's codings sorted by code, unit, coder */
	size_t pos;		/* the first of the next code's codings */
	/* the same for every code: who coded what */
	unsigned long pairable;	/* units coded by >= 2 coders */
	unsigned long values;	/* n: their values */
	unsigned long both;	/* two coders: units both coded */
	/* the disagreements found so far */
	struct pending *pend;
	size_t n_pend, pend_cap;
	/* Σ over the codes of Σ_{c≠k} o_ck and of Σ_{c≠k} n_c n_k */
	double obs_sum, exp_sum;
};

void
agreement_result_free(struct agreement_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	if (r->units != NULL)
		for (i = 0; i < r->n_units; i++)
			msp_free(r->units[i]);
	if (r->coders != NULL)
		for (i = 0; i < r->n_coders; i++)
			msp_free(r->coders[i]);
	if (r->codes != NULL)
		for (i = 0; i < r->n_codes; i++)
			msp_free(r->codes[i].name);
	msp_free(r->units);
	msp_free(r->coders);
	msp_free(r->codes);
	if (r->n_disagreements > 0)
		msp_free(r->disagreements[0].who);
	msp_free(r->disagreements);
	msp_free(r);
}

/* A copy of the n names of t into *out (NULL-filled first, so that a
 * failure half-way frees cleanly). */
static enum msp_status
copy_names(const struct names *t, char ***out, struct msp_error *err)
{
	char **v = msp_calloc(t->n == 0 ? 1 : t->n, sizeof(*v));
	size_t i;

	*out = v;
	if (v == NULL)
		return msp_error_set(err, MSP_ENOMEM, "mémoire épuisée");
	for (i = 0; i < t->n; i++)
		if ((v[i] = msp_strdup(t->v[i])) == NULL)
			return msp_error_set(err, MSP_ENOMEM,
					     "mémoire épuisée");
	return MSP_OK;
}

/* Appends a disagreement to p's list; MSP_ENOMEM. */
static enum msp_status
pending_add(struct pass *p, uint32_t unit, uint32_t code, uint64_t coded,
	    uint64_t applied, struct msp_error *err)
{
	if (p->n_pend == p->pend_cap) {
		size_t cap = p->pend_cap == 0 ? 64 : p->pend_cap * 2;
		struct pending *v = msp_realloc(p->pend, cap * sizeof(*v));

		if (v == NULL)
			return msp_error_set(err, MSP_ENOMEM,
					     "mémoire épuisée");
		p->pend = v;
		p->pend_cap = cap;
	}
	p->pend[p->n_pend].unit = unit;
	p->pend[p->n_pend].code = code;
	p->pend[p->n_pend].coded = coded;
	p->pend[p->n_pend].applied = applied;
	p->n_pend++;
	return MSP_OK;
}

/*
 * Code number code's coefficients into *out, from its codings at p->pos
 * on (p->pos then moves past them); its disagreements and α sums are
 * added to p.  Fails with MSP_EINVAL on a coding recorded both applied
 * and not, MSP_ENOMEM.
 */
static enum msp_status
code_compute(struct pass *p, uint32_t code, struct agreement_code *out,
	     struct msp_error *err)
{
	const struct agreement *a = p->a;
	const struct coding *cd = p->cd;
	const size_t n_cd = a->n_codings;
	unsigned long cells[4] = { 0, 0, 0, 0 }, n1 = 0;
	double obs = 0, exp, n = (double)p->values;
	size_t i = p->pos;
	enum msp_status rc;

	while (i < n_cd && cd[i].code == code) {
		const uint32_t u = cd[i].unit;
		const uint64_t coded = coded_mask(a, u);
		const unsigned m = popcount64(coded);
		uint64_t applied = 0;
		unsigned k;

		for (; i < n_cd && cd[i].code == code && cd[i].unit == u;
		     i++) {
			/* sorted: "applied" right after "not" */
			if (i + 1 < n_cd && cd[i + 1].code == code &&
			    cd[i + 1].unit == u &&
			    cd[i + 1].coder == cd[i].coder &&
			    cd[i + 1].applied != cd[i].applied)
				return msp_error_set(err, MSP_EINVAL, "unité "
					"« %s », codeur « %s », code « %s » : "
					"à la fois appliqué et non appliqué",
					a->units.v[u],
					a->coders.v[cd[i].coder],
					a->codes.v[code]);
			if (cd[i].applied)
				applied |= (uint64_t)1 << cd[i].coder;
		}
		if (m < 2 || applied == 0)
			continue;	/* not pairable, or all absent */
		k = popcount64(applied);
		n1 += k;
		/* Σ_{c≠k} o_ck of this unit: 2 a (m - a) / (m - 1) */
		obs += 2.0 * k * (m - k) / (m - 1);
		if (a->coders.n == 2 && m == 2)
			cells[applied == 3 ? 0 : applied == 1 ? 1 : 2]++;
		if (k < m && (rc = pending_add(p, u, code, coded, applied,
					       err)) != MSP_OK)
			return rc;
	}
	p->pos = i;
	out->applied = n1;
	out->alpha.units = p->pairable;
	out->alpha.values = p->values;
	/* Σ_{c≠k} n_c n_k = 2 n_0 n_1 for two categories */
	exp = 2.0 * (n - (double)n1) * (double)n1;
	alpha_finish(&out->alpha, obs, exp);
	p->obs_sum += obs;
	p->exp_sum += exp;
	if (a->coders.n != 2) {
		memset(&out->kappa, 0, sizeof(out->kappa));
		out->kappa.why = AGREEMENT_NOT_TWO;
		return MSP_OK;
	}
	/* category 0 applied, 1 not: the units neither coder applied it
	 * to are those both coded less the three other cells */
	cells[3] = p->both - cells[0] - cells[1] - cells[2];
	return agreement_kappa_table(cells, 2, &out->kappa, err);
}

/* The disagreements p found, as r's marks; MSP_ENOMEM. */
static enum msp_status
disagreements_finish(const struct pass *p, struct agreement_result *r,
		     struct msp_error *err)
{
	const size_t n_coders = p->a->coders.n;
	unsigned char *marks;
	size_t i, j;

	if (p->n_pend == 0)
		return MSP_OK;
	r->disagreements = msp_calloc(p->n_pend, sizeof(*r->disagreements));
	marks = msp_malloc(p->n_pend * n_coders);
	if (r->disagreements == NULL || marks == NULL) {
		msp_free(r->disagreements);
		r->disagreements = NULL;
		msp_free(marks);
		return msp_error_set(err, MSP_ENOMEM, "mémoire épuisée");
	}
	for (i = 0; i < p->n_pend; i++) {
		const struct pending *d = &p->pend[i];
		unsigned char *who = marks + i * n_coders;

		for (j = 0; j < n_coders; j++) {
			const uint64_t bit = (uint64_t)1 << j;

			who[j] = (d->applied & bit) ? AGREEMENT_APPLIED :
				 (d->coded & bit) ? AGREEMENT_ABSENT :
				 AGREEMENT_NOT_CODED;
		}
		r->disagreements[i].unit = d->unit;
		r->disagreements[i].code = d->code;
		r->disagreements[i].who = who;	/* [0]'s is the block */
	}
	r->n_disagreements = p->n_pend;
	return MSP_OK;
}

/* Overall κ: De Vries et al.'s pooled κ, Cohen's formula on the mean
 * p_o and the mean p_e of the codes. */
static void
kappa_pooled(const struct pass *p, struct agreement_result *r)
{
	double po = 0, pe = 0;
	int some_variation = 0;
	size_t i;

	memset(&r->kappa, 0, sizeof(r->kappa));
	if (p->a->coders.n != 2) {
		r->kappa.why = AGREEMENT_NOT_TWO;
		return;
	}
	if (p->both == 0) {
		r->kappa.why = AGREEMENT_NO_PAIRS;
		return;
	}
	for (i = 0; i < r->n_codes; i++) {
		po += r->codes[i].kappa.p_o;
		pe += r->codes[i].kappa.p_e;
		some_variation |= r->codes[i].kappa.why == AGREEMENT_DEFINED;
	}
	r->kappa.n = p->both;
	r->kappa.p_o = po / (double)r->n_codes;
	r->kappa.p_e = pe / (double)r->n_codes;
	/* the mean p_e is 1 exactly when every code's is */
	if (!some_variation) {
		r->kappa.why = AGREEMENT_NO_VARIATION;
		return;
	}
	r->kappa.why = AGREEMENT_DEFINED;
	r->kappa.kappa = (r->kappa.p_o - r->kappa.p_e) / (1 - r->kappa.p_e);
}

/* A result holding copies of a's names, the rest zero; MSP_ENOMEM. */
static enum msp_status
result_new(const struct agreement *a, struct agreement_result **out,
	   struct msp_error *err)
{
	struct agreement_result *r = msp_calloc(1, sizeof(*r));
	enum msp_status rc;
	size_t i;

	*out = NULL;
	if (r == NULL)
		return msp_error_set(err, MSP_ENOMEM, "mémoire épuisée");
	r->unit = a->unit;
	r->n_units = a->units.n;
	r->n_coders = a->coders.n;
	r->n_codes = a->codes.n;
	r->codes = msp_calloc(a->codes.n, sizeof(*r->codes));
	if (r->codes == NULL) {
		rc = msp_error_set(err, MSP_ENOMEM, "mémoire épuisée");
		goto fail;
	}
	if ((rc = copy_names(&a->units, &r->units, err)) != MSP_OK ||
	    (rc = copy_names(&a->coders, &r->coders, err)) != MSP_OK)
		goto fail;
	for (i = 0; i < a->codes.n; i++)
		if ((r->codes[i].name = msp_strdup(a->codes.v[i])) == NULL) {
			rc = msp_error_set(err, MSP_ENOMEM, "mémoire épuisée");
			goto fail;
		}
	*out = r;
	return MSP_OK;
fail:
	agreement_result_free(r);
	return rc;
}

enum msp_status
agreement_compute(const struct agreement *a, struct agreement_result **out,
		  struct msp_error *err)
{
	struct agreement_result *r = NULL;
	struct pass p;
	enum msp_status rc;
	unsigned m;
	size_t i;

	*out = NULL;
	if (a->codes.n == 0 || a->coders.n == 0)
		return msp_error_set(err, MSP_EINVAL, "aucun code ou aucun "
				     "codeur : rien à comparer");
	memset(&p, 0, sizeof(p));
	p.a = a;
	if ((rc = result_new(a, &r, err)) != MSP_OK)
		goto out;

	/* Who coded what: the same for every code. */
	for (i = 0; i < a->units.n; i++) {
		m = popcount64(coded_mask(a, i));
		if (m >= 2) {
			r->units_pairable++;
			p.values += m;
		} else if (m == 1) {
			r->units_single++;
		}
		p.both += a->coders.n == 2 && m == 2;
	}
	p.pairable = r->units_pairable;

	if (a->n_codings > 0) {
		p.cd = msp_malloc(a->n_codings * sizeof(*p.cd));
		if (p.cd == NULL) {
			rc = msp_error_set(err, MSP_ENOMEM, "mémoire épuisée");
			goto out;
		}
		memcpy(p.cd, a->codings, a->n_codings * sizeof(*p.cd));
		qsort(p.cd, a->n_codings, sizeof(*p.cd), coding_cmp);
	}
	for (i = 0; i < a->codes.n; i++)
		if ((rc = code_compute(&p, (uint32_t)i, &r->codes[i], err)) !=
		    MSP_OK)
			goto out;

	/* Overall α: the code sets' distance is the number of codes two
	 * values differ on, so D_o and D_e are the codes' sums. */
	r->alpha.units = p.pairable;
	r->alpha.values = p.values;
	alpha_finish(&r->alpha, p.obs_sum, p.exp_sum);
	kappa_pooled(&p, r);
	if ((rc = disagreements_finish(&p, r, err)) != MSP_OK)
		goto out;
	*out = r;
	r = NULL;
out:
	msp_free(p.pend);
	msp_free(p.cd);
	agreement_result_free(r);
	return rc;
}

/* --- sentences ----------------------------------------------------------- */

static int
is_space(uint32_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	       c == '\f' || c == '\v' || c == 0xA0 || c == 0x202F ||
	       c == 0x2009;
}

/* Closing marks a sentence's end may carry after its punctuation. */
static int
is_closing(uint32_t c)
{
	return c == 0xBB || c == '"' || c == ')' || c == 0x2019 ||
	       c == 0x201D;
}

/* Appends the sentence [start, last) to *b; -1 when out of memory. */
static int
push_sentence(size_t **b, size_t *nb, size_t *cap, size_t start,
	      size_t last)
{
	if (*nb + 2 > *cap) {
		size_t c = *cap ? 2 * *cap : 32, *g;

		g = msp_realloc(*b, c * sizeof(**b));
		if (g == NULL)
			return -1;
		*b = g;
		*cap = c;
	}
	(*b)[(*nb)++] = start;
	(*b)[(*nb)++] = last;
	return 0;
}

enum msp_status
agreement_sentences(const char *text, size_t **out, size_t *n,
		    struct msp_error *err)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t *b = NULL, cap = 0, nb = 0, ci, start = 0, last = 0, len;
	/* open: inside a sentence; terminal: its last mark was . ! ? …
	 * (closing marks after it kept); pending: white space followed
	 * it, so the next mark that is not a closing one starts anew */
	int open = 0, terminal = 0, pending = 0, failed = 0;

	*out = NULL;
	*n = 0;
	for (ci = 0; *p != '\0'; ci++, p += len) {
		uint32_t c = 0;

		len = utf8_decode(p, &c);
		if (len == 0) {
			msp_free(b);
			return msp_error_set(err, MSP_EINVAL, "phrases : texte "
					     "qui n'est pas de l'UTF-8 "
					     "(caractère %zu)", ci);
		}
		if (c == '\n' || is_space(c)) {
			if (open && c == '\n') {
				failed |= push_sentence(&b, &nb, &cap, start,
							last);
				open = terminal = pending = 0;
			} else if (open && terminal)
				pending = 1;
			continue;
		}
		if (open && pending) {
			if (is_closing(c)) {	/* « Non. » */
				last = ci + 1;
				continue;
			}
			failed |= push_sentence(&b, &nb, &cap, start, last);
			open = terminal = pending = 0;
		}
		if (!open) {
			open = 1;
			start = ci;
		}
		last = ci + 1;
		if (c == '.' || c == '!' || c == '?' || c == 0x2026)
			terminal = 1;
		else if (!is_closing(c))
			terminal = 0;
	}
	if (open)
		failed |= push_sentence(&b, &nb, &cap, start, last);
	if (failed) {
		msp_free(b);
		return msp_error_set(err, MSP_ENOMEM, "phrases");
	}
	*out = b;
	*n = nb / 2;
	return MSP_OK;
}
