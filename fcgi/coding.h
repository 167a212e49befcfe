/*
 * coding — the analysts' coding workspace in the browser (issue 22,
 * docs/coding.md, docs/pages.md): the codebook of a study, its open
 * answers item by item, its interviews and their transcripts, memos,
 * the blind mode and the agreement between coders.
 *
 * The pages are shells that nginx's static files (nginx/static/
 * coding.js, coding.css) fill from JSON endpoints of this module; every
 * read is one SECURITY DEFINER view of the database
 * (msp.coding_view_*), every write one of the coding functions of
 * migration 0039 (msp.codebook_*, msp.coding_*, msp.memo_add,
 * msp.interview_transcript_set) or msp.interview_save, each in a
 * transaction under the session's identity (tenant_enter_session): the
 * coder is the session's token, never a field of the request, and the
 * database refuses anyone but an analyst (42501) whatever this module
 * checks first.  A write carries the session's CSRF token in the
 * X-CSRF-Token header.
 */
#ifndef MSP_CODING_H
#define MSP_CODING_H

#include "conn.h"
#include "http.h"
#include "worker.h"

/* The statements, for the site to register (conn.h). */
extern const struct statement coding_statements[];

/* Handles req when its path is /codage or under /codage/ (returns 1, r
 * filled), else returns 0 with r untouched. */
int coding_route(struct worker *w, struct request *req, struct reply *r);

#endif
