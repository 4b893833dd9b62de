/*
 * inotify for the monitor: the followed file is watched through our own
 * fd, in path mode its directory is watched for a file taking its name,
 * and the device-mapper control node for other processes having used it.
 */
#ifndef DMFILEMAPD_NOTIFY_H
#define DMFILEMAPD_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fault.h"

/* The watches, and the fds that carry their events. */
struct notify {
	int inotify_fd;
	int file_wd, dir_wd, control_wd;	/* -1 when not watched */
	int control_fired_wd;	/* the control node's watch that fired, until removed */
	int lock_wd;		/* the device watcher's lock file (watcher.h) */
	bool control_failed;	/* the control node could not be watched */
	int mounts_fd;		/* /proc/self/mountinfo, polled for changes */
	char *dir;		/* path mode: the directory watched for replacements */
	const char *base;	/* path mode: the file's name in it */
};

/* What one read of the inotify fd brought. */
struct notify_news {
	uint32_t file;		/* IN_* events of the followed file, ORed */
	int name;		/* path mode: something happened to the file's name */
	int control;		/* another process closed the dm control node */
	int watcher_gone;	/* a daemon of the device closed the lock file */
};

/*
 * Which closes of the followed file are events: one after writing always;
 * any, once the file has lost its last name and another holder's close
 * may be the end of it.
 */
enum file_closes {
	CLOSES_AFTER_WRITES,
	CLOSES_ALL,
};

/* Nothing watched yet, no fd open: notify_close may follow at once. */
void notify_init(struct notify *w);

/*
 * Creates the inotify fd and the watches of the file open as fd (named
 * path), of the mount table and, when follow_path is set, of the path's
 * directory, in w as notify_init left it.  Returns 0, or -1 with the
 * refusal in f.
 */
int notify_start(struct notify *w, int fd, const char *path, bool follow_path,
    struct fault *f);

/* (Re)watches the file open as fd, with the closes asked for. */
int notify_file(struct notify *w, int fd, enum file_closes closes);

/*
 * notify_file, if the kernel dropped the file's watch, as it does with the
 * file's last name: 0 when the file is watched.
 */
int notify_file_again(struct notify *w, int fd, enum file_closes closes);

/*
 * Watches the dm control node for its next close, after which the kernel
 * drops the watch; -1 with errno set when it cannot.
 */
int notify_dm_control(struct notify *w);

/* Whether the last attempt to watch the control node failed. */
bool notify_control_failed(const struct notify *w);

/* Watches the closes of the device watcher's lock file open as fd. */
int notify_lock_file(struct notify *w, int fd);

/* This daemon became the watcher: others' closes no longer matter. */
void notify_drop_lock_file(struct notify *w);

/* Stops watching the followed file (it is being replaced). */
void notify_drop_file(struct notify *w);

/* Whether the dm control node is watched now, for its next close. */
bool notify_has_control(const struct notify *w);

/* The fds the loop polls: inotify's, and the mount table's (or -1). */
int notify_inotify_fd(const struct notify *w);
int notify_mounts_fd(const struct notify *w);

void notify_read(struct notify *w, struct notify_news *news);

void notify_close(struct notify *w);

#endif
