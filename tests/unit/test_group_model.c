/*
 * Whole sequences of passes through the daemon's real group and sync code
 * (group.c, apply.c, sync.c, stats.c, plan.c, ownership.c) against the
 * in-memory dm-stats kernel of model.c.  After every pass each scenario
 * compares the kernel's whole @stats_list (ids, ranges, program ids,
 * descriptor text, tags, options) and the reads each region counted with
 * what they must be.  The file is an inode of number INO whose extents
 * each pass sets by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "apply.h"
#include "clock.h"
#include "group.h"
#include "listshare.h"
#include "model.h"
#include "sync.h"

#define INO 7
#define CAP 64
#define MAX_RANGES 8

struct bed {
	struct model k;
	struct stats_device dev;
	struct group g;
	struct sync s;
	struct file_map layout;	/* the file's extents, set by hand */
	msec_t now;
	int opened;
};

static int
setup(void **state)
{
	struct bed *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return -1;
	model_init(&b->k, &b->dev);
	b->now = 1000000;
	*state = b;
	return 0;
}

static int
teardown(void **state)
{
	struct bed *b = *state;

	if (b->opened) {
		group_close(&b->g);
		sync_free(&b->s);
		file_map_free(&b->layout);
	} else {
		stats_device_close(&b->dev);
	}
	free(b);
	return 0;
}

/*
 * What `dmstats create --filemap` leaves: one region per range, program
 * dmstats, the descriptor on the lowest.  Returns the group's id.
 */
static uint64_t
filemap(struct bed *b, const char *alias_and_aux, const char *options,
    const struct range *ranges, size_t n)
{
	char aux[4400], *hash;
	uint64_t first = 0, last = 0, id;
	size_t i;

	for (i = 0; i < n; i++) {
		id = model_create(&b->k, ranges[i].start, ranges[i].len,
		    "dmstats", "-", options);
		if (i == 0)
			first = id;
		last = id;
	}
	/* alias_and_aux is "ALIAS#USER": the member list goes between. */
	hash = strchr(alias_and_aux, '#');
	if (first == last)
		snprintf(aux, sizeof(aux), "DMS_GROUP=%.*s:%ju%s",
		    (int)(hash - alias_and_aux), alias_and_aux, first, hash);
	else
		snprintf(aux, sizeof(aux), "DMS_GROUP=%.*s:%ju-%ju%s",
		    (int)(hash - alias_and_aux), alias_and_aux, first, last,
		    hash);
	model_set_aux(&b->k, first, aux);
	return first;
}

static void
open_group(struct bed *b, uint64_t id)
{
	struct fault f;

	assert_int_equal(group_open(&b->g, &b->dev, "GROUP_ID", id, INO, &f),
	    0);
	sync_init(&b->s, CAP, "/f");
	b->opened = 1;
}

/* Whether a pass checks the group, or only follows the layout. */
enum check {
	LAYOUT_ONLY,
	CHECK_GROUP,
};

/* One pass over the file as ranges. */
static enum pass_result
pass(struct bed *b, enum check check, const struct range *ranges, size_t n)
{
	struct range *copy = malloc((n + 1) * sizeof(*ranges));
	bool checked;

	assert_non_null(copy);
	if (n > 0)
		memcpy(copy, ranges, n * sizeof(*ranges));
	file_map_take_ranges(&b->layout, copy, n);
	b->now += 1000;
	return sync_pass(&b->s, &b->g, &b->layout, &(struct pass_request){
	    .check_group = check == CHECK_GROUP, .listing = LISTING_FRESH,
	    .now = b->now }, &checked);
}

/*
 * The kernel's whole region list must be want, and the reads its regions
 * counted reads ("ID=READS ..." for every region, by id).
 */
static void
expect(const struct bed *b, const char *want, const char *reads)
{
	char *got = model_list(&b->k), counted[1024] = "";
	size_t id, used = 0;

	assert_string_equal(got, want);
	free(got);
	for (id = 0; id < MODEL_REGIONS; id++)
		if (b->k.regions[id].present)
			used += (size_t)snprintf(counted + used,
			    sizeof(counted) - used, "%s%zu=%ju", used ? " " : "",
			    id, (uintmax_t)b->k.regions[id].reads);
	assert_string_equal(counted, reads);
}

static const struct range ONE[] = { { 100, 8 } };

