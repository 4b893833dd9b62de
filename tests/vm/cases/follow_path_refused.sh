#!/bin/bash
# --follow path refuses what it cannot follow: a file of another device put
# at the path (by a symlink renamed over it, or by a bind mount, which
# sends no inotify event but changes the mount table) and a directory put
# at the path.  Each daemon logs why and exits 1; no region changes.
# vm-options: --disk 1G --disk 64M
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

# start_path_daemon NAME: maps /mnt/NAME, followed by path; sets PID[NAME].
declare -A PID
start_path_daemon() {
	fallocate -l 2M "/mnt/$1"
	filemap_foreground "/tmp/$1.log" "/mnt/$1" --follow path -v
	wait_log "/tmp/$1.log" "started: .* follow path, /mnt/$1\$"
	check_group "/mnt/$1" "$dev" "$FG_GID"
	PID[$1]=$FG_PID
}

require_daemon
step "ext4 on two dm-linear devices, three files followed by path on the first"
setup_mapped
other=$(make_linear other /dev/vdb)
make_fs ext4 "$other" /mnt2
fallocate -l 1M /mnt2/g
fallocate -l 1M /mnt2/h
for name in sym bind dir; do start_path_daemon "$name"; done
before=$(stats_list "$dev")
[ "$(stat -c %d /mnt2/g)" != "$(stat -c %d /mnt/sym)" ] || fail "/mnt2 is on the same device"

step "a symlink to a file on the other device renamed over /mnt/sym"
ln -s /mnt2/g /mnt/sym.new
mv -T /mnt/sym.new /mnt/sym
step "a file on the other device bind-mounted over /mnt/bind"
mount --bind /mnt2/h /mnt/bind
step "/mnt/dir replaced by a directory"
rm /mnt/dir
mkdir /mnt/dir

step "each daemon says why and exits 1"
assert_exit 1 "${PID[sym]}" 5 "exit status after the symlink swap"
wait_log /tmp/sym.log "^dmfilemapd: /mnt/sym now names a file on another device, whose extents mean nothing to group [0-9]+: exiting\$"
# The bind mount sends no inotify event: the mount table's own does.
assert_exit 1 "${PID[bind]}" 5 "exit status after the bind mount"
wait_log /tmp/bind.log "^dmfilemapd: /mnt/bind now names a file on another device, whose extents mean nothing to group [0-9]+: exiting\$"
assert_exit 1 "${PID[dir]}" 5 "exit status after the directory took the path"
wait_log /tmp/dir.log "^dmfilemapd: /mnt/dir is no longer a regular file: exiting\$"
assert_eq "$before" "$(stats_list "$dev")" "regions of $dev"
assert_eq "" "$(stats_list "$other")" "regions of $other"
echo "ok: three replacements refused, no region touched"
