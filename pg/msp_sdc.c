/*
 * msp_sdc — the disclosure module: statistical disclosure control run
 * inside PostgreSQL (issue 19, docs/report.md "Disclosure control in
 * the database").
 *
 * A federation must never hold a grouped count before complementary
 * suppression, not even under its own token in hand-written SQL.  So
 * the suppression runs where the counts are: msp.federation_release
 * (a SECURITY DEFINER function) gathers the counts and hands them to
 * msp.sdc_release, this module, which returns only what may be
 * published.  The decisions are lib/report/release.c's, compiled from
 * the same sources msp-report links (Makefile.am builds them twice:
 * with the sanitizers into libmsp.a, plainly with -fPIC here), so the
 * database and the command line cannot disagree.
 *
 * This file is the fmgr glue only.  The shared code allocates with
 * malloc (alloc.h) and reports through struct msp_error; it never
 * calls elog, and it has freed everything before it returns, so an
 * ereport(ERROR) here (a longjmp) never leaks.  Interrupts are taken
 * between blocks, where nothing malloc'd is held.
 *
 * Built with -fvisibility=hidden: only the magic block and the fmgr
 * entry points (PGDLLEXPORT, made visible below) are exported, so that
 * none of the library's names can meet one of the server's.
 */

/* PostgreSQL 15 marks nothing for export on ELF (16 does this). */
#define PGDLLEXPORT __attribute__((visibility("default")))

#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "lib/stringinfo.h"
#include "utils/jsonb.h"

#include "alloc.h"
#include "msp_error.h"
#include "release_json.h"

PG_MODULE_MAGIC;

/*
 * The module's version.  msp.sdc_version.sql's COMMENT says which
 * version its SQL declarations expect; db migrate compares the two, so
 * that a stale msp_sdc.so left in the server's library directory after
 * an upgrade is refused at migration time, not when a federation reads.
 * Change both when the counts or release documents change.
 */
#define MSP_SDC_VERSION "1"

/* The threshold msp.disclosure_policy allows (CHECK 1..1000), and 0:
 * publish everything (an analyst's release). */
#define MSP_SDC_MAX_THRESHOLD 1000

/* Blocks one call may decide: a release of every table of a region's
 * reports is a few hundred; each costs at most seconds (the caps of
 * release_json.h), and interrupts are taken between them. */
#define MSP_SDC_MAX_BLOCKS 10000

/* utils/fmgrprotos.h declares it, but also a function json_object(),
 * which is json-c's type name in release_json.h. */
extern Datum jsonb_in(PG_FUNCTION_ARGS);
/* utils/builtins.h, which includes utils/fmgrprotos.h */
extern text *cstring_to_text(const char *s);

/* PostgreSQL 15's PG_FUNCTION_INFO_V1 marks the info function only. */
extern PGDLLEXPORT Datum msp_sdc_version(PG_FUNCTION_ARGS);
extern PGDLLEXPORT Datum msp_sdc_release(PG_FUNCTION_ARGS);

PG_FUNCTION_INFO_V1(msp_sdc_version);
PG_FUNCTION_INFO_V1(msp_sdc_release);

Datum
msp_sdc_version(PG_FUNCTION_ARGS)
{
	(void)fcinfo;
	PG_RETURN_TEXT_P(cstring_to_text(MSP_SDC_VERSION));
}

/*
 * One block's counts (the JSON text of a jsonb container) to its
 * release, appended to buf.  Raises on a malformed document, after the
 * shared code has freed what it allocated.
 */
static void
decide_block(JsonbContainer *counts, int len, unsigned threshold,
	     int block, StringInfo buf)
{
	struct msp_error err;
	char *doc, *copy, *release = NULL;
	enum msp_status st;
	size_t rlen;

	doc = JsonbToCString(NULL, counts, len);
	st = release_json_decide(doc, strlen(doc), threshold, &release,
				 &err);
	pfree(doc);
	if (st != MSP_OK)
		ereport(ERROR,
			(errcode(st == MSP_ENOMEM ?
				 ERRCODE_OUT_OF_MEMORY :
				 ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("msp.sdc_release: block %d: %s", block,
				err.message)));
	/* into the backend's memory first: appending may raise (out of
	 * memory, the 1 GB limit), and a longjmp must not leave the
	 * malloc'd release behind */
	rlen = strlen(release);
	copy = palloc_extended(rlen + 1, MCXT_ALLOC_NO_OOM);
	if (copy != NULL)
		memcpy(copy, release, rlen + 1);
	msp_free(release);
	if (copy == NULL)
		ereport(ERROR,
			(errcode(ERRCODE_OUT_OF_MEMORY),
			 errmsg("msp.sdc_release: block %d: out of memory",
				block)));
	appendStringInfoString(buf, copy);
	pfree(copy);
}

/*
 * msp.sdc_release(counts jsonb, threshold integer) RETURNS jsonb: the
 * release of one block's counts (an object, release_json.h's counts
 * document), or of each block of an array of them (an array of
 * releases, in the same order).  Pure: the result depends on the
 * arguments only.
 */
Datum
msp_sdc_release(PG_FUNCTION_ARGS)
{
	Jsonb *counts = PG_GETARG_JSONB_P(0);
	int32 threshold = PG_GETARG_INT32(1);
	StringInfoData buf;
	JsonbValue *v;
	uint32 i, n;

	if (threshold < 0 || threshold > MSP_SDC_MAX_THRESHOLD)
		ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("msp.sdc_release: threshold %d is not "
				"from 0 to %d", threshold,
				MSP_SDC_MAX_THRESHOLD)));
	if (JB_ROOT_IS_SCALAR(counts))
		ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("msp.sdc_release: the counts are neither "
				"an object nor an array of objects")));
	initStringInfo(&buf);
	if (JB_ROOT_IS_OBJECT(counts)) {
		decide_block(&counts->root, VARSIZE(counts), (unsigned)
			     threshold, 0, &buf);
		PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in,
					CStringGetDatum(buf.data)));
	}
	n = JB_ROOT_COUNT(counts);
	if (n > MSP_SDC_MAX_BLOCKS)
		ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("msp.sdc_release: %u blocks, at most %d",
				n, MSP_SDC_MAX_BLOCKS)));
	appendStringInfoChar(&buf, '[');
	for (i = 0; i < n; i++) {
		CHECK_FOR_INTERRUPTS();
		v = getIthJsonbValueFromContainer(&counts->root, i);
		if (v == NULL || v->type != jbvBinary ||
		    !JsonContainerIsObject(v->val.binary.data))
			ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("msp.sdc_release: block %u is not "
					"an object", i)));
		if (i > 0)
			appendStringInfoChar(&buf, ',');
		decide_block(v->val.binary.data, v->val.binary.len,
			     (unsigned)threshold, (int)i, &buf);
		pfree(v);
	}
	appendStringInfoChar(&buf, ']');
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in,
					    CStringGetDatum(buf.data)));
}