/* A group already in step: the first pass lists it and changes nothing. */
static void
test_in_step(void **state)
{
	struct bed *b = *state;
	unsigned long before;

	open_group(b, filemap(b, "f#-", "", ONE, 1));
	model_read(&b->k, 101);
	before = b->k.messages;
	assert_int_equal(pass(b, CHECK_GROUP, ONE, 1), PASS_DONE);
	assert_int_equal(b->k.messages - before, 1);
	expect(b, "0: 100+8 8 dmstats DMS_GROUP=f:0#-\n", "0=1");
	/* Unchanged extents and no check due: the kernel is not asked. */
	assert_int_equal(pass(b, LAYOUT_ONLY, ONE, 1), PASS_DONE);
	assert_int_equal(b->k.messages - before, 1);
}

/* Growth keeps the region and its counters, and adds a tagged one. */
static void
test_growth_keeps_counters(void **state)
{
	struct bed *b = *state;
	const struct range grown[] = { { 100, 16 } };
	const struct range more[] = { { 100, 24 } };

	open_group(b, filemap(b, "f#-", "", ONE, 1));
	model_read(&b->k, 101);
	model_read(&b->k, 102);
	assert_int_equal(pass(b, CHECK_GROUP, grown, 1), PASS_DONE);
	expect(b, "0: 100+8 8 dmstats DMS_GROUP=f:0-1#-\n"
	    "1: 108+8 8 dmstats dmfilemapd:0:7\n", "0=2 1=0");
	model_read(&b->k, 110);
	assert_int_equal(pass(b, LAYOUT_ONLY, more, 1), PASS_DONE);
	expect(b, "0: 100+8 8 dmstats DMS_GROUP=f:0-2#-\n"
	    "1: 108+8 8 dmstats dmfilemapd:0:7\n"
	    "2: 116+8 8 dmstats dmfilemapd:0:7\n", "0=2 1=1 2=0");
}

/* A hole punched in the leader's range: new regions, the group moves. */
static void
test_punch(void **state)
{
	struct bed *b = *state;
	const struct range two[] = { { 100, 16 }, { 300, 8 } };
	const struct range punched[] = { { 100, 4 }, { 108, 8 }, { 300, 8 } };

	open_group(b, filemap(b, "f#-", "", two, 2));
	model_read(&b->k, 101);
	model_read(&b->k, 301);
	assert_int_equal(pass(b, CHECK_GROUP, punched, 3), PASS_DONE);
	expect(b, "1: 300+8 8 dmstats DMS_GROUP=f:1-3#-\n"
	    "2: 100+4 4 dmstats dmfilemapd:0:7\n"
	    "3: 108+8 8 dmstats dmfilemapd:0:7\n", "1=1 2=0 3=0");
	assert_int_equal(b->g.id, 1);
}

/* Truncation drops a member: tagged for the group, then deleted. */
static void
test_truncate(void **state)
{
	struct bed *b = *state;
	const struct range two[] = { { 100, 8 }, { 300, 8 } };

	open_group(b, filemap(b, "f#-", "", two, 2));
	model_read(&b->k, 101);
	model_read(&b->k, 301);
	b->k.fail_prefix = "@stats_delete";
	assert_int_equal(pass(b, CHECK_GROUP, ONE, 1), PASS_FAILED);
	/* The delete failed: the leaving member is tagged, the group valid. */
	expect(b, "0: 100+8 8 dmstats DMS_GROUP=f:0#-\n"
	    "1: 300+8 8 dmstats dmfilemapd:0:7\n", "0=1 1=1");
	b->k.fail_prefix = NULL;
	/* What a killed daemon leaves, the next one sweeps. */
	group_sweep(&b->g);
	expect(b, "0: 100+8 8 dmstats DMS_GROUP=f:0#-\n", "0=1");
}

/* Deleted, ungrouped or replaced by another process: ended, untouched. */
static void
test_group_gone(void **state)
{
	struct bed *b = *state;
	const struct range other[] = { { 900, 8 } };

	open_group(b, filemap(b, "f#-", "", ONE, 1));
	model_read(&b->k, 101);
	model_set_aux(&b->k, 0, "-");
	assert_int_equal(pass(b, CHECK_GROUP, ONE, 1), PASS_GROUP_ENDED);
	expect(b, "0: 100+8 8 dmstats -\n", "0=1");
	model_delete(&b->k, 0);
	assert_int_equal(pass(b, CHECK_GROUP, ONE, 1), PASS_GROUP_ENDED);
	expect(b, "", "");
	/* Another file's group now has the id, under the same alias even. */
	filemap(b, "f#-", "", other, 1);
	assert_int_equal(pass(b, CHECK_GROUP, ONE, 1), PASS_GROUP_ENDED);
	expect(b, "0: 900+8 8 dmstats DMS_GROUP=f:0#-\n", "0=0");
}

/*
 * A member deleted by another process is covered again, once a look a
 * moment later finds no more gone.
 */
