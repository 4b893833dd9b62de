#!/bin/bash
# One daemon per group at all times, also while the group's id moves
# (dmfilemapd(8), ONE DAEMON PER GROUP): a daemon started for the group's
# new id the moment it shows, while the group's own daemon has yet to
# claim it, must not leave two daemons following the group: once things
# settle one runs (a second one that yields exits 0), the group matches
# its file, grown meanwhile, and no region is outside it.  The window
# between the new id showing and the daemon holding it is widened here:
# strace delays each bind(2) of the daemon (its claim is a unix socket
# bound under /run/dmfilemapd) by 3 s.  thirty_groups.sh looks for the same fault without
# help, under churn.
set -eu
# shellcheck source=tests/vm/lib.sh
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

started_or_gone() {
	is_daemon "$1" || process_gone "$1"
}

one_daemon() {
	[ "$(daemon_pids | wc -l)" = 1 ]
}

# group_moved_from ID: the group f no longer has id ID.
group_moved_from() {
	[ "$(group_id_by_alias "$dev" f)" != "$1" ]
}

require_daemon
step "ext4 on a dm-linear device, a file of 3 extents mapped by dmstats"
setup_mapped --pieces 3 /mnt/f
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

step "dmstats update_filemap --groupid $new --foreground at once; the file grows meanwhile"
dmstats update_filemap /mnt/f --groupid "$new" --foreground -v >/dev/null 2>/tmp/second.log &
second=$!
wait_until 10 started_or_gone "$second"
fallocate -l 6M /mnt/f

step "settled: one daemon follows the group"
if ! poll_until 10 one_daemon; then
	sed 's/^/  second daemon: /' /tmp/second.log >&2
	sed 's/^/  strace: /' /tmp/strace.out >&2
	stats_list "$dev" | sed 's/^/  region: /' >&2
	fail "$(daemon_pids | wc -l) daemons follow group $new 10 s after the second one started"
fi
sed 's/^/   second daemon: /' /tmp/second.log
if process_gone "$second"; then
	assert_exit 0 "$second" 1 "exit status of the second daemon"
	survivor=$pid
else
	survivor=$second
fi
echo "   the daemon left running: pid $survivor ($([ "$survivor" = "$pid" ] && echo first || echo second))"
kill "$tracer" 2>/dev/null || true
wait "$tracer" 2>/dev/null || true
tracer=
assert_running "$survivor" "the group's daemon"
wait_group /mnt/f "$dev" f
wait_no_strays 30 "$dev"
fallocate -l 10M /mnt/f
wait_group /mnt/f "$dev" f
wait_no_strays 30 "$dev"
assert_eq "$survivor" "$(daemon_pids)" "daemons running"
if [ "$survivor" = "$second" ]; then
	kill -TERM "$second"
	assert_exit 0 "$second" 10 "exit status of the second daemon after SIGTERM"
fi
echo "ok: one daemon followed the group through the move of its id"
