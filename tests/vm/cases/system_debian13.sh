#!/bin/bash
# vm-options: --libdm trixie
# tests/vm/scenarios/system.sh on Debian 13's libdevmapper (1.02.205) as
# Debian builds it: dmstats starts no daemon, so a user follows the group
# dmstats made with `dmfilemapd --groupid ID FILE`, or makes it with
# `dmfilemapd --create FILE`, which must make the very rows dmstats makes.
# shellcheck disable=SC2034 # read by the scenario
SYSTEM=debian13

follow_new() {
	local file=$1 gid
	shift
	gid=$(filemap_create "$file" "$@")
	dmfilemapd --groupid "$gid" "$file" >/tmp/follow.out 2>&1 ||
		fail "dmfilemapd --groupid $gid $file failed: $(cat /tmp/follow.out)"
	echo "$gid"
}

# rows DEV GROUP_ID: the @stats_list rows of the group's members.
rows() {
	local id
	for id in $(group_members "$1" "$2"); do region_line "$1" "$id"; done
}

# dev and spaced are the scenario's.
# shellcheck disable=SC2154
system_extras() {
	local out other other_rows daemons copy="/mnt/Copy Me.img" made made_rows created pid
	local low_id low_start low_len

	step "Debian 13's dmstats starts no daemon"
	fragmented_file /mnt/other 2
	daemons=$(daemon_pids | sort)
	dmstats create --filemap /mnt/other >/tmp/other.out 2>&1 ||
		fail "dmstats create --filemap /mnt/other failed: $(cat /tmp/other.out)"
	grep -q "dmfilemapd support disabled" /tmp/other.out ||
		fail "dmstats did not say it starts no daemon: $(cat /tmp/other.out)"
	other=$(sed -n 's/.*as group ID \([0-9][0-9]*\)\.$/\1/p' /tmp/other.out)
	sleep 0.5
	assert_eq "$daemons" "$(daemon_pids | sort)" "daemons after dmstats create"

	step "--groupid with another file's group is refused, that group untouched"
	other_rows=$(stats_list "$dev")
	read -r low_id low_start low_len < <(group_regions "$dev" "$other" | head -n 1)
	out=0
	dmfilemapd --groupid "$other" "$spaced" >/tmp/mistyped.out 2>/tmp/mistyped.err || out=$?
	assert_eq 1 "$out" "exit status of dmfilemapd --groupid $other '$spaced'"
	assert_eq "dmfilemapd: --groupid $other: the group on lin does not map '$spaced': its region $low_id (sectors $low_start+$low_len) covers sectors that are not the file's" \
		"$(cat /tmp/mistyped.err)" "the refusal"
	assert_eq "" "$(cat /tmp/mistyped.out)" "stdout of the refused dmfilemapd"
	assert_eq "$daemons" "$(daemon_pids | sort)" "daemons after the refusal"
	assert_eq "$other_rows" "$(stats_list "$dev")" "regions after the refusal"
	dmstats delete --groupid "$other" "${dev#/dev/mapper/}"

	step "--create without --alias makes the rows dmstats create --filemap --nomonitor makes"
	fragmented_file "$copy" 3
	made=$(filemap_create "$copy" --nomonitor)
	made_rows=$(rows "$dev" "$made")
	assert_match "DMS_GROUP=\"Copy Me.img\":" "$made_rows" "dmstats's descriptor"
	dmstats delete --groupid "$made" "${dev#/dev/mapper/}"
	dmfilemapd --create "$copy" >/tmp/create.out 2>&1 ||
		fail "dmfilemapd --create failed: $(cat /tmp/create.out)"
	assert_eq "$copy: Created new group with 3 region(s) as group ID $made." \
		"$(cat /tmp/create.out)" "what --create printed"
	created=$(rows "$dev" "$made")
	assert_eq "$made_rows" "$created" "the rows --create made"
	pid=$(wait_for_daemon "$made" "$copy")
	assert_eq dmfilemapd "$(ps -o comm= -p "$pid")" "the --create daemon's name in ps"
	assert_eq /usr/sbin/dmfilemapd "$(readlink "/proc/$pid/exe")" "the --create daemon's executable"
	assert_eq "/opt/libdm/trixie/lib/libdevmapper.so.1.02.1" "$(libdevmapper_of "$pid")" \
		"the libdevmapper the --create daemon runs on"
	dmstats delete --groupid "$made" "${dev#/dev/mapper/}"
	wait_until 5 process_gone "$pid"
}

# shellcheck source=tests/vm/scenarios/system.sh
. /test/scenarios/system.sh
