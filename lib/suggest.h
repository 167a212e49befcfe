/*
 * suggest — codes to suggest for an uncoded open answer, from the
 * codebook's words and from the answers already coded (issue 22, item
 * 7).  A suggestion is never a coding: msp-report code suggest prints
 * them, and an analyst accepts one (code apply --from-suggestion) or
 * not.  No database: the caller hands in the codes and earlier codings.
 *
 * Words are those of lib/report/textfreq.c: case and accents folded,
 * French function words left out, light plural stemming (« patients »
 * and « patient » are one stem).  For an answer a whose set of stems is
 * S(a), and a code c, the score is
 *
 *     score(a, c) = Σ_{s ∈ S(a)} ( D_c(s) + F_c(s) )
 *
 *   D_c(s) = 1 when s is a stem of c's label or definition, else 0;
 *   F_c(s) = n_c(s) / n_c, where n_c is the number of texts coded c so
 *            far (each coding's passage, or the whole answer) and n_c(s)
 *            how many of them contain s (0 when n_c = 0).
 *
 * Each stem of the answer counts once, at most 2 (in the definition and
 * in every earlier coding).  The codes with a score above 0 are
 * suggested, best first (ties by key), with the stems that scored.
 * docs/coding.md has an example worked by hand, which check_codework
 * checks.
 */
#ifndef MSP_SUGGEST_H
#define MSP_SUGGEST_H

#include <stddef.h>

#include "msp_error.h"

/* Stems listed per suggestion (the best first). */
#define SUGGEST_WORDS 5

struct suggest;

/* One suggested code: borrowed from the struct suggest. */
struct suggest_hit {
	const char *code;
	double score;
	size_t nwords;
	const char *words[SUGGEST_WORDS];	/* the stems that scored most */
};

/* A new, empty set of codes; NULL when out of memory. */
struct suggest *suggest_new(void);

/* Frees s; NULL is allowed. */
void suggest_free(struct suggest *s);

/*
 * Declares code (its key) with its label and definition (either may be
 * "").  Fails with MSP_EINVAL when the code is already declared, a text
 * is not UTF-8, or suggest_rank() was already called; MSP_ENOMEM.
 */
enum msp_status suggest_add_code(struct suggest *s, const char *code,
				 const char *label, const char *definition,
				 struct msp_error *err);

/*
 * Adds an earlier coding: text (a passage or a whole answer) was coded
 * code.  Fails with MSP_EINVAL for an undeclared code, a text that is
 * not UTF-8, or after suggest_rank(); MSP_ENOMEM.
 */
enum msp_status suggest_add_coded(struct suggest *s, const char *code,
				  const char *text, struct msp_error *err);

/*
 * The codes to suggest for text, best first, into hits (at most max;
 * *n says how many).  Their strings are borrowed from s until
 * suggest_free().  The first call freezes s (no more codes or
 * codings).  Fails with MSP_EINVAL when text is not UTF-8, MSP_ENOMEM.
 */
enum msp_status suggest_rank(struct suggest *s, const char *text,
			     struct suggest_hit *hits, size_t max,
			     size_t *n, struct msp_error *err);

#endif
