#!/bin/bash
# The device suspended for 5 s (dmsetup suspend, then resume) while the
# file grows: the daemon survives it and the group matches the file once
# the device is resumed.  First without freezing the file system
# (--nolockfs): data written just before stays in the page cache, a
# fallocate during the suspension allocates blocks, and the daemon has
# regions to make while no I/O can reach the device.  Then the usual
# suspend, which freezes the file system: a growth started meanwhile
# waits for the resume.  Every command that might wait on the device runs
# under timeout(1), and the device is resumed whatever happens.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

SUSPEND_S=5
file=/mnt/f
log=/tmp/daemon.log
suspended=0

# resume: resumes the device; run on exit too, lest the guest hang.
resume() {
	timeout 30 dmsetup resume lin || fail "dmsetup resume lin failed"
	suspended=0
}
trap 'status=$?; [ "$suspended" = 0 ] || timeout 30 dmsetup resume lin; exit "$status"' EXIT

# suspend_for WHAT nolockfs|lockfs GROWTH...: suspends the device (the
# file system frozen or not), runs the command GROWTH in the background,
# resumes the device SUSPEND_S later, then waits (bounded) for GROWTH to
# end and for the group to match the file.
suspend_for() {
	local what=$1 options=() job status=0 updates
	[ "$2" = lockfs ] || options=(--nolockfs)
	shift 2
	step "$what"
	timeout 30 dmsetup suspend "${options[@]}" lin || fail "dmsetup suspend ${options[*]} lin failed"
	suspended=1
	assert_match "^State: *SUSPENDED\$" "$(timeout 10 dmsetup info lin | grep '^State:')" "the device's state"
	updates=$(grep -c "updated:" "$log" || true)
	timeout 60 "$@" &
	job=$!
	sleep "$SUSPEND_S"
	assert_running "$FG_PID" "the daemon while the device is suspended"
	echo "   group updates during the suspension: $(($(grep -c "updated:" "$log" || true) - updates))"
	resume
	wait "$job" || status=$?
	assert_eq 0 "$status" "exit status of '$*' (124: it hung)"
	timeout 60 sync || fail "sync did not end within 60 s of the resume"
	wait_in_step 30 "$file" "$dev" "$(group_id_by_alias "$dev" f)"
	assert_running "$FG_PID" "the daemon after the resume"
	wait_no_strays 30 "$dev"
}

require_daemon
step "ext4 on a dm-linear device, a file of 2 extents, its daemon"
setup_mapped --pieces 2 --foreground "$log" "$file" -v
wait_log "$log" "started: .* $file\$"

# Data left in the page cache: written back only after the resume.
dd if=/dev/urandom of="$file" bs=1M count=2 oflag=append conv=notrunc status=none
suspend_for "suspended without freezing, fallocate meanwhile" nolockfs fallocate -l 16M "$file"
suspend_for "suspended and frozen, appends meanwhile" lockfs \
	dd if=/dev/urandom of="$file" bs=1M count=4 oflag=append conv=notrunc,fsync status=none
kill -TERM "$FG_PID"
assert_exit 0 "$FG_PID" 5 "exit status after SIGTERM"
echo "ok: the group followed its file across two suspensions of ${SUSPEND_S} s"
