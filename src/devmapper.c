/*
 * The real device-mapper side of dm-stats: each message one
 * DM_DEV_TARGET_MSG ioctl through libdevmapper, to the device named by
 * major:minor.  The unit tests put an in-memory kernel in its place.
 */
#include <errno.h>
#include <libdevmapper.h>
#include <linux/dm-ioctl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "devmapper.h"
#include "log.h"

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

static int
devmapper_send(const struct stats_device *dev, const char *message,
    char **answer)
{
	struct dm_task *dmt;
	const char *response;
	int err = 0;

	if ((dmt = task_for(dev, DM_DEVICE_TARGET_MSG)) == NULL ||
	    !dm_task_set_message(dmt, message))
		err = ENOMEM;
	else if (!dm_task_run(dmt))
		err = dm_task_get_errno(dmt) ? dm_task_get_errno(dmt) : EIO;
	else if (answer != NULL) {
		response = dm_task_get_message_response(dmt);
		if ((*answer = strdup(response ? response : "")) == NULL)
			err = ENOMEM;
	}
	if (dmt != NULL)
		dm_task_destroy(dmt);
	errno = err;
	return err ? -1 : 0;
}

int
devmapper_open(struct stats_device *dev, dev_t devno, char *err,
    size_t errlen)
{
	struct dm_task *dmt;
	struct dm_info info;
	int ok = 0;

	dm_log_with_errno_init(library_log);
	dev->major = major(devno);
	dev->minor = minor(devno);
	dev->name = NULL;
	dev->send = devmapper_send;
	dev->model = NULL;
	if ((dmt = task_for(dev, DM_DEVICE_INFO)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (dm_task_run(dmt) && dm_task_get_info(dmt, &info) && info.exists)
		ok = (dev->name = strdup(dm_task_get_name(dmt))) != NULL;
	dm_task_destroy(dmt);
	if (!ok)
		snprintf(err, errlen, "device %u:%u does not answer as a "
		    "device-mapper device", dev->major, dev->minor);
	return ok ? 0 : -1;
}

/* The node every device-mapper tool opens to talk to the kernel. */
int
devmapper_control_path(char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", dm_dir(), DM_CONTROL_NODE);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

