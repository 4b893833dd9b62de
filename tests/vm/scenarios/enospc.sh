#!/bin/bash
# The file system named by the first argument (ext4 or xfs) fills up
# while the file grows.  The group covers exactly what was allocated, the
# daemon keeps running and does not spin: over a quiet 5 s after ENOSPC
# (and after more writes that failed with it) it uses next to no CPU.
# Once space is freed the file grows again and the group follows.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

fs="${1:?filesystem}"
QUIET_S=5
MAX_TICKS=50   # 0.5 s of CPU at 100 ticks a second, over those QUIET_S
file=/mnt/f
log=/tmp/daemon.log

# grow_until_full: appends 1 MiB at a time, written back, until ENOSPC.
grow_until_full() {
	local i
	for ((i = 0; i < 200; i++)); do
		dd if=/dev/zero of="$file" bs=1M count=1 oflag=append conv=notrunc,fsync \
			status=none 2>/tmp/dd.err || {
			grep -q "No space left on device" /tmp/dd.err || { cat /tmp/dd.err >&2; fail "dd failed"; }
			return 0
		}
	done
	fail "the file system never filled up"
}

# quiet_ticks: the CPU ticks the daemon uses over QUIET_S seconds.
quiet_ticks() {
	local t0
	t0=$(cpu_ticks "$FG_PID")
	sleep "$QUIET_S"
	echo $(($(cpu_ticks "$FG_PID") - t0))
}

require_daemon
# xfs needs 300 MB or more.
case $fs in ext4) size_mb=48 ;; *) size_mb=320 ;; esac
step "$fs on a $size_mb MiB dm-linear device, a file of 1 MiB, a filler leaving 12 MiB"
setup_mapped --fs "$fs" --size "$size_mb"
dd if=/dev/zero of="$file" bs=1M count=1 conv=fsync status=none
avail_kb=$(df -k --output=avail /mnt | tail -n 1 | tr -d ' ')
fallocate -l $((avail_kb - 12 * 1024))K /mnt/filler
filemap_foreground "$log" "$file" -v
wait_log "$log" "started: .* $file\$"

step "the file grows 1 MiB at a time until the file system is full"
grow_until_full
df -k /mnt | sed 's/^/   /'
avail_kb=$(df -k --output=avail /mnt | tail -n 1 | tr -d ' ')
# xfs keeps a little back that its users cannot have.
[ "$avail_kb" -le 2048 ] || fail "$avail_kb KiB still free on /mnt after ENOSPC"
wait_in_step 30 "$file" "$dev" "$(group_id_by_alias "$dev" f)"
assert_running "$FG_PID" "the daemon at ENOSPC"

step "more writes fail with ENOSPC; then $QUIET_S s of quiet"
! dd if=/dev/zero of="$file" bs=1M count=4 oflag=append conv=notrunc status=none 2>/dev/null ||
	fail "a buffered append of 4 MiB succeeded on a full file system"
! fallocate -l 200M "$file" 2>/dev/null || fail "fallocate succeeded on a full file system"
! dd if=/dev/zero of="$file" bs=1M count=4 oflag=append conv=notrunc,fsync status=none 2>/dev/null ||
	fail "an append of 4 MiB succeeded on a full file system"
timeout 60 sync
wait_in_step 30 "$file" "$dev" "$(group_id_by_alias "$dev" f)"
ticks=$(quiet_ticks)
echo "   the daemon used $ticks ticks of CPU over $QUIET_S quiet seconds"
[ "$ticks" -lt "$MAX_TICKS" ] ||
	fail "the daemon used $ticks ticks of CPU over $QUIET_S quiet seconds at ENOSPC"
assert_running "$FG_PID" "the daemon after ENOSPC"
check_group "$file" "$dev" "$(group_id_by_alias "$dev" f)"

step "space freed: the file grows again"
rm /mnt/filler
dd if=/dev/zero of="$file" bs=1M count=4 oflag=append conv=notrunc,fsync status=none
wait_in_step 30 "$file" "$dev" "$(group_id_by_alias "$dev" f)"
wait_no_strays 30 "$dev"
assert_running "$FG_PID" "the daemon after the space came back"
kill -TERM "$FG_PID"
assert_exit 0 "$FG_PID" 5 "exit status after SIGTERM"
echo "ok: the group matched the file at ENOSPC; $ticks ticks of CPU over $QUIET_S quiet seconds"
