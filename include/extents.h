/* Ranges of a device in 512-byte sectors, and the sorting that makes them comparable. */
#ifndef DMFILEMAPD_EXTENTS_H
#define DMFILEMAPD_EXTENTS_H

#include <stddef.h>
#include <stdint.h>

#define SECTOR_SHIFT 9

struct range {
	uint64_t start;		/* first sector */
	uint64_t len;		/* sectors, never 0 */
};

/*
 * Sorts ranges by start and merges the ones that overlap or touch, in place.
 * Returns the new count.  A file's extents in logical order become the set
 * of physically contiguous device ranges it occupies.
 */
size_t ranges_normalize(struct range *ranges, size_t count);

/*
 * Orders uint64_t values (region ids) for qsort and bsearch, and so every
 * struct whose first member is its uint64_t id (C lets a pointer to a
 * struct stand for a pointer to its first member).
 */
int compare_ids(const void *a, const void *b);

/* Non-zero when both arrays hold the same ranges in the same order. */
int ranges_equal(const struct range *a, size_t na, const struct range *b, size_t nb);

#endif
