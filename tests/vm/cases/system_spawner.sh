#!/bin/bash
# vm-options: --libdm spawner
# tests/vm/scenarios/system.sh on Debian 13's libdevmapper (1.02.205) built
# with --enable-dmfilemapd, as Fedora, openSUSE and Arch build theirs:
# dmstats starts the daemon from PATH, and quotes the alias, blanks and all.
# shellcheck disable=SC2034 # read by the scenario
SYSTEM=spawner

follow_new() {
	filemap_create "$@"
}

# update_filemap of a group made without a daemon starts one, which brings
# the group up to date.
system_extras() {
	step "update_filemap starts the daemon for a group made with --nomonitor"
	fragmented_file /mnt/later 2
	later=$(filemap_create /mnt/later --nomonitor)
	fragmented_file /mnt/later 4
	dmstats update_filemap /mnt/later --groupid "$later" >/tmp/update.out 2>&1 ||
		fail "dmstats update_filemap failed: $(cat /tmp/update.out)"
	later_pid=$(wait_for_daemon "$later" /mnt/later)
	wait_group /mnt/later "$dev" later
	assert_form "$dev" later
	dmstats delete --groupid "$(group_id_by_alias "$dev" later)" "${dev#/dev/mapper/}"
	wait_until 5 process_gone "$later_pid"
}

# shellcheck source=tests/vm/scenarios/system.sh
. /test/scenarios/system.sh
