/*
 * agreement — how far coders agree when they apply the same codebook to
 * the same units: Cohen's κ for two coders, Krippendorff's α (nominal)
 * for two or more with missing data, per code and overall, and the list
 * of disagreements to resolve.  No database: the coding data model hands
 * in who applied what (agreement_add()), the CLI hands in a CSV file.
 *
 * The data: units (an answer, or a segment of an interview: the caller
 * says which, and the output states it), coders, codes.  For each
 * (unit, coder) the coder either coded the unit or did not (missing);
 * when they did, each code was applied or not (presence/absence).  Per
 * code, each coder's value for a unit is 1 (applied) or 0.
 *
 * The formulas, what "overall" means, and how units coded by a single
 * coder are treated are in docs/agreement.md; in short:
 *   - κ = (p_o - p_e) / (1 - p_e), p_e = Σ_i p1_i p2_i (Cohen 1960), on
 *     the units both coders coded;
 *   - α = 1 - D_o / D_e from the coincidence matrix (Krippendorff 2011),
 *     on the units at least two coders coded;
 *   - overall α is α of each unit's set of codes with the distance "on
 *     how many codes two coders differ": 1 - Σ_c D_o(c) / Σ_c D_e(c);
 *   - overall κ is De Vries et al.'s (2008) pooled κ: the mean p_o and
 *     mean p_e over the codes, then Cohen's formula.
 * A coefficient whose denominator is zero (no unit two coders coded, or
 * a code applied everywhere or nowhere) is undefined, and says why; it
 * is never a NaN handed to a printer.
 */
#ifndef MSP_AGREEMENT_H
#define MSP_AGREEMENT_H

#include <stddef.h>

#include "msp_error.h"

/* Limits of one computation: far above a study's codebook and coders,
 * low enough that units × coders bytes stay small. */
#define AGREEMENT_MAX_UNITS 200000
#define AGREEMENT_MAX_CODERS 64
#define AGREEMENT_MAX_CODES 10000
#define AGREEMENT_MAX_NAME 200		/* bytes of a unit, coder or code */
#define AGREEMENT_MAX_CATEGORIES 1000	/* agreement_alpha_nominal() */

/* What a unit is: the output says it. */
enum agreement_unit {
	AGREEMENT_UNIT_ANSWER,		/* an open answer of a questionnaire */
	AGREEMENT_UNIT_SEGMENT,		/* a passage of an interview */
};

/* "answer", "segment". */
const char *agreement_unit_name(enum agreement_unit unit);

/* The unit named "answer" or "segment", or -1. */
int agreement_unit_parse(const char *name);

/* Why a coefficient is undefined (AGREEMENT_DEFINED when it is not). */
enum agreement_undefined {
	AGREEMENT_DEFINED = 0,
	AGREEMENT_NO_PAIRS,	/* no unit coded by two coders */
	AGREEMENT_NO_VARIATION,	/* every value the same: p_e = 1, D_e = 0 */
	AGREEMENT_NOT_TWO,	/* κ: the data has not exactly two coders */
};

/* Why, in French, for people ("aucune variation : ..."); "" when
 * defined. */
const char *agreement_undefined_text(enum agreement_undefined why);

/* A short English key for programs ("no_variation"); NULL when
 * defined. */
const char *agreement_undefined_key(enum agreement_undefined why);

/* Cohen's κ.  The numbers are meaningful only where stated. */
struct agreement_kappa {
	enum agreement_undefined why;	/* AGREEMENT_DEFINED: kappa is set */
	unsigned long n;	/* units both coders coded (table total) */
	double p_o;		/* observed agreement, when n > 0 */
	double p_e;		/* expected agreement, when n > 0 */
	double kappa;		/* when why == AGREEMENT_DEFINED */
};

/* Krippendorff's α (nominal). */
struct agreement_alpha {
	enum agreement_undefined why;	/* AGREEMENT_DEFINED: alpha is set */
	unsigned long units;	/* units coded by at least two coders */
	unsigned long values;	/* n: the pairable values in those units */
	double d_o;		/* observed disagreement, when values > 0 */
	double d_e;		/* expected disagreement, when values > 0 */
	double alpha;		/* when why == AGREEMENT_DEFINED */
};

/*
 * Cohen's κ of a k×k table of counts, row-major: cells[i * k + j] units
 * coder 1 put in category i and coder 2 in j.  2 <= k <=
 * AGREEMENT_MAX_CATEGORIES.  An empty table or one whose units are all
 * in one category for both coders gives an undefined κ (out->why), not
 * an error.  Fails with MSP_EINVAL on a bad k or a total above 2^53.
 */
enum msp_status agreement_kappa_table(const unsigned long *cells, size_t k,
				      struct agreement_kappa *out,
				      struct msp_error *err);

/* A value agreement_alpha_nominal() takes as missing. */
#define AGREEMENT_MISSING (-1)

