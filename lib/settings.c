#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "settings.h"

#if !defined(MSP_MIGRATIONS_DIR) || !defined(MSP_REFERENCE_DIR) || \
    !defined(MSP_FUNCTIONS_DIR)
#error "the build must define the MSP_*_DIR paths (Makefile.am)"
#endif

/* An environment variable, or fallback when it is unset or empty. */
static const char *
env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : fallback;
}

const char *
settings_database_url(void)
{
	return env_or("MSP_DATABASE_URL", "");
}

const char *
settings_report_database_url(void)
{
	return env_or("MSP_REPORT_DATABASE_URL", settings_database_url());
}

const char *
settings_fcgi_database_url(void)
{
	return env_or("MSP_FCGI_DATABASE_URL", settings_database_url());
}

const char *
settings_fcgi_report_database_url(void)
{
	const char *fcgi = env_or("MSP_FCGI_DATABASE_URL", NULL);

	if (fcgi == NULL)
		return settings_report_database_url();
	return env_or("MSP_FCGI_REPORT_DATABASE_URL", fcgi);
}

const char *
settings_migrations_dir(void)
{
	return env_or("MSP_MIGRATIONS_DIR", MSP_MIGRATIONS_DIR);
}

const char *
settings_functions_dir(void)
{
	static char sibling[4096];
	const char *migrations = getenv("MSP_MIGRATIONS_DIR");
	int n;

	if (getenv("MSP_FUNCTIONS_DIR") != NULL &&
	    *getenv("MSP_FUNCTIONS_DIR") != '\0')
		return getenv("MSP_FUNCTIONS_DIR");
	if (migrations == NULL || *migrations == '\0')
		return MSP_FUNCTIONS_DIR;
	/* Migrations from a source tree take that tree's functions: the
	 * installed ones may be of another version. */
	n = snprintf(sibling, sizeof(sibling), "%s/../functions", migrations);
	return n > 0 && (size_t)n < sizeof(sibling) ? sibling :
	       MSP_FUNCTIONS_DIR;
}

const char *
settings_reference_dir(void)
{
	return env_or("MSP_REFERENCE_DIR", MSP_REFERENCE_DIR);
}

const char *
settings_secret_file(void)
{
	return env_or("MSP_SECRET_FILE", "");
}
