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
#include <libxml/tree.h>
#include <xlsxwriter.h>
#include <zip.h>

#include "csv.h"
#include "file.h"
#include "utf8.h"
#include "xlsform.h"

/* The list export writes for the model's boolean items (oui, non); no
 * item may take its name, whose list it would share. */
static const char boolean_list[] = "msp_oui_non";

/* --- sheets as tables ----------------------------------------------------- */

struct xrow {
	size_t number;		/* the row number the person sees */
	char **cells;		/* n cells, NULL for an empty one */
	size_t n;
};

struct sheet {
	const char *name;	/* as the problems name it */
	int present;
	struct xrow *rows;	/* in row order */
	size_t n_rows;
};

enum { SURVEY, CHOICES, SETTINGS, N_SHEETS };
static const char *const sheet_names[N_SHEETS] = {
	"survey", "choices", "settings"
};

struct book {
	struct sheet sheets[N_SHEETS];
};

static void
book_clear(struct book *b)
{
	size_t s, r, c;

	for (s = 0; s < N_SHEETS; s++) {
		struct sheet *sh = &b->sheets[s];

		for (r = 0; r < sh->n_rows; r++) {
			for (c = 0; c < sh->rows[r].n; c++)
				free(sh->rows[r].cells[c]);
			free(sh->rows[r].cells);
		}
		free(sh->rows);
		sh->rows = NULL;
		sh->n_rows = 0;
	}
}

/* A new last row of sh numbered number; NULL when out of memory. */
static struct xrow *
sheet_add_row(struct sheet *sh, size_t number)
{
	struct xrow *rows = realloc(sh->rows,
				    (sh->n_rows + 1) * sizeof(*rows));

	if (rows == NULL)
		return NULL;
	sh->rows = rows;
	rows[sh->n_rows].number = number;
	rows[sh->n_rows].cells = NULL;
	rows[sh->n_rows].n = 0;
	return &rows[sh->n_rows++];
}

/* Sets cell col of row to a copy of text; 0, or -1 out of memory. */
static int
row_set(struct xrow *row, size_t col, const char *text)
{
	if (col >= row->n) {
		char **cells = realloc(row->cells, (col + 1) * sizeof(char *));

		if (cells == NULL)
			return -1;
		memset(cells + row->n, 0, (col + 1 - row->n) * sizeof(char *));
		row->cells = cells;
		row->n = col + 1;
	}
	free(row->cells[col]);
	row->cells[col] = strdup(text);
	return row->cells[col] == NULL ? -1 : 0;
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
 * The part name of the zip at z into *out (NUL-terminated), at most
 * XLSFORM_PART_MAX bytes.  Returns MSP_OK, MSP_EINVAL when absent
 * (*out NULL), MSP_EIO, MSP_ENOMEM.
 */
static enum msp_status
zip_part(zip_t *z, const char *name, char **out, size_t *len,
	 struct msp_error *err)
{
	zip_stat_t sb;
	zip_file_t *f = NULL;
	char *data = NULL;
	zip_int64_t got;
	size_t have = 0;

	*out = NULL;
	zip_stat_init(&sb);
	if (zip_stat(z, name, 0, &sb) != 0)
		return msp_error_set(err, MSP_EINVAL, "%s: absent", name);
	if (!(sb.valid & ZIP_STAT_SIZE) || sb.size > XLSFORM_PART_MAX)
		return msp_error_set(err, MSP_EIO, "%s: plus de %u octets",
				     name, XLSFORM_PART_MAX);
	data = malloc((size_t)sb.size + 1);
	if (data == NULL)
		return msp_error_set(err, MSP_ENOMEM, "out of memory");
	f = zip_fopen(z, name, 0);
	if (f == NULL)
		goto fail;
	/* The size in the directory is a claim: read no more than it,
	 * and check that the data gives exactly that. */
	while (have < (size_t)sb.size &&
	       (got = zip_fread(f, data + have, sb.size - have)) > 0)
		have += (size_t)got;
	if (have != (size_t)sb.size)
		goto fail;
	zip_fclose(f);
	data[have] = '\0';
	*out = data;
	*len = have;
	return MSP_OK;
fail:
	msp_error_set(err, MSP_EIO, "%s: %s", name,
		      f ? zip_file_strerror(f) : zip_strerror(z));
	if (f != NULL)
		zip_fclose(f);
	free(data);
	return MSP_EIO;
}

/* The parsed XML part name; NULL with err set (absent: MSP_EINVAL). */
static xmlDocPtr
zip_xml(zip_t *z, const char *name, struct msp_error *err)
{
	char *data;
	size_t len = 0;
	xmlDocPtr doc;

	if (zip_part(z, name, &data, &len, err) != MSP_OK)
		return NULL;
	if (len > (size_t)INT32_MAX)
		len = 0;
	/* No network, no external entity, no DTD loading: an .xlsx part
	 * is plain XML. */
	doc = xmlReadMemory(data, (int)len, name, NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR |
			    XML_PARSE_NOWARNING);
	free(data);
	if (doc == NULL)
		msp_error_set(err, MSP_EIO, "%s: XML illisible", name);
	return doc;
}

static int
is_elem(const xmlNode *n, const char *local)
{
	return n->type == XML_ELEMENT_NODE &&
	       strcmp((const char *)n->name, local) == 0;
}

/* Attribute local of n (any namespace) as a new string, or NULL. */
static char *
attr(const xmlNode *n, const char *local)
{
	const xmlAttr *a;

	for (a = n->properties; a != NULL; a = a->next)
		if (strcmp((const char *)a->name, local) == 0)
			return (char *)xmlNodeGetContent((const xmlNode *)a);
	return NULL;
}

/* The first element child of n named local, or NULL. */
static xmlNode *
child(const xmlNode *n, const char *local)
{
	xmlNode *c;

	for (c = n->children; c != NULL; c = c->next)
		if (is_elem(c, local))
			return c;
	return NULL;
}

/* Appends the text of every <t> under n, phonetic runs left out. */
static void
text_runs(const xmlNode *n, struct buf *out)
{
	const xmlNode *c;

	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || is_elem(c, "rPh"))
			continue;
		if (is_elem(c, "t")) {
			xmlChar *s = xmlNodeGetContent(c);

			if (s != NULL)
				buf_puts(out, (const char *)s);
			xmlFree(s);
		} else {
			text_runs(c, out);
		}
	}
}

