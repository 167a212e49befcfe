/*
 * frame — CSV lists into a study's targeted population (see frame.h).
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "csv.h"
#include "frame.h"

/* The identifier's parts and the fields, as mapping targets. */
enum source {
	S_FINESS = FRAME_N_FIELDS,
	S_NAME,
	S_COMMUNE,
	S_STRUCTURE,
	S_IGNORE,
	S_COUNT,
};

static const char *const target_names[S_COUNT] = {
	[FRAME_STRUCTURE_TYPE] = "structure_type",
	[FRAME_DEPARTEMENT] = "departement",
	[FRAME_N_SITES] = "n_sites",
	[FRAME_FEDERATION_MEMBER] = "federation_member",
	[FRAME_FEDERATION] = "federation",
	[FRAME_OPENING_YEAR] = "opening_year",
	[FRAME_ACI_SIGNATORY] = "aci_signatory",
	[FRAME_CPTS] = "cpts",
	[FRAME_CLS] = "cls",
	[S_FINESS] = "finess",
	[S_NAME] = "name",
	[S_COMMUNE] = "commune",
	[S_STRUCTURE] = "@structure",
	[S_IGNORE] = "@ignore",
};

/* Longest identifier part read, in bytes (a name and its commune). */
#define FRAME_ID_MAX 400

const char *
frame_field_name(enum frame_field f)
{
	return f < FRAME_N_FIELDS ? target_names[f] : "?";
}

static enum msp_status
oom(struct msp_error *err)
{
	return msp_error_set(err, MSP_ENOMEM, "out of memory");
}

void
frame_free(struct frame *f)
{
	size_t i, k;

	for (i = 0; i < f->n; i++)
		for (k = 0; k < FRAME_N_FIELDS; k++)
			msp_free(f->rows[i].value[k]);
	msp_free(f->rows);
	buf_free(&f->problems);
	buf_free(&f->duplicates);
	*f = (struct frame)FRAME_INIT;
}

/* Whether s is empty or only blanks. */
static int
blank(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

/* s lower-cased (ASCII) and trimmed into out (n bytes); 0 when it does
 * not fit. */
static int
lower_trim(const char *s, char *out, size_t n)
{
	size_t len;

	while (isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (len >= n)
		return 0;
	for (size_t i = 0; i < len; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[len] = '\0';
	return 1;
}

/* Whether s is an integer from lo to hi (digits only). */
static int
integer_in(const char *s, long lo, long hi)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9' || strlen(s) > 6)
		return 0;
	v = strtol(s, &end, 10);
	return *end == '\0' && v >= lo && v <= hi;
}

/*
 * The value of field for the cell (already translated by the mapping),
 * as the database takes it, into out (n bytes); NULL-equivalent "" for
 * an empty cell.  Returns NULL when valid, else why not (French).
 */
static const char *
read_field(enum frame_field field, const char *cell, char *out, size_t n)
{
	char v[32];
	size_t len;

	out[0] = '\0';
	if (blank(cell))
		return NULL;
	if (!lower_trim(cell, v, sizeof(v)))
		return "valeur trop longue";
	switch (field) {
	case FRAME_STRUCTURE_TYPE:
		if (strcmp(v, "msp") && strcmp(v, "esp") && strcmp(v, "cds") &&
		    strcmp(v, "other"))
			return "type inconnu (msp, esp, cds ou other ; une "
			       "ligne \"LIBELLÉ\" -> CODE du fichier de "
			       "correspondance traduit un libellé)";
		break;
	case FRAME_DEPARTEMENT:
		if (strlen(v) == 1 && v[0] >= '1' && v[0] <= '9') {
			v[1] = v[0];	/* "1" written by a spreadsheet */
			v[0] = '0';
			v[2] = '\0';
		}
		if (strcmp(v, "2a") == 0 || strcmp(v, "2b") == 0)
			v[1] = (char)toupper((unsigned char)v[1]);
		else if (!(strlen(v) == 2 && integer_in(v, 1, 95) &&
			   strcmp(v, "20") != 0) &&
			 !(strlen(v) == 3 && integer_in(v, 971, 976)))
			return "département invalide (01 à 95, 2A, 2B, 971 à "
			       "976)";
		break;
	case FRAME_N_SITES:
		if (!integer_in(v, 1, 999))
			return "nombre de sites invalide (1 à 999)";
		break;
	case FRAME_OPENING_YEAR:
		if (!integer_in(v, 1950, 2100))
			return "année d'ouverture invalide (1950 à 2100)";
		break;
	case FRAME_ACI_SIGNATORY:
		if (strcmp(v, "oui") == 0)
			memcpy(v, "t", 2);
		else if (strcmp(v, "non") == 0)
			memcpy(v, "f", 2);
		else
			return "oui ou non attendu";
		break;
	case FRAME_FEDERATION_MEMBER:
	case FRAME_CPTS:
	case FRAME_CLS:
		if (strcmp(v, "oui") && strcmp(v, "non") && strcmp(v, "nsp"))
			return "oui, non ou nsp attendu";
		break;
	case FRAME_FEDERATION:
		/* a slug: the database says whether it exists */
		for (const char *p = v; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') ||
			      (*p >= '0' && *p <= '9') || *p == '-'))
				return "identifiant de fédération invalide";
		break;
	case FRAME_N_FIELDS:
		break;
	}
	len = strlen(v);
	if (len >= n)
		return "valeur trop longue";
	memcpy(out, v, len + 1);
	return NULL;
}

static void
problem(struct frame *f, const char *name, size_t line, const char *column,
	const char *why)
{
	buf_printf(&f->problems, "%s:%zu: colonne « %s » : %s\n", name, line,
		   column, why);
	f->n_problems++;
}

/* The identifier of row from its mapped parts into id (n bytes): the
 * FINESS number when the list has one, else @structure, else name and
 * commune.  Returns NULL, or why there is none. */
static const char *
row_identifier(const char *const part[], char *id, size_t n)
{
	const char *finess = part[S_FINESS - S_FINESS],
		   *name = part[S_NAME - S_FINESS],
		   *commune = part[S_COMMUNE - S_FINESS],
		   *structure = part[S_STRUCTURE - S_FINESS];

	size_t a, b;

	if (finess != NULL && !blank(finess))
		name = finess, commune = "";
	else if (structure != NULL && !blank(structure))
		name = structure, commune = "";
	else if (name == NULL || blank(name) || commune == NULL ||
		 blank(commune))
		name = NULL;
	if (name != NULL) {
		/* "NAME COMMUNE": the separator is one the normalisation
		 * drops, so "Nom, Commune" typed in a form is the same */
		a = strlen(name);
		b = strlen(commune);
		if (a + b + 2 > n)
			return "identifiant trop long";
		memcpy(id, name, a);
		id[a] = ' ';
		memcpy(id + a + 1, commune, b + 1);
		return NULL;
	}
	return "la structure n'est pas identifiée (FINESS, ou nom et "
	       "commune)";
}

static enum msp_status
add_row(struct frame *f, struct frame_row *row, struct msp_error *err)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 64;
		struct frame_row *p = msp_realloc(f->rows, cap * sizeof(*p));

		if (p == NULL)
			return oom(err);
		f->rows = p;
		f->cap = cap;
	}
	f->rows[f->n++] = *row;
	return MSP_OK;
}

