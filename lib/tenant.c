/*
 * tenant — taking on a bearer token's identity in the database.
 */
#include "config.h"

#include <string.h>

#include "db.h"
#include "tenant.h"

static const char *const kind_names[] = {
	[TENANT_NONE] = "none",
	[TENANT_TEAM] = "team",
	[TENANT_FEDERATION] = "federation",
	[TENANT_ANALYST] = "analyst",
};

const char *
tenant_kind_name(enum tenant_kind kind)
{
	if ((size_t)kind >= sizeof(kind_names) / sizeof(kind_names[0]))
		return "none";
	return kind_names[kind];
}

enum tenant_kind
tenant_kind_parse(const char *name)
{
	size_t i;

	for (i = TENANT_TEAM; i < sizeof(kind_names) / sizeof(kind_names[0]);
	     i++)
		if (strcmp(name, kind_names[i]) == 0)
			return (enum tenant_kind)i;
	return TENANT_NONE;
}

enum msp_status
tenant_enter(PGconn *conn, const char *token, enum tenant_kind *kind,
	     struct msp_error *err)
{
	const char *params[1] = { token };
	PGresult *res = NULL;
	enum msp_status st;

	*kind = TENANT_NONE;
	st = db_exec(conn, "enter", "SELECT msp.enter($1)", 1, params,
		     PGRES_TUPLES_OK, &res, err);
	if (st != MSP_OK) {
		/* 28000: the token is unknown or revoked — the caller's
		 * fault, not the database's. */
		if (err && db_classify(err->sqlstate) == DB_AUTH)
			return msp_error_set(err, MSP_EACCESS,
					     "unknown or revoked token");
		return st;
	}
	*kind = tenant_kind_parse(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (*kind == TENANT_NONE)
		return msp_error_set(err, MSP_EDB, "enter: unexpected kind");
	return MSP_OK;
}
