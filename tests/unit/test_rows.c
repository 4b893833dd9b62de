/*
 * Looking rows of a listing up by id (rows.c): against a plain scan of the
 * same text, and against listing_parse of the rows alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rows.h"

static const char listing[] =
    "0: 2048+8 8 dmstats DMS_GROUP=vm:0-2,7\n"
    "1: 4096+8 8 dmstats -\n"
    "2: 8192+16 16 dmstats - precise_timestamps\n"
    "7: 100+4 4 dmstats - histogram:10,20\n"
    "12: 0+1 1 other my aux: 13: with blanks\n";

static void
test_ascending(void **state)
{
	(void)state;
	assert_true(rows_ascending(listing));
	assert_true(rows_ascending(""));
	assert_true(rows_ascending("5: 0+1 1 p -"));
	assert_false(rows_ascending("1: 0+1 1 p -\n0: 0+1 1 p -\n"));
	assert_false(rows_ascending("1: 0+1 1 p -\n1: 0+1 1 p -\n"));
	assert_false(rows_ascending("1: 0+1 1 p -\n\n2: 0+1 1 p -\n"));
	assert_false(rows_ascending("x: 0+1 1 p -\n"));
}

static void
test_find(void **state)
{
	size_t len;
	const char *row;

	(void)state;
	row = rows_find(listing, strlen(listing), 0, &len);
	assert_non_null(row);
	assert_int_equal(strncmp(row, "0: 2048+8 8 dmstats DMS_GROUP=vm:0-2,7", len), 0);
	assert_int_equal(len, strlen("0: 2048+8 8 dmstats DMS_GROUP=vm:0-2,7"));
	row = rows_find(listing, strlen(listing), 12, &len);
	assert_non_null(row);
	assert_int_equal(len, strlen("12: 0+1 1 other my aux: 13: with blanks"));
	assert_non_null(rows_find(listing, strlen(listing), 7, &len));
	/* An id named inside an aux_data is no row. */
	assert_null(rows_find(listing, strlen(listing), 13, &len));
	assert_null(rows_find(listing, strlen(listing), 3, &len));
	assert_null(rows_find(listing, strlen(listing), 99, &len));
	assert_null(rows_find("", 0, 0, &len));
	/* The last row needs no newline. */
	assert_non_null(rows_find("3: 0+1 1 p -\n4: 0+1 1 p -", 25, 4, &len));
	assert_int_equal(len, 12);
	/* Nor does a search that goes past it. */
	assert_null(rows_find("3: 0+1 1 p -\n4: 0+1 1 p -", 25, 5, &len));
	assert_null(rows_find("4: 0+1 1 p -", 12, 9, &len));
}

/* Selecting every other id up to past the last finds exactly those present. */
static void
select_matches(const char *text, size_t used, const uint64_t *ids, size_t n)
{
	static uint64_t wanted[8000];
	struct listing picked;
	size_t i, k = 0, w = 0;
	uint64_t id;

	for (id = (uint64_t)(rand() % 2); id <= ids[n - 1] + 2; id += 1 + (uint64_t)(rand() % 2))
		wanted[w++] = id;
	assert_int_equal(rows_select(text, used, wanted, w, &picked), 0);
	for (i = 0; i < w; i++) {
		while (k < n && ids[k] < wanted[i])
			k++;
		if (k < n && ids[k] == wanted[i]) {
			assert_true(picked.count > 0);
			assert_int_equal(listing_find(&picked, wanted[i])->id, wanted[i]);
		} else {
			assert_null(listing_find(&picked, wanted[i]));
		}
	}
	listing_free(&picked);
}

static void
test_find_matches_scan(void **state)
{
	static char text[1 << 20];
	uint64_t ids[3000], id, i, n = 0;
	size_t used = 0, len;
	const char *row;
	int round;

	(void)state;
	srand(7);
	for (round = 0; round < 20; round++) {
		used = 0;
		n = 0;
		for (id = (uint64_t)(rand() % 3); n < 1 + (uint64_t)(rand() % 3000);
		    id += 1 + (uint64_t)(rand() % 4)) {
			ids[n++] = id;
			/* Rows of all lengths, with digits and colons in them. */
			used += (size_t)snprintf(text + used, sizeof(text) - used,
			    "%" PRIu64 ": %d+8 8 p %.*s\n", id, rand() % 999,
			    rand() % 60, "DMS_GROUP=a 1: 2: 3-4,5 # x y z 9: 10: 11: 12 13 14 15 16 17");
		}
		for (id = 0; id <= ids[n - 1] + 2; id++) {
			row = rows_find(text, used, id, &len);
			for (i = 0; i < n && ids[i] != id; i++)
				;
			if (i == n) {
				assert_null(row);
				continue;
			}
			assert_non_null(row);
			assert_int_equal(strtoull(row, NULL, 10), id);
			assert_int_equal(row[len], '\n');
		}
		select_matches(text, used, ids, n);
	}
}

static void
test_select(void **state)
{
	const uint64_t ids[] = { 0, 3, 7, 12 };
	struct listing picked, alone;

	(void)state;
	assert_int_equal(rows_select(listing, strlen(listing), ids, 4, &picked), 0);
	assert_int_equal(listing_parse("0: 2048+8 8 dmstats DMS_GROUP=vm:0-2,7\n"
	    "7: 100+4 4 dmstats - histogram:10,20\n"
	    "12: 0+1 1 other my aux: 13: with blanks\n", &alone), 0);
	assert_int_equal(picked.count, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(picked.regions[i].id, alone.regions[i].id);
		assert_int_equal(picked.regions[i].start, alone.regions[i].start);
		assert_int_equal(picked.regions[i].len, alone.regions[i].len);
		assert_string_equal(picked.regions[i].aux, alone.regions[i].aux);
		assert_string_equal(picked.regions[i].options, alone.regions[i].options);
		assert_string_equal(picked.regions[i].program_id, alone.regions[i].program_id);
	}
	listing_free(&picked);
	listing_free(&alone);
	assert_int_equal(rows_select(listing, strlen(listing), NULL, 0, &picked), 0);
	assert_int_equal(picked.count, 0);
	listing_free(&picked);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascending),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_find_matches_scan),
		cmocka_unit_test(test_select),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
