/*
 * The event loop.  A few fds and one poll(): inotify says when the file
 * (or, in path mode, its directory) changed and when another process used
 * device-mapper, the timerfd says when a coalesced pass or a group check
 * is due, the signalfd carries signals, the mount table says when
 * something was mounted or unmounted, and the claim's socket brings other
 * daemons' questions and the device watcher's prompts.  Nothing sleeps
 * and nothing polls the kernel while all is quiet but the rare unprompted
 * group check.  Only this file, react.c, which acts on each kind of event,
 * and main.c know struct monitor: the modules below return what happened,
 * and the loop alone schedules, finishes and moves the claim.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "adopt.h"
#include "apply.h"
#include "clock.h"
#include "devmapper.h"
#include "listshare.h"
#include "log.h"
#include "monitor.h"
#include "notify.h"
#include "react.h"
#include "schedule.h"
#include "sources.h"
#include "watcher.h"

static int
setup_sources(struct monitor *m, struct fault *f)
{
	if (sources_open(&m->signal_fd, &m->timer_fd) != 0)
		return fault(f, "cannot set up event sources");
	if (notify_start(&m->notify, m->fd, m->opt->path,
	    m->opt->mode == FOLLOW_PATH, f) != 0)
		return -1;
	watcher_join(&m->watcher, LISTSHARE_DIR, &m->notify,
	    group_device(&m->group), group_id(&m->group));
	return 0;
}

/* What named the group id, for messages. */
static const char *
group_argument(const struct options *opt)
{
	if (opt->create)
		return "group";
	return opt->adopt ? "--groupid" : "GROUP_ID";
}

int
monitor_start(struct monitor *m, const struct options *opt,
    const struct stat *file, const struct target *target, struct fault *f)
{
	struct stats_device dev;
	unsigned int cap;
	dev_t devno;

	memset(m, 0, sizeof(*m));
	m->opt = opt;
	m->fd = opt->fd;
	m->file = *file;
	m->target = *target;
	m->size_seen = file->st_size;
	m->timer_fd = m->signal_fd = -1;
	notify_init(&m->notify);
	schedule_init(&m->when, now_ms());
	m->missing_since = m->control_seen = m->group_seen = NEVER;
	devno = target_devno(target);
	claim_init(&m->claim, CLAIM_DIR, major(devno), minor(devno));
	watcher_init(&m->watcher, major(devno), minor(devno));
	if (cli_regions_per_extent(&cap, f) != 0 ||
	    devmapper_open(&dev, devno, f) != 0)
		return -1;
	sync_init(&m->sync, cap, opt->path);
	if (group_open(&m->group, &dev, group_argument(opt), opt->group_id,
	    (uint64_t)file->st_ino, f) != 0 ||
	    (opt->adopt && adopt_check(m->fd, target, &m->group,
	    group_argument(opt), opt->path, f) != 0))
		return -1;
	group_share_listings(&m->group, LISTSHARE_DIR);
	switch (claim_at_start(&m->claim, group_id(&m->group),
	    group_device_name(&m->group))) {
	case CLAIM_HELD:
		break;
	case CLAIM_FAILED:
		return fault(f, "cannot claim group %" PRIu64,
		    group_id(&m->group));
	default:
		react_finish(m, EXIT_OK);
		return 0;
	}
	if (setup_sources(m, f) != 0)
		return -1;
	group_sweep(&m->group);
	log_info(VERB_LIFECYCLE, "started: fd %d, group %" PRIu64 " on %s, "
	    "follow %s, %s", opt->fd, opt->group_id,
	    group_device_name(&m->group), follow_mode_name(opt->mode),
	    opt->path);
	if (react_first_pass(m) != 0)
		return faultx(f, "the first sync of group %" PRIu64 " failed",
		    opt->group_id);
	return 0;
}

/* Passes wait while the claim is being moved (see sync_now). */
static msec_t
next_due(const struct monitor *m)
{
	msec_t due = NEVER, reply_due = claim_reply_due(&m->claim);

	if (claim_held(&m->claim))
		due = schedule_next(&m->when);
	return reply_due < due ? reply_due : due;
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
	fds[SLOT_INOTIFY].fd = notify_inotify_fd(&m->notify);
	fds[SLOT_TIMER].fd = m->timer_fd;
	fds[SLOT_SIGNAL].fd = m->signal_fd;
	fds[SLOT_MOUNTS].fd = notify_mounts_fd(&m->notify);
	fds[SLOT_CLAIM].fd = claim_question_fd(&m->claim);
	fds[SLOT_ASK].fd = claim_reply_fd(&m->claim);
	fds[SLOT_INOTIFY].events = fds[SLOT_TIMER].events = POLLIN;
	fds[SLOT_SIGNAL].events = fds[SLOT_CLAIM].events = POLLIN;
	fds[SLOT_ASK].events = POLLIN;
	fds[SLOT_MOUNTS].events = POLLPRI;
}

/* The events of one wake-up, all taken as of the time it came. */
static void
take_events(struct monitor *m, const struct pollfd *fds)
{
	msec_t now = now_ms();

	if (fds[SLOT_SIGNAL].revents)
		react_signals(m, now);
	if (fds[SLOT_INOTIFY].revents && !m->done)
		react_news(m, now);
	if (fds[SLOT_MOUNTS].revents && !m->done)
		react_mounts(m, now);
	if (fds[SLOT_CLAIM].revents && !m->done)
		react_question(m, now);
	if (fds[SLOT_TIMER].revents)
		sources_take_timer(m->timer_fd);
}

enum exit_status
monitor_run(struct monitor *m)
{
	struct pollfd fds[N_SLOTS];
	enum due due;
	msec_t now, reply_due;

	if (!m->done && m->opt->mode == FOLLOW_INODE)
		react_unlinked(m);
	while (!m->done) {
		fill_slots(m, fds);
		if (sources_arm(m->timer_fd, next_due(m)) != 0 ||
		    poll(fds, N_SLOTS, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_error("event loop");
			return EXIT_FAILED;
		}
		take_events(m, fds);
		now = now_ms();
		if (m->done)
			break;
		reply_due = claim_reply_due(&m->claim);
		if (reply_due != NEVER && (fds[SLOT_ASK].revents ||
		    now >= reply_due))
			react_claim(m, claim_reply_came(&m->claim, now));
		else if (claim_held(&m->claim) &&
		    (due = schedule_due(&m->when, now)) != DUE_NOTHING)
			react_pass(m, due, now);
	}
	return m->exit_status;
}

bool
monitor_done(const struct monitor *m)
{
	return m->done;
}

void
monitor_close(struct monitor *m)
{
	group_close(&m->group);
	sync_free(&m->sync);
	file_map_free(&m->layout);
	notify_close(&m->notify);
	if (m->timer_fd >= 0)
		close(m->timer_fd);
	if (m->signal_fd >= 0)
		close(m->signal_fd);
	claim_release(&m->claim);
	watcher_leave(&m->watcher);
}
