#!/bin/bash
# When the device-mapper control node cannot be watched (here: no inotify
# watch left for it), the daemon says so and checks its group every 5 s
# instead, as dmfilemapd(8) promises under TIMING: a member region deleted
# without any event comes back within those 5 s.  Once a watch is to be
# had again, a check takes it up, and from then on a plain
# `dmstats delete --groupid` is noticed within a second; the daemon exits 0.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

CHECK_MS=5000   # dmfilemapd(8): the check interval without the watch
GAP_MS=1000     # dmfilemapd(8): a prompted check comes within a second
MARGIN_MS=1500  # for the pass itself and a slow emulated guest
LOG=/tmp/daemon.log

# within LIMIT_MS START WHAT: fails unless less than LIMIT_MS passed since START.
within() {
	local took=$(($(now_ms) - $2))
	echo "$3 after $took ms"
	[ "$took" -le "$1" ] || fail "$3 after $took ms, not within $1 ms"
}

require_daemon
step "one inotify watch per user: the file's, none for the control node"
watches=$(sysctl -n fs.inotify.max_user_watches)
sysctl -q fs.inotify.max_user_watches=1
hand_started_daemon 1 "$LOG"
assert_match "^dmfilemapd: warning: cannot watch the device-mapper control node \(checking the group every 5 s\): .+\$" \
	"$(grep 'control node' "$LOG")" "the daemon's warning"

step "the file grows: a second member region"
fallocate -o 1M -l 1M /mnt/f
wait_in_step 15 /mnt/f lin "$gid"
victim=$(group_members lin "$gid" | sort -n | tail -n 1)
[ "$victim" != "$gid" ] || fail "the group has a single region"

step "member $victim deleted, with no event the daemon could see"
unwatched dmsetup message lin 0 @stats_delete "$victim"
start=$(now_ms)
wait_until 15 holds check_group /mnt/f lin "$gid"
within $((CHECK_MS + MARGIN_MS)) "$start" "the member came back"

step "watches to be had again"
sysctl -q fs.inotify.max_user_watches="$watches"
start=$(now_ms)
wait_log "$LOG" "^dmfilemapd: watching the device-mapper control node again\$"
within $((CHECK_MS + MARGIN_MS)) "$start" "the daemon watched the node"

step "dmstats delete --groupid $gid: noticed at once"
start=$(now_ms)
dmstats delete --groupid "$gid" lin
assert_exit 0 "$daemon" 15 "the daemon's exit status"
within $((GAP_MS + MARGIN_MS)) "$start" "the daemon exited"
assert_eq "dmfilemapd: group $gid was deleted or ungrouped: exiting" \
	"$(tail -n 1 "$LOG")" "the daemon's last line"
echo "ok: without the control node's events, the group is checked every 5 s"
