/*
 * A small log module: one line per message, stderr while the caller can
 * still read it, syslog once the daemon has detached from it.
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

static void
vlog(int priority, const char *prefix, const char *fmt, va_list ap)
{
	int saved_errno = errno;

	char text[4096];

	if (to_syslog) {
		vsyslog(priority, fmt, ap);
	} else {
		/*
		 * One call, so one write to the unbuffered stderr: a reader of
		 * the log, or another daemon on the same terminal, never sees
		 * half a line.
		 */
		vsnprintf(text, sizeof(text), fmt, ap);
		fprintf(stderr, "dmfilemapd: %s%s\n", prefix, text);
	}
	errno = saved_errno;
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, "", fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, "warning: ", fmt, ap);
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
	vlog(level >= VERB_DEBUG ? LOG_DEBUG : LOG_INFO, "", fmt, ap);
	va_end(ap);
}
