#!/bin/bash
# Other processes change the group, and the daemon does what dmfilemapd(8)
# says (HOW THE GROUP IS KEPT, TIMING, FAULTS), seen at the group check that their
# use of the control node prompts, within a second:
#   - a region another process makes, which takes an id below the group's
#     leader and lies on the file's data, is not the group's: it is left
#     as it is, the group keeps its id, and growth goes on around it;
#   - the leader deleted with `dmstats delete --regionid` (which dissolves
#     the group) ends the daemon with status 0, the regions left as they
#     are;
#   - a member deleted with `dmstats delete --regionid` (which also drops
#     it from the descriptor) is re-created (FAULTS: "a member region
#     deleted by someone else");
#   - the descriptor cleared with a raw @stats_set_aux (ungrouped) ends
#     the daemon with status 0, the regions left as they are.
# (leader_not_lowest.sh covers a member deleted with a raw @stats_delete
# and the daemon's own new region taking an id below the leader;
# group_lifecycle.sh covers `dmstats delete --groupid` and `dmstats
# ungroup`.)
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

# A prompted group check comes within a second (dmfilemapd(8), TIMING);
# the margin covers the pass and a slow emulated guest.
WITHIN_MS=2500

# start NAME EXTENTS: maps /mnt/NAME in EXTENTS extents, its daemon in the
# foreground; sets PID[NAME].
declare -A PID
start() {
	fragmented_file "/mnt/$1" "$2"
	filemap_foreground "/tmp/$1.log" "/mnt/$1" -v
	wait_log "/tmp/$1.log" "started: .* /mnt/$1\$"
	check_group "/mnt/$1" "$dev" "$FG_GID"
	PID[$1]=$FG_PID
}

# places IDS: "id: start+len" of the regions IDS (one or more a line).
places() {
	stats_list "$dev" | awk -v ids=" ${1//$'\n'/ } " '
		{ id = $1; sub(/:$/, "", id) }
		index(ids, " " id " ") { print $1, $2 }'
}

# expect_ended NAME GID WHAT MEMBERS KEPT: NAME's daemon sees its group
# WHAT (dissolved, ungrouped) within WITHIN_MS, says so, exits 0, and
# leaves the regions MEMBERS where they were before (KEPT, their places).
expect_ended() {
	local name=$1 gid=$2 what=$3 members=$4 kept=$5 t0 took
	t0=$(now_ms)
	assert_exit 0 "${PID[$name]}" 5 "exit status of $name's daemon"
	took=$(($(now_ms) - t0))
	[ "$took" -le "$WITHIN_MS" ] || fail "$name's daemon took $took ms to see its group $what"
	wait_log "/tmp/$name.log" "^dmfilemapd: group $gid was deleted or ungrouped: exiting\$"
	sleep 1
	assert_eq "$kept" "$(places "$members")" "$name's former members"
}

require_daemon
step "ext4 on a dm-linear device, /mnt/f in 4 extents and /mnt/g in 3, their daemons"
setup_mapped
start f 4
start g 3
gid=$(group_id_by_alias "$dev" f)

step "f's first extent punched out: the leader goes, f's id moves up"
fallocate -p -o 0 -l 1M /mnt/f
wait_group /mnt/f "$dev" f
old_gid=$gid
gid=$(group_id_by_alias "$dev" f)
[ "$gid" -gt "$old_gid" ] || fail "group f kept id $gid after its first extent went"

step "another process makes a region below f's leader, on f's data"
read -r _ start len < <(group_regions "$dev" "$gid" | head -n 1)
low=$(dmsetup message lin 0 @stats_create "$start+$len" /1 dmstats -)
[ "$low" -lt "$gid" ] || fail "the region took id $low, not one below $gid"
line=$(region_line "$dev" "$low")
# Long enough for the group check that dmsetup prompted.
sleep 2
assert_eq "$line" "$(region_line "$dev" "$low")" "the region below the leader"
assert_eq "$gid" "$(group_id_by_alias "$dev" f)" "f's group id"
check_group /mnt/f "$dev" "$gid"
fallocate -l 12M /mnt/f
wait_group /mnt/f "$dev" f
assert_eq "$gid" "$(group_id_by_alias "$dev" f)" "f's group id after growth"
assert_eq "$line" "$(region_line "$dev" "$low")" "the region below the leader after growth"
group_valid "$dev" "$gid"
wait_no_strays 30 "$dev" "$low"
assert_running "${PID[f]}" "f's daemon"

step "f's leader deleted with dmstats delete --regionid: the group is dissolved"
members=$(group_members "$dev" "$gid" | grep -vx "$gid")
kept=$(places "$members")
[ -n "$kept" ] || fail "group f has no member but its leader: nothing to watch"
dmstats delete --regionid "$gid" lin
expect_ended f "$gid" dissolved "$members" "$kept"
assert_eq "$line" "$(region_line "$dev" "$low")" "the region below f's former leader"

gid_g=$(group_id_by_alias "$dev" g)
step "a member of g deleted with dmstats delete --regionid"
read -r victim start len < <(group_regions "$dev" "$gid_g" | sed -n 3p)
dmstats delete --regionid "$victim" lin
t0=$(now_ms)
# The daemon may already have re-covered the range with a region of a
# lower free id, and moved the group there: look it up by its alias.
wait_group /mnt/g "$dev" g 10
took=$(($(now_ms) - t0))
echo "   $start+$len covered again after $took ms"
[ "$took" -le "$WITHIN_MS" ] || fail "the deleted member came back after $took ms"
wait_log /tmp/g.log "updated: .* 1 created, 0 deleted\$"

step "g's descriptor cleared with a raw @stats_set_aux: the group is ungrouped"
gid_g=$(group_id_by_alias "$dev" g)
members=$(group_members "$dev" "$gid_g")
kept=$(places "$members")
dmsetup message lin 0 @stats_set_aux "$gid_g" -
expect_ended g "$gid_g" ungrouped "$members" "$kept"
assert_eq "-" "$(region_line "$dev" "$gid_g" | awk '{ print $5 }')" "aux_data of g's former leader"
assert_eq "" "$(unwatched dmstats list --group --noheadings lin 2>/dev/null)" "groups left on $dev"
echo "ok: the daemons did what the manual says when others changed their groups"
