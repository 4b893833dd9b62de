/*
 * The event loop's own sources, apart from inotify: the monotonic clock in
 * milliseconds, a timerfd armed for an absolute time, and a signalfd for
 * SIGTERM, SIGINT and SIGHUP (blocked, so that no handler runs at all).
 */
#ifndef DMFILEMAPD_SOURCES_H
#define DMFILEMAPD_SOURCES_H

#include <stdint.h>

#define NEVER INT64_MAX

int64_t now_ms(void);
/* The same clock in nanoseconds, for moments other processes compare. */
int64_t now_ns(void);

/* Creates both fds; -1 with errno set on failure. */
int sources_open(int *signal_fd, int *timer_fd);

/* Arms the timer for the monotonic time due (ms), or disarms it for NEVER. */
int sources_arm(int timer_fd, int64_t due);

/*
 * Drains the timer's expirations, if any.  A read that fails is said
 * here, and nothing else is done: the timer fires again.
 */
void sources_take_timer(int timer_fd);

/* The next signal waiting on the fd, or 0 when none. */
int sources_next_signal(int signal_fd);

#endif
