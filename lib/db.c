#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"

/* libpq's messages end with a newline; ours do not. */
static void
chomp(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
}

enum msp_status
db_connect(const char *conninfo, const char *dbname, PGconn **out,
	   struct msp_error *err)
{
	const char *keys[5], *vals[5];
	PGconn *conn = NULL;
	enum msp_status st = MSP_OK;
	int n = 0;

	*out = NULL;
	keys[n] = "dbname", vals[n++] = conninfo;
	if (dbname != NULL)
		keys[n] = "dbname", vals[n++] = dbname;
	keys[n] = "application_name", vals[n++] = "msp-survey";
	keys[n] = "client_encoding", vals[n++] = "UTF8";
	keys[n] = NULL, vals[n] = NULL;
	/* expand_dbname = 1: the first "dbname" may be a whole conninfo. */
	conn = PQconnectdbParams(keys, vals, 1);
	if (conn == NULL) {
		st = msp_error_set(err, MSP_ENOMEM,
				   "connecting: out of memory");
		goto out;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		st = msp_error_set(err, MSP_EDB, "connecting: %s",
				   PQerrorMessage(conn));
		if (err != NULL)
			chomp(err->message);
		goto out;
	}
	/*
	 * An empty search_path means no object can be shadowed by one a less
	 * trusted role created in a schema earlier in the path (CVE-2018-1058).
	 */
	st = db_exec(conn, "set session defaults",
		     "SELECT pg_catalog.set_config('search_path', '', false),"
		     " pg_catalog.set_config('client_min_messages', 'warning',"
		     " false)", 0, NULL, PGRES_TUPLES_OK, NULL, err);
	if (st != MSP_OK)
		goto out;
	*out = conn;
	conn = NULL;
out:
	PQfinish(conn);
	return st;
}

enum msp_status
db_error_from_result(const PGresult *res, PGconn *conn, struct msp_error *err)
{
	const char *primary, *detail, *hint, *severity, *state, *source;
	enum msp_status st;

	if (res == NULL) {
		msp_error_set(err, MSP_EDB, "%s", PQerrorMessage(conn));
		if (err != NULL)
			chomp(err->message);
		return MSP_EDB;
	}
	primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	if (primary == NULL) {
		/* Client-side failures (lost connection) have no fields. */
		msp_error_set(err, MSP_EDB, "%s", PQresultErrorMessage(res));
		if (err != NULL)
			chomp(err->message);
		return MSP_EDB;
	}
	severity = PQresultErrorField(res, PG_DIAG_SEVERITY);
	detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	st = msp_error_set(err, MSP_EDB, "%s: %s%s%s%s%s",
			   severity != NULL ? severity : "ERROR", primary,
			   detail != NULL ? "\nDETAIL: " : "",
			   detail != NULL ? detail : "",
			   hint != NULL ? "\nHINT: " : "",
			   hint != NULL ? hint : "");
	if (err != NULL && state != NULL)
		snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", state);
	/* PL/pgSQL reports its RAISE from exec_stmt_raise (pl_exec.c):
	 * the sentence is ours, not the server's */
	source = PQresultErrorField(res, PG_DIAG_SOURCE_FUNCTION);
	if (err != NULL && source != NULL &&
	    strcmp(source, "exec_stmt_raise") == 0)
		err->raised = 1;
	return st;
}

/* Takes r; hands it to *res when it has status want, else clears it and
 * fills err naming the statement. */
static enum msp_status
check_result(PGresult *r, PGconn *conn, const char *what,
	     ExecStatusType want, PGresult **res, struct msp_error *err)
{
	if (r == NULL || PQresultStatus(r) != want) {
		db_error_from_result(r, conn, err);
		PQclear(r);
		msp_error_prefix(err, "%s", what);
		return MSP_EDB;
	}
	if (res != NULL)
		*res = r;
	else
		PQclear(r);
	return MSP_OK;
}

