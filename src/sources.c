/* The event loop's clock, timer and signals: see sources.h. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sources.h"

int64_t
now_ms(void)
{
	return now_ns() / 1000000;
}

int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

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
sources_arm(int timer_fd, int64_t due)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	/* A zero time would disarm the timer; a due time in the past fires. */
	if (due < 1)
		due = 1;
	if (due != NEVER) {
		its.it_value.tv_sec = due / 1000;
		its.it_value.tv_nsec = (long)(due % 1000) * 1000000;
	}
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
