/*
 * A btrfs file's extent items, as a TREE_SEARCH of its subvolume's tree
 * returns them, read into a file map of btrfs logical addresses.
 */
#ifndef DMFILEMAPD_BTRFS_ITEMS_H
#define DMFILEMAPD_BTRFS_ITEMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fiemap.h"

/*
 * Adds the EXTENT_DATA items of inode ino among the count results in buf
 * (size bytes: a search header, then its item, for each) to map, as the
 * ranges a read of the file makes btrfs read: the referenced part of an
 * uncompressed extent, the whole on-disk extent of a compressed one.
 * Inline data and unknown encodings make map->unmappable.  *next receives
 * the file offset to search from next; *bytes grows by the bytes btrfs
 * counts in the inode's st_blocks for these items.  Returns 0, or -1 with
 * errno EPROTO (a result that does not fit its buffer or its kind) or
 * ENOMEM.
 */
int btrfs_items_add(struct file_map *map, uint64_t ino, const void *buf,
    size_t size, uint32_t count, uint64_t *next, uint64_t *bytes);

/*
 * Whether some of a file's data has no extent item yet, from its stat's
 * st_blocks and st_blksize and the bytes btrfs_items_add counted: btrfs
 * counts data written into a hole or past the end in st_blocks from the
 * write on, and in the inode's bytes, which are the items', only once its
 * extent is in the tree.
 */
bool btrfs_items_short(uint64_t blocks, uint64_t block_size, uint64_t bytes);

#endif
