/*
 * The inotify side of the event loop: which events are asked for, and
 * what a batch of them says.  What to do about them is the loop's.
 *
 * dm-stats sends no event when a region is deleted or relabelled, but
 * whoever does it goes through the device-mapper control node, and closing
 * that node is an event: so the group is checked after each use of it by
 * another process, and only rarely without one.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "devmapper.h"
#include "fault.h"
#include "log.h"
#include "notify.h"

#define FILE_EVENTS (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | \
    IN_DELETE_SELF | IN_MOVE_SELF)
#define CONTROL_EVENTS IN_CLOSE
#define DIR_EVENTS (IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM | \
    IN_ONLYDIR)

/*
 * Files are watched through our own fds, so that a rename cannot make us
 * watch some other file.
 */
static int
add_fd_watch(const struct notify *w, int fd, uint32_t mask)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return inotify_add_watch(w->inotify_fd, path, mask);
}

static void
drop_watch(const struct notify *w, int *wd)
{
	if (*wd >= 0)
		inotify_rm_watch(w->inotify_fd, *wd);
	*wd = -1;
}

int
notify_file(struct notify *w, int fd, enum file_closes closes)
{
	w->file_wd = add_fd_watch(w, fd, FILE_EVENTS |
	    (closes == CLOSES_ALL ? IN_CLOSE_NOWRITE : 0));
	return w->file_wd < 0 ? -1 : 0;
}

int
notify_file_again(struct notify *w, int fd, enum file_closes closes)
{
	return w->file_wd >= 0 ? 0 : notify_file(w, fd, closes);
}

void
notify_drop_file(struct notify *w)
{
	drop_watch(w, &w->file_wd);
}

/*
 * libdevmapper keeps its control fd open for the life of the process, so
 * our own messages never close the node and cannot wake us.  One close
 * is all a daemon needs until it next lists the regions: a process that
 * uses device-mapper every millisecond wakes it once a listing, not a
 * thousand times a second.
 */
