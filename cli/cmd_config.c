/*
 * msp-report config check — says what is wrong with the configuration
 * file (lib/conffile.h), one line each, before systemd or msp-report
 * trip on it.  Needs no database: it checks what can be checked on the
 * machine (syntax, names, values, the secret file, modes).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "conffile.h"

static const char config_usage[] =
"Usage: msp-report config check [FILE]\n"
"Checks the configuration file FILE (default: $MSP_CONFIG, else\n"
MSP_CONFIG_FILE ") and prints each problem on\n"
"one line, FILE:LINE: what is wrong (in French): a line systemd and\n"
"msp-report would not read alike, a name no program reads (a typo), a\n"
"setting given twice, a connection string libpq refuses, a secret file\n"
"missing, unreadable, of the wrong size or readable by all, a worker or\n"
"batch count out of range, an SMTP relay half given, an account for\n"
"the package's migrations (MSP_MIGRATE_USER) this machine lacks, the old\n"
"MSP_DISCLOSURE_THRESHOLD (the threshold is in the database: 'msp-report\n"
"disclosure threshold N'), a password in a file anyone may read, no\n"
"database or no secret at all.  Prints nothing else when all is right.\n"
"\n"
"  -h, --help   show this help and exit\n"
"\n"
"The same file is read by systemd for msp-fcgi (EnvironmentFile=) and by\n"
"msp-report at every start, for the settings its environment does not\n"
"set already (MSP_CONFIG='' turns that off).\n"
"\n"
"Exit status: 0 when the file is right, 1 when it has a problem or\n"
"cannot be read, 2 on a usage error.\n";

struct where {
	const char *path;
	size_t problems;
};

static void
print_problem(void *arg, unsigned line, const char *message)
{
	struct where *w = arg;

	if (line > 0)
		printf("%s:%u: %s\n", w->path, line, message);
	else
		printf("%s: %s\n", w->path, message);
	w->problems++;
}

static int
config_check(const char *path)
{
	struct conffile c = { NULL, 0, 0 };
	struct where w = { path, 0 };
	struct msp_error err;
	enum msp_status st;

	st = conffile_read(path, &c, print_problem, &w, &err);
	if (st != MSP_OK && w.problems == 0) {
		/* not read at all: why, in one line */
		printf("%s: %s\n", path, err.message);
		conffile_free(&c);
		return 1;
	}
	conffile_check(&c, print_problem, &w);
	conffile_free(&c);
	fflush(stdout);
	return w.problems > 0 ? 1 : 0;
}

int
cmd_config(const struct cli_context *ctx, int argc, char **argv)
{
	const char *path;
	int rc;

	(void)ctx;
	if ((rc = cli_action_help(argc, argv, config_usage)) >= 0)
		return rc;
	if (strcmp(argv[1], "check") != 0)
		return cli_usage_error("config", "action inconnue", argv[1]);
	if (argc > 3)
		return cli_usage_error("config", "argument en trop", argv[3]);
	if (argc > 2 && argv[2][0] == '-')
		return cli_usage_error("config", "option inconnue", argv[2]);
	path = argc > 2 ? argv[2] : conffile_default_path();
	if (*path == '\0')
		return cli_usage_error("config", "MSP_CONFIG est vide et aucun "
				       "fichier n'est donné", NULL);
	return config_check(path);
}

/* Each syntax problem of the file msp-report reads at start, on stderr. */
static void
print_load_problem(void *arg, unsigned line, const char *message)
{
	const struct where *w = arg;

	fprintf(stderr, "msp-report: %s:%u: %s\n", w->path, line, message);
}

int
cli_load_config(void)
{
	struct conffile c = { NULL, 0, 0 };
	struct msp_error err;
	const char *path = conffile_default_path();
	struct where w = { path, 0 };
	int rc = 0;

	if (*path == '\0' || (access(path, F_OK) != 0 && errno == ENOENT))
		return 0;	/* none: the environment alone */
	if (access(path, R_OK) != 0) {
		/* Not skipped: without it, libpq's defaults would pick a
		 * database (the user's own name), and a migration could go
		 * into the wrong one.  Who means to do without says so. */
		fprintf(stderr, "msp-report: %s illisible (%s) ; "
			"MSP_CONFIG= pour s'en passer, MSP_CONFIG=FICHIER "
			"pour en lire un autre\n", path, strerror(errno));
		return 1;
	}
	if (conffile_read(path, &c, print_load_problem, &w,
			  &err) != MSP_OK ||
	    conffile_export(&c, &err) != MSP_OK) {
		fprintf(stderr, "msp-report: %s\nmsp-report config check "
			"dit ce qui ne va pas.\n", err.message);
		rc = 1;
	}
	conffile_free(&c);
	return rc;
}
