#!/bin/bash
# Foreground logging by level, on stderr: -vvv shows the start line, events,
# plans and each region created or deleted, matching what really changed;
# -vv shows region changes but no debugging; -v on a quiet start prints the
# start line alone; VERBOSE 0 prints nothing, even while it works.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

# only_in A B: the lines of A that B lacks.
only_in() {
	comm -23 <(printf '%s\n' "$1" | sort) <(printf '%s\n' "$2" | sort) | sed '/^$/d'
}

# assert_logged_change LOG BEFORE AFTER: LOG has the plan and one line per
# region created or deleted between the two group_regions snapshots.
assert_logged_change() {
	local log=$1 before=$2 after=$3 kept created deleted id start len
	kept=$(comm -12 <(printf '%s\n' "$before" | sort) <(printf '%s\n' "$after" | sort) | sed '/^$/d' | wc -l)
	created=$(only_in "$after" "$before")
	deleted=$(only_in "$before" "$after")
	[ -n "$created$deleted" ] || fail "the group did not change: nothing to log"
	wait_log "$log" "^dmfilemapd: plan: keep $kept, delete $(printf '%s' "$deleted" | grep -c .), create $(printf '%s' "$created" | grep -c .)\$"
	while read -r id start len; do
		[ -z "$id" ] || wait_log "$log" "^dmfilemapd: created region $id at $start\+$len\$"
	done <<<"$created"
	while read -r id start len; do
		[ -z "$id" ] || wait_log "$log" "^dmfilemapd: deleted region $id\$"
	done <<<"$deleted"
}

# event_loop_ready PID: the daemon has made its signalfd and inotify fd.
event_loop_ready() {
	local fds
	fds=$(fd_targets "$1")
	[[ $fds == *signalfd* && $fds == *inotify* ]]
}

require_daemon
step "ext4 on a dm-linear device"
setup_mapped

step "-vvv: dmstats create --filemap --foreground -vvv"
fragmented_file /mnt/a 2
filemap_foreground /tmp/a.log /mnt/a -vvv
gid=$FG_GID
wait_log /tmp/a.log "^dmfilemapd: started: fd [0-9]+, group $gid on lin, follow inode, /mnt/a\$"
wait_log /tmp/a.log "^dmfilemapd: plan: keep"
before=$(group_regions "$dev" "$gid")
fallocate -l 6M /mnt/a
wait_group /mnt/a "$dev" a
wait_log /tmp/a.log "^dmfilemapd: event: modify\$"
after=$(group_regions "$dev" "$gid")
assert_logged_change /tmp/a.log "$before" "$after"
truncate -s 1536K /mnt/a
wait_group /mnt/a "$dev" a
assert_logged_change /tmp/a.log "$after" "$(group_regions "$dev" "$(group_id_by_alias "$dev" a)")"

step "-vv: region changes, no debugging"
fallocate -l 1M /mnt/b
filemap_foreground /tmp/b.log /mnt/b -vv
wait_log /tmp/b.log "^dmfilemapd: started: .* /mnt/b\$"
fallocate -l 3M /mnt/b
wait_group /mnt/b "$dev" b
wait_log /tmp/b.log "^dmfilemapd: created region [0-9]+ at [0-9]+\+[0-9]+\$"
wait_log /tmp/b.log "^dmfilemapd: group $FG_GID updated: "
! grep -E '^dmfilemapd: (event|plan|file|message|libdevmapper):' /tmp/b.log ||
	fail "-vv printed debugging lines"

step "-v on a quiet start: the start line alone"
fallocate -l 1M /mnt/c
filemap_foreground /tmp/c.log /mnt/c -v
wait_log /tmp/c.log "^dmfilemapd: started: .* /mnt/c\$"
wait_until 5 event_loop_ready "$FG_PID"
kill -TERM "$FG_PID"
assert_exit 0 "$FG_PID" 2
assert_eq 2 "$(wc -l </tmp/c.log)" "lines logged by -v (start, SIGTERM)"
assert_match "^dmfilemapd: started: fd [0-9]+, group $FG_GID on lin, follow inode, /mnt/c\$" \
	"$(sed -n 1p /tmp/c.log)" "first line at -v"
assert_eq "dmfilemapd: Terminated: exiting, group $FG_GID left as it is" \
	"$(sed -n 2p /tmp/c.log)" "second line at -v"

step "VERBOSE 0 in the foreground, run by hand: silent, even at work"
fallocate -l 1M /mnt/d
gid=$(filemap_create /mnt/d --nomonitor)
# shellcheck disable=SC2094 # the daemon only reads the file it follows
dmfilemapd 3 "$gid" /mnt/d inode 1 0 3</mnt/d >/tmp/d.out 2>/tmp/d.err &
pid=$!
wait_until 5 event_loop_ready "$pid"
fallocate -l 4M /mnt/d
wait_group /mnt/d "$dev" d
kill -TERM "$pid"
assert_exit 0 "$pid" 2
assert_eq "" "$(cat /tmp/d.out /tmp/d.err)" "output at VERBOSE 0"
echo "ok: each level prints what it should"