enum msp_status
frame_read_file(struct frame *f, const struct csvmap *map, const char *name,
		FILE *in, const struct secret *secret, struct msp_error *err)
{
	struct csv_reader *csv = NULL;
	const struct csv_row *header, *row;
	enum msp_status st;
	size_t n_map = csvmap_n_columns(map), i, r, k;
	int *col = NULL, *target = NULL, has_id = 0, has_name = 0,
	    has_commune = 0;
	char id[FRAME_ID_MAX + 2], value[64];

	if (f->n_files == FRAME_MAX_FILES)
		return msp_error_set(err, MSP_EINVAL, "au plus %d listes",
				     FRAME_MAX_FILES);
	/* one record at a time: what stays is each structure's row
	 * (its pseudonym and nine short values), not the list's text */
	st = csv_reader_new(in, 0, NULL, NULL, &csv, err);
	if (st != MSP_OK) {
		msp_error_prefix(err, "%s", name);
		return st;
	}
	header = csv_reader_header(csv);
	col = msp_calloc(n_map + 1, sizeof(*col));
	target = msp_calloc(n_map + 1, sizeof(*target));
	if (col == NULL || target == NULL) {
		st = oom(err);
		goto out;
	}
	/* each mapped column: its field and where the header has it */
	for (i = 0; i < n_map; i++) {
		const char *t = csvmap_target(map, i);
		const char *c = csvmap_column(map, i, &r);

		for (k = 0; k < S_COUNT; k++)
			if (t != NULL && strcmp(t, target_names[k]) == 0)
				break;
		if (k == S_COUNT) {
			st = msp_error_set(err, MSP_EINVAL, "correspondance, "
					   "ligne %zu : « %s » n'est pas un "
					   "champ de la population cible", r,
					   t != NULL ? t : "ITEM[OPTION]");
			goto out;
		}
		target[i] = (int)k;
		has_id |= k == S_FINESS || k == S_STRUCTURE;
		has_name |= k == S_NAME;
		has_commune |= k == S_COMMUNE;
		col[i] = -1;
		for (k = 0; k < header->n; k++)
			if (strcmp(header->fields[k], c) == 0)
				col[i] = (int)k;
		if (col[i] < 0 && target[i] != S_IGNORE) {
			st = msp_error_set(err, MSP_EINVAL, "%s : la colonne "
					   "« %s » (correspondance, ligne %zu) "
					   "n'est pas dans l'en-tête", name,
					   c, r);
			goto out;
		}
	}
	if (!has_id && !(has_name && has_commune)) {
		st = msp_error_set(err, MSP_EINVAL, "la correspondance "
				   "n'identifie pas les structures : il faut "
				   "finess, @structure, ou name et commune");
		goto out;
	}
	f->files[f->n_files++] = name;

	while ((st = csv_reader_next(csv, &row, err)) == MSP_OK &&
	       row != NULL) {
		const char *part[4] = { NULL, NULL, NULL, NULL }, *why;
		struct frame_row out = { .file = f->n_files - 1,
					 .line = row->line };
		size_t before = f->n_problems;
		int mapped;

		for (i = 0; i < n_map; i++) {
			const char *cell;

			if (target[i] == S_IGNORE || col[i] < 0)
				continue;
			cell = csvmap_translate(map, i,
						row->fields[col[i]], &mapped);
			if (target[i] >= S_FINESS) {
				part[target[i] - S_FINESS] = cell;
				continue;
			}
			why = read_field((enum frame_field)target[i], cell,
					 value, sizeof(value));
			if (why != NULL) {
				problem(f, name, row->line,
					csvmap_column(map, i, NULL), why);
				continue;
			}
			if (value[0] != '\0' &&
			    (out.value[target[i]] = msp_strdup(value))
			    == NULL) {
				st = oom(err);
				goto row_fail;
			}
		}
		if ((why = row_identifier(part, id, sizeof(id))) != NULL)
			problem(f, name, row->line, "identifiant", why);
		/* a federation named: the structure is a member; said
		 * otherwise, the row contradicts itself */
		if (out.value[FRAME_FEDERATION] != NULL) {
			if (out.value[FRAME_FEDERATION_MEMBER] == NULL)
				out.value[FRAME_FEDERATION_MEMBER] =
					msp_strdup("oui");
			if (out.value[FRAME_FEDERATION_MEMBER] == NULL) {
				st = oom(err);
				goto row_fail;
			}
			if (strcmp(out.value[FRAME_FEDERATION_MEMBER], "oui"))
				problem(f, name, row->line, "federation",
					"une fédération est nommée mais "
					"l'adhésion dit non");
		}
		if (f->n_problems == before) {
			st = secret_pseudonym(secret, id, out.pseudonym, err);
			if (st == MSP_OK)
				st = secret_pseudonym_legacy(secret, id,
							     out.legacy, err);
			crypto_cleanse(id, sizeof(id));
			if (st != MSP_OK)
				goto row_fail;
			if ((st = add_row(f, &out, err)) != MSP_OK)
				goto row_fail;
			continue;
		}
		crypto_cleanse(id, sizeof(id));
		for (k = 0; k < FRAME_N_FIELDS; k++)
			msp_free(out.value[k]);
		continue;
row_fail:
		for (k = 0; k < FRAME_N_FIELDS; k++)
			msp_free(out.value[k]);
		goto out;
	}
	if (st != MSP_OK)
		msp_error_prefix(err, "%s", name);
	else if (f->problems.failed)
		st = oom(err);
out:
	msp_free(col);
	msp_free(target);
	csv_reader_free(csv);
	return st;
}

