/*
 * One sync pass: the group brought in line with the file's extents, which
 * the caller has just read.  The pass decides nothing about when it runs
 * again: it says what happened, and the event loop schedules.
 */
#ifndef DMFILEMAPD_SYNC_H
#define DMFILEMAPD_SYNC_H

#include <stdbool.h>

#include "clock.h"
#include "fiemap.h"
#include "group.h"
#include "listshare.h"

#define EMPTY_GRACE_MS	1000	/* how long the file may stay without data */

struct sync {
	struct file_map synced;	/* as the group was last made to match */
	bool have_synced;
	unsigned long synced_gen; /* the group's members_gen as the last pass left it */
	bool group_known;	/* the group is as the last pass left it */
	unsigned int cap;	/* regions per extent */
	msec_t empty_since;	/* since when the file has looked empty, or NEVER */
	bool members_going;	/* others were deleting members: check again */
	const char *path;	/* the file's name, for messages */
};

/* What the loop asks of one pass. */
struct pass_request {
	bool check_group;	/* re-read the group, whatever the layout */
	struct listing_need listing;	/* the listing a check needs */
	bool control_watched;	/* the loop hears of others' use of
				   device-mapper, and then calls
				   sync_forget_group */
	msec_t now;
};

enum pass_result {
	PASS_DONE,		/* the group matches the file */
	PASS_AGAIN,		/* look again soon: data awaits allocation, the
				   file has just become empty, or another
				   process is deleting the group's members */
	PASS_FAILED,		/* a step failed (logged): try again later */
	PASS_GROUP_ENDED,	/* deleted, ungrouped, or no longer this
				   daemon's: left untouched (logged) */
	PASS_FILE_EMPTY,	/* the file stayed without data: the group was
				   removed (logged) */
};

void sync_init(struct sync *s, unsigned int cap, const char *path);
void sync_free(struct sync *s);

/*
 * Another process may have changed the group: the next pass reads it
 * again before planning.
 */
void sync_forget_group(struct sync *s);

/*
 * The next pass plans from the whole layout, not from its change since
 * the last one: the file was replaced, or a full sync was asked for.
 */
void sync_forget_layout(struct sync *s);

/* The layout the group was last made to match, or NULL when none is. */
const struct file_map *sync_layout(const struct sync *s);

/*
 * Whether a pass over layout with a group check or not would look at the
 * group, and so may list the regions: the file changed since the group was
 * last made to match, it has no data, members went, or check_group.
 */
bool sync_looks_at_group(const struct sync *s, const struct file_map *layout,
    bool check_group);

/*
 * When layout, the file's extents as the caller has just read them,
 * changed since the group was last made to match, or when a group check
 * is asked for, re-reads the group and applies the plan.  A pass that
 * makes the group match layout keeps it, and leaves in layout a buffer
 * to read the next one into.  *checked says whether the group was found
 * in step.
 */
enum pass_result sync_pass(struct sync *s, struct group *g,
    struct file_map *layout, const struct pass_request *req, bool *checked);

#endif
