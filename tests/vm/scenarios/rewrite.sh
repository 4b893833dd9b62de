#!/bin/bash
# A group made by Debian's `dmstats create --filemap` on the filesystem named
# by the first argument (ext4, xfs, or btrfs, where `dmfilemapd --create`
# stands for dmstats) follows its file when the file is rewritten in place:
# emptied and refilled 50 ms later (the daemon must not take the brief
# emptiness for the end), and overwritten by cp, whose data the filesystem
# places only at writeback.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

fs="${1:?filesystem}"
file=/mnt/f

require_daemon
step "$fs on a dm-linear device, an 8 MiB file"
setup_mapped --fs "$fs" --alloc 8M "$file"

step "emptied, left empty for 50 ms, refilled"
old=$(file_extents "$file" "$dev")
# One xfs_io process, fed line by line: it truncates the file, lets a
# filler take the freed space (so the new data lands elsewhere), and 50 ms
# later, well within the daemon's 200 ms grace, refills the file.
coproc xfs_io { exec xfs_io "$file" >/dev/null 2>&1; }
# bash forgets a coproc's pid once it has ended: keep it for the wait.
xfs_io_pid=$!
printf '%s\n' "truncate 0" "open -f /mnt/filler" "falloc 0 8m" "file 0" >&"${xfs_io[1]}"
mkfifo /tmp/idle
exec 7<>/tmp/idle
read -r -t 0.05 -u 7 _ || true	# waits 50 ms without forking
printf '%s\n' "falloc 0 6m" quit >&"${xfs_io[1]}"
# An xfs_io already reaped by bash makes wait fail: it has finished anyway.
wait "$xfs_io_pid" 2>/dev/null || true
new=$(file_extents "$file" "$dev")
[ "$new" != "$old" ] || fail "the refilled file reuses its old sectors: nothing to follow"
wait_group "$file" "$dev" f
assert_no_strays "$dev"
assert_running "$pid" "the daemon after the file was briefly empty"

step "overwritten by cp from another file, then synced"
head -c 3M /dev/urandom >/mnt/source
sync
old=$(file_extents "$file" "$dev")
cp --reflink=never /mnt/source "$file"
sync
assert_allocated "$file"
new=$(file_extents "$file" "$dev")
[ "$new" != "$old" ] || fail "cp reused the file's old sectors: nothing to follow"
wait_group "$file" "$dev" f
assert_no_strays "$dev"
assert_running "$pid"
echo "ok: group follows $file on $fs through rewrites"
