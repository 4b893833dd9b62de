#!/bin/bash
# The daemon changes its own group's regions and nothing else.  Beside the
# followed file's group, the device carries: another file's filemap group
# (made with --nomonitor, so that one daemon runs), a plain dmstats region
# with user aux data, a plain dmstats region without, a region of another
# program with precise timestamps and a histogram, and regions of other
# programs over the followed file's data: one exactly on its group's first
# region, one across a part of an extent.  Through growth, a punched hole,
# truncation, a rewrite of the followed file and the daemon's own exit (the
# file emptied: it removes its group), every foreign region keeps its
# @stats_list line byte for byte, and its counters (read with @stats_print,
# which does not clear them) never go down while reads go on.
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

FOREIGN=()       # ids of the regions that are not the followed group's
declare -A LINE  # id -> its @stats_list line as it was made
declare -A COUNT # id -> its counters at the last look
IO_ROUNDS=0

# read_range START LEN: reads LEN sectors at START of the device with O_DIRECT.
read_range() {
	dd if="$dev" of=/dev/null bs=512 skip="$1" count="$2" iflag=direct status=none
}

# io_round: reads every foreign region's range and the whole followed file,
# bypassing the page cache, so that every foreign region counts new reads.
io_round() {
	local id start len
	for id in "${FOREIGN[@]}"; do
		IFS='+' read -r start len < <(region_line "$dev" "$id" | awk '{ print $2 }')
		read_range "$start" "$len"
	done
	dd if=/mnt/f of=/dev/null bs=64K iflag=direct status=none
	IO_ROUNDS=$((IO_ROUNDS + 1))
}

# check_foreign WHAT: every foreign region as it was made, its counters
# not below the last look's, and its reads above them (it went on counting).
check_foreign() {
	local id now reads_then reads_now
	for id in "${FOREIGN[@]}"; do
		assert_eq "${LINE[$id]}" "$(region_line "$dev" "$id")" "region $id after $1"
		now=$(region_counters "$dev" "$id")
		assert_counters_not_lower "${COUNT[$id]}" "$now" "region $id after $1"
		reads_then=${COUNT[$id]%% *}
		reads_now=${now%% *}
		[ "$reads_now" -gt "$reads_then" ] ||
			fail "region $id counted no read during $1 ($reads_then then $reads_now)"
		COUNT[$id]=$now
	done
	echo "   ${#FOREIGN[@]} foreign regions unchanged after $1"
}

# foreign ID: records region ID as foreign.
foreign() {
	FOREIGN+=("$1")
	LINE[$1]=$(region_line "$dev" "$1")
	[ -n "${LINE[$1]}" ] || fail "no region $1 to record"
	COUNT[$1]=$(region_counters "$dev" "$1")
}

require_daemon
step "ext4 on a dm-linear device; /mnt/other's group without a daemon"
setup_mapped --pieces 2 --nomonitor /mnt/other --alias other
other_gid=$gid

step "/mnt/f mapped, its daemon in the foreground"
fragmented_file /mnt/f 3
filemap_foreground /tmp/daemon.log /mnt/f -vv
wait_log /tmp/daemon.log "started: .* /mnt/f\$"
gid=$FG_GID
check_group /mnt/f "$dev" "$gid"
read -r _ lead_start lead_len < <(group_regions "$dev" "$gid" | head -n 1)
read -r _ last_start _ < <(group_regions "$dev" "$gid" | tail -n 1)

step "foreign regions made after the groups (dmstats refuses groups above ungrouped regions)"
for id in $(group_members "$dev" "$other_gid"); do foreign "$id"; done
# Ungrouped regions of program dmstats, with and without user data.
out=$(dmstats create lin --start 8 --length 8 --userdata precious)
foreign "${out##* }"
out=$(dmstats create lin --start 16 --length 16)
foreign "${out##* }"
# Another program's, with areas, precise timestamps and a histogram.
foreign "$(dmsetup message lin 0 @stats_create 64+64 /4 2 precise_timestamps histogram:1,5,20 otherprog tag=1)"
# Other programs' regions over the followed file's data.
foreign "$(dmsetup message lin 0 @stats_create "$lead_start+$lead_len" /1 overlay same_as_leader)"
foreign "$(dmsetup message lin 0 @stats_create "$((last_start + 8))+16" /1 overlay part_of_last)"
assert_eq 7 "${#FOREIGN[@]}" "foreign regions recorded"
printf '%s\n' "${LINE[@]}" | sed 's/^/   /'
assert_match "precious" "$(printf '%s\n' "${LINE[@]}")" "the user data region"
# The group check that these dmsetup and dmstats runs prompt comes within
# a second.
sleep 2
io_round
check_foreign "the daemon's group check"

step "/mnt/f grows"
fallocate -l 12M /mnt/f
wait_group /mnt/f "$dev" f
io_round
check_foreign "growth"

step "a hole punched in /mnt/f's first extent"
fallocate -p -o 0 -l 64K /mnt/f
wait_group /mnt/f "$dev" f
io_round
check_foreign "a punched hole"

step "/mnt/f truncated"
truncate -s 5M /mnt/f
wait_group /mnt/f "$dev" f
io_round
check_foreign "truncation"

step "/mnt/f rewritten"
dd if=/dev/urandom of=/mnt/f bs=1M count=3 conv=fsync status=none
wait_group /mnt/f "$dev" f
io_round
check_foreign "a rewrite"
check_group /mnt/other "$dev" "$other_gid"
assert_running "$FG_PID"

step "/mnt/f emptied: the daemon removes its group and exits"
truncate -s 0 /mnt/f
assert_exit 0 "$FG_PID" 10 "exit status once the file is empty"
wait_log /tmp/daemon.log "has no data on the device: removing group [0-9]+ and exiting\$"
io_round
check_foreign "the daemon's exit"
# Only the foreign regions are left: the group's own all went.
assert_eq "$(for id in "${FOREIGN[@]}"; do echo "${LINE[$id]}"; done | sort -n)" \
	"$(stats_list "$dev")" "regions left on $dev"
check_group /mnt/other "$dev" "$other_gid"
echo "ok: ${#FOREIGN[@]} foreign regions unchanged through $IO_ROUNDS rounds of reads"
