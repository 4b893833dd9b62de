/*
 * btrfs logical addresses to device ranges (chunks.c): each profile on
 * hand-worked cases, and striped profiles against a sector-by-sector
 * reading of the same layout.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <linux/btrfs_tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunks.h"
#include "table.h"

#define MIB (1024 * 1024)
#define SECTORS(bytes) ((uint64_t)(bytes) >> SECTOR_SHIFT)
#define STRIPE (64 * 1024)

#define DATA BTRFS_BLOCK_GROUP_DATA
#define PIECE SECTORS(STRIPE)
#define LAYOUT(chunks) (chunks), COUNT(chunks)

/* A chunk as the chunk tree gives it: stripes of STRIPE bytes. */
struct tree_chunk {
	uint64_t start, length, type;
	unsigned int n_stripes, sub_stripes;
	uint64_t devids[3], offsets[3];
};

static const struct tree_chunk single_and_dup[] = {
	{ 13 * MIB, 8 * MIB, DATA, 1, 1, { 1 }, { 13 * MIB } },
	{ 1024 * MIB, 8 * MIB, DATA | BTRFS_BLOCK_GROUP_DUP, 2, 1, { 1, 1 },
	  { 100 * MIB, 300 * MIB } },
};
static const struct tree_chunk side_by_side[] = {
	{ 0, MIB, DATA, 1, 1, { 1 }, { 500 * MIB } },
	{ MIB, MIB, DATA, 1, 1, { 1 }, { 40 * MIB } },
};
static const struct tree_chunk raid1[] = {
	{ 200 * MIB, 32 * MIB, DATA | BTRFS_BLOCK_GROUP_RAID1, 2, 1, { 1, 2 },
	  { 10 * MIB, 70 * MIB } },
};
/* RAID0 over two devices: pieces 0, 2, 4 on the first, 1, 3 on the second. */
static const struct tree_chunk raid0[] = {
	{ 100 * MIB, 64 * MIB, DATA | BTRFS_BLOCK_GROUP_RAID0, 2, 1, { 1, 2 },
	  { 10 * MIB, 30 * MIB } },
};
static const struct tree_chunk raid5[] = {
	{ 0, MIB, DATA | BTRFS_BLOCK_GROUP_RAID5, 3, 1, { 1, 2, 3 }, { 0 } },
};

/* One logical range (sectors) of a layout, as ranges on device devid. */
static const struct translate_case {
	const char *name;
	const struct tree_chunk *chunks;
	size_t n_chunks;
	uint64_t devid, start, len;
	enum chunks_status status;
	const char *ranges;	/* "start+len ...", in device order */
	bool unhandled;		/* a data profile it cannot follow */
} translates[] = {
	/* single: the same offset, on its one device */
	{ "single", LAYOUT(single_and_dup), 1, SECTORS(14 * MIB), 16,
	  CHUNKS_OK, "28672+16", false },
	{ "single_on_another_device", LAYOUT(single_and_dup), 2,
	  SECTORS(14 * MIB), 16, CHUNKS_OK, "", false },
	/* DUP: both copies, in device order */
	{ "dup", LAYOUT(single_and_dup), 1, SECTORS(1025 * MIB), 8, CHUNKS_OK,
	  "206848+8 616448+8", false },
	/* Past the single chunk's end: no chunk holds it. */
	{ "past_the_chunk", LAYOUT(single_and_dup), 1, SECTORS(21 * MIB) - 8,
	  16, CHUNKS_UNMAPPED, "", false },
	{ "across_chunks", LAYOUT(side_by_side), 1, SECTORS(MIB) - 4, 8,
	  CHUNKS_OK, "81920+4 1026044+4", false },
	{ "raid1_this_device_only", LAYOUT(raid1), 2, SECTORS(201 * MIB), 100,
	  CHUNKS_OK, "145408+100", false },
	{ "raid1_the_other_device", LAYOUT(raid1), 1, SECTORS(201 * MIB), 100,
	  CHUNKS_OK, "22528+100", false },
	/* Half of piece 0, pieces 1 to 3, a quarter of piece 4. */
	{ "raid0_first_device", LAYOUT(raid0), 1,
	  SECTORS(100 * MIB) + PIECE / 2, PIECE / 2 + 3 * PIECE + PIECE / 4,
	  CHUNKS_OK, "20544+224", false },
	{ "raid0_second_device", LAYOUT(raid0), 2,
	  SECTORS(100 * MIB) + PIECE / 2, PIECE / 2 + 3 * PIECE + PIECE / 4,
	  CHUNKS_OK, "61440+256", false },
	{ "raid5_refused", LAYOUT(raid5), 1, 0, 8, CHUNKS_PROFILE, "", true },
};

/* A chunk refused beside the RAID5 one. */
static const struct refusal_case {
	const char *name;
	struct tree_chunk chunk;
} refusals[] = {
	{ "overlapping", { MIB / 2, MIB, 0, 1, 1, { 1 }, { 0 } } },
	{ "misaligned", { 2 * MIB, MIB, 0, 1, 1, { 1 }, { 100 } } },
	{ "stripeless", { 2 * MIB, MIB, 0, 0, 1, { 1 }, { 0 } } },
	{ "raid10_odd_stripes", { 2 * MIB, MIB, BTRFS_BLOCK_GROUP_RAID10, 3, 2,
	  { 1, 2, 3 }, { 0 } } },
};

