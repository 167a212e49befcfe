/*
 * fuzz_csv — a file given to msp-report import: csv_parse() with the
 * delimiter detected.  What it returns must be rectangular, UTF-8,
 * without NUL, and come back unchanged when written out again with
 * every field quoted and parsed with the same delimiter.  Then each
 * row goes through the fixed mapping into a validated submission, as
 * the import does before it stores anything.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "csv.h"
#include "fuzz.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* csv as RFC 4180 text: a BOM (so a field that starts with one keeps
 * it), every field quoted, CRLF. */
static void
write_csv(const struct csv *csv, struct buf *b)
{
	size_t i, j;
	const char *p;

	buf_puts(b, "\xef\xbb\xbf");
	for (i = 0; i < csv->n_rows; i++) {
		for (j = 0; j < csv->rows[i].n; j++) {
			if (j > 0)
				buf_putc(b, csv->delimiter);
			buf_putc(b, '"');
			for (p = csv->rows[i].fields[j]; *p != '\0'; p++) {
				if (*p == '"')
					buf_putc(b, '"');
				buf_putc(b, *p);
			}
			buf_putc(b, '"');
		}
		buf_puts(b, "\r\n");
	}
}

static void
check_same(const struct csv *a, const struct csv *b)
{
	size_t i, j;

	if (a->n_rows != b->n_rows || a->delimiter != b->delimiter)
		fuzz_fail("csv: rows or delimiter differ after a round trip");
	for (i = 0; i < a->n_rows; i++) {
		if (a->rows[i].n != b->rows[i].n)
			fuzz_fail("csv: a row changed width in a round trip");
		for (j = 0; j < a->rows[i].n; j++)
			if (strcmp(a->rows[i].fields[j],
				   b->rows[i].fields[j]) != 0)
				fuzz_fail("csv: a field changed in a round "
					  "trip");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv *csv = NULL, *again = NULL;
	struct buf b = BUF_INIT(BUF_MAX_DOCUMENT);
	struct msp_error err;
	size_t i, j, line = 0;

	if (csv_parse((const char *)data, size, 0, &csv, &err) != MSP_OK) {
		if (csv != NULL)
			fuzz_fail("csv_parse failed but set *out");
		return 0;
	}
	if (csv->n_rows == 0 || (csv->delimiter != ',' &&
				 csv->delimiter != ';' &&
				 csv->delimiter != '\t'))
		fuzz_fail("csv: no header or an unknown delimiter");
	for (i = 0; i < csv->n_rows; i++) {
		const struct csv_row *row = &csv->rows[i];

		if (row->n != csv->rows[0].n || row->n == 0 ||
		    row->n > CSV_MAX_FIELDS)
			fuzz_fail("csv: rows of different widths");
		if (row->line <= line)
			fuzz_fail("csv: line numbers do not increase");
		line = row->line;
		for (j = 0; j < row->n; j++) {
			size_t n = strlen(row->fields[j]);

			if (utf8_valid_prefix(row->fields[j], n) != n)
				fuzz_fail("csv: a field is not UTF-8");
		}
	}
	write_csv(csv, &b);
	if (buf_status(&b, NULL) == MSP_OK) {
		if (csv_parse(buf_str(&b), b.len, csv->delimiter, &again,
			      &err) != MSP_OK)
			fuzz_fail(err.message);
		check_same(csv, again);
	}
	fuzz_import(fuzz_mapping(), csv);
	csv_free(again);
	buf_free(&b);
	csv_free(csv);
	return 0;
}
