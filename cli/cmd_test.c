/*
 * msp-report test — being written.
 */
#include "config.h"

#include <stdio.h>

#include "cli.h"

int
cmd_test(const struct cli_context *ctx, int argc, char **argv)
{
	(void)ctx; (void)argc; (void)argv;
	fputs("msp-report: 'test' is not implemented yet\n", stderr);
	return 1;
}
