/*
 * The real device-mapper side of dm-stats: libdevmapper finds the device
 * and its control node; each message is one DM_TARGET_MSG ioctl on that
 * node, to the device named by major:minor, in a buffer this file keeps
 * and sizes (see devmapper_send).  The unit tests put an in-memory kernel
 * in its place.
 */
#include <errno.h>
#include <fcntl.h>
#include <libdevmapper.h>
#include <linux/dm-ioctl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "devmapper.h"
#include "fault.h"
#include "log.h"

#define MESSAGE_BUFFER_MIN (16u << 10)
#define MESSAGE_BUFFER_MAX (256u << 20)	/* far past any device's listing */

static int control_fd = -1;
static struct {
	struct dm_ioctl *io;
	size_t size;
} ioctl_buffer;

/* libdevmapper's own messages are details of ours: show them when debugging. */
static void
library_log(int level, const char *file, int line, int dm_errno,
    const char *fmt, ...)
{
	char text[512];
	va_list ap;

	(void)level;
	(void)file;
	(void)line;
	(void)dm_errno;
	if (log_verbose() < VERB_DEBUG)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	log_info(VERB_DEBUG, "libdevmapper: %s", text);
}

static struct dm_task *
task_for(const struct stats_device *dev, int type)
{
	struct dm_task *dmt = dm_task_create(type);

	if (dmt != NULL && (!dm_task_set_major(dmt, (int)dev->major) ||
	    !dm_task_set_minor(dmt, (int)dev->minor))) {
		dm_task_destroy(dmt);
		dmt = NULL;
	}
	return dmt;
}

/* Grows the one ioctl buffer to at least size bytes; new bytes are zero. */
static int
buffer_reserve(size_t size)
{
	void *grown;

	if (size <= ioctl_buffer.size)
		return 0;
	if ((grown = realloc(ioctl_buffer.io, size)) == NULL)
		return -1;
	memset((char *)grown + ioctl_buffer.size, 0, size - ioctl_buffer.size);
	ioctl_buffer.io = grown;
	ioctl_buffer.size = size;
	return 0;
}

/*
 * One DM_TARGET_MSG ioctl with a buffer of size bytes; *fits says whether
 * the answer fitted in it.  Returns 0, or -1 with errno set.
 */
static int
message_ioctl(const struct stats_device *dev, const char *message,
    size_t size, bool *fits)
{
	struct dm_ioctl *io;
	struct dm_target_msg *tm;
	size_t head = sizeof(*io) + sizeof(*tm), len = strlen(message) + 1;

	while (head + len > size)
		size *= 2;
	if (buffer_reserve(size) != 0) {
		errno = ENOMEM;
		return -1;
	}
	io = ioctl_buffer.io;
	memset(io, 0, head);
	io->version[0] = DM_VERSION_MAJOR;
	io->data_size = (uint32_t)size;
	io->data_start = sizeof(*io);
	io->dev = makedev(dev->major, dev->minor);
	tm = (struct dm_target_msg *)(io + 1);
	memcpy(tm->message, message, len);
	if (ioctl(control_fd, DM_TARGET_MSG, io) != 0)
		return -1;
	*fits = !(io->flags & DM_BUFFER_FULL_FLAG);
	return 0;
}

/*
 * The answer's size is learnt: a listing starts at the size the caller
 * expects, or else the size this process's last one needed (an answer
 * that does not fit is formatted again in a buffer twice as large);
 * everything else at the smallest size, so that a message after a long
 * listing does not carry its buffer (libdevmapper's dm_task_run keeps
 * every later buffer as large as the largest answer, and the kernel copies
 * the whole buffer in and out).
 */
static int
devmapper_send(const struct stats_device *dev, const char *message,
    char **answer)
{
	static size_t list_size = MESSAGE_BUFFER_MIN;
	int is_list = strncmp(message, "@stats_list", 11) == 0;
	size_t size = MESSAGE_BUFFER_MIN;
	const struct dm_ioctl *io;
	bool fits;

	if (is_list && dev->list_expect > 0)
		size = sizeof(struct dm_ioctl) + dev->list_expect;
	else if (is_list)
		size = list_size;
	if (size < MESSAGE_BUFFER_MIN)
		size = MESSAGE_BUFFER_MIN;
	for (;;) {
		if (message_ioctl(dev, message, size, &fits) != 0)
			return -1;
		if (fits)
			break;
		if (size >= MESSAGE_BUFFER_MAX) {
			errno = EOVERFLOW;
			return -1;
		}
		size *= 2;
	}
	if (is_list)
		list_size = size;
	if (answer == NULL)
		return 0;
	io = ioctl_buffer.io;
	*answer = strdup(io->flags & DM_DATA_OUT_FLAG ?
	    (const char *)io + io->data_start : "");
	if (*answer == NULL) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

int
devmapper_open(struct stats_device *dev, dev_t devno, struct fault *f)
{
	struct dm_task *dmt;
	struct dm_info info;
	char path[4096];
	int ok = 0;

	dm_log_with_errno_init(library_log);
	dev->major = major(devno);
	dev->minor = minor(devno);
	dev->name = NULL;
	dev->send = devmapper_send;
	dev->model = NULL;
	dev->list_expect = 0;
	dev->alias_form = devmapper_alias_form();
	if (control_fd < 0 && (devmapper_control_path(path, sizeof(path)) != 0 ||
	    (control_fd = open(path, O_RDWR | O_CLOEXEC)) < 0))
		return fault(f, "cannot open the device-mapper control node");
	if ((dmt = task_for(dev, DM_DEVICE_INFO)) == NULL)
		return faultx(f, "out of memory");
	if (dm_task_run(dmt) && dm_task_get_info(dmt, &info) && info.exists)
		ok = (dev->name = strdup(dm_task_get_name(dmt))) != NULL;
	dm_task_destroy(dmt);
	/* The messages go on control_fd: libdevmapper's own is closed. */
	dm_lib_release();
	if (!ok)
		return faultx(f, "device %u:%u does not answer as a "
		    "device-mapper device", dev->major, dev->minor);
	return 0;
}

/*
 * dmstats runs on the same shared library as this process, so its version
 * says how dmstats writes and reads an alias, whatever the build machine
 * had.
 */
enum alias_form
devmapper_alias_form(void)
{
	char version[64];

	if (!dm_get_library_version(version, sizeof(version)))
		version[0] = '\0';
	return descriptor_library_form(version);
}

/* The node every device-mapper tool opens to talk to the kernel. */
int
devmapper_control_path(char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", dm_dir(), DM_CONTROL_NODE);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

