/*
 * The planner against a slow model of the same rules, on a device small
 * enough that everything collides: many random layouts, each checked for the
 * properties every plan must have and compared with the model's plan.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "plan.h"

#define CASES 20000
#define SPAN 64			/* sectors the random files live in */
#define WORLD 128		/* sectors a random region may reach */
#define MOST_MAPPED 6
#define MOST_REGIONS 12
#define CHECK(cond) check((cond), #cond)

struct layout {
	struct range mapped[MOST_MAPPED];
	size_t n_mapped;
	struct region regions[MOST_REGIONS];
	size_t n_regions;
	unsigned cap;
	int range_of[WORLD];	/* the mapped range of each sector, or -1 */
};

/* A piece of the model's layout; region -1 is a range to create. */
struct piece {
	uint64_t start, len, heat;
	int region;
};

struct model {
	struct piece pieces[WORLD];
	size_t n_pieces;
	size_t first[MOST_MAPPED + 1];	/* pieces of each mapped range */
	size_t want[MOST_MAPPED];	/* pieces each range ends up with */
	int over_cap;
};

static uint64_t seed = 0x2545f4914f6cdd1dULL;
static const struct layout *current;
static int case_number;

static unsigned
pick(unsigned n)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (unsigned)(seed % n);
}

static void
describe(const struct layout *l)
{
	const struct region *r;
	size_t i;

	printf("case %d, cap %u, mapped:", case_number, l->cap);
	for (i = 0; i < l->n_mapped; i++)
		printf(" %" PRIu64 "+%" PRIu64, l->mapped[i].start,
		    l->mapped[i].len);
	printf("\nregions (id:start+len/heat):");
	for (r = l->regions; r < l->regions + l->n_regions; r++)
		printf(" %" PRIu64 ":%" PRIu64 "+%" PRIu64 "/%" PRIu64, r->id,
		    r->start, r->len, r->heat);
	printf("\n");
}

static void
check(int ok, const char *what)
{
	if (!ok) {
		describe(current);
		fail_msg("case %d: %s", case_number, what);
	}
}

static const struct region *
find_region(const struct layout *l, uint64_t id)
{
	size_t i;

	for (i = 0; i < l->n_regions; i++)
		if (l->regions[i].id == id)
			return &l->regions[i];
	return NULL;
}

/* The first of the copies of an id a group may name twice. */
static int
first_copy(const struct layout *l, size_t i)
{
	return find_region(l, l->regions[i].id) == &l->regions[i];
}

/* Half the regions are drawn inside a mapped range, so that many stay. */
static void
make_region(struct layout *l, struct region *r)
{
	const struct range *m;

	if (l->n_mapped > 0 && pick(2) == 0) {
		m = &l->mapped[pick((unsigned)l->n_mapped)];
		r->start = m->start + pick((unsigned)m->len);
		r->len = 1 + pick((unsigned)(m->start + m->len - r->start));
	} else {
		r->start = pick(SPAN + 8);
		r->len = pick(4) == 0 ? pick(3) : pick(25);
	}
	r->heat = pick(4);
}

static void
make_layout(struct layout *l)
{
	size_t i, n;
	uint64_t s, id;

	memset(l, 0, sizeof(*l));
	l->n_mapped = pick(MOST_MAPPED + 1);
	for (i = 0; i < l->n_mapped; i++) {
		l->mapped[i].start = pick(SPAN);
		l->mapped[i].len = pick(13);
	}
	l->n_mapped = ranges_normalize(l->mapped, l->n_mapped);
	for (s = 0; s < WORLD; s++)
		l->range_of[s] = -1;
	for (i = 0; i < l->n_mapped; i++)
		for (s = l->mapped[i].start;
		    s < l->mapped[i].start + l->mapped[i].len; s++)
			l->range_of[s] = (int)i;
	for (n = pick(MOST_REGIONS - 1); l->n_regions < n; l->n_regions++) {
		do
			id = pick(40);
		while (find_region(l, id) != NULL);
		l->regions[l->n_regions].id = id;
		make_region(l, &l->regions[l->n_regions]);
	}
	/* Now and then the group names a member twice, alike or not. */
	if (l->n_regions > 0 && pick(6) == 0) {
		i = pick((unsigned)l->n_regions);
		l->regions[l->n_regions] = l->regions[i];
		if (pick(2) == 0)
			l->regions[l->n_regions].start++;
		l->n_regions++;
	}
	l->cap = 1 + pick(8);
}

