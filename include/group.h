/*
 * A dm-stats region group on the file's device, read and written through
 * dm-stats messages (stats.h).
 */
#ifndef DMFILEMAPD_GROUP_H
#define DMFILEMAPD_GROUP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "fault.h"
#include "listshare.h"
#include "plan.h"
#include "stats.h"

struct group {
	struct stats_device dev;
	uint64_t id;		/* the leader's region id, which is the group id */
	char *program_id;	/* the leader's, given to new members */
	const char *share_dir;	/* where listings are shared (listshare.h), or NULL */
	char *create_options;	/* the leader's "precise_timestamps histogram:..." */
	int n_create_options;
	char *alias;		/* without quotes */
	enum alias_form alias_form; /* how the descriptor last read wrote it */
	char *user_aux;		/* the leader's own aux_data after '#', or NULL */
	char *descriptor;	/* the leader's aux_data as last read or written */
	uint64_t file_ino;	/* the followed file's inode, named in new regions' tags */
	struct region *members;	/* as of the last group_refresh, ascending id */
	size_t n_members;
	size_t n_listed;	/* member ids the descriptor names */
	size_t n_lost;		/* members the last group_refresh found gone */
	unsigned long members_gen; /* changes whenever the members do */
	char *seen_rows;	/* the rows the last check found the group in, or NULL */
	size_t seen_len;
};

enum group_state {
	GROUP_PRESENT,
	GROUP_GONE,		/* deleted or ungrouped by someone else */
	GROUP_FOREIGN,		/* the id now leads a group this daemon did not make */
	GROUP_FAILED,		/* it could not be checked: errno says why */
};

/*
 * Binds to the group whose leader is region id on the open device dev,
 * which it takes over even when it fails (group_close closes it), for the
 * file with inode ino, and takes the group as it is now for its own.
 * Returns 0, or -1 with the refusal in f, naming the id as the argument
 * arg.
 */
int group_open(struct group *g, const struct stats_device *dev,
    const char *arg, uint64_t id, uint64_t ino, struct fault *f);

/*
 * From now on the group's checks share the device's listings with its
 * other daemons through dir (listshare.h); NULL: they share none.
 */
void group_share_listings(struct group *g, const char *dir);

/* The group's id: its leader's region id, which follows the leader. */
uint64_t group_id(const struct group *g);

/* The device the group is on, and its device-mapper name. */
const struct stats_device *group_device(const struct group *g);
const char *group_device_name(const struct group *g);

/*
 * Re-reads the group's members from a listing that need allows (listshare.h),
 * after checking that the group is still the one this daemon knows
 * (ownership.h); rows exactly as the last check found them, with
 * nothing applied since, need no reading.  For GROUP_FOREIGN writes into
 * f what makes the group another's; for GROUP_FAILED errno says why the
 * group could not be checked.  Nothing is logged.
 */
enum group_state group_refresh(struct group *g, struct listing_need need,
    struct fault *f);

/*
 * Fills in the heat of the regions whose ids are listed; 0, or -1 with
 * errno set.
 */
int group_read_heat(const struct group *g, struct region *regions, size_t n,
    const uint64_t *ids, size_t n_ids);

/* Whether the descriptor names regions that no longer exist. */
int group_is_stale(const struct group *g);

void group_close(struct group *g);

#endif
