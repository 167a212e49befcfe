/*
 * csv — reading CSV text (RFC 4180) as survey tools export it, and
 * writing CSV fields (at the end of this file).
 *
 * Two readers with one set of rules: csv_parse() turns a whole text in
 * memory into rows of fields, with no file or database (the fuzzer hands
 * it anything); csv_reader reads a stream a record at a time, in memory
 * bounded whatever its size (msp-report import, and any other importer
 * of files).  What is accepted beyond RFC 4180's letter, because
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
#include <stdio.h>

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

/* --- reading one record at a time: files of any size ------------------ */

/* Longest record the reader holds, line breaks inside quotes included:
 * a questionnaire's row, even with long free texts, is far below. */
#define CSV_MAX_RECORD (4u << 20)

/*
 * A reader of CSV text from a stream, one record at a time, with the
 * rules and messages of csv_parse(): memory holds one record (at most
 * CSV_MAX_RECORD bytes) and a 64 KiB buffer, whatever the size of the
 * input.  Each check that csv_parse() runs on the whole text (UTF-8, NUL)
 * runs on each record, so a fault is reported when its record is read.
 */
struct csv_reader;

/*
 * Reads the header of in (borrowed; it must outlive the reader), with
 * delimiter ',', ';', '\t' or 0 to detect it from the header as
 * csv_parse() does.  tap (may be NULL) is called with every block of
 * bytes read from in, BOM included, in order: a digest of the file
 * costs no second read.  On success *out is the caller's
 * (csv_reader_free()).  Fails with MSP_EINVAL "line N: why" or "empty
 * file: no header", MSP_EIO on a read error, MSP_ENOMEM; *out is then
 * NULL.
 */
enum msp_status csv_reader_new(FILE *in, char delimiter,
			       void (*tap)(void *arg, const void *bytes,
					   size_t len),
			       void *tap_arg, struct csv_reader **out,
			       struct msp_error *err);

/*
 * Reads the next record: *row is the reader's (valid until the next
 * call), or NULL at the end of the input.  Fails with MSP_EINVAL "line
 * N: why" (a malformed record, a field count other than the header's,
 * a record longer than CSV_MAX_RECORD), MSP_EIO, MSP_ENOMEM; the reader
 * is then of no further use but for csv_reader_free().
 */
enum msp_status csv_reader_next(struct csv_reader *r,
				const struct csv_row **row,
				struct msp_error *err);

/* The header row (the reader's) and the delimiter in use. */
const struct csv_row *csv_reader_header(const struct csv_reader *r);
char csv_reader_delimiter(const struct csv_reader *r);

/* Bytes read from the input so far (ahead of the records returned by
 * up to 64 KiB): for progress reports. */
unsigned long long csv_reader_offset(const struct csv_reader *r);

/* Frees r (not its input); NULL is allowed. */
void csv_reader_free(struct csv_reader *r);

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
