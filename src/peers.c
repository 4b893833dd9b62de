/*
 * The loop's dealings with the others that share its device: the claim
 * that keeps a second daemon off the group, questions and prompts that
 * come through it, and the part of the device's watcher (watcher.h),
 * which one daemon of the device holds for all.  Part of the loop: it
 * knows struct monitor, as monitor.c does, and decides for it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "devlist.h"
#include "log.h"
#include "monitor.h"
#include "peers.h"
#include "sources.h"

/*
 * Whether this daemon watches every close of the control node, as the
 * device's watcher or alone, rather than rely on the watcher's prompts.
 */
int
peers_watches_control(const struct monitor *m)
{
	return m->watcher.held || m->watch.lock_wd < 0;
}

static void
warn_unwatched(void)
{
	log_warn("cannot watch the device-mapper control node (%s): "
	    "checking the group every %d s", strerror(errno),
	    UNWATCHED_CHECK_MS / 1000);
}

/*
 * The watcher's survey, before its own check: the daemons whose groups
 * changed are prompted to check theirs.  A survey that fails leaves them
 * to their unprompted checks, and the next survey prompts them all.
 */
void
peers_survey(struct monitor *m, int64_t taken_after)
{
	if (watcher_survey(&m->watcher, &m->group.dev, DEVLIST_DIR,
	    taken_after, m->group.id) != 0)
		log_warn("%s: cannot list dm-stats regions for the device's "
		    "other daemons: %s", m->group.dev.name, strerror(errno));
}

/*
 * The device's daemons, one of which watches the control node for all
 * (watcher.h).  The others watch the lock file, to take over, and the
 * control node for its next close only: until then, a pass may plan
 * against the group as the last one left it.
 */
void
peers_join(struct monitor *m)
{
	if (!watcher_join(&m->watcher, DEVLIST_DIR) &&
	    watch_lock_file(&m->watch, m->watcher.lock_fd) == 0) {
		watch_dm_control(&m->watch, 1);
		return;
	}
	if (watch_dm_control(&m->watch, 0) != 0)
		warn_unwatched();
	if (m->watcher.held)
		peers_survey(m, DEVLIST_NOW);
}

/* A daemon of the device exited: if it was the watcher, one takes over. */
void
peers_take_over(struct monitor *m, int64_t now)
{
	if (!watcher_take_over(&m->watcher))
		return;
	log_info(VERB_LIFECYCLE, "watching the device-mapper control node "
	    "for the daemons of %s", m->group.dev.name);
	watch_drop_lock_file(&m->watch);
	if (watch_dm_control(&m->watch, 0) != 0)
		warn_unwatched();
	/* What the last watcher saw is lost: all are prompted. */
	m->sync.group_known = 0;
	schedule_check_now(&m->when, now);
}

/* Acts on where an attempt to claim the group's id has got to. */
void
peers_claim_settled(struct monitor *m, enum claim_state state)
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
		log_error("cannot claim group %" PRIu64 ": %s: exiting",
		    m->group.id, strerror(errno));
		monitor_finish(m, 1);
		break;
	}
}

/* Returns 1 when another daemon follows the group. */
int
peers_claim_at_start(struct monitor *m, char *err, size_t errlen)
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

/*
 * The watcher found the group's rows changed in a listing taken after
 * seen: a check, as for a use of device-mapper seen then.
 */
void
peers_prompted(struct monitor *m, int64_t seen, int64_t now)
{
	log_info(VERB_DEBUG, "event: the device's watcher saw group %" PRIu64
	    " change", m->group.id);
	m->sync.group_known = 0;
	if (m->control_seen == NEVER || seen > m->control_seen)
		m->control_seen = seen;
	schedule_control_used(&m->when, now);
}
