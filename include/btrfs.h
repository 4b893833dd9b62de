/*
 * btrfs's device list, chunk tree and a file's extent items, read through
 * its ioctls (as root).
 */
#ifndef DMFILEMAPD_BTRFS_H
#define DMFILEMAPD_BTRFS_H

#include <linux/btrfs.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "chunks.h"
#include "fault.h"
#include "fiemap.h"

/* A device-mapper device of a btrfs file system. */
struct btrfs_dm {
	uint64_t devid;		/* its id in the file system */
	dev_t devno;
};

/*
 * The device-mapper devices among the devices of the btrfs file system
 * that fd is on, in the order of their ids: *n of them in devs, which
 * holds max.  Returns 0, or -1 with the refusal in f, naming the file as
 * what: there is none, or more than max.
 */
int btrfs_dm_devices(int fd, const char *what, struct btrfs_dm *devs,
    size_t max, size_t *n, struct fault *f);

/* The file system's chunk map as it is now; returns 0, or -1 with errno set. */
int btrfs_read_chunks(int fd, struct chunk_map *map);

/* The id of the subvolume tree that holds the file open as fd; -1 with errno. */
int btrfs_subvolume_tree(int fd, uint64_t *tree);

/*
 * One TREE_SEARCH_V2 of tree for the items of one object and type from
 * offset next on, as many as size bytes of args's buffer hold; the
 * answer is in args.  Returns 0, or -1 with errno set.
 */
int btrfs_search(int fd, struct btrfs_ioctl_search_args_v2 *args,
    size_t size, uint64_t tree, uint64_t object, uint8_t type,
    uint64_t next);

/*
 * Fills map with the btrfs logical ranges that hold the data of the file
 * open as fd, from its extent items (btrfs_items_add says which), and
 * map->pending when data written is not in them yet.  Returns 0, or -1
 * with errno set.
 */
int btrfs_read_file_map(int fd, struct file_map *map);

#endif
