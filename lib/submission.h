/*
 * submission — one set of answers, checked against its instrument.
 *
 * Both doors into the database — the HTML form (urlencoded text) and
 * the JSON API (typed JSON values) — hand what they received to a
 * submission, value by value, and ask it to validate.  Validation is
 * driven entirely by the instrument definition: item types, option
 * codes, numeric bounds, text lengths, "show if" conditions and
 * required items.  What comes out is either a list of typed answers
 * ready to store or a list of field errors, each naming the item.
 */
#ifndef MSP_SUBMISSION_H
#define MSP_SUBMISSION_H

#include <stddef.h>

#include <json-c/json.h>

#include "buf.h"
#include "instrument.h"
#include "msp_error.h"
#include "urlenc.h"

/* Longest text answer when the item sets no max_length, in characters. */
#define SUBMISSION_TEXT_MAX 5000

/* How a value arrived: text from a form, or a typed JSON value. */
enum raw_type {
	RAW_TEXT,	/* a string: form field or JSON string */
	RAW_NUMBER,	/* a JSON number, in its JSON spelling */
	RAW_BOOL,	/* a JSON boolean: "true" or "false" */
	RAW_OTHER,	/* null, object, or an array where none belongs */
};

/* One validated answer value. */
struct answer {
	int item;		/* index into the instrument's items */
	const char *choice;	/* choice items: the option's code
				 * (borrowed from the instrument) */
	char *number;		/* numbers: canonical decimal text */
	char *text;		/* texts */
	int boolean;		/* booleans: 0 or 1 */
};

struct field_error {
	char *field;		/* the item key, or a top-level field */
	char *message;		/* French, for people; no answer values */
};

struct submission;

/*
 * A new, empty submission for ins (borrowed: it must outlive the
 * submission).  NULL when out of memory.
 */
struct submission *submission_new(const struct instrument *ins);

void submission_free(struct submission *sub);

/*
 * Records one value given for item key; call again for each choice of
 * a multiple choice.  An unknown key is remembered as an error for
 * validate.  Fails only with MSP_ENOMEM.
 */
enum msp_status submission_add(struct submission *sub, const char *key,
			       enum raw_type type, const char *text,
			       struct msp_error *err);

/* Records a field error found outside the answers (e.g. "role"). */
enum msp_status submission_add_error(struct submission *sub,
				     const char *field, const char *message,
				     struct msp_error *err);

/*
 * Adds every member of a JSON object {"item": value, ...}: strings,
 * numbers, booleans, and arrays of strings for multiple choices.
 */
enum msp_status submission_add_json(struct submission *sub,
				    struct json_object *answers,
				    struct msp_error *err);

/*
 * Adds every field of a form whose name is an item key; fields whose
 * name starts with '_' are the form's own and are skipped.  Empty
 * values mean "not answered".
 */
enum msp_status submission_add_form(struct submission *sub,
				    const struct urlenc *form,
				    struct msp_error *err);

/* Validation modes. */
#define SUBMISSION_COMPLETE	0x1	/* required items must be answered */
#define SUBMISSION_LENIENT	0x2	/* form rules: text may be a number or
					 * oui/non, answers to items not
					 * asked are dropped, not refused */
#define SUBMISSION_TEXT_VALUES	0x4	/* text may be a number or oui/non,
					 * but an answer to an item not
					 * asked is refused as by the API
					 * (CSV cells: dropping it would
					 * lose data without a word) */

/*
 * Validates what was added.  Returns MSP_OK when the submission can be
 * stored, MSP_EINVAL when submission_errors() lists why not, MSP_ENOMEM.
 * Call once.
 */
enum msp_status submission_validate(struct submission *sub, int flags,
				    struct msp_error *err);

const struct field_error *submission_errors(const struct submission *sub,
					    size_t *n);
const struct answer *submission_answers(const struct submission *sub,
					size_t *n);

/* The first error about item key, or NULL (to show beside a field). */
const char *submission_error_for(const struct submission *sub,
				 const char *key);

/*
 * What was given for item index (before validation, for re-showing a
 * form): the n texts in *values (borrowed).
 */
const char *const *submission_given(const struct submission *sub,
				    int item, size_t *n);

/* Whether item index is asked, given the answers added so far. */
int submission_item_shown(const struct submission *sub, int item);

/* Where a walk of "show if" conditions stands for one item. */
enum shown_state { SHOWN_UNKNOWN, SHOWN_COMPUTING, SHOWN_NO, SHOWN_YES };

/*
 * Whether item (an index) of a response's answers is value: its answer
 * is value or, for a multiple choice, includes it; a boolean is "oui" or
 * "non", as show_if_values name them.  Zero when item has no answer.
 * ctx is the caller's.
 */
typedef int submission_answer_is(const void *ctx, int item,
				 const char *value);

/*
 * Whether item (an index in ins) is asked of a response: an item
 * without "show if" always; another when the item it depends on is
 * itself asked and answer_is(ctx, that item, v) holds for one of its
 * show_if_values.  The one walk of these rules, for the answers of a
 * submission (submission_item_shown()) and for those read back from
 * the database (lib/export.c).  memo holds one state per item of ins,
 * all SHOWN_UNKNOWN for a new response; results are kept there.  A
 * cycle, which the definition forbids, reads as not asked.
 */
int submission_item_asked(const struct instrument *ins, int item,
			  enum shown_state *memo,
			  submission_answer_is *answer_is, const void *ctx);

/*
 * Appends the validated answers as the JSON array the database's
 * msp.store_answers() reads: [{"k":key,"c":code,"n":num,"t":text,
 * "b":bool}, ...] with one of c/n/t/b per element.
 */
void submission_answers_json(const struct submission *sub, struct buf *b);

/*
 * Whether text is a calendar date written as ISO 8601's extended
 * complete form, YYYY-MM-DD, and nothing else: years 0001-9999, the
 * day within its month (29 February in leap years only).  PostgreSQL's
 * date input takes much more ("yesterday", "today", "2024-5-2",
 * "May 2 2024"), none of which a client means as a fixed date.
 */
int submission_iso_date(const char *text);

#endif
