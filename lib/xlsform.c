/*
 * xlsform — instruments as XLSForm files.
 *
 * Reading goes in two steps: the file becomes three tables of text
 * cells (sheets), whatever it was (.xlsx or CSV), then the tables
 * become an instrument, cell by cell, each mistake noted with its
 * sheet, row and column.  Writing goes straight from the instrument to
 * libxlsxwriter.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <xlsxwriter.h>
#include <zip.h>

#include "alloc.h"
#include "csv.h"
#include "file.h"
#include "slug.h"
#include "utf8.h"
#include "xlsform.h"

/* The list export writes for the model's boolean items (oui, non); no
 * item may take its name, whose list it would share. */
static const char boolean_list[] = "msp_oui_non";

/* --- sheets as tables ----------------------------------------------------- */

struct xrow {
	size_t number;		/* the row number the person sees */
	const char **cells;	/* n cells, NULL for an empty one; the
				 * texts are the book's */
	size_t n, cap;
};

struct sheet {
	const char *name;	/* as the problems name it */
	int present;
	struct xrow *rows;	/* in row order */
	size_t n_rows, cap_rows;
};

enum { SURVEY, CHOICES, SETTINGS, N_SHEETS };
static const char *const sheet_names[N_SHEETS] = {
	"survey", "choices", "settings"
};

/*
 * The sheets, and every text their cells point to.  A cell of a shared
 * string points to the string, never to a copy: a small file can name
 * one long string in every cell.  What the book may hold is capped by
 * construction: XLSFORM_MAX_STRINGS shared strings, XLSFORM_MAX_CELLS
 * cells kept and cell slots in rows, and texts that all come out of
 * the at most XLSFORM_BYTES_MAX bytes read.
 */
struct book {
	struct sheet sheets[N_SHEETS];
	char **texts;		/* owned; the shared strings first */
	size_t n_texts, cap_texts;
	size_t n_shared;	/* texts[0 .. n_shared) */
	size_t n_cells;		/* cells kept so far */
	size_t n_slots;		/* cells of every row, empty ones too */
};

static void
book_clear(struct book *b)
{
	size_t s, r;

	for (s = 0; s < N_SHEETS; s++) {
		struct sheet *sh = &b->sheets[s];

		for (r = 0; r < sh->n_rows; r++)
			msp_free(sh->rows[r].cells);
		msp_free(sh->rows);
		sh->rows = NULL;
		sh->n_rows = sh->cap_rows = 0;
	}
	for (r = 0; r < b->n_texts; r++)
		msp_free(b->texts[r]);
	msp_free(b->texts);
	b->texts = NULL;
	b->n_texts = b->cap_texts = b->n_shared = 0;
	b->n_cells = b->n_slots = 0;
}

/* A copy of the len bytes of text kept by b until book_clear(); NULL
 * when out of memory. */
static const char *
book_keep(struct book *b, const char *text, size_t len)
{
	char *copy;

	if (b->n_texts == b->cap_texts) {
		size_t cap = b->cap_texts ? 2 * b->cap_texts : 64;
		char **grown = msp_realloc(b->texts, cap * sizeof(char *));

		if (grown == NULL)
			return NULL;
		b->texts = grown;
		b->cap_texts = cap;
	}
	if ((copy = msp_malloc(len + 1)) == NULL)
		return NULL;
	memcpy(copy, text, len);
	copy[len] = '\0';
	b->texts[b->n_texts++] = copy;
	return copy;
}

/* A new last row of sh numbered number; NULL when out of memory.
 * Arrays grow by doubling, here and in row_set(): a block per row or
 * cell would cost quadratic copying. */
static struct xrow *
sheet_add_row(struct sheet *sh, size_t number)
{
	struct xrow *row;

	if (sh->n_rows == sh->cap_rows) {
		size_t cap = sh->cap_rows ? 2 * sh->cap_rows : 16;
		struct xrow *rows = msp_realloc(sh->rows,
						cap * sizeof(*rows));

		if (rows == NULL)
			return NULL;
		sh->rows = rows;
		sh->cap_rows = cap;
	}
	row = &sh->rows[sh->n_rows++];
	row->number = number;
	row->cells = NULL;
	row->n = row->cap = 0;
	return row;
}

/*
 * Sets cell col of row, a row of b, to text: a text of b's or a static
 * one.  Returns MSP_OK, MSP_ENOMEM, or MSP_EIO past XLSFORM_MAX_CELLS
 * (err says so; what names the sheet).
 */
static enum msp_status
row_set(struct book *b, struct xrow *row, size_t col, const char *text,
	const char *what, struct msp_error *err)
{
	if (++b->n_cells > XLSFORM_MAX_CELLS ||
	    (col >= row->n &&
	     b->n_slots + (col + 1 - row->n) > XLSFORM_MAX_CELLS))
		return msp_error_set(err, MSP_EIO, "%s : plus de %d cellules "
				     "dans le classeur", what,
				     XLSFORM_MAX_CELLS);
	if (col >= row->cap) {
		size_t cap = row->cap ? 2 * row->cap : 8;
		const char **cells;

		while (cap <= col)
			cap *= 2;
		cells = msp_realloc(row->cells, cap * sizeof(char *));
		if (cells == NULL)
			return msp_error_set(err, MSP_ENOMEM,
					     "out of memory");
		row->cells = cells;
		row->cap = cap;
	}
	if (col >= row->n) {
		memset(row->cells + row->n, 0,
		       (col + 1 - row->n) * sizeof(char *));
		b->n_slots += col + 1 - row->n;
		row->n = col + 1;
	}
	row->cells[col] = text;
	return MSP_OK;
}

static const char *
row_cell(const struct xrow *row, size_t col)
{
	return col < row->n && row->cells[col] ? row->cells[col] : "";
}

/* --- problems ------------------------------------------------------------- */

void
xlsform_problems_free(struct xlsform_problems *p)
{
	buf_free(&p->text);
	p->n = 0;
}

/* One problem: "sheet, row, column: reason"; row 0 and column NULL
 * when the problem is the sheet's or the row's as a whole. */
