/*
 * request_key — the canonical text of a report request, under which a
 * federation's stored release is kept and looked up (issue 19: a
 * federation reads only stored releases; docs/report.md, "Stored
 * releases"; msp.federation_release).
 *
 * The key holds the options that change what a federation's report
 * prints, in a fixed order, each "name=value" joined by '&', a value
 * %-escaped outside [A-Za-z0-9._~,:-] (as a query string, so that
 * urlenc.h reads it back):
 *
 *   study=S          the study's slug (the stored row's study names
 *                    its region); region=R only when no study is
 *                    named (as given: the key cannot resolve it)
 *   compare=A,B      the names as given, empty ones dropped, SORTED:
 *                    a comparison in another order prints the same
 *                    figures in another column order, one release
 *   by=V&by_role=R   by_role "characteristic" when not named
 *   nonresponse      when asked
 *   has, matrix=M, cooccurrence
 *   terms=T&top=N    top only with terms (it counts nothing else)
 *   weights=W        when asked
 *   dont_know=keep|exclude&missing=keep|exclude   always
 *   adjust=holm|BH|none   with by, compare or nonresponse only (the
 *                    tables with several tests)
 *   as_federation    a team's feedback page
 *   threshold=N      when not the database's (tests)
 *
 * What does not change the figures is left out: the token and session
 * (who asks; the release is the study's), recount, the callbacks.
 * Two option sets that differ only in what is left out, in the order
 * of a comparison's names or in a default spelled out give the same
 * key.
 */
#ifndef MSP_REPORT_REQUEST_KEY_H
#define MSP_REPORT_REQUEST_KEY_H

#include "buf.h"
#include "report/report.h"

/* Appends o's key to out; a failure (memory, out's maximum) marks out
 * (buf_status). */
void report_request_key(const struct report_options *o, struct buf *out);

#endif
