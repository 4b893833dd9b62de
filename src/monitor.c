/*
 * The event loop.  A few fds and one poll(): inotify says when the file
 * (or, in path mode, its directory) changed and when another process used
 * device-mapper, the timerfd says when a coalesced pass or a group check
 * is due, the signalfd carries signals, and in path mode the mount table
 * says when something was mounted.  Nothing sleeps and nothing polls the
 * kernel while all is quiet but the rare unprompted group check.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "claim.h"
#include "follow.h"
#include "log.h"
#include "monitor.h"
#include "sync.h"
#include "track.h"
#include "watch.h"

/* A lasting failure is retried no less often than an unwatched group is checked. */
#define FAILURE_BACKOFF_MAX UNWATCHED_CHECK_MS

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Ends the loop: the work is over, with this exit status. */
void
monitor_finish(struct monitor *m, int status)
{
	m->done = 1;
	m->exit_status = status;
}

/* Moves *due to earliest, or to now if that has passed, unless it is sooner. */
static void
bring_forward(int64_t *due, int64_t earliest)
{
	int64_t now = now_ms();

	if (earliest < now)
		earliest = now;
	if (earliest < *due)
		*due = earliest;
}

/* Runs a pass no sooner than PASS_GAP_MS after the last one. */
static void
schedule_pass(struct monitor *m)
{
	bring_forward(&m->pass_due, m->last_pass + PASS_GAP_MS);
}

/*
 * Another process used device-mapper: it may have deleted or regrouped
 * regions, so check soon, but not more often than every CONTROL_GAP_MS
 * however busy the device is.
 */
static void
schedule_group_check(struct monitor *m)
{
	bring_forward(&m->group_due, m->group_checked + CONTROL_GAP_MS);
}

/* The group was just found as it should be: when to look again. */
void
monitor_group_checked(struct monitor *m, int64_t now)
{
	if (m->done)
		return;
	if (m->control_wd < 0 && watch_dm_control(m) == 0)
		log_info(VERB_LIFECYCLE, "watching the device-mapper control "
		    "node again");
	m->group_checked = now;
	m->group_due = now + (m->control_wd >= 0 ? GROUP_CHECK_MS :
	    UNWATCHED_CHECK_MS);
}

static int
setup_sources(struct monitor *m, char *err, size_t errlen)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	signal(SIGPIPE, SIG_IGN);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0 ||
	    (m->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0 ||
	    (m->timer_fd = timerfd_create(CLOCK_MONOTONIC,
	    TFD_CLOEXEC | TFD_NONBLOCK)) < 0) {
		snprintf(err, errlen, "cannot set up event sources: %s",
		    strerror(errno));
		return -1;
	}
	return watch_start(m, err, errlen);
}

static int
read_cap(unsigned int *cap, char *err, size_t errlen)
{
	const char *text = getenv(REGIONS_PER_EXTENT_ENV);
	char *end;
	unsigned long value;

	*cap = REGIONS_PER_EXTENT_DEFAULT;
	if (text == NULL)
		return 0;
	errno = 0;
	value = strtoul(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || text[0] == '-' ||
	    value < 1 || value > 65535) {
		snprintf(err, errlen, "%s '%s' is not a number from 1 to 65535",
		    REGIONS_PER_EXTENT_ENV, text);
		return -1;
	}
	*cap = (unsigned int)value;
	return 0;
}

int
monitor_start(struct monitor *m, const struct options *opt,
    const struct stat *file, char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	m->opt = opt;
	m->fd = opt->fd;
	m->file = *file;
	m->inotify_fd = m->timer_fd = m->signal_fd = m->claim_fd = -1;
	m->mounts_fd = -1;
	m->file_wd = m->dir_wd = m->control_wd = -1;
	m->pass_due = NEVER;
	m->missing_since = m->empty_since = NEVER;
	m->last_pass = now_ms() - PASS_GAP_MS;
	if (read_cap(&m->cap, err, errlen) != 0 ||
	    group_open(&m->group, file->st_dev, opt->group_id, err,
	    errlen) != 0)
		return -1;
	if (monitor_reclaim(m) != 0) {
		if (errno != EADDRINUSE) {
			snprintf(err, errlen, "cannot claim group %" PRIu64
			    ": %s", opt->group_id, strerror(errno));
			return -1;
		}
		log_info(VERB_LIFECYCLE, "group %" PRIu64 " on %s is already "
		    "followed by another dmfilemapd: nothing to do",
		    opt->group_id, m->group.dev.name);
		monitor_finish(m, 0);
		return 0;
	}
	if (setup_sources(m, err, errlen) != 0)
		return -1;
	log_info(VERB_LIFECYCLE, "started: fd %d, group %" PRIu64 " on %s, "
	    "follow %s, %s", opt->fd, opt->group_id, m->group.dev.name,
	    follow_mode_name(opt->mode), opt->path);
	/* The first pass is what makes update_filemap work at all. */
	if (sync_pass(m, 1, now_ms()) == PASS_FAILED) {
		snprintf(err, errlen, "the first sync of group %" PRIu64
		    " failed", opt->group_id);
		return -1;
	}
	return 0;
}

