/*
 * disclosure_policy — the disclosure threshold in the database (see
 * disclosure_policy.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "db.h"
#include "disclosure_policy.h"
#include "report/report_disclosure.h"

enum msp_status
disclosure_policy_threshold(PGconn *conn, unsigned *out,
			    struct msp_error *err)
{
	PGresult *res = NULL;
	enum msp_status rc;
	long long v;

	if (getenv(DISCLOSURE_POLICY_OLD_ENV) != NULL)
		return msp_error_set(err, MSP_ECONFIG,
			"%s n'est plus lu : le seuil du secret statistique "
			"est fixé dans la base (table msp.disclosure_policy ; "
			"'msp-report disclosure threshold' le lit, le "
			"propriétaire le change) ; retirez cette variable de "
			"l'environnement", DISCLOSURE_POLICY_OLD_ENV);
	rc = db_exec(conn, "disclosure threshold",
		     "SELECT threshold FROM msp.disclosure_policy", 0, NULL,
		     PGRES_TUPLES_OK, &res, err);
	if (rc != MSP_OK)
		return rc;
	if (PQntuples(res) != 1) {
		rc = msp_error_set(err, MSP_ECONFLICT,
				   "msp.disclosure_policy has %d rows, not 1",
				   PQntuples(res));
		goto out;
	}
	v = db_int(res, 0, "threshold");
	/* the table's CHECK says the same: this is for a hand-altered one */
	if (v < 1 || v > (long long)DISCLOSURE_MAX_THRESHOLD) {
		rc = msp_error_set(err, MSP_ECONFLICT,
				   "msp.disclosure_policy.threshold is %lld, "
				   "not 1 to %u", v, DISCLOSURE_MAX_THRESHOLD);
		goto out;
	}
	*out = (unsigned)v;
out:
	PQclear(res);
	return rc;
}

enum msp_status
disclosure_policy_set(PGconn *conn, unsigned n, struct msp_error *err)
{
	char text[16];
	const char *params[1] = { text };

	if (n < 1 || n > DISCLOSURE_MAX_THRESHOLD)
		return msp_error_set(err, MSP_EINVAL,
				     "threshold %u is not 1 to %u", n,
				     DISCLOSURE_MAX_THRESHOLD);
	snprintf(text, sizeof(text), "%u", n);
	/* $1 the new threshold; the table has exactly one row */
	return db_exec(conn, "set disclosure threshold",
		       "UPDATE msp.disclosure_policy SET threshold = $1",
		       1, params, PGRES_COMMAND_OK, NULL, err);
}

enum msp_status
disclosure_policy_by_minimum(PGconn *conn, unsigned *out,
			     struct msp_error *err)
{
	PGresult *res = NULL;
	enum msp_status rc;
	long long v;

	rc = db_exec(conn, "disclosure by-minimum",
		     "SELECT by_min_responses FROM msp.disclosure_policy", 0,
		     NULL, PGRES_TUPLES_OK, &res, err);
	if (rc != MSP_OK)
		return rc;
	if (PQntuples(res) != 1) {
		rc = msp_error_set(err, MSP_ECONFLICT,
				   "msp.disclosure_policy has %d rows, not 1",
				   PQntuples(res));
		goto out;
	}
	v = db_int(res, 0, "by_min_responses");
	/* the table's CHECK says the same: this is for a hand-altered one */
	if (v < 0 || v > (long long)DISCLOSURE_MAX_BY_MINIMUM) {
		rc = msp_error_set(err, MSP_ECONFLICT,
				   "msp.disclosure_policy.by_min_responses is "
				   "%lld, not 0 to %u", v,
				   DISCLOSURE_MAX_BY_MINIMUM);
		goto out;
	}
	*out = (unsigned)v;
out:
	PQclear(res);
	return rc;
}

enum msp_status
disclosure_policy_set_by_minimum(PGconn *conn, unsigned n,
				 struct msp_error *err)
{
	char text[16];
	const char *params[1] = { text };

	if (n > DISCLOSURE_MAX_BY_MINIMUM)
		return msp_error_set(err, MSP_EINVAL,
				     "by-minimum %u is not 0 to %u", n,
				     DISCLOSURE_MAX_BY_MINIMUM);
	snprintf(text, sizeof(text), "%u", n);
	/* $1 the new minimum; the table has exactly one row */
	return db_exec(conn, "set disclosure by-minimum",
		       "UPDATE msp.disclosure_policy SET by_min_responses = $1",
		       1, params, PGRES_COMMAND_OK, NULL, err);
}
