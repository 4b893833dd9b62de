/*
 * btrfs's chunk map: where each range of the file system's logical address
 * space lies on which of its devices.  btrfs's FIEMAP answers logical
 * addresses; the ranges on one device that hold them are what dm-stats
 * counts.  Pure: btrfs.c reads the map from the kernel.
 */
#ifndef DMFILEMAPD_CHUNKS_H
#define DMFILEMAPD_CHUNKS_H

#include <stddef.h>
#include <stdint.h>

#include "extents.h"

struct chunk_stripe {
	uint64_t devid;		/* the device's id in the file system */
	uint64_t offset;	/* where the stripe starts on it, in sectors */
};

struct chunk {
	uint64_t start;		/* logical, in sectors */
	uint64_t len;		/* sectors */
	uint64_t type;		/* BTRFS_BLOCK_GROUP_* bits */
	uint64_t stripe_len;	/* sectors */
	unsigned int n_stripes;
	unsigned int sub_stripes;	/* copies of each stripe (RAID10) */
	size_t first_stripe;	/* its stripes in chunk_map.stripes */
};

struct chunk_map {
	struct chunk *chunks;	/* ascending start */
	size_t n_chunks;
	size_t chunk_capacity;
	struct chunk_stripe *stripes;
	size_t n_stripes;
	size_t stripe_capacity;
};

enum chunks_status {
	CHUNKS_OK = 0,
	CHUNKS_NO_MEMORY,
	CHUNKS_MALFORMED,	/* misaligned, overlapping, no stripes, ... */
	CHUNKS_UNMAPPED,	/* a logical range no chunk holds */
	CHUNKS_PROFILE,		/* a profile not handled (RAID5, RAID6) */
};

/*
 * Adds one chunk as btrfs keeps it, in bytes (start is the chunk item's
 * key offset).  Chunks come in ascending start.
 */
enum chunks_status chunk_map_add(struct chunk_map *map, uint64_t start,
    uint64_t length, uint64_t type, uint64_t stripe_len,
    unsigned int n_stripes, unsigned int sub_stripes,
    const uint64_t *devids, const uint64_t *offsets);

/*
 * The ranges of device devid that hold the logical ranges in (sectors),
 * normalized (extents.h) into a malloc'd *out of *n_out: every copy of
 * mirrored data, and of striped data only the stripes on devid.
 */
enum chunks_status chunks_translate(const struct chunk_map *map,
    uint64_t devid, const struct range *in, size_t n_in, struct range **out,
    size_t *n_out);

/* Whether some data chunk has a profile chunks_translate cannot follow. */
int chunks_unhandled_data(const struct chunk_map *map);

void chunk_map_free(struct chunk_map *map);

#endif
