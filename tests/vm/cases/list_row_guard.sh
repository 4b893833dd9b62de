#!/bin/bash
# libdevmapper reads @stats_list rows of at most 4095 characters, newline
# included, and one longer row makes `dmstats list` fail for the whole
# device.  A group whose leader row is one character short of that limit
# (a long alias) must not be grown past it: when the file gets a new
# extent, the daemon logs why, deletes the region it made for it, keeps
# the group as it is and goes on running; `dmstats list` keeps working.
# Once the file is back to its extent, the group matches it again.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

ROW_MAX=4095    # libdevmapper 1.02.185's row buffer, newline included

require_daemon
step "ext4 on a dm-linear device, a file of one extent, its group"
setup_mapped
fallocate -l 1M /mnt/f
fallocate -l 1M /mnt/filler
sync
gid=$(filemap_create /mnt/f --nomonitor)
assert_eq 0 "$gid" "the group's id"

step "an alias that leaves the leader's row one character short of the limit"
row=$(stats_list "$dev" | head -n 1)
short=$(printf '%s\n' "$row" | sed 's/DMS_GROUP=[^:]*:/DMS_GROUP=:/')
alias=$(head -c $((ROW_MAX - 2 - ${#short})) /dev/zero | tr '\0' a)
unwatched dmsetup message lin 0 @stats_set_aux 0 "DMS_GROUP=$alias:0#-"
row=$(stats_list "$dev" | head -n 1)
assert_eq $((ROW_MAX - 2)) "${#row}" "the leader's row length, without its newline"
unwatched dmstats list lin >/dev/null || fail "dmstats list cannot read the device"
before=$(stats_list "$dev")

step "the daemon in the foreground; the file gets a second extent"
# shellcheck disable=SC2094 # the daemon only reads the file it follows
dmfilemapd 3 0 /mnt/f inode 1 2 3</mnt/f 2>/tmp/daemon.log &
pid=$!
wait_log /tmp/daemon.log "started: "
sleep 0.5
fallocate -l 2M /mnt/f
sync
[ "$(file_extents /mnt/f | wc -l)" -ge 2 ] || fail "the file did not get a second extent"
wait_log /tmp/daemon.log "too long for libdevmapper to list"
wait_log /tmp/daemon.log "deleted region"
sleep 0.5
unwatched dmstats list lin >/dev/null || fail "dmstats list fails on the device"
assert_eq "$before" "$(stats_list "$dev")" "the device's regions"
assert_running "$pid"

step "the file back to its one extent: the group matches it again"
truncate -s 1M /mnt/f
sync
wait_in_step 12 /mnt/f "$dev" 0
assert_eq "$before" "$(stats_list "$dev")" "the device's regions"
kill "$pid"
assert_exit 0 "$pid" 5
echo "ok: no descriptor past libdevmapper's row limit"