/* Copies of one id at odds: nobody knows where that region is. */
static int
at_odds(const struct layout *l, const struct region *r)
{
	size_t i;

	for (i = 0; i < l->n_regions; i++)
		if (l->regions[i].id == r->id &&
		    (l->regions[i].start != r->start ||
		    l->regions[i].len != r->len))
			return 1;
	return 0;
}

/* Lower start first, then lower id: the order overlaps are settled in. */
static int
comes_before(const struct region *a, const struct region *b)
{
	return a->start != b->start ? a->start < b->start : a->id < b->id;
}

static int
inside_one_range(const struct layout *l, uint64_t start, uint64_t len)
{
	uint64_t s;

	if (len == 0 || start + len > WORLD || l->range_of[start] < 0)
		return 0;
	for (s = start; s < start + len; s++)
		if (l->range_of[s] != l->range_of[start])
			return 0;
	return 1;
}

/* Keeps, in start order, each region inside one range on free sectors. */
static void
model_keep(const struct layout *l, int owner[WORLD])
{
	size_t order[MOST_REGIONS], n = 0, i, j;
	const struct region *r;
	uint64_t s;
	int taken;

	for (i = 0; i < l->n_regions; i++) {
		if (!first_copy(l, i))
			continue;
		for (j = n; j > 0 && comes_before(&l->regions[i],
		    &l->regions[order[j - 1]]); j--)
			order[j] = order[j - 1];
		order[j] = i;
		n++;
	}
	for (s = 0; s < WORLD; s++)
		owner[s] = -1;
	for (i = 0; i < n; i++) {
		r = &l->regions[order[i]];
		if (!inside_one_range(l, r->start, r->len) || at_odds(l, r))
			continue;
		for (taken = 0, s = r->start; s < r->start + r->len; s++)
			taken |= owner[s] >= 0;
		for (s = r->start; !taken && s < r->start + r->len; s++)
			owner[s] = (int)order[i];
	}
}

/* Walks each mapped range: kept regions, and the gaps between them. */
static void
model_pieces(const struct layout *l, const int owner[WORLD], struct model *m)
{
	struct piece *p;
	size_t j;
	uint64_t s, end;

	memset(m, 0, sizeof(*m));
	for (j = 0; j < l->n_mapped; j++) {
		m->first[j] = m->n_pieces;
		end = l->mapped[j].start + l->mapped[j].len;
		for (s = l->mapped[j].start; s < end; s += p->len) {
			p = &m->pieces[m->n_pieces++];
			p->start = s;
			p->region = owner[s];
			if (owner[s] >= 0) {
				p->len = l->regions[owner[s]].len;
				p->heat = l->regions[owner[s]].heat;
				continue;
			}
			while (s + p->len < end && owner[s + p->len] < 0)
				p->len++;
		}
		/* Past the cap, a range goes down to half of it, rounded up. */
		m->want[j] = m->n_pieces - m->first[j];
		if (m->want[j] > l->cap) {
			m->want[j] = (l->cap + 1) / 2;
			m->over_cap = 1;
		}
	}
	m->first[l->n_mapped] = m->n_pieces;
}

static int
pair_before(const struct model *m, size_t a, size_t b)
{
	const struct piece *p = m->pieces;
	uint64_t heat_a = p[a].heat + p[a + 1].heat;
	uint64_t heat_b = p[b].heat + p[b + 1].heat;
	uint64_t len_a = p[a].len + p[a + 1].len;
	uint64_t len_b = p[b].len + p[b + 1].len;

	if (heat_a != heat_b)
		return heat_a < heat_b;
	if (len_a != len_b)
		return len_a < len_b;
	return p[a].start < p[b].start;
}

