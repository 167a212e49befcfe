/*
 * instrument_version — storing, finding and comparing the versions of
 * an instrument.
 *
 * An instrument is known by its slug; each definition of it is a
 * version (1, 2, ...).  A version that has responses never changes
 * (the database refuses it: sql/migrations/0029); a changed definition
 * is stored as a new version.  lib/instrument.c reads one version.
 */
#ifndef MSP_INSTRUMENT_VERSION_H
#define MSP_INSTRUMENT_VERSION_H

#include <libpq-fe.h>

#include "buf.h"
#include "instrument.h"
#include "msp_error.h"

/*
 * The instrument_id of slug's version (0: the latest) into *id.  Fails
 * with MSP_EINVAL (no such instrument or version) or MSP_EDB.
 */
enum msp_status instrument_lookup(PGconn *conn, const char *slug,
				  int version, int *id,
				  struct msp_error *err);

/*
 * "NAME" or "NAME@VERSION" into slug (size bytes) and *version (0 when
 * not given).  Returns 0, or -1 when spec is not of that form.
 */
int instrument_spec_parse(const char *spec, char *slug, size_t size,
			  int *version);

/*
 * Appends to out one line per difference from a to b: "+ item KEY",
 * "- item KEY", "~ item KEY: field old -> new", and the same for
 * choices ("+ choice KEY/CODE") and the title.  Returns how many lines
 * it wrote (0: the same definition, whatever the ids and versions).
 */
size_t instrument_diff(const struct instrument *a,
		       const struct instrument *b, struct buf *out);

/* What instrument_store() did. */
struct instrument_stored {
	int instrument_id;
	int version;
	int created;	/* 0: an identical version was already there */
	int replaced_from;	/* the version the file named, if it differed
				 * and another was made instead; else 0 */
};

/*
 * Stores ins (its instrument_id is ignored) as a version of ins->slug,
 * in one transaction:
 *   - ins->version 0 (not said): identical to the latest version, it
 *     is that one; else it becomes the latest + 1;
 *   - ins->version N that exists: identical, it is that one; else,
 *     identical to the latest version, it is the latest (the same
 *     edited file imported twice makes one new version, not two);
 *     else the latest + 1 (N stays as it was; *out says so);
 *   - ins->version N that does not exist: N, if above the latest.
 * On success *out says which.  Fails with MSP_EDB (the database
 * refused it: nothing is stored), MSP_EINVAL (a version below the
 * latest that does not exist), MSP_ENOMEM.
 */
enum msp_status instrument_store(PGconn *conn, const struct instrument *ins,
				 struct instrument_stored *out,
				 struct msp_error *err);

#endif
