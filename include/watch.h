/*
 * inotify for the monitor: the followed file is watched through our own
 * fd, in path mode its directory is watched for a file taking its name,
 * and the device-mapper control node for other processes having used it.
 */
#ifndef DMFILEMAPD_WATCH_H
#define DMFILEMAPD_WATCH_H

#include <stddef.h>
#include <stdint.h>

struct monitor;

/* What one read of the inotify fd brought. */
struct watch_news {
	uint32_t file;		/* IN_* events of the followed file, ORed */
	int name;		/* path mode: something happened to the file's name */
	int control;		/* another process closed the dm control node */
};

/* Creates the inotify fd and the watches; writes one line into err on failure. */
int watch_start(struct monitor *m, char *err, size_t errlen);

/* (Re)watches the followed file, adding close events once it has lost its name. */
int watch_file(struct monitor *m);

/* Watches the dm control node; -1 with errno set when it cannot. */
int watch_dm_control(struct monitor *m);

/* Stops watching the followed file (it is being replaced). */
void watch_drop_file(struct monitor *m);

void watch_read(struct monitor *m, struct watch_news *news);

#endif
