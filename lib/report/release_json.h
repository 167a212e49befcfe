/*
 * release_json — a block's counts and its release as JSON (json-c), the
 * form in which the database will hand them over (issue 19: counts
 * arrive as jsonb, the release leaves as jsonb).
 *
 * Counts (release_counts_to_json, release_counts_from_json):
 *   {"kind": "single", "rows": R, "cols": C,
 *    "n": [R*C counts, row-major], "head": [C], "is_total": [C bools],
 *    "head_secret": [C bools], "head_public": [C bools],
 *    "printed": [R bools], "included": [R bools], "denom": [C],
 *    "summary": [C {"median", "mean", "min", "max"}],
 *    "any_missing": b, "missing_kept": b, "presence": b}
 * with the members a kind does not use left out.
 *
 * A release (release_to_json, release_from_json):
 *   {"kind": "single", "rows": R, "cols": C, "threshold": T,
 *    "range": b,
 *    "n": [R*C figures], "denom": [C figures],
 *    "summary": [C {"median", "mean"[, "min", "max"]} or null]}
 * where a figure is its value when published and, when absent, the
 * reason as a string: "primary" or "complementary".  The value of an
 * absent figure is not in the document at all.
 *
 * Kinds are "headcount", "single", "multi", "number", "text".  A
 * number that is not finite (a median of nothing) is null.  Reading
 * checks everything: types, the kind's members, array lengths against
 * rows and cols, counts that are integers from 0 to 2^53, and the caps
 * below; a document that breaks any of it fails with MSP_EINVAL and a
 * message naming the member, never with a crash.
 *
 * Like release.c: no libpq, no stdio, no global state; arrays through
 * alloc.h (json-c allocates its own objects).
 */
#ifndef MSP_REPORT_RELEASE_JSON_H
#define MSP_REPORT_RELEASE_JSON_H

#include <json-c/json.h>

#include "msp_error.h"
#include "release.h"

/* Caps on what a document may ask for.  A report's blocks have tens of
 * rows (a region's départements: up to 13) and a few columns (--compare
 * of every region: 19); the decisions cost the cube of a block's cells
 * in time and its square in memory (report_disclosure.c's dense
 * basis), so 4096 cells is about 130 MB and seconds, not a crash. */
#define RELEASE_JSON_MAX_ROWS 1000
#define RELEASE_JSON_MAX_COLS 64
#define RELEASE_JSON_MAX_CELLS 4096

/* k as a new JSON object (the caller's: json_object_put), or NULL with
 * MSP_ENOMEM in err. */
struct json_object *release_counts_to_json(const struct release_counts *k,
					   struct msp_error *err);

/*
 * The counts o describes into *out, whose arrays are allocated here and
 * freed with release_counts_free().  Fails with MSP_EINVAL (malformed,
 * inconsistent or over the caps) or MSP_ENOMEM; *out is then zeroed.
 */
enum msp_status release_counts_from_json(const struct json_object *o,
					 struct release_counts *out,
					 struct msp_error *err);

/* Frees the arrays of counts made by release_counts_from_json() (and
 * only those: other counts borrow theirs); zeroes k; NULL is allowed. */
void release_counts_free(struct release_counts *k);

/* r as a new JSON object, or NULL with MSP_ENOMEM in err. */
struct json_object *release_to_json(const struct release *r,
				    struct msp_error *err);

/*
 * The release o describes into *out (release_clear() frees it).  Fails
 * with MSP_EINVAL or MSP_ENOMEM; *out is then cleared.
 */
enum msp_status release_from_json(const struct json_object *o,
				  struct release *out,
				  struct msp_error *err);

/* How deep a counts document may nest: an object, its "summary"
 * array, the summaries' objects; anything deeper is refused unread. */
#define RELEASE_JSON_MAX_DEPTH 8

/*
 * The whole decision on text, as the server module (pg/msp_sdc.c)
 * makes it: the counts document text[0..len) (one block, as
 * release_counts_from_json() reads it) at threshold, to the release as
 * JSON text in *out (msp_malloc'd, the caller frees it with
 * msp_free()).  Fails with MSP_EINVAL when text is not one JSON
 * document of counts, MSP_ENOMEM when out of memory; *out is then
 * NULL.  Everything it allocates is freed before it returns, so that a
 * caller may then raise an error that never returns (PostgreSQL's
 * ereport) without leaking.
 */
enum msp_status release_json_decide(const char *text, size_t len,
				    unsigned threshold, char **out,
				    struct msp_error *err);

#endif
