#!/bin/bash
# dmfilemapd(8), TIMING, every 60 seconds: a daemon that is not its
# device's watcher leaves its minute's look at the group to the watcher,
# whose unprompted survey lists the regions once for all.  Three daemons
# on one device check on SIGHUP, the second, the watcher and the third
# two seconds apart; the second one's group is then deleted through a
# control node no daemon watches.  The watcher's next survey, within a
# minute, prompts the second daemon, which exits saying why, having
# neither listed the regions nor read the watcher's listing in its own
# minute, which came first.  The third daemon's file,
# written then through a shared memory mapping (no event), is followed by
# that daemon's own minute, which still reads the file.
# check: waits (a minute for the unprompted checks)
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

CHECK_MS=60000  # dmfilemapd(8): a quiet daemon's own group check interval
MARGIN_MS=3000  # the prompt, the exit, and a slow emulated guest

# lists_in LOG: how many @stats_list messages the daemon has sent so far.
lists_in() {
	grep -c "message '@stats_list" "$1" || true
}

# map_write FILE OFFSET_MIB LEN_MIB: writes through a shared mapping of FILE
# held open by xfs_io (its open and close would be events) and syncs it.
# xfs_io reads its commands on its own time and buffers what it prints to
# a pipe, but not its complaints: a second munmap's says it has done the
# commands before.
map_write() {
	local range="${2}m ${3}m" line
	printf '%s\n' "mmap -w $range" "mwrite $range" "msync -s $range" "munmap" "munmap" >&"${xfs_io[1]}"
	while IFS= read -r -t 10 line <&"${xfs_io[0]}"; do
		case $line in "no mapped regions"*) return 0 ;; esac
	done
	fail "xfs_io did not finish the mapped write of $1"
}

require_daemon
step "ext4 on a dm-linear device; three files, each a group with its daemon (-vvv)"
setup_mapped
for f in a b c; do fragmented_file "/mnt/$f" 3; done
truncate -s 40M /mnt/c
declare -A pid gid
for f in a b c; do
	filemap_foreground "/tmp/$f.log" "/mnt/$f" -vvv
	pid[$f]=$FG_PID gid[$f]=$FG_GID
	wait_log "/tmp/$f.log" "^dmfilemapd: plan: keep"
done
for f in a b c; do wait_until 10 waiting_in_poll "${pid[$f]}"; done
for f in b c; do
	! grep -q "for the daemons of" "/tmp/$f.log" || fail "daemon $f took the watcher's part"
done
coproc xfs_io { { exec xfs_io /mnt/c >/dev/null; } 2>&1; }

step "all check now (SIGHUP: b, a, c); b's group deleted where no daemon looks, c mapped"
# b first, the watcher two seconds later, c two seconds after that: b's
# minute comes before the watcher's survey (a listing of its own would
# otherwise have to precede it), and c's after b has gone, so that c's
# new region, which may take an id b's group freed, asks b nothing.
for f in b a c; do
	[ "$f" = b ] || sleep 2
	kill -HUP "${pid[$f]}"
	wait_log "/tmp/$f.log" "SIGHUP: full sync"
	wait_until 10 waiting_in_poll "${pid[$f]}"
done
sleep 0.5
lists_b=$(lists_in /tmp/b.log)
# What b opens from now on: the listing the watcher leaves, once, for the
# prompted check; a minute reading its group would open it once more.
read -r major minor < <(stat -L -c '%t %T' "$dev")
shared=/run/dmfilemapd/$((16#$major)):$((16#$minor))
strace -e trace=openat -p "${pid[b]}" -o /tmp/b.trace 2>/tmp/strace.err &
wait_until 15 grep -q attached /tmp/strace.err
start=$(now_ms)
unwatched dmstats delete --groupid "${gid[b]}" lin
map_write /mnt/c 20 4
! holds check_group /mnt/c "$dev" "${gid[c]}" ||
	fail "c's group already covers the mapped write: the test proves nothing"

step "the watcher's minute prompts b, which exits; c's own minute follows c"
assert_exit 0 "${pid[b]}" $(((CHECK_MS + MARGIN_MS) / 1000 + 10)) "daemon b's exit status"
took=$(($(now_ms) - start))
echo "b noticed its group's deletion after $took ms"
[ "$took" -le $((CHECK_MS + MARGIN_MS)) ] ||
	fail "noticed after $took ms, not within $((CHECK_MS + MARGIN_MS)) ms"
wait_log /tmp/a.log "group ${gid[b]} changed: prompting its daemon"
wait_log /tmp/b.log "group ${gid[b]} was deleted or ungrouped: exiting"
# Its new region may take an id b's group freed, and lead the group.
wait_group /mnt/c "$dev" c $(((CHECK_MS + MARGIN_MS - took) / 1000 + 1))
assert_eq "$lists_b" "$(lists_in /tmp/b.log)" "listings daemon b made in its minute"
assert_eq 1 "$(grep -c "\"$shared\"" /tmp/b.trace || true)" "opens of $shared by daemon b"
assert_running "${pid[a]}" "the watcher"
assert_running "${pid[c]}" "daemon c"
kill "${pid[a]}" "${pid[c]}"
echo "ok: routine_left, one listing a minute serves the device's daemons"
