/*
 * import — a survey tool's CSV export into a study, all or nothing.
 *
 * Every row is validated first (lib/csvmap, lib/submission: the API's
 * rules); if any row is refused, nothing is written and every refused
 * row is listed.  Otherwise one transaction, under the caller's
 * identity (a bearer token or the connection's own role, so that
 * Row-Level Security decides), stores each row through
 * msp.import_response() (sql/migrations/0015_import.sql).  A row
 * already imported (same @id, or same file and line, for the same
 * structure and study) is not stored again.
 */
#ifndef MSP_IMPORT_H
#define MSP_IMPORT_H

#include <libpq-fe.h>
#include <stddef.h>

#include "msp_error.h"
#include "secret.h"
#include "tenant.h"

struct import_reject {
	size_t line;		/* of the CSV file */
	char *field;		/* item key or "@role", ... */
	char *column;		/* the CSV column, or NULL */
	char *message;		/* French, as the API's */
};

struct import_result {
	size_t n_rows;		/* data rows in the file */
	size_t n_stored;	/* new responses */
	size_t n_replayed;	/* rows imported before: not stored again */
	size_t *changed;	/* lines of replayed rows whose stored
				 * answers differ from the file's now */
	size_t n_changed;
	struct import_reject *rejects;
	size_t n_rejects;
	char **unmapped;	/* header columns the mapping ignores */
	size_t n_unmapped;
	char delimiter;		/* the CSV delimiter used */
};

struct import_options {
	const char *study;		/* slug */
	const char *token;		/* bearer token, or NULL */
	const struct secret *secret;	/* for @structure; may be NULL */
	char delimiter;			/* 0: detect */
	/* called as rows are stored (may be NULL) */
	void (*progress)(void *arg, size_t done, size_t total);
	void *progress_arg;
};

/*
 * Imports csv[0..csv_len) into study o->study through the mapping file
 * text map[0..map_len).  *res is filled in every case (import_result_
 * clear() it).  Returns MSP_OK when every row is stored or was already;
 * MSP_EINVAL when the file or the mapping is malformed (err says where)
 * or rows are refused (res->rejects lists them; err says how many);
 * MSP_EACCESS for an unknown token or rows the token may not write;
 * MSP_ECONFIG when identifiers need a secret that is missing; MSP_EDB,
 * MSP_ENOMEM.  On any failure nothing is stored.
 */
enum msp_status import_csv(PGconn *conn, const struct import_options *o,
			   const char *csv, size_t csv_len,
			   const char *map, size_t map_len,
			   struct import_result *res, struct msp_error *err);

void import_result_clear(struct import_result *res);

/* What import and export both read first. */
struct import_study {
	int study_id;
	struct instrument *ins;	/* the study's questionnaire */
	PGresult *roles;	/* column "code": the respondent roles the
				 * database's enum allows, in its order */
	enum tenant_kind kind;	/* the token's kind; TENANT_NONE without */
};

/*
 * In the transaction the caller opened on conn: takes on token's
 * identity (NULL: the connection's own role), then reads study slug, its
 * instrument and the role codes into *out (import_study_clear() it, on
 * failure too).  Fails with MSP_EACCESS (unknown or revoked token),
 * MSP_EINVAL (no such study), MSP_EDB, MSP_ENOMEM.
 */
enum msp_status import_enter_study(PGconn *conn, const char *token,
				   const char *slug,
				   struct import_study *out,
				   struct msp_error *err);

void import_study_clear(struct import_study *s);

#endif
