/*
 * The event loop.  A few fds and one poll(): inotify says when the file
 * (or, in path mode, its directory) changed and when another process used
 * device-mapper, the timerfd says when a coalesced pass or a group check
 * is due, the signalfd carries signals, the mount table says when
 * something was mounted or unmounted, and the claim's socket brings other
 * daemons' questions and the device watcher's prompts.  Nothing sleeps
 * and nothing polls the kernel while all is quiet but the rare unprompted
 * group check.  Only this file (and main.c) knows struct monitor: the
 * modules below return what happened, and the loop alone schedules,
 * finishes and moves the claim.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "adopt.h"
#include "devlist.h"
#include "devmapper.h"
#include "log.h"
#include "sources.h"
#include "monitor.h"
#include "schedule.h"
#include "track.h"
#include "watch.h"
#include "watcher.h"

/* Ends the loop: the work is over, with this exit status. */
static void
monitor_finish(struct monitor *m, int status)
{
	m->done = 1;
	m->exit_status = status;
}

/* The group was just found as it should be: when to look again. */
static void
group_checked(struct monitor *m, int64_t now)
{
	if (m->done)
		return;
	m->control_seen = NEVER;
	m->group_seen = now_ns();
	schedule_group_in_step(&m->when, now,
	    watcher_rewatch(&m->watcher, &m->watch));
}

static int
setup_sources(struct monitor *m, struct fault *f)
{
	if (sources_open(&m->signal_fd, &m->timer_fd) != 0)
		return fault(f, "cannot set up event sources");
	if (watch_start(&m->watch, m->fd, m->opt->path,
	    m->opt->mode == FOLLOW_PATH, f) != 0)
		return -1;
	watcher_join(&m->watcher, DEVLIST_DIR, &m->watch, &m->group.dev,
	    m->group.id);
	return 0;
}

/* Acts on where an attempt to claim the group's id has got to. */
static void
claim_settled(struct monitor *m, enum claim_state state)
{
	switch (state) {
	case CLAIM_HELD:
		/*
		 * While the name was not ours, a daemon holding it may have
		 * moved or rewritten the group: look before writing again.
		 */
		m->sync.group_known = 0;
		m->control_seen = NEVER;
		schedule_check_now(&m->when, now_ms());
		break;
	case CLAIM_ASKING:
		break;
	case CLAIM_TAKEN:
		log_info(VERB_LIFECYCLE, "group %" PRIu64 " is followed by "
		    "another dmfilemapd now: exiting", m->group.id);
		monitor_finish(m, 0);
		break;
	case CLAIM_FAILED:
		log_error("cannot claim group %" PRIu64 " (exiting)",
		    m->group.id);
		monitor_finish(m, 1);
		break;
	}
}

