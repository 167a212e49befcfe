#include "config.h"

#include <stdio.h>

#include "cli.h"
#include "db.h"
#include "settings.h"

PGconn *
cli_connect(const struct cli_context *ctx)
{
	struct msp_error err;
	PGconn *conn = NULL;
	const char *url = ctx->database != NULL ? ctx->database :
			  settings_database_url();

	if (db_connect(url, NULL, &conn, &err) != MSP_OK)
		cli_fail(&err);
	return conn;
}

int
cli_fail(const struct msp_error *err)
{
	fprintf(stderr, "msp-report: %s\n", err->message);
	return 1;
}
