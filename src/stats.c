/*
 * dm-stats messages.  libdevmapper sends each as one DM_DEV_TARGET_MSG
 * ioctl to the device named by major:minor; the kernel splits it at blanks
 * and takes a backslash as escaping the next character, so every word that
 * may hold blanks goes through message_word().
 */
#include <errno.h>
#include <inttypes.h>
#include <libdevmapper.h>
#include <linux/dm-ioctl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "descriptor.h"
#include "log.h"
#include "stats.h"

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

/*
 * Sends one message.  On success returns 0 and, when answer is not NULL,
 * a malloc'd copy of the kernel's answer; on failure -1 with errno set
 * from the ioctl.
 */
static int
send_message(const struct stats_device *dev, char **answer,
    const char *fmt, ...)
{
	struct dm_task *dmt;
	const char *response;
	char *message;
	va_list ap;
	int n, err = 0;

	va_start(ap, fmt);
	n = vasprintf(&message, fmt, ap);
	va_end(ap);
	if (n < 0) {
		errno = ENOMEM;
		return -1;
	}
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
	log_info(VERB_DEBUG, "message '%s': %s", message,
	    err ? strerror(err) : "ok");
	if (dmt != NULL)
		dm_task_destroy(dmt);
	free(message);
	errno = err;
	return err ? -1 : 0;
}

int
stats_device_open(struct stats_device *dev, dev_t devno, char *err,
    size_t errlen)
{
	struct dm_task *dmt;
	struct dm_info info;
	int ok = 0;

	dm_log_with_errno_init(library_log);
	dev->major = major(devno);
	dev->minor = minor(devno);
	dev->name = NULL;
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
stats_control_path(char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", dm_dir(), DM_CONTROL_NODE);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

void
stats_device_close(struct stats_device *dev)
{
	free(dev->name);
	dev->name = NULL;
}

int
stats_list(const struct stats_device *dev, const char *program_id,
    struct listing *out)
{
	char *answer, *word;
	int r;

	if ((word = message_word(program_id)) == NULL)
		return -1;
	r = send_message(dev, &answer, "@stats_list%s%s", *word ? " " : "",
	    word);
	free(word);
	if (r != 0)
		return -1;
	r = listing_parse(answer, out);
	free(answer);
	return r;
}

int
stats_create(const struct stats_device *dev, const struct range *range,
    const char *options, int n_options, const char *program_id,
    const char *aux, uint64_t *id)
{
	char *answer, *program, *word, *end;
	int r = -1;

	program = message_word(program_id);
	word = message_word(aux);
	/*
	 * The option count is always given: without it the kernel would take
	 * an all-digit program_id for the count.
	 */
	if (program == NULL || word == NULL)
		errno = ENOMEM;
	else
		r = send_message(dev, &answer, "@stats_create %" PRIu64 "+%"
		    PRIu64 " /1 %d%s%s %s %s", range->start, range->len,
		    n_options, n_options ? " " : "", n_options ? options : "",
		    program, word);
	free(program);
	free(word);
	if (r != 0)
		return -1;
	errno = 0;
	*id = strtoull(answer, &end, 10);
	if (errno != 0 || end == answer) {
		log_error("%s: unexpected answer '%s' to @stats_create",
		    dev->name, answer);
		errno = EPROTO;
		r = -1;
	}
	free(answer);
	return r;
}

int
stats_delete(const struct stats_device *dev, uint64_t id)
{
	return send_message(dev, NULL, "@stats_delete %" PRIu64, id);
}

int
stats_set_aux(const struct stats_device *dev, uint64_t id, const char *aux)
{
	char *word;
	int r;

	if ((word = message_word(aux)) == NULL)
		return -1;
	r = send_message(dev, NULL, "@stats_set_aux %" PRIu64 " %s", id, word);
	free(word);
	return r;
}

int
stats_heat(const struct stats_device *dev, uint64_t id, uint64_t *heat)
{
	unsigned long long reads, writes;
	char *answer;
	int n;

	if (send_message(dev, &answer, "@stats_print %" PRIu64, id) != 0)
		return -1;
	/* <start>+<step> reads merged sectors ms writes merged sectors ms ... */
	n = sscanf(answer, "%*u+%*u %llu %*u %*u %*u %llu", &reads, &writes);
	free(answer);
	if (n != 2) {
		errno = EPROTO;
		return -1;
	}
	*heat = reads + writes;
	return 0;
}
