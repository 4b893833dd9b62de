/*
 * The planner.  A region can be neither resized nor moved and its counters
 * live only as long as it does, so every region still inside one mapped
 * range is kept and only what is left uncovered is created.  Past the cap,
 * neighbours are merged down to half the cap, coldest pair first, off a
 * binary heap whose stale entries are skipped as they come up:
 * O((n + m) log(n + m)) in all.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "pairheap.h"
#include "plan.h"

#define NONE SIZE_MAX

enum fate {
	FATE_OPEN,		/* not decided yet */
	FATE_KEEP,
	FATE_DELETE,
	FATE_REPEAT,		/* a further copy of an id already decided */
};

/* A copy of one input region. */
struct member {
	uint64_t id, start, len, heat;
	size_t range;		/* the mapped range that holds a kept member */
	enum fate fate;
};

_Static_assert(offsetof(struct member, id) == 0 &&
    offsetof(struct region, id) == 0,
    "compare_ids orders members and regions by their first member");

/* A member by its start; equal starts fall to the lower index, the lower id. */
struct by_start {
	uint64_t start;
	size_t member;
};

/*
 * One piece of the final layout: a kept member or a range to create.  A
 * piece merged into its left neighbour is left with no length.
 */
struct piece {
	uint64_t start, len, heat;
	size_t member;		/* NONE for a range to create */
	size_t prev, next;	/* neighbours in the same mapped range */
	unsigned gen;		/* bumped whenever the piece grows or goes */
};

struct planner {
	const struct range *mapped;
	size_t n_mapped;
	unsigned cap;
	struct member *members;	/* ascending id */
	size_t n_members;
	struct by_start *order;	/* ascending start; kept only, after classify */
	size_t n_order;
	struct piece *pieces;	/* ascending start */
	size_t n_pieces;
	size_t *first_piece;	/* per mapped range, and one past the last */
	struct pair *heap;
	size_t n_heap;
};

static void *
alloc_array(size_t n, size_t size)
{
	/* Never NULL for an empty array, so NULL always means no memory. */
	return calloc(n > 0 ? n : 1, size);
}

static uint64_t
range_end(const struct range *r)
{
	return r->start + r->len;
}

static int
compare_starts(const void *a, const void *b)
{
	const struct by_start *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->member < y->member ? -1 : x->member > y->member;
}

/*
 * The kernel never lists an id twice, so a repeated id comes from a group
 * that names a member twice.  Copies that agree are one region; copies that
 * disagree leave no way to tell where the region is, so it goes and its
 * sectors are covered afresh.
 */
static void
settle_repeats(struct member *m, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && m[j].id == m[i].id; j++) {
			m[j].fate = FATE_REPEAT;
			if (m[j].start != m[i].start || m[j].len != m[i].len)
				m[i].fate = FATE_DELETE;
		}
	}
}

static int
sort_members(struct planner *p, const struct region *regions, size_t n)
{
	size_t i;

	p->members = alloc_array(n, sizeof(*p->members));
	p->order = alloc_array(n, sizeof(*p->order));
	if (p->members == NULL || p->order == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		p->members[i].id = regions[i].id;
		p->members[i].start = regions[i].start;
		p->members[i].len = regions[i].len;
		p->members[i].heat = regions[i].heat;
		p->members[i].fate = FATE_OPEN;
	}
	p->n_members = n;
	qsort(p->members, n, sizeof(*p->members), compare_ids);
	settle_repeats(p->members, n);
	for (i = 0; i < n; i++) {
		if (p->members[i].fate != FATE_OPEN)
			continue;
		p->order[p->n_order].start = p->members[i].start;
		p->order[p->n_order++].member = i;
	}
	qsort(p->order, p->n_order, sizeof(*p->order), compare_starts);
	return 0;
}

/*
 * Sweeps the members in start order along the mapped ranges.  A member is
 * kept when it lies inside the mapped range around its start and does not
 * overlap the kept member before it; only kept ones stay in the order.
 */
