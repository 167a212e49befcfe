/*
 * buf: the maximum given at initialisation, the failures it reports, and
 * the secret mode, watched through the allocation seam (alloc.h): the
 * test's allocator records every block buf asks for and, before
 * releasing one, looks at what it still holds.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"
#include "testdb.h"

/* --- the watching allocator ------------------------------------------ */

#define WATCH_BLOCKS 64

struct watch {
	void *ptr[WATCH_BLOCKS];	/* live blocks and their sizes */
	size_t size[WATCH_BLOCKS];
	size_t largest;		/* the largest block asked for */
	int fail;		/* every allocation fails from now on */
	int released;		/* blocks released through the seam */
	int dirty;		/* of which still held a non-zero byte */
};

static struct watch watch;

static void
watch_add(void *p, size_t n)
{
	size_t i;

	if (n > watch.largest)
		watch.largest = n;
	for (i = 0; i < WATCH_BLOCKS; i++)
		if (watch.ptr[i] == NULL) {
			watch.ptr[i] = p;
			watch.size[i] = n;
			return;
		}
	ck_abort_msg("more than %d live blocks", WATCH_BLOCKS);
}

/* Forgets p and returns its size (p must be live). */
static size_t
watch_remove(void *p)
{
	size_t i;

	for (i = 0; i < WATCH_BLOCKS; i++)
		if (watch.ptr[i] == p) {
			watch.ptr[i] = NULL;
			return watch.size[i];
		}
	ck_abort_msg("a block released that the seam never gave");
	return 0;
}

static void *
watch_malloc(size_t n, void *arg)
{
	void *p;

	(void)arg;
	if (watch.fail || (p = malloc(n)) == NULL)
		return NULL;
	watch_add(p, n);
	return p;
}

static void *
watch_realloc(void *old, size_t n, void *arg)
{
	size_t size;
	void *p;

	(void)arg;
	if (watch.fail)
		return NULL;
	/* forgotten first: old is not to be read once realloc() ran */
	size = old != NULL ? watch_remove(old) : 0;
	if ((p = realloc(old, n)) == NULL) {
		if (old != NULL)
			watch_add(old, size);
		return NULL;
	}
	watch_add(p, n);
	return p;
}

/* Looks at the block before releasing it: a secret buffer's must hold
 * only zeros (OPENSSL_cleanse writes zeros). */
static void
watch_free(void *p, void *arg)
{
	const unsigned char *c = p;
	size_t i, n;

	(void)arg;
	if (p == NULL)
		return;
	n = watch_remove(p);
	watch.released++;
	for (i = 0; i < n; i++)
		if (c[i] != 0) {
			watch.dirty++;
			break;
		}
	free(p);
}

static const struct msp_allocator watcher = {
	watch_malloc, watch_realloc, watch_free, NULL,
};

static void
watch_setup(void)
{
	memset(&watch, 0, sizeof(watch));
	msp_alloc_set(&watcher);
}

static void
watch_teardown(void)
{
	msp_alloc_set(NULL);
}

/* --- the maximum ----------------------------------------------------- */

START_TEST(maximum_holds)
{
	struct buf b = BUF_INIT(10);
	struct msp_error err;

	buf_puts(&b, "0123456789");
	ck_assert_int_eq(buf_status(&b, &err), MSP_OK);
	ck_assert_str_eq(buf_str(&b), "0123456789");
	buf_putc(&b, 'x');
	ck_assert_int_eq(b.failed, BUF_ETOOBIG);
	ck_assert_int_eq(buf_status(&b, &err), MSP_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "maximum of 10 bytes"));
	ck_assert_str_eq(buf_str(&b), "");	/* nothing half-built shown */
	ck_assert_ptr_null(buf_steal(&b));
	/* freed or stolen, it keeps its maximum */
	ck_assert_uint_eq(b.max, 10);
	buf_puts(&b, "01234567890");
	ck_assert_int_eq(b.failed, BUF_ETOOBIG);
	buf_reset(&b);
	buf_puts(&b, "0123456789");
	ck_assert_int_eq(buf_status(&b, NULL), MSP_OK);
	buf_free(&b);
}
END_TEST

START_TEST(maximum_bounds_the_block)
{
	struct buf b = BUF_INIT(100);
	int i;

	for (i = 0; i < 100; i++)
		buf_putc(&b, 'a');
	ck_assert_int_eq(buf_status(&b, NULL), MSP_OK);
	ck_assert_uint_eq(b.len, 100);
	/* doubling from 64 would ask 128: the block stops at max + 1 */
	ck_assert_uint_eq(watch.largest, 101);
	buf_putc(&b, 'a');
	ck_assert_int_eq(b.failed, BUF_ETOOBIG);
	ck_assert_uint_eq(watch.largest, 101);
	buf_free(&b);
}
END_TEST

