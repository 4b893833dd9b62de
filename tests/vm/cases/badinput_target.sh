#!/bin/bash
# A file or group the daemon cannot serve is refused at start: a file on
# tmpfs, a file on a disk that is not a device-mapper device, a group id
# with no region, a member that is not the leader, an ungrouped region, an
# unreadable descriptor, a descriptor on a region that is not its group's
# lowest, a descriptor naming regions that are not on the device.  One
# line on stderr says why, exit status 1, no region changed.
# (btrfs, also refused, is not in the test guest.)
# vm-options: --disk 1G --disk 64M
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

require_daemon
step "ext4 on a dm-linear device, and ext4 right on a second virtio disk"
setup_mapped --pieces 3 --nomonitor /mnt/f
make_fs ext4 /dev/vdb /mnt2
fragmented_file /mnt/h 3
gid_h=$(filemap_create /mnt/h --nomonitor)
ok='3</mnt/f'

step "files the daemon cannot map"
echo data >/tmp/t
assert_refused "$dev" 1 "dmfilemapd: FD 3: the file is on tmpfs, which keeps no data on a block device" \
	'3</tmp/t' 3 "$gid" /tmp/t inode 0 0
fallocate -l 1M /mnt2/f
assert_refused "$dev" 1 "dmfilemapd: FD 3: the file is on device $(stat -c %Hd:%Ld /mnt2/f), which is not a device-mapper device" \
	'3</mnt2/f' 3 "$gid" /mnt2/f inode 0 0

step "group ids that name no usable group"
last=$(stats_list "$dev" | tail -n 1 | cut -d: -f1)
assert_refused "$dev" 1 "dmfilemapd: GROUP_ID $((last + 1)): no region $((last + 1)) on lin" \
	"$ok" 3 $((last + 1)) /mnt/f inode 0 0
assert_refused "$dev" 1 "dmfilemapd: GROUP_ID 2147483647: no region 2147483647 on lin" \
	"$ok" 3 2147483647 /mnt/f inode 0 0
member=$(group_members "$dev" "$gid" | tail -n 1)
assert_refused "$dev" 1 "dmfilemapd: GROUP_ID $member: region $member is a member of group $gid, not its leader" \
	"$ok" 3 "$member" /mnt/f inode 0 0
loose=$(dmsetup message "$dev" 0 @stats_create 0+8 /1 dmstats)
assert_refused "$dev" 1 "dmfilemapd: GROUP_ID $loose: region $loose is not in any group" \
	"$ok" 3 "$loose" /mnt/f inode 0 0
dmsetup message "$dev" 0 @stats_set_aux "$loose" "DMS_GROUP=bad:x#-"
assert_refused "$dev" 1 "dmfilemapd: GROUP_ID $loose: the group descriptor 'DMS_GROUP=bad:x#-' cannot be read" \
	"$ok" 3 "$loose" /mnt/f inode 0 0
# A descriptor listing a lower region than the one carrying it.
dmsetup message "$dev" 0 @stats_set_aux "$loose" "DMS_GROUP=odd:$gid,$loose#-"
assert_refused "$dev" 1 "dmfilemapd: GROUP_ID $loose: region $loose is not the lowest member of its group" \
	"$ok" 3 "$loose" /mnt/f inode 0 0

step "descriptors naming regions that are not on the device"
top=$(stats_list "$dev" | tail -n 1 | cut -d: -f1)
[ "$loose" = "$top" ] || fail "the loose region $loose is not the highest ($top)"
dmsetup message "$dev" 0 @stats_set_aux "$loose" "DMS_GROUP=ghost:$loose,$((top + 2))#-"
assert_refused "$dev" 1 "dmfilemapd: GROUP_ID $loose: its descriptor names region $((top + 2)), which is not on lin" \
	"$ok" 3 "$loose" /mnt/f inode 0 0
dmsetup message "$dev" 0 @stats_set_aux "$loose" "DMS_GROUP=ghost:$loose-$((top + 4))#-"
assert_refused "$dev" 1 "dmfilemapd: GROUP_ID $loose: its descriptor names region $((top + 1)) and 3 more that are not on lin" \
	"$ok" 3 "$loose" /mnt/f inode 0 0
# A real group that lost a member to someone else's delete.
lost=$(group_members "$dev" "$gid_h" | tail -n 1)
[ "$lost" != "$gid_h" ] || fail "group $gid_h has one member only"
dmsetup message "$dev" 0 @stats_delete "$lost"
assert_refused "$dev" 1 "dmfilemapd: GROUP_ID $gid_h: its descriptor names region $lost, which is not on lin" \
	'3</mnt/h' 3 "$gid_h" /mnt/h inode 0 0
check_group /mnt/f "$dev" "$gid"
echo "ok: every unusable file and group refused"
