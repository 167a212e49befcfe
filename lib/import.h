/*
 * import — a survey tool's CSV export into a study, all or nothing, in
 * memory bounded whatever the file's size.
 *
 * Every row is validated first (lib/csvmap, lib/submission: the API's
 * rules), in a first reading of the file; if any row is refused, nothing
 * is written and every refused row is listed.  Otherwise a second
 * reading stores the rows in one transaction, under the caller's
 * identity (a bearer token or the connection's own role, so that
 * Row-Level Security decides), IMPORT_BATCH rows a statement, with what
 * msp.import_response() (sql/migrations/0015_import.sql) stores for one
 * row.  A row already imported (same @id, or same file and line, for
 * the same structure and study) is not stored again.
 */
#ifndef MSP_IMPORT_H
#define MSP_IMPORT_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdio.h>

#include "msp_error.h"
#include "secret.h"
#include "tenant.h"

struct import_reject {
	size_t line;		/* of the CSV file */
	char *field;		/* item key or "@role", ... */
	char *column;		/* the CSV column, or NULL */
	char *message;		/* French, as the API's */
};

/* Rows stored per round of statements: a batch's JSON and its rows'
 * copies stay near 2 MB with long free texts; batches of 100 took 15%
 * longer (3,000 responses: 22.8 s against 19.9 s, docs/import-export.md;
 * the database's per-answer work dominates either way). */
#define IMPORT_BATCH 1000

/* Refusals listed, and replayed lines with other answers listed: the
 * others are only counted, so that a wrong mapping on a large file
 * does not fill memory with the same message. */
#define IMPORT_MAX_REJECTS 1000
#define IMPORT_MAX_CHANGED 1000

struct import_result {
	size_t n_rows;		/* data rows in the file */
	size_t n_stored;	/* new responses */
	size_t n_replayed;	/* rows imported before: not stored again */
	size_t n_one_by_one;	/* rows of batches that failed as a whole
				 * and were stored row by row */
	size_t *changed;	/* lines of replayed rows whose stored
				 * answers differ from the file's now */
	size_t n_changed;
	size_t n_more_changed;	/* more of them, beyond the list */
	struct import_reject *rejects;
	size_t n_rejects;
	size_t n_more_rejects;	/* refusals beyond IMPORT_MAX_REJECTS */
	char **unmapped;	/* header columns the mapping ignores */
	size_t n_unmapped;
	char delimiter;		/* the CSV delimiter used */
};

enum import_phase {
	IMPORT_CHECKING,	/* first reading: total is 0 (not known) */
	IMPORT_STORING		/* second reading: total is the rows */
};

struct import_options {
	const char *study;		/* slug */
	const char *token;		/* bearer token, or NULL */
	const struct secret *secret;	/* for @structure; may be NULL */
	char delimiter;			/* 0: detect */
	/* called after each row checked and each batch stored (may be
	 * NULL) */
	void (*progress)(void *arg, enum import_phase phase, size_t done,
			 size_t total);
	void *progress_arg;
};

/*
 * Imports the CSV file in (read from its start, twice: it must be
 * seekable, a file and not a pipe; borrowed) into study o->study
 * through the mapping file text map[0..map_len).  Memory holds one
 * record, one batch and the lists of res, whatever the file's size.
 * *res is filled in every case (import_result_clear() it).  Returns
 * MSP_OK when every row is stored or was already; MSP_EINVAL when the
 * file or the mapping is malformed (err says where) or rows are refused
 * (res->rejects lists them; err says how many); MSP_EACCESS for an
 * unknown token or rows the token may not write; MSP_ECONFIG when
 * identifiers need a secret that is missing; MSP_ECONFLICT when the file
 * changed between the two readings; MSP_EIO when it cannot be read or
 * sought; MSP_EDB, MSP_ENOMEM.  On any failure nothing is stored.
 */
enum msp_status import_file(PGconn *conn, const struct import_options *o,
			    FILE *in, const char *map, size_t map_len,
			    struct import_result *res,
			    struct msp_error *err);

/* import_file() of the text csv[0..csv_len), for callers that hold it
 * already (tests, small files). */
enum msp_status import_csv(PGconn *conn, const struct import_options *o,
			   const char *csv, size_t csv_len,
			   const char *map, size_t map_len,
			   struct import_result *res, struct msp_error *err);

void import_result_clear(struct import_result *res);

/* What import and export both read first. */
struct import_study {
	int study_id;
	int instrument_id;
	int region_id;
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
