/*
 * One sync pass: the group brought in line with the file's extents, which
 * the caller has just read.  The pass decides nothing about when it runs
 * again: it says what happened, and the event loop schedules.
 */
#ifndef DMFILEMAPD_SYNC_H
#define DMFILEMAPD_SYNC_H

#include <stdint.h>

#include "fiemap.h"
#include "group.h"

#define EMPTY_GRACE_MS	1000	/* how long the file may stay without data */

struct sync {
	struct file_map map;	/* the file's extents, filled in before each pass */
	struct file_map synced;	/* as the group was last made to match */
	int have_synced;
	unsigned long synced_gen; /* the group's members_gen as the last pass left it */
	int group_known;	/* the group is as the last pass left it */
	int may_know_group;	/* the caller sees other processes' use of
				   device-mapper and clears group_known then */
	int64_t listing_after;	/* a group check needs a listing taken after
				   this (ns, devlist.h): the caller sets it */
	unsigned int cap;	/* regions per extent */
	int64_t empty_since;	/* since when the file has looked empty, or NEVER */
	int members_going;	/* others were deleting members: check again */
	const char *path;	/* the file's name, for messages */
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
 * When s->map changed since the group was last made to match, or when
 * check_group is set, re-reads the group and applies the plan.  *checked
 * says whether the group was found in step.
 */
enum pass_result sync_pass(struct sync *s, struct group *g, int check_group,
    int64_t now, int *checked);

#endif
