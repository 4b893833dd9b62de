#!/bin/bash
# Signals: SIGHUP runs a full sync at once (a member region deleted through
# a control node the daemon does not watch comes back well before the 60 s
# group check could bring it); SIGTERM and
# SIGINT end the daemon at once with status 0, the group left as it is.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

# region_at DEV START LEN: DEV has a region at START+LEN.
region_at() {
	stats_list "$1" | grep -q "^[0-9]*: $2+$3 "
}

require_daemon
step "ext4 on a dm-linear device, two mapped files"
setup_mapped --pieces 2 --foreground /tmp/b.log /mnt/b -v
pid_b=$pid
wait_log /tmp/b.log "started: .* /mnt/b\$"
fragmented_file /mnt/a 3
# The daemon's first pass, after this, puts its first group check 60 s later.
started=$(now_ms)
filemap_foreground /tmp/a.log /mnt/a -vvv
pid_a=$FG_PID
gid_a=$FG_GID
read -r id start len < <(group_regions "$dev" "$gid_a" | tail -n 1)
wait_log /tmp/a.log "^dmfilemapd: plan: keep"

step "a member region of /mnt/a deleted by hand, then SIGHUP"
unwatched dmsetup message lin 0 @stats_delete "$id"
kill -HUP "$pid_a"
wait_until 3 region_at "$dev" "$start" "$len"
took=$(($(now_ms) - started))
[ "$took" -lt 5000 ] ||
	fail "the region came back $took ms after the daemon started: the group check may have done it"
wait_log /tmp/a.log "^dmfilemapd: SIGHUP: full sync\$"
wait_log /tmp/a.log "^dmfilemapd: created region [0-9]+ at $start\+$len\$"
check_group /mnt/a "$dev" "$gid_a"

step "SIGTERM to /mnt/a's daemon"
before=$(stats_list "$dev")
kill -TERM "$pid_a"
assert_exit 0 "$pid_a" 2 "exit status after SIGTERM"
wait_log /tmp/a.log "^dmfilemapd: Terminated: exiting, group $gid_a left as it is\$"
assert_eq "$before" "$(stats_list "$dev")" "regions after SIGTERM"

step "SIGINT to /mnt/b's daemon"
kill -INT "$pid_b"
assert_exit 0 "$pid_b" 2 "exit status after SIGINT"
wait_log /tmp/b.log "^dmfilemapd: Interrupt: exiting, group [0-9]+ left as it is\$"
assert_eq "$before" "$(stats_list "$dev")" "regions after SIGINT"
echo "ok: SIGHUP re-created region $id $took ms after the daemon started; SIGTERM and SIGINT left the groups"
