/*
 * Logging: to stderr in the foreground, to syslog (LOG_DAEMON) once detached.
 * Levels follow the VERBOSE argument: 1 lifecycle, 2 region changes, 3 debug.
 * Errors and warnings are always logged; lifecycle always reaches syslog.
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

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
