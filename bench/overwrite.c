/*
 * overwrite FILE COUNT EVERY_MS [SEED]: overwrites COUNT random 4 KiB
 * blocks of FILE in place with O_DIRECT, one every EVERY_MS ms, so that
 * each write reaches the device at once (on a copy-on-write file system,
 * a new place for that block each time).  Prints the number written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BLOCK 4096

int
main(int argc, char *argv[])
{
	struct stat st;
	struct timespec pause;
	unsigned long count, done = 0, blocks, every_ms;
	char *buf;
	off_t offset;
	int fd;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: overwrite FILE COUNT EVERY_MS [SEED]\n");
		return 2;
	}
	count = strtoul(argv[2], NULL, 10);
	every_ms = strtoul(argv[3], NULL, 10);
	srandom(argc == 5 ? (unsigned int)strtoul(argv[4], NULL, 10) : 1);
	pause.tv_sec = (time_t)(every_ms / 1000);
	pause.tv_nsec = (long)(every_ms % 1000) * 1000000;
	if ((fd = open(argv[1], O_WRONLY | O_DIRECT)) < 0 || fstat(fd, &st) != 0) {
		fprintf(stderr, "overwrite: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	blocks = (unsigned long)(st.st_size / BLOCK);
	if (blocks == 0 || posix_memalign((void **)&buf, BLOCK, BLOCK) != 0) {
		fprintf(stderr, "overwrite: %s: nothing to overwrite\n", argv[1]);
		return 1;
	}
	for (; done < count; done++) {
		memset(buf, (int)(done & 0xff), BLOCK);
		offset = (off_t)((unsigned long)random() % blocks) * BLOCK;
		if (pwrite(fd, buf, BLOCK, offset) != BLOCK) {
			fprintf(stderr, "overwrite: write at %lld: %s\n",
			    (long long)offset, strerror(errno));
			break;
		}
		nanosleep(&pause, NULL);
	}
	printf("%lu\n", done);
	free(buf);
	close(fd);
	return done == count ? 0 : 1;
}
