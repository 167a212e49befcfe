/*
 * textfreq — term frequencies of French open answers.
 *
 * The Occitanie report describes open items by their most frequent
 * terms (« patients », « personne » for "what is a usager").  Terms are
 * counted the way a reader would: case and accents folded (« Équipe »
 * and « equipe » are one term), French function words left out, and a
 * light plural stemming (« patients » and « patient » are one term; a
 * term is shown in its most frequent written form).
 *
 * Answers arrive already grouped by the database (identical answers
 * with their count), so the counter never holds respondents' rows.
 */
#ifndef MSP_TEXTFREQ_H
#define MSP_TEXTFREQ_H

#include <stddef.h>

#include "buf.h"
#include "msp_error.h"

/* Longest term kept, in bytes; longer runs of letters are cut. */
#define TEXTFREQ_MAX_TERM 64

/*
 * Appends to out the folded form of UTF-8 text s: ASCII letters lower
 * case, Latin-1 accented letters without their accent (é -> e, ß -> ss),
 * œ/æ -> oe/ae; every other byte unchanged.  Used to compare names
 * ("Pays-de-la-Loire", "pays de la loire") and terms.  Failure is the
 * buffer's (buf_status()).
 */
void textfreq_fold(const char *s, struct buf *out);

/*
 * "pays-de-la-loire" from "Pays de la Loire": folded, every run of
 * characters other than [a-z0-9] replaced by one hyphen, no hyphen at
 * either end.  The shape of a region's or a study's slug.
 */
void textfreq_slugify(const char *s, struct buf *out);

/* Nonzero when folded word w is a French function word. */
int textfreq_is_stop_word(const char *w);

/*
 * Stems folded word w in place: plural -s / -x dropped ("patients" ->
 * "patient", "bureaux" -> "bureau"), -aux -> -al ("locaux" -> "local"),
 * words that end in -s in the singular ("temps", "fois", "avis") kept.
 */
void textfreq_stem(char *w);

struct textfreq;

struct textfreq_term {
	const char *term;	/* the most frequent written form (lower
				 * case, accents kept) */
	const char *stem;	/* what was counted: folded and stemmed */
	unsigned long occurrences;	/* times the term was written */
	unsigned long answers;		/* answers that contain it */
};

/* A new, empty counter, or NULL when out of memory. */
struct textfreq *textfreq_new(void);

/* Frees tf; NULL is allowed. */
void textfreq_free(struct textfreq *tf);

/*
 * Counts the terms of one answer text that weight respondents gave
 * word for word.  Fails with MSP_ENOMEM (the counts are then
 * incomplete) or MSP_EINVAL when text is not UTF-8.
 */
enum msp_status textfreq_add(struct textfreq *tf, const char *text,
			     unsigned long weight, struct msp_error *err);

/*
 * Counts one word that the database split out of the answers: written
 * occurrences times, in answers answers.  The word is folded, filtered
 * and stemmed as by textfreq_add; a leading or trailing hyphen is
 * dropped.  Answers are summed over the written forms of a term, so an
 * answer that writes a term two ways (« patient », « patients ») counts
 * twice there.  Fails like textfreq_add.
 */
enum msp_status textfreq_add_word(struct textfreq *tf, const char *word,
				  unsigned long occurrences,
				  unsigned long answers,
				  struct msp_error *err);

/* The number of answers added (with their weights). */
unsigned long textfreq_answers(const struct textfreq *tf);

/*
 * The n most frequent terms, most frequent first (ties: by stem), in
 * *out (borrowed from tf, valid until the next textfreq_add or
 * textfreq_free).  Returns how many (at most n); 0 with *out NULL when
 * out of memory or empty.
 */
size_t textfreq_top(struct textfreq *tf, size_t n,
		    const struct textfreq_term **out);

#endif