struct strings {
	char **s;
	size_t n;
};

static void
strings_free(struct strings *ss)
{
	size_t i;

	for (i = 0; i < ss->n; i++)
		free(ss->s[i]);
	free(ss->s);
}

/* xl/sharedStrings.xml, which a workbook of numbers may lack. */
static enum msp_status
read_shared_strings(zip_t *z, struct strings *ss, struct msp_error *err)
{
	xmlDocPtr doc = zip_xml(z, "xl/sharedStrings.xml", err);
	xmlNode *root, *si;
	enum msp_status st = MSP_OK;

	if (doc == NULL)
		return err->status == MSP_EINVAL ? MSP_OK : err->status;
	root = xmlDocGetRootElement(doc);
	for (si = root ? root->children : NULL; si != NULL; si = si->next) {
		struct buf b = BUF_INIT(BUF_MAX_TEXT);
		char **grown;

		if (!is_elem(si, "si"))
			continue;
		text_runs(si, &b);
		grown = realloc(ss->s, (ss->n + 1) * sizeof(char *));
		if (grown == NULL || b.failed) {
			buf_free(&b);
			st = msp_error_set(err, MSP_ENOMEM, "out of memory");
			break;
		}
		ss->s = grown;
		ss->s[ss->n] = b.data ? buf_steal(&b) : strdup("");
		if (ss->s[ss->n] == NULL) {
			st = msp_error_set(err, MSP_ENOMEM, "out of memory");
			break;
		}
		ss->n++;
	}
	xmlFreeDoc(doc);
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

/* The worksheet part into sh, its cells' values resolved. */
static enum msp_status
read_worksheet(zip_t *z, const char *part, const struct strings *ss,
	       struct sheet *sh, struct xlsform_problems *problems,
	       struct msp_error *err)
{
	xmlDocPtr doc = zip_xml(z, part, err);
	xmlNode *root, *data, *rn, *cn;
	enum msp_status st = MSP_OK;
	size_t last_row = 0;

	if (doc == NULL)
		return err->status == MSP_EINVAL
		       ? msp_error_set(err, MSP_EIO, "%s: feuille absente",
				       part)
		       : err->status;
	root = xmlDocGetRootElement(doc);
	data = root ? child(root, "sheetData") : NULL;
	for (rn = data ? data->children : NULL; rn; rn = rn->next) {
		char *r = NULL;
		size_t number, last_col = 0;
		struct xrow *row;
		int first = 1;

		if (!is_elem(rn, "row"))
			continue;
		/* r is optional: a row without it follows the last one */
		r = attr(rn, "r");
		number = r ? strtoul(r, NULL, 10) : last_row + 1;
		xmlFree(r);
		if (number <= last_row || number > XLSFORM_MAX_ROWS) {
			problem(problems, sh->name, number, NULL,
				"ligne hors des limites (1 à %d, croissantes)",
				XLSFORM_MAX_ROWS);
			break;
		}
		last_row = number;
		if ((row = sheet_add_row(sh, number)) == NULL) {
			st = msp_error_set(err, MSP_ENOMEM, "out of memory");
			goto out;
		}
		for (cn = rn->children; cn != NULL; cn = cn->next) {
			char *ref, *type, text[64];
			size_t col = first ? 0 : last_col + 1, rr = number;
			struct buf v = BUF_INIT(BUF_MAX_TEXT);
			xmlNode *vn;
			const char *value;

			if (!is_elem(cn, "c"))
				continue;
			ref = attr(cn, "r");
			if (ref != NULL && (cell_ref(ref, &col, &rr) != 0 ||
					    rr != number)) {
				problem(problems, sh->name, number, ref,
					"référence de cellule incorrecte");
				xmlFree(ref);
				continue;
			}
			xmlFree(ref);
			first = 0;
			last_col = col;
			if (col >= XLSFORM_MAX_COLS) {
				char letters[8];

				column_letters(col, letters);
				problem(problems, sh->name, number, letters,
					"plus de %d colonnes",
					XLSFORM_MAX_COLS);
				continue;
			}
			type = attr(cn, "t");
			if (type && strcmp(type, "inlineStr") == 0) {
				if ((vn = child(cn, "is")) != NULL)
					text_runs(vn, &v);
			} else if ((vn = child(cn, "v")) != NULL) {
				xmlChar *s = xmlNodeGetContent(vn);

				buf_puts(&v, s ? (const char *)s : "");
				xmlFree(s);
			}
			value = buf_str(&v);
			if (type && strcmp(type, "s") == 0) {
				char *end;
				unsigned long i = strtoul(value, &end, 10);

				if (*value == '\0' || *end != '\0' ||
				    i >= ss->n) {
					char letters[8];

					column_letters(col, letters);
					problem(problems, sh->name, number,
						letters, "chaîne partagée %s "
						"absente", value);
					value = "";
				} else {
					value = ss->s[i];
				}
			} else if (type && strcmp(type, "b") == 0) {
				value = strcmp(value, "1") == 0 ? "TRUE"
								: "FALSE";
			} else if (type && strcmp(type, "e") == 0) {
				char letters[8];

				column_letters(col, letters);
				problem(problems, sh->name, number, letters,
					"la cellule contient une erreur "
					"(%s)", value);
				value = "";
			} else if (type == NULL || strcmp(type, "n") == 0) {
				number_text(value, text, sizeof(text));
				value = text;
			}
			xmlFree(type);
			if (utf8_length(value) > XLSFORM_CELL_MAX) {
				char letters[8];

				column_letters(col, letters);
				problem(problems, sh->name, number, letters,
					"plus de %d caractères",
					XLSFORM_CELL_MAX);
				value = "";
			}
			if (v.failed || row_set(row, col, value) != 0) {
				buf_free(&v);
				st = msp_error_set(err, MSP_ENOMEM,
						   "out of memory");
				goto out;
			}
			buf_free(&v);
		}
	}
out:
	xmlFreeDoc(doc);
	return st;
}

/* The worksheet part of every sheet we know in the open zip z, from
 * the workbook and its relationships; what names the file in errors. */
static enum msp_status
read_xlsx_zip(zip_t *z, const char *what, struct book *book,
	      struct xlsform_problems *problems, struct msp_error *err)
{
	xmlDocPtr wb = NULL, rels = NULL;
	struct strings ss = { NULL, 0 };
	enum msp_status st;
	xmlNode *root, *n, *sheets;

	if ((wb = zip_xml(z, "xl/workbook.xml", err)) == NULL ||
	    (rels = zip_xml(z, "xl/_rels/workbook.xml.rels", err)) == NULL) {
		st = err->status == MSP_EINVAL ? MSP_EIO : err->status;
		err->status = st;
		msp_error_prefix(err, "%s : pas un classeur .xlsx", what);
		goto out;
	}
	if ((st = read_shared_strings(z, &ss, err)) != MSP_OK)
		goto out;
	root = xmlDocGetRootElement(wb);
	sheets = root ? child(root, "sheets") : NULL;
	for (n = sheets ? sheets->children : NULL; n; n = n->next) {
		char *name, *rid, *target = NULL, part[512];
		xmlNode *rel, *rroot = xmlDocGetRootElement(rels);
		size_t s;

		if (!is_elem(n, "sheet"))
			continue;
		name = attr(n, "name");
		rid = attr(n, "id");	/* r:id */
		for (s = 0; name && s < N_SHEETS; s++)
			if (strcasecmp(name, sheet_names[s]) == 0)
				break;
		xmlFree(name);
		if (s == N_SHEETS || rid == NULL ||
		    book->sheets[s].present) {
			/* other sheets (notes, lists) are the author's */
			xmlFree(rid);
			continue;
		}
		for (rel = rroot ? rroot->children : NULL; rel;
		     rel = rel->next) {
			char *id;

			if (!is_elem(rel, "Relationship"))
				continue;
			id = attr(rel, "Id");
			if (id && strcmp(id, rid) == 0)
				target = attr(rel, "Target");
			xmlFree(id);
			if (target)
				break;
		}
		xmlFree(rid);
		if (target == NULL) {
			problem(problems, sheet_names[s], 0, NULL,
				"feuille sans partie dans le classeur");
			continue;
		}
		/* Targets are relative to xl/, or absolute in the zip. */
		if (target[0] == '/')
			snprintf(part, sizeof(part), "%s", target + 1);
		else
			snprintf(part, sizeof(part), "xl/%s", target);
		xmlFree(target);
		book->sheets[s].present = 1;
		st = read_worksheet(z, part, &ss, &book->sheets[s], problems,
				    err);
		if (st != MSP_OK)
			goto out;
	}
	st = MSP_OK;
out:
	strings_free(&ss);
	xmlFreeDoc(wb);
	xmlFreeDoc(rels);
	return st;
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
		free(data);
		if (st != MSP_OK) {
			msp_error_prefix(err, "%s.csv", sheet_names[s]);
			return st;
		}
		book->sheets[s].present = 1;
		for (r = 0; r < csv->n_rows && st == MSP_OK; r++) {
			struct xrow *row = sheet_add_row(&book->sheets[s],
							 csv->rows[r].line);

			if (row == NULL)
				st = MSP_ENOMEM;
			for (c = 0; row && c < csv->rows[r].n; c++) {
				const char *f = csv->rows[r].fields[c];

				if (utf8_length(f) > XLSFORM_CELL_MAX) {
					char letters[8];

					column_letters(c, letters);
					problem(problems, book->sheets[s].name,
						row->number, letters,
						"plus de %d caractères",
						XLSFORM_CELL_MAX);
				} else if (f[0] != '\0' &&
					   row_set(row, c, f) != 0) {
					st = MSP_ENOMEM;
				}
			}
		}
		csv_free(csv);
		if (st != MSP_OK)
			return msp_error_set(err, MSP_ENOMEM, "out of memory");
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
		snprintf(trimmed, sizeof(trimmed), "%.*s", (int)n, h);
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

/* A trimmed copy of get() into out. */
static const char *
get_trim(const struct layout *l, const struct xrow *row, enum col col,
	 char *out, size_t size)
{
	const char *s = get(l, row, col);
	size_t n;

	s += strspn(s, " \t\r\n");
	n = strlen(s);
	while (n > 0 && strchr(" \t\r\n", s[n - 1]))
		n--;
	if (n >= size)
		n = size - 1;
	memcpy(out, s, n);
	out[n] = '\0';
	return out;
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

static int
slug_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) ||
		      isdigit((unsigned char)s[i]) ||
		      (s[i] == '-' && s[i + 1] != '-')))
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
	if ((d = strdup(s)) == NULL)
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
		free(c->values[i]);
	c->n = 0;
}

