/* The loop's timetable: which pass is due when, on a clock of our own. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "clock.h"
#include "schedule.h"

#define T0 1000000	/* any start; the clock is monotonic, not zero */
/* Whether others' use of device-mapper reaches the daemon. */
#define WATCHED true
#define UNWATCHED false

/* A pass at now that found the group in step, as the loop runs one. */
static void
checked(struct schedule *t, msec_t now)
{
	schedule_pass_started(t, now);
	schedule_group_in_step(t, now, WATCHED);
	schedule_pass_ended(t, PASS_DONE, now);
}

static void
settled(struct schedule *t, msec_t now)
{
	schedule_init(t, now);
	checked(t, now);
}

/* Before the first check the group is due at once; nothing else is. */
static void
test_start(void **state)
{
	struct schedule t;

	(void)state;
	schedule_init(&t, T0);
	assert_int_equal(schedule_due(&t, T0), DUE_CHECK);
	assert_int_equal(schedule_next(&t), T0);
	settled(&t, T0);
	assert_int_equal(schedule_due(&t, T0), DUE_NOTHING);
	assert_int_equal(schedule_next(&t), T0 + GROUP_CHECK_MS);
	assert_int_equal(schedule_due(&t, T0 + GROUP_CHECK_MS),
	    DUE_ROUTINE_CHECK);
}

/*
 * A routine check left to the device's watcher: the next routine one a
 * minute on, and a use of device-mapper meanwhile still prompts a check
 * at once, the group having last been found in step long before.
 */
static void
test_routine_left(void **state)
{
	struct schedule t;
	msec_t now = T0 + GROUP_CHECK_MS;

	(void)state;
	settled(&t, T0);
	assert_int_equal(schedule_due(&t, now), DUE_ROUTINE_CHECK);
	schedule_pass_started(&t, now);
	schedule_routine_left(&t, now);
	schedule_pass_ended(&t, PASS_DONE, now);
	assert_int_equal(schedule_due(&t, now), DUE_NOTHING);
	assert_int_equal(schedule_next(&t), now + GROUP_CHECK_MS);
	assert_int_equal(schedule_due(&t, now + GROUP_CHECK_MS),
	    DUE_ROUTINE_CHECK);
	schedule_control_used(&t, now + 10);
	assert_int_equal(schedule_next(&t), now + 10 + CONTROL_SETTLE_MS);
	assert_int_equal(schedule_due(&t, now + 10 + CONTROL_SETTLE_MS),
	    DUE_CHECK);
}

/* need asks for a listing taken after moment. */
static void
assert_after(struct listing_need need, nsec_t moment)
{
	assert_false(need.fresh);
	assert_int_equal(need.after, moment);
}

/*
 * Which listing a check needs: a prompted one, one taken after the use and
 * this daemon's own writes; a routine one, one taken after the group was
 * last found in step; any other, one taken now.
 */
static void
test_listing_need(void **state)
{
	(void)state;
	assert_after(schedule_listing_need(DUE_CHECK, 500, 100, 300), 500);
	assert_after(schedule_listing_need(DUE_CHECK, 200, 100, 300), 300);
	assert_true(schedule_listing_need(DUE_CHECK, NEVER, 100, 300).fresh);
	assert_true(schedule_listing_need(DUE_PASS, NEVER, 100, 300).fresh);
	/* A pass of the file: after the use too. */
	assert_after(schedule_listing_need(DUE_PASS, 500, 100, 300), 500);
	assert_after(schedule_listing_need(DUE_ROUTINE_CHECK, NEVER, 400, 300),
	    400);
	assert_after(schedule_listing_need(DUE_ROUTINE_CHECK, NEVER, 100, 300),
	    300);
	/* Never found in step: only a listing taken now will do. */
	assert_true(schedule_listing_need(DUE_ROUTINE_CHECK, NEVER, NEVER,
	    300).fresh);
	/* A use awaits the check: as prompted. */
	assert_after(schedule_listing_need(DUE_ROUTINE_CHECK, 600, 100, 300),
	    600);
}

