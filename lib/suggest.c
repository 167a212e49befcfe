/*
 * suggest — codes to suggest for an uncoded open answer (suggest.h).
 *
 * Each code keeps two term counters of textfreq.c: the words of its
 * label and definition, and the texts coded with it so far.  Ranking
 * freezes them into arrays sorted by stem, so that scoring an answer is
 * one binary search per stem of the answer and code.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "report/textfreq.h"
#include "suggest.h"

/* Far above a study's terms: textfreq_top() takes a count. */
#define ALL_TERMS ((size_t)1 << 30)

/* A stem and how many texts coded with the code contain it. */
struct stem_count {
	const char *stem;	/* borrowed from the code's counter */
	unsigned long texts;
};

struct scode {
	char *code;
	struct textfreq *def;	/* label and definition */
	struct textfreq *coded;	/* earlier codings' texts */
	/* frozen by freeze(): sorted by stem */
	const char **def_stems;
	size_t ndef;
	struct stem_count *coded_stems;
	size_t ncoded;
	unsigned long ntexts;	/* n_c */
};

struct suggest {
	struct scode *codes;
	size_t n, cap;
	int frozen;
	struct suggest_hit *scratch;	/* n, while ranking */
};

struct suggest *
suggest_new(void)
{
	return msp_calloc(1, sizeof(struct suggest));
}

void
suggest_free(struct suggest *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		msp_free(s->codes[i].code);
		textfreq_free(s->codes[i].def);
		textfreq_free(s->codes[i].coded);
		msp_free(s->codes[i].def_stems);
		msp_free(s->codes[i].coded_stems);
	}
	msp_free(s->codes);
	msp_free(s->scratch);
	msp_free(s);
}

static struct scode *
find(struct suggest *s, const char *code)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->codes[i].code, code) == 0)
			return &s->codes[i];
	return NULL;
}

enum msp_status
suggest_add_code(struct suggest *s, const char *code, const char *label,
		 const char *definition, struct msp_error *err)
{
	struct scode *c;
	enum msp_status st;

	if (s->frozen)
		return msp_error_set(err, MSP_EINVAL, "suggestions : codes "
				     "ajoutés après le classement");
	if (find(s, code) != NULL)
		return msp_error_set(err, MSP_EINVAL, "suggestions : code "
				     "« %s » déclaré deux fois", code);
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		struct scode *g = msp_realloc(s->codes, cap * sizeof(*g));

		if (g == NULL)
			return msp_error_set(err, MSP_ENOMEM, "suggestions");
		s->codes = g;
		s->cap = cap;
	}
	c = &s->codes[s->n];
	memset(c, 0, sizeof(*c));
	c->code = msp_strdup(code);
	c->def = textfreq_new();
	c->coded = textfreq_new();
	if (c->code == NULL || c->def == NULL || c->coded == NULL) {
		msp_free(c->code);
		textfreq_free(c->def);
		textfreq_free(c->coded);
		return msp_error_set(err, MSP_ENOMEM, "suggestions");
	}
	s->n++;
	/* label and definition as one text: a stem counts once */
	if ((st = textfreq_add(c->def, label, 1, err)) != MSP_OK ||
	    (st = textfreq_add(c->def, definition, 1, err)) != MSP_OK)
		return st;
	return MSP_OK;
}

enum msp_status
suggest_add_coded(struct suggest *s, const char *code, const char *text,
		  struct msp_error *err)
{
	struct scode *c;

	if (s->frozen)
		return msp_error_set(err, MSP_EINVAL, "suggestions : codage "
				     "ajouté après le classement");
	if ((c = find(s, code)) == NULL)
		return msp_error_set(err, MSP_EINVAL, "suggestions : code "
				     "« %s » inconnu", code);
	return textfreq_add(c->coded, text, 1, err);
}

