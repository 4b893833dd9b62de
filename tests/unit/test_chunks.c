/*
 * btrfs logical addresses to device ranges (chunks.c): each profile on
 * hand-worked cases, and striped profiles against a sector-by-sector
 * reading of the same layout.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <linux/btrfs_tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunks.h"

#define MIB (1024 * 1024)
#define SECTORS(bytes) ((uint64_t)(bytes) >> SECTOR_SHIFT)
#define STRIPE (64 * 1024)

/* Translates one logical range (sectors) for devid into out, as "start+len ..." text. */
static enum chunks_status
translate(const struct chunk_map *m, uint64_t devid, uint64_t start,
    uint64_t len, char *text, size_t size)
{
	struct range in = { start, len }, *out = NULL;
	size_t n = 0, i, used = 0;
	enum chunks_status st = chunks_translate(m, devid, &in, 1, &out, &n);

	text[0] = '\0';
	for (i = 0; i < n; i++)
		used += (size_t)snprintf(text + used, size - used, "%s%llu+%llu",
		    i ? " " : "", (unsigned long long)out[i].start,
		    (unsigned long long)out[i].len);
	free(out);
	return st;
}

static void
test_single_and_dup(void **state)
{
	struct chunk_map m = { 0 };
	uint64_t one[] = { 1 }, ones[] = { 1, 1 };
	uint64_t at[] = { 13 * MIB }, dup[] = { 100 * MIB, 300 * MIB };
	char text[256];

	(void)state;
	assert_int_equal(chunk_map_add(&m, 13 * MIB, 8 * MIB,
	    BTRFS_BLOCK_GROUP_DATA, STRIPE, 1, 1, one, at), CHUNKS_OK);
	assert_int_equal(chunk_map_add(&m, 1024 * MIB, 8 * MIB,
	    BTRFS_BLOCK_GROUP_DATA | BTRFS_BLOCK_GROUP_DUP, STRIPE, 2, 1, ones,
	    dup), CHUNKS_OK);
	/* single: the same offset, on its one device */
	assert_int_equal(translate(&m, 1, SECTORS(14 * MIB), 16, text,
	    sizeof(text)), CHUNKS_OK);
	assert_string_equal(text, "28672+16");
	assert_int_equal(translate(&m, 2, SECTORS(14 * MIB), 16, text,
	    sizeof(text)), CHUNKS_OK);
	assert_string_equal(text, "");
	/* DUP: both copies, in device order */
	assert_int_equal(translate(&m, 1, SECTORS(1025 * MIB), 8, text,
	    sizeof(text)), CHUNKS_OK);
	assert_string_equal(text, "206848+8 616448+8");
	/* Past the single chunk's end: no chunk holds it. */
	assert_int_equal(translate(&m, 1, SECTORS(21 * MIB) - 8, 16, text,
	    sizeof(text)), CHUNKS_UNMAPPED);
	assert_false(chunks_unhandled_data(&m));
	chunk_map_free(&m);
}

static void
test_range_across_chunks(void **state)
{
	struct chunk_map m = { 0 };
	uint64_t one[] = { 1 }, a[] = { 500 * MIB }, b[] = { 40 * MIB };
	char text[256];

	(void)state;
	assert_int_equal(chunk_map_add(&m, 0, MIB, BTRFS_BLOCK_GROUP_DATA,
	    STRIPE, 1, 1, one, a), CHUNKS_OK);
	assert_int_equal(chunk_map_add(&m, MIB, MIB, BTRFS_BLOCK_GROUP_DATA,
	    STRIPE, 1, 1, one, b), CHUNKS_OK);
	assert_int_equal(translate(&m, 1, SECTORS(MIB) - 4, 8, text,
	    sizeof(text)), CHUNKS_OK);
	assert_string_equal(text, "81920+4 1026044+4");
	chunk_map_free(&m);
}