/* A pass over the file's extents, now or as last read; the loop acts on it. */
static enum pass_result
sync_now(struct monitor *m, int check_group, int map_known, int64_t now)
{
	enum pass_result result;
	int checked;

	if ((map_known ? file_map_copy(&m->sync.map, &m->sync.synced) :
	    target_read_map(m->fd, &m->target, &m->sync.map)) != 0) {
		log_error("%s: cannot read its extents", m->opt->path);
		return PASS_FAILED;
	}
	m->sync.may_know_group = m->watch.control_wd >= 0;
	result = sync_pass(&m->sync, &m->group, check_group, now, &checked);
	if (checked)
		group_checked(m, now);
	if (result == PASS_GROUP_ENDED || result == PASS_FILE_EMPTY)
		monitor_finish(m, 0);
	/*
	 * The group moved to another lowest region: its claim moves with
	 * it.  Until the new name is held no pass runs, so that a daemon
	 * started for the new id meanwhile cannot work beside this one.
	 */
	if (!m->done && m->group.id != m->claim.id)
		claim_settled(m, claim_take(&m->claim, m->group.id, now));
	return result;
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

	memset(m, 0, sizeof(*m));
	m->opt = opt;
	m->fd = opt->fd;
	m->file = *file;
	m->target = *target;
	m->size_seen = file->st_size;
	m->timer_fd = m->signal_fd = -1;
	m->watch.inotify_fd = m->watch.mounts_fd = -1;
	schedule_init(&m->when, now_ms());
	m->missing_since = m->control_seen = m->group_seen = NEVER;
	sync_init(&m->sync, REGIONS_PER_EXTENT_DEFAULT, opt->path);
	claim_init(&m->claim, CLAIM_DIR, major(target->devno),
	    minor(target->devno));
	watcher_init(&m->watcher, major(target->devno), minor(target->devno));
	if (cli_regions_per_extent(&cap, f) != 0 ||
	    devmapper_open(&dev, target->devno, f) != 0)
		return -1;
	m->sync.cap = cap;
	if (group_open(&m->group, &dev, group_argument(opt), opt->group_id,
	    (uint64_t)file->st_ino, f) != 0 ||
	    (opt->adopt && adopt_check(m->fd, target, &m->group,
	    group_argument(opt), opt->path, f) != 0))
		return -1;
	m->group.share_dir = DEVLIST_DIR;
	switch (claim_at_start(&m->claim, m->group.id, m->group.dev.name)) {
	case CLAIM_HELD:
		break;
	case CLAIM_FAILED:
		return fault(f, "cannot claim group %" PRIu64, m->group.id);
	default:
		monitor_finish(m, 0);
		return 0;
	}
	if (setup_sources(m, f) != 0)
		return -1;
	group_sweep(&m->group);
	log_info(VERB_LIFECYCLE, "started: fd %d, group %" PRIu64 " on %s, "
	    "follow %s, %s", opt->fd, opt->group_id, m->group.dev.name,
	    follow_mode_name(opt->mode), opt->path);
	/* The first pass is what makes update_filemap work at all. */
	if (sync_now(m, 1, 0, now_ms()) == PASS_FAILED)
		return faultx(f, "the first sync of group %" PRIu64 " failed",
		    opt->group_id);
	/*
	 * Its writes too: a check prompted by a listing taken before them
	 * would find the group as it was and take it for deleted.
	 */
	m->pass_ended = now_ns();
	return 0;
}

/*
 * Path mode: the file at the path, before each pass.  Returns 0 when the
 * pass may go on with m->fd.
 */
static int
check_path(struct monitor *m, int64_t now)
{
	switch (track_path(m->opt->path, m->group.id, &m->fd, &m->file,
	    &m->watch, &m->missing_since, now)) {
	case TRACK_SWITCHED:
		m->sync.have_synced = 0;
		return 0;
	case TRACK_GOES_ON:
		return 0;
	case TRACK_WAIT:
		schedule_recheck(&m->when, now);
		break;
	case TRACK_ENDED:
		monitor_finish(m, 0);
		break;
	case TRACK_FAILED:
		monitor_finish(m, 1);
		break;
	}
	return -1;
}

/*
 * A pass, checking the group against the listing schedule_listing_after
 * names.  A check prompted by others' use of device-mapper, which changes
 * no file, takes the last map when no file event awaits a pass (writes
 * through a memory mapping wait for the unprompted check).
 */
static void
run_pass(struct monitor *m, enum due due, int64_t now)
{
	enum pass_result result;
	int file_quiet = m->when.pass_due == NEVER, check_group = due != DUE_PASS;

	schedule_pass_started(&m->when, now);
	if (m->opt->mode == FOLLOW_PATH && check_path(m, now) != 0)
		return;
	/* The watcher's surveys list anew unless prompted by a use. */
	if (check_group && m->watcher.held)
		watcher_survey(&m->watcher, &m->group.dev, DEVLIST_DIR,
		    schedule_later(m->control_seen, m->pass_ended), m->group.id);
	m->sync.listing_after = schedule_listing_after(due, m->control_seen,
	    m->group_seen, m->pass_ended);
	/* Before the pass lists: a use after that clears what it knows. */
	watcher_rewatch(&m->watcher, &m->watch);
	result = sync_now(m, check_group, check_group && file_quiet &&
	    m->control_seen != NEVER && m->sync.have_synced, now);
	schedule_pass_ended(&m->when, result, now_ms());
	if (result == PASS_DONE && target_close_frees(m->fd, &m->target,
	    m->sync.synced.end))
		schedule_blocks_past_end(&m->when);
	m->pass_ended = now_ns();
}

