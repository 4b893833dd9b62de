/* The planner on hand-made layouts: what a file's changes do to its group. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "plan.h"
#include "table.h"

#define LIST(type, ...) (const type[]){ __VA_ARGS__ }, \
	COUNT(((const type[]){ __VA_ARGS__ }))
#define IDS(...) LIST(uint64_t, __VA_ARGS__)
#define RANGES(...) LIST(struct range, __VA_ARGS__)
#define REGIONS(...) LIST(struct region, __VA_ARGS__)
#define NOTHING NULL, 0
#define UNCAPPED 1000

/* The file's device ranges, the group's regions, and the cap on them. */
struct layout {
	const struct range *mapped;
	size_t n_mapped;
	const struct region *regions;
	size_t n_regions;
	unsigned cap;
};

/* The plan for a layout, once the heat it asks for (if any) is read. */
struct plan_case {
	const char *name;
	struct layout in;
	enum heat heat;		/* HEAT_READ: known before the first plan */
	const uint64_t *keep;	/* ascending */
	size_t n_keep;
	const uint64_t *del;
	size_t n_del;
	const struct range *create;
	size_t n_create;
};

/* The heat a layout's first plan asks for; none: it plans at once. */
struct heat_case {
	const char *name;
	struct layout in;
	const uint64_t *ids;
	size_t n_ids;
};

/*
 * Range 0: 1 [0,10) gap 2 [20,30) gap 3 [50,60) gap [60,100): six pieces.
 * Range 1: 4 alone.
 */
#define CAP_MAPPED RANGES({ 0, 100 }, { 200, 10 })
#define CAP_COLD REGIONS({ 3, 50, 10, 0 }, { 1, 0, 10, 0 }, \
	{ 4, 200, 10, 0 }, { 2, 20, 10, 0 })
/* Five pieces of one range, warm and cold by turns. */
#define HALF_MAPPED RANGES({ 0, 50 })
#define HALF_REGIONS REGIONS({ 1, 0, 10, 8 }, { 2, 10, 10, 1 }, \
	{ 3, 20, 10, 6 }, { 4, 30, 10, 2 }, { 5, 40, 10, 9 })
#define ONE_MAPPED RANGES({ 0, 30 }, { 40, 10 })
#define ONE_REGIONS REGIONS({ 1, 0, 10, 9 }, { 2, 20, 10, 1 }, \
	{ 3, 40, 5, 0 })

