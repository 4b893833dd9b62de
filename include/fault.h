/*
 * The words of a failure that its caller cannot say for itself: before
 * the daemon runs, a refusal, one line naming the argument and the reason,
 * which main prints; while it runs, the detail of an outcome that only the
 * function finding it knows (which region makes a group another's).
 * log.h says when a failure is reported this way.  Like log_error and
 * log_errorx, fault() ends the line with errno's reason and faultx() does
 * not.
 */
#ifndef DMFILEMAPD_FAULT_H
#define DMFILEMAPD_FAULT_H

struct fault {
	char line[512];		/* one line, cut short if longer */
};

/* Writes the line, then ": " and strerror(errno); returns -1. */
int fault(struct fault *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Writes the line alone, for what errno does not describe; returns -1. */
int faultx(struct fault *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