static void
test_member_deleted(void **state)
{
	struct bed *b = *state;
	const struct range two[] = { { 100, 8 }, { 300, 8 } };

	open_group(b, filemap(b, "f#-", "", two, 2));
	model_read(&b->k, 101);
	model_read(&b->k, 301);
	assert_int_equal(pass(b, CHECK_GROUP, two, 2), PASS_DONE);
	expect(b, "0: 100+8 8 dmstats DMS_GROUP=f:0-1#-\n"
	    "1: 300+8 8 dmstats -\n", "0=1 1=1");
	model_delete(&b->k, 1);
	assert_int_equal(pass(b, CHECK_GROUP, two, 2), PASS_AGAIN);
	expect(b, "0: 100+8 8 dmstats DMS_GROUP=f:0-1#-\n", "0=1");
	assert_int_equal(pass(b, LAYOUT_ONLY, two, 2), PASS_DONE);
	expect(b, "0: 100+8 8 dmstats DMS_GROUP=f:0-1#-\n"
	    "1: 300+8 8 dmstats dmfilemapd:0:7\n", "0=1 1=0");
}

/*
 * `dmstats delete --groupid` deletes the members one by one, rewriting
 * the descriptor, then the leader: passes in between bring nothing back.
 */
static void
test_deleted_member_by_member(void **state)
{
	struct bed *b = *state;
	const struct range three[] = { { 100, 8 }, { 300, 8 }, { 500, 8 } };

	open_group(b, filemap(b, "f#-", "", three, 3));
	assert_int_equal(pass(b, CHECK_GROUP, three, 3), PASS_DONE);
	model_delete(&b->k, 2);
	model_set_aux(&b->k, 0, "DMS_GROUP=f:0-1#-");
	assert_int_equal(pass(b, CHECK_GROUP, three, 3), PASS_AGAIN);
	model_delete(&b->k, 1);
	model_set_aux(&b->k, 0, "DMS_GROUP=f:0#-");
	assert_int_equal(pass(b, LAYOUT_ONLY, three, 3), PASS_AGAIN);
	model_delete(&b->k, 0);
	assert_int_equal(pass(b, LAYOUT_ONLY, three, 3), PASS_GROUP_ENDED);
	expect(b, "", "");
}

/*
 * A check that finds the rows as the last one did takes the group as it
 * knows it, but not after writes of its own: here another process undoes
 * them to the very rows of before, and the region must come back.
 */
static void
test_own_writes_undone(void **state)
{
	struct bed *b = *state;
	const struct range grown[] = { { 100, 16 } };

	open_group(b, filemap(b, "f#-", "", ONE, 1));
	assert_int_equal(pass(b, CHECK_GROUP, ONE, 1), PASS_DONE);
	assert_int_equal(pass(b, CHECK_GROUP, grown, 1), PASS_DONE);
	expect(b, "0: 100+8 8 dmstats DMS_GROUP=f:0-1#-\n"
	    "1: 108+8 8 dmstats dmfilemapd:0:7\n", "0=0 1=0");
	model_delete(&b->k, 1);
	model_set_aux(&b->k, 0, "DMS_GROUP=f:0#-");
	assert_int_equal(pass(b, CHECK_GROUP, grown, 1), PASS_AGAIN);
	assert_int_equal(pass(b, CHECK_GROUP, grown, 1), PASS_DONE);
	expect(b, "0: 100+8 8 dmstats DMS_GROUP=f:0-1#-\n"
	    "1: 108+8 8 dmstats dmfilemapd:0:7\n", "0=0 1=0");
}

/* A new region that gets an id below the leader's takes the descriptor. */
static void
test_leader_below(void **state)
{
	struct bed *b = *state;
	const struct range grown[] = { { 100, 16 } };

	model_create(&b->k, 5000, 8, "other", "-", "");
	open_group(b, filemap(b, "f#-", "", ONE, 1));
	model_delete(&b->k, 0);
	model_read(&b->k, 101);
	assert_int_equal(pass(b, CHECK_GROUP, grown, 1), PASS_DONE);
	expect(b, "0: 108+8 8 dmstats DMS_GROUP=f:0-1#-\n"
	    "1: 100+8 8 dmstats -\n", "0=0 1=1");
	assert_int_equal(b->g.id, 0);
}

/*
 * The alias, blanks and all, and the user's aux_data are kept verbatim: a
 * quoted alias with a blank stays quoted where the library writes bare
 * ones, which could not hold it.
 */
