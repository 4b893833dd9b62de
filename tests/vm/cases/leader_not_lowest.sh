#!/bin/bash
# The kernel gives a new region the lowest free id, which can be below the
# group's leader.  When the daemon's new region gets such an id, the group
# must stay valid: the descriptor moves to the new lowest member with its
# alias and user aux_data, the old leader keeps no descriptor, `dmstats
# list --group` shows one group with both members, and the daemon logs
# the new group id.  Then a member region deleted by someone else with
# dmsetup is re-created by the group check that dmsetup's use of the
# control node prompts, within the documented second.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

# dmfilemapd(8): another process's use of device-mapper prompts a group
# check, at most one a second; the margin covers the pass itself and a
# slow emulated guest.
CHECK_MS=1000
MARGIN_MS=1500

# aux_of DEV ID: the aux_data of region ID as @stats_list shows it.
aux_of() {
	stats_list "$1" | awk -v id="$2" '$1 == id ":" { print $5 }'
}

# region_of DEV ID: "start+len program_id aux" of region ID, or nothing.
region_of() {
	stats_list "$1" | awk -v id="$2" '$1 == id ":" { print $2, $4, $5 }'
}

# has_member_at DEV GROUP_ID RANGE: the group's descriptor lists a region
# at RANGE ("start+len").  One listing and one awk: cheap enough to poll
# often, so that the time measured is the daemon's, not the test's.
has_member_at() {
	local list
	list=$(stats_list "$1") || return 1
	printf '%s\n' "$list" | awk -v gid="$2" -v range="$3" '
		{ id = $1 + 0; at[id] = $2; aux[id] = $5 }
		END {
			members = aux[gid]
			if (!sub(/^DMS_GROUP=[^:]*:/, "", members)) exit 1
			sub(/#.*/, "", members)
			n = split(members, part, ",")
			for (i = 1; i <= n; i++) {
				lo = hi = part[i]
				if (part[i] ~ /-/) { split(part[i], b, "-"); lo = b[1]; hi = b[2] }
				for (m = lo + 0; m <= hi + 0; m++)
					if (m in at && at[m] == range) found = 1
			}
			exit !found
		}'
}

require_daemon
step "ext4 on a dm-linear device, a file of 1 MiB of data"
setup_mapped
dd if=/dev/urandom of=/mnt/f bs=1M count=1 conv=fsync status=none

step "regions 0-2 made by someone else, then the file's group above them"
# Program "dmstats" like the group's: Debian's libdevmapper sizes a new
# group's member set by the number of regions it lists for its program,
# so regions of another program below the group make create --filemap fail.
for i in 0 1 2; do
	id=$(dmsetup message lin 0 @stats_create $((i * 8))+8 /1 dmstats)
	assert_eq "$i" "$id" "id of unrelated region $i"
done
gid=$(filemap_create /mnt/f --nomonitor)
assert_eq 3 "$gid" "the group's id"
# dmstats refuses --userdata with --filemap: write the user aux by hand,
# in the descriptor format dmstats itself writes.
descriptor=$(aux_of lin 3)
assert_eq "DMS_GROUP=f:3#-" "$descriptor" "the descriptor dmstats wrote"
dmsetup message lin 0 @stats_set_aux 3 "DMS_GROUP=f:3#mynote"
unrelated_0=$(region_of lin 0)
unrelated_2=$(region_of lin 2)

step "the daemon in the foreground, verbose 1"
# shellcheck disable=SC2094 # the daemon only reads the file it follows
dmfilemapd 3 "$gid" /mnt/f inode 1 1 3</mnt/f 2>/tmp/daemon.log &
daemon=$!
wait_until 10 grep -q "started: fd 3, group $gid " /tmp/daemon.log
check_group /mnt/f lin "$gid"

step "a hole below the leader, then the file grows"
dmsetup message lin 0 @stats_delete 1
fallocate -o 1M -l 1M /mnt/f
# The new region takes id 1, the lowest free one: group 3 becomes group 1.
wait_in_step 30 /mnt/f lin 1
cat /tmp/daemon.log
dmstats list --group lin

step "the descriptor moved to region 1 and kept its alias and user aux"
assert_eq "DMS_GROUP=f:1,3#mynote" "$(aux_of lin 1)" "aux_data of the new leader"
assert_eq "-" "$(aux_of lin 3)" "aux_data of the old leader"
groups=$(dmstats list --group --noheadings --separator : \
	-o group_id,region_id,obj_type lin)
assert_eq "1:1,3:group" "$groups" "dmstats list --group"
# dmstats shows the user aux on the leader's region row.
leader_row=$(dmstats list --region --noheadings --separator : \
	-o group_id,region_id,user_data lin | grep '^1:1:')
assert_eq "1:1:mynote" "$leader_row" "dmstats list --region, the leader's row"
grep -q "group 3 is now group 1" /tmp/daemon.log ||
	fail "the daemon did not log the group's new id"
assert_eq "$unrelated_0" "$(region_of lin 0)" "unrelated region 0"
assert_eq "$unrelated_2" "$(region_of lin 2)" "unrelated region 2"

step "a member deleted by someone else comes back at the prompted group check"
victim=$(stats_list lin | awk '$1 == "3:" { print $2 }')
lines=$(wc -l </tmp/daemon.log)
dmsetup message lin 0 @stats_delete 3
# The region is gone once dmsetup returns: the clock starts then.
start=$(now_ms)
wait_until 15 has_member_at lin 1 "$victim"
took=$(($(now_ms) - start))
echo "member region re-created after $took ms"
[ "$took" -le $((CHECK_MS + MARGIN_MS)) ] ||
	fail "the deleted member came back after $took ms, not within $((CHECK_MS + MARGIN_MS)) ms"
check_group /mnt/f lin 1
assert_match "^DMS_GROUP=f:[0-9,-]+#mynote\$" "$(aux_of lin 1)" "aux_data of the leader"
tail -n +"$((lines + 1))" /tmp/daemon.log
assert_eq "$unrelated_0" "$(region_of lin 0)" "unrelated region 0"
assert_eq "$unrelated_2" "$(region_of lin 2)" "unrelated region 2"

kill -0 "$daemon" 2>/dev/null || fail "the daemon has exited"
kill -TERM "$daemon"
status=0
wait "$daemon" || status=$?
assert_eq 0 "$status" "the daemon's exit status after SIGTERM"
echo "ok: the group followed its lowest region and healed a deleted member"
