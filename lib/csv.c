/*
 * csv — RFC 4180 text to rows of fields, and fields to RFC 4180 text
 * (csv_write_field(), csv_write_number()), so that what the program
 * writes and what it reads follow one set of rules in one place.
 *
 * One pass over the bytes after two checks of the whole text (UTF-8 and
 * NUL), so that the parser itself only deals with quotes, delimiters and
 * line ends.  Line numbers count physical lines, embedded line breaks
 * included, so that they match what an editor shows.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"
#include "csv.h"
#include "utf8.h"

#define BOM "\xef\xbb\xbf"

struct parser {
	const char *s;
	size_t len, pos;
	size_t line;		/* line of s[pos] */
	char delim;
	struct csv *csv;
	size_t cap;		/* rows allocated */
	struct buf field;
};

static int
is_eol(char c)
{
	return c == '\n' || c == '\r';
}

/* Steps over the line end at pos (CRLF, LF or CR). */
static void
skip_eol(struct parser *p)
{
	if (p->s[p->pos] == '\r' && p->pos + 1 < p->len &&
	    p->s[p->pos + 1] == '\n')
		p->pos++;
	p->pos++;
	p->line++;
}

/* The line of byte offset off in s (1-based). */
static size_t
line_of(const char *s, size_t off)
{
	size_t i, line = 1;

	for (i = 0; i < off; i++)
		if (s[i] == '\n' ||
		    (s[i] == '\r' && (i + 1 >= off || s[i + 1] != '\n')))
			line++;
	return line;
}

/* The delimiter the first line uses most outside quotes (',' on a
 * tie, and when there is none). */
static char
detect_delimiter(const char *s, size_t len)
{
	static const char candidates[] = { ',', ';', '\t' };
	size_t counts[3] = { 0, 0, 0 };
	size_t i, k, best = 0;
	int quoted = 0;

	for (i = 0; i < len && (quoted || !is_eol(s[i])); i++) {
		if (s[i] == '"')
			quoted = !quoted;
		else if (!quoted)
			for (k = 0; k < 3; k++)
				counts[k] += s[i] == candidates[k];
	}
	for (k = 1; k < 3; k++)
		if (counts[k] > counts[best])
			best = k;
	return candidates[best];
}

static void
row_free(struct csv_row *row)
{
	size_t i;

	for (i = 0; i < row->n; i++)
		free(row->fields[i]);
	free(row->fields);
}

void
csv_free(struct csv *csv)
{
	size_t i;

	if (csv == NULL)
		return;
	for (i = 0; i < csv->n_rows; i++)
		row_free(&csv->rows[i]);
	free(csv->rows);
	free(csv);
}

static enum msp_status
oom(struct msp_error *err)
{
	return msp_error_set(err, MSP_ENOMEM, "out of memory");
}

/* Moves the field being read to the end of row. */
static enum msp_status
end_field(struct parser *p, struct csv_row *row, size_t *cap,
	  struct msp_error *err)
{
	char *text;

	if (row->n == CSV_MAX_FIELDS)
		return msp_error_set(err, MSP_EINVAL,
				     "line %zu: more than %d fields",
				     row->line, CSV_MAX_FIELDS);
	if (row->n == *cap) {
		size_t n = *cap ? 2 * *cap : 16;
		char **f = msp_realloc(row->fields, n * sizeof(*f));

		if (f == NULL)
			return oom(err);
		row->fields = f;
		*cap = n;
	}
	buf_putc(&p->field, '\0');	/* an empty field still allocates */
	if (p->field.failed) {
		enum msp_status st = buf_status(&p->field, err);

		msp_error_prefix(err, "line %zu: a field", row->line);
		return st;
	}
	p->field.len--;
	text = buf_steal(&p->field);
	if (text == NULL)
		return oom(err);
	row->fields[row->n++] = text;
	return MSP_OK;
}

/*
 * Reads one field at pos into p->field, leaving pos on what follows it
 * (a delimiter, a line end or the end of the text).
 */
