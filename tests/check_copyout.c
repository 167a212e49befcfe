/*
 * check_copyout — COPY FROM STDIN's text format as copyout writes it,
 * against PostgreSQL itself: texts with every character the format
 * escapes are copied in, read back with SELECT and compared with what
 * was sent; rows beyond one chunk, a refused row and a wrong count.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copyout.h"
#include "testdb.h"

static struct testdb db;

static void
setup(void)
{
	PGresult *res;

	testdb_open(&db);
	res = PQexec(db.conn, "CREATE TABLE public.copied (id integer"
		     " PRIMARY KEY, t text, CHECK (t IS DISTINCT FROM"
		     " 'refused'))");
	ck_assert_msg(PQresultStatus(res) == PGRES_COMMAND_OK, "%s",
		      PQerrorMessage(db.conn));
	PQclear(res);
}

static void
teardown(void)
{
	testdb_close(&db);
}

/* Row id with text t (NULL: SQL NULL). */
static void
put_row(struct copyout *c, int id, const char *t)
{
	buf_printf(&c->buf, "%d\t", id);
	copyout_text(&c->buf, t);
	buf_putc(&c->buf, '\n');
}

static const char *const texts[] = {
	"plain",
	"",			/* empty, not NULL */
	NULL,
	"\\N",			/* the text \N, not NULL */
	"\\.",			/* the end-of-data marker, as text */
	"\\",
	"a\tb",
	"line\nbreak",
	"cr\rlf\r\n",
	"\\t is not a tab",
	"trailing backslash\\",
	"« précisez » — 日本",
	"\x01\x02\x08\x0b\x0c\x1b\x7f",
};
#define NTEXTS (sizeof(texts) / sizeof(texts[0]))

START_TEST(texts_come_back_as_sent)
{
	struct copyout c = COPYOUT_INIT;
	struct msp_error err;
	char all[128];
	PGresult *res;
	size_t i;
	int row;

	/* and one text with every byte from 1 to 127 */
	for (i = 0; i < 127; i++)
		all[i] = (char)(i + 1);
	all[127] = '\0';
	ck_assert_msg(copyout_begin(&c, db.conn, "texts",
				    "COPY public.copied (id, t) FROM STDIN",
				    &err) == MSP_OK, "%s", err.message);
	for (i = 0; i < NTEXTS; i++)
		put_row(&c, (int)i, texts[i]);
	put_row(&c, (int)NTEXTS, all);
	ck_assert_msg(copyout_end(&c, NTEXTS + 1, &err) == MSP_OK, "%s",
		      err.message);
	copyout_free(&c);

	res = PQexec(db.conn, "SELECT id, t FROM public.copied ORDER BY id");
	ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
	ck_assert_int_eq(PQntuples(res), NTEXTS + 1);
	for (row = 0; row < PQntuples(res); row++) {
		const char *want = (size_t)row < NTEXTS ? texts[row] : all;

		ck_assert_int_eq((int)strtol(PQgetvalue(res, row, 0), NULL, 10),
				 row);
		if (want == NULL) {
			ck_assert_msg(PQgetisnull(res, row, 1),
				      "row %d: not NULL", row);
			continue;
		}
		ck_assert_msg(!PQgetisnull(res, row, 1), "row %d: NULL", row);
		ck_assert_msg(strcmp(PQgetvalue(res, row, 1), want) == 0,
			      "row %d: got '%s'", row,
			      PQgetvalue(res, row, 1));
	}
	PQclear(res);
}
END_TEST

/* More than a chunk: copyout_flush() sends along the way, and every
 * row arrives once. */
START_TEST(rows_beyond_a_chunk)
{
	struct copyout c = COPYOUT_INIT;
	struct msp_error err;
	enum msp_status st;
	char line[201];
	int i, sends = 0;

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	line[50] = '\t';
	line[100] = '\\';
	ck_assert_int_eq(copyout_begin(&c, db.conn, "many",
				       "COPY public.copied (id, t) FROM STDIN",
				       &err), MSP_OK);
	for (i = 0, st = MSP_OK; st == MSP_OK && i < 3 * COPYOUT_CHUNK / 200;
	     i++) {
		put_row(&c, i, line);
		if (c.buf.len >= COPYOUT_CHUNK)
			sends++;
		st = copyout_flush(&c, 0, &err);
		ck_assert_uint_lt(c.buf.len, COPYOUT_CHUNK);
	}
	ck_assert_msg(st == MSP_OK, "%s", err.message);
	ck_assert_int_ge(sends, 2);
	ck_assert_msg(copyout_end(&c, i, &err) == MSP_OK, "%s", err.message);
	copyout_free(&c);
	ck_assert_int_eq((int)strtol(testdb_value(db.conn,
		"SELECT count(*) FROM"
		" public.copied WHERE t = repeat('x', 50) || E'\\t' ||"
		" repeat('x', 49) || E'\\\\' || repeat('x', 99)"), NULL, 10),
		i);
}
END_TEST

/* A row the server refuses: MSP_EDB naming the COPY, and the
 * connection usable afterwards; a count that differs: MSP_ECONFLICT. */
START_TEST(failures_are_reported)
{
	struct copyout c = COPYOUT_INIT;
	struct msp_error err;

	ck_assert_int_eq(copyout_begin(&c, db.conn, "refusals",
				       "COPY public.copied (id, t) FROM STDIN",
				       &err), MSP_OK);
	put_row(&c, 1, "fine");
	put_row(&c, 2, "refused");
	ck_assert_int_eq(copyout_end(&c, 2, &err), MSP_EDB);
	ck_assert_msg(strncmp(err.message, "refusals: ", 10) == 0 &&
		      strstr(err.message, "copied_t_check") != NULL, "%s",
		      err.message);
	ck_assert_int_eq(c.active, 0);
	ck_assert_str_eq(testdb_value(db.conn,
		"SELECT count(*) FROM public.copied"), "0");

	ck_assert_int_eq(copyout_begin(&c, db.conn, "count",
				       "COPY public.copied (id, t) FROM STDIN",
				       &err), MSP_OK);
	put_row(&c, 1, "one");
	ck_assert_int_eq(copyout_end(&c, 2, &err), MSP_ECONFLICT);
	ck_assert_str_eq(err.message, "count: 1 rows stored, 2 sent");

	ck_assert_int_eq(copyout_begin(&c, db.conn, "abandoned",
				       "COPY public.copied (id, t) FROM STDIN",
				       &err), MSP_OK);
	put_row(&c, 7, "never");
	copyout_abort(&c, "test gave up");
	ck_assert_int_eq(c.active, 0);
	ck_assert_str_eq(testdb_value(db.conn,
		"SELECT count(*) FROM public.copied WHERE id = 7"), "0");
	copyout_free(&c);

	ck_assert_int_eq(copyout_begin(&c, db.conn, "bad sql",
				       "COPY public.nowhere FROM STDIN",
				       &err), MSP_EDB);
	ck_assert_msg(strstr(err.message, "bad sql: ") == err.message, "%s",
		      err.message);
	ck_assert_int_eq(c.active, 0);
}
END_TEST

static Suite *
copyout_suite(void)
{
	Suite *s = suite_create("copyout");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, texts_come_back_as_sent);
	tcase_add_test(tc, rows_beyond_a_chunk);
	tcase_add_test(tc, failures_are_reported);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return testdb_run(copyout_suite());
}
