/*
 * csv — reading CSV text (RFC 4180) as survey tools export it, and
 * writing CSV fields (at the end of this file).
 *
 * The whole text is parsed in memory, from bytes to rows of fields, with
 * no file or database: the importer hands it what it read, the fuzzer
 * hands it anything.  What is accepted beyond RFC 4180's letter, because
 * real exports do it (Microsoft Forms through Excel, LimeSurvey):
 *   - a UTF-8 byte order mark at the start is skipped;
 *   - records end with CRLF, LF or a lone CR; the last one may lack it;
 *   - the delimiter may be ';' (French Excel, LimeSurvey) or a tab as
 *     well as ','; it is given, or detected from the header line;
 *   - empty lines (no byte at all between two line ends) are skipped.
 * What is refused, with the line it starts on: text that is not UTF-8,
 * a NUL byte, a quote inside an unquoted field, anything but a
 * delimiter or a line end after a closing quote, a quoted field never
 * closed, a record whose field count differs from the header's, and
 * more than CSV_MAX_FIELDS fields.
 */
#ifndef MSP_CSV_H
#define MSP_CSV_H

#include <stddef.h>

#include "msp_error.h"

struct buf;

/* Fields per record: wider than any questionnaire export we know
 * (LimeSurvey writes one column per option). */
#define CSV_MAX_FIELDS 10000

struct csv_row {
	char **fields;	/* n NUL-terminated UTF-8 strings, unquoted */
	size_t n;
	size_t line;	/* 1-based line of the text where the record starts */
};

struct csv {
	struct csv_row *rows;	/* rows[0] is the header */
	size_t n_rows;		/* at least 1 on success */
	char delimiter;		/* the one used: ',', ';' or '\t' */
};

/*
 * Parses len bytes of data (need not be NUL-terminated).  delimiter is
 * ',', ';' or '\t', or 0 to detect it: the header's first line decides,
 * between ',', ';' and tab, whichever occurs most outside quotes (','
 * on a tie).  On success *out is the caller's (csv_free()).  Fails with
 * MSP_EINVAL and a message "line N: why" (or "empty file") for text
 * that breaks the rules above, MSP_ENOMEM; *out is then NULL.
 */
enum msp_status csv_parse(const char *data, size_t len, char delimiter,
			  struct csv **out, struct msp_error *err);

/* Frees csv and its rows; NULL is allowed. */
void csv_free(struct csv *csv);

/* --- writing: the export, the report's CSV, the API's CSV --- */

/*
 * Appends s as one CSV field, quoted when it must be (RFC 4180
 * §2.6-2.7); NULL appends nothing (an empty field).  A field that
 * begins with = + - @ tab, carriage return or ' gets a ' in front, so
 * that no spreadsheet runs it as a formula (OWASP's rule against CSV
 * injection); readers drop one leading ' to get the text back
 * (docs/import-export.md).
 */
void csv_write_field(struct buf *out, const char *s);

/*
 * Appends s, a number the program typed (a numeric answer, a count, a
 * statistic), as it is when it is one: -?digits[.digits][e±digits], so
 * that -3 stays a number for R, PSPP and spreadsheets.  Anything else
 * is written by csv_write_field(), neutralised.
 */
void csv_write_number(struct buf *out, const char *s);

#endif
