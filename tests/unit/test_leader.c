/* GROUP_ID checked against a listing: a group's leader, or why not. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "leader.h"
#include "table.h"

/*
 * Region 0 leads group "f" of 0, 2 and 3; region 1 is in no group; region
 * 4 names a group whose lowest member is 3; region 5's descriptor is
 * broken.
 */
static const char LISTING[] =
    "0: 0+8 8 dmstats DMS_GROUP=f:0,2-3#-\n"
    "1: 8+8 8 dmstats -\n"
    "2: 16+8 8 dmstats -\n"
    "3: 24+8 8 dmstats -\n"
    "4: 32+8 8 dmstats DMS_GROUP=g:3-4#-\n"
    "5: 40+8 8 dmstats DMS_GROUP=h:\n";

/*
 * Regions 6 and 9 lead groups that name regions not on the device: 8 for
 * the one, 11, 12 and 14 for the other.  Region 13 leads a group whose
 * members all exist, one of them made by another program.
 */
static const char HOLES[] =
    "6: 0+8 8 dmstats DMS_GROUP=a:6-8#-\n"
    "7: 8+8 8 dmstats -\n"
    "9: 16+8 8 dmstats DMS_GROUP=b:9-12,14#-\n"
    "10: 24+8 8 dmstats -\n"
    "13: 32+8 8 dmstats DMS_GROUP=c:13,15#-\n"
    "15: 40+8 8 other -\n";

#define IDS(...) (const uint64_t[]){ __VA_ARGS__ }, \
	COUNT(((const uint64_t[]){ __VA_ARGS__ }))

/* A GROUP_ID found to lead its group in a listing. */
static const struct found_case {
	const char *name;
	const char *listing;
	uint64_t id;
	const char *alias;
	const uint64_t *members;
	size_t n_members;
} founds[] = {
	{ "leader", LISTING, 0, "f", IDS(0, 2, 3) },
	/* Every member exists, one of them made by another program. */
	{ "member_of_another_program", HOLES, 13, "c", IDS(13, 15) },
};

/* A GROUP_ID refused in a listing, with exactly this message. */
static const struct refusal_case {
	const char *name;
	const char *listing;
	uint64_t id;
	const char *message;
} refusals[] = {
	{ "no_region", LISTING, 9, "GROUP_ID 9: no region 9 on lin" },
	{ "in_no_group", LISTING, 1,
	  "GROUP_ID 1: region 1 is not in any group" },
	{ "a_member", LISTING, 2,
	  "GROUP_ID 2: region 2 is a member of group 0, not its leader" },
	{ "not_the_lowest", LISTING, 4,
	  "GROUP_ID 4: region 4 is not the lowest member of its group" },
	{ "unreadable", LISTING, 5,
	  "GROUP_ID 5: the group descriptor 'DMS_GROUP=h:' cannot be read" },
	{ "member_missing", HOLES, 6,
	  "GROUP_ID 6: its descriptor names region 8, which is not on lin" },
	{ "members_missing", HOLES, 9, "GROUP_ID 9: its descriptor names "
	  "region 11 and 2 more that are not on lin" },
};

static void
run_found_case(void **state)
{
	const struct found_case *c = *state;
	const struct listed_region *r;
	struct listing l;
	struct descriptor d;
	struct fault f = { "" };
	size_t i;

	assert_int_equal(listing_parse(c->listing, &l), 0);
	r = leader_find(&l, "GROUP_ID", c->id, "lin", &d, &f);
	assert_non_null(r);
	assert_int_equal(r->id, c->id);
	assert_string_equal(d.alias, c->alias);
	assert_int_equal(d.n_members, c->n_members);
	for (i = 0; i < c->n_members; i++)
		assert_int_equal(d.members[i], c->members[i]);
	assert_string_equal(f.line, "");
	descriptor_free(&d);
	listing_free(&l);
}

/* Nothing of a descriptor is left behind a refusal. */
static void
run_refusal_case(void **state)
{
	const struct refusal_case *c = *state;
	struct listing l;
	struct descriptor d;
	struct fault f = { "" };

	assert_int_equal(listing_parse(c->listing, &l), 0);
	assert_null(leader_find(&l, "GROUP_ID", c->id, "lin", &d, &f));
	assert_string_equal(f.line, c->message);
	assert_null(d.members);
	listing_free(&l);
}

/* The last member of a long, fragmented group is missing. */
static void
test_missing_last_of_many(void **state)
{
	char *text;
	size_t used = 0, size = 1 << 20;
	struct listing l;
	struct descriptor d;
	struct fault f = { "" };
	int id;

	(void)state;
	text = malloc(size);
	assert_non_null(text);
	used += (size_t)snprintf(text, size, "0: 0+8 8 dmstats DMS_GROUP=f:0");
	for (id = 2; id <= 4000; id += 2)
		used += (size_t)snprintf(text + used, size - used, ",%d", id);
	used += (size_t)snprintf(text + used, size - used, "#-\n");
	for (id = 2; id < 4000; id += 2)
		used += (size_t)snprintf(text + used, size - used,
		    "%d: %d+8 8 dmstats -\n", id, id * 8);
	assert_int_equal(listing_parse(text, &l), 0);
	assert_null(leader_find(&l, "GROUP_ID", 0, "lin", &d, &f));
	assert_string_equal(f.line, "GROUP_ID 0: its descriptor names region "
	    "4000, which is not on lin");
	listing_free(&l);
	free(text);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_last_of_many),
	};
	static const struct table tables[] = {
		TABLE("found", founds, run_found_case),
		TABLE("refused", refusals, run_refusal_case),
	};

	return run_with_tables(tests, COUNT(tests), tables, COUNT(tables));
}
