#!/bin/bash
# vm-options: --systemd --disk 1G --disk 1G
# dmfilemapd(8), SERVICE, under Debian's systemd: a unit whose file is
# missing, or on tmpfs, fails, and systemctl status shows the daemon's
# reason; an instance's settings in /etc/dmfilemapd/INSTANCE.conf (alias,
# histogram, --delete-on-stop, which deletes the group at stop); an
# instance for a file on a btrfs over two dm devices, which dmstats
# refuses: a group and a daemon for each, stopped with the unit.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

unit_of() {
	echo "dmfilemapd@$(systemd-escape -p "$1").service"
}

# assert_fails FILE REASON: the unit of FILE fails to start, ends failed,
# and systemctl status shows REASON, the daemon's one line.
assert_fails() {
	local unit
	unit=$(unit_of "$1")
	if systemctl start "$unit" 2>/dev/null; then fail "$unit started"; fi
	wait_until 40 holds sh -c "systemctl is-failed --quiet '$unit'"
	systemctl status "$unit" --no-pager -n 20 >/tmp/status.out 2>&1 || true
	grep -qF "dmfilemapd: $2" /tmp/status.out || {
		cat /tmp/status.out
		fail "systemctl status $unit does not say: $2"
	}
	echo "   $unit failed: $2"
}

require_daemon
step "a unit for a missing file fails, saying why"
mkdir -p /srv/none
assert_fails /srv/none/missing.img "FILE '/srv/none/missing.img' does not exist"

step "a unit for a file on tmpfs fails, saying why"
mkdir -p /run/t
mount -t tmpfs tmpfs /run/t
fallocate -l 1M /run/t/f
assert_fails /run/t/f "FILE '/run/t/f': the file is on tmpfs, which keeps no data on a block device"

step "ext4 on a dm-linear device; an instance with settings of its own"
setup_mapped --mount /srv
fragmented_file /srv/c.img 3
mkdir -p /etc/dmfilemapd
unit=$(unit_of /srv/c.img)
echo 'DMFILEMAPD_OPTIONS="--alias cee --bounds 1ms,10ms,100ms --delete-on-stop"' \
	>"/etc/dmfilemapd/$(systemd-escape -p /srv/c.img).conf"
systemctl start "$unit" || { systemctl status "$unit" --no-pager || true; fail "$unit did not start"; }
wait_group /srv/c.img "$dev" cee
gid=$(group_id_by_alias "$dev" cee)
assert_match ' histogram:1,10,100$' "$(region_line "$dev" "$gid")" "the leader of group cee"

step "stop, with --delete-on-stop: the group is deleted"
systemctl stop "$unit"
wait_until 10 holds sh -c "! systemctl is-active --quiet '$unit'"
if region_rows "$dev" | grep -q ' cee$'; then fail "group cee is still there after stop"; fi
assert_eq "" "$(stats_list "$dev")" "regions left on $dev"

step "btrfs RAID1 over two dm-linear devices: an instance follows a group on each"
dmsetup create blin0 --table "0 $((480 * 2048)) linear /dev/vdb $LINEAR_OFFSET"
dmsetup create blin1 --table "0 $((480 * 2048)) linear /dev/vdb $((512 * 2048 + LINEAR_OFFSET))"
mkfs.btrfs -q -f -d raid1 -m raid1 /dev/mapper/blin0 /dev/mapper/blin1 >/dev/null 2>&1 ||
	fail "mkfs.btrfs -d raid1 failed"
mount /dev/mapper/blin0 /mnt
fragmented_file /mnt/b.img 3
unit=$(unit_of /mnt/b.img)
systemctl start "$unit" || { systemctl status "$unit" --no-pager || true; fail "$unit did not start"; }
for bdev in /dev/mapper/blin0 /dev/mapper/blin1; do wait_group /mnt/b.img "$bdev" b.img; done
assert_eq 2 "$(daemon_pids | wc -w)" "daemons of $unit, one for each group"
fallocate -l 8M /mnt/b.img
for bdev in /dev/mapper/blin0 /dev/mapper/blin1; do wait_group /mnt/b.img "$bdev" b.img; done
systemctl is-active --quiet "$unit" || fail "$unit is not active while its daemons run"
systemctl stop "$unit"
assert_eq "" "$(daemon_pids)" "daemons left when $unit stopped"
for bdev in /dev/mapper/blin0 /dev/mapper/blin1; do group_matches /mnt/b.img "$bdev" b.img; done
echo "ok: failures said why, settings and btrfs followed"
