/*
 * Whether a listing is still the group a daemon knows, and which tagged
 * regions are orphans of an earlier daemon of the group.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ownership.h"
#include "table.h"

#define DESCRIPTOR "DMS_GROUP=f:2-3,5#-"

/* The group as its daemon last left it: regions 2, 3 and 5. */
static const struct region MEMBERS[] = {
	{ .id = 2, .start = 100, .len = 8 },
	{ .id = 3, .start = 200, .len = 8 },
	{ .id = 5, .start = 300, .len = 16 },
};

static const struct known_group KNOWN = {
	.id = 2, .descriptor = DESCRIPTOR, .program_id = "dmstats",
	.options = "", .members = MEMBERS, .n_members = 3,
};

#define LEADER "2: 100+8 8 dmstats "
#define THREE "3: 200+8 8 dmstats -\n"
#define FIVE "5: 300+16 8 dmstats -\n"

/* A listing, what ownership_check takes it for, and for FOREIGN why. */
static const struct verdict_case {
	const char *name;
	const char *listing;
	enum ownership verdict;
	const char *why_part;	/* NULL: not looked at */
} verdicts[] = {
	{ "owned", "0: 0+8 8 other -\n" LEADER DESCRIPTOR "\n" THREE FIVE,
	  OWNED, NULL },
	/* A member deleted by someone leaves the group ours: re-covered. */
	{ "member_deleted", LEADER DESCRIPTOR "\n" FIVE, OWNED, NULL },
	/* dmstats delete --regionid rewrites the descriptor without it. */
	{ "member_dropped_by_dmstats", LEADER "DMS_GROUP=f:2,5#-\n" FIVE,
	  OWNED, NULL },
	/* libdevmapper 1.02.197 and later quote the alias as they rewrite. */
	{ "member_dropped_quoted", LEADER "DMS_GROUP=\"f\":2,5#-\n" FIVE,
	  OWNED, NULL },
	/* Not when the alias too, the user data or a new member differs. */
	{ "dropped_and_renamed", LEADER "DMS_GROUP=g:2,5#-\n", FOREIGN, NULL },
	{ "dropped_and_other_user_aux", LEADER "DMS_GROUP=f:2,5#x\n", FOREIGN,
	  NULL },
	{ "dropped_and_new_member", LEADER "DMS_GROUP=f:2,4#-\n", FOREIGN,
	  NULL },
	/* dm_stats_set_alias renames the group: the same members. */
	{ "renamed", LEADER "DMS_GROUP=g:2-3,5#-\n" THREE FIVE, OWNED, NULL },
	{ "renamed_quoted", LEADER "DMS_GROUP=\"new name\":2-3,5#-\n" THREE
	  FIVE, OWNED, NULL },
	/* A new alias with other user data or members is another group. */
	{ "renamed_and_other_user_aux", LEADER "DMS_GROUP=g:2-3,5#x\n",
	  FOREIGN, NULL },
	{ "renamed_and_new_member", LEADER "DMS_GROUP=g:2-3,5-6#-\n", FOREIGN,
	  NULL },
	/* The same members at other places are someone else's too. */
	{ "renamed_members_elsewhere", LEADER "DMS_GROUP=g:2-3,5#-\n" THREE
	  "5: 900+16 8 dmstats -\n", FOREIGN, "region 5 lies at 900+16" },
	{ "ungrouped", THREE, UNGROUPED, NULL },
	{ "ungrouped_leader", LEADER "-\n" THREE, UNGROUPED, NULL },
	/* Another group made at once for another file took the id. */
	{ "new_group_at_the_id", "2: 900+8 8 dmstats DMS_GROUP=g:2#-\n",
	  FOREIGN, "its descriptor is 'DMS_GROUP=g:2#-'" },
	/* Even under the same alias and members: the leader lies elsewhere. */
	{ "same_group_elsewhere", "2: 900+8 8 dmstats " DESCRIPTOR "\n" THREE
	  FIVE, FOREIGN, "region 2 lies at 900+8, not at 100+8" },
	/* Region 5 went, and a stranger's region took its id. */
	{ "member_not_known", LEADER DESCRIPTOR "\n" THREE
	  "5: 700+8 8 dmstats -\n", FOREIGN, "region 5 lies at 700+8" },
	{ "leader_program_changed", "2: 100+8 8 other " DESCRIPTOR "\n" THREE,
	  FOREIGN, "program 'other'" },
	{ "leader_options_changed", LEADER DESCRIPTOR " precise_timestamps\n"
	  THREE, FOREIGN, "precise_timestamps" },
	{ "unreadable_descriptor", LEADER "DMS_GROUP=f:x#-\n", FOREIGN,
	  "cannot be read" },
};

