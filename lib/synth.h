/*
 * synth — synthetic studies at scale, for load and report testing.
 *
 * synth_generate() creates one study, marked synthetic, in a region:
 * its targeted population of made-up structures (pseudonyms, type,
 * département, staff counts, ...), their contact log, responses, and
 * answers drawn from the instrument's own definition — only options it
 * lists, numbers within its bounds, texts within max_length, one code
 * for a single choice, an item only when its "show if" holds, every
 * required item in a complete response.  Where the real or
 * reconstructed studies of the same instrument have answers, choices,
 * numbers and skip rates follow their distribution; nothing about an
 * item is written in C.
 *
 * Everything is a function of the seed (lib/rng.h): the same seed and
 * options on the same reference data give the same rows.  Rows go in
 * with COPY, in one transaction: all of it is stored or nothing.
 *
 * docs/generator.md says how the load meets its time budget: by default
 * it runs with session_replication_role = replica (superuser only),
 * which switches off the answer trigger, the audit triggers and the
 * foreign keys for this transaction; the rows are then checked by SQL
 * before COMMIT, and one audit row per table records the load.
 */
#ifndef MSP_SYNTH_H
#define MSP_SYNTH_H

#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>

#include "msp_error.h"

/* Limits that keep ids, keys and memory in range. */
#define SYNTH_RESPONSES_MAX 100000000L
#define SYNTH_STRUCTURES_MAX 10000000L
#define SYNTH_SLUG_MAX 64		/* bytes, NUL included */

/* The population when none is given: twice the responses (a response
 * rate near the sources' 20 % and 45 % leaves non-participants to
 * compare with), but no more than a large region holds. */
#define SYNTH_STRUCTURES_DEFAULT_MAX 1000L

/*
 * The fast load can drop the indexes of msp.response and msp.answer
 * that no foreign key needs, COPY, and build them again before COMMIT:
 * a sorted build costs far less than maintaining them row by row, but
 * DROP INDEX holds an ACCESS EXCLUSIVE lock on both tables until
 * COMMIT (docs/generator.md).
 */
enum synth_indexes {
	SYNTH_INDEXES_AUTO = 0,	/* rebuild when synth_rebuild_indexes() */
	SYNTH_INDEXES_KEEP,	/* maintain them row by row */
	SYNTH_INDEXES_REBUILD,	/* always rebuild */
};

/* Loads of fewer responses keep their indexes under AUTO. */
#define SYNTH_REBUILD_MIN 100000L

struct synth_options {
	const char *region;	/* region slug; required */
	/* the instrument: "slug" (its latest version) or "slug:version";
	 * or the instrument of study slug like; when both are NULL, that
	 * of the region's most recent study that is not synthetic */
	const char *instrument;
	const char *like;
	const char *study_slug;	/* NULL: "synthetic-<region>-<seed>" */
	uint64_t seed;
	long responses;		/* 0 .. SYNTH_RESPONSES_MAX */
	long structures;	/* 1 .. SYNTH_STRUCTURES_MAX; 0: default */
	int year;		/* of the fieldwork, 2000 .. 2100 */
	/* load through the answer trigger, the audit triggers and the
	 * foreign keys, as any client does; slow, but needs no superuser
	 * and makes the database check every row itself */
	int checked;
	/* how the indexes of msp.response and msp.answer are kept during
	 * the fast load (ignored with checked): SYNTH_INDEXES_AUTO
	 * rebuilds them after the COPY when the load is large (see
	 * synth_rebuild_indexes) */
	enum synth_indexes indexes;
	FILE *progress;		/* progress lines; NULL for none */
};

struct synth_result {
	int study_id;
	char study_slug[SYNTH_SLUG_MAX];
	long structures, staff, contacts, responses, answers;
	int64_t first_response_id, last_response_id;
	double load_seconds;	/* BEGIN to the end of the last COPY */
	double responses_seconds, answers_seconds;	/* their COPYs */
	double check_seconds;	/* the post-load SQL checks */
	int rebuilt_indexes;	/* the indexes were dropped and rebuilt */
	double index_seconds;	/* building them again */
	double total_seconds;	/* BEGIN to COMMIT */
};

/*
 * Whether AUTO rebuilds the indexes for a load of responses when the
 * tables hold about existing responses (pg_class.reltuples; -1 when
 * never counted): for large loads that at least double the table, whose
 * rebuild, over every study's rows, costs less than the row-by-row
 * upkeep it saves.
 */
int synth_rebuild_indexes(long responses, double existing);

/* The default population for n responses. */
long synth_default_structures(long responses);

/*
 * Generates and loads a synthetic study on conn (which must not be in a
 * transaction) and fills *out.  Nothing is stored unless MSP_OK is
 * returned.  Fails with MSP_EINVAL (options out of range, unknown
 * region, instrument or study, a study of that slug already exists, an
 * instrument item that no value can satisfy), MSP_EACCESS (the fast
 * load needs a superuser: use checked), MSP_ECONFLICT (the post-load
 * check found rows that break the instrument: a bug, nothing stored),
 * MSP_EDB or MSP_ENOMEM; *out is then undefined.
 */
enum msp_status synth_generate(PGconn *conn, const struct synth_options *opt,
			       struct synth_result *out,
			       struct msp_error *err);

#endif
