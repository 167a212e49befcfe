/*
 * msp-report token — being written.
 */
#include "config.h"

#include <stdio.h>

#include "cli.h"

int
cmd_token(const struct cli_context *ctx, int argc, char **argv)
{
	(void)ctx; (void)argc; (void)argv;
	fputs("msp-report: 'token' is not implemented yet\n", stderr);
	return 1;
}