/* A group named by its id is taken only when it counts only the file's data. */
static const struct range file_ranges[] = {
	{ 100, 8 }, { 200, 8 }, { 300, 32 },
};

/* The first of a group's members outside the file (n_members: none is). */
static const struct outside_case {
	const char *name;
	const struct region *members;
	size_t n_members, n_file, first_outside;
} outsides[] = {
	{ "all_inside", (const struct region[]){
	  { .id = 2, .start = 100, .len = 8 },
	  { .id = 3, .start = 200, .len = 8 },
	  { .id = 5, .start = 300, .len = 16 },
	  { .id = 6, .start = 316, .len = 16 } }, 4, 3, 4 },
	{ "past_the_end", (const struct region[]){
	  { .id = 2, .start = 100, .len = 8 },
	  { .id = 5, .start = 320, .len = 16 } }, 2, 3, 1 },
	{ "between_ranges", (const struct region[]){
	  { .id = 4, .start = 108, .len = 8 } }, 1, 3, 0 },
	{ "before_a_range", (const struct region[]){
	  { .id = 1, .start = 96, .len = 8 } }, 1, 3, 0 },
	{ "file_empty", (const struct region[]){
	  { .id = 2, .start = 100, .len = 8 } }, 1, 0, 0 },
};

static const struct tag_case {
	const char *name;
	uint64_t leader, ino;
	const char *tag;
} tags[] = {
	{ "small", 2, 1234, "dmfilemapd:2:1234" },
	{ "largest", UINT64_MAX, UINT64_MAX,
	  "dmfilemapd:18446744073709551615:18446744073709551615" },
};

static void
run_verdict_case(void **state)
{
	const struct verdict_case *c = *state;
	struct listing l;
	struct fault why = { "" };

	assert_int_equal(listing_parse(c->listing, &l), 0);
	assert_int_equal(ownership_check(&l, &KNOWN, &why), c->verdict);
	if (c->why_part != NULL)
		assert_non_null(strstr(why.line, c->why_part));
	listing_free(&l);
}

static void
run_outside_case(void **state)
{
	const struct outside_case *c = *state;

	assert_int_equal(ownership_outside_file(c->members, c->n_members,
	    file_ranges, c->n_file), c->first_outside);
}

static void
run_tag_case(void **state)
{
	const struct tag_case *c = *state;
	char tag[OWNERSHIP_TAG_MAX];

	ownership_tag(tag, sizeof(tag), c->leader, c->ino);
	assert_string_equal(tag, c->tag);
}

/*
 * The group --create would make for the file, found again: the lowest
 * leader of the program, options and alias asked for whose members all
 * lie within the file's data.
 */