static enum msp_status
read_field(struct parser *p, struct msp_error *err)
{
	size_t start, start_line = p->line;

	if (p->pos < p->len && p->s[p->pos] == '"') {
		/* RFC 4180 §2.5-2.7: quoted, "" for a quote, line breaks
		 * kept as they are */
		p->pos++;
		for (;;) {
			if (p->pos >= p->len)
				return msp_error_set(
					err, MSP_EINVAL, "line %zu: a quoted "
					"field is never closed", start_line);
			if (p->s[p->pos] == '"') {
				if (p->pos + 1 < p->len &&
				    p->s[p->pos + 1] == '"') {
					buf_putc(&p->field, '"');
					p->pos += 2;
					continue;
				}
				p->pos++;
				break;
			}
			if (p->s[p->pos] == '\n' ||
			    (p->s[p->pos] == '\r' &&
			     (p->pos + 1 >= p->len ||
			      p->s[p->pos + 1] != '\n')))
				p->line++;
			buf_putc(&p->field, p->s[p->pos++]);
		}
		if (p->pos < p->len && p->s[p->pos] != p->delim &&
		    !is_eol(p->s[p->pos]))
			return msp_error_set(
				err, MSP_EINVAL, "line %zu: only a delimiter "
				"or a line end may follow a closing quote",
				p->line);
		return MSP_OK;
	}
	start = p->pos;
	while (p->pos < p->len && p->s[p->pos] != p->delim &&
	       !is_eol(p->s[p->pos])) {
		if (p->s[p->pos] == '"')
			return msp_error_set(
				err, MSP_EINVAL, "line %zu: a quote inside a "
				"field that does not start with one (quote "
				"the field and double the quote)", p->line);
		p->pos++;
	}
	buf_append(&p->field, p->s + start, p->pos - start);
	return MSP_OK;
}

/*
 * Reads the record at pos (not at a line end) into *row, whose fields
 * the caller frees (row_free()) on success and failure alike.
 */
static enum msp_status
read_fields(struct parser *p, struct csv_row *row, struct msp_error *err)
{
	size_t cap = 0;
	enum msp_status st;

	row->fields = NULL;
	row->n = 0;
	row->line = p->line;
	for (;;) {
		buf_reset(&p->field);
		if ((st = read_field(p, err)) != MSP_OK ||
		    (st = end_field(p, row, &cap, err)) != MSP_OK)
			return st;
		if (p->pos >= p->len)
			return MSP_OK;
		if (is_eol(p->s[p->pos])) {
			skip_eol(p);
			return MSP_OK;
		}
		p->pos++;	/* the delimiter: another field follows */
	}
}

/* The header's field count, against which every record is checked. */
static enum msp_status
check_width(const struct csv_row *row, size_t width, struct msp_error *err)
{
	if (row->n == width)
		return MSP_OK;
	return msp_error_set(err, MSP_EINVAL, "line %zu: %zu field%s, the "
			     "header has %zu", row->line, row->n,
			     row->n > 1 ? "s" : "", width);
}

/* Reads the record at pos (not at a line end) into a new row. */
static enum msp_status
read_record(struct parser *p, struct msp_error *err)
{
	struct csv *csv = p->csv;
	struct csv_row row;
	enum msp_status st;

	if ((st = read_fields(p, &row, err)) != MSP_OK)
		goto fail;
	if (csv->n_rows > 0 &&
	    (st = check_width(&row, csv->rows[0].n, err)) != MSP_OK)
		goto fail;
	if (csv->n_rows == p->cap) {
		size_t n = p->cap ? 2 * p->cap : 64;
		struct csv_row *rows = msp_realloc(csv->rows,
						     n * sizeof(*rows));

		if (rows == NULL) {
			st = oom(err);
			goto fail;
		}
		csv->rows = rows;
		p->cap = n;
	}
	csv->rows[csv->n_rows++] = row;
	return MSP_OK;
fail:
	row_free(&row);
	return st;
}

