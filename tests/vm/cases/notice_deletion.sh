#!/bin/bash
# dmfilemapd(8), TIMING: a group deleted with dmstats is noticed within half
# a second, also while another dm user polls the device ten times a second
# (the checks it prompts are spaced, so the deletion's may wait for the
# gap).  Five rounds each, quiet and polled: the daemon's exit is timed
# from the end of `dmstats delete`.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

NOTICE_MS=500   # dmfilemapd(8): the promise
MARGIN_MS=250   # the exit, and this script polling with forks on an emulated CPU

require_daemon
step "ext4 on a dm-linear device, a file of two extents"
setup_mapped
fragmented_file /mnt/f 2
sync

# round LABEL: a group and its daemon, then the group deleted; prints the
# milliseconds from the delete's return to the daemon's end.
round() {
	local gid pid start took
	gid=$(filemap_create /mnt/f --alias "f$1")
	pid=$(wait_for_daemon "$gid" /mnt/f)
	wait_until 10 waiting_in_poll "$pid"
	sleep 0.7
	dmstats delete --groupid "$gid" lin >/dev/null
	start=$(now_ms)
	wait_until 5 process_gone "$pid"
	took=$(($(now_ms) - start))
	echo "$1: noticed and exited after $took ms" >&2
	[ "$took" -le $((NOTICE_MS + MARGIN_MS)) ] ||
		fail "$1: the deletion was noticed only after $took ms"
	assert_eq "" "$(stats_list "$dev")" "regions left after round $1"
}

step "quiet device"
for i in 1 2 3 4 5; do round "quiet$i"; done

step "dmsetup status every 100 ms meanwhile"
(while :; do dmsetup status lin >/dev/null; sleep 0.1; done) &
poller=$!
for i in 1 2 3 4 5; do round "polled$i"; done
kill "$poller"
echo "ok: deletion noticed within $NOTICE_MS ms"
