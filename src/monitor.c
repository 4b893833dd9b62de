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
#include <sys/sysmacros.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

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

/* Returns 1 when another daemon follows the group. */
static int
claim_at_start(struct monitor *m, char *err, size_t errlen)
{
	switch (claim_take_waiting(&m->claim, m->group.id)) {
	case CLAIM_HELD:
		return 0;
	case CLAIM_TAKEN:
		log_info(VERB_LIFECYCLE, "group %" PRIu64 " on %s is already "
		    "followed by another dmfilemapd: nothing to do",
		    m->group.id, m->group.dev.name);
		return 1;
	default:
		snprintf(err, errlen, "cannot claim group %" PRIu64 ": %s",
		    m->group.id, strerror(errno));
		return -1;
	}
}

int
monitor_start(struct monitor *m, const struct options *opt,
    const struct stat *file, char *err, size_t errlen)
{
	int claimed;

	memset(m, 0, sizeof(*m));
	m->opt = opt;
	m->fd = opt->fd;
	m->file = *file;
	m->inotify_fd = m->timer_fd = m->signal_fd = -1;
	m->mounts_fd = -1;
	m->file_wd = m->dir_wd = m->control_wd = -1;
	m->pass_due = NEVER;
	m->missing_since = m->empty_since = NEVER;
	m->last_pass = now_ms() - PASS_GAP_MS;
	claim_init(&m->claim, major(file->st_dev), minor(file->st_dev));
	if (cli_regions_per_extent(&m->cap, err, errlen) != 0 ||
	    group_open(&m->group, file->st_dev, opt->group_id,
	    (uint64_t)file->st_ino, err, errlen) != 0)
		return -1;
	if ((claimed = claim_at_start(m, err, errlen)) != 0) {
		if (claimed > 0)
			monitor_finish(m, 0);
		return claimed > 0 ? 0 : -1;
	}
	if (setup_sources(m, err, errlen) != 0)
		return -1;
	group_sweep(&m->group);
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

/* Acts on where an attempt to claim the group's id has got to. */
static void
claim_settled(struct monitor *m, enum claim_state state)
{
	switch (state) {
	case CLAIM_HELD:
	case CLAIM_ASKING:
		break;
	case CLAIM_TAKEN:
		log_info(VERB_LIFECYCLE, "group %" PRIu64 " is followed by "
		    "another dmfilemapd now: exiting", m->group.id);
		monitor_finish(m, 0);
		break;
	case CLAIM_FAILED:
		log_error("cannot claim group %" PRIu64 ": %s: exiting",
		    m->group.id, strerror(errno));
		monitor_finish(m, 1);
		break;
	}
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
	/*
	 * The group moved to another lowest region: its claim moves with
	 * it.  Until the new name is held no pass runs, so that a daemon
	 * started for the new id meanwhile cannot work beside this one.
	 */
	if (!m->done && m->group.id != m->claim.id)
		claim_settled(m, claim_take(&m->claim, m->group.id, now));
}

/*
 * Another daemon found this one's claim and asks whether it still follows
 * the group at that id: a new group may have taken the id of one deleted.
 * The answer comes from a group check made now.
 */
static void
answer_question(struct monitor *m, int64_t now)
{
	int fd = claim_take_question(&m->claim);
	uint64_t asked = m->claim.id;

	if (fd < 0)
		return;
	log_info(VERB_DEBUG, "another dmfilemapd asks about group %" PRIu64,
	    asked);
	if (asked == m->group.id)
		run_pass(m, 1, now);
	claim_answer(fd, !m->done && asked == m->group.id);
}

/* A lazily unmounted file system lives on only while we hold the file. */
static void
check_mounted(struct monitor *m)
{
	if (follow_fs_mounted(m->file.st_dev) != 0)
		return;
	log_info(VERB_LIFECYCLE, "%s: its file system is no longer mounted: "
	    "exiting, group %" PRIu64 " left as it is", m->opt->path,
	    m->group.id);
	monitor_finish(m, 0);
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

/* Passes wait while the claim is being moved (see run_pass). */
static int64_t
next_due(const struct monitor *m)
{
	int64_t due = NEVER;

	if (m->claim.fd >= 0)
		due = m->pass_due < m->group_due ? m->pass_due : m->group_due;
	if (m->claim.ask_fd >= 0 && m->claim.ask_deadline < due)
		due = m->claim.ask_deadline;
	return due;
}

static int
arm_timer(struct monitor *m)
{
	int64_t due = next_due(m);
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	/* A zero time would disarm the timer; a due time in the past fires. */
	if (due < 1)
		due = 1;
	if (due != NEVER) {
		its.it_value.tv_sec = due / 1000;
		its.it_value.tv_nsec = (long)(due % 1000) * 1000000;
	}
	return timerfd_settime(m->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* The poll set's slots; a slot whose fd is -1 is passed over by poll(). */
enum slot {
	SLOT_INOTIFY,
	SLOT_TIMER,
	SLOT_SIGNAL,
	SLOT_MOUNTS,	/* the mount table signals changes as POLLPRI */
	SLOT_CLAIM,	/* questions from other daemons */
	SLOT_ASK,	/* the reply of a claim's holder */
	N_SLOTS,
};

static void
fill_slots(const struct monitor *m, struct pollfd *fds)
{
	memset(fds, 0, N_SLOTS * sizeof(*fds));
	fds[SLOT_INOTIFY].fd = m->inotify_fd;
	fds[SLOT_TIMER].fd = m->timer_fd;
	fds[SLOT_SIGNAL].fd = m->signal_fd;
	fds[SLOT_MOUNTS].fd = m->mounts_fd;
	fds[SLOT_CLAIM].fd = m->claim.fd;
	fds[SLOT_ASK].fd = m->claim.ask_fd;
	fds[SLOT_INOTIFY].events = fds[SLOT_TIMER].events = POLLIN;
	fds[SLOT_SIGNAL].events = fds[SLOT_CLAIM].events = POLLIN;
	fds[SLOT_ASK].events = POLLIN;
	fds[SLOT_MOUNTS].events = POLLPRI;
}

static void
take_events(struct monitor *m, const struct pollfd *fds)
{
	uint64_t expirations;

	if (fds[SLOT_SIGNAL].revents)
		read_signals(m);
	if (fds[SLOT_INOTIFY].revents && !m->done)
		take_news(m);
	if (fds[SLOT_MOUNTS].revents && !m->done) {
		log_info(VERB_DEBUG, "event: the mount table changed");
		check_mounted(m);
		if (m->opt->mode == FOLLOW_PATH)
			schedule_pass(m);
	}
	if (fds[SLOT_CLAIM].revents && !m->done)
		answer_question(m, now_ms());
	if (fds[SLOT_TIMER].revents &&
	    read(m->timer_fd, &expirations, sizeof(expirations)) < 0 &&
	    errno != EAGAIN)
		log_warn("timer: %s", strerror(errno));
}

int
monitor_run(struct monitor *m)
{
	struct pollfd fds[N_SLOTS];
	int64_t now;

	if (!m->done && m->opt->mode == FOLLOW_INODE)
		track_unlinked(m);
	while (!m->done) {
		fill_slots(m, fds);
		if (arm_timer(m) != 0 || poll(fds, N_SLOTS, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_error("event loop: %s", strerror(errno));
			return 1;
		}
		take_events(m, fds);
		now = now_ms();
		if (m->done)
			break;
		if (m->claim.ask_fd >= 0 && (fds[SLOT_ASK].revents ||
		    now >= m->claim.ask_deadline))
			claim_settled(m, claim_reply_came(&m->claim, now));
		else if (m->claim.fd < 0)
			continue;
		else if (now >= m->group_due)
			run_pass(m, 1, now);
		else if (now >= m->pass_due)
			run_pass(m, 0, now);
	}
	return m->exit_status;
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
	claim_release(&m->claim);
	if (m->mounts_fd >= 0)
		close(m->mounts_fd);
}