/* One "${x} = 'v'" or "selected(${x}, 'v')", maybe in parentheses. */
static const char *
relevant_atom(struct lex *x, struct condition *c)
{
	char item[256], value[256];
	const char *why;
	size_t i;

	if (x->t == T_LP) {
		lex_next(x);
		if ((why = relevant_atom(x, c)) != NULL)
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
	if ((c->values[c->n] = strdup(value)) == NULL)
		return "mémoire épuisée";
	c->n++;
	return NULL;
}

/* Parses expr; NULL, or why it is refused. */
static const char *
relevant_parse(const char *expr, struct condition *c)
{
	struct lex x = { .p = expr };
	const char *why;

	memset(c, 0, sizeof(*c));
	lex_next(&x);
	for (;;) {
		if ((why = relevant_atom(&x, c)) != NULL)
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
			free(ls->l[i].options[j].code);
			free(ls->l[i].options[j].label_fr);
			free(ls->l[i].options[j].label_en);
		}
		free(ls->l[i].options);
		free(ls->l[i].name);
	}
	free(ls->l);
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
		get_trim(&l, row, COL_LIST_NAME, list_name,
			 sizeof(list_name));
		get_trim(&l, row, COL_NAME, name, sizeof(name));
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
			struct list *grown = realloc(ls->l, (ls->n + 1) *
						     sizeof(*grown));

			if (grown == NULL)
				goto oom;
			ls->l = grown;
			list = &ls->l[ls->n];
			memset(list, 0, sizeof(*list));
			if ((list->name = strdup(list_name)) == NULL)
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
		op = realloc(list->options, (list->n + 1) * sizeof(*op));
		if (op == NULL)
			goto oom;
		list->options = op;
		op = &list->options[list->n];
		memset(op, 0, sizeof(*op));
		list->n++;
		op->code = strdup(name);
		op->label_fr = strdup(label);
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
	get_trim(&l, row, COL_FORM_ID, id, sizeof(id));
	if (!slug_ok(id))
		problem(p, "settings", row->number,
			col_name(&l, COL_FORM_ID, cn, sizeof(cn)),
			"« %s » : un identifiant en minuscules, chiffres et "
			"tirets (occitanie-2024)", id);
	title = get(&l, row, COL_FORM_TITLE);
	if (blank(title))
		problem(p, "settings", row->number,
			col_name(&l, COL_FORM_TITLE, cn, sizeof(cn)),
			"titre vide");
	get_trim(&l, row, COL_VERSION, version, sizeof(version));
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
	get_trim(&l, row, COL_DEFAULT_LANGUAGE, lang, sizeof(lang));
	if (lang[0] != '\0' && language_of(lang) != 'f')
		problem(p, "settings", row->number,
			col_name(&l, COL_DEFAULT_LANGUAGE, cn, sizeof(cn)),
			"« %s » : les questionnaires sont en français "
			"(default_language fr)", lang);
	ins->slug = strdup(id);
	ins->title_fr = strdup(title);
	ins->title_en = dup_or_null(get(&l, row, COL_MSP_TITLE_EN), &oom);
	if (ins->slug == NULL || ins->title_fr == NULL || oom)
		return msp_error_set(err, MSP_ENOMEM, "out of memory");
	return MSP_OK;
}