/*
 * Another daemon found this one's claim and asks whether it still follows
 * the group at that id: a new group may have taken the id of one deleted.
 * The answer comes from a group check made now.  Or the device's watcher
 * found the group's rows changed in a listing taken after seen: a check,
 * as for a use of device-mapper seen then.
 */
static void
answer_question(struct monitor *m, int64_t now)
{
	int fd = claim_take_question(&m->claim);
	uint64_t asked = m->claim.id;
	int64_t seen;

	if (fd < 0)
		return;
	if (claim_read_request(fd, &seen)) {
		close(fd);
		log_info(VERB_DEBUG, "event: the device's watcher saw group %"
		    PRIu64 " change", m->group.id);
		m->sync.group_known = 0;
		if (m->control_seen == NEVER || seen > m->control_seen)
			m->control_seen = seen;
		schedule_control_used(&m->when, now);
		return;
	}
	log_info(VERB_DEBUG, "another dmfilemapd asks about group %" PRIu64,
	    asked);
	if (asked == m->group.id) {
		m->control_seen = NEVER;
		run_pass(m, DUE_CHECK, now);
	}
	claim_answer(fd, !m->done && asked == m->group.id);
}

/* Inode mode: whether a file that lost its last name is over. */
static void
check_unlinked(struct monitor *m)
{
	if (track_unlinked(m->fd, &m->file, &m->watch, m->opt->path,
	    m->group.id, &m->unlinked) == TRACK_ENDED)
		monitor_finish(m, 0);
}

static void
take_news(struct monitor *m, int64_t now)
{
	struct watch_news news;

	watch_read(&m->watch, &news);
	if (m->opt->mode == FOLLOW_INODE && (news.file & (IN_ATTRIB |
	    IN_DELETE_SELF | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE)))
		check_unlinked(m);
	/* The kernel drops the watch with the file's last name; we hold on. */
	if (!m->done && m->watch.file_wd < 0 &&
	    watch_file(&m->watch, m->fd, m->unlinked) != 0)
		log_warn("cannot watch the file again");
	/* Writes within a copy-on-write file's size moved its data. */
	if (m->target.cow && !news.name && (news.file & IN_MODIFY) &&
	    !(news.file & ~(IN_MODIFY | IN_CLOSE_WRITE)) &&
	    track_same_size(m->fd, &m->size_seen))
		schedule_file_rewritten(&m->when, now);
	else if ((news.file & ~IN_CLOSE_WRITE) || news.name)
		schedule_file_changed(&m->when, now);
	else if (news.file)
		schedule_file_closed(&m->when, now);
	/* It may have deleted or regrouped regions. */
	if (news.control)
		m->sync.group_known = 0;
	if (news.control && watcher_watches_control(&m->watcher, &m->watch)) {
		m->control_seen = now_ns();
		schedule_control_used(&m->when, now);
	}
	/* A daemon of the device exited: if it was the watcher, take over. */
	if (news.watcher_gone && watcher_take_over(&m->watcher, &m->watch)) {
		log_info(VERB_LIFECYCLE, "watching the device-mapper control "
		    "node for the daemons of %s", m->group.dev.name);
		/* What the last watcher saw is lost: its first survey prompts all. */
		m->sync.group_known = 0;
		schedule_check_now(&m->when, now);
	}
}

