/*
 * textfreq — term frequencies of French open answers (see textfreq.h).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "textfreq.h"
#include "utf8.h"

/*
 * Folding of U+00C0..U+00FF (Latin-1 letters), indexed by code point
 * minus 0xC0: upper and lower case fold alike; × and ÷ are not letters
 * (NULL).
 */
static const char *const latin1_fold[64] = {
	"a", "a", "a", "a", "a", "a", "ae", "c",	/* À..Ç */
	"e", "e", "e", "e", "i", "i", "i", "i",		/* È..Ï */
	"d", "n", "o", "o", "o", "o", "o", NULL,	/* Ð..× */
	"o", "u", "u", "u", "u", "y", "th", "ss",	/* Ø..ß */
	"a", "a", "a", "a", "a", "a", "ae", "c",	/* à..ç */
	"e", "e", "e", "e", "i", "i", "i", "i",		/* è..ï */
	"d", "n", "o", "o", "o", "o", "o", NULL,	/* ð..÷ */
	"o", "u", "u", "u", "u", "y", "th", "y",	/* ø..ÿ */
};

/* The folded ASCII of a letter code point, or NULL if not a letter. */
static const char *
fold_letter(uint32_t cp, char ascii[2])
{
	if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z')) {
		ascii[0] = (char)(cp | 0x20);
		ascii[1] = '\0';
		return ascii;
	}
	if (cp >= 0xC0 && cp <= 0xFF)
		return latin1_fold[cp - 0xC0];
	if (cp == 0x152 || cp == 0x153)		/* Œ œ */
		return "oe";
	return NULL;
}

void
textfreq_fold(const char *s, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	char ascii[2];
	uint32_t cp;
	size_t n;

	while (*p != '\0') {
		const char *f;

		n = utf8_decode(p, &cp);
		if (n == 0) {
			buf_putc(out, (char)*p++);
			continue;
		}
		f = fold_letter(cp, ascii);
		if (f != NULL)
			buf_puts(out, f);
		else
			buf_append(out, p, n);
		p += n;
	}
}

void
textfreq_slugify(const char *s, struct buf *out)
{
	struct buf folded = BUF_INIT(BUF_MAX_TEXT);
	const char *p;
	int pending = 0;
	size_t start = out->len;

	textfreq_fold(s, &folded);
	if (folded.failed) {
		buf_free(&folded);
		/* make out failed too: the caller checks out only */
		out->failed = 1;
		return;
	}
	for (p = buf_str(&folded); *p != '\0'; p++) {
		int keep = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9');

		if (!keep) {
			pending = 1;
			continue;
		}
		if (pending && out->len > start)
			buf_putc(out, '-');
		pending = 0;
		buf_putc(out, *p);
	}
	buf_free(&folded);
}

