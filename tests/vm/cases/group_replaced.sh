#!/bin/bash
# A group deleted and another made at once for another file gets the same
# id (the kernel hands out the lowest free one).  The old group's daemon
# must not take the new group for its own: it exits touching nothing, the
# new group's own daemon follows it, and exactly one daemon is left.  Run
# three ways: `dmstats delete --allregions`, `dmstats delete --groupid`,
# and the latter while another dm user polls the device every 100 ms.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

require_daemon
step "ext4 on a dm-linear device, files a and b apart on it"
setup_mapped
mkdir /mnt/x
fragmented_file /mnt/x/a 2
fragmented_file /mnt/x/b 3
sync

# replace_group WAY: group a with its daemon, group a deleted WAY, group b
# made at once; then checks the outcome and clears the device.
replace_group() {
	local way=$1 gid_a gid_b pid_a pid_b before grown
	step "$way: group a followed, then deleted and group b made at once"
	gid_a=$(filemap_create /mnt/x/a --alias ga)
	pid_a=$(wait_for_daemon "$gid_a" /mnt/x/a)
	# Any dm user prompts a check of group a: the race the daemon must win.
	dmsetup status lin >/dev/null
	case $way in
	allregions) dmstats delete --allregions lin ;;
	*) dmstats delete --groupid "$gid_a" lin ;;
	esac
	gid_b=$(filemap_create /mnt/x/b --alias gb)
	assert_eq "$gid_a" "$gid_b" "the new group's id (the old one's, reused)"

	step "$way: a's daemon gone, b's daemon alone, group b covers b"
	wait_until 2 process_gone "$pid_a"
	pid_b=$(wait_for_daemon "$gid_b" /mnt/x/b)
	sleep 1
	assert_eq "$pid_b" "$(daemon_pids)" "the daemons left"
	group_matches /mnt/x/b "$dev" gb
	assert_no_strays "$dev"

	step "$way: b grows, and its group follows"
	before=$(file_extents /mnt/x/b | wc -l)
	fallocate -l 1M "/mnt/x/filler.$way"
	fallocate -l 5M /mnt/x/b
	sync
	grown=$(file_extents /mnt/x/b | wc -l)
	[ "$grown" -gt "$before" ] || fail "b did not get a new extent"
	wait_group /mnt/x/b "$dev" gb 5
	assert_no_strays "$dev"
	stats_list "$dev" | grep -q 'DMS_GROUP=ga:' && fail "a group named ga is back"

	kill "$pid_b"
	wait_until 5 process_gone "$pid_b"
	dmstats delete --allregions lin
	truncate -s 3M /mnt/x/b
	rm -f "/mnt/x/filler.$way"
}

replace_group allregions
replace_group groupid

step "another dm user polls the device every 100 ms"
(while :; do dmsetup status lin >/dev/null; sleep 0.1; done) &
poller=$!
replace_group groupid_polled
kill "$poller"
echo "ok: a replaced group is followed by its own daemon only"
