/*
 * qdpx — a study's coding project as a REFI-QDA Project Exchange file
 * (.qdpx: a zip of project.qde, namespace urn:QDA-XML:project:1.0, and
 * Sources/GUID.txt, one plain-text file per source).
 *
 * Sources are the study's open answers (one TextSource per answer with
 * a text) and its interview transcripts; every coding with a passage is
 * a PlainTextSelection (startPosition/endPosition in characters, as
 * stored) carrying one Coding of its code; coders are Users, memos
 * Notes; the codebook and its Sets are codebook.c's.  The pre-coded
 * segments of POST /api/v1/interviews have no offsets and no transcript
 * to point into: they are left out (docs/coding.md).
 */
#ifndef MSP_QDPX_H
#define MSP_QDPX_H

#include <libpq-fe.h>

#include "codebook.h"
#include "msp_error.h"

/*
 * Writes study (by slug)'s project to path (replaced only once the
 * whole archive is written: libzip writes a temporary file and renames
 * it).  Fails with MSP_EINVAL (no such study), MSP_EDB, MSP_EIO (the
 * file, libxml2, libzip) or MSP_ENOMEM; path is then untouched.
 */
enum msp_status qdpx_export(PGconn *conn, const char *study,
			    const char *path, struct msp_error *err);

/*
 * Reads the codebook of the .qdpx at path into cb (initialised, empty):
 * its project.qde (at most CODEBOOK_MAX_PROJECT bytes, read whatever
 * the zip's directory says), parsed by codebook_parse_project().  The
 * sources are not opened.  Fails with MSP_EINVAL (not a zip, no
 * project.qde, too large, or what codebook_parse_project() refuses,
 * in French) or MSP_ENOMEM; cb is then empty.
 */
enum msp_status qdpx_read_codebook(const char *path, struct codebook *cb,
				   struct msp_error *err);

#endif