/* What the survey sheet said of an item, beyond the instrument. */
struct item_src {
	size_t row;
	char relevant[1024];	/* parsed once every item is known */
	int relevant_col;
};

static enum msp_status
copy_options(struct instrument_item *it, const struct list *list)
{
	size_t j;

	it->options = calloc(list->n ? list->n : 1, sizeof(*it->options));
	if (it->options == NULL)
		return MSP_ENOMEM;
	for (j = 0; j < list->n; j++) {
		struct item_option *op = &it->options[j];

		it->n_options = j + 1;
		op->code = strdup(list->options[j].code);
		op->label_fr = strdup(list->options[j].label_fr);
		op->label_en = list->options[j].label_en
			       ? strdup(list->options[j].label_en) : NULL;
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
	it->show_if_values = calloc(c.n, sizeof(char *));
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
	ins->items = calloc(n_rows ? n_rows : 1, sizeof(*ins->items));
	src = calloc(n_rows ? n_rows : 1, sizeof(*src));
	if (ins->items == NULL || src == NULL)
		goto oom;
	for (r = l.first_data; r < n_rows; r++) {
		const struct xrow *row = &l.sh->rows[r];
		struct instrument_item *it;
		char type[256], name[256], word[256], list_name[256];
		char req[64], mtype[64], verb[64], cons[1024];
		const char *label = get(&l, row, COL_LABEL_FR), *why;
		int n_words, y;

		if (row_is_empty(row))
			continue;
		get_trim(&l, row, COL_TYPE, type, sizeof(type));
		get_trim(&l, row, COL_NAME, name, sizeof(name));
		for (i = 0; type[i]; i++)
			type[i] = (char)tolower((unsigned char)type[i]);
		list_name[0] = word[0] = '\0';
		n_words = sscanf(type, "%255s %255s %255s", word, list_name,
				 cons);
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
			free(section);
			if ((section = strdup(label)) == NULL)
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
			free(section);
			section = NULL;
			continue;
		}
		if (n_words == 3 && strcmp(cons, "or_other") == 0) {
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

			it->key = strdup(name);
			it->label_fr = strdup(label);
			it->label_en = dup_or_null(get(&l, row, COL_LABEL_EN),
						   &oom);
			it->help_fr = dup_or_null(get(&l, row, COL_HINT_FR),
						  &oom);
			it->section_fr = strdup(section ? section : "");
			if (!it->key || !it->label_fr || !it->section_fr ||
			    oom)
				goto oom;
		}
		get_trim(&l, row, COL_REQUIRED, req, sizeof(req));
		if ((y = yes_no(req)) < 0)
			problem(p, "survey", row->number,
				col_name(&l, COL_REQUIRED, cn, sizeof(cn)),
				"« %s » : yes ou no", req);
		it->required = y > 0;
		get_trim(&l, row, COL_MSP_VERBATIM, verb, sizeof(verb));
		if ((y = yes_no(verb)) < 0)
			problem(p, "survey", row->number,
				col_name(&l, COL_MSP_VERBATIM, cn, sizeof(cn)),
				"« %s » : yes ou no", verb);
		it->label_verbatim = y > 0;
		get_trim(&l, row, COL_MSP_TYPE, mtype, sizeof(mtype));
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
					free(it->options[i].code);
					free(it->options[i].label_fr);
					free(it->options[i].label_en);
				}
				free(it->options);
				it->options = NULL;
				it->n_options = 0;
			}
		} else if (mtype[0] != '\0') {
			problem(p, "survey", row->number,
				col_name(&l, COL_MSP_TYPE, cn, sizeof(cn)),
				"« %s » : seul boolean est connu", mtype);
		}
		get_trim(&l, row, COL_CONSTRAINT, cons, sizeof(cons));
		if (cons[0] != '\0') {
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
		get_trim(&l, row, COL_RELEVANT, src[ins->n_items - 1].relevant,
			 sizeof(src[0].relevant));
		continue;
oom_item:
		ins->n_items++;
		goto oom;
	}
	if (in_group)
		problem(p, "survey", group_row, NULL,
			"groupe jamais fermé (end group)");
	for (i = 0; i < ins->n_items; i++)
		if (src[i].relevant[0] != '\0' &&
		    resolve_relevant(ins, i, &src[i], &l, p) != MSP_OK)
			goto oom;
	if (ins->n_items == 0 && p->n == 0)
		problem(p, "survey", 0, NULL, "aucune question");
	goto out;
oom:
	st = msp_error_set(err, MSP_ENOMEM, "out of memory");
out:
	free(section);
	free(src);
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

	if ((ins = calloc(1, sizeof(*ins))) == NULL) {
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
