/* Normalizing and comparing device ranges. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "extents.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void
expect_ranges(const struct range *got, size_t n_got, const struct range *want,
    size_t n_want)
{
	size_t i;

	assert_int_equal(n_got, n_want);
	for (i = 0; i < n_want; i++) {
		assert_int_equal(got[i].start, want[i].start);
		assert_int_equal(got[i].len, want[i].len);
	}
}

static void
test_sorts_unsorted(void **state)
{
	struct range r[] = { { 300, 10 }, { 100, 5 }, { 200, 1 } };
	const struct range want[] = { { 100, 5 }, { 200, 1 }, { 300, 10 } };

	(void)state;
	expect_ranges(r, ranges_normalize(r, COUNT(r)), want, COUNT(want));
}

static void
test_merges_overlapping(void **state)
{
	struct range r[] = { { 10, 10 }, { 0, 15 }, { 18, 7 } };
	const struct range want[] = { { 0, 25 } };

	(void)state;
	expect_ranges(r, ranges_normalize(r, COUNT(r)), want, COUNT(want));
}

static void
test_merges_touching(void **state)
{
	/* A file's logical extents that lie back to back on the device. */
	struct range r[] = { { 8, 8 }, { 0, 8 }, { 16, 4 }, { 21, 1 } };
	const struct range want[] = { { 0, 20 }, { 21, 1 } };

	(void)state;
	expect_ranges(r, ranges_normalize(r, COUNT(r)), want, COUNT(want));
}

static void
test_merges_contained(void **state)
{
	struct range r[] = { { 5, 2 }, { 0, 100 }, { 50, 50 }, { 99, 1 } };
	const struct range want[] = { { 0, 100 } };

	(void)state;
	expect_ranges(r, ranges_normalize(r, COUNT(r)), want, COUNT(want));
}

static void
test_drops_zero_length(void **state)
{
	/* An empty range between two others must not join them. */
	struct range r[] = {
		{ 20, 5 }, { 10, 0 }, { 0, 5 }, { 5, 0 }, { 7, 0 },
	};
	const struct range want[] = { { 0, 5 }, { 20, 5 } };
	struct range only_empty[] = { { 3, 0 }, { 1, 0 } };

	(void)state;
	expect_ranges(r, ranges_normalize(r, COUNT(r)), want, COUNT(want));
	assert_int_equal(ranges_normalize(only_empty, COUNT(only_empty)), 0);
}

static void
test_empty_input(void **state)
{
	(void)state;
	assert_int_equal(ranges_normalize(NULL, 0), 0);
}

static void
test_large_sectors(void **state)
{
	struct range r[] = { { UINT64_MAX - 10, 10 }, { UINT64_MAX - 20, 10 } };
	const struct range want[] = { { UINT64_MAX - 20, 20 } };

	(void)state;
	expect_ranges(r, ranges_normalize(r, COUNT(r)), want, COUNT(want));
}

static void
test_equal(void **state)
{
	const struct range a[] = { { 0, 5 }, { 10, 5 } };
	const struct range same[] = { { 0, 5 }, { 10, 5 } };
	const struct range longer[] = { { 0, 5 }, { 10, 6 } };
	const struct range moved[] = { { 1, 5 }, { 10, 5 } };

	(void)state;
	assert_true(ranges_equal(a, 2, same, 2));
	assert_true(ranges_equal(NULL, 0, NULL, 0));
	assert_true(ranges_equal(a, 0, same, 0));
	assert_false(ranges_equal(a, 2, same, 1));
	assert_false(ranges_equal(a, 1, same, 2));
	assert_false(ranges_equal(a, 2, longer, 2));
	assert_false(ranges_equal(a, 2, moved, 2));
	assert_false(ranges_equal(a, 2, NULL, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sorts_unsorted),
		cmocka_unit_test(test_merges_overlapping),
		cmocka_unit_test(test_merges_touching),
		cmocka_unit_test(test_merges_contained),
		cmocka_unit_test(test_drops_zero_length),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_large_sectors),
		cmocka_unit_test(test_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
