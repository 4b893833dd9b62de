/* The planner on hand-made layouts: what a file's changes do to its group. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "plan.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define LIST(type, ...) (const type[]){ __VA_ARGS__ }, \
	COUNT(((const type[]){ __VA_ARGS__ }))
#define IDS(...) LIST(uint64_t, __VA_ARGS__)
#define RANGES(...) LIST(struct range, __VA_ARGS__)
#define NOTHING NULL, 0
#define INPUT(mapped, regions) mapped, COUNT(mapped), regions, COUNT(regions)
#define UNCAPPED 1000

/*
 * The regions a plan leaves as they are: each id it does not delete,
 * ascending, a repeated id once.
 */
static size_t
survivors(const struct plan *p, const struct region *regions, size_t n,
    uint64_t *ids)
{
	size_t i, j, k, n_ids = 0;
	int left;

	for (i = 0; i < n; i++) {
		for (left = 1, j = 0; j < p->n_delete; j++)
			left &= p->delete_ids[j] != regions[i].id;
		for (j = 0; j < n_ids; j++)
			left &= ids[j] != regions[i].id;
		if (!left)
			continue;
		for (k = n_ids++; k > 0 && ids[k - 1] > regions[i].id; k--)
			ids[k] = ids[k - 1];
		ids[k] = regions[i].id;
	}
	return n_ids;
}

static void
expect_ids(const uint64_t *got, size_t n_got, const uint64_t *want,
    size_t n_want)
{
	size_t i;

	assert_int_equal(n_got, n_want);
	for (i = 0; i < n_want; i++)
		assert_int_equal(got[i], want[i]);
}

/* The plan keeps exactly the regions want (ascending ids, no copies). */
static void
expect_kept(const struct plan *p, const struct region *regions, size_t n,
    const uint64_t *want, size_t n_want)
{
	uint64_t left[64];

	assert_true(n <= 64);
	assert_int_equal(p->n_keep, n_want);
	expect_ids(left, survivors(p, regions, n, left), want, n_want);
}

/*
 * Plans as the daemon does, without heat first and again with it when
 * asked, and compares the plan with the one wanted.
 */
static void
expect_plan(const struct range *mapped, size_t n_mapped,
    const struct region *regions, size_t n_regions, unsigned cap,
    const uint64_t *keep, size_t n_keep, const uint64_t *del, size_t n_del,
    const struct range *create, size_t n_create)
{
	struct plan p;
	size_t i;

	if (plan_make(mapped, n_mapped, regions, n_regions, cap, HEAT_UNREAD,
	    &p) == PLAN_NEEDS_HEAT) {
		plan_free(&p);
		assert_int_equal(plan_make(mapped, n_mapped, regions, n_regions,
		    cap, HEAT_READ, &p), PLAN_OK);
	}
	expect_kept(&p, regions, n_regions, keep, n_keep);
	expect_ids(p.delete_ids, p.n_delete, del, n_del);
	assert_int_equal(p.n_create, n_create);
	for (i = 0; i < n_create; i++) {
		assert_int_equal(p.create[i].start, create[i].start);
		assert_int_equal(p.create[i].len, create[i].len);
	}
	assert_int_equal(p.n_heat, 0);
	plan_free(&p);
}

static void
expect_heat_ids(const struct range *mapped, size_t n_mapped,
    const struct region *regions, size_t n_regions, unsigned cap,
    const uint64_t *want, size_t n_want)
{
	struct plan p;

	assert_int_equal(plan_make(mapped, n_mapped, regions, n_regions, cap,
	    HEAT_UNREAD, &p), PLAN_NEEDS_HEAT);
	expect_ids(p.heat_ids, p.n_heat, want, n_want);
	assert_int_equal(p.n_keep + p.n_delete + p.n_create, 0);
	plan_free(&p);
}

static void
test_growth_at_tail(void **state)
{
	const struct range mapped[] = { { 100, 80 } };
	const struct region regions[] = { { 1, 100, 50, 0 } };

	(void)state;
	expect_plan(INPUT(mapped, regions), UNCAPPED, IDS(1), NOTHING,
	    RANGES({ 150, 30 }));
}

