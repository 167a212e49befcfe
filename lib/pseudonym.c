/*
 * pseudonym — the pseudonym a structure identifier is stored under.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "db.h"
#include "pseudonym.h"

enum msp_status
pseudonym_find(PGconn *conn, const struct secret *s, const char *identifier,
	       char out[CRYPTO_SHA256_HEX], struct msp_error *err)
{
	char legacy[CRYPTO_SHA256_HEX];
	const char *params[2] = { out, legacy };
	PGresult *res = NULL;
	enum msp_status st;

	if ((st = secret_pseudonym(s, identifier, out, err)) != MSP_OK ||
	    (st = secret_pseudonym_legacy(s, identifier, legacy, err)) !=
	    MSP_OK)
		return st;
	/* an ASCII identifier without punctuation: the same either way,
	 * no round trip */
	if (strcmp(out, legacy) == 0)
		return MSP_OK;
	st = db_exec(conn, "structure pseudonym",
		     "SELECT msp.structure_pseudonym($1, $2) AS pseudonym",
		     2, params, PGRES_TUPLES_OK, &res, err);
	if (st == MSP_OK)
		snprintf(out, CRYPTO_SHA256_HEX, "%s",
			 db_text(res, 0, "pseudonym"));
	PQclear(res);
	return st;
}