/* A check that something asked for is not routine, even when it was due. */
static void
test_routine_check(void **state)
{
	struct schedule t;
	msec_t due = T0 + GROUP_CHECK_MS;

	(void)state;
	settled(&t, T0);
	assert_int_equal(schedule_due(&t, due), DUE_ROUTINE_CHECK);
	schedule_control_used(&t, due - 1);
	assert_int_equal(schedule_due(&t, due), DUE_CHECK);
	settled(&t, T0);
	schedule_check_now(&t, due + 5);
	assert_int_equal(schedule_due(&t, due + 5), DUE_CHECK);
	checked(&t, due + 5);
	assert_int_equal(schedule_due(&t, due + 5 + GROUP_CHECK_MS),
	    DUE_ROUTINE_CHECK);
}

/* A change after a quiet spell runs a pass at once. */
static void
test_change_after_quiet(void **state)
{
	struct schedule t;
	msec_t later = T0 + 10000;

	(void)state;
	settled(&t, T0);
	schedule_file_changed(&t, later);
	assert_int_equal(schedule_next(&t), later);
	assert_int_equal(schedule_due(&t, later), DUE_PASS);
}

/* A burst: passes no closer than PASS_GAP_MS, and more events never delay one. */
static void
test_burst_coalesced(void **state)
{
	struct schedule t;
	msec_t now = T0 + 10000;

	(void)state;
	settled(&t, T0);
	schedule_pass_started(&t, now);
	schedule_pass_ended(&t, PASS_DONE, now);
	schedule_file_changed(&t, now + 1);
	assert_int_equal(schedule_next(&t), now + PASS_GAP_MS);
	assert_int_equal(schedule_due(&t, now + PASS_GAP_MS - 1), DUE_NOTHING);
	schedule_file_changed(&t, now + 30);
	schedule_file_changed(&t, now + PASS_GAP_MS - 1);
	assert_int_equal(schedule_next(&t), now + PASS_GAP_MS);
	assert_int_equal(schedule_due(&t, now + PASS_GAP_MS), DUE_PASS);
}

/*
 * A close read right after the pass a change started brings no pass of
 * its own; a close long after, after a pass that found data not yet
 * placed (an fsync may have placed it), or after a pass no change
 * started, does.
 */
static void
test_close_after_change(void **state)
{
	struct schedule t;
	msec_t now = T0 + 10000;

	(void)state;
	settled(&t, T0);
	schedule_file_changed(&t, now);
	assert_int_equal(schedule_due(&t, now), DUE_PASS);
	schedule_pass_started(&t, now);
	/* A long pass: the close, queued meanwhile, is read at its end. */
	schedule_pass_ended(&t, PASS_DONE, now + 300);
	schedule_file_closed(&t, now + 301);
	schedule_file_closed(&t, now + 300 + PASS_GAP_MS - 1);
	assert_int_equal(schedule_next(&t), t.group_due);
	schedule_file_closed(&t, now + 5000);
	assert_int_equal(schedule_due(&t, now + 5000), DUE_PASS);
	/* After a pass that found data not yet placed, a close starts one. */
	schedule_file_changed(&t, now + 5500);
	schedule_pass_started(&t, now + 5500);
	schedule_pass_ended(&t, PASS_AGAIN, now + 5510);
	schedule_file_closed(&t, now + 5511);
	assert_int_equal(schedule_next(&t), now + 5500 + PASS_GAP_MS);
	schedule_pass_started(&t, now + 5550);
	schedule_pass_ended(&t, PASS_DONE, now + 5550);
	/* After a pass no change started (a check), a close starts one. */
	schedule_pass_started(&t, now + 6000);
	schedule_pass_ended(&t, PASS_DONE, now + 6000);
	schedule_file_closed(&t, now + 6001);
	assert_int_equal(schedule_next(&t), now + 6000 + PASS_GAP_MS);
}

/* A close may free blocks past the file's end: after such a pass it starts one. */
static void
test_close_past_end(void **state)
{
	struct schedule t;
	msec_t now = T0 + 10000;

	(void)state;
	settled(&t, T0);
	schedule_file_changed(&t, now);
	schedule_pass_started(&t, now);
	schedule_pass_ended(&t, PASS_DONE, now + 10);
	schedule_blocks_past_end(&t);
	schedule_file_closed(&t, now + 11);
	assert_int_equal(schedule_next(&t), now + PASS_GAP_MS);
}

