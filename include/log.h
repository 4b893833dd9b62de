/*
 * Logging: to stderr in the foreground, to syslog (LOG_DAEMON) once detached.
 * Levels follow the VERBOSE argument: 1 lifecycle, 2 region changes, 3 debug.
 * Errors and warnings are always logged; lifecycle always reaches syslog.
 *
 * The one error convention.  A failure is logged once, by the function
 * that decides what to do about it (go on without it, undo, try again
 * later, end the work).  Below that function nothing is logged, and a
 * failure comes up in one of two ways:
 *
 *  - A system failure (a call, memory, an answer not as the kernel writes
 *    it): -1, or NULL for a pointer, with errno set.  The decider logs it
 *    with log_error or log_warn, which end the line with errno's reason.
 *  - A domain outcome (a claim taken, a group gone, a descriptor that
 *    cannot be read): a named enum whose value says what happened.  A
 *    value that stands for a system failure (CLAIM_FAILED, GROUP_FAILED)
 *    leaves errno set, as -1 does.  The decider logs the outcome in its
 *    own words with log_errorx or log_warnx.
 *
 * Words that only the function finding an outcome can give (which region
 * makes a group another's) go into a struct fault (fault.h) its caller
 * passes; a pure check may instead return the phrase naming what it
 * found, or NULL (descriptor_alias_fault).  A decider that itself returns
 * (a pass, a step of following the file, a change of the group) returns
 * what it decided as such an enum, already logged: its caller acts on the
 * value and logs nothing more.
 *
 * Before the daemon runs, a refusal is one line naming the argument and
 * the reason, written into a struct fault with fault() (errno's reason
 * last) or faultx(); the function returns -1 (cli_parse: CLI_BAD_*) and
 * main prints the line: that is where start-up is given up.
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
