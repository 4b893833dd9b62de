#!/bin/bash
# An idle daemon (file untouched) is cheap and still watchful, as
# dmfilemapd(8) promises under TIMING.  Another process's use of the
# device-mapper control node (here `dmsetup status`) prompts one group
# check within a second, and nothing else.  Left alone, the daemon checks
# its group only every 60 s: a group deleted through a control node it
# does not watch, right after a check, is noticed by the next one, and
# until then the daemon makes no device-mapper ioctl and wakes up once.
# A group deleted with plain `dmstats delete --groupid` is noticed within
# a second.  Each time the daemon logs why and exits 0.
# check: waits (a minute asleep: tests/check runs it beside the busy jobs)
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

CHECK_MS=60000  # dmfilemapd(8): a quiet daemon's own group check interval
GAP_MS=1000     # dmfilemapd(8): least time between prompted checks
MARGIN_MS=1500  # for the pass itself and a slow emulated guest
TRACE=/tmp/trace
LOG=/tmp/daemon.log

# dm_ioctls [FROM]: the daemon's device-mapper ioctls in the trace, from
# line FROM on (default 1).
dm_ioctls() {
	tail -n +"${1:-1}" "$TRACE" | grep -c 'ioctl(.*DM_' || true
}

# expect_exit_after_delete PID LOG GID START LIMIT_MS: the daemon PID
# exits 0 within LIMIT_MS of START, saying its group is gone; sets took.
expect_exit_after_delete() {
	local pid=$1 log=$2 gid=$3 start=$4 limit=$5
	assert_exit 0 "$pid" $((limit / 1000 + 10)) "the daemon's exit status"
	took=$(($(now_ms) - start))
	assert_eq "dmfilemapd: group $gid was deleted or ungrouped: exiting" \
		"$(tail -n 1 "$log")" "the daemon's last line"
	[ "$took" -le "$limit" ] ||
		fail "the delete was noticed after $took ms, not within $limit ms"
}

require_daemon
hand_started_daemon 1 "$LOG"
step "left alone"
check_group /mnt/f lin "$gid"
wait_until 15 waiting_in_poll "$daemon"
strace -e trace=ioctl,poll,ppoll,restart_syscall -p "$daemon" -o "$TRACE" \
	2>/tmp/strace.err &
tracer=$!
wait_until 15 grep -q attached /tmp/strace.err

step "dmsetup status: another process used device-mapper"
start=$(now_ms)
dmsetup status lin >/dev/null
wait_until 10 grep -q 'ioctl(.*DM_' "$TRACE"
took=$(($(now_ms) - start))
echo "the daemon checked its group $took ms after dmsetup"
[ "$took" -le $((GAP_MS + MARGIN_MS)) ] ||
	fail "the check came $took ms after dmsetup, not within $((GAP_MS + MARGIN_MS)) ms"
# Let the check finish before counting what follows it.
wait_until 10 waiting_in_poll "$daemon"
kill -0 "$daemon" || fail "the daemon exited after dmsetup status"

step "the group deleted through a control node the daemon does not watch"
from=$(($(wc -l <"$TRACE") + 1))
start=$(now_ms)
unwatched dmstats delete --groupid "$gid" lin
expect_exit_after_delete "$daemon" "$LOG" "$gid" "$start" $((CHECK_MS + MARGIN_MS))
wait "$tracer" || true
dm=$(dm_ioctls "$from")
# A poll shows when it returns: the one waking for the check, maybe one more.
polls=$(tail -n +"$from" "$TRACE" | grep -cE '(^|[[:space:]])(poll|ppoll|restart_syscall)\(' || true)
echo "noticed after $took ms, with $dm dm ioctls and $polls polls meanwhile"
[ "$took" -ge $((CHECK_MS - GAP_MS - MARGIN_MS)) ] ||
	fail "noticed after $took ms: something other than the $CHECK_MS ms check saw it"
[ "$dm" -le 2 ] || { cat "$TRACE"; fail "$dm dm ioctls in $took ms of idleness"; }
[ "$polls" -le 3 ] || { cat "$TRACE"; fail "$polls polls in $took ms of idleness"; }

step "a second daemon, its group deleted with dmstats delete"
gid2=$(filemap_create /mnt/f --nomonitor)
# shellcheck disable=SC2094 # the daemon only reads the file it follows
dmfilemapd 3 "$gid2" /mnt/f inode 1 1 3</mnt/f 2>/tmp/daemon2.log &
daemon2=$!
wait_until 15 grep -q "started: fd 3, group $gid2 " /tmp/daemon2.log
wait_until 15 waiting_in_poll "$daemon2"
# Past the gap after the start-up's own check.
sleep $((GAP_MS / 1000))
start=$(now_ms)
dmstats delete --groupid "$gid2" lin
expect_exit_after_delete "$daemon2" /tmp/daemon2.log "$gid2" "$start" $((GAP_MS + MARGIN_MS))
echo "noticed after $took ms"
echo "ok: idle, the daemon is cheap and notices the group's deletion in time"