/*
 * Another process's dm use: after a quiet spell, a check once the use has
 * had CONTROL_SETTLE_MS to end, the loop free meanwhile; then no closer
 * than CONTROL_GAP_MS however busy the device is.
 */
static void
test_control_rate_limited(void **state)
{
	struct schedule t;
	msec_t now = T0 + 5000, last;

	(void)state;
	settled(&t, T0);
	schedule_control_used(&t, now);
	assert_int_equal(schedule_due(&t, now), DUE_NOTHING);
	schedule_file_changed(&t, now + 1);
	assert_int_equal(schedule_due(&t, now + 1), DUE_PASS);
	schedule_pass_started(&t, now + 1);
	assert_int_equal(schedule_next(&t), now + CONTROL_SETTLE_MS);
	now += CONTROL_SETTLE_MS;
	assert_int_equal(schedule_due(&t, now), DUE_CHECK);
	checked(&t, now);
	last = now;
	for (now = last + 100; now < last + 1000; now += 100)
		schedule_control_used(&t, now);
	assert_int_equal(schedule_next(&t), last + CONTROL_GAP_MS);
}

/*
 * A prompt from the device's watcher comes with a listing already taken:
 * a check at once after a quiet spell, else CONTROL_GAP_MS after the last.
 */
static void
test_prompted_at_once(void **state)
{
	struct schedule t;
	msec_t now = T0 + 5000;

	(void)state;
	settled(&t, T0);
	schedule_group_prompted(&t, now);
	assert_int_equal(schedule_due(&t, now), DUE_CHECK);
	checked(&t, now);
	schedule_group_prompted(&t, now + 10);
	assert_int_equal(schedule_next(&t), now + CONTROL_GAP_MS);
	assert_int_equal(schedule_due(&t, now + CONTROL_GAP_MS), DUE_CHECK);
}

/* A group check is due before a pass due at the same time, and is a pass too. */
static void
test_check_before_pass(void **state)
{
	struct schedule t;
	msec_t now = T0 + 100;

	(void)state;
	settled(&t, T0);
	schedule_file_changed(&t, now);
	schedule_check_now(&t, now);
	assert_int_equal(schedule_due(&t, now), DUE_CHECK);
}

/* Without a watch on the control node the group is checked more often. */
static void
test_unwatched_check(void **state)
{
	struct schedule t;

	(void)state;
	schedule_init(&t, T0);
	schedule_group_in_step(&t, T0, UNWATCHED);
	assert_int_equal(schedule_next(&t), T0 + UNWATCHED_CHECK_MS);
}

/* Data awaiting allocation, or an empty path: look again in RECHECK_MS. */
static void
test_again(void **state)
{
	struct schedule t;

	(void)state;
	settled(&t, T0);
	schedule_pass_started(&t, T0 + 1);
	schedule_pass_ended(&t, PASS_AGAIN, T0 + 1);
	assert_int_equal(schedule_next(&t), T0 + 1 + RECHECK_MS);
	schedule_pass_started(&t, T0 + 2);
	schedule_recheck(&t, T0 + 2);
	assert_int_equal(schedule_next(&t), T0 + 2 + RECHECK_MS);
}

/* Failures back off, doubling up to a bound; a success starts over. */
static void
test_failure_backoff(void **state)
{
	struct schedule t;
	msec_t now = T0, gap, previous = 0;
	int i;

	(void)state;
	settled(&t, T0);
	for (i = 0; i < 12; i++) {
		schedule_pass_started(&t, now);
		schedule_pass_ended(&t, PASS_FAILED, now);
		gap = t.pass_due - now;
		assert_true(gap >= RECHECK_MS);
		assert_true(gap <= FAILURE_BACKOFF_MAX);
		if (i > 0)
			assert_true(gap == previous * 2 ||
			    gap == FAILURE_BACKOFF_MAX);
		previous = gap;
		now = t.pass_due;
	}
	assert_int_equal(previous, FAILURE_BACKOFF_MAX);
	schedule_pass_started(&t, now);
	schedule_pass_ended(&t, PASS_DONE, now);
	schedule_pass_started(&t, now + 1);
	schedule_pass_ended(&t, PASS_FAILED, now + 1);
	assert_int_equal(t.pass_due, now + 1 + RECHECK_MS);
}

