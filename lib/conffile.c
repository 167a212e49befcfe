#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libpq-fe.h>

#include "alloc.h"
#include "conffile.h"
#include "disclosure_policy.h"
#include "file.h"
#include "mail.h"
#include "secret.h"
#include "settings.h"

const char *
conffile_default_path(void)
{
	const char *v = getenv("MSP_CONFIG");

	return v != NULL ? v : MSP_CONFIG_FILE;
}

/* report(arg, line, printf-style message), through a bounded buffer. */
static void
say(conffile_report_fn report, void *arg, unsigned line, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static void
say(conffile_report_fn report, void *arg, unsigned line, const char *fmt,
    ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	report(arg, line, msg);
}

static int
name_char(char c, int first)
{
	return (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

/* Characters systemd or a shell would read otherwise than we do. */
static int
special_char(char c)
{
	return c == '\\' || c == '$' || c == '`' || c == '"' || c == '\'';
}

/*
 * One line (NUL-terminated, no newline) into *e, or a problem reported
 * and -1.  0 with e->name NULL: a comment or a blank line.
 */
static int
parse_line(char *line, unsigned no, struct conffile_entry *e,
	   conffile_report_fn report, void *arg)
{
	char *eq, *v, *p;
	size_t len;

	len = strlen(line);
	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#' || *p == ';')
		return 0;
	if (p != line) {
		say(report, arg, no, "blanc en début de ligne (NOM=valeur "
		    "commence à la première colonne)");
		return -1;
	}
	eq = strchr(line, '=');
	if (eq == NULL) {
		say(report, arg, no, "ligne sans « = » : attendu NOM=valeur");
		return -1;
	}
	for (p = line; p < eq; p++)
		if (!name_char(*p, p == line))
			break;
	if (p == line || p < eq) {
		say(report, arg, no, "nom de variable invalide avant « = » "
		    "(majuscules, chiffres et _, sans blanc autour de =)");
		return -1;
	}
	v = eq + 1;
	len = strlen(v);
	if (len >= 2 && (v[0] == '"' || v[0] == '\'') && v[len - 1] == v[0]) {
		v[len - 1] = '\0';
		v++;
		for (p = v; *p != '\0'; p++)
			if (special_char(*p))
				break;
	} else {
		for (p = v; *p != '\0'; p++)
			if (special_char(*p) || *p == ' ' || *p == '\t')
				break;
	}
	if (*p != '\0') {
		*eq = '\0';
		say(report, arg, no, "%s : valeur non comprise de la même "
		    "façon par systemd et msp-report (blanc hors guillemets, "
		    "ou \\ $ ` \" ' dans la valeur)", line);
		return -1;
	}
	*eq = '\0';
	e->line = no;
	e->name = msp_strdup(line);
	e->value = msp_strdup(v);
	return e->name == NULL || e->value == NULL ? -2 : 0;
}

enum msp_status
conffile_read(const char *path, struct conffile *out,
	      conffile_report_fn report, void *arg, struct msp_error *err)
{
	struct conffile_entry e;
	struct stat st;
	char *text = NULL, *line, *next;
	size_t len, cap = 0;
	unsigned no = 0;
	enum msp_status st_ = MSP_OK;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((st_ = file_read(path, CONFFILE_MAX, &text, &len, err)) != MSP_OK)
		return st_;
	if (stat(path, &st) == 0)
		out->mode = (unsigned)(st.st_mode & 07777);
	if (strlen(text) != len) {
		st_ = msp_error_set(err, MSP_EINVAL, "%s : octet nul dans le "
				    "fichier", path);
		goto out;
	}
	for (line = text; line != NULL; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		else if (*line == '\0')
			break;	/* the end of the last line */
		no++;
		memset(&e, 0, sizeof(e));
		rc = parse_line(line, no, &e, report, arg);
		if (rc == -1) {
			st_ = msp_error_set(err, MSP_EINVAL, "%s : syntaxe "
					    "incorrecte", path);
			continue;
		}
		if (rc == 0 && e.name == NULL)
			continue;	/* a comment */
		if (rc == 0 && out->n == cap) {
			struct conffile_entry *grown;

			grown = msp_realloc(out->entries, 2 * (cap + 8) *
					    sizeof(*grown));
			if (grown == NULL)
				rc = -2;
			else {
				out->entries = grown;
				cap = 2 * (cap + 8);
			}
		}
		if (rc == -2) {
			msp_free(e.name);
			msp_free(e.value);
			st_ = msp_error_set(err, MSP_ENOMEM, "out of memory");
			goto out;
		}
		out->entries[out->n++] = e;
	}
out:
	free(text);	/* file_read's, from realloc */
	return st_;
}

enum msp_status
conffile_export(const struct conffile *c, struct msp_error *err)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (setenv(c->entries[i].name, c->entries[i].value, 0) != 0)
			return msp_error_set(err, MSP_ENOMEM, "setenv %s: %s",
					     c->entries[i].name,
					     strerror(errno));
	return MSP_OK;
}

/* --- checks --------------------------------------------------------- */

enum kind {
	K_URL,		/* a libpq connection string */
	K_SECRET,	/* the secret file */
	K_WORKERS,
	K_BATCH,
	K_SMTP_URL,
	K_ADDRESS,	/* MSP_SMTP_FROM */
	K_TEXT,		/* MSP_SMTP_USER */
	K_FILE,		/* a file that must be readable */
	K_PUBLIC_URL,
	K_ACCOUNT,	/* MSP_MIGRATE_USER: a system account */
};

static const struct known {
	const char *name;
	enum kind kind;
} known[] = {
	{ "MSP_DATABASE_URL", K_URL },
	{ "MSP_REPORT_DATABASE_URL", K_URL },
	{ "MSP_FCGI_DATABASE_URL", K_URL },
	{ "MSP_FCGI_REPORT_DATABASE_URL", K_URL },
	{ "MSP_SECRET_FILE", K_SECRET },
	{ "MSP_FCGI_WORKERS", K_WORKERS },
	{ "MSP_FCGI_BATCH", K_BATCH },
	{ "MSP_SMTP_URL", K_SMTP_URL },
	{ "MSP_SMTP_FROM", K_ADDRESS },
	{ "MSP_SMTP_USER", K_TEXT },
	{ "MSP_SMTP_PASSWORD_FILE", K_FILE },
	{ "MSP_PUBLIC_URL", K_PUBLIC_URL },
	{ "MSP_MIGRATE_USER", K_ACCOUNT },
};

static const char *
value_of(const struct conffile *c, const char *name)
{
	size_t i;

	for (i = c->n; i-- > 0;)
		if (strcmp(c->entries[i].name, name) == 0)
			return c->entries[i].value;
	return NULL;
}

static int
is_set(const struct conffile *c, const char *name)
{
	const char *v = value_of(c, name);

	return v != NULL && *v != '\0';
}

/* libpq's own variables (PGPASSFILE, PGSSLMODE, ...): passed through. */
static int
libpq_name(const char *name)
{
	return strncmp(name, "PG", 2) == 0 && name[2] != '\0';
}

static int
count_in(const char *s, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && v >= 1 && v <= max;
}

/* 1 when a connection string carries a password. */
static int
url_problem(const struct conffile_entry *e, conffile_report_fn report,
	    void *arg, int *has_password)
{
	PQconninfoOption *opts, *o;
	char *msg = NULL;
	size_t len;

	opts = PQconninfoParse(e->value, &msg);
	if (opts == NULL) {
		if (msg != NULL) {
			len = strlen(msg);
			while (len > 0 && msg[len - 1] == '\n')
				msg[--len] = '\0';
		}
		say(report, arg, e->line, "%s : chaîne de connexion refusée "
		    "par libpq : %s", e->name, msg != NULL ? msg :
		    "mémoire épuisée");
		PQfreemem(msg);
		return 1;
	}
	for (o = opts; o->keyword != NULL; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL &&
		    *o->val != '\0')
			*has_password = 1;
	PQconninfoFree(opts);
	return 0;
}

static int
secret_problem(const struct conffile_entry *e, conffile_report_fn report,
	       void *arg)
{
	struct secret s = { NULL, 0 };
	struct msp_error err;
	struct stat st;

	if (*e->value != '/') {
		say(report, arg, e->line, "%s : chemin absolu attendu",
		    e->name);
		return 1;
	}
	if (secret_load(e->value, &s, &err) != MSP_OK) {
		say(report, arg, e->line, "%s : %s", e->name, err.message);
		return 1;
	}
	secret_clear(&s);
	if (stat(e->value, &st) == 0 && (st.st_mode & 007) != 0) {
		say(report, arg, e->line, "%s : %s est accessible à tous "
		    "(mode %04o) : chmod o= %s", e->name, e->value,
		    (unsigned)(st.st_mode & 07777), e->value);
		return 1;
	}
	return 0;
}

static int
file_problem(const struct conffile_entry *e, conffile_report_fn report,
	     void *arg)
{
	FILE *f = fopen(e->value, "r");

	if (f == NULL) {
		say(report, arg, e->line, "%s : %s illisible : %s", e->name,
		    e->value, strerror(errno));
		return 1;
	}
	fclose(f);
	return 0;
}

/* The problem of one entry's value, reported; returns 0 or 1. */
static int
value_problem(const struct conffile_entry *e, enum kind kind,
	      conffile_report_fn report, void *arg, int *has_password)
{
	const char *v = e->value;

	if (*v == '\0')
		return 0;	/* empty is unset (what is required: below) */
	switch (kind) {
	case K_URL:
		return url_problem(e, report, arg, has_password);
	case K_SECRET:
		return secret_problem(e, report, arg);
	case K_WORKERS:
		if (count_in(v, SETTINGS_WORKERS_MAX))
			return 0;
		say(report, arg, e->line, "%s : un nombre de 1 à %d attendu, "
		    "pas « %s »", e->name, SETTINGS_WORKERS_MAX, v);
		return 1;
	case K_BATCH:
		if (count_in(v, SETTINGS_BATCH_MAX))
			return 0;
		say(report, arg, e->line, "%s : un nombre de 1 à %d attendu, "
		    "pas « %s »", e->name, SETTINGS_BATCH_MAX, v);
		return 1;
	case K_SMTP_URL:
		if (strncmp(v, "smtp://", 7) == 0 ||
		    strncmp(v, "smtps://", 8) == 0)
			return 0;
		say(report, arg, e->line, "%s : smtp://hôte:port ou "
		    "smtps://hôte:port attendu", e->name);
		return 1;
	case K_ADDRESS:
		if (mail_address_valid(v))
			return 0;
		say(report, arg, e->line, "%s : « %s » n'est pas une adresse "
		    "électronique", e->name, v);
		return 1;
	case K_TEXT:
		return 0;
	case K_FILE:
		return file_problem(e, report, arg);
	case K_ACCOUNT:
		/* the package's postinst runs msp-report as it */
		if (getpwnam(v) != NULL)
			return 0;
		say(report, arg, e->line, "%s : le compte « %s » n'existe "
		    "pas sur cette machine", e->name, v);
		return 1;
	case K_PUBLIC_URL:
		if ((strncmp(v, "https://", 8) == 0 ||
		     strncmp(v, "http://", 7) == 0) &&
		    strpbrk(v, "?#") == NULL)
			return 0;
		say(report, arg, e->line, "%s : adresse publique du service "
		    "attendue (https://…), sans ? ni #", e->name);
		return 1;
	}
	return 0;
}

size_t
conffile_check(const struct conffile *c, conffile_report_fn report,
	       void *arg)
{
	const struct conffile_entry *e;
	size_t i, j, k, problems = 0;
	int has_password = 0;

	for (i = 0; i < c->n; i++) {
		e = &c->entries[i];
		for (j = 0; j < i; j++)
			if (strcmp(c->entries[j].name, e->name) == 0)
				break;
		if (j < i) {
			say(report, arg, e->line, "%s déjà donné ligne %u : "
			    "la dernière valeur l'emporterait", e->name,
			    c->entries[j].line);
			problems++;
			continue;
		}
		if (strcmp(e->name, DISCLOSURE_POLICY_OLD_ENV) == 0) {
			say(report, arg, e->line, "%s n'est plus lu : le seuil "
			    "du secret statistique est dans la base "
			    "(msp.disclosure_policy) ; msp-report disclosure "
			    "threshold N le change", e->name);
			problems++;
			continue;
		}
		for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			if (strcmp(known[k].name, e->name) == 0)
				break;
		if (k == sizeof(known) / sizeof(known[0])) {
			if (libpq_name(e->name))
				continue;
			say(report, arg, e->line, "%s : variable inconnue, lue "
			    "par aucun programme (faute de frappe ?)",
			    e->name);
			problems++;
			continue;
		}
		problems += (size_t)value_problem(e, known[k].kind, report,
						  arg, &has_password);
	}
	if (!is_set(c, "MSP_FCGI_DATABASE_URL") &&
	    !is_set(c, "MSP_DATABASE_URL")) {
		say(report, arg, 0, "ni MSP_FCGI_DATABASE_URL ni "
		    "MSP_DATABASE_URL : msp-fcgi ne sait pas à quelle base "
		    "se connecter");
		problems++;
	}
	if (!is_set(c, "MSP_SECRET_FILE")) {
		say(report, arg, 0, "MSP_SECRET_FILE manque : msp-fcgi ne "
		    "démarre pas sans le secret du serveur");
		problems++;
	}
	if (is_set(c, "MSP_SMTP_URL") != is_set(c, "MSP_SMTP_FROM")) {
		say(report, arg, 0, "le relais SMTP veut MSP_SMTP_URL et "
		    "MSP_SMTP_FROM ensemble");
		problems++;
	}
	if (is_set(c, "MSP_SMTP_USER") &&
	    !is_set(c, "MSP_SMTP_PASSWORD_FILE")) {
		say(report, arg, 0, "MSP_SMTP_USER sans "
		    "MSP_SMTP_PASSWORD_FILE");
		problems++;
	}
	if (has_password && (c->mode & 004) != 0) {
		say(report, arg, 0, "le fichier donne un mot de passe et tout "
		    "le monde peut le lire (mode %04o) : chmod 600",
		    c->mode);
		problems++;
	}
	return problems;
}

void
conffile_free(struct conffile *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		msp_free(c->entries[i].name);
		msp_free(c->entries[i].value);
	}
	msp_free(c->entries);
	c->entries = NULL;
	c->n = 0;
}