/* The merges spelled out: scan every pair, merge the best, again. */
static void
model_merge(const struct layout *l, struct model *m)
{
	struct piece *p = m->pieces;
	size_t i, j, k, best;

	for (j = 0; j < l->n_mapped; j++) {
		while (m->first[j + 1] - m->first[j] > m->want[j]) {
			best = m->first[j];
			for (i = best + 1; i + 1 < m->first[j + 1]; i++)
				if (pair_before(m, i, best))
					best = i;
			p[best].len += p[best + 1].len;
			p[best].heat = 0;
			p[best].region = -1;
			memmove(&p[best + 1], &p[best + 2],
			    (m->n_pieces - best - 2) * sizeof(*p));
			m->n_pieces--;
			for (k = j + 1; k <= l->n_mapped; k++)
				m->first[k]--;
		}
	}
}

static void
add_sorted(uint64_t *ids, size_t *n, uint64_t id)
{
	size_t i;

	for (i = (*n)++; i > 0 && ids[i - 1] > id; i--)
		ids[i] = ids[i - 1];
	ids[i] = id;
}

static int
same_ids(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
	return na == nb && (na == 0 || memcmp(a, b, na * sizeof(*a)) == 0);
}

static int
listed(const uint64_t *ids, size_t n, uint64_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

/* The regions a plan leaves as they are: each id it does not delete, ascending. */
static size_t
survivors(const struct layout *l, const struct plan *p, uint64_t *ids)
{
	size_t i, n = 0;

	for (i = 0; i < l->n_regions; i++)
		if (first_copy(l, i) && !listed(p->delete_ids, p->n_delete,
		    l->regions[i].id))
			add_sorted(ids, &n, l->regions[i].id);
	return n;
}

static void
expect_model(const struct layout *l, const struct model *m,
    const struct plan *p)
{
	uint64_t keep[MOST_REGIONS], del[MOST_REGIONS], left[MOST_REGIONS];
	size_t i, n_keep = 0, n_del = 0, n_create = 0, n_left;
	int kept[MOST_REGIONS] = { 0 };

	for (i = 0; i < m->n_pieces; i++) {
		if (m->pieces[i].region >= 0) {
			kept[m->pieces[i].region] = 1;
			add_sorted(keep, &n_keep,
			    l->regions[m->pieces[i].region].id);
			continue;
		}
		CHECK(n_create < p->n_create);
		CHECK(p->create[n_create].start == m->pieces[i].start);
		CHECK(p->create[n_create++].len == m->pieces[i].len);
	}
	CHECK(n_create == p->n_create);
	for (i = 0; i < l->n_regions; i++)
		if (first_copy(l, i) && !kept[i])
			add_sorted(del, &n_del, l->regions[i].id);
	CHECK(same_ids(p->delete_ids, p->n_delete, del, n_del));
	n_left = survivors(l, p, left);
	CHECK(p->n_keep == n_left);
	CHECK(same_ids(left, n_left, keep, n_keep));
}

/*
 * Only the group's regions are deleted, each once, in ascending id order,
 * and the count of those kept is what is left.
 */
static void
check_ids(const struct layout *l, const struct plan *p)
{
	size_t i, unique = 0;

	for (i = 1; i < p->n_delete; i++)
		CHECK(p->delete_ids[i - 1] < p->delete_ids[i]);
	for (i = 0; i < p->n_delete; i++)
		CHECK(find_region(l, p->delete_ids[i]) != NULL);
	for (i = 0; i < l->n_regions; i++)
		unique += (size_t)first_copy(l, i);
	CHECK(p->n_keep + p->n_delete == unique);
	CHECK(p->n_heat == 0);
}

static void
count_piece(const struct layout *l, uint64_t start, uint64_t len,
    int covered[WORLD], unsigned per_range[MOST_MAPPED])
{
	uint64_t s;

	CHECK(inside_one_range(l, start, len));
	for (s = start; s < start + len; s++)
		covered[s]++;
	per_range[l->range_of[start]]++;
}

/*
 * Kept and created pieces tile the mapped sectors.  A range at or below the
 * cap keeps its pieces; one past it is left with half the cap, rounded up.
 */
static void
check_layout(const struct layout *l, const struct model *m,
    const struct plan *p)
{
	int covered[WORLD] = { 0 };
	unsigned per_range[MOST_MAPPED] = { 0 };
	uint64_t left[MOST_REGIONS];
	const struct region *r;
	size_t i, n_left = survivors(l, p, left);

	for (i = 0; i < n_left; i++) {
		r = find_region(l, left[i]);
		count_piece(l, r->start, r->len, covered, per_range);
	}
	for (i = 0; i < p->n_create; i++) {
		CHECK(i == 0 || p->create[i - 1].start < p->create[i].start);
		count_piece(l, p->create[i].start, p->create[i].len, covered,
		    per_range);
	}
	for (i = 0; i < WORLD; i++)
		CHECK(covered[i] == (l->range_of[i] >= 0));
	for (i = 0; i < l->n_mapped; i++)
		CHECK(per_range[i] == m->want[i]);
}

/*
 * Below the cap nothing is lost: a region inside one range that no region
 * ahead of it overlaps is kept, and created ranges never touch.
 */
static void
check_nothing_lost(const struct layout *l, const struct plan *p)
{
	const struct region *r, *o;
	size_t i, j;
	int blocked;

	for (i = 0; i < l->n_regions; i++) {
		r = &l->regions[i];
		if (!inside_one_range(l, r->start, r->len) || at_odds(l, r))
			continue;
		for (blocked = 0, j = 0; j < l->n_regions; j++) {
			o = &l->regions[j];
			blocked |= o->id != r->id && o->len > 0 &&
			    comes_before(o, r) && o->start + o->len > r->start;
		}
		CHECK(blocked || !listed(p->delete_ids, p->n_delete, r->id));
	}
	for (i = 1; i < p->n_create; i++)
		CHECK(p->create[i - 1].start + p->create[i - 1].len <
		    p->create[i].start);
}

static void
run_case(const struct layout *l)
{
	uint64_t heat_ids[MOST_REGIONS];
	size_t i, j, n_heat = 0;
	int owner[WORLD];
	struct model m;
	struct plan p;

	model_keep(l, owner);
	model_pieces(l, owner, &m);
	for (j = 0; j < l->n_mapped; j++)
		for (i = m.first[j]; i < m.first[j + 1]; i++)
			if (m.first[j + 1] - m.first[j] > l->cap &&
			    m.pieces[i].region >= 0)
				add_sorted(heat_ids, &n_heat,
				    l->regions[m.pieces[i].region].id);
	if (plan_make(l->mapped, l->n_mapped, l->regions, l->n_regions, l->cap,
	    HEAT_UNREAD, &p) == PLAN_NEEDS_HEAT) {
		CHECK(m.over_cap);
		CHECK(same_ids(p.heat_ids, p.n_heat, heat_ids, n_heat));
		CHECK(p.n_keep + p.n_delete + p.n_create == 0);
	} else {
		CHECK(!m.over_cap);
		check_nothing_lost(l, &p);
	}
	plan_free(&p);
	CHECK(plan_make(l->mapped, l->n_mapped, l->regions, l->n_regions,
	    l->cap, HEAT_READ, &p) == PLAN_OK);
	model_merge(l, &m);
	check_ids(l, &p);
	check_layout(l, &m, &p);
	expect_model(l, &m, &p);
	plan_free(&p);
}

static void
test_random_layouts(void **state)
{
	static struct layout l;

	(void)state;
	current = &l;
	for (case_number = 0; case_number < CASES; case_number++) {
		make_layout(&l);
		run_case(&l);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_layouts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
