#!/bin/bash
# Every wrong command line argument is refused before anything is touched:
# one line on stderr naming the argument and what is wrong with it (with the
# usage line when arguments are missing or extra), exit status 2, or 1 when
# the fd itself is unusable, no daemon left, no region changed.  The runs
# ask to detach (FOREGROUND 0), as dmstats does: errors must still reach
# the caller.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

require_daemon
step "ext4 on a dm-linear device, a mapped file without a daemon"
setup_mapped --pieces 2 --nomonitor /mnt/f
usage="usage: dmfilemapd FD GROUP_ID ABS_PATH inode|path [FOREGROUND [VERBOSE]]
       dmfilemapd --create [--alias NAME] [--precise] [--bounds LIST]
                  [--device MAJOR:MINOR] [--follow inode|path]
                  [--foreground] [--verbose N] [--delete-on-stop] FILE
       dmfilemapd --groupid ID [--device MAJOR:MINOR]
                  [--follow inode|path] [--foreground] [--verbose N]
                  [--delete-on-stop] FILE"
ok='3</mnt/f'

step "missing and extra arguments"
assert_refused "$dev" 2 "dmfilemapd: missing arguments"$'\n'"$usage" ''
assert_refused "$dev" 2 "dmfilemapd: missing arguments"$'\n'"$usage" "$ok" 3 "$gid" /mnt/f
assert_refused "$dev" 2 "dmfilemapd: too many arguments: 'more' is extra"$'\n'"$usage" \
	"$ok" 3 "$gid" /mnt/f inode 0 0 more

step "FD"
assert_refused "$dev" 2 "dmfilemapd: FD 'three' is not a number" "$ok" three "$gid" /mnt/f inode 0 0
assert_refused "$dev" 2 "dmfilemapd: FD '-3' is negative" "$ok" -3 "$gid" /mnt/f inode 0 0
assert_refused "$dev" 2 "dmfilemapd: FD '' is empty" "$ok" '' "$gid" /mnt/f inode 0 0
assert_refused "$dev" 2 "dmfilemapd: FD '99999999999' is out of range" "$ok" 99999999999 "$gid" /mnt/f inode 0 0
assert_refused "$dev" 1 "dmfilemapd: FD 9 is not open" "$ok" 9 "$gid" /mnt/f inode 0 0
assert_refused "$dev" 1 "dmfilemapd: FD 3 is a directory, not a regular file" '3</mnt' 3 "$gid" /mnt/f inode 0 0
assert_refused "$dev" 1 "dmfilemapd: FD 3 is a pipe, not a regular file" '3< <(:)' 3 "$gid" /mnt/f inode 0 0
assert_refused "$dev" 1 "dmfilemapd: FD 3 is a device node, not a regular file" "3<$dev" 3 "$gid" /mnt/f inode 0 0
assert_refused "$dev" 1 "dmfilemapd: FD 3 is a device node, not a regular file" '3</dev/null' 3 "$gid" /mnt/f inode 0 0
assert_refused "$dev" 1 "dmfilemapd: FD 0 is a device node, not a regular file" '</dev/null' 0 "$gid" /mnt/f inode 0 0
assert_refused "$dev" 1 "dmfilemapd: FD 3 is open write-only; it must be readable" '3>>/mnt/f' 3 "$gid" /mnt/f inode 0 0

step "GROUP_ID"
assert_refused "$dev" 2 "dmfilemapd: GROUP_ID 'zero' is not a number" "$ok" 3 zero /mnt/f inode 0 0
assert_refused "$dev" 2 "dmfilemapd: GROUP_ID '-1' is negative" "$ok" 3 -1 /mnt/f inode 0 0
assert_refused "$dev" 2 "dmfilemapd: GROUP_ID '2147483648' is out of range" "$ok" 3 2147483648 /mnt/f inode 0 0

step "ABS_PATH and the mode"
assert_refused "$dev" 2 "dmfilemapd: ABS_PATH 'mnt/f' is not absolute" "$ok" 3 "$gid" mnt/f inode 0 0
assert_refused "$dev" 2 "dmfilemapd: ABS_PATH '' is empty" "$ok" 3 "$gid" '' inode 0 0
assert_refused "$dev" 2 "dmfilemapd: mode 'inodes' is neither 'inode' nor 'path'" "$ok" 3 "$gid" /mnt/f inodes 0 0
assert_refused "$dev" 2 "dmfilemapd: mode '' is neither 'inode' nor 'path'" "$ok" 3 "$gid" /mnt/f '' 0 0

step "FOREGROUND and VERBOSE"
assert_refused "$dev" 2 "dmfilemapd: FOREGROUND '2' is out of range (0-1)" "$ok" 3 "$gid" /mnt/f inode 2 0
assert_refused "$dev" 2 "dmfilemapd: FOREGROUND 'yes' is not a number" "$ok" 3 "$gid" /mnt/f inode yes 0
assert_refused "$dev" 2 "dmfilemapd: VERBOSE '4' is out of range (0-3)" "$ok" 3 "$gid" /mnt/f inode 0 4
assert_refused "$dev" 2 "dmfilemapd: VERBOSE '-1' is negative" "$ok" 3 "$gid" /mnt/f inode 0 -1
step "--groupid"
assert_refused "$dev" 2 "dmfilemapd: --groupid needs a value"$'\n'"$usage" '' --groupid
assert_refused "$dev" 2 "dmfilemapd: missing FILE"$'\n'"$usage" '' --groupid "$gid"
assert_refused "$dev" 2 "dmfilemapd: --groupid 'g' is not a number" '' --groupid g /mnt/f
assert_refused "$dev" 2 "dmfilemapd: unknown option '--alias' (with --groupid)"$'\n'"$usage" '' \
	--groupid "$gid" --alias a /mnt/f
assert_refused "$dev" 1 "dmfilemapd: FILE '/mnt/none' does not exist" '' --groupid "$gid" /mnt/none
assert_refused "$dev" 1 "dmfilemapd: --groupid 99: no region 99 on lin" '' --groupid 99 /mnt/f
check_group /mnt/f "$dev" "$gid"
echo "ok: every bad argument refused"