static void
test_raid1_only_this_device(void **state)
{
	struct chunk_map m = { 0 };
	uint64_t devs[] = { 1, 2 }, at[] = { 10 * MIB, 70 * MIB };
	char text[256];

	(void)state;
	assert_int_equal(chunk_map_add(&m, 200 * MIB, 32 * MIB,
	    BTRFS_BLOCK_GROUP_DATA | BTRFS_BLOCK_GROUP_RAID1, STRIPE, 2, 1, devs,
	    at), CHUNKS_OK);
	assert_int_equal(translate(&m, 2, SECTORS(201 * MIB), 100, text,
	    sizeof(text)), CHUNKS_OK);
	assert_string_equal(text, "145408+100");
	assert_int_equal(translate(&m, 1, SECTORS(201 * MIB), 100, text,
	    sizeof(text)), CHUNKS_OK);
	assert_string_equal(text, "22528+100");
	chunk_map_free(&m);
}

/* RAID0 over two devices: pieces 0, 2, 4 on the first, 1, 3 on the second. */
static void
test_raid0_pieces(void **state)
{
	struct chunk_map m = { 0 };
	uint64_t devs[] = { 1, 2 }, at[] = { 10 * MIB, 30 * MIB };
	uint64_t piece = SECTORS(STRIPE);
	char text[256];

	(void)state;
	assert_int_equal(chunk_map_add(&m, 100 * MIB, 64 * MIB,
	    BTRFS_BLOCK_GROUP_DATA | BTRFS_BLOCK_GROUP_RAID0, STRIPE, 2, 1,
	    devs, at), CHUNKS_OK);
	/* Half of piece 0, pieces 1 to 3, a quarter of piece 4. */
	assert_int_equal(translate(&m, 1, SECTORS(100 * MIB) + piece / 2,
	    piece / 2 + 3 * piece + piece / 4, text, sizeof(text)), CHUNKS_OK);
	assert_string_equal(text, "20544+224");
	assert_int_equal(translate(&m, 2, SECTORS(100 * MIB) + piece / 2,
	    piece / 2 + 3 * piece + piece / 4, text, sizeof(text)), CHUNKS_OK);
	assert_string_equal(text, "61440+256");
	chunk_map_free(&m);
}

static void
test_refused(void **state)
{
	struct chunk_map m = { 0 };
	uint64_t devs[] = { 1, 2, 3 }, at[] = { 0, 0, 0 }, odd[] = { 100 };
	char text[64];

	(void)state;
	assert_int_equal(chunk_map_add(&m, 0, MIB, BTRFS_BLOCK_GROUP_DATA |
	    BTRFS_BLOCK_GROUP_RAID5, STRIPE, 3, 1, devs, at), CHUNKS_OK);
	assert_true(chunks_unhandled_data(&m));
	assert_int_equal(translate(&m, 1, 0, 8, text, sizeof(text)),
	    CHUNKS_PROFILE);
	/* Overlapping the last chunk, misaligned, stripeless. */
	assert_int_equal(chunk_map_add(&m, MIB / 2, MIB, 0, STRIPE, 1, 1, devs,
	    at), CHUNKS_MALFORMED);
	assert_int_equal(chunk_map_add(&m, 2 * MIB, MIB, 0, STRIPE, 1, 1, devs,
	    odd), CHUNKS_MALFORMED);
	assert_int_equal(chunk_map_add(&m, 2 * MIB, MIB, 0, STRIPE, 0, 1, devs,
	    at), CHUNKS_MALFORMED);
	assert_int_equal(chunk_map_add(&m, 2 * MIB, MIB,
	    BTRFS_BLOCK_GROUP_RAID10, STRIPE, 3, 2, devs, at), CHUNKS_MALFORMED);
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
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_and_dup),
		cmocka_unit_test(test_range_across_chunks),
		cmocka_unit_test(test_raid1_only_this_device),
		cmocka_unit_test(test_raid0_pieces),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_striped_against_sectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
