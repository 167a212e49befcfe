/*
 * fuzz_release — what a PostgreSQL server module will receive as jsonb
 * and hand back (issue 19): a block's counts, and a release, as JSON
 * (lib/report/release_json.c).  The text goes through jsonin_parse(),
 * then release_counts_from_json() and release_from_json(); counts that
 * read are decided (release_make(), at thresholds 0 and 5), and every
 * release read or made is written and read again, and must come back
 * the same.  Malformed input must give an error, never a crash; the
 * caps of release_json.h keep a block's decision within the budget.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "fuzz.h"
#include "jsonin.h"
#include "report/release.h"
#include "report/release_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The dense elimination is cubic in a block's cells: beyond this many
 * the fuzzer reads the counts but does not decide them (the caps allow
 * more, at seconds each). */
#define DECIDE_MAX_CELLS 200

/* r written and read back must be r. */
static void
round_trip(const struct release *r)
{
	struct msp_error err;
	struct json_object *o = release_to_json(r, &err);
	struct release back;
	size_t i, cells = r->nrows * r->ncols;

	if (o == NULL)
		return;		/* out of memory is allowed */
	if (release_from_json(o, &back, &err) != MSP_OK)
		fuzz_fail("a release written could not be read back");
	json_object_put(o);
	if (back.kind != r->kind || back.nrows != r->nrows ||
	    back.ncols != r->ncols || back.threshold != r->threshold ||
	    back.range != r->range)
		fuzz_fail("a release's shape changed through JSON");
	for (i = 0; i < cells; i++)
		if (back.why[i] != r->why[i] ||
		    (r->why[i] == RELEASE_PUBLISHED && back.n[i] != r->n[i]))
			fuzz_fail("a figure changed through JSON");
	for (i = 0; i < r->ncols; i++)
		if (back.denom_why[i] != r->denom_why[i] ||
		    (r->denom_why[i] == RELEASE_PUBLISHED &&
		     back.denom[i] != r->denom[i]))
			fuzz_fail("a denominator changed through JSON");
	release_clear(&back);
}

/* Whether figure (i, j) of k is a printed count, which is hidden
 * whenever it is small (report_disclosure.h's DFIG_CELL). */
static int
printed_count(const struct release_counts *k, size_t i, size_t j)
{
	switch (k->kind) {
	case RELEASE_HEADCOUNT:
		return !(k->is_total[j] && k->head_public[j]);
	case RELEASE_SINGLE:
		return k->printed[i];
	case RELEASE_MULTI:
		return i + 1 < k->nrows;
	case RELEASE_NUMBER:
		return i == RELEASE_NB_ANSWERED ||
		       (i == RELEASE_NB_GE1 && k->presence);
	case RELEASE_TEXT:
		return i == RELEASE_TX_ANSWERED;
	}
	return 0;
}

static void
decide(const struct release_counts *k, unsigned threshold)
{
	struct msp_error err;
	struct release r;
	size_t i;

	if (release_make(k, threshold, &r, &err) != MSP_OK)
		return;		/* refused or out of memory: both allowed */
	for (i = 0; i < r.nrows * r.ncols; i++) {
		if (r.why[i] != RELEASE_PUBLISHED && r.n[i] != 0)
			fuzz_fail("an absent figure kept its value");
		if (r.why[i] == RELEASE_PUBLISHED && r.n[i] != k->n[i])
			fuzz_fail("a published figure is not the count");
		if (release_primary(k->n[i], threshold) &&
		    r.why[i] == RELEASE_PUBLISHED &&
		    printed_count(k, i / r.ncols, i % r.ncols))
			fuzz_fail("a small count was published");
	}
	round_trip(&r);
	release_clear(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *o = NULL;
	struct release_counts k;
	struct release r;
	struct msp_error err;

	if (jsonin_parse((const char *)data, size, &o, &err) != MSP_OK)
		return 0;
	if (release_counts_from_json(o, &k, &err) == MSP_OK) {
		if (k.nrows * k.ncols <= DECIDE_MAX_CELLS) {
			decide(&k, 0);
			decide(&k, 5);
		}
		release_counts_free(&k);
	} else if (err.status != MSP_EINVAL && err.status != MSP_ENOMEM)
		fuzz_fail("counts refused with an unexpected status");
	if (release_from_json(o, &r, &err) == MSP_OK) {
		round_trip(&r);
		release_clear(&r);
	} else if (err.status != MSP_EINVAL && err.status != MSP_ENOMEM)
		fuzz_fail("a release refused with an unexpected status");
	json_object_put(o);
	return 0;
}
