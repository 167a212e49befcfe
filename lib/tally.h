/*
 * tally — counts keyed by (item, kind, value), for the running totals
 * msp-report generate writes beside the rows it loads (msp.answer_tally
 * and msp.word_tally, migration 0014).
 *
 * An open-addressing hash table that grows as needed; keys are small
 * integers (an item's index, an option's index, a number in 1/scale
 * units, a word's index), so nothing is copied or owned but the table.
 */
#ifndef MSP_TALLY_H
#define MSP_TALLY_H

#include <stddef.h>
#include <stdint.h>

enum tally_kind {
	TALLY_OPTION = 1,	/* value: the option's index */
	TALLY_BOOL,		/* value: 1 true, 0 false */
	TALLY_NUMBER,		/* value: the number in 1/scale units */
	TALLY_TEXT,		/* an open answer; value 0 */
	TALLY_RESPONDENT,	/* a response that answered; value 0 */
	TALLY_WORD,		/* occurrences of word index value */
	TALLY_WORD_ANSWER,	/* answers that write word index value */
};

struct tally_entry {
	int64_t value;
	int64_t n;
	uint32_t item;
	unsigned char kind;	/* enum tally_kind; 0: an empty slot */
};

struct tally {
	struct tally_entry *slots;	/* cap of them; kind 0 when free */
	size_t cap, len;
};

#define TALLY_INIT { NULL, 0, 0 }

/* Adds n to the count of (item, kind, value).  Returns 0, or -1 when
 * memory ran out (the table is then unchanged). */
int tally_add(struct tally *t, uint32_t item, enum tally_kind kind,
	      int64_t value, int64_t n);

/* The count of (item, kind, value): 0 when it was never added to. */
int64_t tally_get(const struct tally *t, uint32_t item,
		  enum tally_kind kind, int64_t value);

/* Frees the table; t is empty (TALLY_INIT) again.  NULL is safe. */
void tally_free(struct tally *t);

#endif
