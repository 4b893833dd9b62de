#!/bin/bash
# SIGHUP runs a full pass: it re-reads the file as well as the group.
# Blocks that writes through a shared memory mapping allocate send no
# inotify event, so the daemon does not see them until its check a minute
# later; a SIGHUP makes it cover them at once, and the daemon keeps
# running.  (signals.sh covers the group side: a member region deleted
# behind the daemon's back comes back on SIGHUP.)
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

file=/mnt/f
log=/tmp/daemon.log

# updates: the group updates the daemon has logged so far.
updates() {
	grep -c "updated:" "$log" || true
}

# map_write OFFSET LEN: writes through xfs_io's shared mapping of the file
# and syncs it, so that the file system allocates the blocks.
map_write() {
	printf '%s\n' "mmap -w $1 $2" "mwrite $1 $2" "msync -s $1 $2" "munmap" >&"${xfs_io[1]}"
}

# map_allocated OFFSET_MIB LEN_MIB: the blocks at that range of the file
# are on the device.
map_allocated() {
	filefrag -e -b1048576 "$file" | awk -v off="$1" -v len="$2" '
		/^ *[0-9]+:/ {
			line = $0; gsub(/ /, "", line); split(line, f, ":"); split(f[2], r, /\.\./)
			if (r[1] <= off && r[2] >= off + len - 1 && line !~ /delalloc|unknown/) found = 1
		}
		END { exit !found }'
}

require_daemon
step "ext4 on a dm-linear device, a sparse file of 40 MiB with 2 extents"
setup_mapped
fragmented_file "$file" 2
truncate -s 40M "$file"
filemap_foreground "$log" "$file" -v
pid=$FG_PID
wait_log "$log" "started: .* $file\$"
check_group "$file" "$dev" "$FG_GID"
# One xfs_io process holds the file open for writing throughout: its
# open and close would be events.
coproc xfs_io { exec xfs_io "$file" >/dev/null 2>&1; }
# shellcheck disable=SC2154 # set by coproc
xfs_io_pid=$xfs_io_PID

step "4 MiB written through a shared mapping into a hole"
seen=$(updates)
map_write 20m 4m
wait_until 10 map_allocated 20 4
# Give a daemon that would see the change the time to act on it (the
# daemon's own check comes a minute after its first pass).
sleep 2
assert_eq "$seen" "$(updates)" "group updates without an event"
! holds check_group "$file" "$dev" "$FG_GID" ||
	fail "the group already covers the mapped write: the test proves nothing"

step "SIGHUP: the daemon re-reads the file"
start=$(now_ms)
kill -HUP "$pid"
wait_in_step 15 "$file" "$dev" "$(group_id_by_alias "$dev" f)"
echo "   in step $(($(now_ms) - start)) ms after SIGHUP"
wait_log "$log" "SIGHUP: full sync\$"
assert_running "$pid" "the daemon after SIGHUP"

step "again, at the file's start, below the group's first region"
map_write 0 1m
wait_until 10 map_allocated 0 1
sleep 1
kill -HUP "$pid"
wait_in_step 15 "$file" "$dev" "$(group_id_by_alias "$dev" f)"
assert_running "$pid" "the daemon after the second SIGHUP"
wait_no_strays 30 "$dev"

echo quit >&"${xfs_io[1]}"
wait "$xfs_io_pid" || true
kill -TERM "$pid"
assert_exit 0 "$pid" 5 "exit status after SIGTERM"
echo "ok: SIGHUP brought in blocks allocated through a mapping"