static const struct plan_case plan_cases[] = {
	{ "growth_at_tail",
	  { RANGES({ 100, 80 }), REGIONS({ 1, 100, 50, 0 }), UNCAPPED },
	  .keep = IDS(1), .create = RANGES({ 150, 30 }) },
	{ "growth_in_middle",
	  { RANGES({ 0, 10 }, { 20, 10 }, { 40, 10 }),
	    REGIONS({ 1, 0, 10, 0 }, { 2, 40, 10, 0 }), UNCAPPED },
	  .keep = IDS(1, 2), .create = RANGES({ 20, 10 }) },
	{ "extents_merge_with_gap",
	  { RANGES({ 0, 30 }), REGIONS({ 1, 0, 10, 0 }, { 2, 20, 10, 0 }),
	    UNCAPPED },
	  .keep = IDS(1, 2), .create = RANGES({ 10, 10 }) },
	{ "extents_merge_back_to_back",
	  { RANGES({ 0, 20 }), REGIONS({ 1, 0, 10, 0 }, { 2, 10, 10, 0 }),
	    UNCAPPED },
	  .keep = IDS(1, 2) },
	{ "hole_inside_region",
	  { RANGES({ 0, 40 }, { 60, 40 }), REGIONS({ 1, 0, 100, 0 }),
	    UNCAPPED },
	  .del = IDS(1), .create = RANGES({ 0, 40 }, { 60, 40 }) },
	{ "hole_between_regions",
	  { RANGES({ 0, 50 }, { 60, 40 }),
	    REGIONS({ 1, 0, 50, 0 }, { 2, 60, 40, 0 }, { 3, 50, 10, 0 }),
	    UNCAPPED },
	  .keep = IDS(1, 2), .del = IDS(3) },
	/* 3 reaches one sector past the new end. */
	{ "truncate",
	  { RANGES({ 0, 119 }), REGIONS({ 1, 0, 40, 0 }, { 2, 40, 40, 0 },
	    { 3, 80, 40, 0 }, { 4, 120, 40, 0 }), UNCAPPED },
	  .keep = IDS(1, 2), .del = IDS(3, 4), .create = RANGES({ 80, 39 }) },
	{ "rewritten_elsewhere",
	  { RANGES({ 1000, 20 }, { 2000, 5 }),
	    REGIONS({ 1, 0, 10, 0 }, { 2, 10, 10, 0 }), UNCAPPED },
	  .del = IDS(1, 2), .create = RANGES({ 1000, 20 }, { 2000, 5 }) },
	{ "nothing_mapped",
	  { NOTHING, REGIONS({ 7, 0, 10, 0 }, { 3, 50, 10, 0 }), UNCAPPED },
	  .del = IDS(3, 7) },
	{ "nothing_mapped_no_regions", { NOTHING, NOTHING, UNCAPPED },
	  .keep = NOTHING },
	{ "no_regions",
	  { RANGES({ 0, 8 }, { 16, 8 }, { 100, 1 }), NOTHING, UNCAPPED },
	  .create = RANGES({ 0, 8 }, { 16, 8 }, { 100, 1 }) },
	/*
	 * 5 and 9 start together: the lower id wins, though it is longer.
	 * 11 shares a single sector with 5.
	 */
	{ "overlapping_regions",
	  { RANGES({ 0, 40 }), REGIONS({ 9, 0, 5, 0 }, { 3, 10, 20, 0 },
	    { 7, 30, 10, 0 }, { 5, 0, 20, 0 }, { 11, 19, 5, 0 }), UNCAPPED },
	  .keep = IDS(5, 7), .del = IDS(3, 9, 11),
	  .create = RANGES({ 20, 10 }) },
	{ "region_across_gap",
	  { RANGES({ 0, 10 }, { 20, 10 }),
	    REGIONS({ 1, 0, 30, 0 }, { 2, 5, 20, 0 }), UNCAPPED },
	  .del = IDS(1, 2), .create = RANGES({ 0, 10 }, { 20, 10 }) },
	{ "region_partly_before",
	  { RANGES({ 10, 20 }), REGIONS({ 1, 0, 20, 0 }), UNCAPPED },
	  .del = IDS(1), .create = RANGES({ 10, 20 }) },
	/* Ids run against the starts; the answer is still by id and start. */
	{ "ids_in_any_order",
	  { RANGES({ 0, 25 }, { 40, 10 }), REGIONS({ 10, 20, 10, 0 },
	    { 30, 0, 10, 0 }, { 20, 10, 10, 0 }, { 5, 40, 10, 0 }), UNCAPPED },
	  .keep = IDS(5, 20, 30), .del = IDS(10), .create = RANGES({ 20, 5 }) },
	/* 4 is named twice alike, 6 twice at odds: nobody knows where it is. */
	{ "repeated_and_empty",
	  { RANGES({ 0, 40 }), REGIONS({ 4, 0, 10, 0 }, { 6, 20, 10, 0 },
	    { 4, 0, 10, 0 }, { 6, 30, 10, 0 }, { 8, 10, 0, 0 },
	    { 9, 10, 10, 0 }), UNCAPPED },
	  .keep = IDS(4, 9), .del = IDS(6, 8), .create = RANGES({ 20, 20 }) },
	/* Six pieces fit a cap of six: nothing lost. */
	{ "cap_six_pieces_fit", { CAP_MAPPED, CAP_COLD, 6 },
	  .keep = IDS(1, 2, 3, 4),
	  .create = RANGES({ 10, 10 }, { 30, 20 }, { 60, 40 }) },
	/*
	 * Six pieces, one past a cap of five, go down to three.  2 and the
	 * gap before it are coldest (5); the merged piece is new, so it takes
	 * the gap after it at no cost; then [10,50) and 3 tie with 3 and the
	 * tail gap on heat and length, and start first.
	 */
	{ "cap_merges_coldest",
	  { CAP_MAPPED, REGIONS({ 3, 50, 10, 50 }, { 1, 0, 10, 100 },
	    { 4, 200, 10, 1 }, { 2, 20, 10, 5 }), 5 },
	  .keep = IDS(1, 4), .del = IDS(2, 3),
	  .create = RANGES({ 10, 50 }, { 60, 40 }) },
	/*
	 * A pair weighs what both its pieces do: 1+2 = 10, 2+3 = 12,
	 * 3+4 = 10, and the tie goes to the lower start.  The new piece and 3
	 * (9) then go before 3+4, leaving two pieces under a cap of three.
	 */
	{ "cap_pair_heat",
	  { RANGES({ 0, 40 }), REGIONS({ 4, 30, 10, 1 }, { 3, 20, 10, 9 },
	    { 2, 10, 10, 3 }, { 1, 0, 10, 7 }), 3 },
	  .keep = IDS(4), .del = IDS(1, 2, 3), .create = RANGES({ 0, 30 }) },
	/*
	 * 1+2 (5) merge first.  The new piece has no counters, so it and 3
	 * weigh 9 and go before 3+4 (10), though 1 alone was warm.
	 */
	{ "cap_merged_piece_is_cold",
	  { RANGES({ 0, 40 }), REGIONS({ 1, 0, 10, 5 }, { 2, 10, 10, 0 },
	    { 3, 20, 10, 9 }, { 4, 30, 10, 1 }), 3 },
	  .keep = IDS(4), .del = IDS(1, 2, 3), .create = RANGES({ 0, 30 }) },
	/*
	 * 1+2, 2+3 and 3 with the tail gap all weigh 2; 2+3 is the shortest
	 * and goes though it starts later.  The new piece then takes the gap
	 * at no cost, and 1 stays.
	 */
	{ "cap_length_breaks_ties",
	  { RANGES({ 0, 45 }), REGIONS({ 1, 0, 20, 2 }, { 2, 20, 5, 0 },
	    { 3, 25, 10, 2 }), 3 },
	  .keep = IDS(1), .del = IDS(2, 3), .create = RANGES({ 20, 25 }) },
	/* Five pieces fit a cap of five: nothing goes. */
	{ "cap_five_pieces_fit", { HALF_MAPPED, HALF_REGIONS, 5 },
	  .keep = IDS(1, 2, 3, 4, 5) },
	/*
	 * One past a cap of four, they go down to two: 2+3 (7), the new
	 * piece and 4 (2), then 1 and the new piece (8) before it and 5 (9).
	 */
	{ "cap_merges_to_half", { HALF_MAPPED, HALF_REGIONS, 4 },
	  .keep = IDS(5), .del = IDS(1, 2, 3, 4), .create = RANGES({ 0, 40 }) },
	{ "cap_one", { ONE_MAPPED, ONE_REGIONS, 1 },
	  .del = IDS(1, 2, 3), .create = RANGES({ 0, 30 }, { 40, 10 }) },
	/* A cap of 0 is taken as 1. */
	{ "cap_zero", { ONE_MAPPED, ONE_REGIONS, 0 },
	  .del = IDS(1, 2, 3), .create = RANGES({ 0, 30 }, { 40, 10 }) },
	{ "heat_known_below_cap",
	  { RANGES({ 0, 30 }), REGIONS({ 1, 0, 10, 7 }, { 2, 20, 10, 0 }), 3 },
	  HEAT_READ, .keep = IDS(1, 2), .create = RANGES({ 10, 10 }) },
};

