/*
 * Decoding a btrfs file's EXTENT_DATA items.  FIEMAP on btrfs costs what
 * telling shared extents apart costs, hundreds of times ext4's FIEMAP,
 * and it reports compressed extents by their file length only; the items
 * themselves say where every extent's bytes lie on disk, compressed or
 * not, at the cost of reading them.
 */
#include <endian.h>
#include <errno.h>
#include <linux/btrfs.h>
#include <linux/btrfs_tree.h>
#include <stddef.h>
#include <string.h>

#include "btrfs_items.h"
#include "extents.h"

/* An inline item holds its header up to disk_bytenr, then the data. */
#define INLINE_HEADER offsetof(struct btrfs_file_extent_item, disk_bytenr)

/* One item at file offset `offset`; -1 with errno when it cannot be read. */
static int
add_item(struct file_map *map, uint64_t offset, const void *item,
    uint32_t len, uint64_t *bytes)
{
	struct btrfs_file_extent_item fi;
	uint64_t disk, disk_len, num;

	memset(&fi, 0, sizeof(fi));
	if (len < INLINE_HEADER) {
		errno = EPROTO;
		return -1;
	}
	memcpy(&fi, item, len < sizeof(fi) ? len : sizeof(fi));
	if (fi.type == BTRFS_FILE_EXTENT_INLINE) {
		/* In the tree's own leaf, with metadata all around it. */
		file_map_note_uncountable(map);
		*bytes += le64toh(fi.ram_bytes);
		file_map_reach(map, offset + le64toh(fi.ram_bytes));
		return 0;
	}
	if (fi.type != BTRFS_FILE_EXTENT_REG &&
	    fi.type != BTRFS_FILE_EXTENT_PREALLOC) {
		file_map_note_uncountable(map);
		return 0;
	}
	if (len < sizeof(fi)) {
		errno = EPROTO;
		return -1;
	}
	disk = le64toh(fi.disk_bytenr);
	disk_len = le64toh(fi.disk_num_bytes);
	num = le64toh(fi.num_bytes);
	if (disk == 0)
		return 0;	/* a hole written down as one */
	*bytes += num;
	file_map_reach(map, offset + num);
	if (fi.encryption != 0 || fi.other_encoding != 0) {
		file_map_note_uncountable(map);
		return 0;
	}
	/*
	 * A compressed extent is read whole to give any of its bytes; an
	 * uncompressed one only where this item refers into it.
	 */
	if (fi.compression != 0)
		return file_map_append(map, disk >> SECTOR_SHIFT,
		    disk_len >> SECTOR_SHIFT);
	return file_map_append(map, (disk + le64toh(fi.offset)) >> SECTOR_SHIFT,
	    num >> SECTOR_SHIFT);
}

int
btrfs_items_add(struct file_map *map, uint64_t ino, const void *buf,
    size_t size, uint32_t count, uint64_t *next, uint64_t *bytes)
{
	struct btrfs_ioctl_search_header head;
	const unsigned char *at = buf;
	size_t used = 0;
	uint32_t i;

	for (i = 0; i < count; i++) {
		if (size - used < sizeof(head)) {
			errno = EPROTO;
			return -1;
		}
		memcpy(&head, at + used, sizeof(head));
		used += sizeof(head);
		if (size - used < head.len) {
			errno = EPROTO;
			return -1;
		}
		if (head.objectid == ino && head.type == BTRFS_EXTENT_DATA_KEY &&
		    add_item(map, head.offset, at + used, head.len, bytes) != 0)
			return -1;
		used += head.len;
		*next = head.offset + 1;
	}
	return 0;
}

bool
btrfs_items_short(uint64_t blocks, uint64_t block_size, uint64_t bytes)
{
	if (block_size == 0)
		block_size = 4096;
	return blocks << SECTOR_SHIFT >
	    (bytes + block_size - 1) / block_size * block_size;
}
