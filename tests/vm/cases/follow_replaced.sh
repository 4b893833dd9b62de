#!/bin/bash
# What follow_inode.sh and follow_path.sh leave out.  Inode mode: another
# file renamed over the path removes the followed file's last name; when
# nothing else holds it the daemon exits 0 and leaves the group as it is,
# and the new file at the path is none of its business; when another
# process holds it the daemon goes on following the old file, deleted,
# never the new one at the path.  Path mode: the file removed while
# another process holds it still empties the path, so the daemon exits 0
# a second later and leaves the group as it is.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

declare -A PID

# start NAME MODE: maps /mnt/NAME (2 extents) in MODE; sets PID[NAME].
start() {
	fragmented_file "/mnt/$1" 2
	filemap_foreground "/tmp/$1.log" "/mnt/$1" --follow "$2" -v
	wait_log "/tmp/$1.log" "started: .* follow $2, /mnt/$1\$"
	check_group "/mnt/$1" "$dev" "$FG_GID"
	PID[$1]=$FG_PID
}

require_daemon
step "ext4 on a dm-linear device; /mnt/a and /mnt/b in inode mode, /mnt/c in path mode"
setup_mapped
start a inode
start b inode
start c path

step "inode mode: a new file renamed over /mnt/a, which nothing else holds"
fallocate -l 3M /mnt/new
before=$(stats_list "$dev")
mv /mnt/new /mnt/a
assert_exit 0 "${PID[a]}" 5 "exit status once /mnt/a was replaced"
wait_log /tmp/a.log "^dmfilemapd: /mnt/a was deleted and nothing else holds it: exiting, group [0-9]+ left as it is\$"
assert_eq "$before" "$(stats_list "$dev")" "regions after the daemon of /mnt/a left"

step "inode mode: a new file renamed over /mnt/b while this shell holds the old one"
exec 4</mnt/b
held=/proc/$$/fd/4
fallocate -l 3M /mnt/new
mv /mnt/new /mnt/b
wait_log /tmp/b.log "^dmfilemapd: /mnt/b was deleted but is still open elsewhere: following it until it is closed\$"
# The new file at the path grows: nothing to do with the group.
fallocate -l 9M /mnt/b
sleep 1
group_matches "$held" "$dev" b
# The old file, deleted but held, grows: the group follows it.
fallocate -l 6M "$held"
wait_group "$held" "$dev" b
assert_running "${PID[b]}" "the daemon of the held, replaced file"
before=$(stats_list "$dev")
exec 4<&-
assert_exit 0 "${PID[b]}" 5 "exit status once the old /mnt/b was closed"
assert_eq "$before" "$(stats_list "$dev")" "regions after the daemon of /mnt/b left"

step "path mode: /mnt/c removed while this shell holds it"
exec 5</mnt/c
before=$(stats_list "$dev")
start_ms=$(now_ms)
rm /mnt/c
assert_exit 0 "${PID[c]}" 10 "exit status once the path stayed empty"
waited=$(($(now_ms) - start_ms))
[ "$waited" -ge 1000 ] || fail "the daemon gave up on the path after $waited ms, not 1 s"
wait_log /tmp/c.log "no file at /mnt/c for 1000 ms: exiting, group [0-9]+ left as it is"
assert_eq "$before" "$(stats_list "$dev")" "regions after the daemon of /mnt/c left"
exec 5<&-
assert_eq "" "$(daemon_pids)" "daemons left"
echo "ok: replaced and held files followed as each mode says"
