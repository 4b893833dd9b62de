/*
 * A small log module: one line per message, stderr while the caller can
 * still read it, syslog once the daemon has detached from it.  As with
 * OpenBSD's daemons, log_error and log_warn end the line with what errno
 * says; their x forms, for failures errno does not describe, do not.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

static int to_syslog;
static int verbosity;

void
log_init(int verbose)
{
	to_syslog = 0;
	verbosity = verbose;
}

/* Called once the daemon no longer has a caller watching its stderr. */
void
log_detach(void)
{
	openlog("dmfilemapd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	to_syslog = 1;
}

int
log_verbose(void)
{
	return verbosity;
}

/*
 * The line is made whole first, errno's reason included: one call, so
 * one write to the unbuffered stderr, and a reader of the log, or another
 * daemon on the same terminal, never sees half a line.  errno is taken
 * before anything here can change it, and left as it was.
 */
static void
vlog(int priority, const char *prefix, int with_errno, const char *fmt,
    va_list ap)
{
	int saved_errno = errno;
	char text[4096];
	size_t len;

	vsnprintf(text, sizeof(text), fmt, ap);
	if (with_errno && saved_errno != 0) {
		len = strlen(text);
		snprintf(text + len, sizeof(text) - len, ": %s",
		    strerror(saved_errno));
	}
	if (to_syslog)
		syslog(priority, "%s", text);
	else
		fprintf(stderr, "dmfilemapd: %s%s\n", prefix, text);
	errno = saved_errno;
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, "", 1, fmt, ap);
	va_end(ap);
}

void
log_errorx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, "", 0, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, "warning: ", 1, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, "warning: ", 0, fmt, ap);
	va_end(ap);
}

/*
 * Lifecycle lines reach syslog whatever VERBOSE is, since an administrator
 * must be able to find out why a daemon started or stopped.
 */
void
log_info(int level, const char *fmt, ...)
{
	va_list ap;
	int wanted = level <= verbosity ||
	    (to_syslog && level == VERB_LIFECYCLE);

	if (!wanted)
		return;
	va_start(ap, fmt);
	vlog(level >= VERB_DEBUG ? LOG_DEBUG : LOG_INFO, "", 0, fmt, ap);
	va_end(ap);
}