static void
test_growth_in_middle(void **state)
{
	const struct range mapped[] = { { 0, 10 }, { 20, 10 }, { 40, 10 } };
	const struct region regions[] = { { 1, 0, 10, 0 }, { 2, 40, 10, 0 } };

	(void)state;
	expect_plan(INPUT(mapped, regions), UNCAPPED, IDS(1, 2), NOTHING,
	    RANGES({ 20, 10 }));
}

static void
test_extents_merge(void **state)
{
	const struct range with_gap[] = { { 0, 30 } };
	const struct range back_to_back[] = { { 0, 20 } };
	const struct region apart[] = { { 1, 0, 10, 0 }, { 2, 20, 10, 0 } };
	const struct region touching[] = { { 1, 0, 10, 0 }, { 2, 10, 10, 0 } };

	(void)state;
	expect_plan(INPUT(with_gap, apart), UNCAPPED, IDS(1, 2), NOTHING,
	    RANGES({ 10, 10 }));
	expect_plan(INPUT(back_to_back, touching), UNCAPPED, IDS(1, 2),
	    NOTHING, NOTHING);
}

static void
test_hole_inside_region(void **state)
{
	const struct range mapped[] = { { 0, 40 }, { 60, 40 } };
	const struct region regions[] = { { 1, 0, 100, 0 } };

	(void)state;
	expect_plan(INPUT(mapped, regions), UNCAPPED, NOTHING, IDS(1),
	    RANGES({ 0, 40 }, { 60, 40 }));
}

static void
test_hole_between_regions(void **state)
{
	const struct range mapped[] = { { 0, 50 }, { 60, 40 } };
	const struct region regions[] = {
		{ 1, 0, 50, 0 }, { 2, 60, 40, 0 }, { 3, 50, 10, 0 },
	};

	(void)state;
	expect_plan(INPUT(mapped, regions), UNCAPPED, IDS(1, 2), IDS(3),
	    NOTHING);
}

static void
test_truncate(void **state)
{
	/* 3 reaches one sector past the new end. */
	const struct range mapped[] = { { 0, 119 } };
	const struct region regions[] = {
		{ 1, 0, 40, 0 }, { 2, 40, 40, 0 }, { 3, 80, 40, 0 },
		{ 4, 120, 40, 0 },
	};

	(void)state;
	expect_plan(INPUT(mapped, regions), UNCAPPED, IDS(1, 2), IDS(3, 4),
	    RANGES({ 80, 39 }));
}

static void
test_rewritten_elsewhere(void **state)
{
	const struct range mapped[] = { { 1000, 20 }, { 2000, 5 } };
	const struct region regions[] = { { 1, 0, 10, 0 }, { 2, 10, 10, 0 } };

	(void)state;
	expect_plan(INPUT(mapped, regions), UNCAPPED, NOTHING, IDS(1, 2),
	    RANGES({ 1000, 20 }, { 2000, 5 }));
}

static void
test_nothing_mapped(void **state)
{
	const struct region regions[] = { { 7, 0, 10, 0 }, { 3, 50, 10, 0 } };

	(void)state;
	expect_plan(NULL, 0, regions, COUNT(regions), UNCAPPED, NOTHING,
	    IDS(3, 7), NOTHING);
	expect_plan(NULL, 0, NULL, 0, UNCAPPED, NOTHING, NOTHING, NOTHING);
}

static void
test_no_regions(void **state)
{
	const struct range mapped[] = { { 0, 8 }, { 16, 8 }, { 100, 1 } };

	(void)state;
	expect_plan(mapped, COUNT(mapped), NULL, 0, UNCAPPED, NOTHING, NOTHING,
	    RANGES({ 0, 8 }, { 16, 8 }, { 100, 1 }));
}

static void
test_overlapping_regions(void **state)
{
	/*
	 * 5 and 9 start together: the lower id wins, though it is longer.
	 * 11 shares a single sector with 5.
	 */
	const struct range mapped[] = { { 0, 40 } };
	const struct region regions[] = {
		{ 9, 0, 5, 0 }, { 3, 10, 20, 0 }, { 7, 30, 10, 0 },
		{ 5, 0, 20, 0 }, { 11, 19, 5, 0 },
	};

	(void)state;
	expect_plan(INPUT(mapped, regions), UNCAPPED, IDS(5, 7), IDS(3, 9, 11),
	    RANGES({ 20, 10 }));
}