enum msp_status
db_exec(PGconn *conn, const char *what, const char *sql, int nparams,
	const char *const *params, ExecStatusType want, PGresult **res,
	struct msp_error *err)
{
	if (res != NULL)
		*res = NULL;
	return check_result(PQexecParams(conn, sql, nparams,
					 NULL /* types: inferred */, params,
					 NULL /* lengths: text */,
					 NULL /* formats: all text */,
					 0 /* text results */),
			    conn, what, want, res, err);
}

enum msp_status
db_prepare(PGconn *conn, const char *name, const char *sql, int nparams,
	   struct msp_error *err)
{
	return check_result(PQprepare(conn, name, sql, nparams,
				      NULL /* types: inferred */),
			    conn, name, PGRES_COMMAND_OK, NULL, err);
}

enum msp_status
db_exec_prepared(PGconn *conn, const char *name, int nparams,
		 const char *const *params, ExecStatusType want,
		 PGresult **res, struct msp_error *err)
{
	if (res != NULL)
		*res = NULL;
	return check_result(PQexecPrepared(conn, name, nparams, params,
					   NULL /* lengths: text */,
					   NULL /* formats: all text */,
					   0 /* text results */),
			    conn, name, want, res, err);
}

int
db_column(const PGresult *res, const char *name)
{
	return PQfnumber(res, name);
}

const char *
db_text(const PGresult *res, int row, const char *name)
{
	int col = db_column(res, name);

	if (col < 0 || PQgetisnull(res, row, col))
		return NULL;
	return PQgetvalue(res, row, col);
}

long long
db_int(const PGresult *res, int row, const char *name)
{
	const char *v = db_text(res, row, name);

	return v != NULL ? strtoll(v, NULL, 10) : 0;
}

const char *
db_error_sentence(const struct msp_error *err)
{
	const char *m = strstr(err->message, "ERROR: ");

	return m != NULL ? m + strlen("ERROR: ") : err->message;
}

enum db_class
db_classify(const char *s)
{
	/* exact codes first, then their classes (the first two
	 * characters) */
	static const struct {
		const char *code;
		enum db_class c;
	} exact[] = {
		{ "00000", DB_OK },
		{ "02000", DB_NO_DATA },
		{ "22023", DB_INVALID_PARAMETER },
		{ "25006", DB_BUSY },
		{ "40001", DB_BUSY },
		{ "23503", DB_FOREIGN_KEY },
		{ "23505", DB_UNIQUE },
		{ "23514", DB_CHECK },
		{ "28000", DB_AUTH },
		{ "42501", DB_DENIED },
		{ "55P03", DB_BUSY },
		{ "57014", DB_BUSY },
		{ "P0002", DB_NOT_FOUND },
		{ "MSPF1", DB_FORM_OTHER_STUDY },
		{ "MSPF2", DB_FORM_UNKNOWN_CODE },
		{ "MSPF3", DB_FORM_SENT },
		{ "MSPF4", DB_FORM_OTHER_CODE },
		{ "MSPS1", DB_STUDY_CLOSED },
		{ "MSPS2", DB_STUDY_NOT_OPEN },
		{ "MSPI1", DB_INVITATION_UNKNOWN },
	};
	size_t i;

	if (s == NULL || *s == '\0')
		return DB_OTHER;
	if (strlen(s) != 5)
		return DB_OTHER;
	for (i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (strcmp(s, exact[i].code) == 0)
			return exact[i].c;
	if (strncmp(s, "08", 2) == 0)
		return DB_CONN;
	if (strncmp(s, "22", 2) == 0)
		return DB_DATA;
	if (strncmp(s, "23", 2) == 0)
		return DB_INTEGRITY;
	return DB_OTHER;
}

int
db_class_is_data(enum db_class c)
{
	return c == DB_DATA || c == DB_INVALID_PARAMETER;
}

int
db_refused_answers(enum db_class c)
{
	return db_class_is_data(c) || c == DB_INTEGRITY ||
	       c == DB_FOREIGN_KEY || c == DB_UNIQUE || c == DB_CHECK;
}

int
db_class_is_input(enum db_class c)
{
	return db_refused_answers(c) || c == DB_NO_DATA;
}
