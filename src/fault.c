/*
 * A fault's line, written as log.c writes a log line: errno's reason last,
 * when there is one.  errno is left as it was, so that a caller may still
 * act on it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fault.h"

static int
vfault(struct fault *f, int with_errno, const char *fmt, va_list ap)
{
	int saved_errno = errno;
	size_t len;

	vsnprintf(f->line, sizeof(f->line), fmt, ap);
	if (with_errno && saved_errno != 0) {
		len = strlen(f->line);
		snprintf(f->line + len, sizeof(f->line) - len, ": %s",
		    strerror(saved_errno));
	}
	errno = saved_errno;
	return -1;
}

int
fault(struct fault *f, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfault(f, 1, fmt, ap);
	va_end(ap);
	return r;
}

int
faultx(struct fault *f, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfault(f, 0, fmt, ap);
	va_end(ap);
	return r;
}
