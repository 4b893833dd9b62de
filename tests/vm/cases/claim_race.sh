#!/bin/bash
# One daemon per group at all times, also while the group's id moves
# (dmfilemapd(8), ONE DAEMON PER GROUP): once the group can be found under
# its new id, a daemon started for that id must find the group followed
# and exit 0.  The window between the group's new id showing and the
# daemon holding it is widened here: strace delays each bind(2) of the
# daemon (its claim is an abstract unix socket) by 3 s.  thirty_groups.sh
# looks for the same fault without help, under churn.
set -eu
. /test/lib.sh

DELAY_US=3000000
tracer=
# stop_tracer: the daemon goes on untraced, whatever the test's end.
stop_tracer() {
	local status=$?
	[ -z "$tracer" ] || kill "$tracer" 2>/dev/null || true
	exit "$status"
}
trap stop_tracer EXIT

# group_moved_from ID: the group f no longer has id ID.
group_moved_from() {
	[ "$(group_id_by_alias "$dev" f)" != "$1" ]
}

require_daemon
step "ext4 on a dm-linear device, a file of 3 extents mapped by dmstats"
dev=$(make_linear lin)
make_fs ext4 "$dev" /mnt
fragmented_file /mnt/f 3
gid=$(filemap_create /mnt/f)
pid=$(wait_for_daemon "$gid" /mnt/f)
wait_until 15 waiting_in_poll "$pid"
check_group /mnt/f "$dev" "$gid"

step "the daemon's bind(2) calls delayed by $((DELAY_US / 1000)) ms; the file's first extent punched out"
strace -q -p "$pid" -e trace=bind -e inject=bind:delay_enter="$DELAY_US" -o /tmp/strace.out &
tracer=$!
wait_until 10 grep -q "^TracerPid:[[:space:]]*$tracer\$" "/proc/$pid/status"
fallocate -p -o 0 -l 1M /mnt/f
wait_until 10 group_moved_from "$gid"
new=$(group_id_by_alias "$dev" f)
echo "   group $gid is now group $new"

step "dmstats update_filemap --groupid $new --foreground at once"
dmstats update_filemap /mnt/f --groupid "$new" --foreground -v >/dev/null 2>/tmp/second.log &
second=$!
if ! poll_until 10 process_gone "$second"; then
	sed 's/^/  second daemon: /' /tmp/second.log >&2
	sed 's/^/  strace: /' /tmp/strace.out >&2
	fail "a second daemon for group $new still runs 10 s after it started"
fi
assert_exit 0 "$second" 1 "exit status of the second daemon"
sed 's/^/   second daemon: /' /tmp/second.log

step "the group's own daemon goes on, alone"
kill "$tracer"
wait "$tracer" 2>/dev/null || true
tracer=
assert_running "$pid" "the group's daemon"
assert_eq "$pid" "$(daemon_pids)" "daemons running"
fallocate -l 8M /mnt/f
wait_group /mnt/f "$dev" f
assert_no_strays "$dev"
echo "ok: a daemon started for the group's new id found it followed"
