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

static const char *const kind_labels[] = {
	[TENANT_NONE] = "propriétaire",
	[TENANT_TEAM] = "équipe",
	[TENANT_FEDERATION] = "fédération",
	[TENANT_ANALYST] = "analyste",
};

const char *
tenant_kind_label(enum tenant_kind kind)
{
	if ((size_t)kind >= sizeof(kind_labels) / sizeof(kind_labels[0]))
		return kind_labels[TENANT_NONE];
	return kind_labels[kind];
}

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

/* Runs sql ("SELECT msp.enter($1)" or its session twin) with the
 * credential; what refused means is said by refused. */
static enum msp_status
enter(PGconn *conn, const char *name, const char *sql, const char *cred,
      const char *refused, enum tenant_kind *kind, struct msp_error *err)
{
	const char *params[1] = { cred };
	PGresult *res = NULL;
	enum msp_status st;

	*kind = TENANT_NONE;
	st = db_exec(conn, name, sql, 1, params, PGRES_TUPLES_OK, &res, err);
	if (st != MSP_OK) {
		/* 28000: the credential is unknown or revoked — the
		 * caller's fault, not the database's. */
		if (err && db_classify(err->sqlstate) == DB_AUTH)
			return msp_error_set(err, MSP_EACCESS, "%s", refused);
		return st;
	}
	*kind = tenant_kind_parse(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (*kind == TENANT_NONE)
		return msp_error_set(err, MSP_EDB, "enter: unexpected kind");
	return MSP_OK;
}

enum msp_status
tenant_enter(PGconn *conn, const char *token, enum tenant_kind *kind,
	     struct msp_error *err)
{
	return enter(conn, "enter", "SELECT msp.enter($1)", token,
		     "unknown or revoked token", kind, err);
}

enum msp_status
tenant_enter_session(PGconn *conn, const char *session_id,
		     enum tenant_kind *kind, struct msp_error *err)
{
	return enter(conn, "session enter", "SELECT msp.session_enter($1)",
		     session_id, "unknown, ended or expired session", kind,
		     err);
}
