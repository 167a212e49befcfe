/*
 * msp-report generate — being written.
 */
#include "config.h"

#include <stdio.h>

#include "cli.h"

int
cmd_generate(const struct cli_context *ctx, int argc, char **argv)
{
	(void)ctx; (void)argc; (void)argv;
	fputs("msp-report: 'generate' is not implemented yet\n", stderr);
	return 1;
}
