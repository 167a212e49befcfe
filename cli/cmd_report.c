/*
 * msp-report report — being written.
 */
#include "config.h"

#include <stdio.h>

#include "cli.h"

int
cmd_report(const struct cli_context *ctx, int argc, char **argv)
{
	(void)ctx; (void)argc; (void)argv;
	fputs("msp-report: 'report' is not implemented yet\n", stderr);
	return 1;
}
