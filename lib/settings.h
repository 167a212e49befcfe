/*
 * settings — where the programs' settings come from.
 *
 * Settings come from the environment so that the run command, the test
 * harness and a deployment's unit file all set them the same way.  Each
 * getter returns a borrowed string that is never NULL.
 */
#ifndef MSP_SETTINGS_H
#define MSP_SETTINGS_H

/*
 * The database to use: MSP_DATABASE_URL if set, otherwise "" so that
 * libpq reads the usual PG* variables (PGHOST, PGDATABASE, ...).
 */
const char *settings_database_url(void);

/*
 * The database reports read: MSP_REPORT_DATABASE_URL if set (it may
 * name a streaming-replication hot standby of the first), otherwise
 * settings_database_url().  Only reads go there: whatever writes, and
 * whatever must see a write made a moment ago (a web session, a token
 * just created), uses settings_database_url().
 */
const char *settings_report_database_url(void);

/*
 * The database msp-fcgi's workers use: MSP_FCGI_DATABASE_URL if set (in
 * /etc/msp-survey/msp-survey.conf, the least-privileged msp_worker
 * role, while MSP_DATABASE_URL there is the administrator's, for
 * msp-report), otherwise settings_database_url().
 */
const char *settings_fcgi_database_url(void);

/*
 * The database msp-fcgi's report pages read: when MSP_FCGI_DATABASE_URL
 * is set, MSP_FCGI_REPORT_DATABASE_URL, else that same database (never
 * MSP_REPORT_DATABASE_URL, which then is the administrator's);
 * otherwise settings_report_database_url().
 */
const char *settings_fcgi_report_database_url(void);

/* msp-fcgi's limits, which msp-report config check checks too. */
#define SETTINGS_WORKERS_MAX 64
#define SETTINGS_BATCH_MAX 256

/*
 * The directory of schema migrations: MSP_MIGRATIONS_DIR if set,
 * otherwise the installed one ($(pkgdatadir)/migrations).
 */
const char *settings_migrations_dir(void);

/*
 * The directory of function files (sql/functions/NAME.sql):
 * MSP_FUNCTIONS_DIR if set; otherwise, when MSP_MIGRATIONS_DIR is set,
 * its sibling "functions" directory (DIR/../functions), so that a
 * source tree's migrations and functions go together; otherwise the
 * installed one ($(pkgdatadir)/functions).  A path too long for the
 * static buffer falls back to the installed one.
 */
const char *settings_functions_dir(void);

/*
 * The directory of reference data loads: MSP_REFERENCE_DIR if set,
 * otherwise the installed one ($(pkgdatadir)/reference).
 */
const char *settings_reference_dir(void);

/*
 * The file holding the server secret (pseudonyms, form tokens):
 * MSP_SECRET_FILE, or "" when unset (the programs that need it refuse
 * to start).
 */
const char *settings_secret_file(void);

#endif