static void
run_pass(struct monitor *m, int check_group, int64_t now)
{
	int64_t backoff;

	m->pass_due = NEVER;
	m->last_pass = now;
	if (m->opt->mode == FOLLOW_PATH && track_path(m, now) != 0)
		return;
	switch (sync_pass(m, check_group, now)) {
	case PASS_DONE:
		m->failures = 0;
		break;
	case PASS_AGAIN:
		m->failures = 0;
		m->pass_due = now + RECHECK_MS;
		break;
	case PASS_FAILED:
		/* Back off, so a lasting failure is not retried in a spin. */
		backoff = (int64_t)RECHECK_MS << (m->failures < 5 ? m->failures : 5);
		if (backoff > FAILURE_BACKOFF_MAX)
			backoff = FAILURE_BACKOFF_MAX;
		m->failures++;
		m->pass_due = now + backoff;
		break;
	}
}

static void
take_news(struct monitor *m)
{
	struct watch_news news;

	watch_read(m, &news);
	if (m->opt->mode == FOLLOW_INODE && (news.file & (IN_ATTRIB |
	    IN_DELETE_SELF | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE)))
		track_unlinked(m);
	/* The kernel drops the watch with the file's last name; we hold on. */
	if (!m->done && m->file_wd < 0 && watch_file(m) != 0)
		log_warn("cannot watch the file again: %s", strerror(errno));
	if (news.file || news.name)
		schedule_pass(m);
	if (news.control) {
		m->group_known = 0;
		schedule_group_check(m);
	}
}

static void
read_signals(struct monitor *m)
{
	struct signalfd_siginfo si;

	while (!m->done && read(m->signal_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			log_info(VERB_LIFECYCLE, "SIGHUP: full sync");
			m->have_synced = 0;
			m->group_due = now_ms();
			continue;
		}
		log_info(VERB_LIFECYCLE, "%s: exiting, group %" PRIu64 " left "
		    "as it is", strsignal((int)si.ssi_signo), m->group.id);
		monitor_finish(m, 0);
	}
}

static int
arm_timer(struct monitor *m)
{
	int64_t due = m->pass_due < m->group_due ? m->pass_due : m->group_due;
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	/* A zero time would disarm the timer; a due time in the past fires. */
	if (due < 1)
		due = 1;
	its.it_value.tv_sec = due / 1000;
	its.it_value.tv_nsec = (long)(due % 1000) * 1000000;
	return timerfd_settime(m->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

int
monitor_run(struct monitor *m)
{
	/* The mount table is always readable: it signals changes as POLLPRI. */
	struct pollfd fds[4] = {
		{ .fd = m->inotify_fd, .events = POLLIN },
		{ .fd = m->timer_fd, .events = POLLIN },
		{ .fd = m->signal_fd, .events = POLLIN },
		{ .fd = m->mounts_fd, .events = POLLPRI },
	};
	uint64_t expirations;
	int64_t now;

	if (!m->done && m->opt->mode == FOLLOW_INODE)
		track_unlinked(m);
	while (!m->done) {
		if (arm_timer(m) != 0 || poll(fds, 4, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_error("event loop: %s", strerror(errno));
			return 1;
		}
		if (fds[2].revents)
			read_signals(m);
		if (fds[0].revents && !m->done)
			take_news(m);
		if (fds[3].revents) {
			log_info(VERB_DEBUG, "event: the mount table changed");
			schedule_pass(m);
		}
		if (fds[1].revents &&
		    read(m->timer_fd, &expirations, sizeof(expirations)) < 0 &&
		    errno != EAGAIN)
			log_warn("timer: %s", strerror(errno));
		now = now_ms();
		if (m->done)
			break;
		if (now >= m->group_due)
			run_pass(m, 1, now);
		else if (now >= m->pass_due)
			run_pass(m, 0, now);
	}
	return m->exit_status;
}

int
monitor_reclaim(struct monitor *m)
{
	int fd = claim_group(m->group.dev.major, m->group.dev.minor,
	    m->group.id);

	if (fd < 0)
		return -1;
	if (m->claim_fd >= 0)
		close(m->claim_fd);
	m->claim_fd = fd;
	return 0;
}

void
monitor_close(struct monitor *m)
{
	group_close(&m->group);
	file_map_free(&m->map);
	file_map_free(&m->synced);
	free(m->dir);
	if (m->inotify_fd >= 0)
		close(m->inotify_fd);
	if (m->timer_fd >= 0)
		close(m->timer_fd);
	if (m->signal_fd >= 0)
		close(m->signal_fd);
	if (m->claim_fd >= 0)
		close(m->claim_fd);
	if (m->mounts_fd >= 0)
		close(m->mounts_fd);
}