static void
test_region_across_gap(void **state)
{
	const struct range mapped[] = { { 0, 10 }, { 20, 10 } };
	const struct region regions[] = { { 1, 0, 30, 0 }, { 2, 5, 20, 0 } };

	(void)state;
	expect_plan(INPUT(mapped, regions), UNCAPPED, NOTHING, IDS(1, 2),
	    RANGES({ 0, 10 }, { 20, 10 }));
}

static void
test_region_partly_before(void **state)
{
	const struct range mapped[] = { { 10, 20 } };
	const struct region regions[] = { { 1, 0, 20, 0 } };

	(void)state;
	expect_plan(INPUT(mapped, regions), UNCAPPED, NOTHING, IDS(1),
	    RANGES({ 10, 20 }));
}

static void
test_ids_in_any_order(void **state)
{
	/* Ids run against the starts; the answer is still by id and start. */
	const struct range mapped[] = { { 0, 25 }, { 40, 10 } };
	const struct region regions[] = {
		{ 10, 20, 10, 0 }, { 30, 0, 10, 0 }, { 20, 10, 10, 0 },
		{ 5, 40, 10, 0 },
	};

	(void)state;
	expect_plan(INPUT(mapped, regions), UNCAPPED, IDS(5, 20, 30), IDS(10),
	    RANGES({ 20, 5 }));
}

static void
test_repeated_and_empty(void **state)
{
	/* 4 is named twice alike, 6 twice at odds: nobody knows where it is. */
	const struct range mapped[] = { { 0, 40 } };
	const struct region regions[] = {
		{ 4, 0, 10, 0 }, { 6, 20, 10, 0 }, { 4, 0, 10, 0 },
		{ 6, 30, 10, 0 }, { 8, 10, 0, 0 }, { 9, 10, 10, 0 },
	};

	(void)state;
	expect_plan(INPUT(mapped, regions), UNCAPPED, IDS(4, 9), IDS(6, 8),
	    RANGES({ 20, 20 }));
}

static void
test_no_memory(void **state)
{
	const struct range mapped[] = { { 0, 40 } };
	const struct region regions[] = { { 1, 0, 10, 0 } };
	struct plan p;

	(void)state;
	/*
	 * No copy of that many regions can be made; nothing must be left.
	 * (AddressSanitizer needs allocator_may_return_null=1 for this.)
	 */
	assert_int_equal(plan_make(mapped, 1, regions, SIZE_MAX / 4, 1,
	    HEAT_READ, &p), PLAN_NO_MEMORY);
	assert_null(p.delete_ids);
	assert_null(p.create);
	assert_null(p.heat_ids);
	assert_int_equal(p.n_delete + p.n_create + p.n_keep + p.n_heat, 0);
}

/*
 * Range 0: 1 [0,10) gap 2 [20,30) gap 3 [50,60) gap [60,100): six pieces.
 * Range 1: 4 alone.
 */
static const struct range cap_mapped[] = { { 0, 100 }, { 200, 10 } };

static void
test_cap_asks_for_heat(void **state)
{
	const struct region regions[] = {
		{ 3, 50, 10, 0 }, { 1, 0, 10, 0 }, { 4, 200, 10, 0 },
		{ 2, 20, 10, 0 },
	};

	(void)state;
	expect_heat_ids(INPUT(cap_mapped, regions), 3, IDS(1, 2, 3));
	/* Six pieces fit a cap of six: no heat needed, nothing lost. */
	expect_plan(INPUT(cap_mapped, regions), 6, IDS(1, 2, 3, 4), NOTHING,
	    RANGES({ 10, 10 }, { 30, 20 }, { 60, 40 }));
}

