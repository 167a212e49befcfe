/*
 * reportfix — what the report suites share: the reference database that
 * tests/check_report and tests/check_disclosure read, and a document
 * built by hand with hostile labels (tests/check_report,
 * tests/check_torture).
 */
#ifndef MSP_REPORTFIX_H
#define MSP_REPORTFIX_H

#include <libpq-fe.h>

#include "report/report_doc.h"

/* The running case's connection to the reference database (set by
 * connect_case; cases run in forked children).  The suites' own name
 * for it, kept when the fixture moved here. */
extern PGconn *conn;

/* Unchecked fixture: one database with the migrations and the
 * reference studies, for the read-only cases; and its removal. */
void load_shared(void);
void drop_shared(void);

/* Checked fixture: a connection of each case's own. */
void connect_case(void);
void disconnect_case(void);

/*
 * A small document with markup, quotes, pipes, commas and line breaks
 * in its labels, a proportion, a text and a suppressed cell, and a
 * chart: what the renderers must escape.  The caller rdoc_free()s it;
 * fails the test when it cannot be built.
 */
struct rdoc *reportfix_hostile_doc(void);

/*
 * Adds to c's reference database a second wave of Pays de la Loire,
 * pdl-2025 (open), whose questionnaire (pdl-2019@2) differs from
 * 2019's in every way a comparison of waves lists, its responses the
 * 2019 responses copied (tests/check_report, "--compare of two
 * waves"); fails the test on any error.
 */
void reportfix_second_wave(PGconn *c);

#endif
