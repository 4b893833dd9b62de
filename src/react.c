/*
 * What the loop does about each kind of event: a pass that is due, the
 * file's news, a question on the claim, a signal, the mount table.  Each
 * asks the modules below and acts on what they return; it schedules,
 * finishes, or moves the claim, and says what it decided.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "apply.h"
#include "clock.h"
#include "listshare.h"
#include "log.h"
#include "react.h"
#include "sources.h"
#include "track.h"

/* Ends the loop: the work is over, with this exit status. */
void
react_finish(struct monitor *m, enum exit_status status)
{
	m->done = true;
	m->exit_status = status;
}

/* The group was just found as it should be: when to look again. */
static void
group_checked(struct monitor *m, msec_t now)
{
	if (m->done)
		return;
	m->control_seen = NEVER;
	m->group_seen = now_ns();
	schedule_group_in_step(&m->when, now,
	    watcher_rewatch(&m->watcher, &m->notify));
}

/* Which closes of the file matter: any, once it has lost its last name. */
static enum file_closes
file_closes(const struct monitor *m)
{
	return m->unlinked ? CLOSES_ALL : CLOSES_AFTER_WRITES;
}

/* Watches the file afresh, as m->fd. */
static void
rewatch(struct monitor *m, const char *what)
{
	notify_drop_file(&m->notify);
	if (notify_file(&m->notify, m->fd, file_closes(m)) != 0)
		log_warn("cannot watch %s", what);
}

/* Acts on where an attempt to claim the group's id has got to. */
void
react_claim(struct monitor *m, enum claim_state state)
{
	switch (state) {
	case CLAIM_HELD:
		/*
		 * While the name was not ours, a daemon holding it may have
		 * moved or rewritten the group: look before writing again.
		 */
		sync_forget_group(&m->sync);
		m->control_seen = NEVER;
		schedule_check_now(&m->when, now_ms());
		break;
	case CLAIM_ASKING:
		break;
	case CLAIM_TAKEN:
		log_info(VERB_LIFECYCLE, "group %" PRIu64 " is followed by "
		    "another dmfilemapd now: exiting", group_id(&m->group));
		react_finish(m, EXIT_OK);
		break;
	case CLAIM_FAILED:
		log_error("cannot claim group %" PRIu64 " (exiting)",
		    group_id(&m->group));
		react_finish(m, EXIT_FAILED);
		break;
	}
}

/*
 * Before anything lists: a use after that clears what the listing shows.
 * The watch was for one close; the uses after it went unseen, so only a
 * listing taken from now on shows them.
 */
static void
rewatch_control(struct monitor *m)
{
	bool fired = !notify_has_control(&m->notify);

	watcher_rewatch(&m->watcher, &m->notify);
	if (fired && m->control_seen != NEVER)
		m->control_seen = now_ns();
}

/* Where a pass takes the file's extents from. */
enum layout_from {
	LAYOUT_READ,		/* read now */
	LAYOUT_LAST,		/* as the last pass found them: nothing moved */
};

/*
 * What a pass asks of sync_pass: the listing named once the control node
 * is watched again (with fresh, one taken now).
 */
static struct pass_request
request_for(const struct monitor *m, enum due due, bool fresh, msec_t now)
{
	struct pass_request req = {
		.check_group = due != DUE_PASS,
		.listing = fresh ? LISTING_FRESH : schedule_listing_need(due,
		    m->control_seen, m->group_seen, m->pass_ended),
		.control_watched = notify_has_control(&m->notify),
		.now = now,
	};

	return req;
}

/*
 * A pass for what is due over the file's extents.  Only one that looks at
 * the group may list the regions: that one watches the control node again
 * first.  The loop acts on what it returns.
 */
