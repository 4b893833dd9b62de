/*
 * Looking rows of a listing up by id (rows.c): against a plain scan of the
 * same text, and against listing_parse of the rows alone.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rows.h"
#include "table.h"

static const char listing[] =
    "0: 2048+8 8 dmstats DMS_GROUP=vm:0-2,7\n"
    "1: 4096+8 8 dmstats -\n"
    "2: 8192+16 16 dmstats - precise_timestamps\n"
    "7: 100+4 4 dmstats - histogram:10,20\n"
    "12: 0+1 1 other my aux: 13: with blanks\n";

/* Whether a text's rows ascend by id, one a line. */
static const struct ascending_case {
	const char *name;
	const char *text;
	bool ascending;
} ascendings[] = {
	{ "listing", listing, true },
	{ "empty", "", true },
	{ "one_row_no_newline", "5: 0+1 1 p -", true },
	{ "descending", "1: 0+1 1 p -\n0: 0+1 1 p -\n", false },
	{ "an_id_twice", "1: 0+1 1 p -\n1: 0+1 1 p -\n", false },
	{ "empty_line", "1: 0+1 1 p -\n\n2: 0+1 1 p -\n", false },
	{ "id_not_a_number", "x: 0+1 1 p -\n", false },
};

/* The row of an id in a text, without its newline; NULL: none. */
static const struct find_case {
	const char *name;
	const char *text;
	uint64_t id;
	const char *row;
} finds[] = {
	{ "first", listing, 0, "0: 2048+8 8 dmstats DMS_GROUP=vm:0-2,7" },
	{ "last", listing, 12, "12: 0+1 1 other my aux: 13: with blanks" },
	{ "with_options", listing, 7, "7: 100+4 4 dmstats - histogram:10,20" },
	/* An id named inside an aux_data is no row. */
	{ "id_in_aux", listing, 13, NULL },
	{ "id_between", listing, 3, NULL },
	{ "id_past_last", listing, 99, NULL },
	{ "empty", "", 0, NULL },
	/* The last row needs no newline. */
	{ "last_without_newline", "3: 0+1 1 p -\n4: 0+1 1 p -", 4,
	  "4: 0+1 1 p -" },
	/* Nor does a search that goes past it. */
	{ "past_last_without_newline", "3: 0+1 1 p -\n4: 0+1 1 p -", 5, NULL },
	{ "past_only_row", "4: 0+1 1 p -", 9, NULL },
};

static void
run_ascending_case(void **state)
{
	const struct ascending_case *c = *state;

	assert_int_equal(rows_ascending(c->text) != 0, c->ascending);
}

static void
run_find_case(void **state)
{
	const struct find_case *c = *state;
	const char *row;
	size_t len;

	row = rows_find(c->text, strlen(c->text), c->id, &len);
	if (c->row == NULL) {
		assert_null(row);
		return;
	}
	assert_non_null(row);
	assert_int_equal(len, strlen(c->row));
	assert_int_equal(strncmp(row, c->row, len), 0);
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
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_matches_scan),
		cmocka_unit_test(test_select),
	};
	static const struct table tables[] = {
		TABLE("ascending", ascendings, run_ascending_case),
		TABLE("find", finds, run_find_case),
	};

	return run_with_tables(tests, COUNT(tests), tables, COUNT(tables));
}
