/*
 * dm-poller MS SECONDS: uses device-mapper the way a monitoring agent or
 * `dmsetup status` in a loop does, every MS milliseconds for SECONDS:
 * opens the control node, asks its version, closes it.  Each close is a
 * use of device-mapper that the daemons of every device see.  Prints how
 * many uses it made.
 */
#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char *argv[])
{
	struct dm_ioctl dmi;
	struct timespec pause;
	double end;
	long ms, uses = 0;
	int fd;

	if (argc != 3 || (ms = atol(argv[1])) < 1 || atof(argv[2]) <= 0) {
		fprintf(stderr, "usage: dm-poller MS SECONDS\n");
		return 2;
	}
	pause.tv_sec = ms / 1000;
	pause.tv_nsec = (ms % 1000) * 1000000L;
	end = seconds() + atof(argv[2]);
	while (seconds() < end) {
		if ((fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC)) < 0) {
			perror("dm-poller: /dev/mapper/control");
			return 1;
		}
		memset(&dmi, 0, sizeof(dmi));
		dmi.version[0] = DM_VERSION_MAJOR;
		dmi.data_size = sizeof(dmi);
		if (ioctl(fd, DM_VERSION, &dmi) != 0) {
			perror("dm-poller: DM_VERSION");
			return 1;
		}
		close(fd);
		uses++;
		nanosleep(&pause, NULL);
	}
	printf("%ld\n", uses);
	return 0;
}
