/*
 * frame — a study's targeted population (its sampling frame) read from
 * the CSV lists a federation has: one row per structure, known by the
 * pseudonym of its identifier, with the characteristics the
 * non-response analysis compares (msp.report_frame).
 *
 * The columns are mapped with a mapping file of lib/csvmap's format,
 * onto these fields instead of items:
 *
 *	"N° FINESS" = finess            the identifier: a FINESS number,
 *	"Nom" = name                    or name and commune (both), or
 *	"Commune" = commune             a ready identifier (@structure)
 *	"Type" = structure_type         msp, esp, cds, other
 *	    "Maison de santé" -> msp
 *	"Dépt" = departement            01-95, 2A, 2B, 971-976
 *	"Sites" = n_sites               1-999
 *	"Adhérente" = federation_member oui, non, nsp
 *	"Fédération" = federation       a federation's slug (=> member oui)
 *	"Ouverture" = opening_year      1950-2100
 *	"ACI" = aci_signatory           oui, non
 *	"CPTS" = cpts                   oui, non, nsp
 *	"CLS" = cls                     oui, non, nsp
 *	"Courriel" = @ignore
 *
 * The identifier never leaves this module but as its pseudonym
 * (secret_pseudonym(), the forms' own), so a frame row and the
 * responses a team sends link whatever the spelling of either
 * (secret_normalise_identifier()).  Nothing here touches the database:
 * cli/cmd_frame.c stores what frame_read_file() made.
 */
#ifndef MSP_FRAME_H
#define MSP_FRAME_H

#include <stddef.h>
#include <stdio.h>

#include "buf.h"
#include "crypto.h"
#include "csvmap.h"
#include "msp_error.h"
#include "secret.h"

/* The fields of a row besides the pseudonym, in this order; NULL for an
 * empty cell (unknown).  Text as the database takes it. */
enum frame_field {
	FRAME_STRUCTURE_TYPE,
	FRAME_DEPARTEMENT,
	FRAME_N_SITES,
	FRAME_FEDERATION_MEMBER,
	FRAME_FEDERATION,		/* a slug, checked by the database */
	FRAME_OPENING_YEAR,
	FRAME_ACI_SIGNATORY,		/* "t" or "f" */
	FRAME_CPTS,
	FRAME_CLS,
	FRAME_N_FIELDS,
};

struct frame_row {
	char pseudonym[CRYPTO_SHA256_HEX];
	/* the identifier's pseudonym of before issue 18
	 * (secret_pseudonym_legacy()): the structure is stored under it
	 * when only it is (msp.structure_pseudonym) */
	char legacy[CRYPTO_SHA256_HEX];
	char *value[FRAME_N_FIELDS];
	size_t file;		/* index of the list it came from */
	size_t line;		/* its line in that list */
};

struct frame {
	struct frame_row *rows;		/* after frame_merge(): one per
					 * structure */
	size_t n, cap;
	const char *files[64];		/* the lists' names, borrowed */
	size_t n_files;
	/* "LIST:LINE: column « C »: reason\n" for each cell that cannot
	 * be read: when any, nothing must be stored */
	struct buf problems;
	size_t n_problems;
	/* "LIST:LINE = LIST:LINE\n" for each structure listed twice */
	struct buf duplicates;
	size_t n_duplicates;
};

#define FRAME_INIT { .rows = NULL, \
	.problems = BUF_INIT(BUF_MAX_DOCUMENT), \
	.duplicates = BUF_INIT(BUF_MAX_DOCUMENT) }
#define FRAME_MAX_FILES 64

/* The field's column name in the database ("structure_type"). */
const char *frame_field_name(enum frame_field f);

/*
 * Reads the CSV list data (len bytes) named name (borrowed: kept for
 * messages) through map, adding its rows to f.  Cells that cannot be
 * read are added to f->problems and their rows left out; the call
 * still succeeds.  Fails with MSP_EINVAL when the list or the mapping
 * cannot be used at all (not CSV, a mapped column missing from the
 * header, a target that is not a frame field, no identifier mapped,
 * more than FRAME_MAX_FILES lists); MSP_ENOMEM; MSP_ECONFIG from the
 * secret.
 */
enum msp_status frame_read(struct frame *f, const struct csvmap *map,
			   const char *name, const char *data, size_t len,
			   const struct secret *secret, struct msp_error *err);

/*
 * frame_read() from the stream in (borrowed), one record at a time
 * (lib/csv's reader): memory holds the rows kept (a pseudonym and nine
 * short values each) and one record, not the list's text, whatever the
 * width of its unmapped columns.  Fails as frame_read() does, and with
 * MSP_EIO on a read error.
 */
enum msp_status frame_read_file(struct frame *f, const struct csvmap *map,
				const char *name, FILE *in,
				const struct secret *secret,
				struct msp_error *err);

/*
 * Merges the rows that share a pseudonym (the same structure in two
 * lists, or twice in one): the first listed stays, with the cells it
 * lacks taken from the later ones; each later one is added to
 * f->duplicates.  Fails with MSP_ENOMEM only.
 */
enum msp_status frame_merge(struct frame *f, struct msp_error *err);

/* Frees what f holds; f is FRAME_INIT again. */
void frame_free(struct frame *f);

#endif
