#!/bin/bash
# A group made by Debian's `dmstats create --filemap` on the filesystem named
# by the first argument (ext4, xfs, or btrfs, where `dmfilemapd --create`
# stands for dmstats) follows its file as it grows, by fallocate and by
# appended writes that the filesystem allocates only at writeback, and keeps
# every region whose extent is still there.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

fs="${1:?filesystem}"
file=/mnt/f

# more_regions_than DEV COUNT: DEV has more than COUNT regions.
more_regions_than() {
	[ "$(stats_list "$1" | wc -l)" -gt "$2" ]
}

require_daemon
step "$fs on a dm-linear device, a file in 3 extents"
setup_mapped --fs "$fs" --pieces 3 "$file"
first=$(group_regions "$dev" "$gid")

step "grown by fallocate to 12 MiB"
fallocate -l 12M "$file"
wait_group "$file" "$dev" f
assert_kept "$first" "$file" "$dev" f

step "grown by 2 MiB of appended writes, allocated at writeback"
before=$(group_regions "$dev" "$(group_id_by_alias "$dev" f)")
count=$(stats_list "$dev" | wc -l)
# SIGHUP makes the daemon check its group now, so its next group check is
# 60 s away: the group must catch up before that, by looking again while
# data awaits allocation, since sync sends the daemon no event.
start=$(now_ms)
kill -HUP "$pid"
dd if=/dev/zero of="$file" bs=1M count=2 oflag=append conv=notrunc status=none
# Pacing, not a check: the daemon gets time to see the data unplaced.
sleep 0.5
sync
# A cheap check first, for the timing: the new data got its regions.
wait_until 5 more_regions_than "$dev" "$count"
took=$(($(now_ms) - start))
[ "$took" -lt 5000 ] || fail "the group caught up with writeback only after $took ms"
assert_allocated "$file"
wait_group "$file" "$dev" f
assert_kept "$before" "$file" "$dev" f
assert_no_strays "$dev"
assert_running "$pid"
echo "ok: group follows $file on $fs; caught up with writeback $took ms after SIGHUP"