static enum chunks_status
add(struct chunk_map *m, const struct tree_chunk *c)
{
	return chunk_map_add(m, c->start, c->length, c->type, STRIPE,
	    c->n_stripes, c->sub_stripes, c->devids, c->offsets);
}

static void
build(struct chunk_map *m, const struct tree_chunk *chunks, size_t n)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < n; i++)
		assert_int_equal(add(m, &chunks[i]), CHUNKS_OK);
}

static void
run_translate_case(void **state)
{
	const struct translate_case *c = *state;
	struct range in = { c->start, c->len }, *out = NULL;
	struct chunk_map m;
	char text[256] = "";
	size_t n = 0, i, used = 0;

	build(&m, c->chunks, c->n_chunks);
	assert_int_equal(chunks_translate(&m, c->devid, &in, 1, &out, &n),
	    c->status);
	for (i = 0; i < n; i++)
		used += (size_t)snprintf(text + used, sizeof(text) - used,
		    "%s%llu+%llu", i ? " " : "",
		    (unsigned long long)out[i].start,
		    (unsigned long long)out[i].len);
	free(out);
	assert_string_equal(text, c->ranges);
	assert_int_equal(chunks_unhandled_data(&m) != 0, c->unhandled);
	chunk_map_free(&m);
}

static void
run_refusal_case(void **state)
{
	const struct refusal_case *c = *state;
	struct chunk_map m;

	build(&m, raid5, COUNT(raid5));
	assert_int_equal(add(&m, &c->chunk), CHUNKS_MALFORMED);
	chunk_map_free(&m);
}

/*
 * Where btrfs puts one logical sector x of a striped chunk, on the device
 * of stripe index i: the piece's row on that stripe.  Returns 1 when the
 * stripe i holds x.
 */
static int
sector_on(uint64_t x, unsigned n, unsigned sub, uint64_t piece, unsigned i,
    uint64_t offset, uint64_t *at)
{
	uint64_t k = x / piece, per_row = n / sub;

	if (k % per_row != i / sub)
		return 0;
	*at = offset + (k / per_row) * piece + x % piece;
	return 1;
}

/* RAID0 and RAID10, random ranges: the ranges are the sectors, sector by sector. */
static void
test_striped_against_sectors(void **state)
{
	static const struct { uint64_t type; unsigned n, sub; } layouts[] = {
		{ BTRFS_BLOCK_GROUP_RAID0, 3, 1 },
		{ BTRFS_BLOCK_GROUP_RAID10, 4, 2 },
		{ BTRFS_BLOCK_GROUP_RAID10, 6, 2 },
	};
	uint64_t devs[6] = { 1, 2, 1, 3, 2, 3 }, at[6], piece = SECTORS(STRIPE);
	uint64_t len = SECTORS(16 * MIB), x, start, n, got, devid, on;
	unsigned char *want;
	struct chunk_map m;
	struct range in, *out;
	size_t l, k, i, n_out;
	unsigned s;

	(void)state;
	srand(7);
	for (l = 0; l < sizeof(layouts) / sizeof(layouts[0]); l++) {
		memset(&m, 0, sizeof(m));
		for (s = 0; s < layouts[l].n; s++)
			at[s] = (uint64_t)(s * 40 + 8) * MIB;
		assert_int_equal(chunk_map_add(&m, 64 * MIB, 16 * MIB,
		    BTRFS_BLOCK_GROUP_DATA | layouts[l].type, STRIPE,
		    layouts[l].n, layouts[l].sub, devs, at), CHUNKS_OK);
		want = calloc(SECTORS(400 * MIB), 1);
		assert_non_null(want);
		for (k = 0; k < 40; k++) {
			devid = 1 + (uint64_t)(rand() % 3);
			start = (uint64_t)rand() % len;
			n = 1 + (uint64_t)rand() % (len - start);
			memset(want, 0, SECTORS(400 * MIB));
			for (x = start; x < start + n; x++)
				for (s = 0; s < layouts[l].n; s++)
					if (devs[s] == devid && sector_on(x,
					    layouts[l].n, layouts[l].sub, piece,
					    s, SECTORS(at[s]), &on))
						want[on] = 1;
			in.start = SECTORS(64 * MIB) + start;
			in.len = n;
			assert_int_equal(chunks_translate(&m, devid, &in, 1,
			    &out, &n_out), CHUNKS_OK);
			got = 0;
			for (i = 0; i < n_out; i++) {
				if (i > 0)
					assert_true(out[i].start >
					    out[i - 1].start + out[i - 1].len);
				for (x = out[i].start; x < out[i].start +
				    out[i].len; x++) {
					assert_true(want[x]);
					got++;
				}
			}
			for (x = 0, on = 0; x < SECTORS(400 * MIB); x++)
				on += want[x];
			assert_int_equal(got, on);
			free(out);
		}
		free(want);
		chunk_map_free(&m);
	}
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_striped_against_sectors),
	};
	static const struct table tables[] = {
		TABLE("translate", translates, run_translate_case),
		TABLE("refused", refusals, run_refusal_case),
	};

	return run_with_tables(tests, COUNT(tests), tables, COUNT(tables));
}
