/*
 * pseudonym — the pseudonym a structure identifier is stored under.
 *
 * Issue 18 widened the normalisation of identifiers (lib/secret.c):
 * "MSP des Lilas, Albi" gives another pseudonym than it did before.  A
 * structure stored before is still under the old one; finding it again
 * is what a pseudonym is for (docs/rgpd.md), so the old pseudonym is
 * used when the new one is not stored and the old one is.
 */
#ifndef MSP_PSEUDONYM_H
#define MSP_PSEUDONYM_H

#include <libpq-fe.h>

#include "crypto.h"
#include "msp_error.h"
#include "secret.h"

/*
 * The pseudonym of identifier under s into out: secret_pseudonym()'s,
 * or secret_pseudonym_legacy()'s when only that one is a stored
 * structure (asked of conn through msp.structure_pseudonym, only when
 * the two differ).  Fails with MSP_EINVAL (an empty identifier),
 * MSP_ENOMEM, MSP_EDB.
 */
enum msp_status pseudonym_find(PGconn *conn, const struct secret *s,
			       const char *identifier,
			       char out[CRYPTO_SHA256_HEX],
			       struct msp_error *err);

#endif