static void
problem(struct xlsform_problems *p, const char *sheet, size_t row,
	const char *column, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void
problem(struct xlsform_problems *p, const char *sheet, size_t row,
	const char *column, const char *fmt, ...)
{
	va_list ap;

	if (p->n++ >= XLSFORM_MAX_PROBLEMS)
		return;
	buf_puts(&p->text, sheet);
	if (row > 0)
		buf_printf(&p->text, ", %zu", row);
	if (column != NULL)
		buf_printf(&p->text, ", %s", column);
	buf_puts(&p->text, ": ");
	va_start(ap, fmt);
	buf_vprintf(&p->text, fmt, ap);
	va_end(ap);
	buf_putc(&p->text, '\n');
}

/* --- .xlsx: libzip and libxml2 -------------------------------------------- */

/*
 * Each part is read as a stream: libxml2's xmlTextReader pulls the XML
 * from zip_fread() a block at a time and hands it over node by node, so
 * that no part is ever whole in memory, as text or as a tree.  What is
 * kept is the book (capped, see struct book).  Before, each part was a
 * DOM: a 27 KB file of 3,000,000 empty shared strings took 509 MB.
 */

/* One part of the zip being read. */
struct part {
	const char *name;
	zip_file_t *f;
	xmlTextReaderPtr r;
	size_t *left;		/* bytes the whole workbook may still give */
	int over;		/* *left ran out */
	int zip_failed;		/* zip_fread() failed (bad data, CRC) */
	int doctype;		/* a DTD: no part of an .xlsx has one */
};

/* xmlReaderForIO's read callback: the next bytes of the part. */
static int
part_read(void *ctx, char *buffer, int len)
{
	struct part *pt = ctx;
	zip_int64_t got;

	if (len <= 0)
		return 0;
	got = zip_fread(pt->f, buffer, (zip_uint64_t)len);
	if (got < 0) {
		pt->zip_failed = 1;
		return -1;
	}
	if ((zip_uint64_t)got > *pt->left) {
		pt->over = 1;
		*pt->left = 0;
		return -1;
	}
	*pt->left -= (size_t)got;
	return (int)got;
}

static int
part_noclose(void *ctx)
{
	(void)ctx;
	return 0;
}

/*
 * Opens part name of z for reading, counting its bytes against *left.
 * Returns MSP_OK, MSP_EINVAL when the part is absent, MSP_EIO.
 */
static enum msp_status
part_open(zip_t *z, const char *name, size_t *left, struct part *pt,
	  struct msp_error *err)
{
	zip_stat_t sb;

	memset(pt, 0, sizeof(*pt));
	pt->name = name;
	pt->left = left;
	zip_stat_init(&sb);
	if (zip_stat(z, name, 0, &sb) != 0)
		return msp_error_set(err, MSP_EINVAL, "%s: absent", name);
	/* the directory's size is a claim, checked again as bytes come */
	if ((sb.valid & ZIP_STAT_SIZE) && sb.size > *left)
		return msp_error_set(err, MSP_EIO, "%s : plus de %u octets "
				     "décompressés dans le classeur", name,
				     XLSFORM_BYTES_MAX);
	if ((pt->f = zip_fopen(z, name, 0)) == NULL)
		return msp_error_set(err, MSP_EIO, "%s: %s", name,
				     zip_strerror(z));
	/* No network, no external entity, no DTD loading: an .xlsx part
	 * is plain XML. */
	pt->r = xmlReaderForIO(part_read, part_noclose, pt, name, NULL,
			       XML_PARSE_NONET | XML_PARSE_NOERROR |
			       XML_PARSE_NOWARNING);
	if (pt->r == NULL) {
		zip_fclose(pt->f);
		pt->f = NULL;
		return msp_error_set(err, MSP_ENOMEM, "out of memory");
	}
	return MSP_OK;
}

/* The next node of pt: 1, 0 at the end, -1 when the XML or the zip is
 * bad (part_close() says which). */
static int
part_next(struct part *pt)
{
	int rc = xmlTextReaderRead(pt->r);

	if (rc == 1 &&
	    xmlTextReaderNodeType(pt->r) == XML_READER_TYPE_DOCUMENT_TYPE) {
		pt->doctype = 1;
		return -1;
	}
	return rc;
}

/* Closes pt; st, or MSP_EIO with why when rc (part_next()'s last) is
 * -1. */
static enum msp_status
part_close(struct part *pt, int rc, enum msp_status st,
	   struct msp_error *err)
{
	if (st == MSP_OK && rc < 0) {
		if (pt->over)
			st = msp_error_set(err, MSP_EIO, "%s : plus de %u "
					   "octets décompressés dans le "
					   "classeur", pt->name,
					   XLSFORM_BYTES_MAX);
		else if (pt->zip_failed)
			st = msp_error_set(err, MSP_EIO, "%s: %s", pt->name,
					   zip_file_strerror(pt->f));
		else if (pt->doctype)
			st = msp_error_set(err, MSP_EIO, "%s : DTD refusée",
					   pt->name);
		else
			st = msp_error_set(err, MSP_EIO, "%s : XML illisible",
					   pt->name);
	}
	xmlFreeTextReader(pt->r);
	if (pt->f != NULL)
		zip_fclose(pt->f);
	pt->r = NULL;
	pt->f = NULL;
	return st;
}

/* Whether the node is an element (start or end) named local, in any
 * namespace. */
static int
node_is(xmlTextReaderPtr r, int type, const char *local)
{
	const xmlChar *n;

	if (xmlTextReaderNodeType(r) != type)
		return 0;
	n = xmlTextReaderConstLocalName(r);
	return n != NULL && strcmp((const char *)n, local) == 0;
}

static int
start_of(xmlTextReaderPtr r, const char *local)
{
	return node_is(r, XML_READER_TYPE_ELEMENT, local);
}

static int
end_of(xmlTextReaderPtr r, const char *local)
{
	return node_is(r, XML_READER_TYPE_END_ELEMENT, local);
}

/* Whether the node is text: its value is part of the element's. */
static int
is_text(xmlTextReaderPtr r)
{
	switch (xmlTextReaderNodeType(r)) {
	case XML_READER_TYPE_TEXT:
	case XML_READER_TYPE_CDATA:
	case XML_READER_TYPE_WHITESPACE:
	case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
		return 1;
	default:
		return 0;
	}
}

static void
append_value(xmlTextReaderPtr r, struct buf *out)
{
	const xmlChar *v = xmlTextReaderConstValue(r);

	if (v != NULL)
		buf_puts(out, (const char *)v);
}

/*
 * Attribute local of the current element (any namespace) into out,
 * which holds size bytes.  Returns 1, 0 when absent, -1 when longer
 * than out (then out is "").
 */
static int
attr(xmlTextReaderPtr r, const char *local, char *out, size_t size)
{
	int found = 0, more;

	out[0] = '\0';
	for (more = xmlTextReaderMoveToFirstAttribute(r); more == 1;
	     more = xmlTextReaderMoveToNextAttribute(r)) {
		const xmlChar *n = xmlTextReaderConstLocalName(r);
		const xmlChar *v;
		size_t len;

		if (n == NULL || strcmp((const char *)n, local) != 0)
			continue;
		v = xmlTextReaderConstValue(r);
		len = v ? strlen((const char *)v) : 0;
		if (len >= size) {
			found = -1;
		} else {
			memcpy(out, v ? (const char *)v : "", len);
			out[len] = '\0';
			found = 1;
		}
		break;
	}
	xmlTextReaderMoveToElement(r);
	return found;
}

/*
 * The text runs of a rich-text element (<si>, <is>) as a stream: the
 * text of every <t>, phonetic runs (<rPh>) left out.  Fed each node
 * inside the element; t_at and rph_at are the depths of the open <t>
 * and <rPh>, or -1.
 */
struct runs {
	int t_at, rph_at;
};

static void
runs_feed(struct runs *ru, xmlTextReaderPtr r, struct buf *out)
{
	int depth = xmlTextReaderDepth(r);
	int empty = xmlTextReaderIsEmptyElement(r) == 1;

	if (start_of(r, "rPh")) {
		if (ru->rph_at < 0 && !empty)
			ru->rph_at = depth;
	} else if (end_of(r, "rPh")) {
		if (ru->rph_at == depth)
			ru->rph_at = -1;
	} else if (start_of(r, "t")) {
		if (ru->t_at < 0 && ru->rph_at < 0 && !empty)
			ru->t_at = depth;
	} else if (end_of(r, "t")) {
		if (ru->t_at == depth)
			ru->t_at = -1;
	} else if (ru->t_at >= 0 && ru->rph_at < 0 && is_text(r)) {
		append_value(r, out);
	}
}

/* A rich text's buffer, its text kept by book; MSP_OK, MSP_ENOMEM, or
 * MSP_EIO when it passed the buffer's maximum. */
static enum msp_status
keep_text(struct book *book, struct buf *b, const char *part,
	  const char **out, struct msp_error *err)
{
	*out = NULL;
	if (b->failed == BUF_ETOOBIG)
		return msp_error_set(err, MSP_EIO, "%s : un texte de plus "
				     "de %zu octets", part, b->max);
	if (b->failed ||
	    (*out = book_keep(book, buf_str(b), b->len)) == NULL)
		return msp_error_set(err, MSP_ENOMEM, "out of memory");
	return MSP_OK;
}

/* xl/sharedStrings.xml, which a workbook of numbers may lack, into the
 * book's first texts. */
static enum msp_status
read_shared_strings(zip_t *z, struct book *book, size_t *left,
		    struct msp_error *err)
{
	static const char name[] = "xl/sharedStrings.xml";
	struct buf b = BUF_INIT(BUF_MAX_TEXT);
	struct runs ru = { -1, -1 };
	struct part pt;
	enum msp_status st;
	const char *kept;
	int rc = 0, in_si = 0;

	if ((st = part_open(z, name, left, &pt, err)) != MSP_OK)
		return st == MSP_EINVAL ? MSP_OK : st;
	while (st == MSP_OK && (rc = part_next(&pt)) == 1) {
		int depth = xmlTextReaderDepth(pt.r);

		if (depth == 1 && start_of(pt.r, "si")) {
			if (book->n_shared == XLSFORM_MAX_STRINGS) {
				st = msp_error_set(err, MSP_EIO, "%s : plus "
						   "de %d chaînes partagées",
						   name, XLSFORM_MAX_STRINGS);
				break;
			}
			buf_reset(&b);
			ru.t_at = ru.rph_at = -1;
			in_si = xmlTextReaderIsEmptyElement(pt.r) != 1;
			if (in_si)
				continue;
		} else if (in_si && depth == 1 && end_of(pt.r, "si")) {
			in_si = 0;
		} else {
			if (in_si)
				runs_feed(&ru, pt.r, &b);
			continue;
		}
		/* an <si> ends, empty or not */
		if ((st = keep_text(book, &b, name, &kept, err)) == MSP_OK)
			book->n_shared++;
	}
	st = part_close(&pt, st == MSP_OK ? rc : 0, st, err);
	buf_free(&b);
	return st;
}

/*
 * A cell reference "AB12" into 0-based column *col and 1-based *row;
 * -1 when it is not one.
 */
static int
cell_ref(const char *ref, size_t *col, size_t *row)
{
	size_t c = 0, r = 0;
	const char *p = ref;

	if (!isupper((unsigned char)*p))
		return -1;
	while (isupper((unsigned char)*p)) {
		c = c * 26 + (size_t)(*p++ - 'A' + 1);
		if (c > 16384)
			return -1;
	}
	if (!isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p)) {
		r = r * 10 + (size_t)(*p++ - '0');
		if (r > 1048576)
			return -1;
	}
	if (*p != '\0' || r == 0)
		return -1;
	*col = c - 1;
	*row = r;
	return 0;
}

/* A column's letters, for the problems of a sheet with no header. */
static void
column_letters(size_t col, char out[8])
{
	char tmp[8];
	size_t n = 0, i;

	col++;
	while (col > 0 && n < sizeof(tmp) - 1) {
		tmp[n++] = (char)('A' + (col - 1) % 26);
		col = (col - 1) / 26;
	}
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\0';
}

/*
 * A number cell's text as a person typed it: Excel keeps 2000 as
 * "2000" but 0.1 as "0.10000000000000001"; the shortest text that
 * reads back as the same double is what was meant.
 */
static void
number_text(const char *v, char *out, size_t size)
{
	char *end;
	double d;
	int prec;

	errno = 0;
	d = strtod(v, &end);
	if (*v == '\0' || *end != '\0' || errno != 0 || !isfinite(d)) {
		snprintf(out, size, "%s", v);
		return;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(out, size, "%.*g", prec, d);
		if (strtod(out, NULL) == d)
			break;
	}
	/* integers in full, never in exponent form */
	if (d == floor(d) && fabs(d) < 1e15)
		snprintf(out, size, "%.0f", d);
}


/* The cell being read. */
struct xcell {
	size_t col;
	char type[16];		/* the t attribute, "" when none */
	struct buf v;		/* the text of <v> */
	struct buf is;		/* the runs of <is> */
	int in_v, in_is;	/* depth of the open one, or 0 */
	struct runs ru;
};

/* The cell c of row (numbered number) as its value says, into sh. */
static enum msp_status
cell_done(struct book *book, struct sheet *sh, const char *part,
	  struct xrow *row, struct xcell *c, struct xlsform_problems *problems,
	  struct msp_error *err)
{
	const char *value, *kept = NULL;
	char letters[8], text[64];
	int inline_str = strcmp(c->type, "inlineStr") == 0;
	struct buf *from = inline_str ? &c->is : &c->v;

	column_letters(c->col, letters);
	if (from->failed == BUF_ENOMEM)
		return msp_error_set(err, MSP_ENOMEM, "out of memory");
	if (from->failed) {
		problem(problems, sh->name, row->number, letters,
			"plus de %d caractères", XLSFORM_CELL_MAX);
		return MSP_OK;
	}
	value = buf_str(from);
	if (strcmp(c->type, "s") == 0) {
		char *end;
		unsigned long i = strtoul(value, &end, 10);

		if (*value == '\0' || *end != '\0' || i >= book->n_shared) {
			problem(problems, sh->name, row->number, letters,
				"chaîne partagée %s absente", value);
			return MSP_OK;
		}
		kept = book->texts[i];
	} else if (strcmp(c->type, "b") == 0) {
		kept = strcmp(value, "1") == 0 ? "TRUE" : "FALSE";
	} else if (strcmp(c->type, "e") == 0) {
		problem(problems, sh->name, row->number, letters,
			"la cellule contient une erreur (%s)", value);
		return MSP_OK;
	} else if (c->type[0] == '\0' || strcmp(c->type, "n") == 0) {
		number_text(value, text, sizeof(text));
		value = text;
	}
	if (utf8_length(kept ? kept : value) > XLSFORM_CELL_MAX) {
		problem(problems, sh->name, row->number, letters,
			"plus de %d caractères", XLSFORM_CELL_MAX);
		return MSP_OK;
	}
	if (kept == NULL && value[0] != '\0' &&
	    (kept = book_keep(book, value, strlen(value))) == NULL)
		return msp_error_set(err, MSP_ENOMEM, "out of memory");
	return row_set(book, row, c->col, kept, part, err);
}

