/*
 * Which groups a device's watcher sends their daemons to look at (survey.c):
 * those naming a region whose row changed, was added or went away, as the
 * listing before or the one after describes them, and no other.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "survey.h"

/* Two groups (leaders 0 and 3), a lone region 2, another program's 6. */
static const char before[] =
    "0: 0+8 8 dmstats DMS_GROUP=a:0-1#-\n"
    "1: 64+8 8 dmstats -\n"
    "2: 128+8 8 dmstats -\n"
    "3: 256+8 8 dmstats DMS_GROUP=b:3-5#-\n"
    "4: 320+8 8 dmstats -\n"
    "5: 384+8 8 dmstats - precise_timestamps\n"
    "6: 512+8 8 other user aux with blanks\n";

/* Leaders named for after, compared with before (NULL: nothing to compare). */
static void
expect(const char *old, const char *after, const uint64_t *want, size_t n_want)
{
	uint64_t *leaders = NULL;
	size_t n = 99, i;

	assert_int_equal(survey_changed_groups(old, old ? strlen(old) : 0,
	    after, strlen(after), &leaders, &n), 0);
	assert_int_equal(n, n_want);
	for (i = 0; i < n; i++)
		assert_int_equal(leaders[i], want[i]);
	free(leaders);
}

/* before with the row of id replaced by row ("" deletes it). */
static char *
edited(uint64_t id, const char *row)
{
	char *out = malloc(sizeof(before) + strlen(row) + 2), *o = out;
	const char *r = before, *nl;
	char prefix[24];

	snprintf(prefix, sizeof(prefix), "%llu: ", (unsigned long long)id);
	for (; *r != '\0'; r = nl + 1) {
		nl = strchr(r, '\n');
		if (strncmp(r, prefix, strlen(prefix)) != 0) {
			memcpy(o, r, (size_t)(nl - r) + 1);
			o += nl - r + 1;
		} else if (*row != '\0') {
			o += sprintf(o, "%s\n", row);
		}
	}
	*o = '\0';
	return out;
}

/* expect() for before with the row of id replaced (see edited). */
static void
expect_edited(uint64_t id, const char *row, const uint64_t *want,
    size_t n_want)
{
	char *after = edited(id, row);

	expect(before, after, want, n_want);
	free(after);
}

static void
test_nothing_changed(void **state)
{
	(void)state;
	expect(before, before, NULL, 0);
}

static void
test_member_changed(void **state)
{
	static const uint64_t b[] = { 3 };
	static const uint64_t a[] = { 0 };

	(void)state;
	expect_edited(4, "", b, 1);
	expect_edited(5, "5: 384+8 8 dmstats - histogram:1,2", b, 1);
	expect_edited(1, "1: 64+16 16 dmstats -", a, 1);
}

static void
test_others_left_alone(void **state)
{
	char *after;

	(void)state;
	/* A lone region, another program's, and a new one in no group. */
	expect_edited(2, "", NULL, 0);
	expect_edited(6, "6: 512+8 8 other changed", NULL, 0);
	after = malloc(sizeof(before) + 40);
	sprintf(after, "%s%s", before, "9: 900+8 8 dmstats -\n");
	expect(before, after, NULL, 0);
	free(after);
}

static void
test_descriptor_changed(void **state)
{
	static const uint64_t b[] = { 3 };
	static const uint64_t moved[] = { 0, 1 };
	static const uint64_t made[] = { 2 };
	static const char moved_after[] =
	    "1: 64+8 8 dmstats DMS_GROUP=a:1#-\n"
	    "2: 128+8 8 dmstats -\n"
	    "3: 256+8 8 dmstats DMS_GROUP=b:3-5#-\n"
	    "4: 320+8 8 dmstats -\n"
	    "5: 384+8 8 dmstats - precise_timestamps\n"
	    "6: 512+8 8 other user aux with blanks\n";

	(void)state;
	/* Ungrouped: only before names the group. */
	expect_edited(3, "3: 256+8 8 dmstats -", b, 1);
	/* The leader deleted and the descriptor moved to region 1. */
	expect(before, moved_after, moved, 2);
	/* A new group over the lone region. */
	expect_edited(2, "2: 128+8 8 dmstats DMS_GROUP=c:2#-", made, 1);
}

static void
test_nothing_to_compare(void **state)
{
	static const uint64_t all[] = { 0, 3 };

	(void)state;
	expect(NULL, before, all, 2);
	expect(NULL, "", NULL, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_changed),
		cmocka_unit_test(test_member_changed),
		cmocka_unit_test(test_others_left_alone),
		cmocka_unit_test(test_descriptor_changed),
		cmocka_unit_test(test_nothing_to_compare),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
