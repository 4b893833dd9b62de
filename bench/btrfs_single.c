/*
 * The benchmark's own reading of where a btrfs file lies on its device,
 * apart from the daemon's: the file's extent items and the chunk tree,
 * searched with the first TREE_SEARCH ioctl, for file systems whose data
 * chunks have one stripe (profile single, as the benchmark makes them),
 * where a logical address lies at the same distance from the start of
 * its chunk's one stripe.  FIEMAP would give the same logical spans at
 * hundreds of times the cost, which a poller of a large file would
 * measure instead of the daemon.
 */
#include <errno.h>
#include <linux/btrfs.h>
#include <linux/btrfs_tree.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "group_wait.h"

struct single_chunk {
	uint64_t start, len, offset;	/* sectors */
};

/* One TREE_SEARCH for the items of object and type from offset next on. */
static int
search(int fd, struct btrfs_ioctl_search_args *args, uint64_t tree,
    uint64_t object, uint32_t type, uint64_t next)
{
	memset(args, 0, sizeof(*args));
	args->key.tree_id = tree;
	args->key.min_objectid = args->key.max_objectid = object;
	args->key.min_type = args->key.max_type = type;
	args->key.min_offset = next;
	args->key.max_offset = UINT64_MAX;
	args->key.max_transid = UINT64_MAX;
	args->key.nr_items = 4096;
	return ioctl(fd, BTRFS_IOC_TREE_SEARCH, args);
}

/* Every chunk of the file system, ascending; -1 with errno set. */
static int
read_chunks(int fd, struct single_chunk **out, size_t *n)
{
	struct btrfs_ioctl_search_args args;
	struct btrfs_ioctl_search_header head;
	struct btrfs_chunk chunk;
	struct single_chunk *grown;
	uint64_t next = 0;
	size_t at, cap = 0;
	uint32_t i;

	*out = NULL;
	*n = 0;
	do {
		if (search(fd, &args, BTRFS_CHUNK_TREE_OBJECTID,
		    BTRFS_FIRST_CHUNK_TREE_OBJECTID, BTRFS_CHUNK_ITEM_KEY, next) != 0)
			return -1;
		for (i = 0, at = 0; i < args.key.nr_items; i++) {
			memcpy(&head, args.buf + at, sizeof(head));
			memcpy(&chunk, args.buf + at + sizeof(head), sizeof(chunk));
			at += sizeof(head) + head.len;
			next = head.offset + 1;
			if (!(chunk.type & BTRFS_BLOCK_GROUP_DATA))
				continue;
			if (chunk.num_stripes != 1) {
				errno = EOPNOTSUPP;
				return -1;
			}
			if (*n == cap) {
				cap = cap ? 2 * cap : 64;
				if ((grown = realloc(*out, cap * sizeof(**out))) == NULL)
					return -1;
				*out = grown;
			}
			(*out)[*n].start = head.offset >> 9;
			(*out)[*n].len = chunk.length >> 9;
			(*out)[(*n)++].offset = chunk.stripe.offset >> 9;
		}
	} while (args.key.nr_items > 0 && next != 0);
	return 0;
}

/* One extent item's logical span, if it has one: what a read of it reads. */
static int
add_item(struct spans *out, const struct btrfs_file_extent_item *fi)
{
	if (fi->type == BTRFS_FILE_EXTENT_INLINE || fi->disk_bytenr == 0)
		return 0;
	if (fi->compression != 0)
		return spans_add(out, fi->disk_bytenr >> 9,
		    fi->disk_num_bytes >> 9);
	return spans_add(out, (fi->disk_bytenr + fi->offset) >> 9,
	    fi->num_bytes >> 9);
}

int
btrfs_logical_spans(int fd, struct spans *out)
{
	struct btrfs_ioctl_ino_lookup_args lookup;
	struct btrfs_ioctl_search_args args;
	struct btrfs_ioctl_search_header head;
	struct btrfs_file_extent_item fi;
	struct stat st;
	uint64_t next = 0;
	size_t at;
	uint32_t i;

	memset(&lookup, 0, sizeof(lookup));
	lookup.objectid = BTRFS_FIRST_FREE_OBJECTID;
	if (fstat(fd, &st) != 0 || ioctl(fd, BTRFS_IOC_INO_LOOKUP, &lookup) != 0)
		return -1;
	out->n = 0;
	do {
		if (search(fd, &args, lookup.treeid, st.st_ino,
		    BTRFS_EXTENT_DATA_KEY, next) != 0)
			return -1;
		for (i = 0, at = 0; i < args.key.nr_items; i++) {
			memcpy(&head, args.buf + at, sizeof(head));
			memset(&fi, 0, sizeof(fi));
			memcpy(&fi, args.buf + at + sizeof(head),
			    head.len < sizeof(fi) ? head.len : sizeof(fi));
			at += sizeof(head) + head.len;
			next = head.offset + 1;
			if (add_item(out, &fi) != 0)
				return -1;
		}
	} while (args.key.nr_items > 0 && next != 0);
	spans_normalize(out);
	return 0;
}

int
btrfs_single_spans(int fd, struct spans *s)
{
	struct single_chunk *chunks;
	struct spans logical = *s;
	uint64_t at, end, n;
	size_t i, c, n_chunks;

	if (read_chunks(fd, &chunks, &n_chunks) != 0)
		return -1;
	memset(s, 0, sizeof(*s));
	for (i = 0; i < logical.n; i++) {
		at = logical.v[i].start;
		end = at + logical.v[i].len;
		while (at < end) {
			for (c = 0; c < n_chunks && !(chunks[c].start <= at &&
			    at < chunks[c].start + chunks[c].len); c++)
				;
			if (c == n_chunks) {
				errno = ERANGE;
				goto failed;
			}
			n = chunks[c].start + chunks[c].len - at;
			n = n < end - at ? n : end - at;
			if (spans_add(s, chunks[c].offset + at - chunks[c].start,
			    n) != 0)
				goto failed;
			at += n;
		}
	}
	spans_free(&logical);
	free(chunks);
	spans_normalize(s);
	return 0;
failed:
	spans_free(&logical);
	free(chunks);
	return -1;
}
