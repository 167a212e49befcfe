/*
 * migrate — ordered, once-only SQL files: the schema migrations
 * (sql/migrations/NNNN_name.sql) and the reference data loads
 * (sql/reference/NNNN_name.sql), each applied in version order and
 * recorded with its SHA-256 in its ledger, msp_meta.schema_migrations
 * or msp_meta.reference_loads.
 *
 * The third ledger, msp_meta.function_loads, is of another kind: the
 * repeatable definitions of sql/functions/NAME.sql (one function each,
 * docs/schema.md) are applied after the migrations, in the byte order
 * of their names, and applied again whenever their SHA-256 changes.
 * Function bodies are checked once all are loaded, so that one may call
 * another whose file sorts after it.
 *
 * migrate_schema() applies the pending migrations and function files
 * in ONE transaction and checks every body before its COMMIT: a
 * migration declares a trigger's function as a stub that raises, and
 * its file gives the body, so no other session may see the one without
 * the other; and a failed upgrade leaves the database as it was.  The
 * reference loads keep a transaction per file.
 *
 * Re-running is a no-op.  A failure is rolled back and the error names
 * the file, the line and PostgreSQL's message.  A migration that was
 * edited after it was applied is refused rather than silently skipped.
 * Concurrent runs are serialised by an advisory lock.
 */
#ifndef MSP_MIGRATE_H
#define MSP_MIGRATE_H

#include <stdio.h>

#include <libpq-fe.h>

#include "crypto.h"
#include "msp_error.h"

/* Which ledger records the files: one per directory of files. */
enum migrate_ledger {
	MIGRATE_SCHEMA,		/* msp_meta.schema_migrations */
	MIGRATE_REFERENCE,	/* msp_meta.reference_loads */
	MIGRATE_FUNCTIONS,	/* msp_meta.function_loads: repeatable */
};

/* Largest file we read: a migration, or one reference data load. */
#define MIGRATE_MAX_FILE (16u * 1024 * 1024)

struct migration {
	int version;			/* NNNN, > 0; 0 for a repeatable file */
	char *file;			/* "0002_schema.sql" */
	char *path;			/* dir + "/" + file */
	char *sql;			/* the file's text */
	char sha256[CRYPTO_SHA256_HEX];
	int applied;			/* by this run (for its report) */
	int rewritten;			/* former checksum replaced, ditto */
};

struct migration_set {
	struct migration *items;	/* sorted by version, no duplicates */
	size_t n;
};

/*
 * Checks that file is named NNNN_name.sql (four digits, version > 0,
 * name of [a-z0-9_]) and stores NNNN in *version.  MSP_EINVAL if not.
 */
enum msp_status migrate_parse_name(const char *file, int *version,
				   struct msp_error *err);

/*
 * Checks that file is named NAME.sql, NAME of [a-z0-9_.] (a function
 * file: "msp.store_answers.sql").  MSP_EINVAL if not.
 */
enum msp_status migrate_parse_function_name(const char *file,
					    struct msp_error *err);

/*
 * Reads every *.sql file of dir.  Fails (MSP_EINVAL) on a badly named
 * .sql file, two files with one version, or an empty file; MSP_EIO if
 * dir or a file cannot be read.  On success the caller owns set
 * (migrate_set_free); on failure set is empty.
 */
enum msp_status migrate_scan(const char *dir, struct migration_set *set,
			     struct msp_error *err);

/* As migrate_scan(), for the function files of dir: sorted by name. */
enum msp_status migrate_scan_functions(const char *dir,
				       struct migration_set *set,
				       struct msp_error *err);

/* Frees what set holds and empties it; safe on an empty set. */
void migrate_set_free(struct migration_set *set);

/*
 * Applies the files of dir that conn's database lacks, to ledger, in
 * one transaction (MIGRATE_REFERENCE: one per file).  Progress lines
 * ("applied 0002_schema.sql") go to progress unless it is NULL, once
 * committed; *applied (may be NULL) receives how many were applied (0
 * when the run was rolled back).  Fails with MSP_EDB (the run rolled
 * back; for MIGRATE_REFERENCE, the failing file only, earlier ones
 * kept), MSP_EINVAL (a file that COMMITs), MSP_ECONFLICT (an applied
 * file changed or disappeared; or a database made by the migrations as
 * they were before the functions moved out, and not up to their last
 * one), or as migrate_scan().  For MIGRATE_FUNCTIONS: the files that
 * are new or changed since they were applied; a file gone from dir is
 * left as it is (a migration drops a function); MSP_EDB too when a
 * function body, checked on every run before COMMIT, is refused by its
 * validator (naming the file, the line and PostgreSQL's message), or a
 * migration's declared-only function is left.  MIGRATE_SCHEMA alone
 * can leave such a declaration live: programs use migrate_schema().
 */
enum msp_status migrate_apply(PGconn *conn, enum migrate_ledger ledger,
			      const char *dir, FILE *progress, int *applied,
			      struct msp_error *err);

/*
 * As migrate_apply() of MIGRATE_SCHEMA (dir) then MIGRATE_FUNCTIONS
 * (fdir), as one run: one transaction, one advisory lock, every body
 * checked before COMMIT; on any failure nothing of the run stays.
 * *applied counts the files of both.
 */
enum msp_status migrate_schema(PGconn *conn, const char *dir,
			       const char *fdir, FILE *progress, int *applied,
			       struct msp_error *err);

/*
 * Writes one line per file, applied or pending, to out (unless NULL);
 * *pending (may be NULL) receives the number pending (for functions:
 * new or changed since applied).  Never changes the
 * database.
 */
enum msp_status migrate_status(PGconn *conn, enum migrate_ledger ledger,
			       const char *dir, FILE *out, int *pending,
			       struct msp_error *err);

#endif
