#!/bin/bash
# Regions the daemon creates count like the ones dmstats made: the leader's
# precise_timestamps and histogram boundaries are copied word for word, in
# the same units (ms, or ns with precise_timestamps).
set -eu
# shellcheck source=tests/vm/lib.sh
. /test/lib.sh

# options DEV ID: what @stats_list shows after region ID's aux_data.
options() {
	stats_list "$1" | awk -v id="$2:" '$1 == id { $1 = $2 = $3 = $4 = $5 = ""; sub(/^ +/, ""); print }'
}

# assert_same_options DEV ALIAS OLD_COUNT: group ALIAS grew past OLD_COUNT
# members, and every member has exactly its leader's options.
assert_same_options() {
	local dev=$1 alias=$2 old=$3 gid want id n=0
	gid=$(group_id_by_alias "$dev" "$alias")
	want=$(options "$dev" "$gid")
	for id in $(group_members "$dev" "$gid"); do
		assert_eq "$want" "$(options "$dev" "$id")" "options of region $id in group '$alias'"
		n=$((n + 1))
	done
	[ "$n" -gt "$old" ] || fail "group '$alias' has no new member ($n regions)"
	echo "group '$alias': $n regions, each with '$want'"
}

# hand_made_group FILE ALIAS OPTIONS...: maps FILE with regions made by
# hand with OPTIONS (for what dmstats cannot make), grouped as ALIAS.
hand_made_group() {
	local file=$1 alias=$2 start len ids=()
	shift 2
	while read -r start len; do
		ids+=("$(dmsetup message "$dev" 0 @stats_create "$start+$len" /1 $# "$@" dmstats -)")
	done < <(file_extents "$file")
	dmsetup message "$dev" 0 @stats_set_aux "${ids[0]}" "DMS_GROUP=$alias:$(IFS=,; echo "${ids[*]}")#-"
	echo "${ids[0]}"
}

require_daemon
step "ext4 on a dm-linear device, five groups with histograms or precise timestamps"
setup_mapped
for name in ms precise us hand plain; do fallocate -l 1M "/mnt/$name"; done
filemap_create /mnt/ms --bounds 10ms,20ms,30ms >/dev/null
filemap_create /mnt/precise --precise --bounds 10ms,20ms,30ms >/dev/null
filemap_create /mnt/us --bounds 500us,1ms,2ms >/dev/null
filemap_create /mnt/plain >/dev/null
gid=$(hand_made_group /mnt/hand hand precise_timestamps histogram:1000,2000)
dmstats update_filemap /mnt/hand --groupid "$gid" >/tmp/update.out 2>&1 ||
	fail "dmstats update_filemap failed: $(cat /tmp/update.out)"
assert_match "histogram:10,20,30\$" "$(options "$dev" "$(group_id_by_alias "$dev" ms)")" "options of --bounds 10ms,20ms,30ms"
assert_match "^precise_timestamps histogram:500000,1000000,2000000\$" \
	"$(options "$dev" "$(group_id_by_alias "$dev" us)")" "options of --bounds 500us,1ms,2ms"

step "each file grown in three new extents"
for name in ms precise us hand plain; do
	wait_for_daemon "$(group_id_by_alias "$dev" "$name")" "/mnt/$name" >/dev/null
	fragmented_file "/mnt/$name" 4
done
for name in ms precise us hand plain; do
	wait_group "/mnt/$name" "$dev" "$name"
	assert_same_options "$dev" "$name" 1
done
stats_list "$dev"
echo "ok: new regions copy their leader's options exactly"
