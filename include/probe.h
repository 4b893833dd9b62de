/*
 * Probes of the file the daemon follows, the inode it was given or
 * whatever file is at the path: each asks the kernel one question and
 * says the answer, and track.h decides what the answers mean.  They
 * answer "is it still there" without polling /proc.
 */
#ifndef DMFILEMAPD_PROBE_H
#define DMFILEMAPD_PROBE_H

#include <sys/stat.h>

enum path_state {
	PATH_SAME,		/* the path still names the followed file */
	PATH_MISSING,		/* nothing is at the path */
	PATH_REPLACED,		/* another regular file on the same device */
	PATH_OTHER_DEVICE,	/* another file, on a device the group is not on */
	PATH_NOT_REGULAR,	/* something that is not a regular file */
};

/* Compares what is at path now with the followed file. */
enum path_state probe_path_state(const char *path, const struct stat *followed);

/*
 * Opens the file now at path read-only for following; fills st.  Returns
 * the new fd or -1.  The caller checks st against what it expected.
 */
int probe_open(const char *path, struct stat *st);

/* The file's link count through its fd, or -1. */
long probe_link_count(int fd);

enum holders {
	HELD_BY_NONE,
	HELD_BY_OTHERS,
	HOLDERS_UNKNOWN,	/* /proc cannot be read: errno says why */
};

/*
 * Whether a process other than this one still has the file open, which
 * keeps an unlinked file alive; processes running the same program as this
 * one only follow the file and do not count.  Scans /proc once per call:
 * call it only after the link count has dropped to zero.
 */
enum holders probe_held_elsewhere(const struct stat *file);

enum mount_state {
	FS_MOUNTED,
	FS_UNMOUNTED,
	FS_MOUNTS_UNKNOWN,	/* the mount table cannot be read: errno */
};

/*
 * Whether a file system of device dev is still mounted in this process's
 * mount namespace.  A lazily unmounted file system stays alive, but no
 * longer mounted.
 */
enum mount_state probe_fs_mounted(dev_t dev);

#endif
