#!/bin/bash
# --follow path: the daemon follows whatever file is at the path.  A file
# renamed over it, or made anew right after the old one is removed, takes
# over the group; a path left empty for over a second ends the daemon with
# status 0 and the group left as it is.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

file=/mnt/f
log=/tmp/daemon.log

# holds_only_current PID: the daemon has the file now at $file open, and
# no deleted file (the one it followed before).
holds_only_current() {
	local fds
	fds=$(fd_targets "$1")
	printf '%s\n' "$fds" | grep -q " $file\$" &&
		! printf '%s\n' "$fds" | grep -q '(deleted)'
}

require_daemon
step "ext4 on a dm-linear device, a 4 MiB file followed by path"
setup_mapped --alloc 4M --foreground "$log" "$file" --follow path -v
wait_log "$log" "started: .* follow path, $file\$"

step "another file renamed over the path"
fallocate -l 6M /mnt/new
mv /mnt/new "$file"
wait_log "$log" "$file was replaced: following the new file \(inode $(stat -c %i "$file")\)"
wait_group "$file" "$dev" f
wait_until 5 holds_only_current "$FG_PID"

step "the new file grows"
fallocate -l 9M "$file"
wait_group "$file" "$dev" f

step "the file removed and made again at once"
rm "$file"
fallocate -l 3M "$file"
wait_log "$log" "$file was replaced: following the new file \(inode $(stat -c %i "$file")\)"
wait_group "$file" "$dev" f
assert_no_strays "$dev"
assert_running "$FG_PID"

step "the path left empty"
before=$(stats_list "$dev")
start=$(now_ms)
rm "$file"
assert_exit 0 "$FG_PID" 10 "exit status once the path stayed empty"
waited=$(($(now_ms) - start))
[ "$waited" -ge 1000 ] || fail "the daemon gave up on the path after $waited ms, not 1 s"
wait_log "$log" "no file at $file for 1000 ms: exiting, group [0-9]+ left as it is"
assert_eq "$before" "$(stats_list "$dev")" "regions after the daemon left"
echo "ok: path mode followed two replacements and ended $waited ms after the path emptied"
