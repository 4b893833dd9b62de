/*
 * The loop's timetable: when the next pass runs and when the group is
 * next checked, as plain arithmetic on the monotonic clock, so that
 * the rules are testable without a kernel.  The loop tells it what
 * happened; it answers what is due.
 */
#ifndef DMFILEMAPD_SCHEDULE_H
#define DMFILEMAPD_SCHEDULE_H

#include <stdbool.h>

#include "clock.h"
#include "listshare.h"
#include "sync.h"

/* Intervals in milliseconds; the manual page documents them. */
#define PASS_GAP_MS	50	/* least time between passes during a burst */
#define RECHECK_MS	200	/* while data awaits allocation, or the path is empty */
#define GROUP_CHECK_MS	60000	/* how often a quiet daemon checks its group unprompted */
#define UNWATCHED_CHECK_MS 5000	/* the same, when the dm control node cannot be watched */
#define CONTROL_GAP_MS	250	/* least time between checks prompted by dm activity */
#define CONTROL_SETTLE_MS 50	/* from a use of dm seen to the check it prompts */
#define REWRITE_SETTLE_MS 200	/* the pause in a copy-on-write file's rewrites awaited */
#define REWRITE_WAIT_MS	1000	/* the longest wait for it */
/* A lasting failure is retried no less often than an unwatched group is checked. */
#define FAILURE_BACKOFF_MAX UNWATCHED_CHECK_MS

struct schedule {
	msec_t pass_due;	/* when the next pass runs, or NEVER */
	msec_t group_due;	/* when the group must next be checked */
	msec_t group_checked;	/* when it was last found in step */
	int group_routine;	/* group_due is only the unprompted check's */
	msec_t last_pass;	/* when the last pass started */
	msec_t last_pass_end;	/* when the last pass ended */
	int all_placed;		/* it found the file's data all placed */
	msec_t last_change;	/* when the file last changed */
	/* Unless NEVER, pass_due waits for the rewrites since then to pause. */
	msec_t rewrite_since;
	int failures;		/* passes failed in a row */
};

enum due {
	DUE_NOTHING,
	DUE_PASS,		/* a pass over the file's extents */
	DUE_CHECK,		/* a pass that also checks the group */
	DUE_ROUTINE_CHECK,	/* the same, unprompted: nothing asked for it */
};

/* Nothing is due yet but a group check; a change may start a pass at once. */
void schedule_init(struct schedule *t, msec_t now);

/* The file changed: a pass, no sooner than PASS_GAP_MS after the last one. */
void schedule_file_changed(struct schedule *t, msec_t now);

/*
 * A copy-on-write file was written within its size: its data moved, as
 * with every such write.  A pass waits until the writes pause for
 * REWRITE_SETTLE_MS, REWRITE_WAIT_MS after the first at the latest, so
 * that a file rewritten all the time is followed about once a second and
 * not once per write; a pass already due for another change is not
 * delayed.
 */
void schedule_file_rewritten(struct schedule *t, msec_t now);

/*
 * The file was closed after writing, and nothing else came with it: a
 * pass as for a change, unless a pass that a change just before started
 * ended less than PASS_GAP_MS ago and found all data placed.
 */
void schedule_file_closed(struct schedule *t, msec_t now);

/*
 * The pass that just ended found blocks past the end of the file, which
 * closing it may free (xfs frees its speculative preallocation then): its
 * close starts a pass however soon it comes.
 */
void schedule_blocks_past_end(struct schedule *t);

/*
 * Another process used device-mapper: a group check CONTROL_SETTLE_MS
 * later, so that a use still going with others is seen whole, and no
 * sooner than CONTROL_GAP_MS after the last one, however busy the device
 * is.  The loop waits for it in poll(), free for the file meanwhile.
 */
void schedule_control_used(struct schedule *t, msec_t now);

/*
 * The device's watcher saw the group change in a listing it left: a group
 * check, as soon as CONTROL_GAP_MS after the last one allows.
 */
void schedule_group_prompted(struct schedule *t, msec_t now);

/* A group check as soon as the loop comes round. */
void schedule_check_now(struct schedule *t, msec_t now);

/* The group was found in step; watched: dm use by others wakes the loop. */
void schedule_group_in_step(struct schedule *t, msec_t now, bool watched);

/*
 * The routine check due now is left to the device's watcher, whose own
 * minute's survey prompts this daemon if its group changed: the next
 * routine one is GROUP_CHECK_MS away, and the group counts as no more
 * recently seen than before.
 */
void schedule_routine_left(struct schedule *t, msec_t now);

/* A pass starts now: none is due until its result says so. */
void schedule_pass_started(struct schedule *t, msec_t now);

/* Look again in RECHECK_MS (data awaits allocation, the path is empty). */
void schedule_recheck(struct schedule *t, msec_t now);

/* What a pass that ended at now returned: again soon, a backed-off retry, or nothing. */
void schedule_pass_ended(struct schedule *t, enum pass_result result,
    msec_t now);

/*
 * The listing a pass's group check needs (listshare.h).  A check prompted
 * by a use of device-mapper seen at control_seen needs one taken after
 * that use and after this daemon's own last writes (pass_ended); a
 * routine check, with no use awaiting it, one taken after the group was
 * last found in step (group_seen), such as the device's watcher makes;
 * any other check, or one of those before any such moment, one taken now.
 * A pass of the file (DUE_PASS) needs the same as a prompted check.
 */
struct listing_need schedule_listing_need(enum due due, nsec_t control_seen,
    nsec_t group_seen, nsec_t pass_ended);

/* Whether a pass is due at some time, for a change or to look again. */
bool schedule_pass_pending(const struct schedule *t);

/* The earliest time anything is due, or NEVER. */
msec_t schedule_next(const struct schedule *t);

/*
 * What is due at now; a group check comes before a plain pass.  A check
 * is routine when it is due only because the group was last found in
 * step GROUP_CHECK_MS (UNWATCHED_CHECK_MS) ago: no use of device-mapper,
 * signal or claim asked for it.
 */
enum due schedule_due(const struct schedule *t, msec_t now);

#endif
