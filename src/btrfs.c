/*
 * What btrfs tells about itself through its ioctls (as root): its device
 * list, its chunk tree and a file's extent items.  A btrfs file's st_dev
 * is an anonymous device of the file system, not a block device, so the
 * device-mapper device under it is found in the device list.
 */
#include <endian.h>
#include <errno.h>
#include <libdevmapper.h>
#include <linux/btrfs.h>
#include <linux/btrfs_tree.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "btrfs.h"
#include "btrfs_items.h"
#include "fault.h"

#define SEARCH_BUFFER (64 * 1024)
/* About three thousand extent items an ioctl. */
#define ITEMS_BUFFER (256 * 1024)
#define STRIPES_MAX 256		/* far more than any profile uses */

int
btrfs_dm_devices(int fd, const char *what, struct btrfs_dm *devs,
    size_t max, size_t *n, struct fault *f)
{
	struct btrfs_ioctl_fs_info_args fs;
	struct btrfs_ioctl_dev_info_args dev;
	struct stat st;
	uint64_t id;

	*n = 0;
	memset(&fs, 0, sizeof(fs));
	if (ioctl(fd, BTRFS_IOC_FS_INFO, &fs) != 0)
		return fault(f, "%s: cannot read the btrfs device list", what);
	for (id = 0; id <= fs.max_id; id++) {
		memset(&dev, 0, sizeof(dev));
		dev.devid = id;
		if (ioctl(fd, BTRFS_IOC_DEV_INFO, &dev) != 0)
			continue;	/* no device has that id */
		dev.path[sizeof(dev.path) - 1] = '\0';
		if (stat((const char *)dev.path, &st) != 0 ||
		    !S_ISBLK(st.st_mode) || !dm_is_dm_major(major(st.st_rdev)))
			continue;
		if (*n == max)
			return faultx(f, "%s: the btrfs file system lies on "
			    "more than %zu device-mapper devices", what, max);
		devs[*n].devid = id;
		devs[(*n)++].devno = st.st_rdev;
	}
	if (*n > 0)
		return 0;
	return faultx(f, "%s: none of the btrfs file system's %llu devices is "
	    "a device-mapper device", what,
	    (unsigned long long)fs.num_devices);
}

/* Adds the chunk item of one search result; -1 with errno when it cannot. */
static int
add_chunk(struct chunk_map *map, uint64_t start, const void *item,
    uint32_t len)
{
	struct btrfs_chunk chunk;
	struct btrfs_stripe stripe;
	uint64_t devids[STRIPES_MAX], offsets[STRIPES_MAX];
	const char *at = item;
	unsigned int n, i;

	if (len < sizeof(chunk)) {
		errno = EPROTO;
		return -1;
	}
	memcpy(&chunk, at, sizeof(chunk));
	n = le16toh(chunk.num_stripes);
	if (n == 0 || n > STRIPES_MAX || len < sizeof(chunk) +
	    (n - 1) * sizeof(stripe)) {
		errno = EPROTO;
		return -1;
	}
	for (i = 0; i < n; i++) {
		memcpy(&stripe, at + offsetof(struct btrfs_chunk, stripe) +
		    i * sizeof(stripe), sizeof(stripe));
		devids[i] = le64toh(stripe.devid);
		offsets[i] = le64toh(stripe.offset);
	}
	switch (chunk_map_add(map, start, le64toh(chunk.length),
	    le64toh(chunk.type), le64toh(chunk.stripe_len), n,
	    le16toh(chunk.sub_stripes), devids, offsets)) {
	case CHUNKS_OK:
		return 0;
	case CHUNKS_NO_MEMORY:
		errno = ENOMEM;
		return -1;
	default:
		errno = EPROTO;
		return -1;
	}
}

