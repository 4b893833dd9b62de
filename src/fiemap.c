/*
 * The FIEMAP loop: ask for many extents at a time into one large buffer,
 * continue from where the last answer ended, stop at FIEMAP_EXTENT_LAST.
 */
#include <errno.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "fiemap.h"

#define FIEMAP_BUFFER_SIZE (256 * 1024)
#define FIEMAP_BATCH ((FIEMAP_BUFFER_SIZE - sizeof(struct fiemap)) / \
    sizeof(struct fiemap_extent))

/* Data without a device address yet: the filesystem has not allocated it. */
#define UNPLACED (FIEMAP_EXTENT_UNKNOWN | FIEMAP_EXTENT_DELALLOC)
/*
 * Data whose device blocks do not match its logical bytes one to one, or
 * that shares blocks with metadata: no region can count it on its own.
 */
#define UNCOUNTABLE (FIEMAP_EXTENT_ENCODED | FIEMAP_EXTENT_NOT_ALIGNED | \
    FIEMAP_EXTENT_DATA_INLINE | FIEMAP_EXTENT_DATA_TAIL)

int
file_map_append(struct file_map *map, uint64_t start, uint64_t len)
{
	struct range *grown;
	size_t capacity;

	if (map->count == map->capacity) {
		capacity = map->capacity ? map->capacity * 2 : 64;
		grown = realloc(map->ranges, capacity * sizeof(*grown));
		if (grown == NULL)
			return -1;
		map->ranges = grown;
		map->capacity = capacity;
	}
	map->ranges[map->count].start = start;
	map->ranges[map->count].len = len;
	map->count++;
	return 0;
}

enum extents_batch
file_map_add(struct file_map *map, const struct fiemap_extent *extents,
    unsigned int count, unsigned long long *next)
{
	const struct fiemap_extent *fe;
	unsigned int i;
	uint64_t len;

	for (i = 0; i < count; i++) {
		fe = &extents[i];
		*next = map->end = fe->fe_logical + fe->fe_length;
		len = fe->fe_length >> SECTOR_SHIFT;
		if (fe->fe_flags & UNPLACED)
			map->pending = 1;
		else if (fe->fe_flags & UNCOUNTABLE)
			map->unmappable = 1;
		else if (len > 0 &&
		    file_map_append(map, fe->fe_physical >> SECTOR_SHIFT, len) != 0)
			return EXTENTS_FAILED;
		if (fe->fe_flags & FIEMAP_EXTENT_LAST)
			return EXTENTS_LAST;
	}
	return EXTENTS_MORE;
}

int
file_map_supported(int fd)
{
	struct fiemap fm;

	/* Asked for no extent, the kernel only counts them, in one byte. */
	memset(&fm, 0, sizeof(fm));
	fm.fm_length = 1;
	if (ioctl(fd, FS_IOC_FIEMAP, &fm) == 0)
		return 0;
	if (errno == ENOTTY)
		errno = EOPNOTSUPP;
	return -1;
}

int
file_map_read(int fd, struct file_map *map)
{
	static union {
		struct fiemap fm;
		unsigned char bytes[FIEMAP_BUFFER_SIZE];
	} buffer;
	struct fiemap *fm = &buffer.fm;
	unsigned long long next = 0;
	enum extents_batch batch = EXTENTS_MORE;

	file_map_clear(map);
	while (batch == EXTENTS_MORE) {
		memset(fm, 0, sizeof(*fm));
		fm->fm_start = next;
		fm->fm_length = FIEMAP_MAX_OFFSET - next;
		fm->fm_extent_count = FIEMAP_BATCH;
		if (ioctl(fd, FS_IOC_FIEMAP, fm) < 0) {
			if (errno == ENOTTY)
				errno = EOPNOTSUPP;
			return -1;
		}
		if (fm->fm_mapped_extents == 0)
			break;
		batch = file_map_add(map, fm->fm_extents,
		    fm->fm_mapped_extents, &next);
		if (batch == EXTENTS_FAILED) {
			errno = ENOMEM;
			return -1;
		}
	}
	file_map_normalize(map);
	return 0;
}

void
file_map_clear(struct file_map *map)
{
	map->count = 0;
	map->end = 0;
	map->pending = 0;
	map->unmappable = 0;
}

void
file_map_reach(struct file_map *map, unsigned long long end)
{
	if (end > map->end)
		map->end = end;
}

void
file_map_note_pending(struct file_map *map)
{
	map->pending = 1;
}

void
file_map_note_uncountable(struct file_map *map)
{
	map->unmappable = 1;
}

void
file_map_normalize(struct file_map *map)
{
	map->count = ranges_normalize(map->ranges, map->count);
}

void
file_map_take_ranges(struct file_map *map, struct range *ranges, size_t n)
{
	free(map->ranges);
	map->ranges = ranges;
	map->count = map->capacity = n;
}

int
file_map_copy(struct file_map *to, const struct file_map *from)
{
	struct range *grown;

	if (to->capacity < from->count) {
		grown = realloc(to->ranges, from->count * sizeof(*grown));
		if (grown == NULL) {
			errno = ENOMEM;
			return -1;
		}
		to->ranges = grown;
		to->capacity = from->count;
	}
	if (from->count > 0)
		memcpy(to->ranges, from->ranges, from->count * sizeof(*grown));
	to->count = from->count;
	to->end = from->end;
	to->pending = from->pending;
	to->unmappable = from->unmappable;
	return 0;
}

void
file_map_free(struct file_map *map)
{
	free(map->ranges);
	memset(map, 0, sizeof(*map));
}
