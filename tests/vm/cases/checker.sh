#!/bin/bash
# The test bed's own checks tell the truth: file_extents gives sectors of
# the dm device (found again on the disk LINEAR_OFFSET sectors further), and
# check_group accepts a group made by Debian's dmstats but rejects one that
# is stale, has a missing member or overlapping regions.  No daemon runs
# here (--nomonitor), so nothing changes the groups behind the checks.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

# rejects CMD...: fails unless CMD fails (run in a subshell: helpers exit).
rejects() {
	if ("$@") >/dev/null 2>&1; then fail "accepted, but should not: $*"; fi
}

step "ext4 on a dm-linear device, a 4 MiB file of known bytes"
setup_mapped
dd if=/dev/urandom of=/mnt/file bs=1M count=4 status=none
sync
extents=$(file_extents /mnt/file)
echo "$extents"
[ -n "$extents" ] || fail "file_extents found no extent"

step "each extent holds the file's bytes, on the device and on the disk"
offset=0
while read -r start len; do
	cmp -s -n $((len * 512)) -i $((offset * 512)):$((start * 512)) /mnt/file "$dev" ||
		fail "device sectors $start+$len do not hold the file's bytes at sector $offset"
	cmp -s -n $((len * 512)) -i $((offset * 512)):$(((start + LINEAR_OFFSET) * 512)) /mnt/file /dev/vda ||
		fail "disk sectors $((start + LINEAR_OFFSET))+$len do not hold the file's bytes"
	offset=$((offset + len))
done <<<"$extents"
assert_eq 8192 "$offset" "sectors mapped"

step "a group made by dmstats passes"
gid=$(filemap_create /mnt/file --nomonitor)
check_group /mnt/file "$dev" "$gid"
assert_eq "$gid" "$(group_id_of "$dev" file)" "group id found by alias"
[ -z "$(daemon_pids)" ] || fail "a daemon runs despite --nomonitor"

step "a stale group is rejected once the file grows elsewhere"
fallocate -l 64M /mnt/other
fallocate -l 8M /mnt/file
rejects check_group /mnt/file "$dev" "$gid"

step "a group naming a missing region is rejected"
dd if=/dev/urandom of=/mnt/second bs=1M count=1 status=none
sync
gid2=$(filemap_create /mnt/second --nomonitor)
check_group /mnt/second "$dev" "$gid2"
dmsetup message "$dev" 0 @stats_set_aux "$gid2" "DMS_GROUP=second:$gid2,99#-"
rejects group_regions "$dev" "$gid2"
rejects check_group /mnt/second "$dev" "$gid2"

step "a group with overlapping regions is rejected"
dmsetup message "$dev" 0 @stats_set_aux "$gid2" "DMS_GROUP=second:$gid2#-"
check_group /mnt/second "$dev" "$gid2"
read -r _ start len <<<"$(group_regions "$dev" "$gid2")"
extra=$(dmsetup message "$dev" 0 @stats_create "$start+$len" "$len" dmstats)
[ "$extra" -gt "$gid2" ] || fail "the extra region got id $extra, below the leader's"
dmsetup message "$dev" 0 @stats_set_aux "$gid2" "DMS_GROUP=second:$gid2,$extra#-"
assert_eq 2 "$(group_regions "$dev" "$gid2" | wc -l)" "members"
rejects check_group /mnt/second "$dev" "$gid2"
echo "ok: the checks see what the kernel holds"
