/*
 * stamped-blocks write FILE FIRST COUNT TAG: writes blocks FIRST to
 * FIRST+COUNT-1 of FILE, 4 KiB each, each beginning with the line "TAG
 * NUMBER" and filled with bytes that depend on both, so that no two blocks
 * and no other data match; then fsyncs FILE.
 *
 * stamped-blocks find DEVICE TAG: reads DEVICE whole with O_DIRECT and
 * prints, as "start len" lines in 512-byte sectors, the stretches of the
 * device whose 4 KiB blocks begin with "TAG ".
 *
 * Together they say where a file's data lies on a device without asking
 * the file system: the VM tests compare it with a group's regions for
 * layouts whose arithmetic they would otherwise have to repeat (striped
 * btrfs profiles).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLOCK 4096
#define CHUNK (1024 * 1024)

static int
write_blocks(const char *path, long first, long count, const char *tag)
{
	char block[BLOCK];
	long i;
	int fd, n, j;

	if ((fd = open(path, O_WRONLY | O_CREAT, 0644)) < 0) {
		fprintf(stderr, "stamped-blocks: %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (i = first; i < first + count; i++) {
		n = snprintf(block, sizeof(block), "%s %ld\n", tag, i);
		for (j = n; j < BLOCK; j++)
			block[j] = (char)((i * 131 + j * 7) & 0xff);
		if (pwrite(fd, block, BLOCK, (off_t)i * BLOCK) != BLOCK) {
			fprintf(stderr, "stamped-blocks: write %s: %s\n", path,
			    strerror(errno));
			return 1;
		}
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		fprintf(stderr, "stamped-blocks: %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

static int
find_blocks(const char *path, const char *tag)
{
	char prefix[256];
	unsigned char *buf;
	long long at = 0, start = -1;
	ssize_t got, i;
	size_t len;
	int fd;

	len = (size_t)snprintf(prefix, sizeof(prefix), "%s ", tag);
	if ((fd = open(path, O_RDONLY | O_DIRECT)) < 0 ||
	    posix_memalign((void **)&buf, BLOCK, CHUNK) != 0) {
		fprintf(stderr, "stamped-blocks: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while ((got = read(fd, buf, CHUNK)) > 0) {
		for (i = 0; i + BLOCK <= got; i += BLOCK, at += BLOCK) {
			if (memcmp(buf + i, prefix, len) == 0) {
				if (start < 0)
					start = at;
			} else if (start >= 0) {
				printf("%lld %lld\n", start / 512, (at - start) / 512);
				start = -1;
			}
		}
	}
	if (got < 0) {
		fprintf(stderr, "stamped-blocks: read %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (start >= 0)
		printf("%lld %lld\n", start / 512, (at - start) / 512);
	free(buf);
	return close(fd) != 0;
}

int
main(int argc, char *argv[])
{
	if (argc == 6 && strcmp(argv[1], "write") == 0)
		return write_blocks(argv[2], atol(argv[3]), atol(argv[4]), argv[5]);
	if (argc == 4 && strcmp(argv[1], "find") == 0)
		return find_blocks(argv[2], argv[3]);
	fprintf(stderr, "usage: stamped-blocks write FILE FIRST COUNT TAG\n"
	    "       stamped-blocks find DEVICE TAG\n");
	return 2;
}