/* The worksheet part into sh, its cells' values resolved. */
static enum msp_status
read_worksheet(zip_t *z, const char *part, struct book *book,
	       struct sheet *sh, size_t *left,
	       struct xlsform_problems *problems, struct msp_error *err)
{
	struct xcell c;
	struct part pt;
	struct xrow *row = NULL;
	enum msp_status st;
	size_t last_row = 0, last_col = 0;
	int rc = 0, in_data = 0, seen_data = 0, in_cell = 0, first = 1;

	memset(&c, 0, sizeof(c));
	buf_init(&c.v, 4 * XLSFORM_CELL_MAX);
	buf_init(&c.is, 4 * XLSFORM_CELL_MAX);
	if ((st = part_open(z, part, left, &pt, err)) != MSP_OK) {
		if (st == MSP_EINVAL)
			st = msp_error_set(err, MSP_EIO, "%s: feuille absente",
					   part);
		goto out;
	}
	while (st == MSP_OK && (rc = part_next(&pt)) == 1) {
		xmlTextReaderPtr r = pt.r;
		int depth = xmlTextReaderDepth(r);
		int empty = xmlTextReaderIsEmptyElement(r) == 1;
		char ref[32];

		if (depth == 1 && start_of(r, "sheetData")) {
			/* the first one, as Excel writes only one */
			in_data = !seen_data && !empty;
			seen_data = 1;
		} else if (depth == 1 && end_of(r, "sheetData")) {
			in_data = 0;
		} else if (!in_data) {
			continue;
		} else if (depth == 2 && start_of(r, "row")) {
			size_t number;

			/* r is optional: a row without it follows the last */
			number = attr(r, "r", ref, sizeof(ref)) == 1
				 ? strtoul(ref, NULL, 10) : last_row + 1;
			if (number <= last_row || number > XLSFORM_MAX_ROWS) {
				problem(problems, sh->name, number, NULL,
					"ligne hors des limites (1 à %d, "
					"croissantes)", XLSFORM_MAX_ROWS);
				break;
			}
			last_row = number;
			first = 1;
			last_col = 0;
			if ((row = sheet_add_row(sh, number)) == NULL)
				st = msp_error_set(err, MSP_ENOMEM,
						   "out of memory");
			if (empty)
				row = NULL;
		} else if (depth == 2 && end_of(r, "row")) {
			row = NULL;
		} else if (depth == 3 && row && start_of(r, "c")) {
			size_t col = first ? 0 : last_col + 1, rr = row->number;
			int has = attr(r, "r", ref, sizeof(ref));

			in_cell = 0;
			if (has != 0 && (has < 0 || cell_ref(ref, &col, &rr)
					 != 0 || rr != row->number)) {
				problem(problems, sh->name, row->number,
					has < 0 ? NULL : ref,
					"référence de cellule incorrecte");
				continue;
			}
			first = 0;
			last_col = col;
			if (col >= XLSFORM_MAX_COLS) {
				char letters[8];

				column_letters(col, letters);
				problem(problems, sh->name, row->number,
					letters, "plus de %d colonnes",
					XLSFORM_MAX_COLS);
				continue;
			}
			c.col = col;
			if (attr(r, "t", c.type, sizeof(c.type)) < 0)
				snprintf(c.type, sizeof(c.type), "?");
			buf_reset(&c.v);
			buf_reset(&c.is);
			c.in_v = c.in_is = 0;
			c.ru.t_at = c.ru.rph_at = -1;
			if (empty)
				st = cell_done(book, sh, part, row, &c,
					       problems, err);
			else
				in_cell = 1;
		} else if (!in_cell) {
			continue;
		} else if (depth == 3 && end_of(r, "c")) {
			in_cell = 0;
			st = cell_done(book, sh, part, row, &c, problems,
				       err);
		} else if (depth == 4 && start_of(r, "v")) {
			c.in_v = !empty && !c.in_is;
		} else if (depth == 4 && end_of(r, "v")) {
			c.in_v = 0;
		} else if (depth == 4 && start_of(r, "is")) {
			c.in_is = !empty && !c.in_v;
		} else if (depth == 4 && end_of(r, "is")) {
			c.in_is = 0;
		} else if (c.in_v && is_text(r)) {
			append_value(r, &c.v);
		} else if (c.in_is) {
			runs_feed(&c.ru, r, &c.is);
		}
	}
	st = part_close(&pt, st == MSP_OK ? rc : 0, st, err);
out:
	buf_free(&c.v);
	buf_free(&c.is);
	return st;
}

/* A part name from a relationship's target: relative to xl/, or
 * absolute in the zip.  -1 when it does not fit. */
static int
target_part(const char *target, char *part, size_t size)
{
	const char *prefix = target[0] == '/' ? "" : "xl/";
	size_t np = strlen(prefix), nt;

	target += target[0] == '/';
	nt = strlen(target);
	if (np + nt >= size)
		return -1;
	memcpy(part, prefix, np);
	memcpy(part + np, target, nt + 1);
	return 0;
}

/* The sheets we know, in the workbook's order. */
struct wanted {
	int s;			/* SURVEY, CHOICES, SETTINGS */
	char rid[64];		/* its relationship */
	char part[512];		/* its part, "" until found */
};

/* xl/workbook.xml's sheets we know (the first of each name) into w. */
static enum msp_status
read_workbook(zip_t *z, size_t *left, struct wanted w[N_SHEETS],
	      size_t *n, struct msp_error *err)
{
	struct part pt;
	enum msp_status st;
	int rc, in_sheets = 0, seen = 0;

	*n = 0;
	if ((st = part_open(z, "xl/workbook.xml", left, &pt, err)) != MSP_OK)
		return st;
	while ((rc = part_next(&pt)) == 1) {
		xmlTextReaderPtr r = pt.r;
		int depth = xmlTextReaderDepth(r);
		char name[64];
		size_t s, i;

		if (depth == 1 && start_of(r, "sheets")) {
			in_sheets = !seen &&
				    xmlTextReaderIsEmptyElement(r) != 1;
			seen = 1;
			continue;
		}
		if (depth == 1 && end_of(r, "sheets"))
			in_sheets = 0;
		if (!in_sheets || depth != 2 || !start_of(r, "sheet") ||
		    attr(r, "name", name, sizeof(name)) != 1)
			continue;
		for (s = 0; s < N_SHEETS; s++)
			if (strcasecmp(name, sheet_names[s]) == 0)
				break;
		for (i = 0; i < *n; i++)
			if (w[i].s == (int)s)
				break;
		/* other sheets (notes, lists) are the author's */
		if (s == N_SHEETS || i < *n ||
		    attr(r, "id", w[*n].rid, sizeof(w[*n].rid)) != 1)
			continue;
		w[*n].s = (int)s;
		w[*n].part[0] = '\0';
		(*n)++;
	}
	return part_close(&pt, rc, MSP_OK, err);
}

/* The parts of the sheets w from xl/_rels/workbook.xml.rels. */
static enum msp_status
read_rels(zip_t *z, size_t *left, struct wanted *w, size_t n,
	  struct msp_error *err)
{
	struct part pt;
	enum msp_status st;
	int rc;

	st = part_open(z, "xl/_rels/workbook.xml.rels", left, &pt, err);
	if (st != MSP_OK)
		return st;
	while ((rc = part_next(&pt)) == 1) {
		char id[64], target[512];
		size_t i;

		if (xmlTextReaderDepth(pt.r) != 1 ||
		    !start_of(pt.r, "Relationship") ||
		    attr(pt.r, "Id", id, sizeof(id)) != 1)
			continue;
		for (i = 0; i < n; i++)
			if (w[i].part[0] == '\0' && strcmp(w[i].rid, id) == 0)
				break;
		if (i == n || attr(pt.r, "Target", target,
				   sizeof(target)) != 1 ||
		    target_part(target, w[i].part, sizeof(w[i].part)) != 0)
			continue;
	}
	return part_close(&pt, rc, MSP_OK, err);
}

/* The worksheet part of every sheet we know in the open zip z, from
 * the workbook and its relationships; what names the file in errors. */
static enum msp_status
read_xlsx_zip(zip_t *z, const char *what, struct book *book,
	      struct xlsform_problems *problems, struct msp_error *err)
{
	struct wanted w[N_SHEETS];
	size_t n = 0, i, left = XLSFORM_BYTES_MAX;
	enum msp_status st;

	if ((st = read_workbook(z, &left, w, &n, err)) != MSP_OK ||
	    (st = read_rels(z, &left, w, n, err)) != MSP_OK) {
		if (st == MSP_EINVAL)
			st = err->status = MSP_EIO;
		msp_error_prefix(err, "%s : pas un classeur .xlsx", what);
		return st;
	}
	if ((st = read_shared_strings(z, book, &left, err)) != MSP_OK)
		return st;
	for (i = 0; i < n; i++) {
		struct sheet *sh = &book->sheets[w[i].s];

		if (w[i].part[0] == '\0') {
			problem(problems, sheet_names[w[i].s], 0, NULL,
				"feuille sans partie dans le classeur");
			continue;
		}
		sh->present = 1;
		st = read_worksheet(z, w[i].part, book, sh, &left, problems,
				    err);
		if (st != MSP_OK)
			return st;
	}
	return MSP_OK;
}

static enum msp_status
zip_open_failed(const char *what, zip_error_t *ze, struct msp_error *err)
{
	return msp_error_set(err, MSP_EIO, "%s : pas un fichier .xlsx lisible "
			     "(%s)", what, zip_error_strerror(ze));
}

static enum msp_status
read_xlsx(const char *path, struct book *book,
	  struct xlsform_problems *problems, struct msp_error *err)
{
	enum msp_status st;
	zip_t *z;
	int zerr = 0;

	z = zip_open(path, ZIP_RDONLY, &zerr);
	if (z == NULL) {
		zip_error_t ze;

		zip_error_init_with_code(&ze, zerr);
		st = zip_open_failed(path, &ze, err);
		zip_error_fini(&ze);
		return st;
	}
	st = read_xlsx_zip(z, path, book, problems, err);
	zip_discard(z);
	return st;
}

static enum msp_status
read_xlsx_buffer(const void *data, size_t len, struct book *book,
		 struct xlsform_problems *problems, struct msp_error *err)
{
	enum msp_status st;
	zip_source_t *src;
	zip_error_t ze;
	zip_t *z;