static void
classify(struct planner *p)
{
	struct member *m;
	size_t i, j = 0, n = p->n_order;
	uint64_t kept_end = 0;

	p->n_order = 0;
	for (i = 0; i < n; i++) {
		m = &p->members[p->order[i].member];
		while (j < p->n_mapped && range_end(&p->mapped[j]) <= m->start)
			j++;
		/* A bad region may end past 2^64: its end is never summed. */
		if (m->len == 0 || j == p->n_mapped ||
		    m->start < p->mapped[j].start ||
		    m->len > range_end(&p->mapped[j]) - m->start ||
		    m->start < kept_end) {
			m->fate = FATE_DELETE;
			continue;
		}
		m->fate = FATE_KEEP;
		m->range = j;
		kept_end = m->start + m->len;
		p->order[p->n_order++] = p->order[i];
	}
}

static void
add_piece(struct planner *p, uint64_t start, uint64_t len, size_t member)
{
	struct piece *piece = &p->pieces[p->n_pieces++];

	piece->start = start;
	piece->len = len;
	piece->member = member;
	piece->heat = member == NONE ? 0 : p->members[member].heat;
}

/* Tiles every mapped range with its kept members and the gaps between them. */
static int
lay_pieces(struct planner *p)
{
	const struct member *m;
	size_t j, k = 0;
	uint64_t at;

	/* Each range holds its kept members and at most one gap more. */
	p->pieces = alloc_array(p->n_mapped + 2 * p->n_order,
	    sizeof(*p->pieces));
	p->first_piece = alloc_array(p->n_mapped + 1, sizeof(*p->first_piece));
	if (p->pieces == NULL || p->first_piece == NULL)
		return -1;
	for (j = 0; j < p->n_mapped; j++) {
		p->first_piece[j] = p->n_pieces;
		at = p->mapped[j].start;
		for (; k < p->n_order; k++) {
			m = &p->members[p->order[k].member];
			if (m->range != j)
				break;
			if (m->start > at)
				add_piece(p, at, m->start - at, NONE);
			add_piece(p, m->start, m->len, p->order[k].member);
			at = m->start + m->len;
		}
		if (at < range_end(&p->mapped[j]))
			add_piece(p, at, range_end(&p->mapped[j]) - at, NONE);
	}
	p->first_piece[p->n_mapped] = p->n_pieces;
	return 0;
}

static size_t
pieces_in(const struct planner *p, size_t range)
{
	return p->first_piece[range + 1] - p->first_piece[range];
}

/* Offers the piece at left and its right neighbour as a merge. */
static void
push_pair(struct planner *p, size_t left)
{
	const struct piece *l = &p->pieces[left], *r = &p->pieces[l->next];
	struct pair pair = {
		.heat = l->heat + r->heat, .len = l->len + r->len,
		.start = l->start, .left = left, .right = l->next,
		.left_gen = l->gen, .right_gen = r->gen,
	};

	pairheap_push(p->heap, &p->n_heap, &pair);
}

static void
merge_pair(struct planner *p, const struct pair *pair)
{
	struct piece *left = &p->pieces[pair->left];
	struct piece *right = &p->pieces[pair->right];

	if (left->member != NONE)
		p->members[left->member].fate = FATE_DELETE;
	if (right->member != NONE)
		p->members[right->member].fate = FATE_DELETE;
	/* The merged piece is a region yet to be created: no counters. */
	left->member = NONE;
	left->heat = 0;
	left->len += right->len;
	left->gen++;
	left->next = right->next;
	right->len = 0;
	right->gen++;
	if (left->next != NONE)
		p->pieces[left->next].prev = pair->left;
	if (left->prev != NONE)
		push_pair(p, left->prev);
	if (left->next != NONE)
		push_pair(p, pair->left);
}

/*
 * What a range past the cap is merged down to: half the cap, rounded up.
 * Merging needs the counters of every region in the range, read one ioctl
 * per region (PLAN_NEEDS_HEAT).  A range that grows by one piece at a time,
 * as a file being appended to does, would have them all read on every
 * growth if merged back to just the cap; merged to half of it, they are
 * read once every cap / 2 growths or so.
 */
static size_t
low_mark(unsigned cap)
{
	return cap - cap / 2;
}

/*
 * Merges neighbours of one mapped range down to the low mark.  Every pair
 * of neighbours that exists has an entry in the heap, so it cannot run dry
 * while two pieces are left; entries whose pieces changed are skipped.
 */
