/*
 * codebook — a study's codebook as the REFI-QDA Codebook Exchange file
 * (.qdc, namespace urn:QDA-XML:codebook:1.0) and back.
 *
 * The codebook lives in the database (msp.study_code, msp.crosswalk,
 * migration 0039); this module reads it whole (codebook_load), writes it
 * as XML with libxml2's xmlTextWriter (codebook_qdc), parses a .qdc
 * (codebook_parse_qdc) and stores one into a study through
 * msp.codebook_add (codebook_store).  REFI-QDA has no field for a code's
 * kind or HAS categories: they travel as Sets named "msp:kind:KIND",
 * "msp:has:H-F1" and "msp:has:none", whose members are the codes' guids
 * (docs/coding.md).  A code's key (manque_temps) has no place either:
 * an import derives it from the name (codebook_key).
 */
#ifndef MSP_CODEBOOK_H
#define MSP_CODEBOOK_H

#include <stddef.h>

#include <libpq-fe.h>
#include <libxml/xmlwriter.h>

#include "buf.h"
#include "msp_error.h"

/* Most codes a .qdc may bring, and the largest .qdc read (bytes). */
#define CODEBOOK_MAX_CODES 5000
#define CODEBOOK_MAX_FILE ((size_t)16 << 20)
/* The largest project.qde read from a .qdpx for its codebook: it also
 * holds every coded selection of the project (about 600 bytes each),
 * so a study's hundred thousand codings fit. */
#define CODEBOOK_MAX_PROJECT ((size_t)128 << 20)

/* One code; every string is owned by the code (codebook_free). */
struct cb_code {
	char *code;		/* key, ^[a-z0-9][a-z0-9_]{0,62}$ */
	char *kind;		/* frein, levier, other, ... */
	char *label;		/* the name people read (REFI name) */
	char *definition;	/* "" when none (REFI Description) */
	char *parent;		/* parent's key, NULL at the top */
	char *guid;		/* 36 characters, lower case */
	char *has;		/* NULL undecided, "" none, "H-F1,H-F2" */
};

struct codebook {
	struct cb_code *codes;	/* parents before their children */
	size_t n, cap;
};

void codebook_init(struct codebook *cb);
void codebook_free(struct codebook *cb);	/* NULL-safe, reusable */

/*
 * Reads study p_study's codebook (by slug) into cb (initialised,
 * empty), parents before children, siblings by label.  Fails with
 * MSP_EDB (the database), MSP_EINVAL (no such study), MSP_ENOMEM.
 */
enum msp_status codebook_load(PGconn *conn, const char *study,
			      struct codebook *cb, struct msp_error *err);

/*
 * Writes the codes of cb as a <Codes> element (nested by parent) on w,
 * in w's current default namespace: shared by the .qdc and by the .qdpx
 * project (its <CodeBook>).  Fails with MSP_EIO when libxml2 does.
 */
enum msp_status codebook_write_codes(xmlTextWriterPtr w,
				     const struct codebook *cb,
				     struct msp_error *err);

/*
 * The Sets of cb on w: one per kind used, HAS category used and "none",
 * names in byte order; member_attr "guid" (codebook) or "targetGUID"
 * (project).  Writes nothing for an empty codebook.  MSP_EIO, MSP_ENOMEM.
 */
enum msp_status codebook_write_sets(xmlTextWriterPtr w,
				    const struct codebook *cb,
				    const char *member_attr,
				    struct msp_error *err);

/* The deterministic guid of a Set (or any name) in out. */
enum msp_status codebook_name_guid(const char *name, char out[37],
				   struct msp_error *err);

/*
 * The whole .qdc document for cb into out (a UTF-8 XML document).
 * Fails with MSP_EIO (libxml2) or MSP_ENOMEM.
 */
enum msp_status codebook_qdc(const struct codebook *cb, struct buf *out,
			     struct msp_error *err);

/*
 * Parses a .qdc document (len bytes at xml) into cb (initialised,
 * empty): checks the root and namespace, every Code's guid and name,
 * no guid twice, at most CODEBOOK_MAX_CODES codes, and derives each key
 * from its name (codebook_key, made unique with _2, _3, ...).  Never
 * fetches anything from the network nor expands external entities.
 * Fails with MSP_EINVAL saying, in French, what is wrong (and where), or
 * MSP_ENOMEM; cb is then empty.
 */
enum msp_status codebook_parse_qdc(const char *xml, size_t len,
				   struct codebook *cb, struct msp_error *err);

/*
 * The codebook of a REFI-QDA project document (project.qde, namespace
 * urn:QDA-XML:project:1.0, at most CODEBOOK_MAX_PROJECT bytes): the
 * <Codes> of its <CodeBook> and its <Sets> (members by targetGUID), read
 * and checked exactly as codebook_parse_qdc() reads a .qdc; the rest of
 * the project (sources, selections, notes) is not read.  Fails as
 * codebook_parse_qdc(); cb is then empty.
 */
enum msp_status codebook_parse_project(const char *xml, size_t len,
				       struct codebook *cb,
				       struct msp_error *err);

/*
 * The key a code named name gets: lower case ASCII, French accents
 * folded (é -> e, œ -> oe), every other run of characters one '_',
 * 1-63 characters ("code" when nothing is left), into out (64 bytes).
 */
void codebook_key(const char *name, char out[64]);

/*
 * Adds every code of cb to study (by slug) through msp.codebook_add, in
 * the caller's transaction, parents first.  Fails with MSP_EDB (the
 * message is the database's, in French for what it refuses: a code or
 * guid the study already has...).
 */
enum msp_status codebook_store(PGconn *conn, const char *study,
			       const struct codebook *cb,
			       struct msp_error *err);

#endif
