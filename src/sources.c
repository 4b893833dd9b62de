/* The event loop's timer and signals: see sources.h. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "log.h"
#include "sources.h"

int
sources_open(int *signal_fd, int *timer_fd)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0 ||
	    (*signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0 ||
	    (*timer_fd = timerfd_create(CLOCK_MONOTONIC,
	    TFD_CLOEXEC | TFD_NONBLOCK)) < 0)
		return -1;
	return 0;
}

int
sources_arm(int timer_fd, msec_t due)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	/* A zero time would disarm the timer; a due time in the past fires. */
	if (due < 1)
		due = 1;
	if (due != NEVER)
		its.it_value = timespec_from_ns(ns_from_ms(due));
	return timerfd_settime(timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

void
sources_take_timer(int timer_fd)
{
	uint64_t expirations;

	if (read(timer_fd, &expirations, sizeof(expirations)) < 0 &&
	    errno != EAGAIN)
		log_warn("timer");
}

int
sources_next_signal(int signal_fd)
{
	struct signalfd_siginfo si;

	if (read(signal_fd, &si, sizeof(si)) != sizeof(si))
		return 0;
	return (int)si.ssi_signo;
}
