/*
 * odirect-read FILE COUNT [SEED]: reads COUNT random 4 KiB blocks of FILE
 * with O_DIRECT, so that every read reaches the device and is counted by
 * dm-stats exactly once.  Prints the number of reads done.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLOCK 4096

int
main(int argc, char *argv[])
{
	struct stat st;
	unsigned long count, done = 0, blocks;
	void *buf;
	off_t offset;
	int fd;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: odirect-read FILE COUNT [SEED]\n");
		return 2;
	}
	count = strtoul(argv[2], NULL, 10);
	srandom(argc == 4 ? (unsigned int)strtoul(argv[3], NULL, 10) : 1);
	if ((fd = open(argv[1], O_RDONLY | O_DIRECT)) < 0 || fstat(fd, &st) != 0) {
		fprintf(stderr, "odirect-read: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	blocks = (unsigned long)(st.st_size / BLOCK);
	if (blocks == 0 || posix_memalign(&buf, BLOCK, BLOCK) != 0) {
		fprintf(stderr, "odirect-read: %s: nothing to read\n", argv[1]);
		return 1;
	}
	for (; done < count; done++) {
		offset = (off_t)((unsigned long)random() % blocks) * BLOCK;
		if (pread(fd, buf, BLOCK, offset) != BLOCK) {
			fprintf(stderr, "odirect-read: read at %lld: %s\n",
			    (long long)offset, strerror(errno));
			break;
		}
	}
	printf("%lu\n", done);
	free(buf);
	close(fd);
	return done == count ? 0 : 1;
}
