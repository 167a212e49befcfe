/*
 * cli — what msp-report's commands share.
 */
#ifndef MSP_CLI_H
#define MSP_CLI_H

#include <libpq-fe.h>

#include "crypto.h"
#include "msp_error.h"
#include "tenant.h"

struct cli_context {
	const char *database;	/* --database, or NULL for the default */
};

/* A command gets argv from its own name on; returns the exit status. */
struct cli_command {
	const char *name;
	int (*run)(const struct cli_context *ctx, int argc, char **argv);
};

/* Connects to the database the context names; prints why not. */
PGconn *cli_connect(const struct cli_context *ctx);

/*
 * Connects to the database reports read (MSP_REPORT_DATABASE_URL, which
 * may be a hot standby; default MSP_DATABASE_URL), or to --database
 * when given; prints why not.  For the commands that only read and
 * need not see a write made a moment ago: report, fieldwork, export,
 * agreement.
 */
PGconn *cli_connect_reports(const struct cli_context *ctx);

/* Prints "msp-report: MESSAGE" for err on stderr; returns 1.  A
 * database that was busy (db_classify: a lock or statement timeout, a
 * hot standby's conflict with recovery) is said in French first, the
 * server's message after it. */
int cli_fail(const struct msp_error *err);

/*
 * Prints "msp-report COMMAND: WHAT 'ARG'" (ARG may be NULL) and the
 * hint to ask COMMAND's --help on stderr; returns 2.
 */
int cli_usage_error(const char *command, const char *what, const char *arg);

/*
 * The help of a 'COMMAND ACTION ...' command, before any database:
 * without an action, usage on stderr and 2; with --help (or -h) as the
 * action or right after it, usage on stdout and 0; otherwise -1 (go on).
 */
int cli_action_help(int argc, char **argv, const char *usage);

/* The bearer token in MSP_TOKEN, whose identity the command takes on;
 * NULL when it is unset or empty (the database owner's identity). */
const char *cli_token(void);

/*
 * The pseudonym of a team identifier under the server secret
 * (MSP_SECRET_FILE), exactly as the forms and the API compute it, into
 * out: the one its structure is stored under, when it was stored under
 * the pseudonym of before issue 18 (pseudonym_find(), asked of conn).
 * Returns 0, or 1 after printing why (no secret, an empty identifier,
 * the database).
 */
int cli_pseudonym(PGconn *conn, const char *identifier,
		  char out[CRYPTO_SHA256_HEX]);

/*
 * The fieldwork commands' transaction (region, federation, study,
 * frame): BEGIN on conn, then, when MSP_TOKEN is set, its identity
 * (tenant_enter), whose kind goes to *kind (TENANT_NONE: the
 * connection's own role, the database owner).  Returns 0, or 1 after
 * printing why (the transaction is then rolled back).
 */
int cli_begin(PGconn *conn, const char *command, enum tenant_kind *kind);

/*
 * 0 when this transaction may manage fieldwork: an analyst token, or no
 * token from a login that owns schema msp (asked of conn: the worker's
 * login msp_worker, with no token, is not the owner).  Else prints a
 * French refusal and returns 1.  The database refuses the others too
 * (msp.require_fieldwork_manager, migration 0034): this is the clear
 * message, not the guard.
 */
int cli_require_manager(PGconn *conn, const char *command,
			enum tenant_kind kind);

/* COMMIT: 0, or 1 after printing why. */
int cli_commit(PGconn *conn);

/* ROLLBACK, whatever the connection's state; never fails. */
void cli_rollback(PGconn *conn);

/* Prints a failed statement's error for people ("refusé par la base"
 * for 42501, else the server's message) after "msp-report COMMAND: ";
 * returns 1. */
int cli_db_refusal(const char *command, const struct msp_error *err);

/* A refusal of the coding functions (migration 0039: French messages
 * for people, "rien n'a été enregistré"), else cli_db_refusal; 1. */
int cli_coding_refusal(const char *command, const struct msp_error *err);

/* Whether s is a slug: lower-case ASCII letters and digits in runs
 * joined by single hyphens, 1-63 characters (the schema's CHECK). */