static enum pass_result
sync_now(struct monitor *m, enum due due, enum layout_from from, bool fresh,
    msec_t now)
{
	struct pass_request req;
	enum pass_result result;
	bool checked;

	if ((from == LAYOUT_LAST ? file_map_copy(&m->layout,
	    sync_layout(&m->sync)) : target_read_map(m->fd, &m->target,
	    &m->layout)) != 0) {
		log_error("%s: cannot read its extents", m->opt->path);
		return PASS_FAILED;
	}
	if (sync_looks_at_group(&m->sync, &m->layout, due != DUE_PASS))
		rewatch_control(m);
	req = request_for(m, due, fresh, now);
	result = sync_pass(&m->sync, &m->group, &m->layout, &req, &checked);
	if (checked)
		group_checked(m, now);
	if (result == PASS_GROUP_ENDED || result == PASS_FILE_EMPTY)
		react_finish(m, EXIT_OK);
	/*
	 * The group moved to another lowest region: its claim moves with
	 * it.  Until the new name is held no pass runs, so that a daemon
	 * started for the new id meanwhile cannot work beside this one.
	 */
	if (!m->done && group_id(&m->group) != claim_id(&m->claim))
		react_claim(m, claim_take(&m->claim, group_id(&m->group),
		    now));
	return result;
}

/*
 * Its writes count as this daemon's last too: a check prompted by a
 * listing taken before them would find the group as it was and take it
 * for deleted.
 */
int
react_first_pass(struct monitor *m)
{
	if (sync_now(m, DUE_CHECK, LAYOUT_READ, true, now_ms()) == PASS_FAILED)
		return -1;
	m->pass_ended = now_ns();
	return 0;
}

/*
 * Path mode: the file at the path, before each pass.  Returns 0 when the
 * pass may go on with m->fd.
 */
static int
check_path(struct monitor *m, msec_t now)
{
	struct track_result found = track_path(m->opt->path,
	    group_id(&m->group), &m->file, m->missing_since, now);

	m->missing_since = found.missing_since;
	switch (found.state) {
	case TRACK_SWITCHED:
		close(m->fd);
		m->fd = found.fd;
		m->file = found.file;
		rewatch(m, "the new file");
		sync_forget_layout(&m->sync);
		return 0;
	case TRACK_GOES_ON:
	case TRACK_HELD_ELSEWHERE:
		return 0;
	case TRACK_WAIT:
		schedule_recheck(&m->when, now);
		break;
	case TRACK_ENDED:
		react_finish(m, EXIT_OK);
		break;
	case TRACK_FAILED:
		react_finish(m, EXIT_FAILED);
		break;
	}
	return -1;
}

/*
 * A pass, checking the group against the listing schedule_listing_need
 * names.  A check prompted by others' use of device-mapper, which changes
 * no file, takes the last map when no file event awaits a pass (writes
 * through a memory mapping wait for the unprompted check).
 */
