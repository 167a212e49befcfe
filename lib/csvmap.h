/*
 * csvmap — how the columns of a survey tool's CSV export become the
 * answers of a questionnaire.
 *
 * A mapping file says, one line per column, which item (or which
 * option of a multiple choice, or which identifying field) a column
 * holds, and how the export's labels translate into option codes:
 *
 *	# Microsoft Forms, Occitanie 2024
 *	"Nom et commune de votre structure" = @structure
 *	"Votre fonction" = @role
 *	    "Coordinateur / coordinatrice" -> coordinateur
 *	"Type de structure" = structure_type
 *	    "Maison de santé pluriprofessionnelle (MSP)" -> msp
 *	"Horaires" = info_content[horaires]
 *	"Heure de début" = @ignore
 *
 * docs/import-export.md describes the format in full.  Everything here
 * is free of the database: the instrument and the role codes are given,
 * so that a fuzzer can drive a CSV row into a validated submission.
 */
#ifndef MSP_CSVMAP_H
#define MSP_CSVMAP_H

#include <stddef.h>

#include "buf.h"
#include "crypto.h"
#include "csv.h"
#include "instrument.h"
#include "msp_error.h"
#include "secret.h"
#include "submission.h"

/* Longest value of an @id cell, in bytes. */
#define CSVMAP_ID_MAX 200

/* "YYYY-MM-DD HH:MM:SS" and its NUL. */
#define CSVMAP_TIME_LEN 20

struct csvmap;
struct csvmap_binding;

/*
 * Parses a mapping file's text (len bytes, UTF-8).  On success *out is
 * the caller's (csvmap_free()).  Fails with MSP_EINVAL and "line N: why"
 * for a malformed line, a column mapped twice, two columns for one
 * identifying field; MSP_ENOMEM.  Items are checked later, against the
 * instrument (csvmap_bind()).
 */
enum msp_status csvmap_parse(const char *text, size_t len,
			     struct csvmap **out, struct msp_error *err);

void csvmap_free(struct csvmap *map);

/*
 * Fits map to a CSV header and an instrument.  roles[0..n_roles) are
 * the respondent role codes the database knows.  map, ins and roles are
 * borrowed and must outlive *out (csvmap_binding_free()).  Fails with
 * MSP_EINVAL when a mapped column is not in the header (or is in it
 * twice), an item or option is not the instrument's, a value mapping
 * names a code the item does not have, or no column identifies the
 * structure; MSP_ENOMEM.
 */
enum msp_status csvmap_bind(const struct csvmap *map,
			    const struct csv_row *header,
			    const struct instrument *ins,
			    const char *const *roles, size_t n_roles,
			    struct csvmap_binding **out,
			    struct msp_error *err);

void csvmap_binding_free(struct csvmap_binding *b);

/* The header's columns the mapping neither maps nor ignores (borrowed
 * from the header row), in file order. */
const char *const *csvmap_unmapped(const struct csvmap_binding *b,
				   size_t *n);

/* Whether rows carry identifiers to pseudonymise (an @structure
 * column): the caller then needs the server secret. */
int csvmap_needs_secret(const struct csvmap_binding *b);

/*
 * The column a field error is about: for an item key, the first column
 * mapped to it; for "@role" etc., that column; else NULL.
 */
const char *csvmap_column_of(const struct csvmap_binding *b,
			     const char *field);

/* One CSV row made a submission. */
struct csvmap_record {
	struct submission *sub;	/* validated; its errors say why not */
	char pseudonym[CRYPTO_SHA256_HEX];	/* "" when refused */
	/* @structure's pseudonym of before issue 18
	 * (secret_pseudonym_legacy()), "" without @structure: the one to
	 * use when only it is stored (msp.structure_pseudonym) */
	char legacy[CRYPTO_SHA256_HEX];
	const char *role;	/* one of roles (borrowed), or NULL */
	char *id;		/* the @id cell, or NULL without one */
	int complete;		/* 0 for an @status of "partial" */
	char submitted[CSVMAP_TIME_LEN];	/* @submitted, UTC, or "" */
};

/*
 * Builds and validates the submission of row (a row of the header
 * csvmap_bind() was given) with the API's rules, texts read as form
 * fields are (SUBMISSION_TEXT_VALUES; see submission.h), required items
 * enforced unless @status says partial.  Identifiers are pseudonymised
 * with secret (may be NULL when !csvmap_needs_secret()).  Returns MSP_OK
 * when the row can be stored, MSP_EINVAL when submission_errors(
 * out->sub) lists why not (fields are item keys or "@structure",
 * "@role", "@id", "@status", "@submitted"), MSP_ENOMEM.  In every case
 * the caller clears *out with csvmap_record_clear().
 */
enum msp_status csvmap_row(const struct csvmap_binding *b,
			   const struct csv_row *row,
			   const struct secret *secret,
			   struct csvmap_record *out, struct msp_error *err);

void csvmap_record_clear(struct csvmap_record *rec);

/*
 * The mapping as written, for mappings onto something other than an
 * instrument (lib/frame.c maps columns onto a frame's fields with the
 * same file format).  Column i (0 <= i < csvmap_n_columns()) has the
 * header text csvmap_column() (borrowed; *line, if not NULL, gets its
 * line in the mapping file) and the target csvmap_target(): an item's
 * name as written, "@structure", "@ignore"..., or NULL for an
 * ITEM[OPTION] target.  csvmap_translate() gives the code a cell's text
 * is mapped to, or the cell itself when no value line names it; *mapped
 * says whether the column has value lines at all.  None fails.
 */
size_t csvmap_n_columns(const struct csvmap *map);
const char *csvmap_column(const struct csvmap *map, size_t i, size_t *line);
const char *csvmap_target(const struct csvmap *map, size_t i);
const char *csvmap_translate(const struct csvmap *map, size_t i,
			     const char *cell, int *mapped);

/* Appends s as a mapping file's quoted string ("..." with "" for a
 * quote), for writers of mapping files. */
void csvmap_quote(struct buf *out, const char *s);

#endif