enum msp_status
csv_parse(const char *data, size_t len, char delimiter, struct csv **out,
	  struct msp_error *err)
{
	struct parser p = { .s = data, .len = len, .line = 1,
			    .field = BUF_INIT(BUF_MAX_TEXT) };
	enum msp_status st = MSP_OK;
	const char *nul;
	size_t valid;

	*out = NULL;
	if (delimiter != 0 && delimiter != ',' && delimiter != ';' &&
	    delimiter != '\t')
		return msp_error_set(err, MSP_EINVAL, "the delimiter must be "
				     "',', ';' or a tab");
	if (len >= 3 && memcmp(data, BOM, 3) == 0)
		p.pos = 3;
	valid = utf8_valid_prefix(data + p.pos, len - p.pos) + p.pos;
	if (valid < len)
		return msp_error_set(err, MSP_EINVAL, "line %zu: not valid "
				     "UTF-8 (save the file as UTF-8)",
				     line_of(data, valid));
	nul = memchr(data, '\0', len);
	if (nul != NULL)
		return msp_error_set(err, MSP_EINVAL, "line %zu: a NUL byte",
				     line_of(data, (size_t)(nul - data)));
	p.delim = delimiter ? delimiter
			    : detect_delimiter(data + p.pos, len - p.pos);
	p.csv = msp_calloc(1, sizeof(*p.csv));
	if (p.csv == NULL)
		return oom(err);
	p.csv->delimiter = p.delim;
	while (p.pos < p.len && st == MSP_OK) {
		if (is_eol(p.s[p.pos]))
			skip_eol(&p);	/* an empty line */
		else
			st = read_record(&p, err);
	}
	if (st == MSP_OK && p.csv->n_rows == 0)
		st = msp_error_set(err, MSP_EINVAL, "empty file: no header");
	buf_free(&p.field);
	if (st != MSP_OK) {
		csv_free(p.csv);
		return st;
	}
	*out = p.csv;
	return MSP_OK;
}

/* --- reading one record at a time -------------------------------------- */

/*
 * The reader finds where a record ends (a line end outside quotes) with
 * a small scanner over a fixed input buffer, keeps that record's bytes
 * alone, and hands them to the parser above: the rules and the messages
 * are those of csv_parse(), and memory holds one record, not the file.
 * The scanner only has to agree with the parser on well-formed text;
 * on malformed text the record it cuts still holds the first fault, and
 * the parser names it.
 */

#define CSV_READ_CHUNK 65536

struct csv_reader {
	FILE *in;
	void (*tap)(void *arg, const void *bytes, size_t len);
	void *tap_arg;
	char chunk[CSV_READ_CHUNK];
	size_t pos, len;	/* unread bytes: chunk[pos..len) */
	int eof;		/* in gave its last byte */
	int failed;		/* a read error: errno_text says why */
	char delim;
	size_t line;		/* line of the next unread byte */
	unsigned long long offset;	/* bytes read, BOM included */
	struct buf record;	/* the raw bytes of the current record */
	struct buf field;	/* the parser's field buffer */
	struct csv_row header;
	struct csv_row row;	/* the last record read */
};

/* Refills the chunk when it is empty; returns 0 at the end or on a read
 * error (r->failed). */
static int
reader_fill(struct csv_reader *r)
{
	size_t n;

	if (r->pos < r->len)
		return 1;
	if (r->eof)
		return 0;
	n = fread(r->chunk, 1, sizeof(r->chunk), r->in);
	if (n < sizeof(r->chunk)) {
		r->eof = 1;
		if (ferror(r->in))
			r->failed = 1;
	}
	if (n > 0 && r->tap != NULL)
		r->tap(r->tap_arg, r->chunk, n);
	r->offset += n;
	r->pos = 0;
	r->len = n;
	return n > 0;
}

/* The next byte, or -1 at the end. */
static int
reader_peek(struct csv_reader *r)
{
	return reader_fill(r) ? (unsigned char)r->chunk[r->pos] : -1;
}

