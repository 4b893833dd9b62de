/*
 * Device ranges in sectors.  A file's extents arrive in logical order; only
 * their physical layout matters to the group, so they are brought into one
 * canonical form that two snapshots can be compared in.
 */
#include <stdlib.h>

#include "extents.h"

static int
compare_starts(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static size_t
drop_empty(struct range *ranges, size_t count)
{
	size_t i, n = 0;

	for (i = 0; i < count; i++)
		if (ranges[i].len != 0)
			ranges[n++] = ranges[i];
	return n;
}

static int
sorted_by_start(const struct range *ranges, size_t count)
{
	size_t i;

	for (i = 1; i < count; i++)
		if (ranges[i - 1].start > ranges[i].start)
			return 0;
	return 1;
}

size_t
ranges_normalize(struct range *ranges, size_t count)
{
	size_t i, n;
	uint64_t end;

	count = drop_empty(ranges, count);
	if (count == 0)
		return 0;
	/* Files mostly lie in device order: then the sort is spared. */
	if (!sorted_by_start(ranges, count))
		qsort(ranges, count, sizeof(*ranges), compare_starts);
	n = 1;
	for (i = 1; i < count; i++) {
		end = ranges[n - 1].start + ranges[n - 1].len;
		if (ranges[i].start > end) {
			ranges[n++] = ranges[i];
			continue;
		}
		/* Overlapping or touching: one contiguous stretch of device. */
		if (ranges[i].start + ranges[i].len > end)
			ranges[n - 1].len = ranges[i].start + ranges[i].len -
			    ranges[n - 1].start;
	}
	return n;
}

int
ranges_equal(const struct range *a, size_t na, const struct range *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++)
		if (a[i].start != b[i].start || a[i].len != b[i].len)
			return 0;
	return 1;
}

int
compare_ids(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}
