#!/bin/bash
# Runner self-test, run with --systemd --boots 2 --disk 1G --disk 64M: the
# guest runs Debian's systemd as PID 1 with udev and a journal, and the
# second boot finds what the first left on the scratch disk /dev/vda and in
# the root file system, and the dm device of linear_at_boot made again.
# Without --systemd (the busybox guest) the first step fails.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

boot=${DMFILEMAPD_TEST_BOOT:-}
marker_file=/var/lib/vm-self-test/marker

step "boot ${boot:-?}: PID 1 is systemd, and the system is up"
assert_eq /usr/lib/systemd/systemd "$(readlink /proc/1/exe)" "PID 1's executable"
[ -n "$boot" ] || fail "DMFILEMAPD_TEST_BOOT is not set"
state=$(systemctl is-system-running) || true
if [ "$state" = degraded ]; then
	echo "failed units:"
	systemctl --failed --no-legend --no-pager
fi
assert_match '^(running|degraded)$' "$state" "systemctl is-system-running"
[ -z "${DM_DISABLE_UDEV:-}" ] || fail "DM_DISABLE_UDEV is set although udev runs"
systemctl is-active --quiet systemd-udevd.service || fail "systemd-udevd is not running"
systemctl is-active --quiet systemd-journald.service || fail "systemd-journald is not running"
require_daemon
if [ -f /usr/lib/systemd/system/dmfilemapd@.service ]; then
	echo "the tree's dmfilemapd@.service is installed:" \
		"$(systemctl show -p LoadState --value dmfilemapd@self-test.service)"
fi

if [ "$boot" = 1 ]; then
	step "boot 1: udev knows a new dm device (linear_at_boot, on /dev/vdb)"
	dev=$(linear_at_boot lin /dev/vdb 16)
	udevadm settle
	assert_eq lin "$(udevadm info --query=property --name="$dev" | sed -n 's/^DM_NAME=//p')" \
		"DM_NAME that udev knows of $dev"

	step "boot 1: a marker on /dev/vda and in the root file system"
	marker="boot-1-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
	make_fs ext4 /dev/vda /mnt
	echo "$marker" >/mnt/marker
	umount /mnt
	mkdir -p "${marker_file%/*}"
	echo "$marker" >"$marker_file"

	step "boot 1: a unit's output reaches the journal"
	cat >/etc/systemd/system/vm-hello.service <<-EOF
		[Service]
		Type=oneshot
		ExecStart=/bin/sh -c 'echo "hello from vm-hello, $marker"; echo "vm-hello on stderr" >&2'
	EOF
	systemctl daemon-reload
	systemctl start vm-hello.service
	wait_until 10 holds sh -c "journalctl -u vm-hello.service -q --no-pager | grep -q 'hello from vm-hello, $marker'"
	wait_until 10 holds sh -c "journalctl -u vm-hello.service -q --no-pager | grep -q 'vm-hello on stderr'"
	systemctl status vm-hello.service --no-pager -n 5 | grep -q 'vm-hello on stderr' ||
		fail "systemctl status does not show the unit's stderr"
	echo "ok: boot 1 left $marker"
else
	step "boot $boot: the marker of boot 1 is on /dev/vda and in the root file system"
	[ -f "$marker_file" ] || fail "no $marker_file: the root file system is not the one of boot 1"
	marker=$(cat "$marker_file")
	mkdir -p /mnt
	mount /dev/vda /mnt || fail "cannot mount /dev/vda: boot 1's file system is not there"
	assert_eq "$marker" "$(cat /mnt/marker)" "marker on /dev/vda"
	umount /mnt

	step "boot $boot: the journal of boot 1 is kept"
	[ "$(journalctl --list-boots --no-pager -q | wc -l)" -ge "$boot" ] ||
		fail "the journal lists fewer than $boot boots: $(journalctl --list-boots --no-pager)"
	journalctl -b 1 -u vm-hello.service -q --no-pager | grep -q "hello from vm-hello, $marker" ||
		fail "the journal lost boot 1's message of vm-hello"
	step "boot $boot: linear_at_boot's unit made the dm device again"
	systemctl is-active --quiet vm-linear-lin.service || fail "vm-linear-lin.service is not active"
	udevadm settle
	assert_eq lin "$(udevadm info --query=property --name=/dev/mapper/lin | sed -n 's/^DM_NAME=//p')" \
		"DM_NAME that udev knows of /dev/mapper/lin"
	assert_eq "0 32768 linear $(lsblk -dno MAJ:MIN /dev/vdb | tr -d ' ') $LINEAR_OFFSET" \
		"$(dmsetup table lin)" "table of lin"
	echo "ok: boot $boot found $marker"
fi
