/* Normalizing and comparing device ranges. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "extents.h"
#include "table.h"

#define RANGES(...) (const struct range[]){ __VA_ARGS__ }, \
	COUNT(((const struct range[]){ __VA_ARGS__ }))
#define NOTHING NULL, 0
#define MOST 8

/* Ranges in, the normalized ranges out. */
static const struct normalize_case {
	const char *name;
	const struct range *in;
	size_t n_in;
	const struct range *out;
	size_t n_out;
} normalizes[] = {
	{ "sorts_unsorted", RANGES({ 300, 10 }, { 100, 5 }, { 200, 1 }),
	  RANGES({ 100, 5 }, { 200, 1 }, { 300, 10 }) },
	{ "merges_overlapping", RANGES({ 10, 10 }, { 0, 15 }, { 18, 7 }),
	  RANGES({ 0, 25 }) },
	/* A file's logical extents that lie back to back on the device. */
	{ "merges_touching", RANGES({ 8, 8 }, { 0, 8 }, { 16, 4 }, { 21, 1 }),
	  RANGES({ 0, 20 }, { 21, 1 }) },
	{ "merges_contained",
	  RANGES({ 5, 2 }, { 0, 100 }, { 50, 50 }, { 99, 1 }),
	  RANGES({ 0, 100 }) },
	/* An empty range between two others must not join them. */
	{ "drops_zero_length",
	  RANGES({ 20, 5 }, { 10, 0 }, { 0, 5 }, { 5, 0 }, { 7, 0 }),
	  RANGES({ 0, 5 }, { 20, 5 }) },
	{ "only_zero_length", RANGES({ 3, 0 }, { 1, 0 }), NOTHING },
	{ "empty_input", NOTHING, NOTHING },
	{ "large_sectors",
	  RANGES({ UINT64_MAX - 10, 10 }, { UINT64_MAX - 20, 10 }),
	  RANGES({ UINT64_MAX - 20, 20 }) },
};

/* Two ranges, the same two elsewhere, and two that differ from them. */
static const struct range a[] = { { 0, 5 }, { 10, 5 } };
static const struct range same[] = { { 0, 5 }, { 10, 5 } };
static const struct range longer[] = { { 0, 5 }, { 10, 6 } };
static const struct range moved[] = { { 1, 5 }, { 10, 5 } };

/* Whether n_a ranges at a are the n_b at b. */
static const struct equal_case {
	const char *name;
	const struct range *a;
	size_t n_a;
	const struct range *b;
	size_t n_b;
	bool equal;
} equals[] = {
	{ "same", a, 2, same, 2, true },
	{ "none", NULL, 0, NULL, 0, true },
	{ "none_of_either", a, 0, same, 0, true },
	{ "fewer", a, 2, same, 1, false },
	{ "more", a, 1, same, 2, false },
	{ "longer", a, 2, longer, 2, false },
	{ "moved", a, 2, moved, 2, false },
	{ "against_none", a, 2, NULL, 0, false },
};

/* Normalizes a copy of the ranges in; NULL stays NULL. */
static void
run_normalize_case(void **state)
{
	const struct normalize_case *c = *state;
	struct range copy[MOST];
	size_t i, n;

	assert_true(c->n_in <= MOST);
	if (c->n_in > 0)
		memcpy(copy, c->in, c->n_in * sizeof(*copy));
	n = ranges_normalize(c->in ? copy : NULL, c->n_in);
	assert_int_equal(n, c->n_out);
	for (i = 0; i < c->n_out; i++) {
		assert_int_equal(copy[i].start, c->out[i].start);
		assert_int_equal(copy[i].len, c->out[i].len);
	}
}

static void
run_equal_case(void **state)
{
	const struct equal_case *c = *state;

	assert_int_equal(ranges_equal(c->a, c->n_a, c->b, c->n_b) != 0,
	    c->equal);
}

int
main(void)
{
	static const struct table tables[] = {
		TABLE("normalize", normalizes, run_normalize_case),
		TABLE("equal", equals, run_equal_case),
	};

	return run_with_tables(NULL, 0, tables, COUNT(tables));
}
