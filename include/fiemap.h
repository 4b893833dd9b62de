/* Reading where a file's data lies on its device, with FS_IOC_FIEMAP. */
#ifndef DMFILEMAPD_FIEMAP_H
#define DMFILEMAPD_FIEMAP_H

#include <linux/fiemap.h>
#include <stddef.h>
#include <stdint.h>

#include "extents.h"

struct file_map {
	struct range *ranges;	/* device ranges, normalized */
	size_t count;
	size_t capacity;
	unsigned long long end;	/* where the last extent ends in the file */
	int pending;		/* some data has no device address yet */
	int unmappable;		/* some data can never be counted (inline, encoded) */
};

enum extents_batch {
	EXTENTS_MORE,		/* more extents may follow */
	EXTENTS_LAST,		/* the last one carried FIEMAP_EXTENT_LAST */
	EXTENTS_FAILED,		/* memory ran out: errno ENOMEM */
};

/*
 * Adds the extents of one FIEMAP answer to map.  *next receives the
 * logical offset to ask from next.
 */
enum extents_batch file_map_add(struct file_map *map,
    const struct fiemap_extent *extents, unsigned int count,
    unsigned long long *next);

/*
 * Fills map with the whole file's device ranges.  Never forces writeback:
 * ranges still in delayed allocation are reported through map->pending.
 * Returns 0, or -1 with errno set (EOPNOTSUPP when the filesystem has no
 * FIEMAP).
 */
int file_map_read(int fd, struct file_map *map);

/*
 * Whether the file's filesystem answers FIEMAP, asked at the cost of one
 * byte's extents: 0, or -1 with errno set (EOPNOTSUPP when it has none).
 */
int file_map_supported(int fd);

/* Empties map, keeping its memory. */
void file_map_clear(struct file_map *map);

/* Appends the range of len sectors from start; -1 with errno ENOMEM. */
int file_map_append(struct file_map *map, uint64_t start, uint64_t len);

/* Moves the map's end up to end, where some data of the file ends. */
void file_map_reach(struct file_map *map, unsigned long long end);

/* Some data has no device address yet. */
void file_map_note_pending(struct file_map *map);

/* Some data can never be counted. */
void file_map_note_uncountable(struct file_map *map);

/* Sorts and merges the ranges appended (ranges_normalize). */
void file_map_normalize(struct file_map *map);

/* Puts ranges, n of them and malloc'd, in place of the map's, taking them over. */
void file_map_take_ranges(struct file_map *map, struct range *ranges,
    size_t n);

/* Makes to a copy of from; returns 0, or -1 with errno ENOMEM. */
int file_map_copy(struct file_map *to, const struct file_map *from);

void file_map_free(struct file_map *map);

#endif