int
notify_dm_control(struct notify *w)
{
	char path[PATH_MAX];

	if (devmapper_control_path(path, sizeof(path)) != 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/*
	 * The closer takes a watch that fired off after it sent the event:
	 * until then, a new watch would be that one, taken off with it.
	 */
	if (w->control_fired_wd >= 0) {
		inotify_rm_watch(w->inotify_fd, w->control_fired_wd);
		w->control_fired_wd = -1;
	}
	w->control_wd = inotify_add_watch(w->inotify_fd, path, CONTROL_EVENTS |
	    IN_ONESHOT);
	w->control_failed = w->control_wd < 0;
	return w->control_wd < 0 ? -1 : 0;
}

bool
notify_control_failed(const struct notify *w)
{
	return w->control_failed;
}

int
notify_lock_file(struct notify *w, int fd)
{
	w->lock_wd = add_fd_watch(w, fd, IN_CLOSE);
	return w->lock_wd < 0 ? -1 : 0;
}

void
notify_drop_lock_file(struct notify *w)
{
	drop_watch(w, &w->lock_wd);
}

void
notify_init(struct notify *w)
{
	w->inotify_fd = w->mounts_fd = -1;
	w->file_wd = w->dir_wd = w->control_wd = w->lock_wd = -1;
	w->control_fired_wd = -1;
	w->dir = NULL;
	w->base = NULL;
}

/*
 * Without the mount table, the daemon goes on: that is decided, and said,
 * here.
 */
int
notify_start(struct notify *w, int fd, const char *path, bool follow_path,
    struct fault *f)
{
	w->inotify_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (w->inotify_fd < 0)
		return fault(f, "cannot start inotify");
	if (notify_file(w, fd, CLOSES_AFTER_WRITES) != 0)
		return fault(f, "ABS_PATH '%s': cannot watch the file", path);
	/*
	 * Mounts and unmounts are no inotify events, but this fd polls for
	 * them: a mount over the path, the file system unmounted lazily.
	 */
	w->mounts_fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (w->mounts_fd < 0)
		log_warn("cannot watch the mount table (mounts and unmounts "
		    "are seen by the group check only)");
	if (!follow_path)
		return 0;
	if ((w->dir = strdup(path)) == NULL)
		return faultx(f, "out of memory");
	w->base = strrchr(path, '/') + 1;
	w->dir_wd = inotify_add_watch(w->inotify_fd, dirname(w->dir),
	    DIR_EVENTS);
	if (w->dir_wd < 0)
		return fault(f, "ABS_PATH '%s': cannot watch its directory",
		    path);
	return 0;
}

bool
notify_has_control(const struct notify *w)
{
	return w->control_wd >= 0;
}

int
notify_inotify_fd(const struct notify *w)
{
	return w->inotify_fd;
}

int
notify_mounts_fd(const struct notify *w)
{
	return w->mounts_fd;
}

static void
log_event(const struct inotify_event *ev)
{
	static const struct {
		uint32_t mask;
		const char *name;
	} names[] = {
		{ IN_MODIFY, "modify" }, { IN_ATTRIB, "attrib" },
		{ IN_CLOSE_WRITE, "close-write" },
		{ IN_CLOSE_NOWRITE, "close-nowrite" },
		{ IN_DELETE_SELF, "delete-self" }, { IN_MOVE_SELF, "move-self" },
		{ IN_CREATE, "create" }, { IN_MOVED_TO, "moved-to" },
		{ IN_DELETE, "delete" }, { IN_MOVED_FROM, "moved-from" },
		{ IN_IGNORED, "ignored" },
	};
	size_t i;

	if (log_verbose() < VERB_DEBUG)
		return;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (ev->mask & names[i].mask)
			log_info(VERB_DEBUG, "event: %s%s%s", names[i].name,
			    ev->len ? " " : "", ev->len ? ev->name : "");
}

static void
take_event(struct notify *w, const struct inotify_event *ev,
    struct notify_news *news)
{
	if (ev->wd == w->control_wd) {
		log_info(VERB_DEBUG, "event: the device-mapper control node "
		    "was %s", ev->mask & IN_IGNORED ? "removed" : "closed");
		news->control = 1;
		/*
		 * A watch for one close is over once it has sent it, as it is
		 * when the node was removed (libdevmapper may be making a new
		 * one).  The kernel's word of its removal comes after.
		 */
		w->control_fired_wd = ev->mask & IN_IGNORED ? -1 :
		    w->control_wd;
		w->control_wd = -1;
	} else if (ev->wd == w->control_fired_wd) {
		/* The removal of a watch that fired: no use of the node. */
		if (ev->mask & IN_IGNORED)
			w->control_fired_wd = -1;
	} else if (ev->wd == w->lock_wd) {
		if (ev->mask & IN_CLOSE)
			news->watcher_gone = 1;
		if (ev->mask & IN_IGNORED)
			w->lock_wd = -1;
	} else if (ev->wd == w->dir_wd) {
		if (ev->len > 0 && strcmp(ev->name, w->base) == 0) {
			log_event(ev);
			news->name = 1;
		}
	} else if (ev->wd == w->file_wd) {
		log_event(ev);
		news->file |= ev->mask;
		if (ev->mask & IN_IGNORED)
			w->file_wd = -1;
	}
	/* Anything else is from a watch already replaced. */
}

void
notify_read(struct notify *w, struct notify_news *news)
{
	char buf[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t n;
	char *p;

	news->file = 0;
	news->name = 0;
	news->control = 0;
	news->watcher_gone = 0;
	while ((n = read(w->inotify_fd, buf, sizeof(buf))) > 0)
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			take_event(w, ev, news);
		}
}

void
notify_close(struct notify *w)
{
	free(w->dir);
	w->dir = NULL;
	if (w->inotify_fd >= 0)
		close(w->inotify_fd);
	if (w->mounts_fd >= 0)
		close(w->mounts_fd);
	w->inotify_fd = w->mounts_fd = -1;
}
