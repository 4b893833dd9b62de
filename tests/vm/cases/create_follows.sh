#!/bin/bash
# dmfilemapd(8), CREATING A GROUP: --create follows the group the file has
# already (made by dmstats, or left by a daemon killed or stopped) instead
# of making a second, counters and all; a group with other settings, with
# another alias or of another file is left alone.  --delete-on-stop
# deletes the group at SIGTERM; without it the group stays.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

# groups_of DEV: how many groups the device has.
groups_of() {
	region_rows "$1" | awk '$4 != "-"' | wc -l
}

# create_out FILE [OPTIONS...]: dmfilemapd --create, its output printed.
create_out() {
	local file=$1
	shift
	dmfilemapd --create "$@" "$file" >/tmp/create.out 2>&1 ||
		fail "dmfilemapd --create $* $file failed: $(cat /tmp/create.out)"
	cat /tmp/create.out
}

# daemon_following FILE: the pid of the one daemon that has FILE open.
daemon_following() {
	local pid found=
	for pid in $(daemon_pids); do
		if fd_targets "$pid" | grep -q " $1\$"; then found=$pid; echo "$pid"; fi
	done
	[ -n "$found" ]
}

require_daemon
step "ext4 on a dm-linear device; /mnt/f mapped by dmstats, without a daemon"
# Written, so that reads reach the device (fallocate leaves it unwritten).
setup_mapped --pieces 3 --data 3 --nomonitor /mnt/f
fragmented_file /mnt/g 2
other=$(filemap_create /mnt/g --nomonitor)
other_rows=$(group_regions "$dev" "$other")
dd if=/mnt/f of=/dev/null bs=4k count=64 iflag=direct status=none
reads=$(group_reads "$dev" "$gid")
[ "$reads" -gt 0 ] || fail "the reads of /mnt/f were not counted"

step "--create follows the group dmstats made"
assert_eq "/mnt/f: Following its group made before as group ID $gid." "$(create_out /mnt/f)" "what --create printed"
pid=$(wait_until 10 daemon_following /mnt/f)
assert_eq 2 "$(groups_of "$dev")" "groups on the device"
fallocate -l 8M /mnt/f
wait_group /mnt/f "$dev" f
[ "$(group_reads "$dev" "$(group_id_by_alias "$dev" f)")" -ge "$reads" ] || fail "the group's counters went back"

step "killed, then started again: the same group, no second, no stray"
kill -9 "$pid"
wait_until 5 process_gone "$pid"
gid=$(group_id_by_alias "$dev" f)
reads=$(group_reads "$dev" "$gid")
assert_eq "/mnt/f: Following its group made before as group ID $gid." "$(create_out /mnt/f)" "what --create printed"
pid=$(wait_until 10 daemon_following /mnt/f)
fallocate -l 12M /mnt/f
wait_group /mnt/f "$dev" f
wait_no_strays 10 "$dev"
assert_eq 2 "$(groups_of "$dev")" "groups on the device"
[ "$(group_reads "$dev" "$(group_id_by_alias "$dev" f)")" -ge "$reads" ] || fail "the group's counters went back"

step "stopped (SIGTERM): the group stays; started again: followed"
kill -TERM "$pid"
wait_until 5 process_gone "$pid"
gid=$(group_id_by_alias "$dev" f)
check_group /mnt/f "$dev" "$gid"
assert_match "Following its group made before as group ID $gid\\." "$(create_out /mnt/f)" "what --create printed"
pid=$(wait_until 10 daemon_following /mnt/f)

step "another alias or other settings: a new group, the old one left alone"
old_rows=$(group_regions "$dev" "$gid")
assert_match "Created new group" "$(create_out /mnt/f --alias f2)" "--create --alias f2"
assert_match "Created new group" "$(create_out /mnt/f --bounds 1ms,10ms --alias f3)" "--create --bounds"
assert_eq 4 "$(groups_of "$dev")" "groups on the device"
for alias in f f2 f3; do group_matches /mnt/f "$dev" "$alias"; done
assert_eq "$old_rows" "$(group_regions "$dev" "$(group_id_by_alias "$dev" f)")" "the first group of /mnt/f"
assert_eq "$other_rows" "$(group_regions "$dev" "$other")" "the group of /mnt/g"

step "--delete-on-stop: SIGTERM deletes the group"
fragmented_file /mnt/h 2
create_out /mnt/h --delete-on-stop >/dev/null
hpid=$(wait_until 10 daemon_following /mnt/h)
group_matches /mnt/h "$dev" h
kill -TERM "$hpid"
wait_until 5 process_gone "$hpid"
if region_rows "$dev" | grep -q ' h$'; then fail "group h is still there"; fi
assert_eq "$other_rows" "$(group_regions "$dev" "$other")" "the group of /mnt/g"
wait_no_strays 10 "$dev"
echo "ok: --create followed the file's group three times, made others when asked"
