#!/bin/bash
# Debian's `dmstats create --filemap` on the filesystem named by the first
# argument (ext4, xfs, or btrfs, where `dmfilemapd --create` stands for
# dmstats) over dm-linear starts the project's dmfilemapd with the documented
# arguments, and the group it made covers the file.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

fs="${1:?filesystem}"

require_daemon
step "$fs on a dm-linear device, an 8 MiB file, dmstats create --filemap"
setup_mapped --fs "$fs" --alloc 8M /mnt/file
dmstats list --group "$dev"

step "the daemon is ours, started as dmstats documents"
assert_eq /usr/sbin/dmfilemapd "$(readlink "/proc/$pid/exe")" "daemon executable"
assert_match "^dmfilemapd [0-9]+ $gid /mnt/file inode 0 0\$" "$(daemon_cmdline "$pid")" "daemon arguments"
check_group /mnt/file "$dev" "$gid"
echo "ok: dmfilemapd (pid $pid) watches group $gid"
