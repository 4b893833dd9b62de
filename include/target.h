/*
 * The device-mapper device a file's group lives on, and where the file's
 * data lies on it: its filesystem's device for ext4 and xfs, whose FIEMAP
 * answers are device offsets; for btrfs each dm device of the file
 * system, the file's extent items reached through the chunk tree, one
 * group per device.
 */
#ifndef DMFILEMAPD_TARGET_H
#define DMFILEMAPD_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "fault.h"
#include "fiemap.h"

struct target {
	dev_t devno;		/* the device-mapper device */
	int btrfs;		/* the file's extents are btrfs logical addresses */
	int cow;		/* every write moves data (btrfs without nodatacow) */
	int xfs;		/* closing the file may free blocks (see below) */
	uint64_t devid;		/* btrfs: the device's id in the file system */
};

/* Where the file's groups may be: more than one only on btrfs. */
#define TARGETS_MAX 16
struct target_set {
	struct target each[TARGETS_MAX];
	size_t n;
};

/*
 * Finds the targets of the file open as fd (whose fstat is st): its file
 * system's device, or every device-mapper device of its btrfs; only
 * device's when device is not 0 (--device).  Returns 0, or -1 with the
 * refusal in f, naming the file as what.
 */
int target_find(int fd, const struct stat *st, const char *what,
    dev_t device, struct target_set *set, struct fault *f);

/*
 * The one target of a group named by its id, which names a region on one
 * device.  Returns 0, or -1 with the refusal in f when set holds several.
 */
int target_only(const struct target_set *set, const char *what,
    struct target *t, struct fault *f);

/* The device-mapper device. */
dev_t target_devno(const struct target *t);

/* Whether every write moves data, even within the file's size. */
bool target_writes_move_data(const struct target *t);

/*
 * Fills map with the ranges of t's device that hold the file's data,
 * through the chunk tree as it is now for btrfs.  Returns 0, or -1 with
 * errno set (EOPNOTSUPP: a profile the translation does not handle).
 */
int target_read_map(int fd, const struct target *t, struct file_map *map);

/*
 * Whether closing the file open as fd may free blocks of its layout (as
 * target_read_map read it): those that xfs allocated past its end.
 */
int target_close_frees(int fd, const struct target *t,
    const struct file_map *layout);

#endif
