/*
 * cli — what msp-report's commands share.
 */
#ifndef MSP_CLI_H
#define MSP_CLI_H

#include <libpq-fe.h>

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

int cmd_db(const struct cli_context *ctx, int argc, char **argv);
int cmd_generate(const struct cli_context *ctx, int argc, char **argv);
int cmd_report(const struct cli_context *ctx, int argc, char **argv);
int cmd_test(const struct cli_context *ctx, int argc, char **argv);
int cmd_token(const struct cli_context *ctx, int argc, char **argv);

#endif