static void
test_alias_and_user_aux(void **state)
{
	struct bed *b = *state;
	const struct range grown[] = { { 100, 16 } };

	open_group(b, filemap(b, "\"my file\"#note: keep me", "", ONE, 1));
	model_read(&b->k, 101);
	assert_int_equal(pass(b, CHECK_GROUP, grown, 1), PASS_DONE);
	expect(b, "0: 100+8 8 dmstats DMS_GROUP=\"my file\":0-1#note: keep me\n"
	    "1: 108+8 8 dmstats dmfilemapd:0:7\n", "0=1 1=0");
}

/*
 * A descriptor the daemon rewrites is in the installed library's form,
 * the one its dmstats reads: a bare alias is quoted on 1.02.197 and later.
 */
static void
test_rewritten_in_library_form(void **state)
{
	struct bed *b = *state;
	const struct range grown[] = { { 100, 16 } };

	b->dev.alias_form = ALIAS_QUOTED;
	open_group(b, filemap(b, "f#-", "", ONE, 1));
	assert_int_equal(pass(b, CHECK_GROUP, grown, 1), PASS_DONE);
	expect(b, "0: 100+8 8 dmstats DMS_GROUP=\"f\":0-1#-\n"
	    "1: 108+8 8 dmstats dmfilemapd:0:7\n", "0=0 1=0");
}

/* A group renamed by dm_stats_set_alias is followed under its new name. */
static void
test_renamed_group_followed(void **state)
{
	struct bed *b = *state;
	const struct range two[] = { { 100, 8 }, { 200, 8 } };
	const struct range grown[] = { { 100, 8 }, { 200, 16 } };

	b->dev.alias_form = ALIAS_QUOTED;
	open_group(b, filemap(b, "\"old\"#-", "", two, 2));
	model_set_aux(&b->k, 0, "DMS_GROUP=\"new name\":0-1#-");
	model_read(&b->k, 201);
	assert_int_equal(pass(b, CHECK_GROUP, grown, 2), PASS_DONE);
	expect(b, "0: 100+8 8 dmstats DMS_GROUP=\"new name\":0-2#-\n"
	    "1: 200+8 8 dmstats -\n"
	    "2: 208+8 8 dmstats dmfilemapd:0:7\n", "0=0 1=1 2=0");
	assert_string_equal(b->g.alias, "new name");
}

/* New members count like the leader: precise timestamps, same histogram. */
static void
test_settings_copied(void **state)
{
	struct bed *b = *state;
	const struct range grown[] = { { 100, 16 } };

	open_group(b, filemap(b, "f#-", "precise_timestamps histogram:10,20",
	    ONE, 1));
	model_read(&b->k, 101);
	assert_int_equal(pass(b, CHECK_GROUP, grown, 1), PASS_DONE);
	expect(b, "0: 100+8 8 dmstats DMS_GROUP=f:0-1#- "
	    "precise_timestamps histogram:10,20\n"
	    "1: 108+8 8 dmstats dmfilemapd:0:7 "
	    "precise_timestamps histogram:10,20\n", "0=1 1=0");
}

/* Other programs' regions and other groups are never touched. */
static void
test_foreign_untouched(void **state)
{
	struct bed *b = *state;
	const struct range theirs[] = { { 700, 8 }, { 800, 8 } };
	const struct range grown[] = { { 100, 16 } };
	uint64_t gid;

	model_create(&b->k, 100, 64, "other", "mine", "");
	filemap(b, "g#-", "", theirs, 2);
	gid = filemap(b, "f#-", "", ONE, 1);
	model_read(&b->k, 105);
	open_group(b, gid);
	assert_int_equal(pass(b, CHECK_GROUP, grown, 1), PASS_DONE);
	assert_int_equal(pass(b, CHECK_GROUP, ONE, 1), PASS_DONE);
	/* The read at 105 counts for both regions over it. */
	expect(b, "0: 100+64 64 other mine\n"
	    "1: 700+8 8 dmstats DMS_GROUP=g:1-2#-\n"
	    "2: 800+8 8 dmstats -\n"
	    "3: 100+8 8 dmstats DMS_GROUP=f:3#-\n", "0=1 1=0 2=0 3=1");
}

/* Only this group's tagged leftovers are swept, nothing else. */
static void
test_sweep(void **state)
{
	struct bed *b = *state;

	open_group(b, filemap(b, "f#-", "", ONE, 1));
	model_read(&b->k, 101);
	model_create(&b->k, 200, 8, "dmstats", "dmfilemapd:0:7", "");
	model_create(&b->k, 300, 8, "dmstats", "dmfilemapd:0:8", "");
	model_create(&b->k, 400, 8, "dmstats", "dmfilemapd:9:7", "");
	model_create(&b->k, 500, 8, "dmstats", "-", "");
	group_sweep(&b->g);
	expect(b, "0: 100+8 8 dmstats DMS_GROUP=f:0#-\n"
	    "2: 300+8 8 dmstats dmfilemapd:0:8\n"
	    "3: 400+8 8 dmstats dmfilemapd:9:7\n"
	    "4: 500+8 8 dmstats -\n", "0=1 2=0 3=0 4=0");
}