int
btrfs_search(int fd, struct btrfs_ioctl_search_args_v2 *args, size_t size,
    uint64_t tree, uint64_t object, uint8_t type, uint64_t next)
{
	struct btrfs_ioctl_search_key *key = &args->key;

	memset(key, 0, sizeof(*key));
	key->tree_id = tree;
	key->min_objectid = key->max_objectid = object;
	key->min_type = key->max_type = type;
	key->min_offset = next;
	key->max_offset = UINT64_MAX;
	key->max_transid = UINT64_MAX;
	key->nr_items = UINT32_MAX;
	args->buf_size = size;
	return ioctl(fd, BTRFS_IOC_TREE_SEARCH_V2, args);
}

/* One batch of chunk items from *next on; returns how many, or -1. */
static int
search_batch(int fd, struct btrfs_ioctl_search_args_v2 *args,
    struct chunk_map *map, uint64_t *next)
{
	struct btrfs_ioctl_search_header head;
	struct btrfs_ioctl_search_key *key = &args->key;
	size_t at = 0;
	uint32_t i;

	if (btrfs_search(fd, args, SEARCH_BUFFER, BTRFS_CHUNK_TREE_OBJECTID,
	    BTRFS_FIRST_CHUNK_TREE_OBJECTID, BTRFS_CHUNK_ITEM_KEY, *next) != 0)
		return -1;
	for (i = 0; i < key->nr_items; i++) {
		if (at + sizeof(head) > SEARCH_BUFFER) {
			errno = EPROTO;
			return -1;
		}
		memcpy(&head, args->buf + at, sizeof(head));
		at += sizeof(head);
		if (at + head.len > SEARCH_BUFFER) {
			errno = EPROTO;
			return -1;
		}
		if (head.type == BTRFS_CHUNK_ITEM_KEY &&
		    add_chunk(map, head.offset, args->buf + at, head.len) != 0)
			return -1;
		at += head.len;
		*next = head.offset + 1;
	}
	return (int)key->nr_items;
}

int
btrfs_read_chunks(int fd, struct chunk_map *map)
{
	struct btrfs_ioctl_search_args_v2 *args;
	uint64_t next = 0;
	int n;

	memset(map, 0, sizeof(*map));
	if ((args = calloc(1, sizeof(*args) + SEARCH_BUFFER)) == NULL)
		return -1;
	while ((n = search_batch(fd, args, map, &next)) > 0 && next != 0)
		;
	free(args);
	if (n < 0) {
		chunk_map_free(map);
		return -1;
	}
	return 0;
}

int
btrfs_subvolume_tree(int fd, uint64_t *tree)
{
	struct btrfs_ioctl_ino_lookup_args lookup;

	memset(&lookup, 0, sizeof(lookup));
	lookup.objectid = BTRFS_FIRST_FREE_OBJECTID;
	if (ioctl(fd, BTRFS_IOC_INO_LOOKUP, &lookup) != 0)
		return -1;
	*tree = lookup.treeid;
	return 0;
}

int
btrfs_read_file_map(int fd, struct file_map *map)
{
	static union {
		struct btrfs_ioctl_search_args_v2 args;
		unsigned char bytes[sizeof(struct btrfs_ioctl_search_args_v2) +
		    ITEMS_BUFFER];
	} buffer;
	struct btrfs_ioctl_search_args_v2 *args = &buffer.args;
	struct stat st;
	uint64_t tree, next = 0, bytes = 0;

	if (fstat(fd, &st) != 0 || btrfs_subvolume_tree(fd, &tree) != 0)
		return -1;
	file_map_clear(map);
	do {
		if (btrfs_search(fd, args, ITEMS_BUFFER, tree, st.st_ino,
		    BTRFS_EXTENT_DATA_KEY, next) != 0 ||
		    btrfs_items_add(map, st.st_ino, args->buf, ITEMS_BUFFER,
		    args->key.nr_items, &next, &bytes) != 0)
			return -1;
	} while (args->key.nr_items > 0 && next != 0);
	file_map_normalize(map);
	if (fstat(fd, &st) == 0 && btrfs_items_short((uint64_t)st.st_blocks,
	    (uint64_t)st.st_blksize, bytes))
		file_map_note_pending(map);
	return 0;
}
