#!/bin/bash
# Runner self-test, run with --libdm trixie: dmsetup, dmstats and the daemon
# load Debian 13's libdevmapper 1.02.205 from /opt/libdm/trixie, whose
# dmstats quotes a group's alias and starts no dmfilemapd.  Debian 12's
# library (1.02.185) or the spawner build fails one of the steps.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

build=/opt/libdm/trixie
lib=$build/lib/libdevmapper.so.1.02.1

step "the script runs on the trixie build: dmstats reports library 1.02.205"
assert_libdm trixie 1.02.205

step "dmsetup and the daemon would load $lib"
require_daemon
assert_eq "$lib" "$(libdevmapper_of "$build/sbin/dmsetup")" "libdevmapper of dmsetup"
assert_eq "$lib" "$(libdevmapper_of /usr/sbin/dmfilemapd)" "libdevmapper of /usr/sbin/dmfilemapd"

step "dmstats create --filemap --nomonitor writes the quoted descriptor"
dev=$(make_linear lin)
make_fs ext4 "$dev" /mnt
fragmented_file /mnt/f 3
gid=$(filemap_create /mnt/f --nomonitor)
aux=$(stats_list "$dev" | awk -v id="$gid:" '$1 == id { print $5 }')
assert_match '^DMS_GROUP="f":[0-9]' "$aux" "aux_data of region $gid"
check_group /mnt/f "$dev" "$gid"

step "without --nomonitor it starts no daemon, and says so"
dmstats create --filemap /mnt/f --alias g >/tmp/create.out 2>&1 ||
	fail "dmstats create --filemap failed: $(cat /tmp/create.out)"
grep -qx 'dmfilemapd support disabled.' /tmp/create.out ||
	fail "dmstats did not say it cannot start a daemon: $(cat /tmp/create.out)"
sleep 1
assert_eq "" "$(daemon_pids)" "dmfilemapd processes"
echo "ok: library 1.02.205 from $lib"
