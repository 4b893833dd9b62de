#!/bin/bash
# Run in the guest by tests/check (package/vm) with the daemon unpacked from
# the .deb as /usr/sbin/dmfilemapd: Debian's `dmstats create --filemap`
# starts that very binary, and the group follows the file as it grows.
# packaged.sha256, beside this script, is the packaged binary's checksum.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

require_daemon
step "the guest's /usr/sbin/dmfilemapd is the packaged one"
read -r want _ </test/packaged.sha256
read -r got _ < <(sha256sum /usr/sbin/dmfilemapd)
assert_eq "$want" "$got" "sha256 of /usr/sbin/dmfilemapd"

step "ext4 on a dm-linear device, a file of 3 extents mapped by dmstats"
setup_mapped --pieces 3 /mnt/f
assert_eq /usr/sbin/dmfilemapd "$(readlink "/proc/$pid/exe")" "daemon executable"

step "the file grows: the group follows"
fallocate -l 12M /mnt/f
wait_group /mnt/f "$dev" f
wait_no_strays 30 "$dev"
assert_running "$pid" "the packaged daemon"
echo "ok: the packaged dmfilemapd (pid $pid) follows group $gid"