static int
cmp_stem(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
cmp_count(const void *a, const void *b)
{
	return strcmp(((const struct stem_count *)a)->stem,
		      ((const struct stem_count *)b)->stem);
}

/* Fills c's sorted arrays from its counters; -1 when out of memory. */
static int
freeze_code(struct scode *c)
{
	const struct textfreq_term *t = NULL;
	size_t i, n;

	n = textfreq_top(c->def, ALL_TERMS, &t);
	if (n > 0) {
		if ((c->def_stems = msp_calloc(n, sizeof(char *))) == NULL)
			return -1;
		for (i = 0; i < n; i++)
			c->def_stems[i] = t[i].stem;
		qsort(c->def_stems, n, sizeof(char *), cmp_stem);
		c->ndef = n;
	}
	c->ntexts = textfreq_answers(c->coded);
	n = textfreq_top(c->coded, ALL_TERMS, &t);
	if (n > 0) {
		c->coded_stems = msp_calloc(n, sizeof(struct stem_count));
		if (c->coded_stems == NULL)
			return -1;
		for (i = 0; i < n; i++) {
			c->coded_stems[i].stem = t[i].stem;
			/* texts were added one by one, weight 1: answers
			 * is the number of texts that contain the stem */
			c->coded_stems[i].texts = t[i].answers;
		}
		qsort(c->coded_stems, n, sizeof(struct stem_count),
		      cmp_count);
		c->ncoded = n;
	}
	return 0;
}

/* D_c(stem) + F_c(stem). */
static double
stem_score(const struct scode *c, const char *stem)
{
	struct stem_count key = { stem, 0 }, *k;
	double v = 0;

	if (c->ndef > 0 && bsearch(&stem, c->def_stems, c->ndef,
				   sizeof(char *), cmp_stem) != NULL)
		v += 1;
	if (c->ntexts > 0 && c->ncoded > 0 &&
	    (k = bsearch(&key, c->coded_stems, c->ncoded,
			 sizeof(struct stem_count), cmp_count)) != NULL)
		v += (double)k->texts / (double)c->ntexts;
	return v;
}

static int
cmp_hit(const void *a, const void *b)
{
	const struct suggest_hit *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return strcmp(x->code, y->code);
}

enum msp_status
suggest_rank(struct suggest *s, const char *text, struct suggest_hit *hits,
	     size_t max, size_t *n, struct msp_error *err)
{
	const struct textfreq_term *t = NULL;
	struct textfreq *tf = NULL;
	enum msp_status st = MSP_OK;
	double best[SUGGEST_WORDS];
	size_t i, j, k, nt, nh = 0;

	*n = 0;
	if (!s->frozen) {
		for (i = 0; i < s->n; i++)
			if (freeze_code(&s->codes[i]) != 0)
				return msp_error_set(err, MSP_ENOMEM,
						     "suggestions");
		if (s->n > 0 && (s->scratch = msp_calloc(s->n,
		    sizeof(struct suggest_hit))) == NULL)
			return msp_error_set(err, MSP_ENOMEM, "suggestions");
		s->frozen = 1;
	}
	if ((tf = textfreq_new()) == NULL)
		return msp_error_set(err, MSP_ENOMEM, "suggestions");
	if ((st = textfreq_add(tf, text, 1, err)) != MSP_OK)
		goto out;
	nt = textfreq_top(tf, ALL_TERMS, &t);
	for (i = 0; i < s->n; i++) {
		struct suggest_hit *h = &s->scratch[nh];

		memset(h, 0, sizeof(*h));
		h->code = s->codes[i].code;
		for (j = 0; j < nt; j++) {
			double v = stem_score(&s->codes[i], t[j].stem);

			if (v <= 0)
				continue;
			h->score += v;
			/* keep the SUGGEST_WORDS stems that scored most,
			 * best first (ties: by stem) */
			for (k = h->nwords; k > 0 && (best[k - 1] < v ||
			     (best[k - 1] == v && strcmp(h->words[k - 1],
			      t[j].stem) > 0)); k--)
				if (k < SUGGEST_WORDS) {
					best[k] = best[k - 1];
					h->words[k] = h->words[k - 1];
				}
			if (k < SUGGEST_WORDS) {
				best[k] = v;
				h->words[k] = t[j].stem;
				if (h->nwords < SUGGEST_WORDS)
					h->nwords++;
			}
		}
		if (h->score > 0)
			nh++;
	}
	if (nh > 1)	/* no codes: no scratch array to sort */
		qsort(s->scratch, nh, sizeof(struct suggest_hit), cmp_hit);
	for (i = 0; i < nh && i < max; i++)
		hits[i] = s->scratch[i];
	*n = i;
out:
	/* the hits' words are the answer's stems: keep them in the codes'
	 * frozen arrays' terms instead, which outlive tf */
	for (i = 0; i < *n; i++) {
		const struct scode *c = find(s, hits[i].code);

		for (k = 0; c != NULL && k < hits[i].nwords; k++) {
			const char **d = c->ndef > 0 ?
				bsearch(&hits[i].words[k], c->def_stems,
					c->ndef, sizeof(char *), cmp_stem) :
				NULL;
			struct stem_count key = { hits[i].words[k], 0 }, *e;

			if (d != NULL) {
				hits[i].words[k] = *d;
				continue;
			}
			e = bsearch(&key, c->coded_stems, c->ncoded,
				    sizeof(struct stem_count), cmp_count);
			if (e == NULL)
				break;
			hits[i].words[k] = e->stem;
		}
		/* cannot happen (a stem scored because the code's definition
		 * or codings hold it): drop what would point into tf */
		if (c == NULL)
			k = 0;
		hits[i].nwords = k;
	}
	textfreq_free(tf);
	return st;
}