int cli_valid_slug(const char *s);

/* Whether s is a name for people: valid UTF-8, no control character,
 * not blank, at most max_chars characters. */
int cli_valid_name(const char *s, size_t max_chars);

/* Whether s is a date YYYY-MM-DD that exists, years 2000-2100; copies
 * it to out. */
int cli_parse_date(const char *s, char out[11]);

/* One column of a listing: its French header, the result's column it
 * shows, and whether it is a number (aligned right). */
struct cli_column {
	const char *header;
	const char *field;
	int number;
};

/*
 * Prints res as a table on stdout: the headers, then one line per row,
 * each column as wide as its widest cell counted in characters (not
 * bytes: « région » and « Fédération » line up), two blanks between
 * columns, numbers (and their headers) aligned right, the last
 * column not padded.  A field res lacks prints as empty;
 * nothing can fail.
 */
void cli_print_table(const PGresult *res, const struct cli_column *cols,
		     size_t n_cols);

/*
 * Makes the protection plan of closed study slug on conn (idle), under
 * MSP_TOKEN's identity, and stores its federation releases
 * (cli/cmd_protect.c): progress on stderr unless quiet, the result on
 * stdout, command naming who speaks ("disclosure-protect", "study").
 * Returns 0, or 1 after printing why: an error (the study's federation
 * reports then stay refused) or, when strict, figures still failing
 * the audit (the plan is applied all the same).
 */
int cli_protect(PGconn *conn, const char *command, const char *slug,
		unsigned max_rounds, int quiet, int strict);

/*
 * Reads the configuration file (conffile_default_path(), when it
 * exists) into the environment, under what is set there already.
 * Returns 0, or 1 after saying on stderr that the file exists but
 * cannot be read, or what its syntax problems are (cli/cmd_config.c).
 */
int cli_load_config(void);

int cmd_config(const struct cli_context *ctx, int argc, char **argv);
int cmd_agreement(const struct cli_context *ctx, int argc, char **argv);
int cmd_backup(const struct cli_context *ctx, int argc, char **argv);
int cmd_code(const struct cli_context *ctx, int argc, char **argv);
int cmd_codebook(const struct cli_context *ctx, int argc, char **argv);
int cmd_db(const struct cli_context *ctx, int argc, char **argv);
int cmd_disclosure(const struct cli_context *ctx, int argc, char **argv);
int cmd_disclosure_audit(const struct cli_context *ctx, int argc,
			 char **argv);
int cmd_disclosure_protect(const struct cli_context *ctx, int argc,
			   char **argv);
int cmd_erase(const struct cli_context *ctx, int argc, char **argv);
int cmd_export(const struct cli_context *ctx, int argc, char **argv);
int cmd_generate(const struct cli_context *ctx, int argc, char **argv);
int cmd_import(const struct cli_context *ctx, int argc, char **argv);
int cmd_instrument(const struct cli_context *ctx, int argc, char **argv);
int cmd_report(const struct cli_context *ctx, int argc, char **argv);
int cmd_test(const struct cli_context *ctx, int argc, char **argv);
int cmd_frame(const struct cli_context *ctx, int argc, char **argv);
int cmd_fieldwork(const struct cli_context *ctx, int argc, char **argv);
int cmd_contact(const struct cli_context *ctx, int argc, char **argv);
int cmd_volunteers(const struct cli_context *ctx, int argc, char **argv);
int cmd_invite(const struct cli_context *ctx, int argc, char **argv);
int cmd_remind(const struct cli_context *ctx, int argc, char **argv);
int cmd_federation(const struct cli_context *ctx, int argc, char **argv);
int cmd_region(const struct cli_context *ctx, int argc, char **argv);
int cmd_restore(const struct cli_context *ctx, int argc, char **argv);
int cmd_qdpx(const struct cli_context *ctx, int argc, char **argv);
int cmd_study(const struct cli_context *ctx, int argc, char **argv);
int cmd_token(const struct cli_context *ctx, int argc, char **argv);

#endif
