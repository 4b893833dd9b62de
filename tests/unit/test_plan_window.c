/*
 * plan_change against plan_make: for many random layouts whose regions
 * are what a plan left, and random changes to them (ranges gone, new,
 * grown, shrunk, split, moved), planning only the change must give the
 * very plan that planning the whole layout gives.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "plan_window.h"

#define CASES 20000
#define MOST 40			/* ranges in a layout */
#define CAP 4

struct layout {
	struct range r[MOST * 2];
	size_t n;
};

/* Sorted, disjoint ranges that never touch: what ranges_normalize gives. */
static void
random_layout(struct layout *l)
{
	uint64_t at = (uint64_t)(rand() % 8);
	size_t i, n = 1 + (size_t)(rand() % MOST);

	for (i = 0; i < n; i++) {
		l->r[i].start = at;
		l->r[i].len = 1 + (uint64_t)(rand() % 12);
		at += l->r[i].len + 1 + (uint64_t)(rand() % 6);
	}
	l->n = n;
}

/* The regions a plan leaves on l: each range cut into at most CAP pieces. */
static size_t
tile(const struct layout *l, struct region *regions)
{
	size_t i, n = 0, pieces;
	uint64_t at, end, piece, id = 0;

	for (i = 0; i < l->n; i++) {
		end = l->r[i].start + l->r[i].len;
		pieces = 0;
		for (at = l->r[i].start; at < end; at += piece) {
			piece = 1 + (uint64_t)(rand() % 5);
			if (piece > end - at || ++pieces == CAP)
				piece = end - at;
			regions[n].id = id++;
			regions[n].start = at;
			regions[n].len = piece;
			regions[n].heat = (uint64_t)(rand() % 100);
			n++;
		}
	}
	/* Ids need not follow the device's order. */
	for (i = n; i > 1; i--) {
		size_t j = (size_t)rand() % i;
		uint64_t t = regions[i - 1].id;

		regions[i - 1].id = regions[j].id;
		regions[j].id = t;
	}
	return n;
}

/* One to three local changes, keeping the layout normalized. */
static void
change(const struct layout *old, struct layout *new)
{
	size_t k, i, changes = 1 + (size_t)(rand() % 3);
	struct range *r;

	*new = *old;
	for (k = 0; k < changes && new->n > 0; k++) {
		i = (size_t)rand() % new->n;
		r = &new->r[i];
		switch (rand() % 5) {
		case 0:		/* the range goes */
			memmove(r, r + 1, (new->n - i - 1) * sizeof(*r));
			new->n--;
			break;
		case 1:		/* it shrinks from the end */
			if (r->len > 1)
				r->len -= 1 + (uint64_t)rand() % (r->len - 1);
			break;
		case 2:		/* it grows into the gap after it */
			if (i + 1 == new->n)
				r->len += 1 + (uint64_t)(rand() % 5);
			else if (r[1].start - (r->start + r->len) > 1)
				r->len++;
			break;
		case 3:		/* a hole is punched into it */
			if (r->len >= 3) {
				memmove(r + 1, r, (new->n - i) * sizeof(*r));
				new->n++;
				r->len = 1;
				r[1].start = r->start + 2;
				r[1].len -= 2;
			}
			break;
		case 4:		/* it shifts right by one, into a wide gap */
			if (i + 1 == new->n || r[1].start - (r->start + r->len) > 2)
				r->start++;
			break;
		}
	}
}

static int
compare_starts(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static void
same_plan(const struct plan *a, const struct plan *b)
{
	assert_int_equal(a->n_keep, b->n_keep);
	assert_int_equal(a->n_delete, b->n_delete);
	assert_int_equal(a->n_create, b->n_create);
	assert_int_equal(a->n_heat, b->n_heat);
	if (a->n_delete)
		assert_memory_equal(a->delete_ids, b->delete_ids,
		    a->n_delete * sizeof(*a->delete_ids));
	if (a->n_heat)
		assert_memory_equal(a->heat_ids, b->heat_ids,
		    a->n_heat * sizeof(*a->heat_ids));
	if (a->n_create) {
		qsort(a->create, a->n_create, sizeof(*a->create), compare_starts);
		qsort(b->create, b->n_create, sizeof(*b->create), compare_starts);
		assert_memory_equal(a->create, b->create,
		    a->n_create * sizeof(*a->create));
	}
}

static void
test_change_plans_as_whole(void **state)
{
	static struct region regions[MOST * 2 * 16];
	struct layout old, new;
	struct plan whole, part;
	size_t n, c;
	enum heat heat;

	(void)state;
	srand(20261201);
	for (c = 0; c < CASES; c++) {
		random_layout(&old);
		n = tile(&old, regions);
		change(&old, &new);
		heat = rand() % 2 ? HEAT_READ : HEAT_UNREAD;
		assert_int_equal(plan_make(new.r, new.n, regions, n, CAP,
		    heat, &whole), plan_change(old.r, old.n, new.r,
		    new.n, regions, n, CAP, heat, &part));
		same_plan(&whole, &part);
		plan_free(&whole);
		plan_free(&part);
	}
}

static void
test_no_change_keeps_all(void **state)
{
	static struct region regions[MOST * 16];
	struct layout l;
	struct plan plan;
	size_t n;

	(void)state;
	random_layout(&l);
	n = tile(&l, regions);
	assert_int_equal(plan_change(l.r, l.n, l.r, l.n, regions, n, CAP,
	    HEAT_UNREAD, &plan), PLAN_OK);
	assert_int_equal(plan.n_keep, n);
	assert_int_equal(plan.n_delete, 0);
	assert_int_equal(plan.n_create, 0);
	plan_free(&plan);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_change_plans_as_whole),
		cmocka_unit_test(test_no_change_keeps_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
