/*
 * xlsform — instruments as XLSForm files (.xlsx, or a folder of CSV).
 *
 * XLSForm is the questionnaire format of ODK, KoboToolbox, Ona,
 * SurveyCTO and Survey123: three sheets, survey (one row per question),
 * choices (one row per answer code) and settings (one row).  This
 * module reads such a file into a struct instrument and writes one
 * from it; docs/instruments.md lists the subset it accepts and the
 * project's own columns (msp_type, msp_label_verbatim, msp_title_en)
 * that carry what XLSForm cannot say, so that writing then reading
 * gives back the same definition, field by field.
 *
 * .xlsx is read with libzip and libxml2 and written with libxlsxwriter;
 * CSV with lib/csv.c.  Reading never stops at the first mistake: every
 * cell that is wrong or unsupported adds one line "sheet, row, column:
 * reason" to a list, and no instrument comes out while the list is not
 * empty.
 */
#ifndef MSP_XLSFORM_H
#define MSP_XLSFORM_H

#include <stddef.h>

#include "buf.h"
#include "instrument.h"
#include "msp_error.h"

/* Largest CSV file: a questionnaire of a few hundred rows is a few
 * hundred KiB. */
#define XLSFORM_PART_MAX (16u * 1024 * 1024)
/* What an .xlsx may hold, beyond which it is refused (MSP_EIO) before
 * it costs more memory: its parts read (workbook, relationships, shared
 * strings, the three sheets) uncompressed together, its shared strings,
 * and the cells kept from its sheets (counting the empty ones a row
 * holds before its last).  The parts are read as streams, never whole:
 * memory is a few bytes per string and cell plus their text. */
#define XLSFORM_BYTES_MAX (16u * 1024 * 1024)
#define XLSFORM_MAX_STRINGS 100000
#define XLSFORM_MAX_CELLS 200000
/* Rows and columns per sheet beyond which the file is refused. */
#define XLSFORM_MAX_ROWS 5000
#define XLSFORM_MAX_COLS 200
/* Problems listed one by one; beyond, only counted (the list of a
 * workbook of garbage would otherwise grow with its size). */
#define XLSFORM_MAX_PROBLEMS 500
/* Excel's own limit for a cell's text, and so libxlsxwriter's. */
#define XLSFORM_CELL_MAX 32767

/* The problems found in a file: one line each, in sheet order. */
struct xlsform_problems {
	struct buf text;	/* "sheet, row, column: reason\n" lines, at
				 * most XLSFORM_MAX_PROBLEMS, then one line
				 * saying how many more */
	size_t n;		/* all of them */
};

/* Frees the text of p (the struct itself is the caller's). */
void xlsform_problems_free(struct xlsform_problems *p);

/*
 * Reads the XLSForm at path: an .xlsx file, or a folder holding
 * survey.csv, choices.csv and settings.csv.  On success *out is the
 * caller's (instrument_free()): its instrument_id is 0 and its version
 * the settings' version, or 0 when that cell is empty.  Fails with
 * MSP_EINVAL when the form has mistakes (every one of them is in
 * problems, and err says how many), MSP_EIO when the file cannot be
 * read or is no .xlsx, MSP_ENOMEM; *out is then NULL.
 */
enum msp_status xlsform_read(const char *path, struct instrument **out,
			     struct xlsform_problems *problems,
			     struct msp_error *err);

/*
 * xlsform_read() for the len bytes of an .xlsx in memory (the fuzzer's
 * way in); data is borrowed.  Fails as xlsform_read() does.
 */
enum msp_status xlsform_read_xlsx_buffer(const void *data, size_t len,
					 struct instrument **out,
					 struct xlsform_problems *problems,
					 struct msp_error *err);

/*
 * Writes ins as an .xlsx XLSForm at path (replaced if it exists).
 * Fails with MSP_EIO (libxlsxwriter's reason) or MSP_ENOMEM.
 */
enum msp_status xlsform_write(const struct instrument *ins,
			      const char *path, struct msp_error *err);

#endif
