#!/bin/bash
# vm-options: --systemd --boots 2 --timeout 500
# dmfilemapd(8), SERVICE, under Debian's systemd: two instances of
# dmfilemapd@.service, for two files on one device, make their groups and
# follow them; kill -9 of a daemon gets it restarted on the same group,
# counters kept, no second group and no stray region; after a reboot
# (boot 2) the groups are back, once each, and follow their files; stop
# leaves a group, start follows it again, disable --now stops it.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

vm=/srv/vm.img
other=/srv/other.img
unit_vm=dmfilemapd@$(systemd-escape -p "$vm").service
unit_other=dmfilemapd@$(systemd-escape -p "$other").service

# groups_of DEV: how many groups the device has.
groups_of() {
	region_rows "$1" | awk '$4 != "-"' | wc -l
}

main_pid() {
	systemctl show -p MainPID --value "$1"
}

# restarted UNIT OLD_PID: the unit is active again with another main pid.
restarted() {
	local pid
	pid=$(main_pid "$1")
	[ "$pid" != 0 ] && [ "$pid" != "$2" ] && systemctl is-active --quiet "$1"
}

require_daemon
[ -n "${DMFILEMAPD_TEST_BOOT:-}" ] || fail "run with --systemd --boots 2"
dev=/dev/mapper/lin
if [ "$DMFILEMAPD_TEST_BOOT" = 1 ]; then
	step "boot 1: ext4 on a dm-linear device made at every boot, mounted on /srv"
	linear_at_boot lin /dev/vda >/dev/null
	make_fs ext4 "$dev" /srv
	echo "$dev /srv ext4 defaults 0 2" >>/etc/fstab
	systemctl daemon-reload
	fragmented_file "$vm" 3
	dd if=/dev/urandom of="$vm" bs=1M count=3 conv=notrunc,fsync status=none
	fragmented_file "$other" 2

	step "the unit is clean; its exposure, as systemd-analyze security rates it"
	systemd-analyze verify --man=no "$unit_vm" || fail "systemd-analyze verify $unit_vm"
	systemd-analyze security "$unit_vm" --no-pager | tail -n 1

	step "systemctl enable --now for two files on one device"
	systemctl enable --now "$unit_vm" "$unit_other" || {
		systemctl status "$unit_vm" "$unit_other" --no-pager || true
		fail "the units did not start"
	}
	wait_group "$vm" "$dev" vm.img
	wait_group "$other" "$dev" other.img
	assert_eq 2 "$(groups_of "$dev")" "groups on $dev"
	assert_eq dmfilemapd "$(ps -o comm= -p "$(main_pid "$unit_vm")")" "the unit's main process"

	step "the file grows: the group follows"
	fallocate -l 8M "$vm"
	wait_group "$vm" "$dev" vm.img

	step "kill -9: systemd starts it again, on the same group, counters kept"
	dd if="$vm" of=/dev/null bs=4k count=64 iflag=direct status=none
	gid=$(group_id_by_alias "$dev" vm.img)
	reads=$(group_reads "$dev" "$gid")
	[ "$reads" -gt 0 ] || fail "the reads of $vm were not counted"
	pid=$(main_pid "$unit_vm")
	kill -9 "$pid"
	wait_until 30 restarted "$unit_vm" "$pid"
	journalctl -u "$unit_vm" -q --no-pager | grep -q "Following its group made before as group ID $gid\\." ||
		fail "the restarted daemon did not follow group $gid: $(journalctl -u "$unit_vm" -q --no-pager | tail -n 5)"
	fallocate -l 12M "$vm"
	wait_group "$vm" "$dev" vm.img
	wait_no_strays 10 "$dev"
	assert_eq 2 "$(groups_of "$dev")" "groups on $dev after the restart"
	[ "$(group_reads "$dev" "$(group_id_by_alias "$dev" vm.img)")" -ge "$reads" ] ||
		fail "the group's counters went back"
	echo "ok: boot 1, groups of $vm and $other followed"
else
	step "boot $DMFILEMAPD_TEST_BOOT: the units started at boot, the groups are back, once each"
	wait_until 30 systemctl is-active --quiet "$unit_vm"
	wait_until 30 systemctl is-active --quiet "$unit_other"
	wait_group "$vm" "$dev" vm.img
	wait_group "$other" "$dev" other.img
	assert_eq 2 "$(groups_of "$dev")" "groups on $dev"
	fallocate -l 16M "$vm"
	wait_group "$vm" "$dev" vm.img
	wait_no_strays 10 "$dev"

	step "stop leaves the group; start follows it again"
	gid=$(group_id_by_alias "$dev" other.img)
	pid=$(main_pid "$unit_other")
	systemctl stop "$unit_other"
	wait_until 10 process_gone "$pid"
	check_group "$other" "$dev" "$gid"
	systemctl start "$unit_other"
	journalctl -u "$unit_other" -b -q --no-pager | grep -q "Following its group made before as group ID $gid\\." ||
		fail "the started daemon did not follow group $gid"
	fallocate -l 8M "$other"
	wait_group "$other" "$dev" other.img
	assert_eq 2 "$(groups_of "$dev")" "groups on $dev"

	step "disable --now: stopped, not started at the next boot, the group left"
	pid=$(main_pid "$unit_other")
	systemctl disable --now "$unit_other"
	wait_until 10 process_gone "$pid"
	assert_eq disabled "$(systemctl is-enabled "$unit_other" || true)" "is-enabled"
	group_matches "$other" "$dev" other.img
	echo "ok: boot $DMFILEMAPD_TEST_BOOT, the groups came back and were followed"
fi
