/*
 * Keeping hold of the right file between passes: in inode mode, noticing
 * that a deleted file is over; in path mode, taking up the file that now
 * has the name, or giving up when none comes.  Each says what it found
 * (and logs it); the event loop acts on it.
 */
#ifndef DMFILEMAPD_TRACK_H
#define DMFILEMAPD_TRACK_H

#include <stdint.h>
#include <sys/stat.h>

#define PATH_GRACE_MS	1000	/* how long the path may stay empty */

struct watch;

enum track_state {
	TRACK_GOES_ON,		/* the same file, still wanted */
	TRACK_SWITCHED,		/* path mode: *fd and *file are a new file now */
	TRACK_WAIT,		/* path mode: nothing at the path yet: look again */
	TRACK_ENDED,		/* the work is over */
	TRACK_FAILED,		/* the path names something unusable: over */
};

/*
 * Inode mode: once the file open as fd has no name left, it is over unless
 * another process holds it; then *unlinked is set, and the file watched
 * for that holder's close.
 */
enum track_state track_unlinked(int fd, const struct stat *file,
    struct watch *w, const char *path, uint64_t group_id, int *unlinked);

/*
 * Path mode: follows a file that took the path, opening and watching it
 * in place of *fd; ends when the path stays empty for PATH_GRACE_MS
 * (counted from *missing_since, NEVER while it is not) or names
 * something unusable.
 */
enum track_state track_path(const char *path, uint64_t group_id, int *fd,
    struct stat *file, struct watch *w, int64_t *missing_since, int64_t now);

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
