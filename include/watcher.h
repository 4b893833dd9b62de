/*
 * One watcher per device.  Every daemon used to watch the device-mapper
 * control node, so that one `dmsetup status` woke all G daemons of a
 * device, twice each, to learn that nothing of theirs had changed.  Now
 * the daemons of a device elect one of them, by an exclusive lock on
 * DIR/MAJOR:MINOR.daemons/watcher, to watch the node for all.  After
 * each use it lists the device's regions once, compares them with its
 * last listing (listdiff.h) and prompts, through their claims (claim.h),
 * only the daemons whose groups' rows changed.  The others sleep; they
 * keep the lock file open and watch it close, so that when the watcher
 * exits, however it exits, one of them takes its place.  A daemon that
 * cannot use DIR watches the node alone, as all did before.
 */
#ifndef DMFILEMAPD_WATCHER_H
#define DMFILEMAPD_WATCHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "listshare.h"
#include "notify.h"
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
 * other daemon has it, then the watches that go with the part taken: the
 * control node's next close, and for all but the watcher, or a daemon
 * that watches alone (dir unusable, or the lock file unwatchable), the
 * lock file too.  The watcher, or a daemon alone, says when the control
 * node cannot be watched.  The watcher makes its first survey
 * (see watcher_survey) of dev, for the daemon of group own_id.
 */
void watcher_join(struct watcher *w, const char *dir, struct notify *notify,
    const struct stats_device *dev, uint64_t own_id);

/*
 * Whether this daemon acts on the control node's closes itself, as the
 * device's watcher or alone; if not, the watcher prompts it.
 */
bool watcher_watches_control(const struct watcher *w,
    const struct notify *notify);

/*
 * Watches the control node's next close again, after the last watch sent
 * it or could not be taken (said, by the watcher or a daemon alone, when
 * it is back).  Returns whether others' use of device-mapper reaches this
 * daemon, itself or through the watcher.
 */
bool watcher_rewatch(const struct watcher *w, struct notify *notify);

/*
 * The lock file was closed: takes the part if its holder let it go, and
 * then watches the control node's next close (1).
 */
bool watcher_take_over(struct watcher *w, struct notify *notify);

/*
 * The watcher's survey, made by the device's watcher only: lists the
 * device's regions (listshare.h, a listing that need allows), and
 * prompts the daemon of every group whose rows changed since the last
 * survey (listdiff.h) but own_id's (which checks its own group after) to
 * check against it; the first survey prompts every group.  What fails is
 * logged: the daemons not prompted are left to their unprompted checks,
 * and the next survey prompts them all.
 */
void watcher_survey(struct watcher *w, const struct stats_device *dev,
    const char *dir, struct listing_need need, uint64_t own_id);

/* Lets the part go to another daemon, and forgets the last survey. */
void watcher_leave(struct watcher *w);

#endif
