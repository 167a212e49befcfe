/*
 * disclosure_policy — the disclosure threshold, as the database holds
 * it (msp.disclosure_policy, migration 0038).
 *
 * The threshold decides how much of a federation's report is hidden;
 * the person it protects against is the one running the report, so it
 * is neither an option nor an environment variable but one row of the
 * database that only the schema's owner writes.  MSP_DISCLOSURE_THRESHOLD,
 * which set it until December 2026, is refused when set: silently
 * ignoring it would let someone believe it still changes something.
 */
#ifndef MSP_DISCLOSURE_POLICY_H
#define MSP_DISCLOSURE_POLICY_H

#include <libpq-fe.h>

#include "msp_error.h"

/* The variable that set the threshold before it moved to the database. */
#define DISCLOSURE_POLICY_OLD_ENV "MSP_DISCLOSURE_THRESHOLD"

/*
 * The threshold from msp.disclosure_policy into *out (1 to
 * DISCLOSURE_MAX_THRESHOLD), read in conn's current transaction if one
 * is open.  Fails with MSP_ECONFIG (French message, naming the table and
 * the command) when MSP_DISCLOSURE_THRESHOLD is set, even to nothing;
 * with MSP_EDB when the table is missing (a database not migrated to
 * 0038) or unreadable; MSP_ECONFLICT when its row is missing or out of
 * range.  *out is written only on success.
 */
enum msp_status disclosure_policy_threshold(PGconn *conn, unsigned *out,
					    struct msp_error *err);

/*
 * Sets the threshold to n (1 to DISCLOSURE_MAX_THRESHOLD, else
 * MSP_EINVAL) in conn's transaction.  Only the owner of schema msp may:
 * anyone else gets MSP_EDB with SQLSTATE 42501 from the database (no
 * write is granted on the table).
 */
enum msp_status disclosure_policy_set(PGconn *conn, unsigned n,
				      struct msp_error *err);

/* The small-study rule (migration 0052): the fewest complete responses
 * a study must have in a region for a federation's --by split of it to
 * be published; 0, no minimum.  msp.report_counts refuses below it with
 * this SQLSTATE. */
#define DISCLOSURE_MAX_BY_MINIMUM 100000
#define DISCLOSURE_SMALL_STUDY_SQLSTATE "MSPD1"

/*
 * The minimum from msp.disclosure_policy into *out, in conn's current
 * transaction if one is open.  Fails with MSP_EDB (a database not
 * migrated to 0052, unreadable), MSP_ECONFLICT (no row, or out of
 * range); *out is written only on success.
 */
enum msp_status disclosure_policy_by_minimum(PGconn *conn, unsigned *out,
					     struct msp_error *err);

/*
 * Sets the minimum to n (0 to DISCLOSURE_MAX_BY_MINIMUM, else
 * MSP_EINVAL) in conn's transaction; only the owner of schema msp may
 * (MSP_EDB, SQLSTATE 42501, for anyone else).
 */
enum msp_status disclosure_policy_set_by_minimum(PGconn *conn, unsigned n,
						 struct msp_error *err);

#endif
