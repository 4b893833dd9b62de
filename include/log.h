/*
 * Logging: to stderr in the foreground, to syslog (LOG_DAEMON) once detached.
 * Levels follow the VERBOSE argument: 1 lifecycle, 2 region changes, 3 debug.
 * Errors and warnings are always logged; lifecycle always reaches syslog.
 *
 * The one error convention.  The function that decides what to do about a
 * failure (go on without it, try again later, end the work) logs it, once,
 * with what it knows; below it, functions only report: -1 with errno set,
 * or an enum that says what happened (a pass's result, a group's state),
 * never a message.  Before the daemon runs, a refusal is written into an
 * err buffer instead, one line naming the argument, which main prints:
 * that is its decision.  No failure is logged twice or passed up as
 * another kind.
 */
#ifndef DMFILEMAPD_LOG_H
#define DMFILEMAPD_LOG_H

enum verbosity {
	VERB_LIFECYCLE = 1,
	VERB_REGIONS = 2,
	VERB_DEBUG = 3,
};

void log_init(int verbose);
void log_detach(void);
int log_verbose(void);

/* The line, then ": " and strerror(errno). */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The line alone, for failures that errno does not describe. */
void log_errorx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