/*
 * Krippendorff's α for nominal data: values[u * coders + c] is coder
 * c's category of unit u, 0 .. categories - 1, or AGREEMENT_MISSING.
 * Units with fewer than two values are left out (not pairable).  Fails
 * with MSP_EINVAL on a value out of range or sizes out of the limits,
 * MSP_ENOMEM.
 */
enum msp_status agreement_alpha_nominal(const int *values, size_t units,
					size_t coders, size_t categories,
					struct agreement_alpha *out,
					struct msp_error *err);

/* --- common units of a transcript ----------------------------------- */

/*
 * The sentences of the UTF-8 text, the common units on which coders'
 * passages of an interview are compared (docs/agreement.md): as
 * character offsets (code points, as msp.segment's start_pos/end_pos),
 * (*out)[2k] the first character of sentence k, (*out)[2k + 1] the one
 * after its last.  A sentence ends at a line break, or at white space
 * after '.', '!', '?' or '…' (closing quotes and brackets after them
 * allowed: « Non. » ); the white space around a sentence is not part of
 * it; blank lines make none.  *out is the caller's (msp_free), NULL
 * when *n is 0.  Fails with MSP_EINVAL when text is not UTF-8 (*out is
 * then NULL), MSP_ENOMEM.
 */
enum msp_status agreement_sentences(const char *text, size_t **out,
				    size_t *n, struct msp_error *err);

/* --- codings: units × coders × codes ------------------------------- */

/* The data set being built: the caller's, agreement_free(). */
struct agreement;

/* A new empty data set of units of this kind; NULL when out of memory. */
struct agreement *agreement_new(enum agreement_unit unit);

/* Frees a; NULL is allowed. */
void agreement_free(struct agreement *a);

/*
 * Records that coder coded unit and, when code is not NULL, applied
 * code there (applied 1) or not (applied 0).  code NULL with applied 0
 * records only that the coder coded the unit (and applied nothing there
 * unless another call says so).  Codes a coder did not name for a unit
 * they coded count as not applied; a (unit, coder) never recorded is
 * missing.  Names are copied: UTF-8 text of 1 to AGREEMENT_MAX_NAME
 * bytes (not checked to be UTF-8 here: the caller's input is).  Units,
 * coders and codes are numbered in the order they first appear.
 * Recording the same (unit, coder, code) twice is allowed when both say
 * the same; agreement_compute() refuses both "applied" and "not".
 * Fails with MSP_EINVAL on an empty or too long name, applied not 0 or
 * 1, code NULL with applied 1, or a limit passed; MSP_ENOMEM.  A failed
 * call records no coding (it may have added a name).
 */
enum msp_status agreement_add(struct agreement *a, const char *unit,
			      const char *coder, const char *code,
			      int applied, struct msp_error *err);

/* Declares a code of the codebook, applied or not (a code nobody
 * applied is still reported, undefined).  Fails as agreement_add(). */
enum msp_status agreement_add_code(struct agreement *a, const char *code,
				   struct msp_error *err);

/* What a disagreement says of each coder. */
enum agreement_mark {
	AGREEMENT_NOT_CODED = 0,	/* the coder did not code the unit */
	AGREEMENT_ABSENT,		/* coded the unit, did not apply */
	AGREEMENT_APPLIED,		/* applied the code to the unit */
};

/* A unit and code on which the coders who coded the unit differ: some
 * applied the code, some did not. */
struct agreement_disagreement {
	size_t unit, code;	/* indices into the result's names */
	unsigned char *who;	/* n_coders enum agreement_mark values */
};

struct agreement_code {
	char *name;
	unsigned long applied;	/* values 1 in pairable units */
	struct agreement_kappa kappa;	/* two coders only */
	struct agreement_alpha alpha;
};

struct agreement_result {
	enum agreement_unit unit;
	size_t n_units, n_coders, n_codes;
	/* the result's own copies of the names, in order of appearance */
	char **units;
	char **coders;		/* coder 1 of κ is coders[0] */
	/* units coded by >= 2 coders (pairable) and by only one (left out
	 * of every coefficient) */
	unsigned long units_pairable, units_single;
	struct agreement_code *codes;	/* n_codes, in order of appearance */
	struct agreement_kappa kappa;	/* overall: pooled κ */
	struct agreement_alpha alpha;	/* overall: α over code sets */
	size_t n_disagreements;		/* by code, then unit */
	struct agreement_disagreement *disagreements;
};

/*
 * Computes every coefficient and the disagreements of a (which it does
 * not change).  On success *out is the caller's
 * (agreement_result_free()) and holds its own copy of the names.  Fails
 * with MSP_EINVAL when a holds no code or no coder, or a (unit, coder,
 * code) recorded both applied and not (the message names them),
 * MSP_ENOMEM; *out is then NULL.
 */
enum msp_status agreement_compute(const struct agreement *a,
				  struct agreement_result **out,
				  struct msp_error *err);

/* Frees r; NULL is allowed. */
void agreement_result_free(struct agreement_result *r);

#endif