START_TEST(maximum_holds_for_printf)
{
	struct buf b = BUF_INIT(5);

	buf_printf(&b, "%d", 12345);
	ck_assert_str_eq(buf_str(&b), "12345");
	buf_reset(&b);
	buf_printf(&b, "%d", 123456);
	ck_assert_int_eq(b.failed, BUF_ETOOBIG);
	buf_free(&b);
}
END_TEST

START_TEST(zeroed_buffer_refuses)
{
	struct buf b;
	struct msp_error err;

	/* no default maximum: a buffer nobody initialised is a bug */
	memset(&b, 0, sizeof(b));
	buf_putc(&b, 'a');
	ck_assert_int_eq(buf_status(&b, &err), MSP_EINVAL);
	buf_free(&b);
	buf_init(&b, 1);
	buf_putc(&b, 'a');
	ck_assert_str_eq(buf_str(&b), "a");
	buf_free(&b);
}
END_TEST

START_TEST(out_of_memory_is_reported)
{
	struct buf b = BUF_INIT(BUF_MAX_TEXT);
	struct msp_error err;

	buf_puts(&b, "short");
	watch.fail = 1;
	for (;;) {		/* until it must grow */
		buf_puts(&b, "more");
		if (b.failed)
			break;
	}
	ck_assert_int_eq(b.failed, BUF_ENOMEM);
	ck_assert_int_eq(buf_status(&b, &err), MSP_ENOMEM);
	ck_assert_ptr_null(buf_steal(&b));
	ck_assert_int_eq(watch.released, 1);	/* the old block */
}
END_TEST

/* --- secret mode ----------------------------------------------------- */

static const char token[] = "9f86d081884c7d659a2feaa0c55ad015";

/* Appends the token until b grew 4 times (64 to 1024 bytes). */
static void
fill(struct buf *b)
{
	int i;

	for (i = 0; i < 20; i++)
		buf_puts(b, token);
	ck_assert_int_eq(buf_status(b, NULL), MSP_OK);
	ck_assert_uint_eq(b->len, 20 * strlen(token));
	ck_assert(memcmp(b->data + 19 * strlen(token), token,
			 strlen(token)) == 0);
}

START_TEST(secret_cleansed_on_growth_and_free)
{
	struct buf b = BUF_INIT_SECRET(BUF_MAX_TEXT);

	fill(&b);
	ck_assert_int_eq(watch.released, 4);	/* 64, 128, 256, 512 */
	ck_assert_int_eq(watch.dirty, 0);
	buf_free(&b);
	ck_assert_int_eq(watch.released, 5);
	ck_assert_int_eq(watch.dirty, 0);

	/* What this rules out does happen to a plain buffer: the watcher
	 * sees the token in the block buf_free() releases. */
	buf_init(&b, BUF_MAX_TEXT);
	fill(&b);
	buf_free(&b);
	ck_assert_int_eq(watch.released, 6);
	ck_assert_int_eq(watch.dirty, 1);
}
END_TEST

START_TEST(secret_cleansed_on_reset)
{
	struct buf b = BUF_INIT_SECRET(BUF_MAX_TEXT);
	size_t i;

	fill(&b);
	buf_reset(&b);
	for (i = 0; i < b.cap; i++)
		ck_assert_int_eq(b.data[i], 0);
	buf_free(&b);
	ck_assert_int_eq(watch.dirty, 0);
}
END_TEST

START_TEST(secret_cleansed_when_growth_fails)
{
	struct buf b = BUF_INIT_SECRET(BUF_MAX_TEXT);

	buf_puts(&b, token);		/* one block of 64 */
	watch.fail = 1;
	buf_puts(&b, token);		/* needs 65: fails */
	ck_assert_int_eq(b.failed, BUF_ENOMEM);
	buf_free(&b);
	ck_assert_int_eq(watch.released, 1);
	ck_assert_int_eq(watch.dirty, 0);
}
END_TEST

static Suite *
buf_suite(void)
{
	Suite *s = suite_create("buf");
	TCase *max = tcase_create("maximum");
	TCase *secret = tcase_create("secret");

	tcase_add_checked_fixture(max, watch_setup, watch_teardown);
	tcase_add_test(max, maximum_holds);
	tcase_add_test(max, maximum_bounds_the_block);
	tcase_add_test(max, maximum_holds_for_printf);
	tcase_add_test(max, zeroed_buffer_refuses);
	tcase_add_test(max, out_of_memory_is_reported);
	suite_add_tcase(s, max);
	tcase_add_checked_fixture(secret, watch_setup, watch_teardown);
	tcase_add_test(secret, secret_cleansed_on_growth_and_free);
	tcase_add_test(secret, secret_cleansed_on_reset);
	tcase_add_test(secret, secret_cleansed_when_growth_fails);
	suite_add_tcase(s, secret);
	return s;
}

int
main(void)
{
	return testdb_run(buf_suite());
}