/* Moves past the next byte, keeping it in the record when keep. */
static void
reader_take(struct csv_reader *r, int keep)
{
	char c = r->chunk[r->pos++];

	if (keep)
		buf_putc(&r->record, c);
	/* lines as the parser counts them: CRLF, LF or a lone CR */
	if (c == '\n' || (c == '\r' && reader_peek(r) != '\n'))
		r->line++;
}

/*
 * Cuts the next record out of the input into r->record, without its
 * line end; empty lines before it are skipped.  *start is its first
 * line.  Returns 0 at the end of the input.
 */
static int
reader_cut(struct csv_reader *r, size_t *start)
{
	int c;

	buf_reset(&r->record);
	while ((c = reader_peek(r)) == '\n' || c == '\r')
		reader_take(r, 0);		/* an empty line */
	if (c < 0)
		return 0;
	*start = r->line;
	for (;;) {
		c = reader_peek(r);
		if (c == '"') {
			/* a quoted field: up to its closing quote; "" is a
			 * closing quote and an opening one, which is the same
			 * thing to a scanner */
			reader_take(r, 1);
			while ((c = reader_peek(r)) >= 0 && c != '"' &&
			       r->record.len <= CSV_MAX_RECORD)
				reader_take(r, 1);
			/* too long, or never closed: the parser says so */
			if (r->record.len > CSV_MAX_RECORD || c < 0)
				return 1;
			reader_take(r, 1);
			continue;
		}
		if (c < 0)
			return 1;
		if (c == '\n' || c == '\r') {
			reader_take(r, 0);
			if (c == '\r' && reader_peek(r) == '\n')
				reader_take(r, 0);
			return 1;
		}
		reader_take(r, 1);
		if (r->record.len > CSV_MAX_RECORD)
			return 1;	/* too long: said by the parser */
	}
}

/* Parses r->record (a record starting on line start) into *row. */
static enum msp_status
reader_parse(struct csv_reader *r, size_t start, struct csv_row *row,
	     struct msp_error *err)
{
	struct parser p = { .s = r->record.data, .len = r->record.len,
			    .line = start, .delim = r->delim };
	const char *s = r->record.data, *nul;
	size_t valid, len = r->record.len;
	enum msp_status st;

	row->fields = NULL;
	row->n = 0;
	row->line = start;
	if (r->record.failed)
		return oom(err);
	if (len > CSV_MAX_RECORD)
		return msp_error_set(err, MSP_EINVAL, "line %zu: a record "
				     "longer than %u bytes", start,
				     CSV_MAX_RECORD);
	valid = utf8_valid_prefix(s, len);
	if (valid < len)
		return msp_error_set(err, MSP_EINVAL, "line %zu: not valid "
				     "UTF-8 (save the file as UTF-8)",
				     start - 1 + line_of(s, valid));
	nul = memchr(s, '\0', len);
	if (nul != NULL)
		return msp_error_set(err, MSP_EINVAL, "line %zu: a NUL byte",
				     start - 1 + line_of(s,
						(size_t)(nul - s)));
	p.field = r->field;
	st = read_fields(&p, row, err);
	r->field = p.field;
	return st;
}

/* Skips a UTF-8 byte order mark at the start (the first read holds
 * 64 KiB, or the whole input when it is shorter). */
static void
reader_skip_bom(struct csv_reader *r)
{
	if (reader_fill(r) && r->len - r->pos >= 3 &&
	    memcmp(r->chunk + r->pos, BOM, 3) == 0)
		r->pos += 3;
}

