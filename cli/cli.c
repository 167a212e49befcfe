#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "db.h"
#include "secret.h"
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

int
cli_usage_error(const char *command, const char *what, const char *arg)
{
	fprintf(stderr, "msp-report %s: %s", command, what);
	if (arg != NULL)
		fprintf(stderr, " '%s'", arg);
	fprintf(stderr, "\nTry 'msp-report %s --help'.\n", command);
	return 2;
}

const char *
cli_token(void)
{
	const char *token = getenv("MSP_TOKEN");

	return token != NULL && token[0] != '\0' ? token : NULL;
}

int
cli_pseudonym(const char *identifier, char out[CRYPTO_SHA256_HEX])
{
	struct secret secret;
	struct msp_error err;
	enum msp_status st;

	st = secret_load(settings_secret_file(), &secret, &err);
	if (st == MSP_OK) {
		st = secret_pseudonym(&secret, identifier, out, &err);
		secret_clear(&secret);
	}
	return st == MSP_OK ? 0 : cli_fail(&err);
}
