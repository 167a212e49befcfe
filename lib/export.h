/*
 * export — a study's responses as CSV, with what reads them back.
 *
 * One CSV row per response, one column per item in the questionnaire's
 * order: a choice as its option code, a multiple choice as one 0/1
 * column per option ("item.option"), oui/non as 1/0, numbers in C
 * notation, texts as given but for a leading ' before what a
 * spreadsheet would run as a formula (csv_write_field()).  An item
 * without an answer holds a code in each of its columns: -1 when the
 * questionnaire's conditions did not ask it (« non posée »), -9 when
 * it was asked and not answered (« sans réponse »); a number item
 * whose range reaches -1 has codes below its minimum instead.
 * Before them: response_id, structure (the pseudonym: identifiers are
 * never stored), respondent_role, status, submitted_at (UTC, ISO 8601).
 * Beside the CSV:
 *   - an R script (base R only) that reads it with factors whose levels
 *     are the option codes and labels the French labels, each
 *     column's question in attr(x, "label"), missing answers NA with
 *     their reason in attr(x, "manquant");
 *   - SPSS syntax (GET DATA, MISSING VALUES, VARIABLE LABELS, VALUE
 *     LABELS);
 *   - a mapping file with which msp-report import reads the CSV back.
 * What is exported is what Row-Level Security shows the identity.
 */
#ifndef MSP_EXPORT_H
#define MSP_EXPORT_H

#include <libpq-fe.h>
#include <stdio.h>

#include "buf.h"
#include "msp_error.h"

struct export_options {
	const char *study;	/* slug */
	const char *token;	/* bearer token, or NULL */
	const char *csv_name;	/* the CSV's file name, as the R and SPSS
				 * scripts will open it */
};

/*
 * Writes the study's responses as CSV to csv, and the R script, the SPSS
 * syntax and the mapping file into r, sps and map (appended).  On
 * success *n is the number of responses written.  Fails with MSP_EINVAL
 * (no such study), MSP_EACCESS (unknown token), MSP_EIO (writing csv),
 * MSP_EDB, MSP_ENOMEM; what was written to csv is then incomplete.
 */
enum msp_status export_study(PGconn *conn, const struct export_options *o,
			     FILE *csv, struct buf *r, struct buf *sps,
			     struct buf *map, size_t *n,
			     struct msp_error *err);

#endif
