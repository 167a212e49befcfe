/*
 * reportfix — the report suites' shared fixtures (see reportfix.h).
 */
#include "config.h"

#include <check.h>

#include "reportfix.h"
#include "testdb.h"

PGconn *conn;

/* Created in the parent by the unchecked fixture, read by every case. */
static struct testdb shared;

void
load_shared(void)
{
	testdb_open(&shared);
	testdb_load(&shared, NULL);
	testdb_load_reference(&shared);
}

void
drop_shared(void)
{
	testdb_close(&shared);
}

void
connect_case(void)
{
	conn = testdb_connect(&shared);
}

void
disconnect_case(void)
{
	PQfinish(conn);
	conn = NULL;
}

struct rdoc *
reportfix_hostile_doc(void)
{
	struct rdoc *doc = rdoc_new();
	struct rtable *t;
	struct rrow *r;

	ck_assert_ptr_nonnull(doc);
	doc->title = "R&D <report>";
	rdoc_meta(doc, "x", "Région", "<img src=x onerror=alert(1)>");
	t = rdoc_table(doc, "t", "<script>alert('t')</script>", 2);
	ck_assert_ptr_nonnull(t);
	t->chart = 1;
	rtable_column(doc, t, 0, "a", "A \"quoted\" | pipe");
	rtable_column(doc, t, 1, "b", "B, with comma");
	r = rtable_row(doc, t, "v", "var", "c1", "</td><script>x</script>");
	ck_assert_ptr_nonnull(r);
	rcell_prop(&r->cells[0], 3, 10);
	rcell_text(doc, &r->cells[1], "line\nbreak, \"quote\"");
	r = rtable_row(doc, t, "v", "var", "c2", "fine");
	ck_assert_ptr_nonnull(r);
	rcell_prop(&r->cells[0], 7, 10);
	r->cells[1].suppressed = 1;
	t->note = "a note & <b>bold</b>";
	ck_assert_int_eq(rdoc_status(doc, NULL), MSP_OK);
	return doc;
}
