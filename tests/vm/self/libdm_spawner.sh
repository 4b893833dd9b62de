#!/bin/bash
# Runner self-test, run with --libdm spawner: libdevmapper 1.02.205 built
# with --enable-dmfilemapd, whose `dmstats create --filemap` starts
# /usr/sbin/dmfilemapd, which then runs on that library too (it inherits
# dmstats's environment).  Debian 12's library (1.02.185) or the trixie
# build fails one of the steps.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

build=/opt/libdm/spawner
lib=$build/lib/libdevmapper.so.1.02.1

step "the script runs on the spawner build: dmstats reports library 1.02.205"
assert_libdm spawner 1.02.205

step "dmstats create --filemap starts /usr/sbin/dmfilemapd on $lib"
require_daemon
dev=$(make_linear lin)
make_fs ext4 "$dev" /mnt
fragmented_file /mnt/f 3
gid=$(filemap_create /mnt/f)
pid=$(wait_for_daemon "$gid" /mnt/f)
assert_eq /usr/sbin/dmfilemapd "$(readlink "/proc/$pid/exe")" "daemon executable"
assert_eq "$lib" "$(libdevmapper_of "$pid")" "libdevmapper mapped by the daemon (pid $pid)"
aux=$(stats_list "$dev" | awk -v id="$gid:" '$1 == id { print $5 }')
assert_match '^DMS_GROUP="f":[0-9]' "$aux" "aux_data of region $gid"
echo "ok: dmstats on library 1.02.205 started dmfilemapd (pid $pid) on $lib"
