#!/bin/bash
# dmfilemapd(8), CREATING A GROUP: `dmfilemapd --create` makes the group
# Debian's `dmstats create --filemap` makes for the same file (the same
# regions, settings and descriptor, the same line printed), then follows
# it; dmstats lists, reports and deletes it.  A file whose name has a
# blank, on which dmstats aborts, it maps under an --alias; an alias that
# dmstats could not read back or rewrite it refuses, as it refuses what it
# cannot count: with one line, creating nothing.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

# create_daemon LOG ARGS...: runs dmfilemapd --create ARGS, its output in LOG
# (a file: the daemon would hold a pipe), and prints the new group's id.
create_daemon() {
	local log=$1 gid
	shift
	dmfilemapd --create "$@" >"$log" 2>&1 || fail "dmfilemapd --create $* failed: $(cat "$log")"
	gid=$(sed -n 's/.*as group ID \([0-9][0-9]*\)\.$/\1/p' "$log")
	[ -n "$gid" ] || fail "no group id in the output of dmfilemapd --create: $(cat "$log")"
	echo "$gid"
}

# rows DEV: the device's regions, as the kernel lists them.
rows() {
	stats_list "$1" | sort -n
}

require_daemon
for fs in ext4 xfs; do
	step "$fs: the same group as dmstats makes, for the same file"
	setup_mapped --fs "$fs" --name "c$fs"
	fragmented_file /mnt/data 5
	for settings in "" "--bounds 1ms,10ms,100ms" "--bounds 500us,2ms"; do
		# shellcheck disable=SC2086 # the settings are words
		dmstats create --filemap /mnt/data --nomonitor $settings >/tmp/dmstats.out 2>&1 ||
			fail "dmstats create --filemap $settings failed: $(cat /tmp/dmstats.out)"
		want=$(rows "$dev")
		gid=$(sed -n 's/.*as group ID \([0-9][0-9]*\)\.$/\1/p' /tmp/dmstats.out)
		dmstats delete "$dev" --groupid "$gid" >/dev/null
		assert_eq "" "$(rows "$dev")" "regions left after dmstats delete --groupid $gid"
		# shellcheck disable=SC2086
		gid=$(create_daemon /tmp/create.out $settings /mnt/data)
		assert_eq "$(cat /tmp/dmstats.out)" "$(cat /tmp/create.out)" "the line printed ($settings)"
		assert_eq "$want" "$(rows "$dev")" "the regions made ($settings)"
		pid=$(wait_for_daemon "$gid" /mnt/data)
		check_group /mnt/data "$dev" "$gid"
		dmstats list --group "$dev" | grep -q "^data  *$gid " ||
			fail "dmstats list --group does not show group data: $(dmstats list --group "$dev")"
		dmstats report --group "$dev" >/dev/null || fail "dmstats report --group failed"
		if [ -z "$settings" ]; then
			step "$fs: the daemon started so follows the file"
			fallocate -l 8M /mnt/data.filler
			fallocate -l 8M /mnt/data
			wait_group /mnt/data "$dev" data
			gid=$(group_id_by_alias "$dev" data)
			step "$fs: dmstats update_filemap works on it"
			dmstats update_filemap /mnt/data --groupid "$gid" >/dev/null ||
				fail "dmstats update_filemap failed"
			wait_group /mnt/data "$dev" data
		fi
		dmstats delete "$dev" --groupid "$gid" >/dev/null
		wait_until 10 process_gone "$pid"
		assert_eq "" "$(rows "$dev")" "regions left after deleting group $gid"
	done
	umount /mnt
	dmsetup remove "c$fs"
done

step "a file with a blank in its name, --alias, --precise, --follow path"
setup_mapped --name cb
fragmented_file "/mnt/a file" 3
gid=$(create_daemon /tmp/create.out --alias a-file.v2 --precise --follow path "/mnt/a file")
assert_eq "/mnt/a file: Created new group with 3 region(s) as group ID $gid." "$(cat /tmp/create.out)" "the line printed"
pid=$(wait_for_daemon "$gid" "/mnt/a file")
mapfile -d '' -t argv <"/proc/$pid/cmdline"
assert_eq "path" "${argv[4]}" "the follow mode the daemon runs with"
assert_match "^$gid: [0-9]+\+[0-9]+ [0-9]+ dmstats DMS_GROUP=a-file\.v2:[0-9,-]+#- precise_timestamps$" \
	"$(rows "$dev" | grep "^$gid: ")" "the leader's row"
check_group "/mnt/a file" "$dev" "$gid"
dmstats report --group "$dev" >/dev/null || fail "dmstats report --group failed"
dmstats delete "$dev" --groupid "$gid" >/dev/null
wait_until 10 process_gone "$pid"

step "refused with one line, nothing created"
: >/mnt/empty
mkdir -p /tmp/t && mount -t tmpfs none /tmp/t && echo x >/tmp/t/f
tab=$'\t'
for args in "/mnt/empty" "/tmp/t/f" "/proc/version" "/mnt/missing" "--alias a:b /mnt/empty" "/mnt" \
	"/mnt/a_file" "--alias my_file /mnt/a_file" "--alias my${tab}file /mnt/a_file" \
	"--device 7:0 /mnt/a_file"; do
	# Words split at spaces, an underscore standing for a space.
	IFS=' ' read -r -a words <<<"$args"
	set -- "${words[@]//_/ }"
	if dmfilemapd --create "$@" >/tmp/refused.out 2>&1; then
		fail "dmfilemapd --create $args succeeded"
	fi
	# A usage error adds the usage text.
	n=$(grep -vc "^usage:\|^       dmfilemapd\|^                  \[" /tmp/refused.out || true)
	assert_eq 1 "$n" "lines of output for --create $args"
	assert_eq "" "$(rows "$dev")" "regions after a refused --create $args"
	echo "  refused: $(cat /tmp/refused.out)"
done
grep -q "has no data on the device" <(dmfilemapd --create /mnt/empty 2>&1) ||
	fail "an empty file was not refused for having no data"
devno=$(stat -c %Hd:%Ld /mnt)
assert_eq "dmfilemapd: --device '7:0' is not the file's device ($devno)" \
	"$(dmfilemapd --create --device 7:0 "/mnt/a file" 2>&1)" "--create on another --device"
grep -q "does not support FIEMAP" <(dmfilemapd --create /proc/version 2>&1) ||
	fail "a file on a file system without FIEMAP was not refused for it"
