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

/* Checks the verdict on a listing, and that FOREIGN says why. */
static void
expect(const char *text, enum ownership want, const char *why_part)
{
	struct listing l;
	struct fault why = { "" };

	assert_int_equal(listing_parse(text, &l), 0);
	assert_int_equal(ownership_check(&l, &KNOWN, &why), want);
	if (why_part != NULL)
		assert_non_null(strstr(why.line, why_part));
	listing_free(&l);
}

static void
test_owned(void **state)
{
	(void)state;
	expect("0: 0+8 8 other -\n"
	    "2: 100+8 8 dmstats " DESCRIPTOR "\n"
	    "3: 200+8 8 dmstats -\n"
	    "5: 300+16 8 dmstats -\n", OWNED, NULL);
}

/* A member deleted by someone leaves the group ours: its range is re-covered. */
static void
test_member_deleted_still_owned(void **state)
{
	(void)state;
	expect("2: 100+8 8 dmstats " DESCRIPTOR "\n"
	    "5: 300+16 8 dmstats -\n", OWNED, NULL);
}

/* dmstats delete --regionid rewrites the descriptor without the member. */
static void
test_member_dropped_by_dmstats_still_owned(void **state)
{
	(void)state;
	expect("2: 100+8 8 dmstats DMS_GROUP=f:2,5#-\n"
	    "5: 300+16 8 dmstats -\n", OWNED, NULL);
	/* libdevmapper 1.02.197 and later quote the alias as they rewrite it. */
	expect("2: 100+8 8 dmstats DMS_GROUP=\"f\":2,5#-\n"
	    "5: 300+16 8 dmstats -\n", OWNED, NULL);
	/* Not when the alias too, the user data or a new member differs. */
	expect("2: 100+8 8 dmstats DMS_GROUP=g:2,5#-\n", FOREIGN, NULL);
	expect("2: 100+8 8 dmstats DMS_GROUP=f:2,5#x\n", FOREIGN, NULL);
	expect("2: 100+8 8 dmstats DMS_GROUP=f:2,4#-\n", FOREIGN, NULL);
}

/* dm_stats_set_alias renames the group: the same members, a new alias. */
static void
test_renamed_still_owned(void **state)
{
	(void)state;
	expect("2: 100+8 8 dmstats DMS_GROUP=g:2-3,5#-\n"
	    "3: 200+8 8 dmstats -\n"
	    "5: 300+16 8 dmstats -\n", OWNED, NULL);
	expect("2: 100+8 8 dmstats DMS_GROUP=\"new name\":2-3,5#-\n"
	    "3: 200+8 8 dmstats -\n"
	    "5: 300+16 8 dmstats -\n", OWNED, NULL);
	/* A new alias with other user data or members is another group. */
	expect("2: 100+8 8 dmstats DMS_GROUP=g:2-3,5#x\n", FOREIGN, NULL);
	expect("2: 100+8 8 dmstats DMS_GROUP=g:2-3,5-6#-\n", FOREIGN, NULL);
	/* The same members at other places are someone else's too. */
	expect("2: 100+8 8 dmstats DMS_GROUP=g:2-3,5#-\n"
	    "3: 200+8 8 dmstats -\n"
	    "5: 900+16 8 dmstats -\n", FOREIGN, "region 5 lies at 900+16");
}

/* A group named by its id is taken only when it counts only the file's data. */
static void
test_outside_file(void **state)
{
	static const struct range file[] = {
		{ 100, 8 }, { 200, 8 }, { 300, 32 },
	};
	static const struct region inside[] = {
		{ .id = 2, .start = 100, .len = 8 },
		{ .id = 3, .start = 200, .len = 8 },
		{ .id = 5, .start = 300, .len = 16 },
		{ .id = 6, .start = 316, .len = 16 },
	};
	static const struct region past_end[] = {
		{ .id = 2, .start = 100, .len = 8 },
		{ .id = 5, .start = 320, .len = 16 },
	};
	static const struct region between[] = {
		{ .id = 4, .start = 108, .len = 8 },
	};
	static const struct region before[] = {
		{ .id = 1, .start = 96, .len = 8 },
	};

	(void)state;
	assert_int_equal(ownership_outside_file(inside, 4, file, 3), 4);
	assert_int_equal(ownership_outside_file(past_end, 2, file, 3), 1);
	assert_int_equal(ownership_outside_file(between, 1, file, 3), 0);
	assert_int_equal(ownership_outside_file(before, 1, file, 3), 0);
	assert_int_equal(ownership_outside_file(inside, 1, file, 0), 0);
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

static void
test_ungrouped(void **state)
{
	(void)state;
	expect("3: 200+8 8 dmstats -\n", UNGROUPED, NULL);
	expect("2: 100+8 8 dmstats -\n3: 200+8 8 dmstats -\n", UNGROUPED,
	    NULL);
}

/* Another group made at once for another file took the id. */
static void
test_new_group_at_the_id(void **state)
{
	(void)state;
	expect("2: 900+8 8 dmstats DMS_GROUP=g:2#-\n", FOREIGN,
	    "its descriptor is 'DMS_GROUP=g:2#-'");
	/* Even under the same alias and members: the leader lies elsewhere. */
	expect("2: 900+8 8 dmstats " DESCRIPTOR "\n"
	    "3: 200+8 8 dmstats -\n"
	    "5: 300+16 8 dmstats -\n", FOREIGN,
	    "region 2 lies at 900+8, not at 100+8");
}

static void
test_member_not_known(void **state)
{
	(void)state;
	/* Region 5 went, and a stranger's region took its id. */
	expect("2: 100+8 8 dmstats " DESCRIPTOR "\n"
	    "3: 200+8 8 dmstats -\n"
	    "5: 700+8 8 dmstats -\n", FOREIGN, "region 5 lies at 700+8");
}

static void
test_leader_settings_changed(void **state)
{
	(void)state;
	expect("2: 100+8 8 other " DESCRIPTOR "\n"
	    "3: 200+8 8 dmstats -\n", FOREIGN, "program 'other'");
	expect("2: 100+8 8 dmstats " DESCRIPTOR " precise_timestamps\n"
	    "3: 200+8 8 dmstats -\n", FOREIGN, "precise_timestamps");
}

static void
test_unreadable_descriptor(void **state)
{
	(void)state;
	expect("2: 100+8 8 dmstats DMS_GROUP=f:x#-\n", FOREIGN,
	    "cannot be read");
}

static void
test_tag(void **state)
{
	char tag[OWNERSHIP_TAG_MAX];

	(void)state;
	ownership_tag(tag, sizeof(tag), 2, 1234);
	assert_string_equal(tag, "dmfilemapd:2:1234");
	ownership_tag(tag, sizeof(tag), UINT64_MAX, UINT64_MAX);
	assert_string_equal(tag,
	    "dmfilemapd:18446744073709551615:18446744073709551615");
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
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_owned),
		cmocka_unit_test(test_member_deleted_still_owned),
		cmocka_unit_test(test_member_dropped_by_dmstats_still_owned),
		cmocka_unit_test(test_renamed_still_owned),
		cmocka_unit_test(test_outside_file),
		cmocka_unit_test(test_file_group),
		cmocka_unit_test(test_ungrouped),
		cmocka_unit_test(test_new_group_at_the_id),
		cmocka_unit_test(test_member_not_known),
		cmocka_unit_test(test_leader_settings_changed),
		cmocka_unit_test(test_unreadable_descriptor),
		cmocka_unit_test(test_tag),
		cmocka_unit_test(test_orphans),
		cmocka_unit_test(test_no_orphans_beside_an_unreadable_descriptor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
