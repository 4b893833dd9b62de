#!/bin/bash
# The file system unmounted lazily (umount -l) under the daemon, with no
# other mount of it left: the daemon, which alone keeps the file system
# alive through its open file, says so at the default verbosity (a line
# with "no longer mounted"), exits 0 within 3 s, and so lets the file
# system and the device go: `dmsetup remove` then succeeds.  In inode mode
# and in path mode, each daemon in the foreground so that its log and exit
# status can be read.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

EXIT_S=3

# lazily_unmounted MODE: one run of the whole story in MODE.
lazily_unmounted() {
	local mode=$1 log=/tmp/$1.log dev pid t0 took
	step "$mode mode: ext4 on a dm-linear device, a file of 2 extents, its daemon"
	# The default verbosity: no -v.
	setup_mapped --pieces 2 --foreground "$log" /mnt/f --follow "$mode"

	step "$mode mode: umount -l /mnt"
	grep -q " /mnt " /proc/mounts || fail "/mnt is not mounted"
	t0=$(now_ms)
	umount -l /mnt
	! grep -q " /mnt " /proc/mounts || fail "/mnt is still mounted"
	if ! poll_until "$EXIT_S" process_gone "$pid"; then
		sed 's/^/  log: /' "$log" >&2
		fail "$mode mode: the daemon still runs $EXIT_S s after umount -l"
	fi
	took=$(($(now_ms) - t0))
	assert_exit 0 "$pid" 1 "$mode mode: exit status after umount -l"
	echo "   the daemon exited $took ms after umount -l"
	wait_log "$log" "no longer mounted" 1
	sed 's/^/   log: /' "$log"

	step "$mode mode: the device can be removed"
	dmsetup remove lin || {
		fuser -vm "$dev" 2>&1 | sed 's/^/  /' >&2 || true
		fail "$mode mode: dmsetup remove failed after the daemon's exit"
	}
}

require_daemon
lazily_unmounted inode
lazily_unmounted path
echo "ok: both modes let a lazily unmounted file system go"