enum msp_status
frame_read(struct frame *f, const struct csvmap *map, const char *name,
	   const char *data, size_t len, const struct secret *secret,
	   struct msp_error *err)
{
	enum msp_status st;
	FILE *in;

	if (len == 0)	/* fmemopen() wants a buffer */
		return msp_error_set(err, MSP_EINVAL, "%s: empty file: no "
				     "header", name);
	/* read-only: fmemopen() does not write in mode "r" */
	if ((in = fmemopen((void *)(uintptr_t)data, len, "r")) == NULL)
		return oom(err);
	st = frame_read_file(f, map, name, in, secret, err);
	fclose(in);
	return st;
}

/* qsort: by pseudonym, then by the order the lists gave */
static int
by_pseudonym(const void *a, const void *b)
{
	const struct frame_row *x = a, *y = b;
	int c = strcmp(x->pseudonym, y->pseudonym);

	if (c != 0)
		return c;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

enum msp_status
frame_merge(struct frame *f, struct msp_error *err)
{
	size_t i, keep = 0, k;

	if (f->n == 0)
		return MSP_OK;
	qsort(f->rows, f->n, sizeof(*f->rows), by_pseudonym);
	for (i = 1; i < f->n; i++) {
		struct frame_row *first = &f->rows[keep], *dup = &f->rows[i];

		if (strcmp(first->pseudonym, dup->pseudonym) != 0) {
			f->rows[++keep] = *dup;
			continue;
		}
		buf_printf(&f->duplicates, "%s:%zu = %s:%zu\n",
			   f->files[first->file], first->line,
			   f->files[dup->file], dup->line);
		f->n_duplicates++;
		for (k = 0; k < FRAME_N_FIELDS; k++) {
			if (first->value[k] == NULL) {
				first->value[k] = dup->value[k];
				dup->value[k] = NULL;
			}
			msp_free(dup->value[k]);
		}
	}
	f->n = keep + 1;
	return f->duplicates.failed ? oom(err) : MSP_OK;
}