/* A descriptor that cannot be written undoes the pass's creates. */
static void
test_descriptor_write_fails(void **state)
{
	struct bed *b = *state;
	const struct range grown[] = { { 100, 16 } };

	open_group(b, filemap(b, "f#-", "", ONE, 1));
	model_read(&b->k, 101);
	b->k.fail_prefix = "@stats_set_aux 0 DMS";
	assert_int_equal(pass(b, CHECK_GROUP, grown, 1), PASS_FAILED);
	expect(b, "0: 100+8 8 dmstats DMS_GROUP=f:0#-\n", "0=1");
	b->k.fail_prefix = NULL;
	assert_int_equal(pass(b, CHECK_GROUP, grown, 1), PASS_DONE);
	expect(b, "0: 100+8 8 dmstats DMS_GROUP=f:0-1#-\n"
	    "1: 108+8 8 dmstats dmfilemapd:0:7\n", "0=1 1=0");
}

/* A descriptor past libdevmapper's list row is never written. */
static void
test_row_guard(void **state)
{
	struct bed *b = *state;
	const struct range grown[] = { { 100, 16 } };
	char alias[4096], want[4200];
	int n;

	/* The leader's row, newline included, one character short of 4096. */
	n = 4095 - (int)strlen("0: 100+8 8 dmstats DMS_GROUP=:0#-\n");
	memset(alias, 'a', (size_t)n);
	strcpy(alias + n, "#-");
	open_group(b, filemap(b, alias, "", ONE, 1));
	model_read(&b->k, 101);
	snprintf(want, sizeof(want), "0: 100+8 8 dmstats DMS_GROUP=%.*s:0#-\n",
	    n, alias);
	assert_int_equal(strlen(want), 4095);
	assert_int_equal(pass(b, CHECK_GROUP, grown, 1), PASS_FAILED);
	/* The region made for the growth was deleted again. */
	expect(b, want, "0=1");
	assert_int_equal(b->k.creates, 2);
}

/* The file emptied for good: after the grace time its group is removed. */
static void
test_file_empty(void **state)
{
	struct bed *b = *state;
	const struct range two[] = { { 100, 8 }, { 300, 8 } };

	open_group(b, filemap(b, "f#-", "", two, 2));
	model_read(&b->k, 101);
	assert_int_equal(pass(b, CHECK_GROUP, NULL, 0), PASS_AGAIN);
	expect(b, "0: 100+8 8 dmstats DMS_GROUP=f:0-1#-\n"
	    "1: 300+8 8 dmstats -\n", "0=1 1=0");
	assert_int_equal(pass(b, CHECK_GROUP, NULL, 0), PASS_FILE_EMPTY);
	expect(b, "", "");
}

/*
 * Past the cap, an extent's regions merge down to half the cap: with a cap
 * of 2, the third region of a growing extent makes all three one new
 * region, whose counters start anew.
 */
static void
test_merge_past_cap(void **state)
{
	struct bed *b = *state;
	const struct range twice[] = { { 100, 16 } };
	const struct range thrice[] = { { 100, 24 } };

	open_group(b, filemap(b, "f#-", "", ONE, 1));
	b->s.cap = 2;
	model_read(&b->k, 100);
	assert_int_equal(pass(b, LAYOUT_ONLY, twice, 1), PASS_DONE);
	expect(b, "0: 100+8 8 dmstats DMS_GROUP=f:0-1#-\n"
	    "1: 108+8 8 dmstats dmfilemapd:0:7\n", "0=1 1=0");
	assert_int_equal(pass(b, LAYOUT_ONLY, thrice, 1), PASS_DONE);
	expect(b, "2: 100+24 24 dmstats DMS_GROUP=f:2#-\n", "2=0");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_in_step, setup, teardown),
		cmocka_unit_test_setup_teardown(test_growth_keeps_counters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_punch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_member_deleted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted_member_by_member, setup, teardown),
		cmocka_unit_test_setup_teardown(test_own_writes_undone,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_leader_below, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alias_and_user_aux, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rewritten_in_library_form, setup, teardown),
		cmocka_unit_test_setup_teardown(test_renamed_group_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_settings_copied, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_untouched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_descriptor_write_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_row_guard, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_past_cap, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
