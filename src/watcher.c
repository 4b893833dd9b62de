/*
 * The watcher's part (watcher.h): held by an flock(2) on a file every
 * daemon of the device keeps open, so that the kernel lets it go with
 * the holder, however the holder ends, and the close that comes with it
 * wakes the others.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "claim.h"
#include "clock.h"
#include "listdiff.h"
#include "listshare.h"
#include "log.h"
#include "notify.h"
#include "schedule.h"
#include "watcher.h"

/* How long a daemon gives a closing watcher to let go of its lock. */
#define TAKE_OVER_TRIES 3
#define TAKE_OVER_PAUSE_NS 2000000

void
watcher_init(struct watcher *w, unsigned int major, unsigned int minor)
{
	memset(w, 0, sizeof(*w));
	w->major = major;
	w->minor = minor;
	w->lock_fd = -1;
}

bool
watcher_watches_control(const struct watcher *w, const struct notify *notify)
{
	return w->held || notify->lock_wd < 0;
}

static void
watch_control(struct notify *notify)
{
	if (notify_dm_control(notify) != 0)
		log_warn("cannot watch the device-mapper control node "
		    "(checking the group every %d s)",
		    UNWATCHED_CHECK_MS / 1000);
}

/*
 * The others watch the lock file, to take over; every daemon watches the
 * control node for its next close: until then, a pass may plan against
 * the group as the last one left it, and the watcher has nothing to
 * survey.
 */
void
watcher_join(struct watcher *w, const char *dir, struct notify *notify,
    const struct stats_device *dev, uint64_t own_id)
{
	char path[PATH_MAX];

	if (dir != NULL && listshare_dir_usable(dir)) {
		/* Beside the claims: daemons of older versions elect their own. */
		snprintf(path, sizeof(path), "%s/%u:%u.daemons/watcher", dir,
		    w->major, w->minor);
		/* Open for writing, so that closing it is IN_CLOSE_WRITE. */
		w->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC |
		    O_NOFOLLOW, 0600);
	}
	w->held = w->lock_fd >= 0 && flock(w->lock_fd, LOCK_EX | LOCK_NB) == 0;
	if (!w->held && w->lock_fd >= 0 &&
	    notify_lock_file(notify, w->lock_fd) == 0)
		notify_dm_control(notify);
	else
		watch_control(notify);
	watcher_survey(w, dev, dir, LISTING_FRESH, own_id);
}

bool
watcher_rewatch(const struct watcher *w, struct notify *notify)
{
	bool own = watcher_watches_control(w, notify);
	bool failed = notify_control_failed(notify);

	if (!notify_has_control(notify) && notify_dm_control(notify) == 0 &&
	    own && failed)
		log_info(VERB_LIFECYCLE, "watching the device-mapper control "
		    "node again");
	return !own || notify_has_control(notify);
}

/*
 * The kernel sends the close of a file before it lets go of the closer's
 * lock on it: an exiting watcher's lock may still be held for a moment.
 */
bool
watcher_take_over(struct watcher *w, struct notify *notify)
{
	struct timespec pause = timespec_from_ns(TAKE_OVER_PAUSE_NS);
	int tries;

	if (w->held || w->lock_fd < 0)
		return false;
	for (tries = 0; !w->held && tries < TAKE_OVER_TRIES; tries++)
		if (!(w->held = flock(w->lock_fd, LOCK_EX | LOCK_NB) == 0))
			nanosleep(&pause, NULL);
	if (!w->held)
		return false;
	notify_drop_lock_file(notify);
	if (!notify_has_control(notify))
		watch_control(notify);
	return true;
}

/* Prompts the daemons of the groups named; none listening is no failure. */
static void
prompt(const struct watcher *w, const uint64_t *leaders, size_t n,
    uint64_t own_id, nsec_t seen)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (leaders[i] == own_id)
			continue;
		log_info(VERB_DEBUG, "group %" PRIu64 " changed: prompting its "
		    "daemon", leaders[i]);
		if (claim_prompt(CLAIM_DIR, w->major, w->minor, leaders[i],
		    seen) != 0 && errno != ECONNREFUSED)
			log_warn("cannot prompt the daemon of group %" PRIu64
			    " to check it", leaders[i]);
	}
}

void
watcher_survey(struct watcher *w, const struct stats_device *dev,
    const char *dir, struct listing_need need, uint64_t own_id)
{
	struct listshare list;
	const char *rows;
	uint64_t *leaders;
	size_t len = 0, n;
	char *now = NULL;
	nsec_t seen = 0;
	int ascending = 0, err = 0;

	if (!w->held)
		return;
	if (listshare_get(dev, dir, need, &list) != 0)
		err = errno;
	else {
		/* What a prompted daemon takes must have been taken after this. */
		seen = list.taken - 1;
		ascending = list.ascending;
		if ((rows = listshare_rows(&list, 0, UINT64_MAX, &len)) == NULL)
			err = errno;
		else if ((now = strndup(rows, len)) == NULL)
			err = ENOMEM;
		listshare_release(&list);
	}
	if (now != NULL && listdiff_changed_groups(ascending ? w->last : NULL,
	    w->last_len, now, len, &leaders, &n) != 0) {
		err = ENOMEM;
		free(now);
		now = NULL;
	}
	if (now == NULL) {
		errno = err;
		log_warn("%s: cannot survey the regions for the device's other "
		    "daemons", dev->name);
	} else {
		prompt(w, leaders, n, own_id, seen);
		free(leaders);
	}
	/*
	 * Rows that cannot be compared with the next are not kept: the next
	 * survey then prompts every group, as the first does.
	 */
	free(w->last);
	w->last = ascending ? now : NULL;
	w->last_len = w->last != NULL ? len : 0;
	if (w->last == NULL)
		free(now);
}

void
watcher_leave(struct watcher *w)
{
	if (w->lock_fd >= 0)
		close(w->lock_fd);
	free(w->last);
	watcher_init(w, w->major, w->minor);
}
