#!/bin/bash
# A detached daemon: its starter returns 0 only once the daemon runs and has
# brought the group up to date; the daemon leads its own session, has / as
# its directory, stdio on /dev/null (VERBOSE 0), and holds only the file,
# its own event fds and the mount table (polled for unmounts), none of what its caller had open (dmstats leaves it an
# open /dev/mapper/control).  Detached at VERBOSE 0, it still reports its
# life cycle to syslog; at VERBOSE 2 its stdio is /dev/null all the same,
# and its region changes go to syslog.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

# assert_detached PID FILE: PID leads its own session without a terminal,
# in /, with exactly the fds a detached daemon of FILE needs.
assert_detached() {
	local pid=$1 file=$2 fds control sockets want devno
	assert_eq "$pid" "$(ps -o sid= -p "$pid" | tr -d ' ')" "session of $pid"
	assert_eq "?" "$(ps -o tty= -p "$pid" | tr -d ' ')" "terminal of $pid"
	assert_eq / "$(readlink "/proc/$pid/cwd")" "directory of $pid"
	fds=$(fd_targets "$pid")
	# The daemon opens the control node for itself; a second one would
	# be the caller's, inherited.
	control=$(printf '%s\n' "$fds" | grep -c ' /dev/mapper/control$' || true)
	[ "$control" -le 1 ] || { echo "$fds" >&2; fail "$pid holds $control /dev/mapper/control fds"; }
	# Once detached it logs to syslog through one socket of its own, and
	# holds its claim on the group (against a second daemon) by another,
	# bound to the claim's name under /run/dmfilemapd, which
	# /proc/net/unix shows.
	sockets=$(printf '%s\n' "$fds" | grep -c ' socket:\[' || true)
	[ "$sockets" -le 2 ] || { echo "$fds" >&2; fail "$pid holds $sockets sockets"; }
	claim_held_by "$pid" || fail "$pid holds no claim on its group"
	# It keeps the lock of the listing it shares with the device's
	# other daemons and the lock that elects the device's watcher
	# (dmfilemapd(8), FILES).
	devno=$(stat -c '%Hd:%Ld' "$file")
	want=$(printf '%s\n' "0 /dev/null" "1 /dev/null" "2 /dev/null" "$file" \
		/proc/PID/mountinfo anon_inode:inotify "anon_inode:[signalfd]" "anon_inode:[timerfd]" \
		"/run/dmfilemapd/$devno.lock" "/run/dmfilemapd/$devno.daemons/watcher" | sort)
	assert_eq "$want" "$(printf '%s\n' "$fds" | grep -v -e ' /dev/mapper/control$' -e ' socket:\[' |
		sed -e 's/^\([3-9]\|[1-9][0-9]\+\) //' -e 's#^/proc/[0-9]*/mountinfo$#/proc/PID/mountinfo#' |
		sort)" "fds of $pid (besides the control node and syslog)"
}

# claim_held_by PID: one of PID's sockets is bound to a dmfilemapd claim.
claim_held_by() {
	local inode
	for inode in $(fd_targets "$1" | sed -n 's/.*socket:\[\([0-9]*\)\]$/\1/p'); do
		awk -v ino="$inode" '$7 == ino && $8 ~ /^\/run\/dmfilemapd\/[0-9]+:[0-9]+\.daemons\/[0-9]+$/ { found = 1 } END { exit !found }' \
			/proc/net/unix && return 0
	done
	return 1
}

require_daemon
start_syslog
show_syslog_on_failure
step "ext4 on a dm-linear device; a group made stale behind its back"
blocks=300
setup_mapped --alloc $((2 * blocks * 4))K --nomonitor /mnt/f
# Every other block punched out, in one process: the daemon's first pass
# must replace one region by $blocks, which takes it a while.
punches=()
for ((i = 0; i < blocks; i++)); do punches+=(-c "fpunch $(((2 * i + 1) * 4))k 4k"); done
xfs_io "${punches[@]}" /mnt/f
assert_eq "$blocks" "$(file_extents /mnt/f | wc -l)" "extents of /mnt/f"
! holds check_group /mnt/f "$dev" "$gid" || fail "the group already covers the punched file"

step "dmfilemapd run by hand, detaching, with stray fds of its caller"
status=0
# shellcheck disable=SC2094 # the daemon only reads the file it follows
(cd /mnt && exec dmfilemapd 3 "$gid" /mnt/f inode 0 0 3</mnt/f 7</mnt/lost+found 8>/tmp/stray) \
	>/tmp/start.out 2>/tmp/start.err || status=$?
assert_eq 0 "$status" "exit status of the starter"
assert_eq "" "$(cat /tmp/start.out /tmp/start.err)" "starter output"
# No waiting: the starter returned only after the daemon's first pass.
pid=$(daemon_pid_for "$gid" /mnt/f) || fail "no daemon runs once its starter returned"
group_matches /mnt/f "$dev" f
assert_detached "$pid" /mnt/f

step "dmstats create --filemap, as Debian spawns it"
fallocate -l 2M /mnt/g
gid=$(filemap_create /mnt/g)
pid=$(wait_for_daemon "$gid" /mnt/g)
assert_detached "$pid" /mnt/g
fallocate -l 5M /mnt/g
wait_group /mnt/g "$dev" g
wait_log "$SYSLOG_FILE" "dmfilemapd\[$pid\]: group $gid updated: "
kill -TERM "$pid"
wait_until 5 process_gone "$pid"
wait_log "$SYSLOG_FILE" "dmfilemapd\[$pid\]: Terminated: exiting, group $gid left as it is"

step "dmstats create --filemap -vv: detached, stdio on /dev/null all the same"
fallocate -l 2M /mnt/h
gid=$(filemap_create /mnt/h -vv)
pid=$(wait_for_daemon "$gid" /mnt/h)
assert_detached "$pid" /mnt/h
fallocate -l 5M /mnt/h
wait_log "$SYSLOG_FILE" "dmfilemapd\[$pid\]: created region "
echo "ok: the daemons detached cleanly"
