#!/bin/bash
# Run in the guest by tests/check (package/vm-trixie) with tests/vm/run
# --libdm trixie and the daemon unpacked from the .deb as
# /usr/sbin/dmfilemapd: on Debian 13's libdevmapper 1.02.205, whose dmstats
# starts no daemon, `dmfilemapd --create` makes the group and that very
# binary, running on that library, follows the file as it grows.  The
# descriptor's form is not looked at here, only that the group follows.
# packaged.sha256, beside this script, is the packaged binary's checksum.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

lib=/opt/libdm/trixie/lib/libdevmapper.so.1.02.1

require_daemon
step "the guest's /usr/sbin/dmfilemapd is the packaged one"
read -r want _ </test/packaged.sha256
read -r got _ < <(sha256sum /usr/sbin/dmfilemapd)
assert_eq "$want" "$got" "sha256 of /usr/sbin/dmfilemapd"

step "the guest runs on Debian 13's libdevmapper"
assert_libdm trixie 1.02.205

step "ext4 on a dm-linear device, a file of 3 extents grouped by dmfilemapd --create"
setup_mapped
fragmented_file /mnt/f 3
# Through a file: the daemon keeps the caller's stdout (see filemap_create).
dmfilemapd --create /mnt/f >/tmp/create.out 2>&1 ||
	fail "dmfilemapd --create /mnt/f failed: $(cat /tmp/create.out)"
gid=$(sed -n 's/^\/mnt\/f: Created new group with [0-9]* region(s) as group ID \([0-9]*\)\.$/\1/p' /tmp/create.out)
[ -n "$gid" ] || fail "no group id in the output of dmfilemapd --create: $(cat /tmp/create.out)"
pid=$(wait_for_daemon "$gid" /mnt/f)
assert_eq /usr/sbin/dmfilemapd "$(readlink "/proc/$pid/exe")" "daemon executable"
assert_eq "$lib" "$(libdevmapper_of "$pid")" "libdevmapper mapped by the daemon (pid $pid)"
check_group /mnt/f "$dev" "$gid"

# group_follows: the group named f covers /mnt/f exactly.  group_id_of
# reads the alias quoted or not: the descriptor's form is not checked here.
group_follows() {
	check_group /mnt/f "$dev" "$(group_id_of "$dev" f)"
}

step "the file grows: the group follows"
fallocate -l 12M /mnt/f
poll_until 10 holds group_follows || group_follows
wait_no_strays 30 "$dev"
assert_running "$pid" "the packaged daemon"
echo "ok: the packaged dmfilemapd (pid $pid) on libdevmapper 1.02.205 follows group $gid"