static void
merge_range(struct planner *p, size_t range)
{
	size_t first = p->first_piece[range], end = p->first_piece[range + 1];
	size_t i, count = end - first, low = low_mark(p->cap);
	struct pair top;

	for (i = first; i < end; i++) {
		p->pieces[i].prev = i > first ? i - 1 : NONE;
		p->pieces[i].next = i + 1 < end ? i + 1 : NONE;
	}
	p->n_heap = 0;
	for (i = first; i + 1 < end; i++)
		push_pair(p, i);
	while (count > low) {
		pairheap_pop(p->heap, &p->n_heap, &top);
		if (top.left_gen != p->pieces[top.left].gen ||
		    top.right_gen != p->pieces[top.right].gen)
			continue;
		merge_pair(p, &top);
		count--;
	}
}

static enum plan_status
list_heat_ids(const struct planner *p, struct plan *out)
{
	const struct member *m;
	size_t i;

	out->heat_ids = alloc_array(p->n_order, sizeof(*out->heat_ids));
	if (out->heat_ids == NULL)
		return PLAN_NO_MEMORY;
	for (i = 0; i < p->n_members; i++) {
		m = &p->members[i];
		if (m->fate == FATE_KEEP && pieces_in(p, m->range) > p->cap)
			out->heat_ids[out->n_heat++] = m->id;
	}
	return PLAN_NEEDS_HEAT;
}

static enum plan_status
list_plan(const struct planner *p, struct plan *out)
{
	const struct piece *piece;
	size_t i;

	out->delete_ids = alloc_array(p->n_members, sizeof(*out->delete_ids));
	out->create = alloc_array(p->n_pieces, sizeof(*out->create));
	if (out->delete_ids == NULL || out->create == NULL)
		return PLAN_NO_MEMORY;
	for (i = 0; i < p->n_members; i++) {
		if (p->members[i].fate == FATE_KEEP)
			out->n_keep++;
		else if (p->members[i].fate == FATE_DELETE)
			out->delete_ids[out->n_delete++] = p->members[i].id;
	}
	for (i = 0; i < p->n_pieces; i++) {
		piece = &p->pieces[i];
		if (piece->len == 0 || piece->member != NONE)
			continue;
		out->create[out->n_create].start = piece->start;
		out->create[out->n_create++].len = piece->len;
	}
	return PLAN_OK;
}

static enum plan_status
hold_to_cap(struct planner *p, enum heat heat, struct plan *out)
{
	size_t j, most = 0;

	for (j = 0; j < p->n_mapped; j++)
		if (pieces_in(p, j) > p->cap && pieces_in(p, j) > most)
			most = pieces_in(p, j);
	if (most == 0)
		return list_plan(p, out);
	if (heat == HEAT_UNREAD)
		return list_heat_ids(p, out);
	/* A range's pairs at the start, and at most two more per merge. */
	p->heap = alloc_array(3 * most, sizeof(*p->heap));
	if (p->heap == NULL)
		return PLAN_NO_MEMORY;
	for (j = 0; j < p->n_mapped; j++)
		if (pieces_in(p, j) > p->cap)
			merge_range(p, j);
	return list_plan(p, out);
}

enum plan_status
plan_make(const struct range *mapped, size_t n_mapped,
    const struct region *regions, size_t n_regions, unsigned cap,
    enum heat heat, struct plan *out)
{
	struct planner p;
	enum plan_status status = PLAN_NO_MEMORY;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	p.mapped = mapped;
	p.n_mapped = n_mapped;
	p.cap = cap > 0 ? cap : 1;
	if (sort_members(&p, regions, n_regions) == 0) {
		classify(&p);
		if (lay_pieces(&p) == 0)
			status = hold_to_cap(&p, heat, out);
	}
	free(p.members);
	free(p.order);
	free(p.pieces);
	free(p.first_piece);
	free(p.heap);
	if (status == PLAN_NO_MEMORY)
		plan_free(out);
	return status;
}

void
plan_free(struct plan *plan)
{
	free(plan->delete_ids);
	free(plan->create);
	free(plan->heat_ids);
	memset(plan, 0, sizeof(*plan));
}
