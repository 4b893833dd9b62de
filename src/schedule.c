/*
 * The loop's timetable.  Bursts of events are coalesced by bringing a due
 * time forward, never pushing it back: a pass already due soon is not
 * delayed by more events, and a quiet spell makes the next one immediate.
 */
#include "clock.h"
#include "schedule.h"

/* Moves *due to earliest, or to now if that has passed, unless it is sooner. */
static void
bring_forward(msec_t *due, msec_t earliest, msec_t now)
{
	if (earliest < now)
		earliest = now;
	if (earliest < *due)
		*due = earliest;
}

void
schedule_init(struct schedule *t, msec_t now)
{
	t->pass_due = NEVER;
	t->group_due = now;
	t->group_routine = 0;
	t->group_checked = now - CONTROL_GAP_MS;
	t->last_pass = now - PASS_GAP_MS;
	t->last_change = now - PASS_GAP_MS;
	t->last_pass_end = now - PASS_GAP_MS;
	t->rewrite_since = NEVER;
	t->all_placed = 0;
	t->failures = 0;
}

void
schedule_file_changed(struct schedule *t, msec_t now)
{
	t->last_change = now;
	/* The pass due now takes the rewrites with it. */
	t->rewrite_since = NEVER;
	bring_forward(&t->pass_due, t->last_pass + PASS_GAP_MS, now);
}

void
schedule_file_rewritten(struct schedule *t, msec_t now)
{
	msec_t due = now + REWRITE_SETTLE_MS;

	t->last_change = now;
	if (t->pass_due != NEVER && t->rewrite_since == NEVER)
		return;
	if (t->rewrite_since == NEVER)
		t->rewrite_since = now;
	if (due > t->rewrite_since + REWRITE_WAIT_MS)
		due = t->rewrite_since + REWRITE_WAIT_MS;
	if (due < t->last_pass + PASS_GAP_MS)
		due = t->last_pass + PASS_GAP_MS;
	t->pass_due = due;
}

/*
 * A close places no data, though an fsync before it (which sends no
 * event) may have placed what was pending.  So a close that comes right
 * after a pass that its writes started and that found every byte placed,
 * as a short-lived writer's does (queued while the pass ran), would only
 * cost a second FIEMAP of the whole file.
 */
void
schedule_file_closed(struct schedule *t, msec_t now)
{
	int covered = t->all_placed && now - t->last_pass_end < PASS_GAP_MS &&
	    t->last_pass >= t->last_change &&
	    t->last_pass - t->last_change <= PASS_GAP_MS;

	if (!covered)
		schedule_file_changed(t, now);
}

void
schedule_blocks_past_end(struct schedule *t)
{
	t->all_placed = 0;
}

void
schedule_control_used(struct schedule *t, msec_t now)
{
	msec_t earliest = t->group_checked + CONTROL_GAP_MS;

	if (earliest < now + CONTROL_SETTLE_MS)
		earliest = now + CONTROL_SETTLE_MS;
	bring_forward(&t->group_due, earliest, now);
	t->group_routine = 0;
}

void
schedule_group_prompted(struct schedule *t, msec_t now)
{
	bring_forward(&t->group_due, t->group_checked + CONTROL_GAP_MS, now);
	t->group_routine = 0;
}

void
schedule_check_now(struct schedule *t, msec_t now)
{
	bring_forward(&t->group_due, now, now);
	t->group_routine = 0;
}

void
schedule_group_in_step(struct schedule *t, msec_t now, bool watched)
{
	t->group_checked = now;
	t->group_due = now + (watched ? GROUP_CHECK_MS : UNWATCHED_CHECK_MS);
	t->group_routine = 1;
}

void
schedule_routine_left(struct schedule *t, msec_t now)
{
	t->group_due = now + GROUP_CHECK_MS;
	t->group_routine = 1;
}

void
schedule_pass_started(struct schedule *t, msec_t now)
{
	t->pass_due = NEVER;
	t->last_pass = now;
	t->rewrite_since = NEVER;
}

void
schedule_recheck(struct schedule *t, msec_t now)
{
	t->pass_due = now + RECHECK_MS;
}

void
schedule_pass_ended(struct schedule *t, enum pass_result result, msec_t now)
{
	msec_t backoff;

	t->last_pass_end = now;
	t->all_placed = result == PASS_DONE;
	switch (result) {
	case PASS_GROUP_ENDED:
	case PASS_FILE_EMPTY:
		break;
	case PASS_DONE:
		t->failures = 0;
		break;
	case PASS_AGAIN:
		t->failures = 0;
		schedule_recheck(t, now);
		break;
	case PASS_FAILED:
		/* Back off, so a lasting failure is not retried in a spin. */
		backoff = (msec_t)RECHECK_MS << (t->failures < 5 ? t->failures : 5);
		if (backoff > FAILURE_BACKOFF_MAX)
			backoff = FAILURE_BACKOFF_MAX;
		t->failures++;
		t->pass_due = now + backoff;
		break;
	}
}

bool
schedule_pass_pending(const struct schedule *t)
{
	return t->pass_due != NEVER;
}

msec_t
schedule_next(const struct schedule *t)
{
	return t->pass_due < t->group_due ? t->pass_due : t->group_due;
}

enum due
schedule_due(const struct schedule *t, msec_t now)
{
	if (now >= t->group_due)
		return t->group_routine ? DUE_ROUTINE_CHECK : DUE_CHECK;
	if (now >= t->pass_due)
		return DUE_PASS;
	return DUE_NOTHING;
}

struct listing_need
schedule_listing_need(enum due due, nsec_t control_seen, nsec_t group_seen,
    nsec_t pass_ended)
{
	nsec_t since = control_seen, after;

	if (due == DUE_ROUTINE_CHECK && control_seen == NEVER)
		since = group_seen;
	after = since > pass_ended ? since : pass_ended;
	/* No listing taken yet follows a moment that never came. */
	if (after == NEVER)
		return LISTING_FRESH;
	return LISTING_AFTER(after);
}