static void
test_cap_merges_coldest(void **state)
{
	/*
	 * Six pieces, one past a cap of five, go down to three.  2 and the
	 * gap before it are coldest (5); the merged piece is new, so it takes
	 * the gap after it at no cost; then [10,50) and 3 tie with 3 and the
	 * tail gap on heat and length, and start first.
	 */
	const struct region regions[] = {
		{ 3, 50, 10, 50 }, { 1, 0, 10, 100 }, { 4, 200, 10, 1 },
		{ 2, 20, 10, 5 },
	};

	(void)state;
	expect_plan(INPUT(cap_mapped, regions), 5, IDS(1, 4), IDS(2, 3),
	    RANGES({ 10, 50 }, { 60, 40 }));
}

static void
test_cap_pair_heat(void **state)
{
	/*
	 * A pair weighs what both its pieces do: 1+2 = 10, 2+3 = 12,
	 * 3+4 = 10, and the tie goes to the lower start.  The new piece and 3
	 * (9) then go before 3+4, leaving two pieces under a cap of three.
	 */
	const struct range mapped[] = { { 0, 40 } };
	const struct region regions[] = {
		{ 4, 30, 10, 1 }, { 3, 20, 10, 9 }, { 2, 10, 10, 3 },
		{ 1, 0, 10, 7 },
	};

	(void)state;
	expect_plan(INPUT(mapped, regions), 3, IDS(4), IDS(1, 2, 3),
	    RANGES({ 0, 30 }));
}

static void
test_cap_merged_piece_is_cold(void **state)
{
	/*
	 * 1+2 (5) merge first.  The new piece has no counters, so it and 3
	 * weigh 9 and go before 3+4 (10), though 1 alone was warm.
	 */
	const struct range mapped[] = { { 0, 40 } };
	const struct region regions[] = {
		{ 1, 0, 10, 5 }, { 2, 10, 10, 0 }, { 3, 20, 10, 9 },
		{ 4, 30, 10, 1 },
	};

	(void)state;
	expect_plan(INPUT(mapped, regions), 3, IDS(4), IDS(1, 2, 3),
	    RANGES({ 0, 30 }));
}

static void
test_cap_length_breaks_ties(void **state)
{
	/*
	 * 1+2, 2+3 and 3 with the tail gap all weigh 2; 2+3 is the shortest
	 * and goes though it starts later.  The new piece then takes the gap
	 * at no cost, and 1 stays.
	 */
	const struct range mapped[] = { { 0, 45 } };
	const struct region regions[] = {
		{ 1, 0, 20, 2 }, { 2, 20, 5, 0 }, { 3, 25, 10, 2 },
	};

	(void)state;
	expect_plan(INPUT(mapped, regions), 3, IDS(1), IDS(2, 3),
	    RANGES({ 20, 25 }));
}

static void
test_cap_merges_to_half(void **state)
{
	/*
	 * Five pieces fit a cap of five: no heat is asked for, nothing goes.
	 * One past a cap of four, they go down to two: 2+3 (7), the new
	 * piece and 4 (2), then 1 and the new piece (8) before it and 5 (9).
	 */
	const struct range mapped[] = { { 0, 50 } };
	const struct region regions[] = {
		{ 1, 0, 10, 8 }, { 2, 10, 10, 1 }, { 3, 20, 10, 6 },
		{ 4, 30, 10, 2 }, { 5, 40, 10, 9 },
	};
	struct plan p;

	(void)state;
	assert_int_equal(plan_make(INPUT(mapped, regions), 5, HEAT_UNREAD, &p),
	    PLAN_OK);
	expect_kept(&p, regions, COUNT(regions), IDS(1, 2, 3, 4, 5));
	assert_int_equal(p.n_delete + p.n_create + p.n_heat, 0);
	plan_free(&p);
	expect_heat_ids(INPUT(mapped, regions), 4, IDS(1, 2, 3, 4, 5));
	expect_plan(INPUT(mapped, regions), 4, IDS(5), IDS(1, 2, 3, 4),
	    RANGES({ 0, 40 }));
}

/* Carries a plan out on a group: what it keeps stays, what it creates joins. */
static size_t
carry_out(const struct plan *p, struct region *regions, size_t n,
    uint64_t *next_id)
{
	uint64_t left[64];
	size_t i, j, n_left = survivors(p, regions, n, left), kept = 0;

	assert_true(n <= 64);
	for (i = 0; i < n; i++)
		for (j = 0; j < n_left; j++)
			if (regions[i].id == left[j])
				regions[kept++] = regions[i];
	for (i = 0; i < p->n_create; i++, kept++) {
		regions[kept].id = (*next_id)++;
		regions[kept].start = p->create[i].start;
		regions[kept].len = p->create[i].len;
		regions[kept].heat = 0;
	}
	return kept;
}

