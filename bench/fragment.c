/*
 * fragment FILE EXTENTS: makes FILE a file of EXTENTS physically separate
 * extents, one filesystem block each.  It allocates 2 * EXTENTS blocks in
 * one go, then punches out every other block: the holes stay unallocated,
 * so no two remaining blocks touch on the device and neither dmstats nor
 * any daemon can merge them.  Prints "extents=N block=B".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

static int
fail(const char *what, const char *file)
{
	fprintf(stderr, "fragment: %s: %s: %s\n", file, what, strerror(errno));
	return 1;
}

/* The filesystem's allocation unit: a hole must free whole blocks. */
static long
block_size(int fd)
{
	struct statfs fs;

	if (fstatfs(fd, &fs) != 0)
		return -1;
	return (long)fs.f_bsize;
}

static int
punch_odd_blocks(int fd, unsigned long extents, long block)
{
	unsigned long i;

	for (i = 0; i < extents; i++)
		if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		    (off_t)(2 * i + 1) * block, block) != 0)
			return -1;
	return 0;
}

int
main(int argc, char *argv[])
{
	unsigned long extents;
	char *end;
	long block;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: fragment FILE EXTENTS\n");
		return 2;
	}
	extents = strtoul(argv[2], &end, 10);
	if (*end != '\0' || extents == 0) {
		fprintf(stderr, "fragment: EXTENTS must be a positive number\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return fail("cannot create", argv[1]);
	if ((block = block_size(fd)) <= 0)
		return fail("cannot read the block size", argv[1]);
	/* One allocation: the blocks left after punching cannot be reordered. */
	if (fallocate(fd, 0, 0, (off_t)(2 * extents) * block) != 0)
		return fail("cannot allocate", argv[1]);
	if (punch_odd_blocks(fd, extents, block) != 0)
		return fail("cannot punch a hole", argv[1]);
	if (fsync(fd) != 0)
		return fail("cannot sync", argv[1]);
	close(fd);
	printf("extents=%lu block=%ld\n", extents, block);
	return 0;
}
