/*
 * One watcher per device.  Every daemon used to watch the device-mapper
 * control node, so that one `dmsetup status` woke all G daemons of a
 * device, twice each, to learn that nothing of theirs had changed.  Now
 * the daemons of a device elect one of them, by an exclusive lock on
 * DIR/MAJOR:MINOR.watcher, to watch the node for all.  After each use it
 * lists the device's regions once, compares them with its last listing
 * (survey.h) and prompts, through their claims (claim.h), only the
 * daemons whose groups' rows changed.  The others sleep; they keep the
 * lock file open and watch it close, so that when the watcher exits,
 * however it exits, one of them takes its place.  A daemon that cannot
 * use DIR watches the node alone, as all did before.
 */
#ifndef DMFILEMAPD_WATCHER_H
#define DMFILEMAPD_WATCHER_H

#include <stddef.h>
#include <stdint.h>

#include "stats.h"

struct watcher {
	unsigned int major, minor;	/* the device */
	int lock_fd;		/* the lock file, open, or -1: watching alone */
	int held;		/* this daemon is the device's watcher */
	char *last;		/* the rows of the last survey, or NULL */
	size_t last_len;
};

void watcher_init(struct watcher *w, unsigned int major, unsigned int minor);

/*
 * Opens the device's lock file in dir and takes the watcher's part if no
 * other daemon has it.  Returns whether this daemon watches the node for
 * the device or alone (lock_fd -1), that is whether it must watch it.
 */
int watcher_join(struct watcher *w, const char *dir);

/* The lock file was closed: takes the part if its holder let it go (1). */
int watcher_take_over(struct watcher *w);

/*
 * The watcher's survey: lists the device's regions (devlist.h, a listing
 * taken after taken_after), and prompts the daemon of every group whose
 * rows changed since the last survey but own_id's (which checks its own
 * group after) to check against it; the first survey prompts every
 * group.  Returns 0, or -1 with errno when no listing could be had; a prompt
 * that cannot be sent is logged.
 */
int watcher_survey(struct watcher *w, const struct stats_device *dev,
    const char *dir, int64_t taken_after, uint64_t own_id);

/* Lets the part go to another daemon, and forgets the last survey. */
void watcher_leave(struct watcher *w);

#endif
