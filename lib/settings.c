#include "config.h"

#include <stdlib.h>

#include "settings.h"

#if !defined(MSP_MIGRATIONS_DIR) || !defined(MSP_REFERENCE_DIR)
#error "the build must define MSP_MIGRATIONS_DIR and MSP_REFERENCE_DIR"
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
settings_migrations_dir(void)
{
	return env_or("MSP_MIGRATIONS_DIR", MSP_MIGRATIONS_DIR);
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