static void
read_signals(struct monitor *m, int64_t now)
{
	int signo;

	while (!m->done && (signo = sources_next_signal(m->signal_fd)) != 0) {
		if (signo == SIGHUP) {
			log_info(VERB_LIFECYCLE, "SIGHUP: full sync");
			m->sync.have_synced = 0;
			m->control_seen = NEVER;
			schedule_check_now(&m->when, now);
			continue;
		}
		if (m->opt->delete_on_stop && m->claim.fd >= 0) {
			log_info(VERB_LIFECYCLE, "%s: deleting group %" PRIu64
			    " and exiting", strsignal(signo), m->group.id);
			group_remove_own(&m->group);
		} else {
			log_info(VERB_LIFECYCLE, "%s: exiting, group %" PRIu64
			    " left as it is", strsignal(signo), m->group.id);
		}
		monitor_finish(m, 0);
	}
}

/* Passes wait while the claim is being moved (see sync_now). */
static int64_t
next_due(const struct monitor *m)
{
	int64_t due = NEVER;

	if (m->claim.fd >= 0)
		due = schedule_next(&m->when);
	if (m->claim.ask_fd >= 0 && m->claim.ask_deadline < due)
		due = m->claim.ask_deadline;
	return due;
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
	fds[SLOT_INOTIFY].fd = m->watch.inotify_fd;
	fds[SLOT_TIMER].fd = m->timer_fd;
	fds[SLOT_SIGNAL].fd = m->signal_fd;
	fds[SLOT_MOUNTS].fd = m->watch.mounts_fd;
	fds[SLOT_CLAIM].fd = m->claim.fd;
	fds[SLOT_ASK].fd = m->claim.ask_fd;
	fds[SLOT_INOTIFY].events = fds[SLOT_TIMER].events = POLLIN;
	fds[SLOT_SIGNAL].events = fds[SLOT_CLAIM].events = POLLIN;
	fds[SLOT_ASK].events = POLLIN;
	fds[SLOT_MOUNTS].events = POLLPRI;
}

/* The events of one wake-up, all taken as of the time it came. */
static void
take_events(struct monitor *m, const struct pollfd *fds)
{
	int64_t now = now_ms();

	if (fds[SLOT_SIGNAL].revents)
		read_signals(m, now);
	if (fds[SLOT_INOTIFY].revents && !m->done)
		take_news(m, now);
	if (fds[SLOT_MOUNTS].revents && !m->done) {
		log_info(VERB_DEBUG, "event: the mount table changed");
		if (!track_mounted(&m->file, m->opt->path, m->group.id))
			monitor_finish(m, 0);
		if (m->opt->mode == FOLLOW_PATH)
			schedule_file_changed(&m->when, now);
	}
	if (fds[SLOT_CLAIM].revents && !m->done)
		answer_question(m, now);
	if (fds[SLOT_TIMER].revents)
		sources_take_timer(m->timer_fd);
}

int
monitor_run(struct monitor *m)
{
	struct pollfd fds[N_SLOTS];
	enum due due;
	int64_t now;

	if (!m->done && m->opt->mode == FOLLOW_INODE)
		check_unlinked(m);
	while (!m->done) {
		fill_slots(m, fds);
		if (sources_arm(m->timer_fd, next_due(m)) != 0 ||
		    poll(fds, N_SLOTS, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_error("event loop");
			return 1;
		}
		take_events(m, fds);
		now = now_ms();
		if (m->done)
			break;
		if (m->claim.ask_fd >= 0 && (fds[SLOT_ASK].revents ||
		    now >= m->claim.ask_deadline))
			claim_settled(m, claim_reply_came(&m->claim, now));
		else if (m->claim.fd >= 0 &&
		    (due = schedule_due(&m->when, now)) != DUE_NOTHING)
			run_pass(m, due, now);
	}
	return m->exit_status;
}

void
monitor_close(struct monitor *m)
{
	group_close(&m->group);
	sync_free(&m->sync);
	watch_close(&m->watch);
	if (m->timer_fd >= 0)
		close(m->timer_fd);
	if (m->signal_fd >= 0)
		close(m->signal_fd);
	claim_release(&m->claim);
	watcher_leave(&m->watcher);
}
