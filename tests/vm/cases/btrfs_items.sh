#!/bin/bash
# dmfilemapd(8), BTRFS: the daemon reads a btrfs file's extent items, not
# FIEMAP.  On uncompressed files of every kind (preallocated and punched,
# reflinked and partly overwritten, nodatacow, in many pieces, in a
# subvolume and in its snapshot) both readings give the same ranges, in
# the daemon's own code (file-ranges).  Data not yet written back is
# reported as pending; a file of inline data only is refused.  On a
# compress=zstd mount a file's group covers its compressed extents whole
# on disk, as btrfs-progs prints the items, follows the file as it grows,
# and counts the reads that reach the dm device for the file, buffered or
# O_DIRECT.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

# ranges_of HOW FILE: the ranges file-ranges HOW prints, and the pending
# and unmappable flags, without the end (FIEMAP rounds an inline one up).
ranges_of() {
	file-ranges "$1" "$2" | sed 's/^end [0-9]* //'
}

# same_readings FILE: both readings of FILE agree; prints how many ranges.
same_readings() {
	local items fiemap
	sync -f "$1"
	items=$(ranges_of items "$1") || fail "file-ranges items $1 failed"
	fiemap=$(ranges_of fiemap "$1") || fail "file-ranges fiemap $1 failed"
	if [ "$items" != "$fiemap" ]; then
		diff <(echo "$items") <(echo "$fiemap") | head -n 20 >&2
		fail "$1: the extent items and FIEMAP give different ranges (diff items fiemap above)"
	fi
	[ "$(printf '%s\n' "$items" | wc -l)" -gt 1 ] || fail "$1 has no extent: nothing was compared"
	echo "  $1: the same $(($(printf '%s\n' "$items" | wc -l) - 1)) ranges"
}

# interleaved FILE OTHER N: N blocks of FILE, each written and synced
# between two of OTHER, so that none touches the next.
interleaved() {
	local i
	for ((i = 0; i < $3; i++)); do
		printf 'open -f %s\npwrite %d 4096\nfsync\nclose\n' "$1" $((i * 8192))
		printf 'open -f %s\npwrite %d 4096\nfsync\nclose\n' "$2" $((i * 8192))
	done | xfs_io >/dev/null 2>&1
}

# uncached FILE: drops FILE's pages from the page cache, so that the next
# read of it goes to the device.
uncached() {
	dd if="$1" iflag=nocache count=0 status=none
}

require_daemon
modprobe btrfs

step "btrfs on a dm-linear device: both readings of uncompressed files agree"
setup_mapped --fs btrfs
xfs_io -f -c "falloc 0 4m" -c "fpunch 64k 8k" -c "fpunch 1m 4k" -c "pwrite 2m 12k" /mnt/prealloc >/dev/null
same_readings /mnt/prealloc
dd if=/dev/urandom of=/mnt/written bs=64k count=32 conv=fsync status=none
cp --reflink=always /mnt/written /mnt/reflink
dd if=/dev/urandom of=/mnt/reflink bs=4k count=3 seek=5 conv=notrunc status=none
same_readings /mnt/reflink
touch /mnt/nocow
chattr +C /mnt/nocow
dd if=/dev/urandom of=/mnt/nocow bs=64k count=8 conv=fsync status=none
dd if=/dev/urandom of=/mnt/nocow bs=4k count=2 seek=3 conv=notrunc status=none
same_readings /mnt/nocow
interleaved /mnt/many /mnt/other 300
same_readings /mnt/many
btrfs subvolume create /mnt/sub >/dev/null
interleaved /mnt/sub/f /mnt/other2 50
same_readings /mnt/sub/f
btrfs subvolume snapshot /mnt/sub /mnt/snap >/dev/null
dd if=/dev/urandom of=/mnt/snap/f bs=4k count=4 seek=10 conv=notrunc status=none
same_readings /mnt/snap/f

