/* How FIEMAP answers become device ranges: every extent flag has its say. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fiemap.h"
#include "table.h"

#define MiB (1024ULL * 1024)
#define EXTENT(logical, physical, length, flags) { .fe_logical = (logical), \
	.fe_physical = (physical), .fe_length = (length), .fe_flags = (flags) }
#define EXTENTS(...) (const struct fiemap_extent[]){ __VA_ARGS__ }, \
	COUNT(((const struct fiemap_extent[]){ __VA_ARGS__ }))
#define RANGES(...) (const struct range[]){ __VA_ARGS__ }, \
	COUNT(((const struct range[]){ __VA_ARGS__ }))

/* One FIEMAP answer, and the file map it makes of an empty one. */
static const struct answer_case {
	const char *name;
	const struct fiemap_extent *extents;
	size_t n_extents;
	enum extents_batch batch;
	const struct range *ranges;	/* sectors */
	size_t n_ranges;
	unsigned long long next;	/* where the next question starts */
	bool pending, unmappable;
} answers[] = {
	/* Fallocated space is on the device: I/O to it must be counted. */
	{ "bytes_become_sectors", EXTENTS(EXTENT(0, 1 * MiB, 4096, 0),
	  EXTENT(4096, 8 * MiB, 8192, FIEMAP_EXTENT_UNWRITTEN |
	  FIEMAP_EXTENT_LAST)), EXTENTS_LAST,
	  RANGES({ 2048, 8 }, { 16384, 16 }), 12288, false, false },
	{ "unplaced_data_is_pending", EXTENTS(EXTENT(0, 0, 4096,
	  FIEMAP_EXTENT_DELALLOC | FIEMAP_EXTENT_UNKNOWN),
	  EXTENT(4096, 0, 4096, FIEMAP_EXTENT_UNKNOWN)), EXTENTS_MORE,
	  NULL, 0, 8192, true, false },
	{ "uncountable_data_is_left_out", EXTENTS(EXTENT(0, 4096, 60,
	  FIEMAP_EXTENT_DATA_INLINE | FIEMAP_EXTENT_NOT_ALIGNED),
	  EXTENT(4096, 1 * MiB, 4096, FIEMAP_EXTENT_ENCODED),
	  EXTENT(8192, 2 * MiB, 4096, FIEMAP_EXTENT_DATA_TAIL |
	  FIEMAP_EXTENT_LAST)), EXTENTS_LAST, NULL, 0, 12288, false, true },
	{ "shared_and_merged_extents_count", EXTENTS(EXTENT(0, 1 * MiB, 4096,
	  FIEMAP_EXTENT_SHARED), EXTENT(4096, 3 * MiB, 4096,
	  FIEMAP_EXTENT_MERGED | FIEMAP_EXTENT_DATA_ENCRYPTED)), EXTENTS_MORE,
	  RANGES({ 2048, 8 }, { 6144, 8 }), 8192, false, false },
};

static void
run_answer_case(void **state)
{
	const struct answer_case *c = *state;
	struct file_map map = { 0 };
	unsigned long long next = 0;
	size_t i;

	assert_int_equal(file_map_add(&map, c->extents,
	    (unsigned int)c->n_extents, &next), c->batch);
	assert_int_equal(map.count, c->n_ranges);
	for (i = 0; i < c->n_ranges; i++) {
		assert_int_equal(map.ranges[i].start, c->ranges[i].start);
		assert_int_equal(map.ranges[i].len, c->ranges[i].len);
	}
	assert_int_equal(next, c->next);
	assert_int_equal(map.pending != 0, c->pending);
	assert_int_equal(map.unmappable != 0, c->unmappable);
	file_map_free(&map);
}

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
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answers_accumulate_across_calls),
	};
	static const struct table tables[] = {
		TABLE("answer", answers, run_answer_case),
	};

	return run_with_tables(tests, COUNT(tests), tables, COUNT(tables));
}