/*
 * A file appended to grows its one extent by a piece each time.  Under a
 * cap of four, the fifth piece brings it down to two, and only every third
 * growth after that asks for heat again.
 */
static void
test_cap_growth_merges_rarely(void **state)
{
	struct region regions[5];
	struct range mapped = { 0, 0 };
	struct plan p;
	size_t n = 0;
	uint64_t next_id = 1;
	int step, merges = 0;

	(void)state;
	for (step = 1; step <= 14; step++) {
		mapped.len += 10;
		if (plan_make(&mapped, 1, regions, n, 4, HEAT_UNREAD, &p) ==
		    PLAN_NEEDS_HEAT) {
			merges++;
			plan_free(&p);
			assert_int_equal(plan_make(&mapped, 1, regions, n, 4,
			    HEAT_READ, &p), PLAN_OK);
			assert_int_equal(p.n_keep + p.n_create, 2);
		}
		n = carry_out(&p, regions, n, &next_id);
		plan_free(&p);
	}
	/* Steps 5, 8, 11 and 14; merging back to the cap would take ten. */
	assert_int_equal(merges, 4);
}

static void
test_cap_one(void **state)
{
	const struct range mapped[] = { { 0, 30 }, { 40, 10 } };
	const struct region regions[] = {
		{ 1, 0, 10, 9 }, { 2, 20, 10, 1 }, { 3, 40, 5, 0 },
	};

	(void)state;
	expect_heat_ids(INPUT(mapped, regions), 1, IDS(1, 2, 3));
	expect_plan(INPUT(mapped, regions), 1, NOTHING, IDS(1, 2, 3),
	    RANGES({ 0, 30 }, { 40, 10 }));
	/* A cap of 0 is taken as 1. */
	expect_plan(INPUT(mapped, regions), 0, NOTHING, IDS(1, 2, 3),
	    RANGES({ 0, 30 }, { 40, 10 }));
}

static void
test_heat_known_below_cap(void **state)
{
	const struct range mapped[] = { { 0, 30 } };
	const struct region regions[] = { { 1, 0, 10, 7 }, { 2, 20, 10, 0 } };
	struct plan p;

	(void)state;
	assert_int_equal(plan_make(INPUT(mapped, regions), 3, HEAT_READ, &p),
	    PLAN_OK);
	expect_kept(&p, regions, COUNT(regions), IDS(1, 2));
	assert_int_equal(p.n_delete + p.n_heat, 0);
	assert_int_equal(p.n_create, 1);
	plan_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_growth_at_tail),
		cmocka_unit_test(test_growth_in_middle),
		cmocka_unit_test(test_extents_merge),
		cmocka_unit_test(test_hole_inside_region),
		cmocka_unit_test(test_hole_between_regions),
		cmocka_unit_test(test_truncate),
		cmocka_unit_test(test_rewritten_elsewhere),
		cmocka_unit_test(test_nothing_mapped),
		cmocka_unit_test(test_no_regions),
		cmocka_unit_test(test_overlapping_regions),
		cmocka_unit_test(test_region_across_gap),
		cmocka_unit_test(test_region_partly_before),
		cmocka_unit_test(test_ids_in_any_order),
		cmocka_unit_test(test_repeated_and_empty),
		cmocka_unit_test(test_no_memory),
		cmocka_unit_test(test_cap_asks_for_heat),
		cmocka_unit_test(test_cap_merges_coldest),
		cmocka_unit_test(test_cap_pair_heat),
		cmocka_unit_test(test_cap_merged_piece_is_cold),
		cmocka_unit_test(test_cap_length_breaks_ties),
		cmocka_unit_test(test_cap_merges_to_half),
		cmocka_unit_test(test_cap_growth_merges_rarely),
		cmocka_unit_test(test_cap_one),
		cmocka_unit_test(test_heat_known_below_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