/* A pass that ended the work schedules nothing more. */
static void
test_ended(void **state)
{
	struct schedule t;

	(void)state;
	settled(&t, T0);
	schedule_pass_started(&t, T0 + 1);
	schedule_pass_ended(&t, PASS_GROUP_ENDED, T0 + 1);
	assert_int_equal(t.pass_due, NEVER);
	schedule_pass_started(&t, T0 + 2);
	schedule_pass_ended(&t, PASS_FILE_EMPTY, T0 + 2);
	assert_int_equal(t.pass_due, NEVER);
}

/* One rewrite of a copy-on-write file: a pass once the writes pause. */
static void
test_rewrite_settles(void **state)
{
	struct schedule t;
	msec_t later = T0 + 10000;

	(void)state;
	settled(&t, T0);
	schedule_file_rewritten(&t, later);
	assert_int_equal(schedule_due(&t, later), DUE_NOTHING);
	assert_int_equal(schedule_next(&t), later + REWRITE_SETTLE_MS);
	/* Another write pushes it on. */
	schedule_file_rewritten(&t, later + 60);
	assert_int_equal(schedule_next(&t), later + 60 + REWRITE_SETTLE_MS);
	assert_int_equal(schedule_due(&t, later + 60 + REWRITE_SETTLE_MS),
	    DUE_PASS);
}

/*
 * Rewrites every 10 ms for 5 s: a pass every REWRITE_WAIT_MS, not one per
 * write nor one per PASS_GAP_MS.
 */
static void
test_rewrites_followed_once_a_second(void **state)
{
	struct schedule t;
	msec_t now, last = 0;
	int passes = 0;

	(void)state;
	settled(&t, T0);
	for (now = T0 + 1000; now < T0 + 6000; now += 10) {
		if (schedule_due(&t, now) == DUE_PASS) {
			if (passes++ > 0)
				assert_true(now - last >= REWRITE_WAIT_MS);
			last = now;
			schedule_pass_started(&t, now);
			schedule_pass_ended(&t, PASS_DONE, now);
		}
		schedule_file_rewritten(&t, now);
	}
	assert_int_equal(passes, 5000 / REWRITE_WAIT_MS - 1);
}

/* Growth while rewrites settle is followed at once. */
static void
test_growth_not_held_back(void **state)
{
	struct schedule t;
	msec_t later = T0 + 10000;

	(void)state;
	settled(&t, T0);
	schedule_file_rewritten(&t, later);
	schedule_file_changed(&t, later + 20);
	assert_int_equal(schedule_due(&t, later + 20), DUE_PASS);
	/* and a rewrite right after does not delay that pass */
	schedule_file_rewritten(&t, later + 20);
	assert_int_equal(schedule_due(&t, later + 20), DUE_PASS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start),
		cmocka_unit_test(test_routine_check),
		cmocka_unit_test(test_routine_left),
		cmocka_unit_test(test_listing_need),
		cmocka_unit_test(test_close_past_end),
		cmocka_unit_test(test_change_after_quiet),
		cmocka_unit_test(test_burst_coalesced),
		cmocka_unit_test(test_close_after_change),
		cmocka_unit_test(test_control_rate_limited),
		cmocka_unit_test(test_prompted_at_once),
		cmocka_unit_test(test_check_before_pass),
		cmocka_unit_test(test_unwatched_check),
		cmocka_unit_test(test_again),
		cmocka_unit_test(test_failure_backoff),
		cmocka_unit_test(test_ended),
		cmocka_unit_test(test_rewrite_settles),
		cmocka_unit_test(test_rewrites_followed_once_a_second),
		cmocka_unit_test(test_growth_not_held_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
