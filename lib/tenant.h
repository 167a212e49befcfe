/*
 * tenant — taking on a bearer token's identity in the database.
 *
 * Row-Level Security decides what a token sees (sql/migrations/0006,
 * 0008); this module only asks the database to switch, inside the
 * caller's open transaction, to the token's identity.  The switch lasts
 * until COMMIT or ROLLBACK.
 */
#ifndef MSP_TENANT_H
#define MSP_TENANT_H

#include <libpq-fe.h>

#include "msp_error.h"

enum tenant_kind {
	TENANT_NONE = 0,	/* not entered: the connection's own role */
	TENANT_TEAM,
	TENANT_FEDERATION,
	TENANT_ANALYST,
};

/* Bytes of randomness in a token; its text form is twice as many hex
 * digits. */
#define TENANT_TOKEN_BYTES 32
#define TENANT_TOKEN_HEX (2 * TENANT_TOKEN_BYTES)

/*
 * In an open transaction on conn, takes on token's identity and stores
 * its kind in *kind.  An unknown or revoked token fails with
 * MSP_EACCESS; a database failure with MSP_EDB.
 */
enum msp_status tenant_enter(PGconn *conn, const char *token,
			     enum tenant_kind *kind, struct msp_error *err);

/*
 * As tenant_enter(), for a web session (fcgi/session.c): takes on the
 * identity of the token the live session session_id stands for
 * (msp.session_enter, migration 0040).  An unknown, ended or expired
 * session, or one whose token was revoked, fails with MSP_EACCESS; a
 * database failure with MSP_EDB.
 */
enum msp_status tenant_enter_session(PGconn *conn, const char *session_id,
				     enum tenant_kind *kind,
				     struct msp_error *err);

/* "team", "federation", "analyst" ("none" for TENANT_NONE). */
const char *tenant_kind_name(enum tenant_kind kind);

/* The kind in French, for people: « équipe », « fédération »,
 * « analyste » (« propriétaire » for TENANT_NONE).  tenant_kind_name()
 * stays the code programs read. */
const char *tenant_kind_label(enum tenant_kind kind);

/* Parses a kind's name; TENANT_NONE if it names none. */
enum tenant_kind tenant_kind_parse(const char *name);

#endif