static void
test_file_group(void **state)
{
	static const struct range file[] = { { 100, 8 }, { 200, 16 } };
	static const struct file_group_settings want = { "dmstats", "", "f" };
	static const struct file_group_settings timed = {
		"dmstats", "histogram:1,2", "f" };
	struct listing l;
	uint64_t id = 99;

	(void)state;
	assert_int_equal(listing_parse(
	    /* Another file's group, then one reaching past the file. */
	    "0: 500+8 8 dmstats DMS_GROUP=f:0#-\n"
	    "1: 100+8 8 dmstats DMS_GROUP=f:1-2#-\n"
	    "2: 216+8 8 dmstats -\n"
	    /* Right place, other alias; other program; other settings. */
	    "3: 100+8 8 dmstats DMS_GROUP=g:3#-\n"
	    "4: 100+8 8 other DMS_GROUP=f:4#-\n"
	    "5: 100+8 8 dmstats DMS_GROUP=\"f\":5-6#- histogram:1,2\n"
	    "6: 200+8 8 dmstats -\n"
	    /* The file's own, quoted as 1.02.197 and later write it. */
	    "7: 100+8 8 dmstats DMS_GROUP=\"f\":7-8#-\n"
	    "8: 208+8 8 dmstats -\n"
	    "9: 200+8 8 dmstats DMS_GROUP=f:9#-\n", &l), 0);
	assert_int_equal(ownership_file_group(&l, file, 2, &want, &id),
	    FILE_GROUP_FOUND);
	assert_int_equal(id, 7);
	assert_int_equal(ownership_file_group(&l, file, 2, &timed, &id),
	    FILE_GROUP_FOUND);
	assert_int_equal(id, 5);
	listing_free(&l);
	/* A member missing: not a whole group, not the file's. */
	assert_int_equal(listing_parse("7: 100+8 8 dmstats DMS_GROUP=f:7-8#-\n",
	    &l), 0);
	assert_int_equal(ownership_file_group(&l, file, 2, &want, &id),
	    FILE_GROUP_NONE);
	listing_free(&l);
	/* A member that leads nothing is no leader. */
	assert_int_equal(listing_parse("7: 100+8 8 dmstats -\n"
	    "8: 208+8 8 dmstats DMS_GROUP=f:7-8#-\n", &l), 0);
	assert_int_equal(ownership_file_group(&l, file, 2, &want, &id),
	    FILE_GROUP_NONE);
	listing_free(&l);
}

/*
 * Orphans carry this group's tag and no descriptor names them: neither a
 * tagged member of this group or of another, nor another group's or
 * another file's tagged region, nor an untagged stray.
 */
static void
test_orphans(void **state)
{
	struct listing l;
	uint64_t orphans[16];

	(void)state;
	assert_int_equal(listing_parse(
	    "1: 50+8 8 dmstats dmfilemapd:2:77\n"
	    "2: 100+8 8 dmstats " DESCRIPTOR "\n"
	    "3: 200+8 8 dmstats dmfilemapd:2:77\n"
	    "4: 250+8 8 dmstats dmfilemapd:9:77\n"
	    "6: 400+8 8 dmstats dmfilemapd:2:78\n"
	    "7: 500+8 8 dmstats -\n"
	    "8: 600+8 8 dmstats dmfilemapd:2:77\n"
	    "9: 700+8 8 other DMS_GROUP=g:9-10#-\n"
	    "10: 800+8 8 dmstats dmfilemapd:2:77\n", &l), 0);
	assert_int_equal(ownership_orphans(&l, "dmfilemapd:2:77", orphans), 2);
	assert_int_equal(orphans[0], 1);
	assert_int_equal(orphans[1], 8);
	listing_free(&l);
}

/* A descriptor nobody can read might name anything: no orphan then. */
static void
test_no_orphans_beside_an_unreadable_descriptor(void **state)
{
	struct listing l;
	uint64_t orphans[4];

	(void)state;
	assert_int_equal(listing_parse(
	    "1: 50+8 8 dmstats dmfilemapd:2:77\n"
	    "2: 100+8 8 dmstats DMS_GROUP=f:1-x#-\n", &l), 0);
	assert_int_equal(ownership_orphans(&l, "dmfilemapd:2:77", orphans), -1);
	assert_int_equal(errno, EBADMSG);
	listing_free(&l);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_group),
		cmocka_unit_test(test_orphans),
		cmocka_unit_test(test_no_orphans_beside_an_unreadable_descriptor),
	};
	static const struct table tables[] = {
		TABLE("verdict", verdicts, run_verdict_case),
		TABLE("outside_file", outsides, run_outside_case),
		TABLE("tag", tags, run_tag_case),
	};

	return run_with_tables(tests, COUNT(tests), tables, COUNT(tables));
}
