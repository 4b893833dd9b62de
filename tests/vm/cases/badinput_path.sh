#!/bin/bash
# ABS_PATH must name the file open as FD (the same device and inode) in
# both modes: a path naming nothing, another file, a directory, a symlink
# to another file, or a path that cannot be looked up is refused before
# anything is touched: one line on stderr naming ABS_PATH and why, exit
# status 1, no daemon left, no region changed.  A symlink to the file
# itself names it, and is accepted.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

require_daemon
step "ext4 on a dm-linear device, a mapped file without a daemon, another file"
setup_mapped --pieces 2 --nomonitor /mnt/f
fallocate -l 1M /mnt/g
ln -s /mnt/g /mnt/to-g
ln -s /mnt/none /mnt/dangling
ln -s /mnt/f /mnt/to-f
ok='3</mnt/f'

for mode in inode path; do
	step "ABS_PATH that does not name FD's file, $mode mode"
	assert_refused "$dev" 1 "dmfilemapd: ABS_PATH '/mnt/none' does not exist" \
		"$ok" 3 "$gid" /mnt/none "$mode" 0 0
	assert_refused "$dev" 1 "dmfilemapd: ABS_PATH '/mnt/dangling' does not exist" \
		"$ok" 3 "$gid" /mnt/dangling "$mode" 0 0
	assert_refused "$dev" 1 "dmfilemapd: ABS_PATH '/mnt/g' names another file than FD 3" \
		"$ok" 3 "$gid" /mnt/g "$mode" 0 0
	assert_refused "$dev" 1 "dmfilemapd: ABS_PATH '/mnt/to-g' names another file than FD 3" \
		"$ok" 3 "$gid" /mnt/to-g "$mode" 0 0
	assert_refused "$dev" 1 "dmfilemapd: ABS_PATH '/mnt' is a directory, not the file open as FD 3" \
		"$ok" 3 "$gid" /mnt "$mode" 0 0
	assert_refused "$dev" 1 "dmfilemapd: ABS_PATH '/mnt/f/x' cannot be looked up: Not a directory" \
		"$ok" 3 "$gid" /mnt/f/x "$mode" 0 0
done

step "the path taken by another file after FD was opened (a replace race)"
assert_refused "$dev" 1 "dmfilemapd: ABS_PATH '/mnt/f' names another file than FD 3" \
	'3</mnt/g' 3 "$gid" /mnt/f inode 0 0
check_group /mnt/f "$dev" "$gid"

step "a symlink to FD's own file is accepted"
dmfilemapd 3 "$gid" /mnt/to-f path 1 1 3</mnt/f 2>/tmp/to-f.log &
daemon=$!
wait_log /tmp/to-f.log "^dmfilemapd: started: fd 3, group $gid on lin, follow path, /mnt/to-f\$"
kill -TERM "$daemon"
assert_exit 0 "$daemon" 5 "exit status after SIGTERM"
check_group /mnt/f "$dev" "$gid"
echo "ok: every ABS_PATH not naming FD's file refused"
