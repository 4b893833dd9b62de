/* How FIEMAP answers become device ranges: every extent flag has its say. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fiemap.h"

#define MiB (1024ULL * 1024)

static struct fiemap_extent
extent(uint64_t logical, uint64_t physical, uint64_t length, uint32_t flags)
{
	struct fiemap_extent fe;

	memset(&fe, 0, sizeof(fe));
	fe.fe_logical = logical;
	fe.fe_physical = physical;
	fe.fe_length = length;
	fe.fe_flags = flags;
	return fe;
}

static void
test_bytes_become_sectors(void **state)
{
	struct fiemap_extent fe[] = {
		extent(0, 1 * MiB, 4096, 0),
		extent(4096, 8 * MiB, 8192, FIEMAP_EXTENT_UNWRITTEN |
		    FIEMAP_EXTENT_LAST),
	};
	struct file_map map = { 0 };
	unsigned long long next = 0;

	(void)state;
	assert_int_equal(file_map_add(&map, fe, 2, &next), EXTENTS_LAST);
	assert_int_equal(map.count, 2);
	assert_int_equal(map.ranges[0].start, 2048);
	assert_int_equal(map.ranges[0].len, 8);
	/* Fallocated space is on the device: I/O to it must be counted. */
	assert_int_equal(map.ranges[1].start, 16384);
	assert_int_equal(map.ranges[1].len, 16);
	assert_int_equal(next, 12288);
	assert_false(map.pending);
	file_map_free(&map);
}

static void
test_unplaced_data_is_pending(void **state)
{
	struct fiemap_extent fe[] = {
		extent(0, 0, 4096, FIEMAP_EXTENT_DELALLOC |
		    FIEMAP_EXTENT_UNKNOWN),
		extent(4096, 0, 4096, FIEMAP_EXTENT_UNKNOWN),
	};
	struct file_map map = { 0 };
	unsigned long long next = 0;

	(void)state;
	assert_int_equal(file_map_add(&map, fe, 2, &next), EXTENTS_MORE);
	assert_int_equal(map.count, 0);
	assert_true(map.pending);
	assert_int_equal(next, 8192);
	file_map_free(&map);
}

static void
test_uncountable_data_is_left_out(void **state)
{
	struct fiemap_extent fe[] = {
		extent(0, 4096, 60, FIEMAP_EXTENT_DATA_INLINE |
		    FIEMAP_EXTENT_NOT_ALIGNED),
		extent(4096, 1 * MiB, 4096, FIEMAP_EXTENT_ENCODED),
		extent(8192, 2 * MiB, 4096, FIEMAP_EXTENT_DATA_TAIL |
		    FIEMAP_EXTENT_LAST),
	};
	struct file_map map = { 0 };
	unsigned long long next = 0;

	(void)state;
	assert_int_equal(file_map_add(&map, fe, 3, &next), EXTENTS_LAST);
	assert_int_equal(map.count, 0);
	assert_false(map.pending);
	assert_true(map.unmappable);
	file_map_free(&map);
}

static void
test_shared_and_merged_extents_count(void **state)
{
	struct fiemap_extent fe[] = {
		extent(0, 1 * MiB, 4096, FIEMAP_EXTENT_SHARED),
		extent(4096, 3 * MiB, 4096, FIEMAP_EXTENT_MERGED |
		    FIEMAP_EXTENT_DATA_ENCRYPTED),
	};
	struct file_map map = { 0 };
	unsigned long long next = 0;

	(void)state;
	assert_int_equal(file_map_add(&map, fe, 2, &next), EXTENTS_MORE);
	assert_int_equal(map.count, 2);
	file_map_free(&map);
}

static void
test_answers_accumulate_across_calls(void **state)
{
	struct fiemap_extent first[] = { extent(0, 1 * MiB, 1 * MiB, 0) };
	struct fiemap_extent second[] = {
		extent(1 * MiB, 2 * MiB, 1 * MiB, FIEMAP_EXTENT_LAST),
	};
	struct file_map map = { 0 };
	unsigned long long next = 0;

	(void)state;
	assert_int_equal(file_map_add(&map, first, 1, &next), EXTENTS_MORE);
	assert_int_equal(next, 1 * MiB);
	assert_int_equal(file_map_add(&map, second, 1, &next), EXTENTS_LAST);
	assert_int_equal(map.count, 2);
	/* Physically contiguous extents become one device range. */
	assert_int_equal(ranges_normalize(map.ranges, map.count), 1);
	assert_int_equal(map.ranges[0].len, 4096);
	file_map_free(&map);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes_become_sectors),
		cmocka_unit_test(test_unplaced_data_is_pending),
		cmocka_unit_test(test_uncountable_data_is_left_out),
		cmocka_unit_test(test_shared_and_merged_extents_count),
		cmocka_unit_test(test_answers_accumulate_across_calls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