void
react_pass(struct monitor *m, enum due due, msec_t now)
{
	enum pass_result result;
	enum layout_from from = LAYOUT_READ;
	bool file_quiet = !schedule_pass_pending(&m->when);
	bool check_group;

	/*
	 * The watcher's routine survey lists once for all the device's
	 * daemons and prompts those whose groups changed; the others' minute
	 * reads only their files, for data placed through a memory mapping.
	 */
	if (due == DUE_ROUTINE_CHECK &&
	    !watcher_watches_control(&m->watcher, &m->notify)) {
		schedule_routine_left(&m->when, now);
		due = DUE_PASS;
	}
	check_group = due != DUE_PASS;
	schedule_pass_started(&m->when, now);
	if (m->opt->mode == FOLLOW_PATH && check_path(m, now) != 0)
		return;
	/*
	 * The watcher's surveys list anew unless prompted by a use, as a
	 * check something asked for does.
	 */
	if (check_group) {
		rewatch_control(m);
		watcher_survey(&m->watcher, group_device(&m->group),
		    LISTSHARE_DIR, schedule_listing_need(DUE_CHECK,
		    m->control_seen, m->group_seen, m->pass_ended),
		    group_id(&m->group));
	}
	if (check_group && file_quiet && m->control_seen != NEVER &&
	    sync_layout(&m->sync) != NULL)
		from = LAYOUT_LAST;
	result = sync_now(m, due, from, false, now);
	schedule_pass_ended(&m->when, result, now_ms());
	if (result == PASS_DONE && target_close_frees(m->fd, &m->target,
	    sync_layout(&m->sync)))
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
void
react_question(struct monitor *m, msec_t now)
{
	int fd = claim_take_question(&m->claim);
	uint64_t asked = claim_id(&m->claim);
	nsec_t seen;

	if (fd < 0)
		return;
	if (claim_read_request(fd, &seen)) {
		close(fd);
		log_info(VERB_DEBUG, "event: the device's watcher saw group %"
		    PRIu64 " change", group_id(&m->group));
		sync_forget_group(&m->sync);
		if (m->control_seen == NEVER || seen > m->control_seen)
			m->control_seen = seen;
		schedule_group_prompted(&m->when, now);
		return;
	}
	log_info(VERB_DEBUG, "another dmfilemapd asks about group %" PRIu64,
	    asked);
	if (asked == group_id(&m->group)) {
		m->control_seen = NEVER;
		react_pass(m, DUE_CHECK, now);
	}
	claim_answer(fd, !m->done && asked == group_id(&m->group) ?
	    CLAIM_KEPT : CLAIM_LET_GO);
}

/* Inode mode: whether a file that lost its last name is over. */
void
react_unlinked(struct monitor *m)
{
	enum track_state state = track_unlinked(m->fd, &m->file,
	    m->opt->path, group_id(&m->group), m->unlinked);

	if (state == TRACK_ENDED)
		react_finish(m, EXIT_OK);
	else if (state == TRACK_HELD_ELSEWHERE) {
		m->unlinked = true;
		rewatch(m, "for the file's close");
	}
}

void
react_news(struct monitor *m, msec_t now)
{
	struct notify_news news;

	notify_read(&m->notify, &news);
	if (m->opt->mode == FOLLOW_INODE && (news.file & (IN_ATTRIB |
	    IN_DELETE_SELF | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE)))
		react_unlinked(m);
	/* The kernel drops the watch with the file's last name; we hold on. */
	if (!m->done &&
	    notify_file_again(&m->notify, m->fd, file_closes(m)) != 0)
		log_warn("cannot watch the file again");
	/* Writes within a copy-on-write file's size moved its data. */
	if (target_writes_move_data(&m->target) && !news.name &&
	    (news.file & IN_MODIFY) &&
	    !(news.file & ~(IN_MODIFY | IN_CLOSE_WRITE)) &&
	    track_same_size(m->fd, &m->size_seen))
		schedule_file_rewritten(&m->when, now);
	else if ((news.file & ~IN_CLOSE_WRITE) || news.name)
		schedule_file_changed(&m->when, now);
	else if (news.file)
		schedule_file_closed(&m->when, now);
	/* It may have deleted or regrouped regions. */
	if (news.control)
		sync_forget_group(&m->sync);
	if (news.control && watcher_watches_control(&m->watcher, &m->notify)) {
		m->control_seen = now_ns();
		schedule_control_used(&m->when, now);
	}
	/* A daemon of the device exited: if it was the watcher, take over. */
	if (news.watcher_gone && watcher_take_over(&m->watcher, &m->notify)) {
		log_info(VERB_LIFECYCLE, "watching the device-mapper control "
		    "node for the daemons of %s", group_device_name(&m->group));
		/* What the last watcher saw is lost: its first survey prompts all. */
		sync_forget_group(&m->sync);
		schedule_check_now(&m->when, now);
	}
}

/*
 * The file system may be gone, lazily unmounted too, or in path mode a
 * mount may now cover the path.
 */
void
react_mounts(struct monitor *m, msec_t now)
{
	log_info(VERB_DEBUG, "event: the mount table changed");
	if (!track_mounted(&m->file, m->opt->path, group_id(&m->group)))
		react_finish(m, EXIT_OK);
	if (m->opt->mode == FOLLOW_PATH)
		schedule_file_changed(&m->when, now);
}

void
react_signals(struct monitor *m, msec_t now)
{
	int signo;

	while (!m->done && (signo = sources_next_signal(m->signal_fd)) != 0) {
		if (signo == SIGHUP) {
			log_info(VERB_LIFECYCLE, "SIGHUP: full sync");
			sync_forget_layout(&m->sync);
			m->control_seen = NEVER;
			schedule_check_now(&m->when, now);
			continue;
		}
		if (m->opt->delete_on_stop && claim_held(&m->claim)) {
			log_info(VERB_LIFECYCLE, "%s: deleting group %" PRIu64
			    " and exiting", strsignal(signo),
			    group_id(&m->group));
			group_remove_own(&m->group);
		} else {
			log_info(VERB_LIFECYCLE, "%s: exiting, group %" PRIu64
			    " left as it is", strsignal(signo),
			    group_id(&m->group));
		}
		react_finish(m, EXIT_OK);
	}
}