step "a group in a subvolume's snapshot covers its file"
gid=$(filemap_create /mnt/snap/f)
pid=$(wait_for_daemon "$gid" /mnt/snap/f)
check_group /mnt/snap/f "$dev" "$gid"
dd if=/dev/urandom of=/mnt/snap/f bs=4k count=4 seek=40 conv=notrunc,fsync status=none
wait_group /mnt/snap/f "$dev" f
kill "$pid"
wait_until 10 process_gone "$pid"

step "data not yet written back is pending until it is"
dd if=/dev/urandom of=/mnt/late bs=64k count=4 status=none
file-ranges items /mnt/late | grep -q 'pending 1' ||
	fail "written, not yet written back, and not pending: $(file-ranges items /mnt/late | tail -n 1)"
sync -f /mnt/late
file-ranges items /mnt/late | grep -q 'pending 0' ||
	fail "written back and still pending: $(file-ranges items /mnt/late | tail -n 1)"
same_readings /mnt/late

step "a file of inline data only is refused with one line, nothing touched"
echo "a few bytes" >/mnt/inline
sync -f /mnt/inline
file-ranges items /mnt/inline | grep -q 'unmappable 1' || fail "/mnt/inline holds no inline data: nothing to check"
assert_refused "$dev" 1 "dmfilemapd: FILE '/mnt/inline' has no data on the device that can be counted (only inline data, or data whose place there is not told)" '' --create /mnt/inline

step "compress=zstd: a group covers the compressed extents whole"
mount -o remount,compress=zstd /mnt
# Compressible pieces with random data of another file between them on
# the device, and random data of its own in the middle.
for piece in 1 2 3 4 5 6; do
	yes "a compressible line of text, piece $piece" | head -c 512K >>/mnt/z
	sync -f /mnt/z
	dd if=/dev/urandom of=/mnt/between bs=64k count=1 oflag=append conv=notrunc,fsync status=none
done
dd if=/dev/urandom of=/mnt/z bs=64k count=2 seek=20 conv=notrunc status=none
sync -f /mnt/z
filefrag -v /mnt/z | grep -q encoded || fail "no compressed extent in /mnt/z: nothing to check"
gid=$(filemap_create /mnt/z)
pid=$(wait_for_daemon "$gid" /mnt/z)
check_group /mnt/z "$dev" "$gid"
echo "  $(group_members "$dev" "$gid" | wc -w) regions over $(btrfs_item_extents /mnt/z "$dev" | wc -l) extent items"
step "compress=zstd: growth followed"
yes "more compressible text" | head -c 2M >>/mnt/z
sync -f /mnt/z
wait_group /mnt/z "$dev" z

step "compress=zstd: the reads that reach the device for the file are counted"
whole=$(unwatched dmsetup message "${dev#/dev/mapper/}" 0 @stats_create - /1 checker -)
# The tree's blocks are read once before the counting starts.
cat /mnt/z >/dev/null
device0=$(region_reads "$dev" "$whole") group0=$(group_reads "$dev" "$gid")
for round in 1 2 3; do
	uncached /mnt/z
	cat /mnt/z >/dev/null
	uncached /mnt/z
	odirect-read /mnt/z 100 "$round" >/dev/null
done
device=$(($(region_reads "$dev" "$whole") - device0))
group=$(($(group_reads "$dev" "$gid") - group0))
echo "  reads that reached the dm device: $device; counted by the group: $group"
[ "$device" -gt 0 ] || fail "no read reached the dm device: nothing was checked"
[ $((group * 100)) -ge $((device * 99)) ] ||
	fail "the group counted $group of the $device reads the dm device served (less than 99 %)"
unwatched dmsetup message "${dev#/dev/mapper/}" 0 @stats_delete "$whole" >/dev/null
kill "$pid"
wait_until 10 process_gone "$pid"

step "compress=zstd: a file whose every extent is compressed has its group"
yes "only compressible text" | head -c 1M >/mnt/all
sync -f /mnt/all
gid=$(filemap_create /mnt/all)
pid=$(wait_for_daemon "$gid" /mnt/all)
check_group /mnt/all "$dev" "$gid"
echo "ok: both readings agree; compressed extents counted whole"
