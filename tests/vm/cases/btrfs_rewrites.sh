#!/bin/bash
# dmfilemapd(8), BTRFS: every write within a copy-on-write file moves its
# data.  Rewritten all the time, the file is followed about once a second
# (when the writes pause for 200 ms, 1 s after the first at the latest),
# not once per write, and the group is in step once they stop; growth is
# followed.  A nodatacow file's writes stay in place: its group is never
# touched by them.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

# passes LOG: the passes that changed the group so far (verbosity 1).
passes() {
	grep -c "updated:" "$1" || true
}

# follow FILE LOG: makes FILE's group with a foreground daemon logging to
# LOG; waits until the group covers FILE; prints the daemon's pid.
follow() {
	dmfilemapd --create --foreground --verbose 1 "$1" >/dev/null 2>"$2" &
	wait_for_daemon "$(group_id_by_alias_wait "$dev" "${1##*/}")" "$1"
}

# group_id_by_alias_wait DEV ALIAS: the group's id, once it exists.
group_id_by_alias_wait() {
	wait_until 10 holds group_id_by_alias "$1" "$2" >/dev/null
	group_id_by_alias "$1" "$2"
}

require_daemon
setup_mapped --fs btrfs --name bcow

step "a copy-on-write file rewritten every 20 ms: followed about once a second"
dd if=/dev/urandom of=/mnt/f bs=1M count=16 oflag=direct status=none
pid=$(follow /mnt/f /tmp/f.log)
wait_group /mnt/f "$dev" f
before=$(passes /tmp/f.log)
start=$(now_ms)
writes=$(overwrite /mnt/f 200 20 1)
seconds=$(( ($(now_ms) - start + 999) / 1000 ))
wait_group /mnt/f "$dev" f 5
n=$(($(passes /tmp/f.log) - before))
echo "  $writes writes in ${seconds} s: $n passes changed the group"
assert_eq 200 "$writes" "overwrites done"
[ "$n" -ge 1 ] || fail "no pass followed the rewrites"
# A pass a second, and at times one more: a group whose lowest region
# changed is checked at once when the daemon takes its new id.
[ "$n" -le $((2 * seconds + 2)) ] || fail "$n passes for $writes rewrites in $seconds s: not about one a second"

step "growth is followed (at once: test_schedule's test_growth_not_held_back)"
dd if=/dev/urandom of=/mnt/f bs=1M count=1 seek=16 oflag=direct conv=notrunc status=none
wait_group /mnt/f "$dev" f 5
kill "$pid"
wait_until 10 process_gone "$pid"

step "nodatacow: writes stay in place, the group is not touched"
touch /mnt/n
chattr +C /mnt/n
dd if=/dev/urandom of=/mnt/n bs=1M count=8 oflag=direct conv=notrunc status=none
pid=$(follow /mnt/n /tmp/n.log)
wait_group /mnt/n "$dev" n
layout=$(file_extents /mnt/n "$dev")
before=$(passes /tmp/n.log)
overwrite /mnt/n 100 10 2 >/dev/null
sleep 1.5
assert_eq "$layout" "$(file_extents /mnt/n "$dev")" "the nodatacow file's layout after 100 rewrites"
assert_eq "$before" "$(passes /tmp/n.log)" "passes that changed the nodatacow file's group"
check_group /mnt/n "$dev" "$(group_id_by_alias "$dev" n)"
kill "$pid"
wait_until 10 process_gone "$pid"
