/*
 * fieldwork — the fieldwork monitor of a study (issue 18, item 7) as a
 * report document, for `msp-report fieldwork` and the page
 * /fieldwork/{study} (fcgi/pages.c): one builder, so the page and its
 * CSV and JSON downloads are the command's, byte for byte.
 *
 * For one study: its frame's structures invited (an invitation in the
 * contact log), whose link was opened, with a saved draft only
 * (partial), with a complete response, and the response rate
 * (complete ÷ frame size), overall and per département, type and
 * federation membership; then day by day since the opening, a table
 * the HTML format draws as a bar chart.
 *
 * Only the frame's structures count: a response from a structure the
 * frame does not list (the public form, typed by a team not on the
 * lists) is in no figure here.  Draft studies count their test
 * responses (opening deletes them).
 *
 * Who: the owner and analysts see every figure.  A federation reads
 * its region's studies only, as aggregates, through
 * msp.fieldwork_frame() (another region's study: 42501, « hors de
 * votre périmètre »): in each breakdown, the counts of each partition
 * of the frame (complete / partial / no response; invited or not;
 * opened or not) with their margins go through disclosure_protect()
 * with the database's threshold (msp.disclosure_policy), and the
 * day-by-day table, whose daily counts would single teams out, is not
 * shown.  A team is refused.
 */
#ifndef MSP_FIELDWORK_H
#define MSP_FIELDWORK_H

#include <libpq-fe.h>

#include "msp_error.h"
#include "report_doc.h"
#include "tenant.h"

/*
 * Builds the monitor of the study whose slug is study, in the caller's
 * transaction on conn, under the identity the caller entered (kind:
 * tenant_enter's, TENANT_NONE for the owner).  On success *out is the
 * caller's (rdoc_free).  Fails, *out then NULL, with
 *   MSP_EINVAL   no such study (message in French, naming it);
 *   MSP_EACCESS  a team, or a federation and another region's study
 *                (the message says which, in French);
 *   MSP_EDB      the database refused (err->sqlstate), the transaction
 *                is then aborted;
 *   MSP_ECONFIG  MSP_DISCLOSURE_THRESHOLD is set (it is refused);
 *   MSP_ENOMEM.
 */
enum msp_status fieldwork_build(PGconn *conn, const char *study,
				enum tenant_kind kind, struct rdoc **out,
				struct msp_error *err);

#endif
