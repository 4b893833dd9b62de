/*
 * The listing shared by the daemons of a device (listshare.c), on a fake
 * device whose every @stats_list is counted: which calls list, which take
 * the listing another daemon left, and which directories and files are
 * refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "listshare.h"
#include "rows.h"

static int lists;		/* @stats_list messages sent */
static size_t expected;		/* the size the last one was expected to take */
static const char *answer;	/* what the next one answers */
static char dir[64];

static int
fake_send(const struct stats_device *dev, const char *message, char **out)
{
	if (strncmp(message, "@stats_list", 11) == 0) {
		lists++;
		expected = dev->list_expect;
	}
	*out = strdup(answer);
	return 0;
}

static const struct stats_device device = {
	.major = 253, .minor = 7, .name = (char *)"fake", .send = fake_send,
};


static void
pause_ms(msec_t ms)
{
	struct timespec ts = timespec_from_ns(ns_from_ms(ms));

	nanosleep(&ts, NULL);
}

static int
set_up(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/listshare.XXXXXX");
	assert_non_null(mkdtemp(dir));
	lists = 0;
	answer = "0: 0+8 8 p -\n1: 8+8 8 p -\n";
	return 0;
}

static int
tear_down(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* One get; returns the text it gave, copied; *left: it was one left. */
static char *
get(const char *where, struct listing_need need, int *left)
{
	struct listshare l;
	const char *rows;
	char *text;
	size_t len;
	int before = lists;

	assert_int_equal(listshare_get(&device, where, need, &l), 0);
	assert_non_null(rows = listshare_rows(&l, 0, UINT64_MAX, &len));
	assert_int_equal(len, strlen(rows));
	text = strdup(rows);
	*left = lists == before;
	listshare_release(&l);
	return text;
}

static void
test_shared_when_taken_after(void **state)
{
	nsec_t before = now_ns() - 1;
	int left;
	char *first, *second;

	(void)state;
	first = get(dir, LISTING_FRESH, &left);
	assert_int_equal(lists, 1);
	assert_false(left);
	/* Another daemon's answer, changed since: it must not be asked for. */
	answer = "0: 0+8 8 p -\n";
	second = get(dir, LISTING_AFTER(before), &left);
	assert_int_equal(lists, 1);
	assert_true(left);
	assert_string_equal(first, second);
	free(first);
	free(second);
}

static void
test_listed_again_when_older(void **state)
{
	int left;
	nsec_t seen;
	char *text;

	(void)state;
	free(get(dir, LISTING_FRESH, &left));
	pause_ms(3);
	seen = now_ns();
	answer = "0: 0+8 8 p -\n";
	text = get(dir, LISTING_AFTER(seen), &left);
	assert_int_equal(lists, 2);
	assert_string_equal(text, "0: 0+8 8 p -\n");
	free(text);
	/* That one is left for the next daemon. */
	text = get(dir, LISTING_AFTER(seen), &left);
	assert_int_equal(lists, 2);
	assert_true(left);
	free(text);
	/* A check of its own always lists. */
	free(get(dir, LISTING_FRESH, &left));
	assert_int_equal(lists, 3);
}

static void
test_no_dir_no_sharing(void **state)
{
	int left;

	(void)state;
	free(get(NULL, LISTING_FRESH, &left));
	free(get(NULL, LISTING_AFTER(0), &left));
	assert_int_equal(lists, 2);
	assert_false(left);
}

static void
test_open_dir_refused(void **state)
{
	int left;

	(void)state;
	assert_int_equal(chmod(dir, 0777), 0);
	free(get(dir, LISTING_FRESH, &left));
	free(get(dir, LISTING_AFTER(0), &left));
	assert_int_equal(lists, 2);
	assert_false(left);
}

static void
test_unordered_not_shared(void **state)
{
	int left;

	(void)state;
	answer = "1: 8+8 8 p -\n0: 0+8 8 p -\n";
	free(get(dir, LISTING_FRESH, &left));
	free(get(dir, LISTING_AFTER(0), &left));
	assert_int_equal(lists, 2);
}

static void
test_other_boot_refused(void **state)
{
	char path[128];
	FILE *f;
	int left;

	(void)state;
	/* A listing of another boot, from far in this one's future. */
	snprintf(path, sizeof(path), "%s/253:7", dir);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "dmfilemapd-listing 2 00000000-0000-0000-0000-000000000000 "
	    "9000000000000000000 4\n0 0\n0: 0+8 8 p -\n");
	fputc('\0', f);
	fclose(f);
	free(get(dir, LISTING_AFTER(0), &left));
	assert_int_equal(lists, 1);
	assert_false(left);
}

/* A stretch of rows from a listing another daemon left holds what was asked. */
static void
test_rows_by_stretch(void **state)
{
	static char text[200000];
	struct listshare l;
	const char *rows, *row;
	size_t used = 0, len, row_len;
	uint64_t id, first, last;
	int i;

	(void)state;
	for (id = 0; id < 3000; id += 1 + id % 3)
		used += (size_t)snprintf(text + used, sizeof(text) - used,
		    "%llu: %llu+8 8 p -\n", (unsigned long long)id,
		    (unsigned long long)id * 8);
	answer = text;
	assert_int_equal(listshare_get(&device, dir, LISTING_FRESH, &l), 0);
	listshare_release(&l);
	assert_int_equal(listshare_get(&device, dir, LISTING_AFTER(0), &l), 0);
	assert_int_equal(lists, 1);
	assert_true(l.fd >= 0);
	srand(3);
	for (i = 0; i < 500; i++) {
		first = (uint64_t)(rand() % 3100);
		last = first + (uint64_t)(rand() % 200);
		assert_non_null(rows = listshare_rows(&l, first, last, &len));
		assert_true(len < used);
		for (id = first; id <= last; id++) {
			row = rows_find(text, used, id, &row_len);
			if (row == NULL)
				assert_null(rows_find(rows, len, id, &row_len));
			else
				assert_non_null(rows_find(rows, len, id, &row_len));
		}
	}
	listshare_release(&l);
}

/*
 * A listing is asked for with room for the last one left, even when that
 * one is too old to take: the kernel then formats its answer once.
 */
static void
test_sized_from_the_last(void **state)
{
	static char text[100000];
	size_t used = 0;
	int left, id;

	(void)state;
	for (id = 0; id < 2000; id++)
		used += (size_t)snprintf(text + used, sizeof(text) - used,
		    "%d: %d+8 8 p -\n", id, id * 8);
	answer = text;
	free(get(dir, LISTING_FRESH, &left));
	assert_int_equal(expected, 0);
	free(get(dir, LISTING_FRESH, &left));
	assert_int_equal(lists, 2);
	assert_true(expected > used);
	assert_true(expected < used + used / 8);
	pause_ms(2);
	free(get(dir, LISTING_AFTER(now_ns()), &left));
	assert_int_equal(lists, 3);
	assert_true(expected > used);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_shared_when_taken_after, set_up, tear_down),
		cmocka_unit_test_setup_teardown(test_listed_again_when_older, set_up, tear_down),
		cmocka_unit_test_setup_teardown(test_no_dir_no_sharing, set_up, tear_down),
		cmocka_unit_test_setup_teardown(test_open_dir_refused, set_up, tear_down),
		cmocka_unit_test_setup_teardown(test_unordered_not_shared, set_up, tear_down),
		cmocka_unit_test_setup_teardown(test_other_boot_refused, set_up, tear_down),
		cmocka_unit_test_setup_teardown(test_rows_by_stretch, set_up, tear_down),
		cmocka_unit_test_setup_teardown(test_sized_from_the_last, set_up, tear_down),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
