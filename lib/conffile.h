/*
 * conffile — the installed configuration file,
 * /etc/msp-survey/msp-survey.conf (CONFFILE_DEFAULT).
 *
 * One file for both programs: systemd reads it for msp-fcgi
 * (EnvironmentFile=), msp-report reads it itself (conffile_export:
 * what the environment does not already set).  So its syntax is the
 * part of systemd's EnvironmentFile= that means the same to systemd, to
 * this reader and to a POSIX shell that sources it: NAME=VALUE with no
 * blank around '=', VALUE either bare (no blank, quote, backslash, '$'
 * or '`') or wholly inside '...' or "..." with none of those quotes,
 * backslashes, '$' or '`' within; lines starting with '#' or ';', and
 * blank lines, are comments.  Anything else is refused with its line
 * number rather than read one way here and another by systemd.
 *
 * The settings themselves are the environment variables the programs
 * read (lib/settings.h, lib/mail.h, msp-fcgi --help); conffile_check
 * says, one line each, what is wrong with them.
 */
#ifndef MSP_CONFFILE_H
#define MSP_CONFFILE_H

#include <stddef.h>

#include "msp_error.h"

/* A configuration file larger than this is refused (it has ~20 lines). */
#define CONFFILE_MAX ((size_t)64 * 1024)

/* Set by the build (Makefile.am: $(sysconfdir)/msp-survey/...). */
#ifndef MSP_CONFIG_FILE
#define MSP_CONFIG_FILE "/etc/msp-survey/msp-survey.conf"
#endif

struct conffile_entry {
	unsigned line;		/* 1-based */
	char *name;
	char *value;		/* without its quotes */
};

struct conffile {
	struct conffile_entry *entries;
	size_t n;
	unsigned mode;		/* the file's permission bits */
};

/*
 * Called with each problem: the line it is on (0: the file as a whole)
 * and a French sentence without the final newline.
 */
typedef void (*conffile_report_fn)(void *arg, unsigned line,
				   const char *message);

/*
 * The file msp-report reads: MSP_CONFIG when set (empty: none, "" is
 * returned), else MSP_CONFIG_FILE.  Borrowed.
 */
const char *conffile_default_path(void);

/*
 * Reads path into *out (conffile_free() it, on failure too).  Each line
 * that is not of the syntax above is reported through report and makes
 * the result MSP_EINVAL (the other lines are still read).  Fails with
 * MSP_EIO when the file cannot be read (err says why),
 * MSP_EINVAL when larger than CONFFILE_MAX, MSP_ENOMEM.
 */
enum msp_status conffile_read(const char *path, struct conffile *out,
			      conffile_report_fn report, void *arg,
			      struct msp_error *err);

/*
 * Sets in the environment every entry whose name is not set there
 * already: the environment (a shell's export, a unit's Environment=)
 * wins over the file.  MSP_ENOMEM when setenv fails.
 */
enum msp_status conffile_export(const struct conffile *c,
				struct msp_error *err);

/*
 * Checks every setting: a name no program reads, one given twice, a
 * connection string libpq refuses, a secret file that is missing,
 * unreadable, of the wrong size or readable by all, counts out of
 * range, an SMTP relay half given, an MSP_MIGRATE_USER account this
 * machine lacks, the old MSP_DISCLOSURE_THRESHOLD,
 * a password in a file anyone may read, no database or secret at all.
 * Reports each problem once; returns how many there were.
 */
size_t conffile_check(const struct conffile *c, conffile_report_fn report,
		      void *arg);

/* Frees what conffile_read made; safe on a zeroed struct, twice too. */
void conffile_free(struct conffile *c);

#endif
