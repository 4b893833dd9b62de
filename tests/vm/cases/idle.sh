#!/bin/bash
# An idle daemon (file untouched) is cheap and still watchful, as
# dmfilemapd(8) promises under TIMING: it only checks its group every 5 s,
# one @stats_list message each time, so over a traced window of 20 s it
# makes at most one device-mapper ioctl and one wake-up per 5 s (plus one
# for the window's phase); and a group deleted with
# `dmstats delete --groupid` just after a check is noticed within those
# 5 s: the daemon logs why and exits 0.
set -eu
. /test/lib.sh

CHECK_MS=5000   # dmfilemapd(8): the quiet daemon's group check interval
WINDOW_S=20     # how long the idle daemon is traced
MARGIN_MS=1500  # for the pass itself and a slow emulated guest
TRACE=/tmp/trace
LOG=/tmp/daemon.log

require_daemon
hand_started_daemon 1 "$LOG"
step "left alone"
check_group /mnt/f lin "$gid"
wait_until 15 waiting_in_poll "$daemon"

step "trace the idle daemon's ioctls and wake-ups for $WINDOW_S s"
strace -f -e trace=ioctl,poll,ppoll,restart_syscall -p "$daemon" -o "$TRACE" \
	2>/tmp/strace.err &
tracer=$!
wait_until 15 grep -q attached /tmp/strace.err
start=$(now_ms)
# The window is the measurement itself, not a wait for some condition.
sleep "$WINDOW_S"
kill -INT "$tracer"
wait "$tracer" || true
window_ms=$(($(now_ms) - start))

dm_ioctls=$(grep -c 'ioctl(.*DM_' "$TRACE" || true)
fiemaps=$(grep -c 'FS_IOC_FIEMAP' "$TRACE" || true)
# A poll that began before the trace is not shown; one still running when
# it ends is, so the lines count the wake-ups in the window plus one.
polls=$(grep -cE '(^|[[:space:]])(poll|ppoll|restart_syscall)\(' "$TRACE" || true)
checks_max=$((window_ms / CHECK_MS + 1))
echo "in $window_ms ms: $dm_ioctls dm ioctls, $fiemaps FIEMAP calls," \
	"$polls polls (at most $checks_max group checks fit)"
echo "that is $((dm_ioctls * 60000 / window_ms)) dm ioctls and" \
	"$((polls * 60000 / window_ms)) wake-ups a minute"
[ "$dm_ioctls" -le "$checks_max" ] || {
	cat "$TRACE"
	fail "$dm_ioctls dm ioctls in $window_ms ms of idleness, more than $checks_max"
}
[ "$polls" -le $((checks_max + 1)) ] || {
	cat "$TRACE"
	fail "$polls polls in $window_ms ms of idleness: it wakes up more than once in $CHECK_MS ms"
}
[ "$dm_ioctls" -ge 1 ] || fail "no group check at all in $window_ms ms"

# Right after a check, the next one is the furthest away: the delete must
# still be noticed within the interval.
step "dmstats delete --groupid $gid while idle, right after a group check"
strace -e trace=ioctl -p "$daemon" -o "$TRACE.2" 2>/tmp/strace.2.err &
tracer=$!
wait_until 15 grep -q attached /tmp/strace.2.err
wait_until $((CHECK_MS / 1000 + 5)) grep -q 'ioctl(.*DM_' "$TRACE.2"
lines=$(wc -l <"$LOG")
start=$(now_ms)
dmstats delete --groupid "$gid" lin
wait_until 15 process_gone "$daemon"
took=$(($(now_ms) - start))
status=0
wait "$daemon" || status=$?
wait "$tracer" || true
tail -n +"$((lines + 1))" "$LOG"
echo "the daemon exited $took ms after the delete, status $status"
assert_eq 0 "$status" "the daemon's exit status"
assert_eq "dmfilemapd: group $gid was deleted or ungrouped: exiting" \
	"$(tail -n 1 "$LOG")" "the daemon's last line"
[ "$took" -le $((CHECK_MS + MARGIN_MS)) ] ||
	fail "the delete was noticed after $took ms, not within $((CHECK_MS + MARGIN_MS)) ms"
echo "ok: idle, the daemon is cheap and notices the group's deletion in time"
