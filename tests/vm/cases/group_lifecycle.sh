#!/bin/bash
# The group's end ends the daemon with status 0: `dmstats delete --groupid`
# (its regions gone) and `dmstats ungroup` (its regions kept, ungrouped) are
# seen by the group check that their use of device-mapper prompts; a file
# truncated to nothing makes the daemon
# remove the group itself.  Nothing is re-created behind dmstats's back.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

# start_daemon NAME: maps /mnt/NAME in 2 extents; sets PID[NAME] and
# GID[NAME].
declare -A PID GID
start_daemon() {
	fragmented_file "/mnt/$1" 2
	filemap_foreground "/tmp/$1.log" "/mnt/$1" -v
	wait_log "/tmp/$1.log" "started: .* /mnt/$1\$"
	check_group "/mnt/$1" "$dev" "$FG_GID"
	PID[$1]=$FG_PID
	GID[$1]=$FG_GID
}

# places DEV [IDS...]: "id: start+len" of DEV's regions (only IDS if given).
places() {
	local dev=$1
	shift
	stats_list "$dev" | awk -v ids=" $* " '
		{ id = $1; sub(/:$/, "", id) }
		ids == "  " || index(ids, " " id " ") { print $1, $2 }'
}

require_daemon
step "ext4 on a dm-linear device, three mapped files"
setup_mapped
for name in deleted ungrouped emptied; do start_daemon "$name"; done
regions_emptied=$(group_regions "$dev" "${GID[emptied]}" | awk '{ printf "%s ", $1 }')
# What dmstats ungroup must leave, and the daemon then leave alone.
list=$(group_members "$dev" "${GID[ungrouped]}")
mapfile -t members <<<"$list"
ungrouped=$(places "$dev" "${members[@]}")

step "dmstats delete, dmstats ungroup and truncate -s 0, at once"
start=$(now_ms)
dmstats delete --groupid "${GID[deleted]}" "$dev"
dmstats ungroup --groupid "${GID[ungrouped]}" "$dev"
truncate -s 0 /mnt/emptied

step "the emptied file's daemon removes its group and exits 0"
assert_exit 0 "${PID[emptied]}" 5 "exit status after truncate -s 0"
wait_log /tmp/emptied.log "^dmfilemapd: /mnt/emptied has no data[^:]*: removing group ${GID[emptied]} and exiting\$"
for id in $regions_emptied; do
	! stats_list "$dev" | grep -q "^$id: " || fail "region $id of the emptied file's group is left"
done

step "the other two see the prompted group check fail and exit 0"
assert_exit 0 "${PID[deleted]}" 8 "exit status after dmstats delete"
assert_exit 0 "${PID[ungrouped]}" 8 "exit status after dmstats ungroup"
took=$(($(now_ms) - start))
# A prompted check comes within 1 s; the rest is slack for a slow emulated guest.
[ "$took" -le 3500 ] || fail "the daemons took $took ms to see their groups end"
wait_log /tmp/deleted.log "^dmfilemapd: group ${GID[deleted]} was deleted or ungrouped: exiting\$"
wait_log /tmp/ungrouped.log "^dmfilemapd: group ${GID[ungrouped]} was deleted or ungrouped: exiting\$"
assert_eq "$ungrouped" "$(places "$dev")" "regions left on $dev (the ungrouped ones only)"
assert_eq "" "$(dmstats list --group --noheadings "$dev" 2>/dev/null)" "groups left on $dev"
echo "ok: the daemons ended with their groups"
