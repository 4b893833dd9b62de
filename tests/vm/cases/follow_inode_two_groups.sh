#!/bin/bash
# Two groups may map the same file (dmstats create --filemap twice), each
# with its own daemon.  Each daemon holds the file only to follow it: when
# the file's last name is removed, neither may count the other as a holder
# that keeps the file alive, or both would wait for each other for ever,
# and the deleted file's blocks would never be freed.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

require_daemon
step "ext4 on a dm-linear device, one file mapped by two groups"
setup_mapped --alloc 2M --foreground /tmp/one.log /mnt/f --alias one -v
one=$pid
wait_log /tmp/one.log "started: .* /mnt/f\$"
filemap_foreground /tmp/two.log /mnt/f --alias two -v
two=$FG_PID
wait_log /tmp/two.log "started: .* /mnt/f\$"
check_group /mnt/f "$dev" "$(group_id_by_alias "$dev" one)"
check_group /mnt/f "$dev" "$(group_id_by_alias "$dev" two)"

step "the file removed: both daemons exit 0"
# On failure, the daemons' logs say what each thought of the other.
trap 'status=$?; [ "$status" = 0 ] || sed "s/^/  log: /" /tmp/one.log /tmp/two.log; exit "$status"' EXIT
before=$(stats_list "$dev")
rm /mnt/f
assert_exit 0 "$one" 5 "exit status of the first group's daemon"
assert_exit 0 "$two" 5 "exit status of the second group's daemon"
wait_log /tmp/one.log "^dmfilemapd: /mnt/f was deleted and nothing else holds it: exiting, group [0-9]+ left as it is\$"
wait_log /tmp/two.log "^dmfilemapd: /mnt/f was deleted and nothing else holds it: exiting, group [0-9]+ left as it is\$"
assert_eq "$before" "$(stats_list "$dev")" "regions after the daemons left"
echo "ok: two daemons of one deleted file both ended"
