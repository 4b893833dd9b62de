/*
 * file-ranges items|fiemap|raw FILE: where the daemon reads FILE's data
 * to lie, in the daemon's own code.  "items" reads the extent items of a
 * btrfs file (btrfs_read_file_map), "fiemap" asks FIEMAP (file_map_read);
 * both print one range a line, "START+LENGTH" in 512-byte sectors of the
 * file system's address space (btrfs logical addresses, before the chunk
 * tree), then a line "end E pending P unmappable U".  "raw" prints the
 * first TREE_SEARCH answer for the file's extent items as the unit tests
 * keep it: "ino I count N", then its bytes in hex, 16 a line.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/btrfs_tree.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "btrfs.h"
#include "fiemap.h"

#define RAW_BUFFER (64 * 1024)

static int
print_map(int fd, int items)
{
	struct file_map map = { 0 };
	size_t i;

	if ((items ? btrfs_read_file_map(fd, &map) :
	    file_map_read(fd, &map)) != 0) {
		perror(items ? "btrfs_read_file_map" : "file_map_read");
		return 1;
	}
	for (i = 0; i < map.count; i++)
		printf("%llu+%llu\n", (unsigned long long)map.ranges[i].start,
		    (unsigned long long)map.ranges[i].len);
	printf("end %llu pending %d unmappable %d\n", map.end, map.pending,
	    map.unmappable);
	file_map_free(&map);
	return 0;
}

static int
print_raw(int fd)
{
	struct btrfs_ioctl_search_args_v2 *args;
	struct stat st;
	uint64_t tree;
	size_t used, i;
	const unsigned char *at;
	uint32_t n, len;

	if (fstat(fd, &st) != 0 || btrfs_subvolume_tree(fd, &tree) != 0 ||
	    (args = calloc(1, sizeof(*args) + RAW_BUFFER)) == NULL) {
		perror("file-ranges raw");
		return 1;
	}
	if (btrfs_search(fd, args, RAW_BUFFER, tree, st.st_ino,
	    BTRFS_EXTENT_DATA_KEY, 0) != 0) {
		perror("BTRFS_IOC_TREE_SEARCH_V2");
		return 1;
	}
	/* The bytes the results take, each a header and its item. */
	at = (const unsigned char *)args->buf;
	for (used = 0, n = 0; n < args->key.nr_items; n++) {
		memcpy(&len, at + used + offsetof(struct
		    btrfs_ioctl_search_header, len), sizeof(len));
		used += sizeof(struct btrfs_ioctl_search_header) + len;
	}
	printf("ino %llu count %u\n", (unsigned long long)st.st_ino,
	    args->key.nr_items);
	for (i = 0; i < used; i++)
		printf("0x%02x,%s", at[i], i % 16 == 15 ? "\n" : " ");
	if (used % 16 != 0)
		printf("\n");
	free(args);
	return 0;
}

int
main(int argc, char *argv[])
{
	int fd;

	if (argc != 3 || (strcmp(argv[1], "items") != 0 &&
	    strcmp(argv[1], "fiemap") != 0 && strcmp(argv[1], "raw") != 0)) {
		fprintf(stderr, "usage: file-ranges items|fiemap|raw FILE\n");
		return 2;
	}
	if ((fd = open(argv[2], O_RDONLY)) < 0) {
		fprintf(stderr, "file-ranges: %s: %s\n", argv[2],
		    strerror(errno));
		return 1;
	}
	if (strcmp(argv[1], "raw") == 0)
		return print_raw(fd);
	return print_map(fd, strcmp(argv[1], "items") == 0);
}
