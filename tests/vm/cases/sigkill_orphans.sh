#!/bin/bash
# A daemon killed with SIGKILL in the middle of a pass that makes
# thousands of regions leaves regions it made but had not yet put in the
# group's descriptor.  The next daemon of the group (`dmstats
# update_filemap`) must bring the group in step and leave no region
# outside every group: the regions a daemon creates carry aux_data that
# tells the next daemon of the same group which were its own, and it
# deletes those orphans.  Ungrouped regions that are not a daemon's (a
# plain dmstats region, one with user data, another program's) are left
# byte for byte as they were.
# vm-options: --mem 1536
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

N=1000       # stripes: 2N regions to make when they split
FIRST=400    # regions the pass has made when SIGKILL comes
file=/mnt/f
log=/tmp/first.log

# created: the regions the first daemon's log says it created.
created() {
	grep -c "created region" "$log" || true
}

made_enough() {
	[ "$(created)" -ge "$FIRST" ]
}

# only_bystanders_stray: the only regions outside every group are the bystanders.
only_bystanders_stray() {
	[ "$(stray_regions "$dev" | wc -l)" = "${#bystanders[@]}" ]
}

require_daemon
step "ext4 on a dm-linear device, a file of $N extents of 3 blocks, its group"
setup_mapped
striped_file "$file" "$N"
gid=$(filemap_create "$file" --nomonitor)
check_group "$file" "$dev" "$gid"

step "bystanders: ungrouped regions of dmstats and of another program"
bystanders=()
out=$(dmstats create lin --start 8 --length 8)
bystanders+=("${out##* }")
out=$(dmstats create lin --start 16 --length 8 --userdata mine)
bystanders+=("${out##* }")
bystanders+=("$(dmsetup message lin 0 @stats_create 24+8 /1 otherprog -)")
declare -A line
for id in "${bystanders[@]}"; do
	line[$id]=$(region_line "$dev" "$id")
	[ -n "${line[$id]}" ] || fail "no bystander region $id"
done

step "the first daemon, in the foreground at -vv"
# shellcheck disable=SC2094 # the log is not the followed file
dmfilemapd 3 "$gid" "$file" inode 1 2 3<"$file" 2>"$log" &
pid=$!
wait_until 60 grep -q "started: fd 3, group $gid " "$log"
wait_until 60 waiting_in_poll "$pid"

step "the stripes split in two ($((2 * N)) new regions to make); SIGKILL mid-pass"
kill -STOP "$pid"
split_stripes "$file" "$N"
kill -CONT "$pid"
wait_until 60 made_enough
kill -KILL "$pid"
wait_until 10 process_gone "$pid"
wait "$pid" 2>/dev/null || true
made=$(created)
echo "   killed after $made regions created"
! grep -q "updated:" "$log" || fail "the pass had finished when SIGKILL came: the test proves nothing"
orphans=$(stray_regions "$dev" | wc -l)
echo "   $orphans regions outside every group (${#bystanders[@]} of them bystanders)"
[ "$orphans" -gt "${#bystanders[@]}" ] || fail "the killed daemon left no orphan: the test proves nothing"

step "dmstats update_filemap starts the group's next daemon"
gid=$(group_id_of "$dev" f)
dmstats update_filemap "$file" --groupid "$gid" >/tmp/update.out 2>&1 ||
	fail "dmstats update_filemap failed: $(cat /tmp/update.out)"
wait_group "$file" "$dev" f 120
if ! poll_until 30 only_bystanders_stray; then
	strays=$(stray_regions "$dev")
	fail "$(($(printf '%s\n' "$strays" | wc -l) - ${#bystanders[@]})) orphans left" \
		"outside every group (${#bystanders[@]} bystanders aside); ungrouped regions:" \
		"$(printf '%s\n' "$strays" | head -n 20 | tr '\n' ' ')..."
fi
for id in "${bystanders[@]}"; do
	assert_eq "${line[$id]}" "$(region_line "$dev" "$id")" "bystander region $id"
done
check_group "$file" "$dev" "$(group_id_by_alias "$dev" f)"
assert_eq 1 "$(daemon_pids | wc -l)" "daemons running"
echo "ok: the next daemon cleaned up $((orphans - ${#bystanders[@]})) orphans and left the bystanders"