enum msp_status
csv_reader_new(FILE *in, char delimiter,
	       void (*tap)(void *arg, const void *bytes, size_t len),
	       void *tap_arg, struct csv_reader **out, struct msp_error *err)
{
	struct csv_reader *r;
	enum msp_status st;
	size_t start = 1;

	*out = NULL;
	if (delimiter != 0 && delimiter != ',' && delimiter != ';' &&
	    delimiter != '\t')
		return msp_error_set(err, MSP_EINVAL, "the delimiter must be "
				     "',', ';' or a tab");
	if ((r = msp_calloc(1, sizeof(*r))) == NULL)
		return oom(err);
	/* a record is cut one byte past the longest, which the parser
	 * then refuses naming its line; a field as csv_parse()'s */
	buf_init(&r->record, CSV_MAX_RECORD + 1);
	buf_init(&r->field, BUF_MAX_TEXT);
	r->in = in;
	r->tap = tap;
	r->tap_arg = tap_arg;
	r->line = 1;
	reader_skip_bom(r);
	if (!reader_cut(r, &start)) {
		st = r->failed ? msp_error_set(err, MSP_EIO, "read error")
			       : msp_error_set(err, MSP_EINVAL,
					       "empty file: no header");
		goto fail;
	}
	r->delim = delimiter ? delimiter
			     : detect_delimiter(r->record.data,
						r->record.len);
	if ((st = reader_parse(r, start, &r->header, err)) != MSP_OK)
		goto fail;
	if (r->failed) {
		st = msp_error_set(err, MSP_EIO, "read error");
		goto fail;
	}
	*out = r;
	return MSP_OK;
fail:
	csv_reader_free(r);
	return st;
}

enum msp_status
csv_reader_next(struct csv_reader *r, const struct csv_row **row,
		struct msp_error *err)
{
	enum msp_status st;
	size_t start = 0;

	*row = NULL;
	row_free(&r->row);
	memset(&r->row, 0, sizeof(r->row));
	if (!reader_cut(r, &start))
		return r->failed ? msp_error_set(err, MSP_EIO, "read error")
				 : MSP_OK;
	if (r->failed)
		return msp_error_set(err, MSP_EIO, "read error");
	if ((st = reader_parse(r, start, &r->row, err)) != MSP_OK ||
	    (st = check_width(&r->row, r->header.n, err)) != MSP_OK)
		return st;
	*row = &r->row;
	return MSP_OK;
}

const struct csv_row *
csv_reader_header(const struct csv_reader *r)
{
	return &r->header;
}

char
csv_reader_delimiter(const struct csv_reader *r)
{
	return r->delim;
}

unsigned long long
csv_reader_offset(const struct csv_reader *r)
{
	return r->offset;
}

void
csv_reader_free(struct csv_reader *r)
{
	if (r == NULL)
		return;
	row_free(&r->header);
	row_free(&r->row);
	buf_free(&r->record);
	buf_free(&r->field);
	free(r);
}

/* --- writing ------------------------------------------------------------ */

/*
 * A cell that a spreadsheet would read as a formula: one that begins
 * with = + - @ (Excel, LibreOffice, Google Sheets), or with a tab or a
 * carriage return, which some of them skip before looking.  The quote
 * itself is in the list so that the rule can be undone without doubt:
 * a cell that begins with ' always had one added (OWASP, "CSV
 * Injection").
 */
static int
csv_formula_like(const char *s)
{
	return s[0] != '\0' && strchr("=+-@\t\r'", s[0]) != NULL;
}

void
csv_write_field(struct buf *out, const char *s)
{
	const char *p;
	int formula;

	if (s == NULL)
		return;
	formula = csv_formula_like(s);
	if (strpbrk(s, ",\"\r\n") == NULL) {
		if (formula)
			buf_putc(out, '\'');
		buf_puts(out, s);
		return;
	}
	buf_putc(out, '"');
	if (formula)
		buf_putc(out, '\'');
	for (p = s; *p != '\0'; p++) {
		if (*p == '"')
			buf_putc(out, '"');
		buf_putc(out, *p);
	}
	buf_putc(out, '"');
}

/* -?digits[.digits][(e|E)[+-]digits], as printf and PostgreSQL write
 * numbers: nothing a spreadsheet could take for a formula. */
static int
csv_plain_number(const char *s)
{
	const char *p = s;

	if (*p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		if (*++p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (*p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

void
csv_write_number(struct buf *out, const char *s)
{
	if (s != NULL && csv_plain_number(s))
		buf_puts(out, s);
	else
		csv_write_field(out, s);
}
