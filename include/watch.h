/*
 * inotify for the monitor: the followed file is watched through our own
 * fd, in path mode its directory is watched for a file taking its name,
 * and the device-mapper control node for other processes having used it.
 */
#ifndef DMFILEMAPD_WATCH_H
#define DMFILEMAPD_WATCH_H

#include <stddef.h>
#include <stdint.h>

/* The watches, and the fds that carry their events. */
struct watch {
	int inotify_fd;
	int file_wd, dir_wd, control_wd;	/* -1 when not watched */
	int mounts_fd;		/* /proc/self/mountinfo, polled for changes */
	char *dir;		/* path mode: the directory watched for replacements */
	const char *base;	/* path mode: the file's name in it */
};

/* What one read of the inotify fd brought. */
struct watch_news {
	uint32_t file;		/* IN_* events of the followed file, ORed */
	int name;		/* path mode: something happened to the file's name */
	int control;		/* another process closed the dm control node */
};

/*
 * Creates the inotify fd and the watches of the file open as fd (named
 * path), of the control node, of the mount table and, when follow_path is
 * set, of the path's directory.  Writes one line into err on failure; a
 * control node that cannot be watched leaves control_wd at -1.
 */
int watch_start(struct watch *w, int fd, const char *path, int follow_path,
    char *err, size_t errlen);

/* (Re)watches the file open as fd, with close events once it is unlinked. */
int watch_file(struct watch *w, int fd, int unlinked);

/* Watches the dm control node; -1 with errno set when it cannot. */
int watch_dm_control(struct watch *w);

/* Stops watching the followed file (it is being replaced). */
void watch_drop_file(struct watch *w);

void watch_read(struct watch *w, struct watch_news *news);

void watch_close(struct watch *w);

#endif
