/*
 * Which groups a device's watcher sends their daemons to look at (listdiff.c):
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

#include "listdiff.h"
#include "table.h"

/* Two groups (leaders 0 and 3), a lone region 2, another program's 6. */
#define REST \
    "2: 128+8 8 dmstats -\n" \
    "3: 256+8 8 dmstats DMS_GROUP=b:3-5#-\n" \
    "4: 320+8 8 dmstats -\n" \
    "5: 384+8 8 dmstats - precise_timestamps\n" \
    "6: 512+8 8 other user aux with blanks\n"
#define BEFORE \
    "0: 0+8 8 dmstats DMS_GROUP=a:0-1#-\n" \
    "1: 64+8 8 dmstats -\n" \
    REST

static const char before[] = BEFORE;

#define IDS(...) (const uint64_t[]){ __VA_ARGS__ }, \
	COUNT(((const uint64_t[]){ __VA_ARGS__ }))

/*
 * The leaders named for a listing after one before (NULL: nothing to
 * compare); the listing after is before with one row edited, where edit
 * is given ("" deletes the row).
 */
static const struct diff_case {
	const char *name;
	const char *old, *after;
	uint64_t edit_id;
	const char *edit;
	const uint64_t *leaders;
	size_t n_leaders;
} diffs[] = {
	{ "nothing_changed", before, .after = before },
	{ "member_deleted", before, .edit_id = 4, .edit = "", IDS(3) },
	{ "member_options_changed", before, .edit_id = 5,
	  .edit = "5: 384+8 8 dmstats - histogram:1,2", IDS(3) },
	{ "member_grown", before, .edit_id = 1,
	  .edit = "1: 64+16 16 dmstats -", IDS(0) },
	/* A lone region, another program's, and a new one in no group. */
	{ "lone_region_deleted", before, .edit_id = 2, .edit = "" },
	{ "other_program_changed", before, .edit_id = 6,
	  .edit = "6: 512+8 8 other changed" },
	{ "new_region_in_no_group", before,
	  .after = BEFORE "9: 900+8 8 dmstats -\n" },
	/* Ungrouped: only before names the group. */
	{ "ungrouped", before, .edit_id = 3, .edit = "3: 256+8 8 dmstats -",
	  IDS(3) },
	/* The leader deleted and the descriptor moved to region 1. */
	{ "leader_deleted_descriptor_moved", before, .after =
	  "1: 64+8 8 dmstats DMS_GROUP=a:1#-\n" REST, .leaders = IDS(0, 1) },
	/* A new group over the lone region. */
	{ "new_group", before, .edit_id = 2,
	  .edit = "2: 128+8 8 dmstats DMS_GROUP=c:2#-", IDS(2) },
	{ "nothing_to_compare", NULL, .after = before, .leaders = IDS(0, 3) },
	{ "nothing_to_compare_nor_list", NULL, .after = "" },
};

/* before with the row of id replaced by row ("" deletes it). */
static char *
edited(uint64_t id, const char *row)
{
	char *out = malloc(sizeof(before) + strlen(row) + 2), *o = out;
	const char *r = before, *nl;
	char prefix[24];

	assert_non_null(out);
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

static void
run_diff_case(void **state)
{
	const struct diff_case *c = *state;
	char *after = c->edit ? edited(c->edit_id, c->edit) : NULL;
	const char *text = after ? after : c->after;
	uint64_t *leaders = NULL;
	size_t n = 99, i;

	assert_int_equal(listdiff_changed_groups(c->old, c->old ?
	    strlen(c->old) : 0, text, strlen(text), &leaders, &n), 0);
	assert_int_equal(n, c->n_leaders);
	for (i = 0; i < n; i++)
		assert_int_equal(leaders[i], c->leaders[i]);
	free(leaders);
	free(after);
}

int
main(void)
{
	static const struct table tables[] = {
		TABLE("changed_groups", diffs, run_diff_case),
	};

	return run_with_tables(NULL, 0, tables, COUNT(tables));
}
