/*
 * Translating btrfs logical addresses to the ranges of one device, as
 * btrfs's volumes code places them: a mirrored profile (single, DUP,
 * RAID1, RAID1C3, RAID1C4) keeps a whole copy of the chunk in each stripe;
 * RAID0 deals the chunk out in stripe_len pieces to its stripes in turn,
 * and RAID10 deals them to groups of sub_stripes mirrors.
 */
#include <linux/btrfs_tree.h>
#include <stdlib.h>
#include <string.h>

#include "chunks.h"

#define SECTOR_MASK ((1u << SECTOR_SHIFT) - 1)
#define STRIPED (BTRFS_BLOCK_GROUP_RAID0 | BTRFS_BLOCK_GROUP_RAID10)

static int
grow(void **array, size_t *capacity, size_t need, size_t size)
{
	size_t cap = *capacity ? *capacity : 16;
	void *grown;

	if (need <= *capacity)
		return 0;
	while (cap < need)
		cap *= 2;
	if ((grown = realloc(*array, cap * size)) == NULL)
		return -1;
	*array = grown;
	*capacity = cap;
	return 0;
}

enum chunks_status
chunk_map_add(struct chunk_map *map, uint64_t start, uint64_t length,
    uint64_t type, uint64_t stripe_len, unsigned int n_stripes,
    unsigned int sub_stripes, const uint64_t *devids, const uint64_t *offsets)
{
	const struct chunk *last = map->n_chunks ?
	    &map->chunks[map->n_chunks - 1] : NULL;
	struct chunk *c;
	unsigned int i;

	if (((start | length | stripe_len) & SECTOR_MASK) || length == 0 ||
	    n_stripes == 0 || (last && start >> SECTOR_SHIFT <
	    last->start + last->len))
		return CHUNKS_MALFORMED;
	if ((type & STRIPED) && (stripe_len == 0 || sub_stripes == 0 ||
	    n_stripes % sub_stripes != 0))
		return CHUNKS_MALFORMED;
	for (i = 0; i < n_stripes; i++)
		if (offsets[i] & SECTOR_MASK)
			return CHUNKS_MALFORMED;
	if (grow((void **)&map->chunks, &map->chunk_capacity,
	    map->n_chunks + 1, sizeof(*map->chunks)) != 0 ||
	    grow((void **)&map->stripes, &map->stripe_capacity,
	    map->n_stripes + n_stripes, sizeof(*map->stripes)) != 0)
		return CHUNKS_NO_MEMORY;
	c = &map->chunks[map->n_chunks++];
	c->start = start >> SECTOR_SHIFT;
	c->len = length >> SECTOR_SHIFT;
	c->type = type;
	c->stripe_len = stripe_len >> SECTOR_SHIFT;
	c->n_stripes = n_stripes;
	c->sub_stripes = (type & BTRFS_BLOCK_GROUP_RAID10) ? sub_stripes : 1;
	c->first_stripe = map->n_stripes;
	for (i = 0; i < n_stripes; i++) {
		map->stripes[map->n_stripes].devid = devids[i];
		map->stripes[map->n_stripes++].offset = offsets[i] >> SECTOR_SHIFT;
	}
	return CHUNKS_OK;
}

/* The chunk holding logical sector at, or NULL. */
static const struct chunk *
chunk_at(const struct chunk_map *map, uint64_t at)
{
	size_t lo = 0, hi = map->n_chunks, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (map->chunks[mid].start + map->chunks[mid].len <= at)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == map->n_chunks || map->chunks[lo].start > at)
		return NULL;
	return &map->chunks[lo];
}

struct ranges {
	struct range *r;
	size_t n, capacity;
};

static int
emit(struct ranges *out, uint64_t start, uint64_t len)
{
	if (grow((void **)&out->r, &out->capacity, out->n + 1,
	    sizeof(*out->r)) != 0)
		return -1;
	out->r[out->n].start = start;
	out->r[out->n++].len = len;
	return 0;
}

/*
 * The part [from, from + len) of chunk c (offsets into it) on devid.  Of
 * a striped chunk, piece k of stripe_len goes to row k / per_row of the
 * stripes (per_row = n_stripes / sub_stripes), to the sub_stripes mirrors
 * that start at (k % per_row) * sub_stripes.
 */
static int
place(const struct chunk_map *map, const struct chunk *c, uint64_t devid,
    uint64_t from, uint64_t len, struct ranges *out)
{
	const struct chunk_stripe *s = &map->stripes[c->first_stripe];
	uint64_t piece, row, within, n, per_row;
	unsigned int i, first;

	if (!(c->type & STRIPED)) {
		for (i = 0; i < c->n_stripes; i++)
			if (s[i].devid == devid &&
			    emit(out, s[i].offset + from, len) != 0)
				return -1;
		return 0;
	}
	per_row = c->n_stripes / c->sub_stripes;
	for (; len > 0; from += n, len -= n) {
		piece = from / c->stripe_len;
		within = from % c->stripe_len;
		n = c->stripe_len - within < len ? c->stripe_len - within : len;
		row = piece / per_row;
		first = (unsigned int)(piece % per_row) * c->sub_stripes;
		for (i = first; i < first + c->sub_stripes; i++)
			if (s[i].devid == devid && emit(out, s[i].offset +
			    row * c->stripe_len + within, n) != 0)
				return -1;
	}
	return 0;
}

enum chunks_status
chunks_translate(const struct chunk_map *map, uint64_t devid,
    const struct range *in, size_t n_in, struct range **out, size_t *n_out)
{
	struct ranges got = { 0 };
	const struct chunk *c;
	uint64_t at, end, n;
	size_t i;

	for (i = 0; i < n_in; i++) {
		for (at = in[i].start, end = at + in[i].len; at < end; at += n) {
			if ((c = chunk_at(map, at)) == NULL) {
				free(got.r);
				return CHUNKS_UNMAPPED;
			}
			if (c->type & BTRFS_BLOCK_GROUP_RAID56_MASK) {
				free(got.r);
				return CHUNKS_PROFILE;
			}
			n = c->start + c->len - at < end - at ?
			    c->start + c->len - at : end - at;
			if (place(map, c, devid, at - c->start, n, &got) != 0) {
				free(got.r);
				return CHUNKS_NO_MEMORY;
			}
		}
	}
	*out = got.r;
	*n_out = got.n ? ranges_normalize(got.r, got.n) : 0;
	return CHUNKS_OK;
}

int
chunks_unhandled_data(const struct chunk_map *map)
{
	size_t i;

	for (i = 0; i < map->n_chunks; i++)
		if ((map->chunks[i].type & BTRFS_BLOCK_GROUP_DATA) &&
		    (map->chunks[i].type & BTRFS_BLOCK_GROUP_RAID56_MASK))
			return 1;
	return 0;
}

void
chunk_map_free(struct chunk_map *map)
{
	free(map->chunks);
	free(map->stripes);
	memset(map, 0, sizeof(*map));
}