	zip_error_init(&ze);
	src = zip_source_buffer_create(data, len, 0, &ze);
	if (src == NULL) {
		st = zip_open_failed("classeur", &ze, err);
		zip_error_fini(&ze);
		return st;
	}
	z = zip_open_from_source(src, ZIP_RDONLY, &ze);
	if (z == NULL) {
		/* still ours when the open failed */
		zip_source_free(src);
		st = zip_open_failed("classeur", &ze, err);
		zip_error_fini(&ze);
		return st;
	}
	zip_error_fini(&ze);
	st = read_xlsx_zip(z, "classeur", book, problems, err);
	zip_discard(z);
	return st;
}

/* --- a folder of CSV ------------------------------------------------------ */

static enum msp_status
read_csv_dir(const char *dir, struct book *book,
	     struct xlsform_problems *problems, struct msp_error *err)
{
	size_t s, r, c;

	for (s = 0; s < N_SHEETS; s++) {
		char path[4096];
		char *data = NULL;
		struct csv *csv = NULL;
		size_t len;
		enum msp_status st;

		snprintf(path, sizeof(path), "%s/%s.csv", dir, sheet_names[s]);
		st = file_read(path, XLSFORM_PART_MAX, &data, &len, err);
		if (st == MSP_EIO && access(path, F_OK) != 0)
			continue;	/* an absent sheet: said below */
		if (st != MSP_OK)
			return st;
		st = csv_parse(data, len, 0, &csv, err);
		msp_free(data);
		if (st != MSP_OK) {
			msp_error_prefix(err, "%s.csv", sheet_names[s]);
			return st;
		}
		book->sheets[s].present = 1;
		for (r = 0; r < csv->n_rows && st == MSP_OK; r++) {
			struct xrow *row = sheet_add_row(&book->sheets[s],
							 csv->rows[r].line);

			if (row == NULL)
				st = msp_error_set(err, MSP_ENOMEM,
						   "out of memory");
			for (c = 0; row && c < csv->rows[r].n; c++) {
				const char *f = csv->rows[r].fields[c];

				if (utf8_length(f) > XLSFORM_CELL_MAX) {
					char letters[8];

					column_letters(c, letters);
					problem(problems, book->sheets[s].name,
						row->number, letters,
						"plus de %d caractères",
						XLSFORM_CELL_MAX);
				} else if (f[0] != '\0') {
					const char *kept = book_keep(book, f,
								     strlen(f));

					st = kept == NULL
					     ? msp_error_set(err, MSP_ENOMEM,
							     "out of memory")
					     : row_set(book, row, c, kept,
						       sheet_names[s], err);
					if (st != MSP_OK)
						break;
				}
			}
		}
		csv_free(csv);
		if (st != MSP_OK)
			return st;
	}
	return MSP_OK;
}

/* --- tables to an instrument ---------------------------------------------- */

/* What a column of a sheet means. */
enum col {
	COL_UNKNOWN, COL_TYPE, COL_NAME, COL_LABEL_FR, COL_LABEL_EN,
	COL_HINT_FR, COL_REQUIRED, COL_RELEVANT, COL_CONSTRAINT,
	COL_MSP_TYPE, COL_MSP_VERBATIM, COL_LIST_NAME, COL_FORM_TITLE,
	COL_FORM_ID, COL_VERSION, COL_DEFAULT_LANGUAGE, COL_MSP_TITLE_EN,
	N_COLS
};

static const struct {
	const char *name;
	enum col col;
	unsigned sheets;	/* bit per sheet */
} column_names[] = {
	{ "type", COL_TYPE, 1u << SURVEY },
	{ "name", COL_NAME, 1u << SURVEY | 1u << CHOICES },
	{ "hint", COL_HINT_FR, 1u << SURVEY },
	{ "required", COL_REQUIRED, 1u << SURVEY },
	{ "relevant", COL_RELEVANT, 1u << SURVEY },
	{ "constraint", COL_CONSTRAINT, 1u << SURVEY },
	{ "msp_type", COL_MSP_TYPE, 1u << SURVEY },
	{ "msp_label_verbatim", COL_MSP_VERBATIM, 1u << SURVEY },
	{ "list_name", COL_LIST_NAME, 1u << CHOICES },
	{ "list name", COL_LIST_NAME, 1u << CHOICES },
	{ "form_title", COL_FORM_TITLE, 1u << SETTINGS },
	{ "form_id", COL_FORM_ID, 1u << SETTINGS },
	{ "version", COL_VERSION, 1u << SETTINGS },
	{ "default_language", COL_DEFAULT_LANGUAGE, 1u << SETTINGS },
	{ "msp_title_en", COL_MSP_TITLE_EN, 1u << SETTINGS },
};

/* "fr", "French (fr)", "Français" -> 'f'; English -> 'e'; else 0. */
static int
language_of(const char *s)
{
	const char *paren = strrchr(s, '(');
	char code[32];
	size_t n;

	if (paren != NULL) {
		n = strcspn(paren + 1, ")");
		snprintf(code, sizeof(code), "%.*s", (int)n, paren + 1);
		s = code;
	}
	if (strcasecmp(s, "fr") == 0 || strcasecmp(s, "french") == 0 ||
	    strcasecmp(s, "français") == 0 ||
	    strcasecmp(s, "francais") == 0)
		return 'f';
	if (strcasecmp(s, "en") == 0 || strcasecmp(s, "english") == 0 ||
	    strcasecmp(s, "anglais") == 0)
		return 'e';
	return 0;
}

/* The meaning of header text h in sheet s; *why says why not known. */
static enum col
column_of(int s, const char *h, const char **why)
{
	const char *sep = strstr(h, "::");
	size_t i, base = sep ? (size_t)(sep - h) : strlen(h);
	int lang = sep ? language_of(sep + 2) : 'f';

	*why = "colonne non prise en charge";
	if (base == 5 && strncasecmp(h, "label", 5) == 0 &&
	    (s == SURVEY || s == CHOICES)) {
		*why = "langue non prise en charge (fr ou en)";
		return lang == 'f' ? COL_LABEL_FR
		       : lang == 'e' ? COL_LABEL_EN : COL_UNKNOWN;
	}
	if (base == 4 && strncasecmp(h, "hint", 4) == 0 && s == SURVEY) {
		*why = "aide en français seulement (hint ou hint::fr) : "
		       "le modèle n'a pas d'aide traduite";
		return lang == 'f' ? COL_HINT_FR : COL_UNKNOWN;
	}
	if (sep != NULL)
		return COL_UNKNOWN;
	for (i = 0; i < sizeof(column_names) / sizeof(column_names[0]); i++)
		if (strcasecmp(h, column_names[i].name) == 0 &&
		    (column_names[i].sheets & (1u << s)))
			return column_names[i].col;
	return COL_UNKNOWN;
}

/* A sheet's header and which column means what. */
struct layout {
	const struct sheet *sh;
	const struct xrow *header;	/* NULL: the sheet is empty */
	size_t first_data;		/* index in sh->rows */
	long where[N_COLS];		/* column index, or -1 */
};

static void
column_label(const struct layout *l, size_t col, char *out, size_t size)
{
	const char *h = l->header ? row_cell(l->header, col) : "";

	if (*h != '\0') {
		snprintf(out, size, "%s", h);
	} else {
		char letters[8];

		column_letters(col, letters);
		snprintf(out, size, "%s", letters);
	}
}

static int
row_is_empty(const struct xrow *row)
{
	size_t c;

	for (c = 0; c < row->n; c++)
		if (row->cells[c] && row->cells[c][strspn(row->cells[c],
							  " \t\r\n")])
			return 0;
	return 1;
}

/* Reads sheet s's header; notes unknown, repeated and -- for a data
 * row -- non-empty cells of unknown columns. */
static void
layout_read(struct layout *l, const struct book *b, int s,
	    struct xlsform_problems *p)
{
	const struct sheet *sh = &b->sheets[s];
	size_t r, c, i;

	memset(l, 0, sizeof(*l));
	l->sh = sh;
	for (i = 0; i < N_COLS; i++)
		l->where[i] = -1;
	for (r = 0; r < sh->n_rows && row_is_empty(&sh->rows[r]); r++)
		;
	if (r == sh->n_rows)
		return;
	l->header = &sh->rows[r];
	l->first_data = r + 1;
	for (c = 0; c < l->header->n; c++) {
		const char *h = row_cell(l->header, c), *why;
		char trimmed[256];
		size_t n;
		enum col col;

		h += strspn(h, " ");
		n = strlen(h);
		while (n > 0 && h[n - 1] == ' ')
			n--;
		if (n == 0)
			continue;
		if (n >= sizeof(trimmed)) {
			char letters[8];

			column_letters(c, letters);
			problem(p, sh->name, l->header->number, letters,
				"en-tête trop long (plus de %zu octets)",
				sizeof(trimmed) - 1);
			continue;
		}
		memcpy(trimmed, h, n);
		trimmed[n] = '\0';
		col = column_of(s, trimmed, &why);
		if (col == COL_UNKNOWN) {
			/* an unknown column is refused only where it holds
			 * something: templates carry many empty ones */
			for (r = l->first_data; r < sh->n_rows; r++)
				if (row_cell(&sh->rows[r], c)[0] != '\0')
					problem(p, sh->name,
						sh->rows[r].number, trimmed,
						"%s", why);
			continue;
		}
		if (l->where[col] >= 0) {
			problem(p, sh->name, l->header->number, trimmed,
				"colonne en double");
			continue;
		}
		l->where[col] = (long)c;
	}
}

/* Cell of row in the column meaning col, "" when none. */
static const char *
get(const struct layout *l, const struct xrow *row, enum col col)
{
	return l->where[col] < 0 ? "" : row_cell(row, (size_t)l->where[col]);
}

/* The header text of col in l, for a problem. */
static const char *
col_name(const struct layout *l, enum col col, char *out, size_t size)
{
	if (l->where[col] < 0) {
		static const char *const names[N_COLS] = {
			[COL_TYPE] = "type", [COL_NAME] = "name",
			[COL_LABEL_FR] = "label", [COL_LABEL_EN] = "label::en",
			[COL_LIST_NAME] = "list_name",
			[COL_FORM_TITLE] = "form_title",
			[COL_FORM_ID] = "form_id",
		};
		snprintf(out, size, "%s", names[col] ? names[col] : "?");
	} else {
		column_label(l, (size_t)l->where[col], out, size);
	}
	return out;
}

/*
 * A trimmed copy of get() into out, which holds size bytes.  A cell
 * longer than that is never cut (what is left of it could read as
 * something else): it is a problem of its sheet, row and column, out
 * is "" and the result -1; else 0.  Expressions (relevant, constraint)
 * are parsed where they are, without a copy.
 */
