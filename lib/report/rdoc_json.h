/*
 * rdoc_json — a report document read back from its JSON (issue 19: a
 * federation's stored release, docs/report.md "Stored releases").
 *
 * format_json.c writes everything a format needs (its header comment
 * says what it adds for this); rdoc_from_json() reads it into the same
 * struct rdoc, so that a document stored once (PostgreSQL's jsonb,
 * which sorts object keys and keeps numbers' digits) is rendered in any
 * format with the bytes the original document gives: what was audited
 * is what is printed, never a recount.
 *
 * The text is checked by jsonin (duplicate names, depth, UTF-8) before
 * json-c reads it; every member is checked for its type.  A NaN, which
 * format_json.c leaves out, reads back as NaN.  Limits, none of which a
 * report builder makes: where the NaN is the member that says a flag
 * (a proportion's ci95_low, a summary's min, a weighted estimate), the
 * flag reads back unset (no interval, range withheld, a percentage);
 * what the formats never print (a count's unused fields, a hidden
 * cell's figures, a test's odds p-value apart from its p) is not in
 * the JSON and reads back as zero or the test's p.
 */
#ifndef MSP_RDOC_JSON_H
#define MSP_RDOC_JSON_H

#include <stddef.h>

#include "msp_error.h"
#include "report_doc.h"

/*
 * Reads len bytes of text (no NUL needed), a document as format_json.c
 * writes it, into *out, the caller's (rdoc_free).  Fails with
 * MSP_EINVAL and a message naming the place ("tables[2].rows[5]
 * .cells[1] : « n » manque") for text that is not JSON or not such a
 * document (a member missing or of another type, a row with another
 * number of cells than its table's columns, an unknown cell type),
 * MSP_ENOMEM; *out is then NULL and nothing is kept.
 */
enum msp_status rdoc_from_json(const char *text, size_t len,
			       struct rdoc **out, struct msp_error *err);

#endif
