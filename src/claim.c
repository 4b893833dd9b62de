/*
 * The claim is an abstract unix socket bound to a name made of the device
 * and the group id: the kernel lets one socket hold a name, frees it when
 * the holder exits however it exits, and leaves no file behind.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "claim.h"

int
claim_group(unsigned int major, unsigned int minor, uint64_t id)
{
	struct sockaddr_un addr;
	socklen_t len;
	int fd, n, saved;

	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	/* A leading NUL puts the name in the abstract namespace. */
	n = snprintf(addr.sun_path + 1, sizeof(addr.sun_path) - 1,
	    "dmfilemapd/%u:%u/%" PRIu64, major, minor, id);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&addr, len) != 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}
