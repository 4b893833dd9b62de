/*
 * Keeping hold of the right file between passes: in inode mode, noticing
 * that a deleted file is over; in path mode, taking up the file that now
 * has the name, or giving up when none comes.  Each says what it found
 * (and logs it); the event loop acts on it.
 */
#ifndef DMFILEMAPD_TRACK_H
#define DMFILEMAPD_TRACK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "clock.h"

#define PATH_GRACE_MS	1000	/* how long the path may stay empty */

enum track_state {
	TRACK_GOES_ON,		/* the same file, still wanted */
	TRACK_HELD_ELSEWHERE,	/* inode mode: the file has just lost its
				   last name, but another process holds it:
				   its close may end it */
	TRACK_SWITCHED,		/* path mode: a new file took the path */
	TRACK_WAIT,		/* path mode: nothing at the path yet: look again */
	TRACK_ENDED,		/* the work is over */
	TRACK_FAILED,		/* the path names something unusable: over */
};

/* What track_path found. */
struct track_result {
	enum track_state state;
	int fd;			/* TRACK_SWITCHED: the new file, open, the
				   caller's to close */
	struct stat file;	/* TRACK_SWITCHED: its identity */
	msec_t missing_since;	/* since when the path is empty, or NEVER */
};

/*
 * Inode mode: once the file open as fd has no name left, it is over unless
 * another process holds it.  unlinked says that was found before.
 */
enum track_state track_unlinked(int fd, const struct stat *file,
    const char *path, uint64_t group_id, bool unlinked);

/*
 * Path mode: follows a file that took the path in place of the file
 * followed, opening it; ends when the path stays empty for PATH_GRACE_MS
 * (counted from missing_since, NEVER while it is not) or names something
 * unusable.
 */
struct track_result track_path(const char *path, uint64_t group_id,
    const struct stat *file, msec_t missing_since, msec_t now);

/*
 * Whether the file's file system is still mounted here: a lazily
 * unmounted one lives on only while the daemon holds the file.  Says so
 * when it is not.
 */
int track_mounted(const struct stat *file, const char *path,
    uint64_t group_id);

/*
 * Whether the file open as fd still has the size *size_seen says, which
 * becomes its size now: writes that left the size as it was rewrote data
 * within the file.  0 when it cannot be told.
 */
int track_same_size(int fd, off_t *size_seen);

#endif
