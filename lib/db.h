/*
 * db — connections and the one way we run a statement.
 *
 * Every statement goes through db_exec(), which checks the result
 * status, turns a failure into an msp_error naming the statement (never
 * its parameter values: they carry respondents' data) and clears the
 * result on every failing path.  On success the caller owns *res and
 * must PQclear() it.
 */
#ifndef MSP_DB_H
#define MSP_DB_H

#include <libpq-fe.h>

#include "msp_error.h"

/*
 * Connects with conninfo (a URI or key=value string); a non-NULL dbname
 * overrides the database it names.  The session gets an empty
 * search_path, so every statement must schema-qualify what it uses, and
 * UTF-8 client encoding.  On success *out owns the connection (PQfinish
 * it); on failure *out is NULL and err says why (MSP_EDB).
 */
enum msp_status db_connect(const char *conninfo, const char *dbname,
			   PGconn **out, struct msp_error *err);

/*
 * Runs sql with nparams text parameters and checks that the result has
 * status want (PGRES_COMMAND_OK or PGRES_TUPLES_OK).  "what" names the
 * statement in error messages.  res may be NULL when the caller needs no
 * rows.  Fails with MSP_EDB; *res is then NULL.
 */
enum msp_status db_exec(PGconn *conn, const char *what, const char *sql,
			int nparams, const char *const *params,
			ExecStatusType want, PGresult **res,
			struct msp_error *err);

/*
 * Prepares sql under name on conn (once per connection); fails with
 * MSP_EDB.
 */
enum msp_status db_prepare(PGconn *conn, const char *name, const char *sql,
			   int nparams, struct msp_error *err);

/* db_exec() for a statement prepared with db_prepare(). */
enum msp_status db_exec_prepared(PGconn *conn, const char *name,
				 int nparams, const char *const *params,
				 ExecStatusType want, PGresult **res,
				 struct msp_error *err);

/*
 * Fills err from a failed result: the server's primary message, then its
 * detail and hint if any.  Used by db_exec() and by callers that run
 * multi-statement scripts with PQexec().  Does not clear res.
 */
enum msp_status db_error_from_result(const PGresult *res, PGconn *conn,
				     struct msp_error *err);

/*
 * What a failed statement's SQLSTATE means to a caller, so that the
 * decisions (which HTTP status, retry or not) compare names, not
 * five-character literals scattered over the tree.  Appendix A of the
 * PostgreSQL manual lists the codes; MSPFn are migration 0025's, MSPSn
 * 0028's, MSPI1 0032's.
 */
enum db_class {
	DB_OK,			/* "00000", or no error at all */
	DB_NO_DATA,		/* 02000 no_data */
	DB_CONN,		/* class 08: connection exception */
	DB_DATA,		/* class 22 data exception, but 22023 */
	DB_INVALID_PARAMETER,	/* 22023 invalid_parameter_value */
	DB_INTEGRITY,		/* class 23, but the three below */
	DB_FOREIGN_KEY,		/* 23503 foreign_key_violation */
	DB_UNIQUE,		/* 23505 unique_violation */
	DB_CHECK,		/* 23514 check_violation */
	DB_AUTH,		/* 28000 invalid_authorization_specification */
	DB_DENIED,		/* 42501 insufficient_privilege */
	DB_BUSY,		/* 55P03 lock_not_available, 57014
				 * query_canceled: our timeouts fired;
				 * 40001 serialization_failure: a hot
				 * standby cancelled the statement for a
				 * conflict with recovery (the primary's
				 * VACUUM or lock needed its rows);
				 * 25006 read_only_sql_transaction: a write
				 * reached a standby (a bug to log, but the
				 * same answer: nothing was done, later or
				 * elsewhere may do) */
	DB_NOT_FOUND,		/* P0002 no_data_found (PL/pgSQL) */
	DB_FORM_OTHER_STUDY,	/* MSPF1: the form key is another study's */
	DB_FORM_UNKNOWN_CODE,	/* MSPF2: no draft has this resume code */
	DB_FORM_SENT,		/* MSPF3: the response is complete */
	DB_FORM_OTHER_CODE,	/* MSPF4: saved under another resume code */
	DB_STUDY_CLOSED,	/* MSPS1: the study is closed (0028) */
	DB_STUDY_NOT_OPEN,	/* MSPS2: the study opens later (0028) */
	DB_INVITATION_UNKNOWN,	/* MSPI1: no invitation has this link
				 * (0032) */
	DB_OTHER,		/* anything else, or no SQLSTATE (a client-
				 * side failure: ask PQstatus whether the
				 * connection is gone) */
};

/*
 * The class of SQLSTATE sqlstate (err->sqlstate, may be NULL or ""):
 * never fails, DB_OTHER for what it does not know.
 */
enum db_class db_classify(const char *sqlstate);

/*
 * The server's sentence in err->message (db_error_from_result): what
 * follows its "ERROR: ", DETAIL and HINT lines included; the whole
 * message when it has none (a client-side failure).  Points into err.
 */
const char *db_error_sentence(const struct msp_error *err);

/* Whether c is the input's fault: a data exception (class 22), an
 * integrity constraint (class 23) or no_data (02000). */
int db_class_is_input(enum db_class c);

/* Whether c is a data exception (class 22) or an integrity constraint
 * (class 23): answers the database refused. */
int db_refused_answers(enum db_class c);

/* Whether c is a data exception (class 22). */
int db_class_is_data(enum db_class c);

/* Column number of name in res, or -1: columns by name, not position. */
int db_column(const PGresult *res, const char *name);

/*
 * The integer in column name of row: the server printed it, so it is
 * well formed.  0 for SQL NULL or a column res does not have.
 */
long long db_int(const PGresult *res, int row, const char *name);

/* The text in column name of row (owned by res), or NULL for SQL NULL
 * or a column res does not have. */
const char *db_text(const PGresult *res, int row, const char *name);

#endif
