/*
 * fuzz — what the libFuzzer harnesses share: the questionnaire they
 * validate against, and the checks every validated submission must
 * pass whatever the input was.
 *
 * A harness aborts (and so libFuzzer reports a crash) when a result
 * breaks a promise of the library's headers, not only when the
 * sanitizers catch a memory or undefined-behaviour error.
 */
#ifndef MSP_FUZZ_H
#define MSP_FUZZ_H

#include "csv.h"
#include "csvmap.h"
#include "instrument.h"
#include "msp_error.h"
#include "submission.h"

/*
 * An Occitanie-like instrument with every item type, options, bounds
 * (both, min only, max only), integer-only numbers, max_length, and
 * show-if conditions (on a choice, a boolean, a multiple choice, a
 * later item, a chain of three, several values).  Built once from its
 * JSON text; aborts if that fails.  Borrowed: never freed.
 */
const struct instrument *fuzz_instrument(void);

/*
 * Checks what submission_validate() returned (st) against what sub
 * holds: errors exactly when st is MSP_EINVAL, and every answer of an
 * asked item, within its bounds, options and length, one per item but
 * for multiple choices, and submission_answers_json() readable by
 * jsonin.  Aborts with a message on stderr when one does not hold.
 */
void fuzz_check_submission(const struct submission *sub,
			   enum msp_status st);

/*
 * The import's side: a mapping file for a Microsoft Forms-like export
 * of fuzz_instrument() (value mappings, option columns, every
 * identifying field), and such an export with valid and invalid rows.
 * Both parsed once; abort if that fails.  Borrowed: never freed.
 */
const struct csvmap *fuzz_mapping(void);
const struct csv *fuzz_export(void);

/*
 * What msp-report import does with a parsed file and mapping, without
 * the database: csvmap_bind(), then csvmap_row() for every row, each
 * record checked as fuzz_check_submission() does, with a pseudonym,
 * role, @id and @submitted that keep csvmap.h's promises.
 */
void fuzz_import(const struct csvmap *map, const struct csv *csv);

/* The texts the three above are parsed from (static, with their
 * length in *len), for tests/check_torture to parse again. */
const char *fuzz_instrument_text(size_t *len);
const char *fuzz_mapping_text(size_t *len);
const char *fuzz_export_text(size_t *len);

/* Prints why to stderr and aborts. */
void fuzz_fail(const char *why) __attribute__((noreturn));

#endif
