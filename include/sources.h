/*
 * The event loop's own sources, apart from inotify: a timerfd armed for an
 * absolute time on the monotonic clock (clock.h), and a signalfd for
 * SIGTERM, SIGINT and SIGHUP (blocked, so that no handler runs at all).
 */
#ifndef DMFILEMAPD_SOURCES_H
#define DMFILEMAPD_SOURCES_H

#include "clock.h"

/* Creates both fds; -1 with errno set on failure. */
int sources_open(int *signal_fd, int *timer_fd);

/* Arms the timer for the monotonic time due, or disarms it for NEVER. */
int sources_arm(int timer_fd, msec_t due);

/*
 * Drains the timer's expirations, if any.  A read that fails is said
 * here, and nothing else is done: the timer fires again.
 */
void sources_take_timer(int timer_fd);

/* The next signal waiting on the fd, or 0 when none. */
int sources_next_signal(int signal_fd);

#endif