static int
get_trim(const struct layout *l, const struct xrow *row, enum col col,
	 char *out, size_t size, struct xlsform_problems *p)
{
	const char *s = get(l, row, col);
	char cn[64];
	size_t n;

	s += strspn(s, " \t\r\n");
	n = strlen(s);
	while (n > 0 && strchr(" \t\r\n", s[n - 1]))
		n--;
	out[0] = '\0';
	if (n >= size) {
		problem(p, l->sh->name, row->number,
			col_name(l, col, cn, sizeof(cn)),
			"trop long : au plus %zu octets dans cette colonne",
			size - 1);
		return -1;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

static int
key_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 63 || !islower((unsigned char)s[0]))
		return 0;
	for (i = 1; i < n; i++)
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

static int
code_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 63 || !(islower((unsigned char)s[0]) ||
				  isdigit((unsigned char)s[0])))
		return 0;
	for (i = 1; i < n; i++)
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

/* yes / no as XLSForm spells them: 1, 0, -1 when neither. */
static int
yes_no(const char *s)
{
	static const char *const yes[] = { "yes", "true", "true()", "1",
					   "oui", "vrai" };
	static const char *const no[] = { "", "no", "false", "false()", "0",
					  "non", "faux" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	return -1;
}

static int
blank(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

static char *
dup_or_null(const char *s, int *oom)
{
	char *d;

	if (blank(s))
		return NULL;
	if ((d = msp_strdup(s)) == NULL)
		*oom = 1;
	return d;
}

/* --- expressions ---------------------------------------------------------- */

enum tok { T_END, T_REF, T_STR, T_NUM, T_DOT, T_LP, T_RP, T_COMMA, T_OP,
	   T_WORD, T_BAD };

struct lex {
	const char *p;
	enum tok t;
	char text[256];
};

static void
lex_next(struct lex *x)
{
	const char *p = x->p;
	size_t n;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	x->text[0] = '\0';
	if (*p == '\0') {
		x->t = T_END;
	} else if (p[0] == '$' && p[1] == '{') {
		n = strcspn(p + 2, "}");
		x->t = p[2 + n] == '}' && n < sizeof(x->text) ? T_REF : T_BAD;
		snprintf(x->text, sizeof(x->text), "%.*s", (int)n, p + 2);
		p += 2 + n + (p[2 + n] == '}');
	} else if (*p == '\'' || *p == '"') {
		n = strcspn(p + 1, *p == '\'' ? "'" : "\"");
		x->t = p[1 + n] && n < sizeof(x->text) ? T_STR : T_BAD;
		snprintf(x->text, sizeof(x->text), "%.*s", (int)n, p + 1);
		p += 1 + n + (p[1 + n] != '\0');
	} else if (isdigit((unsigned char)*p) ||
		   ((*p == '-' || *p == '.') &&
		    isdigit((unsigned char)p[1]))) {
		n = strspn(p + 1, "0123456789.") + 1;
		x->t = n < sizeof(x->text) ? T_NUM : T_BAD;
		snprintf(x->text, sizeof(x->text), "%.*s", (int)n, p);
		p += n;
	} else if (*p == '.') {
		x->t = T_DOT;
		p++;
	} else if (*p == '(' || *p == ')' || *p == ',') {
		x->t = *p == '(' ? T_LP : *p == ')' ? T_RP : T_COMMA;
		p++;
	} else if (strchr("=!<>", *p)) {
		n = p[1] == '=' ? 2 : 1;
		x->t = (*p == '!' && n == 1) ? T_BAD : T_OP;
		snprintf(x->text, sizeof(x->text), "%.*s", (int)n, p);
		p += n;
	} else if (isalpha((unsigned char)*p)) {
		n = strspn(p, "abcdefghijklmnopqrstuvwxyz"
			      "ABCDEFGHIJKLMNOPQRSTUVWXYZ-_:");
		x->t = n < sizeof(x->text) ? T_WORD : T_BAD;
		snprintf(x->text, sizeof(x->text), "%.*s", (int)n, p);
		p += n;
	} else {
		x->t = T_BAD;
		snprintf(x->text, sizeof(x->text), "%c", *p);
		p++;
	}
	x->p = p;
}

static int
word_is(const struct lex *x, const char *w)
{
	return x->t == T_WORD && strcasecmp(x->text, w) == 0;
}

/* A parsed "relevant": one item, values in order, and how compared. */
struct condition {
	char item[256];
	char *values[64];
	size_t n;
	int used_equals;	/* ${x} = 'v' */
};

static void
condition_clear(struct condition *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		msp_free(c->values[i]);
	c->n = 0;
}

/* What relevant_parse() says when an allocation failed: not a problem
 * of the file, and told apart by its address. */
static const char relevant_oom[] = "out of memory";

/* Parentheses around one condition, at most: the expression is parsed
 * in place, up to a cell's 32767 characters, and each level is a frame
 * of the stack. */
#define RELEVANT_MAX_DEPTH 32

/* One "${x} = 'v'" or "selected(${x}, 'v')", maybe in parentheses
 * (depth of them already open). */
static const char *
relevant_atom(struct lex *x, struct condition *c, int depth)
{
	char item[256], value[256];
	const char *why;
	size_t i;

	if (x->t == T_LP) {
		if (depth >= RELEVANT_MAX_DEPTH)
			return "plus de 32 parenthèses imbriquées";
		lex_next(x);
		if ((why = relevant_atom(x, c, depth + 1)) != NULL)
			return why;
		if (x->t != T_RP)
			return "parenthèse non fermée";
		lex_next(x);
		return NULL;
	}
	if (word_is(x, "not"))
		return "« not » : le modèle ne garde qu'une condition « la "
		       "réponse à ${question} est l'un de ces codes »";
	if (word_is(x, "selected")) {
		lex_next(x);
		if (x->t != T_LP)
			return "selected( attendu";
		lex_next(x);
		if (x->t != T_REF)
			return "selected(${question}, 'code') attendu";
		snprintf(item, sizeof(item), "%s", x->text);
		lex_next(x);
		if (x->t != T_COMMA)
			return "selected(${question}, 'code') attendu";
		lex_next(x);
		if (x->t != T_STR)
			return "selected(${question}, 'code') : le code "
			       "entre apostrophes";
		snprintf(value, sizeof(value), "%s", x->text);
		lex_next(x);
		if (x->t != T_RP)
			return "selected(${question}, 'code') attendu";
		lex_next(x);
	} else if (x->t == T_REF) {
		snprintf(item, sizeof(item), "%s", x->text);
		lex_next(x);
		if (x->t != T_OP)
			return "${question} = 'code' attendu";
		if (strcmp(x->text, "=") != 0)
			return "seul « = » est accepté dans relevant (ni "
			       "!=, ni <, ni >)";
		lex_next(x);
		if (x->t == T_NUM)
			return "comparaison avec un nombre : le modèle ne "
			       "conditionne que sur les codes d'une question "
			       "à choix";
		if (x->t != T_STR)
			return "${question} = 'code' : le code entre "
			       "apostrophes";
		snprintf(value, sizeof(value), "%s", x->text);
		lex_next(x);
		c->used_equals = 1;
	} else if (x->t == T_BAD) {
		return "expression illisible";
	} else {
		return "${question} = 'code' ou selected(${question}, "
		       "'code') attendu";
	}
	if (c->item[0] == '\0')
		snprintf(c->item, sizeof(c->item), "%s", item);
	else if (strcmp(c->item, item) != 0)
		return "plusieurs questions : le modèle ne garde qu'une "
		       "question et une liste de ses codes";
	for (i = 0; i < c->n; i++)
		if (strcmp(c->values[i], value) == 0)
			return NULL;
	if (c->n == sizeof(c->values) / sizeof(c->values[0]))
		return "trop de codes";
	if ((c->values[c->n] = msp_strdup(value)) == NULL)
		return relevant_oom;
	c->n++;
	return NULL;
}

/* Parses expr; NULL, or why it is refused (relevant_oom: out of
 * memory). */
static const char *
relevant_parse(const char *expr, struct condition *c)
{
	struct lex x = { .p = expr };
	const char *why;

	memset(c, 0, sizeof(*c));
	lex_next(&x);
	for (;;) {
		if ((why = relevant_atom(&x, c, 0)) != NULL)
			return why;
		if (x.t == T_END)
			return NULL;
		if (word_is(&x, "and"))
			return "« and » : le modèle ne garde qu'une condition "
			       "« la réponse à ${question} est l'un de ces "
			       "codes » (des « or »)";
		if (!word_is(&x, "or"))
			return "« or » attendu entre deux conditions";
		lex_next(&x);
	}
}

struct bounds {
	int has_min, has_max, max_length;
	double min, max;
};

static int
read_number(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return *s && *end == '\0' && errno == 0 && isfinite(*out) ? 0 : -1;
}

/* Parses a constraint; NULL, or why it is refused. */
static const char *
constraint_parse(const char *expr, struct bounds *b)
{
	struct lex x = { .p = expr };
	int length;
	double v;

	memset(b, 0, sizeof(*b));
	lex_next(&x);
	for (;;) {
		length = 0;
		if (word_is(&x, "string-length")) {
			lex_next(&x);
			if (x.t != T_LP)
				return "string-length(.) attendu";
			lex_next(&x);
			if (x.t != T_DOT)
				return "string-length(.) attendu";
			lex_next(&x);
			if (x.t != T_RP)
				return "string-length(.) attendu";
			length = 1;
		} else if (x.t == T_REF) {
			return "une contrainte ne porte que sur la réponse "
			       "elle-même (.)";
		} else if (x.t != T_DOT) {
			return ". >= nombre, . <= nombre ou "
			       "string-length(.) <= nombre attendu";
		}
		lex_next(&x);
		if (x.t != T_OP)
			return "comparaison attendue après « . »";
		if (strcmp(x.text, ">=") != 0 && strcmp(x.text, "<=") != 0)
			return "seuls >= et <= (bornes incluses) sont "
			       "acceptés";
		if (length && strcmp(x.text, "<=") != 0)
			return "string-length(.) <= nombre : seule une "
			       "longueur maximale est acceptée";
		{
			int is_min = strcmp(x.text, ">=") == 0;

			lex_next(&x);
			if (x.t != T_NUM || read_number(x.text, &v) != 0)
				return "nombre attendu après la comparaison";
			if (length) {
				if (v < 1 || v > 1e6 || v != floor(v))
					return "string-length(.) <= N : N "
					       "entier de 1 à 1000000";
				if (b->max_length)
					return "longueur maximale en double";
				b->max_length = (int)v;
			} else if (is_min) {
				if (b->has_min)
					return "borne minimale en double";
				b->has_min = 1;
				b->min = v;
			} else {
				if (b->has_max)
					return "borne maximale en double";
				b->has_max = 1;
				b->max = v;
			}
		}
		lex_next(&x);
		if (x.t == T_END)
			return NULL;
		if (word_is(&x, "or") || word_is(&x, "not"))
			return "seul « and » est accepté entre deux bornes";
		if (!word_is(&x, "and"))
			return "« and » attendu entre deux bornes";
		lex_next(&x);
	}
}

/* --- survey, choices, settings -------------------------------------------- */

struct list {
	char *name;
	size_t first_row;	/* the row it starts on, for problems */
	struct item_option *options;
	size_t n;
};

struct lists {
	struct list *l;
	size_t n;
};

static void
lists_free(struct lists *ls)
{
	size_t i, j;

	for (i = 0; i < ls->n; i++) {
		for (j = 0; j < ls->l[i].n; j++) {
			msp_free(ls->l[i].options[j].code);
			msp_free(ls->l[i].options[j].label_fr);
			msp_free(ls->l[i].options[j].label_en);
		}
		msp_free(ls->l[i].options);
		msp_free(ls->l[i].name);
	}
	msp_free(ls->l);
}

static struct list *
lists_find(const struct lists *ls, const char *name)
{
	size_t i;

	for (i = 0; i < ls->n; i++)
		if (strcmp(ls->l[i].name, name) == 0)
			return &ls->l[i];
	return NULL;
}

static enum msp_status
read_choices(const struct book *b, struct lists *ls,
	     struct xlsform_problems *p, struct msp_error *err)
{
	struct layout l;
	size_t r;
	char cn[64];

	layout_read(&l, b, CHOICES, p);
	if (l.header == NULL)
		return MSP_OK;
	if (l.where[COL_LIST_NAME] < 0 || l.where[COL_NAME] < 0 ||
	    l.where[COL_LABEL_FR] < 0) {
		problem(p, "choices", l.header->number, NULL,
			"les colonnes list_name, name et label sont "
			"nécessaires");
		return MSP_OK;
	}
	for (r = l.first_data; r < l.sh->n_rows; r++) {
		const struct xrow *row = &l.sh->rows[r];
		char list_name[256], name[256];
		const char *label = get(&l, row, COL_LABEL_FR);
		struct list *list;
		struct item_option *op;
		size_t j;
		int oom = 0;

		if (row_is_empty(row))
			continue;
		if (get_trim(&l, row, COL_LIST_NAME, list_name,
			     sizeof(list_name), p) != 0 ||
		    get_trim(&l, row, COL_NAME, name, sizeof(name), p) != 0)
			continue;
		if (!key_ok(list_name) && !code_ok(list_name)) {
			problem(p, "choices", row->number,
				col_name(&l, COL_LIST_NAME, cn, sizeof(cn)),
				"« %s » : un nom de liste en minuscules, "
				"chiffres et _", list_name);
			continue;
		}
		if (!code_ok(name)) {
			problem(p, "choices", row->number,
				col_name(&l, COL_NAME, cn, sizeof(cn)),
				"« %s » : un code de 1 à 63 minuscules, "
				"chiffres ou _, commençant par une lettre ou "
				"un chiffre", name);
			continue;
		}
		if (blank(label)) {
			problem(p, "choices", row->number,
				col_name(&l, COL_LABEL_FR, cn, sizeof(cn)),
				"libellé vide");
			continue;
		}
		if ((list = lists_find(ls, list_name)) == NULL) {
			struct list *grown = msp_realloc(ls->l, (ls->n + 1) *
						     sizeof(*grown));

			if (grown == NULL)
				goto oom;
			ls->l = grown;
			list = &ls->l[ls->n];
			memset(list, 0, sizeof(*list));
			if ((list->name = msp_strdup(list_name)) == NULL)
				goto oom;
			list->first_row = row->number;
			ls->n++;
		}
		for (j = 0; j < list->n; j++)
			if (strcmp(list->options[j].code, name) == 0)
				break;
		if (j < list->n) {
			problem(p, "choices", row->number,
				col_name(&l, COL_NAME, cn, sizeof(cn)),
				"le code « %s » est déjà dans la liste %s",
				name, list_name);
			continue;
		}
		op = msp_realloc(list->options, (list->n + 1) * sizeof(*op));
		if (op == NULL)
			goto oom;
		list->options = op;
		op = &list->options[list->n];
		memset(op, 0, sizeof(*op));
		list->n++;
		op->code = msp_strdup(name);
		op->label_fr = msp_strdup(label);
		op->label_en = dup_or_null(get(&l, row, COL_LABEL_EN), &oom);
		if (op->code == NULL || op->label_fr == NULL || oom)
			goto oom;
	}
	return MSP_OK;
oom:
	return msp_error_set(err, MSP_ENOMEM, "out of memory");
}

static enum msp_status
read_settings(const struct book *b, struct instrument *ins,
	      struct xlsform_problems *p, struct msp_error *err)
{
	struct layout l;
	const struct xrow *row = NULL;
	char cn[64], id[256], version[64], lang[64];
	const char *title;
	size_t r;
	int oom = 0;

	layout_read(&l, b, SETTINGS, p);
	for (r = l.first_data; l.header && r < l.sh->n_rows; r++) {
		if (row_is_empty(&l.sh->rows[r]))
			continue;
		if (row != NULL) {
			problem(p, "settings", l.sh->rows[r].number, NULL,
				"une seule ligne de réglages est lue");
			break;
		}
		row = &l.sh->rows[r];
	}
	if (row == NULL) {
		problem(p, "settings", 0, NULL, "feuille absente ou vide : "
			"form_id et form_title sont nécessaires");
		return MSP_OK;
	}
	if (get_trim(&l, row, COL_FORM_ID, id, sizeof(id), p) == 0 &&
	    !slug_valid(id))
		problem(p, "settings", row->number,
			col_name(&l, COL_FORM_ID, cn, sizeof(cn)),
			"« %s » : un identifiant de 1 à %d minuscules, "
			"chiffres et tirets simples (occitanie-2024)", id,
			SLUG_MAX);
	title = get(&l, row, COL_FORM_TITLE);
	if (blank(title))
		problem(p, "settings", row->number,
			col_name(&l, COL_FORM_TITLE, cn, sizeof(cn)),
			"titre vide");
	(void)get_trim(&l, row, COL_VERSION, version, sizeof(version), p);
	if (version[0] != '\0') {
		char *end;
		long v;

		errno = 0;
		v = strtol(version, &end, 10);
		if (*end != '\0' || errno != 0 || v < 1 || v > 1000000)
			problem(p, "settings", row->number,
				col_name(&l, COL_VERSION, cn, sizeof(cn)),
				"« %s » : un numéro de version entier de 1 "
				"à 1000000", version);
		else
			ins->version = (int)v;
	}
	(void)get_trim(&l, row, COL_DEFAULT_LANGUAGE, lang, sizeof(lang), p);
	if (lang[0] != '\0' && language_of(lang) != 'f')
		problem(p, "settings", row->number,
			col_name(&l, COL_DEFAULT_LANGUAGE, cn, sizeof(cn)),
			"« %s » : les questionnaires sont en français "
			"(default_language fr)", lang);
	ins->slug = msp_strdup(id);
	ins->title_fr = msp_strdup(title);
	ins->title_en = dup_or_null(get(&l, row, COL_MSP_TITLE_EN), &oom);
	if (ins->slug == NULL || ins->title_fr == NULL || oom)
		return msp_error_set(err, MSP_ENOMEM, "out of memory");
	return MSP_OK;
}

/* What the survey sheet said of an item, beyond the instrument. */
struct item_src {
	size_t row;
	const char *relevant;	/* the cell, borrowed from the book;
				 * parsed once every item is known */
	int relevant_col;
};

static enum msp_status
copy_options(struct instrument_item *it, const struct list *list)
{
	size_t j;

	it->options = msp_calloc(list->n ? list->n : 1, sizeof(*it->options));
	if (it->options == NULL)
		return MSP_ENOMEM;
	for (j = 0; j < list->n; j++) {
		struct item_option *op = &it->options[j];

		it->n_options = j + 1;
		op->code = msp_strdup(list->options[j].code);
		op->label_fr = msp_strdup(list->options[j].label_fr);
		op->label_en = list->options[j].label_en
			       ? msp_strdup(list->options[j].label_en) : NULL;
		if (op->code == NULL || op->label_fr == NULL ||
		    (list->options[j].label_en && op->label_en == NULL))
			return MSP_ENOMEM;
	}
	return MSP_OK;
}

/* Resolves item i's relevant against the other items. */
static enum msp_status
resolve_relevant(struct instrument *ins, size_t i, const struct item_src *src,
		 const struct layout *l, struct xlsform_problems *p)
{
	struct instrument_item *it = &ins->items[i];
	struct condition c;
	const struct instrument_item *on;
	const char *why;
	char cn[64];
	size_t j;
	int idx;

	col_name(l, COL_RELEVANT, cn, sizeof(cn));
	why = relevant_parse(src->relevant, &c);
	if (why == relevant_oom) {
		condition_clear(&c);
		return MSP_ENOMEM;
	}
	if (why != NULL) {
		problem(p, "survey", src->row, cn, "%s", why);
		goto out;
	}
	idx = instrument_index(ins, c.item);
	if (idx < 0 || idx == (int)i) {
		problem(p, "survey", src->row, cn, "${%s} : %s", c.item,
			idx < 0 ? "aucune question de ce nom"
				: "une question ne peut dépendre d'elle-même");
		goto out;
	}
	on = &ins->items[idx];
	if (on->type != ITEM_SINGLE_CHOICE && on->type != ITEM_BOOLEAN &&
	    on->type != ITEM_MULTIPLE_CHOICE) {
		problem(p, "survey", src->row, cn, "${%s} n'est pas une "
			"question à choix : le modèle ne conditionne que sur "
			"des codes", c.item);
		goto out;
	}
	if (on->type == ITEM_MULTIPLE_CHOICE && c.used_equals) {
		problem(p, "survey", src->row, cn, "${%s} est à choix "
			"multiple : écrire selected(${%s}, 'code')", c.item,
			c.item);
		goto out;
	}
	for (j = 0; j < c.n; j++) {
		int known = on->type == ITEM_BOOLEAN
			    ? strcmp(c.values[j], "oui") == 0 ||
			      strcmp(c.values[j], "non") == 0
			    : item_find_option(on, c.values[j]) != NULL;

		if (!known) {
			problem(p, "survey", src->row, cn, "« %s » n'est pas "
				"un code de ${%s}", c.values[j], c.item);
			goto out;
		}
	}
	it->show_if = idx;
	it->show_if_values = msp_calloc(c.n, sizeof(char *));
	if (it->show_if_values == NULL) {
		condition_clear(&c);
		return MSP_ENOMEM;
	}
	for (j = 0; j < c.n; j++) {
		it->show_if_values[j] = c.values[j];
		c.values[j] = NULL;
	}
	it->n_show_if_values = c.n;
	c.n = 0;
out:
	condition_clear(&c);
	return MSP_OK;
}

static enum msp_status
read_survey(const struct book *b, struct instrument *ins,
	    const struct lists *ls, struct xlsform_problems *p,
	    struct msp_error *err)
{
	struct layout l;
	struct item_src *src = NULL;
	enum msp_status st = MSP_OK;
	char *section = NULL;
	size_t r, n_rows, group_row = 0, i;
	char cn[64];
	int in_group = 0;

	layout_read(&l, b, SURVEY, p);
	if (l.header == NULL) {
		problem(p, "survey", 0, NULL, "feuille absente ou vide");
		return MSP_OK;
	}
	if (l.where[COL_TYPE] < 0 || l.where[COL_NAME] < 0 ||
	    l.where[COL_LABEL_FR] < 0) {
		problem(p, "survey", l.header->number, NULL,
			"les colonnes type, name et label sont nécessaires");
		return MSP_OK;
	}
	n_rows = l.sh->n_rows;
	ins->items = msp_calloc(n_rows ? n_rows : 1, sizeof(*ins->items));
	src = msp_calloc(n_rows ? n_rows : 1, sizeof(*src));
	if (ins->items == NULL || src == NULL)
		goto oom;
	for (r = l.first_data; r < n_rows; r++) {
		const struct xrow *row = &l.sh->rows[r];
		struct instrument_item *it;
		char type[256], name[256], word[256], list_name[256];
		char req[64], mtype[64], verb[64], extra[256];
		const char *label = get(&l, row, COL_LABEL_FR), *why, *cons;
		int n_words, y;

		if (row_is_empty(row))
			continue;
		if (get_trim(&l, row, COL_TYPE, type, sizeof(type), p) != 0 ||
		    get_trim(&l, row, COL_NAME, name, sizeof(name), p) != 0)
			continue;
		for (i = 0; type[i]; i++)
			type[i] = (char)tolower((unsigned char)type[i]);
		list_name[0] = word[0] = '\0';
		n_words = sscanf(type, "%255s %255s %255s", word, list_name,
				 extra);
		col_name(&l, COL_TYPE, cn, sizeof(cn));
		if (strcmp(type, "begin group") == 0 ||
		    strcmp(type, "begin_group") == 0) {
			if (in_group) {
				problem(p, "survey", row->number, cn,
					"groupe dans un groupe (ligne %zu) : "
					"le modèle n'a qu'un niveau de "
					"sections", group_row);
				continue;
			}
			if (!blank(get(&l, row, COL_RELEVANT)))
				problem(p, "survey", row->number,
					col_name(&l, COL_RELEVANT, cn,
						 sizeof(cn)),
					"un groupe ne peut être conditionnel "
					"dans le modèle : mettre la condition "
					"sur chaque question");
			if (blank(label)) {
				problem(p, "survey", row->number,
					col_name(&l, COL_LABEL_FR, cn,
						 sizeof(cn)),
					"un groupe a pour libellé le titre de "
					"sa section");
				continue;
			}
			msp_free(section);
			if ((section = msp_strdup(label)) == NULL)
				goto oom;
			in_group = 1;
			group_row = row->number;
			continue;
		}
		if (strcmp(type, "end group") == 0 ||
		    strcmp(type, "end_group") == 0) {
			if (!in_group)
				problem(p, "survey", row->number, cn,
					"fin de groupe sans début");
			in_group = 0;
			msp_free(section);
			section = NULL;
			continue;
		}
		if (n_words == 3 && strcmp(extra, "or_other") == 0) {
			problem(p, "survey", row->number, cn, "or_other : "
				"écrire l'option « autre » dans la liste et "
				"une question texte « précisez » avec "
				"relevant selected(${%s}, 'autre')", name);
			continue;
		}
		it = &ins->items[ins->n_items];
		it->show_if = -1;
		if ((strcmp(word, "select_one") == 0 ||
		     strcmp(word, "select_multiple") == 0) && n_words == 2) {
			const struct list *list = lists_find(ls, list_name);

			it->type = word[7] == 'o' ? ITEM_SINGLE_CHOICE
						  : ITEM_MULTIPLE_CHOICE;
			if (list == NULL) {
				problem(p, "survey", row->number, cn,
					"la liste « %s » n'est pas dans "
					"choices", list_name);
				continue;
			}
			if (copy_options(it, list) != MSP_OK)
				goto oom_item;
		} else if (strcmp(type, "integer") == 0) {
			it->type = ITEM_NUMBER;
			it->integer_only = 1;
		} else if (strcmp(type, "decimal") == 0) {
			it->type = ITEM_NUMBER;
		} else if (strcmp(type, "text") == 0) {
			it->type = ITEM_TEXT;
		} else if (strcmp(type, "date") == 0 ||
			   strcmp(type, "note") == 0) {
			problem(p, "survey", row->number, cn, "« %s » : le "
				"modèle d'instrument n'a pas encore ce type "
				"(select_one, select_multiple, integer, "
				"decimal, text)", type);
			continue;
		} else {
			problem(p, "survey", row->number, cn,
				"« %s » : type non pris en charge "
				"(select_one, select_multiple, integer, "
				"decimal, text, begin group, end group)",
				type);
			continue;
		}
		if (!key_ok(name))
			problem(p, "survey", row->number,
				col_name(&l, COL_NAME, cn, sizeof(cn)),
				"« %s » : un nom de 1 à 63 minuscules, "
				"chiffres ou _, commençant par une lettre",
				name);
		else if (strcmp(name, boolean_list) == 0)
			problem(p, "survey", row->number,
				col_name(&l, COL_NAME, cn, sizeof(cn)),
				"« %s » : nom réservé (la liste oui / non des "
				"questions boolean à l'export)", name);
		else if ((y = instrument_index(ins, name)) >= 0)
			problem(p, "survey", row->number,
				col_name(&l, COL_NAME, cn, sizeof(cn)),
				"« %s » : nom déjà pris (ligne %zu)", name,
				src[y].row);
		ins->n_items++;
		src[ins->n_items - 1].row = row->number;
		if (blank(label))
			problem(p, "survey", row->number,
				col_name(&l, COL_LABEL_FR, cn, sizeof(cn)),
				"libellé vide");
		{
			int oom = 0;

			it->key = msp_strdup(name);
			it->label_fr = msp_strdup(label);
			it->label_en = dup_or_null(get(&l, row, COL_LABEL_EN),
						   &oom);
			it->help_fr = dup_or_null(get(&l, row, COL_HINT_FR),
						  &oom);
			it->section_fr = msp_strdup(section ? section : "");
			if (!it->key || !it->label_fr || !it->section_fr ||
			    oom)
				goto oom;
		}
		(void)get_trim(&l, row, COL_REQUIRED, req, sizeof(req), p);
		if ((y = yes_no(req)) < 0)
			problem(p, "survey", row->number,
				col_name(&l, COL_REQUIRED, cn, sizeof(cn)),
				"« %s » : yes ou no", req);
		it->required = y > 0;
		(void)get_trim(&l, row, COL_MSP_VERBATIM, verb, sizeof(verb),
			       p);
		if ((y = yes_no(verb)) < 0)
			problem(p, "survey", row->number,
				col_name(&l, COL_MSP_VERBATIM, cn, sizeof(cn)),
				"« %s » : yes ou no", verb);
		it->label_verbatim = y > 0;
		(void)get_trim(&l, row, COL_MSP_TYPE, mtype, sizeof(mtype), p);
		if (strcasecmp(mtype, "boolean") == 0) {
			/* oui / non: the model's boolean, which XLSForm
			 * spells as a select_one of those two codes */
			if (it->type != ITEM_SINGLE_CHOICE ||
			    it->n_options != 2 ||
			    strcmp(it->options[0].code, "oui") != 0 ||
			    strcmp(it->options[1].code, "non") != 0) {
				problem(p, "survey", row->number,
					col_name(&l, COL_MSP_TYPE, cn,
						 sizeof(cn)),
					"boolean : une select_one dont la "
					"liste est oui puis non");
			} else {
				it->type = ITEM_BOOLEAN;
				for (i = 0; i < it->n_options; i++) {
					msp_free(it->options[i].code);
					msp_free(it->options[i].label_fr);
					msp_free(it->options[i].label_en);
				}
				msp_free(it->options);
				it->options = NULL;
				it->n_options = 0;
			}
		} else if (mtype[0] != '\0') {
			problem(p, "survey", row->number,
				col_name(&l, COL_MSP_TYPE, cn, sizeof(cn)),
				"« %s » : seul boolean est connu", mtype);
		}
		cons = get(&l, row, COL_CONSTRAINT);
		if (!blank(cons)) {
			struct bounds bd;

			col_name(&l, COL_CONSTRAINT, cn, sizeof(cn));
			why = constraint_parse(cons, &bd);
			if (why != NULL) {
				problem(p, "survey", row->number, cn, "%s",
					why);
			} else if ((bd.has_min || bd.has_max) &&
				   it->type != ITEM_NUMBER) {
				problem(p, "survey", row->number, cn,
					"des bornes pour un nombre seulement "
					"(integer, decimal)");
			} else if (bd.max_length &&
				   it->type != ITEM_TEXT) {
				problem(p, "survey", row->number, cn,
					"une longueur pour un texte "
					"seulement");
			} else if (bd.has_min && bd.has_max &&
				   bd.min > bd.max) {
				problem(p, "survey", row->number, cn,
					"borne minimale au-dessus de la "
					"maximale");
			} else {
				it->has_min = bd.has_min;
				it->min_value = bd.min;
				it->has_max = bd.has_max;
				it->max_value = bd.max;
				it->max_length = bd.max_length;
			}
		}
		src[ins->n_items - 1].relevant = get(&l, row, COL_RELEVANT);
		continue;
oom_item:
		ins->n_items++;
		goto oom;
	}
	if (in_group)
		problem(p, "survey", group_row, NULL,
			"groupe jamais fermé (end group)");
	for (i = 0; i < ins->n_items; i++)
		if (src[i].relevant != NULL && !blank(src[i].relevant) &&
		    resolve_relevant(ins, i, &src[i], &l, p) != MSP_OK)
			goto oom;
	if (ins->n_items == 0 && p->n == 0)
		problem(p, "survey", 0, NULL, "aucune question");
	goto out;
oom:
	st = msp_error_set(err, MSP_ENOMEM, "out of memory");
out:
	msp_free(section);
	msp_free(src);
	return st;
}

/* The book's sheets as an instrument; what names the file. */
static enum msp_status
from_book(struct book *book, const char *what, struct instrument **out,
	  struct xlsform_problems *problems, struct msp_error *err)
{
	struct lists lists = { NULL, 0 };
	struct instrument *ins = NULL;
	enum msp_status st;

	if ((ins = msp_calloc(1, sizeof(*ins))) == NULL) {
		st = msp_error_set(err, MSP_ENOMEM, "out of memory");
		goto out;
	}
	if ((st = read_settings(book, ins, problems, err)) != MSP_OK ||
	    (st = read_choices(book, &lists, problems, err)) != MSP_OK ||
	    (st = read_survey(book, ins, &lists, problems, err)) != MSP_OK)
		goto out;
	if ((st = buf_status(&problems->text, err)) != MSP_OK)
		goto out;
	if (problems->n > XLSFORM_MAX_PROBLEMS)
		buf_printf(&problems->text, "… et %zu autres erreurs\n",
			   problems->n - XLSFORM_MAX_PROBLEMS);
	if (problems->n > 0) {
		st = msp_error_set(err, MSP_EINVAL, "%s : %zu erreur%s, rien "
				   "n'est enregistré", what, problems->n,
				   problems->n > 1 ? "s" : "");
		goto out;
	}
	*out = ins;
	ins = NULL;
out:
	instrument_free(ins);
	lists_free(&lists);
	return st;
}

static void
book_init(struct book *book)
{
	size_t s;

	memset(book, 0, sizeof(*book));
	for (s = 0; s < N_SHEETS; s++)
		book->sheets[s].name = sheet_names[s];
}

enum msp_status
xlsform_read(const char *path, struct instrument **out,
	     struct xlsform_problems *problems, struct msp_error *err)
{
	struct book book;
	enum msp_status st;
	struct stat sb;

	*out = NULL;
	book_init(&book);
	if (stat(path, &sb) != 0)
		return msp_error_set(err, MSP_EIO, "%s : %s", path,
				     strerror(errno));
	st = S_ISDIR(sb.st_mode) ? read_csv_dir(path, &book, problems, err)
				 : read_xlsx(path, &book, problems, err);
	if (st == MSP_OK)
		st = from_book(&book, path, out, problems, err);
	book_clear(&book);
	return st;
}

enum msp_status
xlsform_read_xlsx_buffer(const void *data, size_t len,
			 struct instrument **out,
			 struct xlsform_problems *problems,
			 struct msp_error *err)
{
	struct book book;
	enum msp_status st;

	*out = NULL;
	book_init(&book);
	st = read_xlsx_buffer(data, len, &book, problems, err);
	if (st == MSP_OK)
		st = from_book(&book, "classeur", out, problems, err);
	book_clear(&book);
	return st;
}

/* --- writing -------------------------------------------------------------- */

/* The shortest text that reads back as v. */
static void
format_number(double v, char *out, size_t size)
{
	int prec;

	/* whole numbers in full: "2000", never "2e+03" */
	if (v == floor(v) && fabs(v) < 1e15) {
		snprintf(out, size, "%.0f", v);
		return;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(out, size, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

struct writer {
	lxw_worksheet *ws;
	lxw_row_t row;
	lxw_error failed;
};

/* Writes s in column col of the current row; empty cells stay blank. */
static void
put(struct writer *w, lxw_col_t col, const char *s)
{
	lxw_error e;

	if (s == NULL || s[0] == '\0' || w->failed != LXW_NO_ERROR)
		return;
	e = worksheet_write_string(w->ws, w->row, col, s, NULL);
	if (e != LXW_NO_ERROR)
		w->failed = e;
}

static void
put_header(struct writer *w, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		put(w, (lxw_col_t)i, names[i]);
	w->row++;
}

enum { S_TYPE, S_NAME, S_LABEL, S_LABEL_EN, S_HINT, S_REQUIRED,
       S_RELEVANT, S_CONSTRAINT, S_MSP_TYPE, S_MSP_VERBATIM };


static void
write_item(struct writer *w, const struct instrument *ins,
	   const struct instrument_item *it, struct buf *tmp)
{
	size_t j;
	char a[64], b[64];

	buf_reset(tmp);
	switch (it->type) {
	case ITEM_SINGLE_CHOICE:
		buf_printf(tmp, "select_one %s", it->key);
		break;
	case ITEM_MULTIPLE_CHOICE:
		buf_printf(tmp, "select_multiple %s", it->key);
		break;
	case ITEM_BOOLEAN:
		buf_printf(tmp, "select_one %s", boolean_list);
		break;
	case ITEM_NUMBER:
		buf_puts(tmp, it->integer_only ? "integer" : "decimal");
		break;
	case ITEM_TEXT:
		buf_puts(tmp, "text");
		break;
	}
	put(w, S_TYPE, buf_str(tmp));
	put(w, S_NAME, it->key);
	put(w, S_LABEL, it->label_fr);
	put(w, S_LABEL_EN, it->label_en);
	put(w, S_HINT, it->help_fr);
	put(w, S_REQUIRED, it->required ? "yes" : NULL);
	if (it->show_if >= 0) {
		const struct instrument_item *on = &ins->items[it->show_if];

		buf_reset(tmp);
		for (j = 0; j < it->n_show_if_values; j++)
			buf_printf(tmp, on->type == ITEM_MULTIPLE_CHOICE
					? "%sselected(${%s}, '%s')"
					: "%s${%s} = '%s'",
				   j ? " or " : "", on->key,
				   it->show_if_values[j]);
		put(w, S_RELEVANT, buf_str(tmp));
	}
	buf_reset(tmp);
	format_number(it->min_value, a, sizeof(a));
	format_number(it->max_value, b, sizeof(b));
	if (it->has_min && it->has_max)
		buf_printf(tmp, ". >= %s and . <= %s", a, b);
	else if (it->has_min)
		buf_printf(tmp, ". >= %s", a);
	else if (it->has_max)
		buf_printf(tmp, ". <= %s", b);
	else if (it->max_length > 0)
		buf_printf(tmp, "string-length(.) <= %d", it->max_length);
	put(w, S_CONSTRAINT, tmp->len ? buf_str(tmp) : NULL);
	put(w, S_MSP_TYPE, it->type == ITEM_BOOLEAN ? "boolean" : NULL);
	put(w, S_MSP_VERBATIM, it->label_verbatim ? "yes" : NULL);
	w->row++;
}

/* A group name no item has: groupe_N. */
static void
group_name(const struct instrument *ins, int *n, char *out, size_t size)
{
	do
		snprintf(out, size, "groupe_%d", ++*n);
	while (instrument_index(ins, out) >= 0);
}

enum msp_status
xlsform_write(const struct instrument *ins, const char *path,
	      struct msp_error *err)
{
	static const char *const survey_cols[] = {
		"type", "name", "label::fr", "label::en", "hint::fr",
		"required", "relevant", "constraint", "msp_type",
		"msp_label_verbatim",
	};
	static const char *const choices_cols[] = {
		"list_name", "name", "label::fr", "label::en",
	};
	static const char *const settings_cols[] = {
		"form_title", "form_id", "version", "default_language",
		"msp_title_en",
	};
	lxw_workbook_options opts = { .constant_memory = LXW_FALSE };
	lxw_workbook *wb;
	struct writer w = { NULL, 0, LXW_NO_ERROR };
	struct buf tmp = BUF_INIT(BUF_MAX_DOCUMENT);
	const char *section = "";
	char name[64], version[16];
	enum msp_status st;
	lxw_error e;
	size_t i, j;
	int groups = 0, has_boolean = 0, oom;

	wb = workbook_new_opt(path, &opts);
	if (wb == NULL)
		return msp_error_set(err, MSP_EIO, "%s : impossible de créer "
				     "le classeur", path);
	w.ws = workbook_add_worksheet(wb, "survey");
	put_header(&w, survey_cols, sizeof(survey_cols) / sizeof(char *));
	for (i = 0; i < ins->n_items; i++) {
		const struct instrument_item *it = &ins->items[i];

		if (strcmp(it->section_fr, section) != 0) {
			if (section[0] != '\0') {
				put(&w, S_TYPE, "end group");
				w.row++;
			}
			if (it->section_fr[0] != '\0') {
				group_name(ins, &groups, name, sizeof(name));
				put(&w, S_TYPE, "begin group");
				put(&w, S_NAME, name);
				put(&w, S_LABEL, it->section_fr);
				w.row++;
			}
			section = it->section_fr;
		}
		write_item(&w, ins, it, &tmp);
		has_boolean |= it->type == ITEM_BOOLEAN;
	}
	if (section[0] != '\0') {
		put(&w, S_TYPE, "end group");
		w.row++;
	}
	if (w.failed == LXW_NO_ERROR) {
		w.ws = workbook_add_worksheet(wb, "choices");
		w.row = 0;
		put_header(&w, choices_cols,
			   sizeof(choices_cols) / sizeof(char *));
	}
	for (i = 0; i < ins->n_items; i++) {
		const struct instrument_item *it = &ins->items[i];

		for (j = 0; j < it->n_options; j++) {
			put(&w, 0, it->key);
			put(&w, 1, it->options[j].code);
			put(&w, 2, it->options[j].label_fr);
			put(&w, 3, it->options[j].label_en);
			w.row++;
		}
	}
	if (has_boolean) {
		put(&w, 0, boolean_list);
		put(&w, 1, "oui");
		put(&w, 2, "Oui");
		put(&w, 3, "Yes");
		w.row++;
		put(&w, 0, boolean_list);
		put(&w, 1, "non");
		put(&w, 2, "Non");
		put(&w, 3, "No");
		w.row++;
	}
	if (w.failed == LXW_NO_ERROR) {
		w.ws = workbook_add_worksheet(wb, "settings");
		w.row = 0;
		put_header(&w, settings_cols,
			   sizeof(settings_cols) / sizeof(char *));
	}
	/* 0: a definition read from a file that said none */
	snprintf(version, sizeof(version), "%d", ins->version);
	put(&w, 0, ins->title_fr);
	put(&w, 1, ins->slug);
	put(&w, 2, ins->version > 0 ? version : NULL);
	put(&w, 3, "fr");
	put(&w, 4, ins->title_en);
	oom = tmp.failed;
	buf_free(&tmp);
	/* workbook_close frees wb whatever happens */
	e = workbook_close(wb);
	if (w.failed != LXW_NO_ERROR)
		e = w.failed;
	if (oom)
		return msp_error_set(err, MSP_ENOMEM, "out of memory");
	if (e != LXW_NO_ERROR) {
		st = msp_error_set(err, MSP_EIO, "%s : %s", path,
				   lxw_strerror(e));
		return st;
	}
	return MSP_OK;
}