/* French function words, folded, sorted for bsearch. */
static const char *const stop_words[] = {
	"abord", "afin", "ai", "ainsi", "alors", "au", "aucun", "aucune",
	"aupres", "aussi", "autre", "autres", "aux", "avec", "avoir",
	"beaucoup", "bien", "ca", "car", "ce", "ceci", "cela", "celle",
	"celles", "celui", "ces", "cet", "cette", "ceux", "chaque", "chez",
	"comme", "comment", "dans", "de", "des", "deux", "doit", "donc",
	"dont", "du", "elle", "elles", "en", "encore", "entre", "est", "et",
	"etaient", "etait", "etc", "ete", "etre", "eu", "faire", "fait", "il",
	"ils", "je", "jusqu", "la", "le", "les", "leur", "leurs", "lors",
	"lui", "ma", "mais", "me", "meme", "memes", "mes", "moi", "mon", "ne",
	"ni", "non", "nos", "notre", "nous", "on", "ont", "or", "ou", "oui",
	"par", "parce", "pas", "peu", "peut", "plus", "pour", "pourquoi",
	"qu", "quand", "que", "quel", "quelle", "quelles", "quels", "qui",
	"quoi", "sa", "sait", "sans", "se", "selon", "sera", "ses", "si",
	"soit", "son", "sont", "sous", "sur", "ta", "te", "tel", "telle",
	"tes", "toi", "ton", "tous", "tout", "toute", "toutes", "tres", "tu",
	"un", "une", "vers", "via", "vos", "votre", "vous",
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
textfreq_is_stop_word(const char *w)
{
	/* one letter ("l'", "d'", "a", "y"): never a term */
	if (w[0] == '\0' || w[1] == '\0')
		return 1;
	return bsearch(&w, stop_words, sizeof(stop_words) /
		       sizeof(stop_words[0]), sizeof(stop_words[0]),
		       cmp_str) != NULL;
}

/* Words whose singular ends in -s or -x: never stripped.  Sorted. */
static const char *const invariable[] = {
	"avis", "bras", "cas", "choix", "corps", "dos", "fois", "gros",
	"jamais", "moins", "pays", "poids", "prix", "processus", "puis",
	"refus", "temps", "toujours", "voix",
};

void
textfreq_stem(char *w)
{
	size_t n = strlen(w);

	if (n <= 3 || bsearch(&w, invariable, sizeof(invariable) /
			      sizeof(invariable[0]), sizeof(invariable[0]),
			      cmp_str) != NULL)
		return;
	if (n > 4 && strcmp(w + n - 3, "aux") == 0) {
		/* locaux -> local; but eaux -> eau (bureaux) */
		if (w[n - 4] == 'e')
			w[n - 1] = '\0';
		else
			memcpy(w + n - 3, "al", 3);	/* with its NUL */
		return;
	}
	if (w[n - 1] == 'x') {
		/* -eux is mostly singular (nombreux, mieux): kept */
		if (w[n - 2] == 'u' && w[n - 3] == 'a')
			w[n - 1] = '\0';
		return;
	}
	/* -ss, -us, -is are mostly singular (stress, virus, avis) */
	if (w[n - 1] == 's' && w[n - 2] != 's' && w[n - 2] != 'u' &&
	    w[n - 2] != 'i')
		w[n - 1] = '\0';
}

/* --- the counter --------------------------------------------------------- */

struct form {
	char *text;
	unsigned long count;
};

struct entry {
	char *stem;
	struct form *forms;
	size_t nforms;
	unsigned long occurrences, answers;
	unsigned long last_answer;	/* answer number that last counted */
};

struct textfreq {
	struct entry **slots;	/* open addressing, power-of-two size */
	size_t nslots, nentries;
	unsigned long nanswers;	/* answers added (weighted) */
	unsigned long answer_no;	/* distinct answer texts added */
	struct textfreq_term *top;
};

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 14695981039346656037u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

struct textfreq *
textfreq_new(void)
{
	struct textfreq *tf = calloc(1, sizeof(*tf));

	if (tf == NULL)
		return NULL;
	tf->nslots = 256;
	tf->slots = calloc(tf->nslots, sizeof(*tf->slots));
	if (tf->slots == NULL) {
		free(tf);
		return NULL;
	}
	return tf;
}

static void
entry_free(struct entry *e)
{
	size_t i;

	if (e == NULL)
		return;
	for (i = 0; i < e->nforms; i++)
		free(e->forms[i].text);
	free(e->forms);
	free(e->stem);
	free(e);
}

void
textfreq_free(struct textfreq *tf)
{
	size_t i;

	if (tf == NULL)
		return;
	for (i = 0; i < tf->nslots; i++)
		entry_free(tf->slots[i]);
	free(tf->slots);
	free(tf->top);
	free(tf);
}

/* Doubles the table; -1 when out of memory (the table is unchanged). */
static int
rehash(struct textfreq *tf)
{
	size_t i, n = tf->nslots * 2;
	struct entry **slots;

	if (n > SIZE_MAX / sizeof(*slots))
		return -1;
	slots = calloc(n, sizeof(*slots));
	if (slots == NULL)
		return -1;
	for (i = 0; i < tf->nslots; i++) {
		struct entry *e = tf->slots[i];
		size_t k;

		if (e == NULL)
			continue;
		for (k = fnv1a(e->stem) & (n - 1); slots[k] != NULL;
		     k = (k + 1) & (n - 1))
			;
		slots[k] = e;
	}
	free(tf->slots);
	tf->slots = slots;
	tf->nslots = n;
	return 0;
}

/* The entry for stem, created if new; NULL when out of memory. */
static struct entry *
lookup(struct textfreq *tf, const char *stem)
{
	size_t k;
	struct entry *e;

	if ((tf->nentries + 1) * 10 > tf->nslots * 7 && rehash(tf) != 0)
		return NULL;
	for (k = fnv1a(stem) & (tf->nslots - 1); tf->slots[k] != NULL;
	     k = (k + 1) & (tf->nslots - 1))
		if (strcmp(tf->slots[k]->stem, stem) == 0)
			return tf->slots[k];
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	e->stem = strdup(stem);
	if (e->stem == NULL) {
		free(e);
		return NULL;
	}
	tf->slots[k] = e;
	tf->nentries++;
	return e;
}

/* Counts written form text of e; -1 when out of memory. */
static int
add_form(struct entry *e, const char *text, unsigned long weight)
{
	struct form *forms;
	size_t i;

	for (i = 0; i < e->nforms; i++)
		if (strcmp(e->forms[i].text, text) == 0) {
			e->forms[i].count += weight;
			return 0;
		}
	forms = realloc(e->forms, (e->nforms + 1) * sizeof(*forms));
	if (forms == NULL)
		return -1;
	e->forms = forms;
	forms[e->nforms].text = strdup(text);
	if (forms[e->nforms].text == NULL)
		return -1;
	forms[e->nforms++].count = weight;
	return 0;
}

/*
 * Lower-cases a written form: ASCII, and Latin-1 capitals (U+00C0 to
 * U+00DE but ×), whose lower case is 0x20 further in the second byte.
 */
static void
lower_form(char *s)
{
	unsigned char *p = (unsigned char *)s;

	for (; *p != '\0'; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p |= 0x20;
		else if (*p == 0xC3 && p[1] >= 0x80 && p[1] <= 0x9E &&
			 p[1] != 0x97)
			p[1] += 0x20, p++;
		else if (*p == 0xC5 && p[1] == 0x92)	/* Œ */
			p[1] = 0x93, p++;
	}
}

/*
 * Counts one word: written (UTF-8) and folded forms, written
 * occurrences times in answers answers; an answer already counted for
 * this term (same answer_no) is not counted again.
 */
static enum msp_status
count_word(struct textfreq *tf, char *written, char *folded,
	   unsigned long occurrences, unsigned long answers,
	   struct msp_error *err)
{
	struct entry *e;

	if (textfreq_is_stop_word(folded))
		return MSP_OK;
	textfreq_stem(folded);
	e = lookup(tf, folded);
	lower_form(written);
	if (e == NULL || add_form(e, written, occurrences) != 0)
		return msp_error_set(err, MSP_ENOMEM,
				     "term frequencies: out of memory");
	e->occurrences += occurrences;
	if (e->last_answer != tf->answer_no) {
		e->last_answer = tf->answer_no;
		e->answers += answers;
	}
	return MSP_OK;
}

enum msp_status
textfreq_add(struct textfreq *tf, const char *text, unsigned long weight,
	     struct msp_error *err)
{
	const unsigned char *p = (const unsigned char *)text;
	/* a term: its written bytes and its folded letters */
	char written[TEXTFREQ_MAX_TERM * 4 + 1], folded[TEXTFREQ_MAX_TERM + 1];
	size_t wlen = 0, flen = 0;
	enum msp_status st = MSP_OK;

	free(tf->top);
	tf->top = NULL;
	tf->answer_no++;
	tf->nanswers += weight;
	for (;;) {
		char ascii[2];
		const char *f = NULL;
		uint32_t cp = 0;
		size_t n = 0;

		if (*p != '\0') {
			n = utf8_decode(p, &cp);
			if (n == 0)
				return msp_error_set(err, MSP_EINVAL,
						     "term frequencies: "
						     "text is not UTF-8");
			f = fold_letter(cp, ascii);
			/* a hyphen between letters belongs to the word
			 * (« peut-être », « co-construction ») */
			if (f == NULL && cp == '-' && flen > 0) {
				uint32_t next;

				if (utf8_decode(p + 1, &next) > 0 &&
				    fold_letter(next, ascii) != NULL)
					f = "-";
			}
		}
		if (f != NULL) {
			size_t fl = strlen(f);

			if (flen + fl <= TEXTFREQ_MAX_TERM &&
			    wlen + n < sizeof(written)) {
				memcpy(folded + flen, f, fl);
				flen += fl;
				memcpy(written + wlen, p, n);
				wlen += n;
			}
			p += n;
			continue;
		}
		if (flen > 0) {
			written[wlen] = '\0';
			folded[flen] = '\0';
			st = count_word(tf, written, folded, weight, weight,
					err);
			if (st != MSP_OK)
				return st;
			wlen = flen = 0;
		}
		if (*p == '\0')
			break;
		p += n;
	}
	return MSP_OK;
}

enum msp_status
textfreq_add_word(struct textfreq *tf, const char *word,
		  unsigned long occurrences, unsigned long answers,
		  struct msp_error *err)
{
	const unsigned char *p = (const unsigned char *)word;
	char written[TEXTFREQ_MAX_TERM * 4 + 1], folded[TEXTFREQ_MAX_TERM + 1];
	size_t wlen = 0, flen = 0;

	free(tf->top);
	tf->top = NULL;
	/* each word arrives once: its answers are its own */
	tf->answer_no++;
	while (*p != '\0') {
		char ascii[2];
		const char *f;
		uint32_t cp;
		size_t n = utf8_decode(p, &cp), fl;

		if (n == 0)
			return msp_error_set(err, MSP_EINVAL,
					     "term frequencies: text is not "
					     "UTF-8");
		f = fold_letter(cp, ascii);
		if (f == NULL && cp == '-' && flen > 0 && p[1] != '\0' &&
		    p[1] != '-')
			f = "-";	/* inner hyphen only */
		if (f != NULL && flen + (fl = strlen(f)) <= TEXTFREQ_MAX_TERM &&
		    wlen + n < sizeof(written)) {
			memcpy(folded + flen, f, fl);
			flen += fl;
			memcpy(written + wlen, p, n);
			wlen += n;
		}
		p += n;
	}
	if (flen == 0)
		return MSP_OK;
	written[wlen] = '\0';
	folded[flen] = '\0';
	return count_word(tf, written, folded, occurrences, answers, err);
}

unsigned long
textfreq_answers(const struct textfreq *tf)
{
	return tf->nanswers;
}

static int
cmp_term(const void *a, const void *b)
{
	const struct textfreq_term *x = a, *y = b;

	if (x->occurrences != y->occurrences)
		return x->occurrences > y->occurrences ? -1 : 1;
	return strcmp(x->stem, y->stem);
}

size_t
textfreq_top(struct textfreq *tf, size_t n,
	     const struct textfreq_term **out)
{
	size_t i, k = 0;

	*out = NULL;
	free(tf->top);
	tf->top = NULL;
	if (tf->nentries == 0)
		return 0;
	tf->top = malloc(tf->nentries * sizeof(*tf->top));
	if (tf->top == NULL)
		return 0;
	for (i = 0; i < tf->nslots; i++) {
		struct entry *e = tf->slots[i];
		size_t j, best = 0;

		if (e == NULL)
			continue;
		/* the most frequent written form; ties: the first met */
		for (j = 1; j < e->nforms; j++)
			if (e->forms[j].count > e->forms[best].count)
				best = j;
		tf->top[k].term = e->forms[best].text;
		tf->top[k].stem = e->stem;
		tf->top[k].occurrences = e->occurrences;
		tf->top[k].answers = e->answers;
		k++;
	}
	qsort(tf->top, k, sizeof(*tf->top), cmp_term);
	*out = tf->top;
	return k < n ? k : n;
}
