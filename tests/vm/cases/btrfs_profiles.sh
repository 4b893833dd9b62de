#!/bin/bash
# dmfilemapd(8), BTRFS: a btrfs file's group is kept through the chunk
# tree.  DUP data on one dm device: both copies are members.  RAID1 over a
# dm device and a plain disk: only the dm device's copy, and every read
# the dm device serves is counted.  A balance moves the data without any
# event: the group follows at the unprompted check at the latest.  What
# cannot be followed is refused with one line: no dm device among the
# file system's, RAID5 data.
# vm-options: --disk 1G --disk 1G --disk 1G
# check: waits (a minute for the unprompted check, polled cheaply)
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

# logical_count FILE: the file's extents as btrfs places them (logical).
logical_count() {
	filefrag -e -b512 "$1" | logical_extents | wc -l
}

# reads_of DEV REGION_ID: reads counted by one region.
reads_of() {
	region_reads "$1" "$2"
}

# refused ARGS...: dmfilemapd --create ARGS fails with one line, which it prints.
refused() {
	if dmfilemapd --create "$@" >/tmp/refused.out 2>&1; then
		fail "dmfilemapd --create $* succeeded"
	fi
	assert_eq 1 "$(wc -l </tmp/refused.out)" "lines printed by dmfilemapd --create $*"
	echo "  refused: $(cat /tmp/refused.out)"
}

# regions_changed DEV LISTING: DEV's regions are no longer as LISTING.
regions_changed() {
	[ "$(stats_list "$1")" != "$2" ]
}

require_daemon
modprobe btrfs

step "DUP data on one dm device: both copies are members"
dev=$(make_linear bdup /dev/vda 600)
mkfs.btrfs -q -f -d dup -m dup "$dev" >/dev/null 2>&1
mount "$dev" /mnt
dd if=/dev/urandom of=/mnt/f bs=1M count=4 oflag=direct status=none
gid=$(filemap_create /mnt/f)
pid=$(wait_for_daemon "$gid" /mnt/f)
check_group /mnt/f "$dev" "$gid"
assert_eq $((2 * $(logical_count /mnt/f))) "$(file_extents /mnt/f "$dev" | wc -l)" \
	"device ranges of the file: two for each extent"
step "DUP: growth followed"
dd if=/dev/urandom of=/mnt/f bs=1M count=2 seek=4 oflag=direct conv=notrunc status=none
wait_group /mnt/f "$dev" f
kill "$pid"
wait_until 10 process_gone "$pid"
umount /mnt
dmsetup remove bdup

step "RAID1 over a dm device and a plain disk: the dm device's copy only"
dev=$(make_linear braid /dev/vda 600)
mkfs.btrfs -q -f -d raid1 -m raid1 "$dev" /dev/vdb >/dev/null 2>&1
mount "$dev" /mnt
dd if=/dev/urandom of=/mnt/f bs=1M count=8 oflag=direct status=none
gid=$(filemap_create /mnt/f)
pid=$(wait_for_daemon "$gid" /mnt/f)
check_group /mnt/f "$dev" "$gid"
assert_eq "$(logical_count /mnt/f)" "$(file_extents /mnt/f "$dev" | wc -l)" \
	"device ranges of the file on the dm device: one for each extent"
step "RAID1: every read the dm device serves is counted by the group"
# A region over the whole device counts what the device serves; its
# metadata is read once, before the counting starts.
whole=$(dmsetup message braid 0 @stats_create - /1 checker -)
odirect-read /mnt/f 50 1 >/dev/null
device0=$(reads_of "$dev" "$whole") group0=$(group_reads "$dev" "$gid")
# btrfs picks a RAID1 mirror by the reader's pid: several readers use both.
for seed in 2 3 4 5 6 7; do odirect-read /mnt/f 200 "$seed" >/dev/null; done
device=$(($(reads_of "$dev" "$whole") - device0))
group=$(($(group_reads "$dev" "$gid") - group0))
echo "  reads served by the dm device: $device; counted by the group: $group (of 1200 issued)"
[ "$device" -gt 0 ] || fail "no read went to the dm device: nothing was checked"
assert_eq "$device" "$group" "reads the group counted of those the dm device served"
dmsetup message braid 0 @stats_delete "$whole" >/dev/null
kill "$pid"
wait_until 10 process_gone "$pid"
umount /mnt
dmsetup remove braid

step "a balance moves the data, with no event: followed at the unprompted check"
dev=$(make_linear bbal /dev/vda 600)
make_fs btrfs "$dev" /mnt
dd if=/dev/urandom of=/mnt/f bs=1M count=4 oflag=direct status=none
gid=$(filemap_create /mnt/f)
pid=$(wait_for_daemon "$gid" /mnt/f)
check_group /mnt/f "$dev" "$gid"
before=$(file_extents /mnt/f "$dev")
regions_before=$(stats_list "$dev")
btrfs balance start -d /mnt >/dev/null 2>&1 || fail "btrfs balance start -d failed"
[ "$(file_extents /mnt/f "$dev")" != "$before" ] || fail "the balance left the data where it was: nothing to follow"
start=$(now_ms)
# Watched with one listing a poll, the whole comparison once they change:
# a minute of full comparisons would keep the emulated CPU busy.
poll_until 70 regions_changed "$dev" "$regions_before" ||
	fail "the group did not change within 70 s of the balance"
wait_group /mnt/f "$dev" f 10
echo "  followed $(( ($(now_ms) - start) / 1000 )) s after the balance (unprompted check: 60 s)"
kill "$pid"
wait_until 10 process_gone "$pid"
umount /mnt
dmsetup remove bbal

step "refused: no dm device under the file system, RAID5 data"
mkfs.btrfs -q -f /dev/vdb >/dev/null 2>&1
mount /dev/vdb /mnt
echo data >/mnt/f
sync
refused /mnt/f
umount /mnt
dev=$(make_linear br5 /dev/vda 600)
mkfs.btrfs -q -f -d raid5 -m raid1 "$dev" /dev/vdb /dev/vdc >/dev/null 2>&1
mount "$dev" /mnt
dd if=/dev/urandom of=/mnt/f bs=1M count=1 status=none
sync
refused /mnt/f
assert_eq "" "$(stats_list "$dev")" "regions on the dm device after the refusals"
