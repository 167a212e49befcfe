/*
 * cli — what msp-report's commands share.
 */
#ifndef MSP_CLI_H
#define MSP_CLI_H

#include <libpq-fe.h>

#include "crypto.h"
#include "msp_error.h"

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

/* Prints "msp-report: MESSAGE" for err on stderr; returns 1. */
int cli_fail(const struct msp_error *err);

/*
 * Prints "msp-report COMMAND: WHAT 'ARG'" (ARG may be NULL) and the
 * hint to ask COMMAND's --help on stderr; returns 2.
 */
int cli_usage_error(const char *command, const char *what, const char *arg);

/* The bearer token in MSP_TOKEN, whose identity the command takes on;
 * NULL when it is unset or empty (the database owner's identity). */
const char *cli_token(void);

/*
 * The pseudonym of a team identifier under the server secret
 * (MSP_SECRET_FILE), exactly as the forms and the API compute it, into
 * out.  Returns 0, or 1 after printing why (no secret, an empty
 * identifier).
 */
int cli_pseudonym(const char *identifier, char out[CRYPTO_SHA256_HEX]);

int cmd_db(const struct cli_context *ctx, int argc, char **argv);
int cmd_erase(const struct cli_context *ctx, int argc, char **argv);
int cmd_export(const struct cli_context *ctx, int argc, char **argv);
int cmd_generate(const struct cli_context *ctx, int argc, char **argv);
int cmd_import(const struct cli_context *ctx, int argc, char **argv);
int cmd_instrument(const struct cli_context *ctx, int argc, char **argv);
int cmd_report(const struct cli_context *ctx, int argc, char **argv);
int cmd_test(const struct cli_context *ctx, int argc, char **argv);
int cmd_token(const struct cli_context *ctx, int argc, char **argv);

#endif