static const struct heat_case heat_cases[] = {
	{ "cap_asks_for_heat", { CAP_MAPPED, CAP_COLD, 3 }, IDS(1, 2, 3) },
	/* Pieces that fit the cap need no heat. */
	{ "cap_six_pieces_fit", { CAP_MAPPED, CAP_COLD, 6 }, NOTHING },
	{ "cap_five_pieces_fit", { HALF_MAPPED, HALF_REGIONS, 5 }, NOTHING },
	{ "cap_merges_to_half", { HALF_MAPPED, HALF_REGIONS, 4 },
	  IDS(1, 2, 3, 4, 5) },
	{ "cap_one", { ONE_MAPPED, ONE_REGIONS, 1 }, IDS(1, 2, 3) },
};

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

static enum plan_status
plan_layout(const struct layout *in, enum heat heat, struct plan *p)
{
	return plan_make(in->mapped, in->n_mapped, in->regions, in->n_regions,
	    in->cap, heat, p);
}

/*
 * Plans as the daemon does, reading the heat only when asked to, and
 * compares the plan with the one wanted: exactly the regions keep stay.
 */
static void
run_plan_case(void **state)
{
	const struct plan_case *c = *state;
	uint64_t left[64];
	struct plan p;
	enum plan_status status;
	size_t i;

	assert_true(c->in.n_regions <= 64);
	if ((status = plan_layout(&c->in, c->heat, &p)) == PLAN_NEEDS_HEAT) {
		plan_free(&p);
		status = plan_layout(&c->in, HEAT_READ, &p);
	}
	assert_int_equal(status, PLAN_OK);
	assert_int_equal(p.n_keep, c->n_keep);
	expect_ids(left, survivors(&p, c->in.regions, c->in.n_regions, left),
	    c->keep, c->n_keep);
	expect_ids(p.delete_ids, p.n_delete, c->del, c->n_del);
	assert_int_equal(p.n_create, c->n_create);
	for (i = 0; i < c->n_create; i++) {
		assert_int_equal(p.create[i].start, c->create[i].start);
		assert_int_equal(p.create[i].len, c->create[i].len);
	}
	assert_int_equal(p.n_heat, 0);
	plan_free(&p);
}

/* A plan that asks for heat asks for that alone. */
static void
run_heat_case(void **state)
{
	const struct heat_case *c = *state;
	struct plan p;

	if (c->n_ids == 0) {
		assert_int_equal(plan_layout(&c->in, HEAT_UNREAD, &p), PLAN_OK);
		assert_int_equal(p.n_heat, 0);
	} else {
		assert_int_equal(plan_layout(&c->in, HEAT_UNREAD, &p),
		    PLAN_NEEDS_HEAT);
		expect_ids(p.heat_ids, p.n_heat, c->ids, c->n_ids);
		assert_int_equal(p.n_keep + p.n_delete + p.n_create, 0);
	}
	plan_free(&p);
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

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_memory),
		cmocka_unit_test(test_cap_growth_merges_rarely),
	};
	static const struct table tables[] = {
		TABLE("plan", plan_cases, run_plan_case),
		TABLE("heat", heat_cases, run_heat_case),
	};

	return run_with_tables(tests, COUNT(tests), tables, COUNT(tables));
}
